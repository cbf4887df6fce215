"""Snapshots of the browser (pytest-textual-snapshot): fixed data, fixed clock, 120x36.

Regenerate with `pytest tests/test_tui_snapshots.py --snapshot-update` and look at the SVGs in
tests/__snapshots__/test_tui_snapshots/ before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from tui_support import SESSION_A, import_fixtures, make_app, wait_for_workers

from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript

SIZE = (120, 36)


@pytest.fixture
def snapshot_db(tmp_path: Path, fixture_tree: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fixture store under a stable relative name (the header shows the path)."""
    import_fixtures(tmp_path / "fixtures.db", fixture_tree)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return "fixtures.db"


async def _ready(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_workers(pilot)
    for field in pilot.app.query(Input):
        field.cursor_blink = False
    pilot.app.clear_notifications()


async def _open_a(pilot) -> Transcript:  # type: ignore[no-untyped-def]
    await _ready(pilot)
    sessions = pilot.app.screen.query_one(SessionList)
    sessions.move_cursor(sessions.index_of(SESSION_A))
    await pilot.press("enter")
    await wait_for_workers(pilot)
    return pilot.app.screen.query_one(Transcript)


def test_main_screen(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_a(pilot)
        await pilot.press("j", "j")
        await _ready(pilot)

    assert snap_compare(make_app(snapshot_db), terminal_size=SIZE, run_before=run_before)


def test_search_with_hits(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _ready(pilot)
        await pilot.press("slash", *"login")
        await wait_for_workers(pilot)
        await pilot.press("down", "down", "enter")
        await wait_for_workers(pilot)
        await pilot.press("escape")
        await _ready(pilot)

    assert snap_compare(make_app(snapshot_db), terminal_size=SIZE, run_before=run_before)


def test_expanded_tool_call(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        transcript = await _open_a(pilot)
        while True:
            found = transcript.item_at_cursor()
            if found is not None and found[1].tool_use_id == "toolu_01BashNpmTest":
                break
            await pilot.press("j")
        await pilot.press("enter")
        await _ready(pilot)

    assert snap_compare(make_app(snapshot_db), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _ready(pilot)
        await pilot.press("question_mark")
        await _ready(pilot)

    assert snap_compare(make_app(snapshot_db), terminal_size=SIZE, run_before=run_before)
