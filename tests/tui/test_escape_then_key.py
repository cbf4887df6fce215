"""Escape then a key typed within the terminal's escape delay arrives as Alt+key: the browser
reads it as the two keys the person pressed (a search box used to take the key as typed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input
from tui_support import import_fixtures, make_app, wait_for_workers

from sessionscope.tui.escapekey import after_escape
from sessionscope.tui.widgets.search_pane import SearchPane
from sessionscope.tui.widgets.session_list import SessionList


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


@pytest.mark.parametrize(
    ("key", "character", "typed"),
    [
        ("alt+q", "q", ("q", "q")),
        ("alt+shift+n", "N", ("N", "N")),  # what Textual's parser makes of Escape, `N`
        ("alt+7", "7", ("7", "7")),
        ("q", "q", None),  # no Escape before it
        ("alt+enter", None, None),
        ("alt+ctrl+x", None, None),
        ("alt+up", None, None),
    ],
)
def test_only_alt_with_a_printable_key_is_split(
    key: str, character: str | None, typed: tuple[str, str] | None
) -> None:
    after = after_escape(events.Key(key, character))
    assert (None if after is None else (after.key, after.character)) == typed


async def test_escape_then_j_fast_closes_the_search_and_moves_the_list(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        start = sessions.cursor
        await pilot.press("slash", *"LoginForm")
        await wait_for_workers(pilot)
        field = app.screen.query_one("#search-input", Input)
        # what the terminal sends for Escape, `j` within ESCDELAY, then one more `j` at once
        app.post_message(events.Key("alt+j", "j"))
        app.post_message(events.Key("j", "j"))
        await pilot.pause(0.3)
        assert field.value == "LoginForm"  # no `j` typed into the query
        assert not app.screen.query_one(SearchPane).display
        assert sessions.cursor == start + 2  # both keys reached the list, in order


async def test_escape_then_q_fast_in_the_search_quits(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"LoginForm")
        await wait_for_workers(pilot)
        app.post_message(events.Key("alt+q", "q"))
        await pilot.pause(0.3)
        assert app.return_code == 0
        assert app.screen.query_one("#search-input", Input).value == "LoginForm"
