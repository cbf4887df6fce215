"""The browser driven like a person: keys, clicks, search, folds, subagents, live follow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input
from tui_support import (
    CONTROL,
    SESSION_A,
    SESSION_B,
    border_text,
    import_fixtures,
    make_app,
    open_session,
    screen_text,
    wait_for_workers,
    wait_until,
    widget_lines,
    widget_strips,
)

from sessionscope import store
from sessionscope.tui.screens.help import HelpScreen
from sessionscope.tui.widgets.search_pane import HitList, SearchPane
from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


def _open_row(sessions: SessionList, session_id: str) -> int:
    index = sessions.index_of(session_id)
    assert index is not None, f"{session_id} not in the list"
    return index


def _text(transcript: Transcript) -> str:
    return "\n".join(widget_lines(transcript))


async def test_list_shows_sessions_newest_first_with_subagents_under_parent(
    fixture_db: Path,
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        assert sessions.total == 4  # subagents are not top-level rows
        titles = [sessions.row(i).title for i in range(sessions.row_count())]
        assert titles[0].startswith("Deduplicate customer records")
        assert "Fix login form validation" in titles
        assert not any(t.startswith("Add tests to src/components") for t in titles)
        text = "\n".join(widget_lines(sessions))
        assert "webapp · claude-code · 16 msg" in text
        assert "▸ Fix login form validation" in text  # has a subagent, folded
        # open the parent's subagents with space: the child appears indented under it
        sessions.move_cursor(_open_row(sessions, SESSION_A))
        await pilot.press("space")
        await wait_for_workers(pilot)
        parent = _open_row(sessions, SESSION_A)
        child = sessions.row(parent + 1)
        assert child is not None and child.parent_id == SESSION_A
        assert "↳ Add tests to" in "\n".join(widget_lines(sessions))
        await pilot.press("left")
        assert sessions.row(parent + 1).parent_id is None


async def test_open_session_fold_and_unfold_a_tool_call(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        text = _text(transcript)
        assert "Fix login form validation" in transcript.border_title
        assert "▸ Read  src/components/LoginForm.tsx" in text
        assert "▸ Bash  npm test -- LoginForm" in text
        assert "▸ reasoning ·" in text
        assert "rejects empty password" not in text  # folded output
        # move the cursor to the Bash line and press Enter
        while True:
            found = transcript.item_at_cursor()
            assert found is not None
            if found[1].kind == "tool" and found[1].tool_use_id == "toolu_01BashNpmTest":
                break
            await pilot.press("j")
        await pilot.press("enter")
        await wait_for_workers(pilot)
        text = _text(transcript)
        assert "▾ Bash  npm test -- LoginForm" in text
        assert "$ npm test -- LoginForm" in text
        assert "rejects empty password" in text  # the paired output
        await pilot.press("enter")
        text = _text(transcript)
        assert "▸ Bash  npm test -- LoginForm" in text
        assert "rejects empty password" not in text


async def test_t_expands_every_tool_call_and_r_shows_reasoning(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        assert "▾ " not in _text(transcript)
        await pilot.press("t")
        await wait_for_workers(pilot)
        text = _text(transcript)
        assert "▾ Read  src/components/LoginForm.tsx" in text
        assert "├ output" in text
        await pilot.press("t")
        assert "▾ Read" not in _text(transcript)
        await pilot.press("r")
        text = _text(transcript)
        assert "▾ reasoning" in text
        assert (
            "empty passwords rejected" in text.replace("\n", " ")
            or "First read LoginForm.tsx" in text
        )
        await pilot.press("r")
        assert "▸ reasoning" in _text(transcript)


async def test_search_open_hit_highlights_and_n_moves_between_matches(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash")
        search = app.screen.query_one(SearchPane)
        assert search.display
        assert not app.screen.query_one(SessionList).display  # the search takes the list's place
        await pilot.press(*"LoginForm")
        await wait_for_workers(pilot)
        hits = app.screen.query_one(HitList)
        assert hits.hits, "typing should show hits"
        assert all(h.highlights for h in hits.hits)
        lines = "\n".join(widget_lines(hits))
        assert "Fix login form validation" in lines
        # the snippet of the first hit carries the match style on the matched word
        match_style = hits.get_component_rich_style("hits--match", partial=True)
        strips = widget_strips(hits)
        assert any(
            seg.style
            and seg.style.bgcolor == match_style.bgcolor
            and "loginform" in seg.text.lower()
            for strip in strips
            for seg in strip
        )
        await pilot.press("down")
        assert hits.has_focus
        first = hits.hits[0]
        await pilot.press("enter")
        await wait_for_workers(pilot)
        transcript = app.screen.query_one(Transcript)
        assert transcript.has_focus
        assert transcript.session_id == first.session_id
        assert transcript.search_query == "LoginForm"
        assert transcript.cursor is not None
        # the matched message is on screen, terms drawn in the match style
        match = transcript.get_component_rich_style("transcript--match", partial=True)
        assert any(
            seg.style and seg.style.bgcolor == match.bgcolor and seg.text.lower() == "loginform"
            for strip in widget_strips(transcript)
            for seg in strip
        )
        assert len(transcript.matches) >= 3
        await pilot.press("n")
        first_match = transcript.current_match
        assert first_match in transcript.matches
        await pilot.press("n")
        second = transcript.current_match
        assert second is not None and second != first_match
        assert transcript.cursor is not None
        await pilot.press("N")
        assert transcript.current_match == first_match
        assert "match" in transcript.border_subtitle
        # Escape goes back to the hits, Escape again closes the search
        await pilot.press("escape")
        assert hits.has_focus
        await pilot.press("escape")
        assert not search.display
        assert app.screen.query_one(SessionList).display


async def test_search_language_filters_work_live(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"role:tool NEEDLE")
        await wait_for_workers(pilot)
        hits = app.screen.query_one(HitList).hits
        assert hits and all(h.role == "tool" for h in hits)
        assert any("NEEDLE-7f3a9c" in h.snippet for h in hits)
        await pilot.press(*" -NEEDLE")
        await wait_for_workers(pilot)
        assert app.screen.query_one(HitList).hits == []
        assert "no hits" in screen_text(app)
        # a filter that cannot mean anything says why, as the list's filter and the CLI do
        await pilot.press(*" since:banana")
        await wait_for_workers(pilot)
        assert "✗ since:banana is not a date (use 7d" in screen_text(app)
        # a pasted log too long to search says so, at once
        app.screen.query_one("#search-input", Input).value = "NEEDLE " * 700
        await pilot.pause(0.3)  # the search waits for typing to pause
        await wait_for_workers(pilot)
        status = str(app.screen.query_one("#search-status").render())
        assert status.startswith("✗ the query is 4,900 characters long; at most 4,000")


async def test_a_mistyped_filter_is_named_when_there_are_no_hits(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"projet:webapp NEEDLE")
        await wait_for_workers(pilot)
        assert app.screen.query_one(HitList).hits == []
        assert "✗ projet: is not a filter; did you mean" in screen_text(app)


async def test_slash_again_selects_the_last_query_so_typing_replaces_it(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"LoginForm")
        await wait_for_workers(pilot)
        field = app.screen.query_one("#search-input", Input)
        hits = app.screen.query_one(HitList)
        assert hits.hits
        await pilot.press("escape", "slash", *"NEEDLE")  # a new search, typed at once
        await wait_for_workers(pilot)
        assert field.value == "NEEDLE"
        assert any("NEEDLE-7f3a9c" in h.snippet for h in hits.hits)
        await pilot.press("escape", "slash", "end", *" role:tool")  # End keeps it, to refine
        assert field.value == "NEEDLE role:tool"
        await wait_for_workers(pilot)
        await pilot.press("down", "slash", *" -x")  # from the hits, `/` goes back to refine
        assert field.value == "NEEDLE role:tool -x"


async def test_slash_from_a_hit_s_transcript_selects_the_query_to_replace(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"NEEDLE-7f3a9c")
        await wait_for_workers(pilot)
        await pilot.press("enter")  # the hit opens; the hits stay on the left
        await wait_for_workers(pilot)
        assert app.screen.query_one(Transcript).has_focus
        await pilot.press("slash", *"LoginForm")
        field = app.screen.query_one("#search-input", Input)
        assert field.value == "LoginForm"


async def test_hit_in_a_tool_output_opens_with_the_call_expanded(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"NEEDLE-7f3a9c")
        await wait_for_workers(pilot)
        await pilot.press("enter")
        await wait_for_workers(pilot)
        transcript = app.screen.query_one(Transcript)
        text = _text(transcript)
        assert "NEEDLE-7f3a9c: 1,204 duplicate e-mails found" in text  # past the 400-line cut
        assert "lines above" in text or "lines above" in "\n".join(
            s.text for s in transcript.render_message(transcript.cursor[0]).lines
        )
        seq, item, _rendered = transcript.item_at_cursor()
        assert item.kind == "tool" and transcript.is_open(seq, item.block, "tool")


async def test_task_line_opens_the_subagent_and_u_goes_back(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        assert "⤷ open subagent" in _text(transcript)
        while True:
            found = transcript.item_at_cursor()
            assert found is not None
            if found[1].kind == "tool" and found[1].tool_use_id == "toolu_01TaskTests":
                break
            await pilot.press("j")
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert transcript.info is not None
        assert transcript.info.parent_session_id == SESSION_A
        assert transcript.total == 4
        assert "Add tests to src/components/LoginForm" in transcript.border_title
        sessions = app.screen.query_one(SessionList)
        assert sessions.open_id == transcript.session_id
        assert (
            sessions.selected_row() is not None
            and sessions.selected_row().id == transcript.session_id
        )
        await pilot.press("u")
        await wait_for_workers(pilot)
        assert transcript.session_id == SESSION_A
        # the parent has no parent: there `u` is usage, as everywhere else
        await pilot.press("u")
        await wait_for_workers(pilot)
        assert type(app.screen).__name__ == "UsageScreen"


async def test_markup_in_transcripts_shows_literally(tmp_path: Path) -> None:
    path = tmp_path / "markup.db"
    hostile = "Why [red]ERROR[/red] and [link=https://evil.example]click[/link] and [@click=app.quit]quit[/]"
    with store.open(path) as db:
        sid = db.start_session(title="[bold]Markup[/bold] title", source="api", project="/p/[x]")
        db.append(sid, "user", hostile, created_at="2026-10-10T10:00:00Z")
        db.append(
            sid,
            "assistant",
            "Reply: " + hostile + "\n\n<details>html stays</details>",
            created_at="2026-10-10T10:00:05Z",
        )
        db.append(
            sid,
            "assistant",
            [
                {
                    "type": "tool_use",
                    "id": "t1",
                    "name": "Bash",
                    "input": {"command": "echo '[red]x[/red]'"},
                }
            ],
        )
        db.append(
            sid,
            "tool",
            [{"type": "tool_result", "tool_use_id": "t1", "content": "[@click=app.quit]boom[/]"}],
        )
    app = make_app(path)
    async with app.run_test(size=(140, 36)) as pilot:
        transcript = await open_session(pilot, sid)
        await pilot.press("t")
        await wait_for_workers(pilot)
        text = _text(transcript)
        assert "[red]ERROR[/red]" in text
        assert "[link=https://evil.example]click[/link]" in text
        assert "[@click=app.quit]quit[/]" in text
        assert "<details>html stays</details>" in text
        assert "[@click=app.quit]boom[/]" in text
        assert "echo '[red]x[/red]'" in text
        assert "[bold]Markup[/bold] title" in border_text(transcript)
        assert "[bold]Markup[/bold] title" in "\n".join(
            widget_lines(app.screen.query_one(SessionList))
        )
        # nothing carries a link or a click action
        for strip in widget_strips(transcript):
            for seg in strip:
                assert not (seg.style and (seg.style.link or seg.style.meta)), seg
        await pilot.click(Transcript, offset=(20, 3))
        await pilot.pause()
        assert app.is_running


async def test_no_escape_or_control_byte_reaches_the_screen_from_session_a(
    fixture_db: Path,
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        await pilot.press("t", "r")
        await wait_for_workers(pilot)
        seen_bash = False
        # every message, every line, tools and reasoning expanded
        for seq in range(transcript.total):
            rendered = transcript.render_message(seq)
            assert rendered is not None
            for strip in rendered.lines:
                for seg in strip:
                    assert not CONTROL.search(seg.text), (seq, seg.text)
                    assert "\x1b" not in seg.text
                if "owned-title" in strip.text or "rejects empty password" in strip.text:
                    seen_bash = True
        assert seen_bash
        text = "\n".join(
            s.text for seq in range(transcript.total) for s in transcript.render_message(seq).lines
        )
        assert "▣ [image · image/png · " in text  # the screenshot, as a placeholder
        assert "iVBORw0KGgo" not in text  # never its base64
        # and the lines on screen while scrolling through it
        for _ in range(10):
            for strip in widget_strips(transcript):
                assert not CONTROL.search(strip.text)
            await pilot.press("pagedown")
        assert not CONTROL.search(screen_text(app))


async def test_empty_store_shows_what_to_do(tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty.db")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        text = _text(app.screen.query_one(Transcript))
        assert "This store has no sessions yet." in text
        assert "sessionscope import all" in text
        assert "claude-code: ~/.claude/projects" in text and "codex:" in text
        assert app.screen.query_one(SessionList).total == 0


async def test_live_follow_new_session_and_growing_transcript(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    with store.open(path) as writer:
        sid = writer.start_session(
            title="live agent", source="api", started_at="2026-10-12T11:00:00Z"
        )
        writer.append_many(
            sid,
            [
                {
                    "role": "user" if i % 2 == 0 else "assistant",
                    "content": f"line {i} " + "word " * 30,
                    "created_at": "2026-10-12T11:00:00Z",
                }
                for i in range(40)
            ],
        )
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        transcript = await open_session(pilot, sid)
        await pilot.press("G")
        await wait_for_workers(pilot)
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        # another connection (another thread, like an agent) appends while we watch
        with store.open(path) as writer:
            writer.append(sid, "assistant", "FRESH-REPLY from the agent")
            writer.start_session(title="a brand new session", source="api")
        assert await wait_until(pilot, lambda: transcript.total == 41)
        await wait_for_workers(pilot)
        assert "FRESH-REPLY from the agent" in _text(transcript)  # pinned to the bottom
        assert transcript.scroll_y == transcript.max_scroll_y
        sessions = app.screen.query_one(SessionList)
        assert await wait_until(pilot, lambda: sessions.total == 2)
        assert any(sessions.row(i).title == "a brand new session" for i in range(2))
        # a reader scrolled up keeps their place when more arrives
        await pilot.press("g")
        await wait_for_workers(pilot)
        top_before = transcript.scroll_y
        with store.open(path) as writer:
            writer.append(sid, "user", "another one")
        assert await wait_until(pilot, lambda: transcript.total == 42)
        assert transcript.scroll_y == top_before == 0
        assert "line 0" in _text(transcript)


async def test_long_session_end_and_start_are_immediate(tmp_path: Path) -> None:
    path = tmp_path / "long.db"
    with store.open(path) as db:
        sid = db.start_session(title="long one", source="api")
        db.append_many(
            sid,
            [
                {"role": "user" if i % 2 == 0 else "assistant", "content": f"message number {i}"}
                for i in range(5000)
            ],
        )
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        transcript = await open_session(pilot, sid)
        assert len(transcript.window.messages) < 500  # windowed, not the whole session
        await pilot.press("G")
        await wait_for_workers(pilot)
        assert "message number 4999" in _text(transcript)
        assert len(transcript.window.messages) < 500
        await pilot.press("g")
        await wait_for_workers(pilot)
        assert "message number 0" in _text(transcript)
        # jump into the middle through search
        await pilot.press("slash", *'"message number 2500"')
        await wait_for_workers(pilot)
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert "message number 2500" in _text(transcript)
        assert transcript.cursor is not None and transcript.cursor[0] == 2500


async def test_help_screen_and_quit(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "next search match" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_help_scrolls_with_the_browsers_own_keys(fixture_db: Path) -> None:
    """The help is longer than a small terminal: j/k, g/G, space/b move through it as they
    move through the list and the transcript (they did nothing; only arrows and PgUp/PgDn)."""
    app = make_app(fixture_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 10
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y - 1
        await pilot.press("g", "j")
        await pilot.pause()
        assert body.scroll_y == 1
        await pilot.press("space")
        await pilot.pause()
        assert body.scroll_y > 5
        await pilot.press("b")
        await pilot.pause()
        assert body.scroll_y == 1
        assert isinstance(app.screen, HelpScreen)


async def test_help_stands_in_one_column_on_a_narrow_terminal(fixture_db: Path) -> None:
    """At 80 columns two columns wrapped every description into a sliver; one column keeps a
    description on its key's line, and widening the terminal brings the two columns back."""
    app = make_app(fixture_db)
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        assert any("copy the session's id" in line for line in lines)  # whole, on one line
        assert not any("Everywhere" in line and "Transcript" in line for line in lines)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("Everywhere" in line and "Transcript" in line for line in lines)


