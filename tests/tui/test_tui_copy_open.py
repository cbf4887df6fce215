"""`c`, `y`, `o` and `x` pressed as a person would: what reached the (fake) clipboard tool, what
the (fake) editor was run with, what file was written and with which mode."""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static
from tui_support import (
    SESSION_A,
    import_fixtures,
    make_app,
    open_session,
    wait_for_workers,
    wait_until,
)

from sessionscope import store
from sessionscope.tui.screens import export_dialog

CODE = "def greet(name):\n    return f'hello {name}'"


@pytest.fixture
def clip_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake xclip on PATH (an X11 display set): returns the file its stdin lands in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "clipboard.txt"
    script = bin_dir / "xclip"
    script.write_text(f'#!/bin/sh\n/bin/cat > "{record}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return record


@pytest.fixture
def work_db(tmp_path: Path) -> tuple[Path, str, Path]:
    """A session in `work/` with prose naming a file, a code block, a Bash call and a Read."""
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    (work / "src" / "app.py").write_text("a = 1\nb = 2\nc = 3\n")
    path = tmp_path / "copy.db"
    with store.open(path) as db:
        sid = db.start_session(title="copy and open", source="claude-code", cwd=str(work))
        db.append(sid, "user", "Please fix src/app.py:3 and src/missing.py")
        db.append(sid, "assistant", f"Here it is:\n\n```python\n{CODE}\n```\n\nDone.")
        db.append(
            sid,
            "assistant",
            [
                {
                    "type": "tool_use",
                    "id": "t1",
                    "name": "Bash",
                    "input": {"command": "pytest -q tests/test_app.py", "description": "test"},
                }
            ],
        )
        db.append(
            sid, "tool", [{"type": "tool_result", "tool_use_id": "t1", "content": "3 passed\nok"}]
        )
        db.append(
            sid,
            "assistant",
            [
                {
                    "type": "tool_use",
                    "id": "t2",
                    "name": "Read",
                    "input": {"file_path": str(work / "src" / "app.py"), "offset": 2},
                }
            ],
        )
        db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": "t2", "content": "b = 2"}])
    return path, sid, work


async def move_to(pilot: Any, transcript: Any, kind: str, seq: int | None = None) -> None:
    """Press j until the cursor is on an item of `kind` (in message `seq`)."""
    for _ in range(40):
        found = transcript.item_at_cursor()
        if found is not None and found[1].kind == kind and seq in (None, found[0]):
            return
        await pilot.press("j")
        await wait_for_workers(pilot)
    raise AssertionError(f"no {kind} item reached")


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def copied(pilot: Any, record: Path) -> str:
    assert await wait_until(pilot, record.exists, 5)
    await wait_for_workers(pilot)
    return record.read_text()


async def test_c_copies_the_session_id_from_the_list_and_the_transcript(
    work_db: tuple[Path, str, Path], clip_tool: Path
) -> None:
    path, sid, _work = work_db
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("c")
        assert await copied(pilot, clip_tool) == sid
        assert f"Copied the session id ({len(sid)} characters) with xclip." in toasts(app)
        clip_tool.unlink()
        await open_session(pilot, sid)
        await pilot.press("c")
        assert await copied(pilot, clip_tool) == sid


async def test_c_on_a_search_hit_copies_that_hits_session_id(
    work_db: tuple[Path, str, Path], clip_tool: Path
) -> None:
    path, sid, _work = work_db
    with store.open(path) as db:  # newer: the list's cursor is on it, not on the hit's session
        other = db.start_session(title="another", source="api")
        db.append(other, "user", "zebra crossing")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"greet")
        await wait_for_workers(pilot)
        await pilot.press("down")  # to the hits
        await pilot.press("c")
        assert await copied(pilot, clip_tool) == sid != other


async def test_y_copies_the_code_block_the_command_or_the_output_under_the_cursor(
    work_db: tuple[Path, str, Path], clip_tool: Path
) -> None:
    path, sid, _work = work_db
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, sid)
        await move_to(pilot, transcript, "code")
        await pilot.press("y")
        assert await copied(pilot, clip_tool) == CODE
        assert "Copied the code block" in toasts(app)[-1]
        await move_to(pilot, transcript, "tool", seq=2)
        clip_tool.unlink()
        await pilot.press("y")
        assert await copied(pilot, clip_tool) == "pytest -q tests/test_app.py"
        await pilot.press("space")  # unfold the call: its output becomes a stop of its own
        await wait_for_workers(pilot)
        await move_to(pilot, transcript, "output")
        clip_tool.unlink()
        await pilot.press("y")
        assert await copied(pilot, clip_tool) == "3 passed\nok"
        await pilot.press("g")  # the first message's header: the whole message, as before
        await wait_for_workers(pilot)
        clip_tool.unlink()
        await pilot.press("y")
        assert "Please fix src/app.py:3" in await copied(pilot, clip_tool)


