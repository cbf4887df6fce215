"""Regressions from the browser review: markup in titles, huge messages, rewritten sessions,
empty sessions."""

from __future__ import annotations

import re
from pathlib import Path

from tui_support import (
    border_text,
    make_app,
    open_session,
    screen_text,
    wait_for_workers,
    wait_until,
    widget_lines,
)

from sessionscope import store
from sessionscope.tui.clip import MAX_CHARS, MAX_LINE_CHARS, MAX_LINES, clip
from sessionscope.tui.screens.later_panes import FilterInput
from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript

HOSTILE = ("oops [/bold] stray close", "[red]ERROR[/red]", "[@click=app.quit]q[/]")


def _rendered_lines(transcript: Transcript) -> int:
    return sum(r.height for r in transcript.window.rendered.values())


# -- 1. markup in store data and user input --------------------------------------------------


async def test_markup_in_titles_sources_models_and_filter_shows_literally(tmp_path: Path) -> None:
    path = tmp_path / "markup.db"
    ids = []
    with store.open(path) as db:
        for n, text in enumerate(HOSTILE):
            sid = db.start_session(
                title=text, source=f"src{text}", model=f"m{text}", project=f"/p/{n}"
            )
            db.append(sid, "user", "hello", created_at=f"2026-10-10T10:00:0{n}Z")
            ids.append(sid)
    app = make_app(path)
    async with app.run_test(size=(160, 36)) as pilot:
        for sid, text in zip(ids, HOSTILE, strict=True):
            transcript = await open_session(pilot, sid)
            assert app.is_running
            assert border_text(transcript) == text
            subtitle = border_text(transcript, "subtitle")
            assert f"src{text}" in subtitle and f"m{text}" in subtitle
            assert text in screen_text(app)
        # the filter bar's text goes to the list's border subtitle
        sessions = app.screen.query_one(SessionList)
        await pilot.press("f")
        field = app.screen.query_one("#filter-input", FilterInput)
        field.value = "[/bold] [red]x[/red] [@click=app.quit]q[/]"
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert app.is_running
        assert "title:[/bold] title:[red]x[/red] title:[@click=app.quit]q[/]" in border_text(
            sessions, "subtitle"
        )
        assert "[red]x[/red]" in screen_text(app)
        # nothing in a border carries a click action
        for widget in (sessions, app.screen.query_one(Transcript)):
            for which in ("title", "subtitle"):
                content = getattr(widget, f"_border_{which}")
                for span in content.spans if content is not None else []:
                    assert "@click" not in str(span.style), span
    # the app was never told to quit by a click action (it ended through run_test)


# -- 2. huge messages render a bounded number of lines ----------------------------------------


async def _open_single(tmp_path: Path, role: str, content: object, size=(120, 40)):  # type: ignore[no-untyped-def]
    path = tmp_path / "big.db"
    path.parent.mkdir(exist_ok=True)
    with store.open(path) as db:
        sid = db.start_session(title="big", source="api")
        db.append(sid, role, content, created_at="2026-10-10T10:00:00Z")
    return path, sid


async def test_three_megabyte_message_opens_with_bounded_lines(tmp_path: Path) -> None:
    path, sid = await _open_single(tmp_path, "assistant", ("word " * 20 + "\n") * 30_000)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = await open_session(pilot, sid)
        rendered = transcript.window.rendered[0]
        # ~100 KB of 100-character lines at this width, plus the header and the marker
        assert 100 < rendered.height <= MAX_CHARS // 100 * 3
        assert any("more lines · x exports the whole session" in s.text for s in rendered.lines)
        await pilot.press("G")
        await wait_for_workers(pilot)
        assert any("more lines" in line for line in widget_lines(transcript))


async def test_two_hundred_thousand_lines_open_with_bounded_lines(tmp_path: Path) -> None:
    for role in ("user", "assistant"):
        path, sid = await _open_single(tmp_path / role, role, "line\n" * 200_000)
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            transcript = await open_session(pilot, sid)
            assert _rendered_lines(transcript) <= MAX_LINES + 10
            assert transcript.window.rendered[0].height > 1000


async def test_huge_code_block_and_single_line_are_bounded(tmp_path: Path) -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(100_000)) + "\n```\n"
    path, sid = await _open_single(tmp_path / "code", "assistant", code)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = await open_session(pilot, sid)
        assert _rendered_lines(transcript) <= MAX_LINES + 10
        assert "x0 = 0" in "\n".join(widget_lines(transcript))
    path, sid = await _open_single(tmp_path / "one", "user", "abcdefghij" * 300_000)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = await open_session(pilot, sid)
        # one 3 MB line: its first MAX_LINE_CHARS characters, wrapped, and how much is left
        assert _rendered_lines(transcript) <= MAX_LINE_CHARS // 40 + 10
        assert any("more chars" in s.text for s in transcript.window.rendered[0].lines)