async def test_sort_and_filter_the_list(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        await pilot.press("s")  # most tokens
        await wait_for_workers(pilot)
        assert sessions.order == "tokens"
        tokens = [sessions.row(i).tokens for i in range(sessions.total)]
        assert tokens == sorted(tokens, reverse=True)
        await pilot.press("f", *"source:codex", "enter")
        await wait_for_workers(pilot)
        assert sessions.total == 1 and sessions.row(0).source == "codex"
        assert "source:codex" in sessions.border_subtitle
        await pilot.press("f")
        await pilot.press(*["backspace"] * 20, "enter")
        await wait_for_workers(pilot)
        assert sessions.total == 4


async def test_small_terminal_still_works(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(80, 24)) as pilot:
        transcript = await open_session(pilot, SESSION_B)
        sessions = app.screen.query_one(SessionList)
        # one pane at a time under 100 columns (tests/tui/test_tui_small_screens.py)
        assert sessions.size.width == 0 and transcript.outer_size.width == 80
        assert "Upgrade React" in transcript.border_title
        assert any(line.strip() for line in widget_lines(transcript))
        text = screen_text(app)
        assert "Search" in text and "Quit" in text


async def test_copy_and_export_the_open_session(
    fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sessionscope.tui.screens.acting.default_export_dir", lambda: tmp_path)
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        found = transcript.item_at_cursor()
        assert found is not None and found[1].kind == "header"
        await pilot.press("y")  # on a message's header: the whole message
        assert app.clipboard.startswith("### ")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # the proposed path
        await wait_for_workers(pilot)
        exported = list(tmp_path.glob("sessionscope-*.md"))
        assert len(exported) == 1
        assert "# Fix login form validation" in exported[0].read_text()


async def test_palette_jumps_to_a_session_by_title(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"upgrade react")
        await wait_for_workers(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert app.screen.query_one(Transcript).session_id == SESSION_B


async def test_readonly_store_opens_with_a_notice(fixture_db: Path) -> None:
    fixture_db.chmod(0o444)
    try:
        app = make_app(fixture_db, readonly=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_workers(pilot)
            sessions = app.screen.query_one(SessionList)
            # the store opens and the list loads in workers: wait for both to show
            await wait_until(pilot, lambda: app.main.db is not None and sessions.total == 4, 10)
            assert app.main.db is not None and app.main.db.readonly
            await wait_until(pilot, lambda: "read-only" in screen_text(app), 10)
            assert "read-only" in screen_text(app)
            assert sessions.total == 4
    finally:
        fixture_db.chmod(0o644)


async def test_experiments_screen_result_filters_the_list(tmp_path: Path) -> None:
    from sessionscope.demo.experiments import populate
    from sessionscope.tui.screens import experiments as experiments_screen

    path = tmp_path / "exp.db"
    with store.open(path) as db:
        ids = populate(db, 1, now="2026-10-12T12:00:00Z")
        experiment_id = ids["experiment_ids"][0]
        expected = len(db.sessions(limit=None, experiment_id=experiment_id, variant="challenger"))
    assert expected
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        everything = sessions.total
        await pilot.press("e")
        await wait_for_workers(pilot)
        assert isinstance(app.screen, experiments_screen.ExperimentsScreen)
        app.screen.dismiss({"experiment_id": experiment_id, "variant": "challenger"})
        await wait_for_workers(pilot)
        assert sessions.total == expected < everything
        assert f"experiment #{experiment_id} · challenger" in sessions.border_subtitle
        # each row and the open transcript's header say which arm the session ran in
        # (the row's cost, right-aligned, may cut the message count at this width)
        assert "webapp · api · challenger · 4 ms" in "\n".join(widget_lines(sessions))
        first = sessions.row(0)
        assert first is not None
        transcript = await open_session(pilot, first.id)
        assert f"experiment #{experiment_id} · challenger" in transcript.border_subtitle


async def test_demo_key_on_an_empty_store_builds_and_opens_the_demo(tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty.db", demo_sessions=3)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert "press d to build a demo store" in _text(app.screen.query_one(Transcript))
        told: list[tuple[str, float | None]] = []
        notify = app.notify

        def record(message: str, **kwargs: Any) -> None:
            told.append((message, kwargs.get("timeout")))
            notify(message, **kwargs)

        app.notify = record  # type: ignore[method-assign]
        await pilot.press("d")
        # the notice stays while it builds (seconds, not the toast's 3) and says where
        message, timeout = told[0]
        assert message == f"Building the demo store in {tmp_path / 'demo.db'}…"
        assert timeout is not None and timeout >= 60
        assert await wait_until(
            pilot, lambda: app.main.db is not None and app.main.db.path.endswith("demo.db"), 60
        )
        await wait_for_workers(pilot)
        assert app.screen.query_one(SessionList).total >= 3
        assert (tmp_path / "empty.db").exists()  # the real store is left alone
        messages = [n.message for n in app._notifications]
        assert not any("Building" in m for m in messages)
        assert any("Demo store written to" in m for m in messages)


async def test_a_stale_search_result_never_replaces_a_newer_one(fixture_db: Path) -> None:
    from sessionscope.tui.messages import HitsLoaded

    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"hello-pangea")
        await wait_for_workers(pilot)
        search = app.screen.query_one(SearchPane)
        hits = app.screen.query_one(HitList)
        newest = list(hits.hits)
        assert newest
        # the result of an earlier keystroke ("h") arrives late: it must be ignored
        search.post_message(HitsLoaded(1, "h", [], 0.5))
        await pilot.pause()
        assert hits.hits == newest
        assert search.query_text == "hello-pangea"


async def test_n_and_N_page_through_thousands_of_matches(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    with store.open(path) as db:
        sid = db.start_session(title="many matches", source="api")
        db.append_many(
            sid,
            [
                {"role": "user" if i % 2 == 0 else "assistant", "content": f"needle number {i}"}
                for i in range(2500)
            ],
        )
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *'"needle number 0"')
        await wait_for_workers(pilot)
        await pilot.press("enter")
        await wait_for_workers(pilot)
        transcript = app.screen.query_one(Transcript)
        assert transcript.cursor is not None and transcript.cursor[0] == 0
        # a broader query: every message matches, more than one page of matches
        transcript.open(sid, seq=0, query="needle")
        await wait_for_workers(pilot)
        assert len(transcript.matches) == 1000 and "match 1/1000+" in transcript.border_subtitle
        await pilot.press("N")  # wrap backwards to the very last match: fetches the rest
        await wait_for_workers(pilot)
        assert transcript.current_match == 2499
        assert len(transcript.matches) == 2500
        assert "match 2500/2500" in transcript.border_subtitle
        assert "needle number 2499" in _text(transcript)
        await pilot.press("n")
        await wait_for_workers(pilot)
        assert transcript.current_match == 0


async def test_hits_load_a_page_at_a_time_as_the_cursor_goes_down(tmp_path: Path) -> None:
    path = tmp_path / "hits.db"
    with store.open(path) as db:
        for n in range(3):
            sid = db.start_session(title=f"session {n}", source="api")
            db.append_many(
                sid, [{"role": "user", "content": f"common word {n}-{i}"} for i in range(60)]
            )
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"common")
        await wait_for_workers(pilot)
        hits = app.screen.query_one(HitList)
        assert len(hits.hits) == 50 and "50+ hits" in screen_text(app)
        await pilot.press("down", "G")  # to the last loaded hit: the next page comes
        await wait_for_workers(pilot)
        assert len(hits.hits) == 100
        await pilot.press("G")
        await wait_for_workers(pilot)
        await pilot.press("G")
        await wait_for_workers(pilot)
        assert len(hits.hits) == 180
        assert "180 hits" in screen_text(app)
        assert len({(h.session_id, h.seq) for h in hits.hits}) == 180  # no page twice


async def test_mouse_opens_sessions_hits_and_tool_calls(fixture_db: Path) -> None:
    from textual import events

    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        row = _open_row(sessions, SESSION_A)
        await pilot.click(SessionList, offset=(8, 1 + row * 2))  # inside the border
        await wait_for_workers(pilot)
        transcript = app.screen.query_one(Transcript)
        assert transcript.session_id == SESSION_A
        # click the Bash line: it unfolds
        y = next(i for i, line in enumerate(widget_lines(transcript)) if "▸ Bash" in line)
        await pilot.click(Transcript, offset=(6, 1 + y))
        await wait_for_workers(pilot)
        assert "rejects empty password" in _text(transcript)
        # the scroll wheel scrolls the transcript
        before = transcript.scroll_y
        for _ in range(5):
            transcript.post_message(
                events.MouseScrollDown(transcript, 10, 5, 0, 1, 0, False, False, False)
            )
        await pilot.pause()
        assert transcript.scroll_y > before
        # a click on a hit opens it
        await pilot.press("slash", *"hello-pangea")
        await wait_for_workers(pilot)
        await pilot.click(HitList, offset=(5, 2))
        await wait_for_workers(pilot)
        assert transcript.session_id != SESSION_A
        assert transcript.search_query == "hello-pangea"


async def test_switching_theme_redraws_the_transcript(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        before = transcript.get_component_rich_style("transcript--user", partial=True)
        app.theme = "textual-light"
        await wait_for_workers(pilot)
        after = transcript.get_component_rich_style("transcript--user", partial=True)
        assert before != after
        assert "Fix login form validation" in transcript.border_title
        assert "▸ Bash  npm test -- LoginForm" in _text(transcript)


@pytest.mark.parametrize("calls_limit", [20_000, 1])
async def test_failed_call_is_marked_in_short_and_very_long_sessions(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch, calls_limit: int
) -> None:
    from sessionscope.tui.transcript.loader import TranscriptLoader

    # with a limit of 1 every session counts as very long: calls come with each window
    monkeypatch.setattr(TranscriptLoader, "calls_limit", calls_limit)
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_B)
        await wait_for_workers(pilot)
        failed = [line for line in _text(transcript).splitlines() if "✗" in line]
        assert failed and "▸ " in failed[0]


async def test_a_newer_search_interrupts_the_running_one(fixture_db: Path) -> None:
    """Typing on while a slow query runs: its SQLite statement stops, the newest hits show."""
    import asyncio
    import threading
    import time as _time

    from sessionscope.store import Interrupted

    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        pane = app.screen.query_one(SearchPane)
        db = pane.db
        assert db is not None
        original = db.search
        calls = {"slow": 0, "at_cancel": 0}
        outcome: list[object] = []
        started = threading.Event()

        def slow(value: int) -> int:
            calls["slow"] += 1
            started.set()
            _time.sleep(0.001)
            return value

        def search(query: str, *args: object, **kwargs: object) -> object:
            if query != "zzslow":
                return original(query, *args, **kwargs)

            def run(conn):  # type: ignore[no-untyped-def]
                conn.create_function("slow", 1, slow)
                sql = (
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                    " WHERE i < 20000) SELECT sum(slow(i)) FROM n"
                )
                return conn.execute(sql).fetchone()

            try:
                db._db.read(run)
            except Interrupted as exc:
                outcome.append(exc)
                raise
            outcome.append("finished")
            return []

        db.search = search  # type: ignore[method-assign]
        await pilot.press("slash", *"zzslow")
        for _ in range(200):
            if started.is_set():
                break
            await asyncio.sleep(0.01)
        assert started.is_set()
        calls["at_cancel"] = calls["slow"]
        await pilot.press(*["backspace"] * 6, *"NEEDLE")
        await wait_for_workers(pilot)
        hits = app.screen.query_one(HitList).hits
        assert any("NEEDLE-7f3a9c" in h.snippet for h in hits)
        assert outcome and isinstance(outcome[0], Interrupted)
        # 20,000 rows of 1 ms each: it stopped long before the end
        assert calls["slow"] - calls["at_cancel"] < 2_000
        assert "cancelled" not in screen_text(app)


async def test_one_hit_is_one_hit(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    with store.open(path) as db:
        db.append(db.start_session(title="one"), "user", "a lonely zebra")
        db.append(db.start_session(title="two"), "user", "a zebra and a zebu")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"lonely zebra")
        await wait_for_workers(pilot)
        assert "1 hit · Enter opens" in screen_text(app)
        app.screen.query_one(SearchPane).query_one(Input).value = "zebra"
        await wait_for_workers(pilot)
        assert "2 hits · Enter opens" in screen_text(app)