async def test_y_without_a_clipboard_tool_says_nothing_was_copied(
    work_db: tuple[Path, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    path, sid, _work = work_db
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_session(pilot, sid)
        await pilot.press("y")
        assert await wait_until(pilot, lambda: any("Nothing copied" in t for t in toasts(app)))
        assert not any(t.startswith("Copied") for t in toasts(app))
        assert "Please fix" in app.clipboard  # Textual's own clipboard (OSC 52 in a terminal)


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `vim` on PATH as $EDITOR, recording its cwd and argv, one per line."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "editor.txt"
    script = bin_dir / "vim"
    script.write_text(
        f'#!/bin/sh\npwd > "{record}"\nfor a in "$@"; do echo "$a" >> "{record}"; done\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "vim")
    return record


@contextlib.contextmanager
def no_suspend() -> Iterator[None]:
    yield  # a headless app cannot suspend: pretend, as the resume tests do


async def test_o_opens_the_file_in_the_editor_at_its_line_in_the_sessions_cwd(
    work_db: tuple[Path, str, Path], editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sid, work = work_db
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        monkeypatch.setattr(app, "suspend", no_suspend)
        transcript = await open_session(pilot, sid)
        await pilot.press("o")  # on the first message: `src/app.py:3` in its text
        assert await wait_until(pilot, editor.exists, 5)
        cwd, *argv = editor.read_text().splitlines()
        assert Path(cwd) == work
        assert argv == ["+3", str(work / "src" / "app.py")]
        editor.unlink()
        await move_to(pilot, transcript, "tool", seq=4)  # Read file_path, offset 2
        await pilot.press("o")
        assert await wait_until(pilot, editor.exists, 5)
        assert editor.read_text().splitlines()[1:] == ["+2", str(work / "src" / "app.py")]
        assert app.is_running


async def test_o_says_in_one_sentence_why_nothing_opened(
    work_db: tuple[Path, str, Path], editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sid, work = work_db
    (work / "src" / "app.py").unlink()
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        monkeypatch.setattr(app, "suspend", no_suspend)
        await open_session(pilot, sid)
        await pilot.press("o")
        await wait_for_workers(pilot)
        assert f"Cannot open: {work / 'src' / 'app.py'} does not exist." in toasts(app)
        monkeypatch.delenv("EDITOR")
        (work / "src" / "app.py").write_text("back\n")
        await pilot.press("o")
        await wait_for_workers(pilot)
        assert "Cannot open: no editor: set $VISUAL or $EDITOR." in toasts(app)
        assert not editor.exists()


async def test_o_on_a_task_line_still_opens_its_subagent(
    tmp_path: Path, fixture_tree: Path, editor: Path
) -> None:
    app = make_app(import_fixtures(tmp_path / "fixtures.db", fixture_tree))
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        for _ in range(40):
            found = transcript.item_at_cursor()
            if found is not None and found[1].tool_use_id == "toolu_01TaskTests":
                break
            await pilot.press("j")
        await pilot.press("o")
        await wait_for_workers(pilot)
        assert transcript.info is not None and transcript.info.parent_session_id == SESSION_A
        assert not editor.exists()


async def test_x_asks_where_and_writes_an_owner_only_file(
    work_db: tuple[Path, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sid, _work = work_db
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    monkeypatch.setattr(export_dialog, "default_export_dir", lambda: downloads)
    monkeypatch.setattr("sessionscope.tui.screens.acting.default_export_dir", lambda: downloads)
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_session(pilot, sid)
        await pilot.press("x")
        await pilot.pause()
        field = app.screen.query_one("#export-path", Input)
        expected = downloads / f"sessionscope-{sid}.md"
        assert field.value == str(expected)
        await pilot.press("enter")
        assert await wait_until(pilot, expected.exists, 5)
        await wait_for_workers(pilot)
        assert stat.S_IMODE(expected.stat().st_mode) == 0o600
        text = expected.read_text()
        assert "# copy and open" in text and "pytest -q tests/test_app.py" in text
        assert any(f"Exported to {expected} (Markdown" in t for t in toasts(app))
        # another name, as HTML; then Escape writes nothing
        await pilot.press("x")
        await pilot.pause()
        field = app.screen.query_one("#export-path", Input)
        field.value = str(tmp_path / "page.html")
        await pilot.press("enter")
        assert await wait_until(pilot, (tmp_path / "page.html").exists, 5)
        assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o600
        assert (tmp_path / "page.html").read_text().startswith("<!doctype html>")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for_workers(pilot)
        assert sorted(p.name for p in downloads.iterdir()) == [expected.name]
        assert not isinstance(app.screen, export_dialog.ExportDialog)


def _problem(app: Any) -> str:
    """What the export dialog says is wrong with the path typed."""
    return str(app.screen.query_one("#export-problem", Static).render())


async def test_x_into_a_missing_directory_says_so_and_keeps_the_path(
    work_db: tuple[Path, str, Path], tmp_path: Path
) -> None:
    path, sid, _work = work_db
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_session(pilot, sid)
        await pilot.press("x")
        await pilot.pause()
        typed = str(tmp_path / "nope" / "x.md")
        app.screen.query_one("#export-path", Input).value = typed
        await pilot.press("enter")
        await wait_for_workers(pilot)
        # the dialog stays, with what was typed, and says why
        assert isinstance(app.screen, export_dialog.ExportDialog)
        assert app.screen.query_one("#export-path", Input).value == typed
        assert f"There is no directory {tmp_path / 'nope'}" in _problem(app)
        assert not (tmp_path / "nope").exists()


async def test_x_replaces_an_existing_file_only_on_a_second_enter(
    work_db: tuple[Path, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sid, _work = work_db
    monkeypatch.setattr("sessionscope.tui.screens.acting.default_export_dir", lambda: tmp_path)
    kept = tmp_path / "notes.md"
    kept.write_text("KEEP\n")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_session(pilot, sid)
        await pilot.press("x")
        await pilot.pause()
        # the proposed path is selected: a name typed replaces it, and goes in that directory
        await pilot.press(*"notes.md", "enter")
        await wait_for_workers(pilot)
        assert isinstance(app.screen, export_dialog.ExportDialog)
        assert "already exists: Enter again replaces it" in _problem(app)
        assert kept.read_text() == "KEEP\n"
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: kept.read_text() != "KEEP\n", 5)
        assert "# copy and open" in kept.read_text()
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        # a new name is written at once
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"page.html", "enter")
        assert await wait_until(pilot, (tmp_path / "page.html").exists, 5)


async def test_x_in_the_list_exports_the_session_under_the_cursor(
    work_db: tuple[Path, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, sid, _work = work_db
    monkeypatch.setattr("sessionscope.tui.screens.acting.default_export_dir", lambda: tmp_path)
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("x")  # nothing open: the row under the cursor, as for c, b and #
        await pilot.pause()
        assert isinstance(app.screen, export_dialog.ExportDialog)
        await pilot.press("enter")
        target = tmp_path / f"sessionscope-{sid}.md"
        assert await wait_until(pilot, target.exists, 5)
        assert "# copy and open" in target.read_text()


async def test_o_never_hands_the_editor_a_path_it_could_read_as_an_option(
    tmp_path: Path, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transcript whose cwd is the relative `-work` (a directory of that name exists where the
    browser runs): `src/app.py:3` would have reached vim as `-work/src/app.py`, an option. The
    relative cwd is not used: one sentence, the editor not run. A path from an absolute cwd
    reaches it absolute."""
    monkeypatch.chdir(tmp_path)
    hostile = tmp_path / "-work"
    (hostile / "src").mkdir(parents=True)
    (hostile / "src" / "app.py").write_text("a = 1\n")
    path = tmp_path / "open.db"
    with store.open(path) as db:
        sid = db.start_session(title="relative cwd", source="claude-code", cwd="-work")
        db.append(sid, "user", "Please fix src/app.py:3")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        monkeypatch.setattr(app, "suspend", no_suspend)
        await open_session(pilot, sid)
        await pilot.press("o")
        await wait_for_workers(pilot)
        assert (
            "Cannot open: src/app.py is relative and the session's working directory -work "
            "is not an absolute path."
        ) in toasts(app)
        assert not editor.exists()
