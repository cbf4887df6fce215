"""Transcript text is inert on screen: no control byte or escape sequence reaches the terminal,
markup shows literally, and the window title and clipboard stay untouched (issue 6, item 4)."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tui_support import (
    SESSION_A,
    SESSION_B,
    SESSION_C,
    SESSION_D,
    border_text,
    import_fixtures,
    make_app,
    open_session,
    screen_text,
    wait_for_workers,
    widget_lines,
)

from sessionscope import store
from sessionscope.tui.widgets.search_pane import HitList
from sessionscope.tui.widgets.session_list import SessionList

# what must never be drawn: C0 (tab and newline are layout, never drawn as bytes either), DEL,
# C1, bidirectional overrides and isolates, zero-width characters, BOM, lone surrogates
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f\ud800-\udfff]"
)
TITLE_MARK = "OSC-TITLE-MARK"
CLIP_B64 = "T1NDLUNMSVAtTUFSSw=="  # base64 of "OSC-CLIP-MARK"
C0 = "".join(chr(c) for c in range(32) if chr(c) not in "\n\t")
C1 = "".join(chr(c) for c in range(0x80, 0xA0))
HOSTILE = (
    "hostile start "
    f"\x1b]0;{TITLE_MARK}\x07 \x1b]2;{TITLE_MARK}\x1b\\ \x1b]52;c;{CLIP_B64}\x07 "
    f"\x9d0;{TITLE_MARK}\x9c \x1bP1$r{TITLE_MARK}\x1b\\ \x1b[2J\x1b[H\x1b[31mred\x1b[0m \x9b31mc1red "
    f"controls:{C0}{C1}\x7f "
    "bidi:\u202eevil\u202c \u2066iso\u2069 zero:a\u200bb\u200dc\ufeffd "
    "markup: [@click=app.quit]quit[/] [link=https://evil.example]link[/link] [red]ERROR[/red] "
    "hostile end"
)


def _hostile_store(path: Path) -> str:
    with store.open(path) as db:
        sid = db.start_session(
            title="title " + HOSTILE[:200],
            source="api",
            project="/p/[b]x[/b]\x1b]0;" + TITLE_MARK + "\x07",
        )
        db.append(sid, "user", HOSTILE, created_at="2026-10-10T10:00:00Z")
        db.append(
            sid,
            "assistant",
            [
                {"type": "thinking", "thinking": "reasoning " + HOSTILE},
                {
                    "type": "text",
                    "text": "# Heading " + HOSTILE + "\n\n```bash\n" + HOSTILE + "\n```\n",
                },
                {
                    "type": "tool_use",
                    "id": "t1",
                    "name": "Bash\x1b[31m",
                    "input": {"command": HOSTILE},
                },
            ],
            created_at="2026-10-10T10:00:05Z",
            model="m\x1b]0;x\x07",
        )
        db.append(
            sid,
            "tool",
            [{"type": "tool_result", "tool_use_id": "t1", "is_error": True, "content": HOSTILE}],
            created_at="2026-10-10T10:00:06Z",
        )
        return sid


def _assert_inert(lines: list[str], where: str) -> None:
    for line in lines:
        assert not UNSAFE.search(line), (where, line)
        assert TITLE_MARK not in line and CLIP_B64 not in line, (where, line)


async def _check_session(pilot, sid: str) -> str:  # type: ignore[no-untyped-def]
    transcript = await open_session(pilot, sid)
    if not transcript.tools_open:
        await pilot.press("t")
    await pilot.press("r")
    await wait_for_workers(pilot)
    text = []
    for seq in range(transcript.total):
        rendered = transcript.render_message(seq)
        assert rendered is not None
        for strip in rendered.lines:
            for segment in strip:
                _assert_inert([segment.text], f"{sid}#{seq}")
            text.append(strip.text)
    _assert_inert(widget_lines(transcript), "transcript on screen")
    _assert_inert(
        [transcript.border_title or "", transcript.border_subtitle or ""], "transcript border"
    )
    await pilot.press("r")
    return "\n".join(text)


async def test_every_fixture_session_and_a_hostile_one_render_inert(
    tmp_path: Path, fixture_tree: Path
) -> None:
    path = import_fixtures(tmp_path / "all.db", fixture_tree)
    hostile = _hostile_store(path)
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        _assert_inert(widget_lines(sessions), "session list")
        for sid in (SESSION_A, SESSION_B, SESSION_C, SESSION_D):
            await _check_session(pilot, sid)
        text = await _check_session(pilot, hostile)
        for literal in (
            "[@click=app.quit]quit[/]",
            "[link=https://evil.example]link[/link]",
            "[red]ERROR[/red]",
            "hostile start",
            "hostile end",
        ):
            assert literal in text
        assert "evil" in text and "ab" in text.replace("\u200b", "")
        # the search pane: hits and snippets for the hostile text
        await pilot.press("slash")
        for key in "hostile":
            await pilot.press(key)
        await pilot.pause(0.2)
        await wait_for_workers(pilot)
        hits = app.screen.query_one(HitList)
        shown = widget_lines(hits)
        assert any("hostile" in line for line in shown)
        _assert_inert(shown, "search hits")
        _assert_inert(screen_text(app).splitlines(), "whole screen")


def _read_pty(fd: int, seconds: float) -> bytes:
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_window_title_and_clipboard_are_untouched_in_a_real_terminal(tmp_path: Path) -> None:
    import pty

    path = tmp_path / "hostile.db"
    sid = _hostile_store(path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real browser in a terminal of 120x36
        os.environ.update(
            {
                "TERM": "xterm-256color",
                "COLUMNS": "120",
                "LINES": "36",
                "SESSIONSCOPE_DB": str(path),
            }
        )
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "sessionscope",
                "browse",
                "--session",
                sid,
                "--search",
                "hostile",
            ],
        )
    try:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        output = b""
        deadline = time.monotonic() + 30  # a cold start on a busy machine can take a while
        while b"hostile" not in output and time.monotonic() < deadline:
            output += _read_pty(fd, 0.5)
        output += _read_pty(fd, 1.0)
        os.write(fd, b"t")  # expand every tool call: outputs with escape sequences on screen
        output += _read_pty(fd, 2.0)
        os.write(fd, b"q")
        output += _read_pty(fd, 3.0)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    assert b"hostile" in output  # the transcript was drawn
    assert TITLE_MARK.encode() not in output and CLIP_B64.encode() not in output
    # no window-title (OSC 0/1/2) or clipboard (OSC 52) sequence at all, and no 8-bit C1 controls
    assert not re.search(rb"\x1b\](?:0|1|2|52);", output)
    assert b"\xc2\x9d" not in output and b"\xc2\x9b" not in output
    subprocess.run(["stty", "sane"], check=False, stdin=subprocess.DEVNULL)


# -- issue 9, items 3 and 6: hostile ids, tool and model names, media types, block types ------


async def test_a_hostile_session_id_and_fields_are_drawn_inert(tmp_path: Path) -> None:
    """A title that cleans to nothing used to put the raw id in the transcript's border title
    and `id[:8]` in search hits: in tmux that changed the pane title and wrote the clipboard."""
    from hostile_support import assert_inert_text, hostile_fields_store

    from sessionscope.tui.widgets.transcript import Transcript

    path = tmp_path / "hostile-fields.db"
    sid = hostile_fields_store(path)
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_workers(pilot)
        assert_inert_text("\n".join(widget_lines(app.screen.query_one(SessionList))), "list")
        transcript = await open_session(pilot, sid)
        await pilot.press("t")
        await wait_for_workers(pilot)
        title = border_text(transcript, "title")
        assert title.startswith("sess") and title.endswith("-0001")
        assert_inert_text(title, "transcript border title")
        assert_inert_text(border_text(transcript, "subtitle"), "transcript border subtitle")
        shown = []
        for seq in range(transcript.total):
            rendered = transcript.render_message(seq)
            assert rendered is not None
            for strip in rendered.lines:
                for segment in strip:
                    assert_inert_text(segment.text, f"message {seq}")
                shown.append(strip.text)
        text = "\n".join(shown)
        for visible in ("Bash", "gpt", "image/png", "widget"):
            assert visible in text, visible
        await pilot.press("slash")
        for key in "evil":
            await pilot.press(key)
        await pilot.pause(0.2)
        await wait_for_workers(pilot)
        hits = widget_lines(app.screen.query_one(HitList))
        assert any(line.strip().startswith("sess") for line in hits), hits
        assert_inert_text("\n".join(hits), "search hits")
        assert_inert_text(screen_text(app), "whole screen")
        assert isinstance(app.screen.query_one(Transcript), Transcript)


def _run_in_pty(argv: list[str], env: dict[str, str], keys: tuple[bytes, ...] = ()) -> bytes:
    """What a real terminal (120x36) receives from `python -m sessionscope ARGV`: for the browser
    (`keys` given) until it drew the hostile session and took the keys, else until it exits."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "36", **env})
        os.execv(sys.executable, [sys.executable, "-m", "sessionscope", *argv])
    output = b""
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        deadline = time.monotonic() + 30  # a cold start on a busy machine can take a while
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the command exited and closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if keys and b"evil" in output:
                break
        if keys:
            output += _read_pty(fd, 1.0)
            for key in keys:
                os.write(fd, key)
                output += _read_pty(fd, 1.5)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_hostile_fields_never_reach_a_real_terminal_from_the_browser(tmp_path: Path) -> None:
    from hostile_support import HOSTILE_ID, assert_inert_bytes, hostile_fields_store

    path = tmp_path / "hostile-fields.db"
    hostile_fields_store(path)
    try:
        output = _run_in_pty(
            ["browse", "--session", HOSTILE_ID, "--search", "evil"],
            {"SESSIONSCOPE_DB": str(path)},
            keys=(b"t", b"q"),
        )
    finally:
        subprocess.run(["stty", "sane"], check=False, stdin=subprocess.DEVNULL)
    assert b"evil" in output and b"sess" in output  # the transcript and its title were drawn
    assert_inert_bytes(output, "browser")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_hostile_fields_never_reach_a_real_terminal_from_show_and_export(tmp_path: Path) -> None:
    from hostile_support import assert_inert_bytes, hostile_fields_store

    path = tmp_path / "hostile-fields.db"
    hostile_fields_store(path)
    env = {
        "SESSIONSCOPE_DB": str(path),
        "PAGER": "cat",
    }  # show pages on a terminal: the pager's own codes are not data
    exported = tmp_path / "out.md"
    for argv in (
        ["show", "sess"],
        ["show", "sess", "--format", "markdown"],
        ["show", "sess", "--format", "json"],
        ["export", "sess"],
        ["export", "sess", "--format", "json"],
        ["export", "sess", "-o", str(exported)],
    ):
        output = _run_in_pty(argv, env)
        assert b"sess" in output and b"error" not in output, (argv, output[-300:])
        if "-o" not in argv:
            for visible in (b"Bash", b"gpt", b"image/png", b"widget"):
                assert visible in output, (argv, visible)
        assert_inert_bytes(output, " ".join(argv), escaped_ok="json" in argv)
        assert b"\x1b" not in output and b"\x07" not in output, argv  # no escape at all
    # what `cat out.md` would send to the terminal: the file's bytes
    data = exported.read_bytes()
    assert b"Bash" in data and b"image/png" in data
    assert_inert_bytes(data, "the exported file")
