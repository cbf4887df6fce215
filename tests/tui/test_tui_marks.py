"""Pins, tags and notes in the browser (issue 14 item 5): `b`, `#` and `N` pressed as a person
would, what the list and the transcript header show, `tag:` and `is:pinned` in the list filter
and in search, and hostile tags and notes shown as inert text."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from tui_support import (
    CONTROL,
    SESSION_A,
    SESSION_B,
    SESSION_C,
    border_text,
    import_fixtures,
    make_app,
    open_session,
    screen_text,
    wait_for_workers,
    wait_until,
    widget_lines,
)

from sessionscope import store
from sessionscope.tui.screens.mark_editor import MarkEditor
from sessionscope.tui.widgets.search_pane import HitList, SearchPane
from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


def _select(app, session_id: str) -> SessionList:  # type: ignore[no-untyped-def]
    sessions = app.screen.query_one(SessionList)
    sessions.focus()
    index = sessions.index_of(session_id)
    assert index is not None
    sessions.move_cursor(index)
    return sessions


async def _type_into_editor(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    assert await wait_until(pilot, lambda: isinstance(app.screen, MarkEditor))
    field = app.screen.query_one("#mark-input", Input)
    field.value = ""
    await pilot.press(*text)  # typed, key by key
    await pilot.press("enter")
    await wait_for_workers(pilot)


async def test_b_pins_and_the_pinned_session_comes_first(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        last = sessions.row(sessions.total - 1)
        assert last is not None and sessions.total > 1
        _select(app, last.id)
        await pilot.press("b")
        assert await wait_until(pilot, lambda: sessions.row(0).id == last.id)  # type: ignore[union-attr]
        assert sessions.row(sessions.cursor).id == last.id  # type: ignore[union-attr]
        assert "★ " + last.title[:10] in widget_lines(sessions)[0]
        with store.open(fixture_db) as db:
            assert db.session(last.id).pinned  # type: ignore[union-attr]
        await pilot.press("b")  # and off again: back in its place
        assert await wait_until(pilot, lambda: sessions.row(sessions.total - 1).id == last.id)  # type: ignore[union-attr]
        with store.open(fixture_db) as db:
            assert not db.session(last.id).pinned  # type: ignore[union-attr]
        assert not any("★" in line for line in widget_lines(sessions))


async def test_hash_edits_tags_prefilled_and_minus_removes(fixture_db: Path) -> None:
    with store.open(fixture_db) as db:
        db.tag(SESSION_A, "old", "keep")
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        _select(app, SESSION_A)
        await pilot.press("number_sign")
        assert await wait_until(pilot, lambda: isinstance(app.screen, MarkEditor))
        field = app.screen.query_one("#mark-input", Input)
        assert field.value == "keep old"  # prefilled with what the session holds
        await pilot.press("end", *" Flaky,CI -old")
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert not isinstance(app.screen, MarkEditor)
        with store.open(fixture_db) as db:
            assert db.tags(SESSION_A) == ["ci", "flaky", "keep"]
        sessions = app.screen.query_one(SessionList)
        assert await wait_until(
            pilot, lambda: any("#ci #flaky #keep" in x for x in widget_lines(sessions))
        )


async def test_a_bad_tag_keeps_the_editor_open_with_the_reason(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        _select(app, SESSION_A)
        await pilot.press("number_sign")
        await _type_into_editor(pilot, "ok bad;tag")
        assert isinstance(app.screen, MarkEditor)  # still open
        assert "must start with a letter" in screen_text(app)
        await pilot.press("escape")  # nothing saved
        await wait_for_workers(pilot)
        with store.open(fixture_db) as db:
            assert db.tags(SESSION_A) == []


async def test_capital_n_attaches_a_note_shown_in_the_list_and_transcript(
    fixture_db: Path,
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        _select(app, SESSION_B)
        await pilot.press("N")
        await _type_into_editor(pilot, "flaky on CI")
        with store.open(fixture_db) as db:
            assert db.session(SESSION_B).note == "flaky on CI"  # type: ignore[union-attr]
        sessions = app.screen.query_one(SessionList)
        assert await wait_until(
            pilot, lambda: any("✎ flaky on CI" in x for x in widget_lines(sessions))
        )
        transcript = await open_session(pilot, SESSION_B)
        assert "✎ flaky on CI" in border_text(transcript, "subtitle")
        # `#` works from the transcript too; the header follows
        await pilot.press("number_sign")
        await _type_into_editor(pilot, "later")
        assert await wait_until(pilot, lambda: "#later" in border_text(transcript, "subtitle"))
        # and N there is still the previous match (no note editor)
        await pilot.press("N")
        await wait_for_workers(pilot)
        assert not isinstance(app.screen, MarkEditor)
        # the palette pins from anywhere
        await pilot.press("ctrl+p")
        await pilot.press(*"Pin or unpin")
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert await wait_until(pilot, lambda: border_text(transcript).startswith("★ "))


async def test_list_filter_and_search_understand_tag_and_is_pinned(fixture_db: Path) -> None:
    with store.open(fixture_db) as db:
        db.tag(SESSION_A, "flaky")
        db.pin(SESSION_C)
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        await pilot.press("f", *"tag:FLAKY", "enter")
        await wait_for_workers(pilot)
        assert sessions.total == 1 and sessions.row(0).id == SESSION_A  # type: ignore[union-attr]
        assert "tag:flaky" in screen_text(app)  # the chip
        await pilot.press("f")
        app.screen.query_one("#filter-input", Input).value = ""
        await pilot.press(*"is:pinned", "enter")
        await wait_for_workers(pilot)
        assert sessions.total == 1 and sessions.row(0).id == SESSION_C  # type: ignore[union-attr]
        await pilot.press("escape")
        await wait_for_workers(pilot)
        await pilot.press("slash", *"tag:flaky ")
        pane = app.screen.query_one(SearchPane)
        hits = pane.query_one(HitList)
        assert await wait_until(pilot, lambda: bool(hits.hits))
        assert {h.session_id for h in hits.hits} == {SESSION_A}
        pane.set_query("is:pinned ")
        assert await wait_until(
            pilot, lambda: bool(hits.hits) and {h.session_id for h in hits.hits} == {SESSION_C}
        )
        # `#` on a hit edits that hit's session
        hits.focus()
        await pilot.press("number_sign")
        await _type_into_editor(pilot, "from-search")
        with store.open(fixture_db) as db:
            assert db.tags(SESSION_C) == ["from-search"]


async def test_b_and_capital_n_on_a_hit_mark_that_hit_s_session(fixture_db: Path) -> None:
    with store.open(fixture_db) as db:
        db.tag(SESSION_A, "flaky")
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"tag:flaky ")
        hits = app.screen.query_one(HitList)
        assert await wait_until(pilot, lambda: bool(hits.hits))
        await pilot.press("down")  # to the hits, as a person does
        assert hits.has_focus
        await pilot.press("b")
        await wait_for_workers(pilot)
        with store.open(fixture_db) as db:
            assert db.session(SESSION_A).pinned  # type: ignore[union-attr]
        await pilot.press("N")
        await _type_into_editor(pilot, "seen in search")
        with store.open(fixture_db) as db:
            assert db.session(SESSION_A).note == "seen in search"  # type: ignore[union-attr]
            assert not any(db.session(s).pinned for s in (SESSION_B, SESSION_C))  # type: ignore[union-attr]


async def test_hostile_tags_and_notes_are_shown_inert(tmp_path: Path) -> None:
    path = tmp_path / "hostile.db"
    evil = "[bold red]x[/] \x1b]52;c;aGk=\x07\x1b[2J\u202e"
    with store.open(path) as db:
        sid = db.start_session(title="victim", id="hostile-0001")
        db.append(sid, "user", "hello")
        db.set_note(sid, f"note {evil} [@click=app.quit]go[/]")
        with db.writing() as conn:  # a tag no check would let in, written by another program
            conn.execute(
                "INSERT INTO session_tags (session_id, tag, created_at) VALUES (?, ?, '')",
                (sid, f"t{evil}"),
            )
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        lines = widget_lines(app.screen.query_one(SessionList))
        assert any("[bold red]x[/]" in x for x in lines)  # markup shown as written
        assert not any(CONTROL.search(x) or "\u202e" in x for x in lines)
        transcript = await open_session(pilot, sid)
        subtitle = border_text(transcript, "subtitle")
        assert "[@click=app.quit]go[/]" in subtitle and not CONTROL.search(subtitle)
        assert app.is_running  # nothing was run by the note's "link"
        assert isinstance(app.screen.query_one(Transcript), Transcript)