async def test_expanding_a_huge_tool_result_is_bounded_and_reveals_a_late_match(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tool.db"
    output = "x" * 2_000_000 + " needle-here " + "y" * 1_000_000
    with store.open(path) as db:
        sid = db.start_session(title="tool", source="api")
        db.append(
            sid,
            "assistant",
            [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "cat big"}}],
        )
        db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": "t1", "content": output}])
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = await open_session(pilot, sid)
        await pilot.press("t")  # expand every tool call
        await wait_for_workers(pilot)
        assert _rendered_lines(transcript) <= MAX_LINE_CHARS // 40 * 2 + 20
        text = "\n".join(s.text for r in transcript.window.rendered.values() for s in r.lines)
        assert "needle-here" not in text
        assert "more chars" in text
        # a search match 2 MB into the line: the window moves to it
        transcript.open(sid, seq=1, query="needle")
        await wait_for_workers(pilot)
        text = "\n".join(s.text for r in transcript.window.rendered.values() for s in r.lines)
        assert "needle-here" in text
        assert _rendered_lines(transcript) <= MAX_LINE_CHARS // 40 * 2 + 20


def test_clip_moves_to_a_match_past_the_line_cap() -> None:
    text = "\n".join(f"line {i}" for i in range(10_000)) + "\nthe needle\n" + "tail\n" * 10
    shown = clip(text, re.compile("needle"))
    assert shown.above > 9_000 and "the needle" in shown.lines
    assert shown.above + len(shown.lines) + shown.below == text.count("\n") + 1
    plain = clip(text)
    assert plain.above == 0 and len(plain.lines) == MAX_LINES and "the needle" not in plain.lines
    small = clip("a\nb")
    assert small.lines == ["a", "b"] and not small.clipped


# -- 3. a session rewritten by another process --------------------------------------------------


async def test_rewritten_session_shrinks_the_open_transcript(tmp_path: Path) -> None:
    path = tmp_path / "rewrite.db"
    with store.open(path) as db:
        sid = db.start_session(title="rewrite me", source="api")
        for i in range(30):
            db.append(sid, "user" if i % 2 == 0 else "assistant", f"original message {i}")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = await open_session(pilot, sid)
        await pilot.press("G")
        await wait_for_workers(pilot)
        assert transcript.total == 30
        assert "original message 29" in "\n".join(widget_lines(transcript))
        with store.open(path) as other:
            other.save(sid, [{"role": "user", "content": f"rewritten {i}"} for i in range(5)])
        assert await wait_until(pilot, lambda: transcript.total == 5)
        await wait_for_workers(pilot)
        text = "\n".join(widget_lines(transcript))
        assert "original message" not in text
        assert all(f"rewritten {i}" in text for i in range(5))
        assert "5 msg" in border_text(transcript, "subtitle")


async def test_rewritten_messages_in_place_are_refreshed(tmp_path: Path) -> None:
    path = tmp_path / "edit.db"
    with store.open(path) as db:
        sid = db.start_session(title="edit me", source="api")
        for i in range(12):
            db.append(sid, "user", f"first version {i}")
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        transcript = await open_session(pilot, sid)
        assert "first version 0" in "\n".join(widget_lines(transcript))
        with store.open(path) as other:
            other.save(sid, [{"role": "user", "content": f"second version {i}"} for i in range(12)])
        assert await wait_until(
            pilot, lambda: "second version 0" in "\n".join(widget_lines(transcript))
        )
        assert "first version" not in "\n".join(widget_lines(transcript))
        assert transcript.total == 12


# -- 4. an empty session ------------------------------------------------------------------------


async def test_empty_session_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    with store.open(path) as db:
        sid = db.start_session(title="nothing yet", source="api")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        transcript = await open_session(pilot, sid)
        assert transcript.total == 0
        assert "(no messages yet)" in widget_lines(transcript)[0]
        with store.open(path) as other:
            other.append(sid, "user", "now there is one")
        assert await wait_until(pilot, lambda: transcript.total == 1)
        await wait_for_workers(pilot)
        text = "\n".join(widget_lines(transcript))
        assert "now there is one" in text and "(no messages yet)" not in text
