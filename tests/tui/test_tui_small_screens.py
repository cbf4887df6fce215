"""Small screens: under 100 columns one pane at a time (the list or the search, or the
transcript), the hit under the cursor previewed, and the experiments tables keeping `P(better)`
and `Decision` on screen. Pilot at 80x24 and 120x36 asserts what a person sees; snapshots at
80x24 on purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input
from tui_support import (
    SESSION_A,
    import_fixtures,
    make_app,
    screen_text,
    wait_for_workers,
    wait_until,
    widget_lines,
)

from sessionscope.store import Store
from sessionscope.tui.screens.experiments import ExperimentsScreen
from sessionscope.tui.widgets.hit_preview import HitPreview
from sessionscope.tui.widgets.search_pane import HitList, SearchPane
from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript

NARROW, WIDE = (80, 24), (120, 36)
LONG_TITLE = "Add rate limiting to the /login endpoint: at most 5 attempts per minute per IP."


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


def _shown(widget: Any) -> bool:
    """On screen: it and every container around it displayed (the computed `display`)."""
    return all(node.display for node in widget.ancestors_with_self if hasattr(node, "display"))


async def test_narrow_list_then_transcript_then_back(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=NARROW) as pilot:
        await wait_for_workers(pilot)
        screen = app.screen
        sessions, transcript = screen.query_one(SessionList), screen.query_one(Transcript)
        assert screen.has_class("-narrow")
        assert sessions.outer_size.width == 80 and not _shown(transcript)
        assert "Fix login form validation" in "\n".join(widget_lines(sessions))
        sessions.move_cursor(sessions.index_of(SESSION_A))
        await pilot.press("enter")
        await wait_for_workers(pilot)
        # the transcript takes the whole width, the list steps aside
        assert transcript.outer_size.width == 80 and not _shown(sessions)
        assert transcript.has_focus and transcript.session_id == SESSION_A
        assert "Fix login form validation" in screen_text(app)
        await pilot.press("escape")
        await wait_for_workers(pilot)
        assert sessions.outer_size.width == 80 and sessions.has_focus and not _shown(transcript)
        assert sessions.open_id == SESSION_A  # the place is kept


async def test_narrow_tab_switches_between_the_list_and_the_open_transcript(
    fixture_db: Path,
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=NARROW) as pilot:
        await wait_for_workers(pilot)
        sessions, transcript = app.screen.query_one(SessionList), app.screen.query_one(Transcript)
        await pilot.press("tab")  # nothing open yet: it says what to do
        assert sessions.has_focus and any(
            "Open a session first" in n.message for n in app._notifications
        )
        sessions.move_cursor(sessions.index_of(SESSION_A))
        await pilot.press("enter", "escape")
        await wait_for_workers(pilot)
        assert sessions.has_focus and not _shown(transcript)
        await pilot.press("tab")
        assert transcript.has_focus and _shown(transcript) and not _shown(sessions)
        await pilot.press("shift+tab")
        assert sessions.has_focus and _shown(sessions) and not _shown(transcript)
        await pilot.press("slash", *"LoginForm")  # in the search, Tab goes to the hits
        await wait_for_workers(pilot)
        await pilot.press("tab")
        assert app.screen.query_one(HitList).has_focus and not _shown(transcript)
        await pilot.press("z")  # one pane is all a narrow screen shows: it says so
        assert any("one pane at a time" in n.message for n in app._notifications)


async def test_narrow_search_previews_the_hit_and_escape_returns_to_it(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=NARROW) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("slash", *"rate limiting")
        screen = app.screen
        hits = screen.query_one(HitList)
        assert await wait_until(pilot, lambda: bool(hits.hits))
        assert hits.outer_size.width == 80
        # the hit's title is not squeezed to a few characters: the row shows all of it
        assert LONG_TITLE[:60] in widget_lines(hits)[0]
        preview = screen.query_one(HitPreview)
        assert await wait_until(pilot, lambda: preview.text is not None)
        shown = " ".join(screen_text(app).split())
        assert "per minute per IP." in shown  # the whole title, in the preview (wrapped)
        assert preview.hit is not None and f"#{preview.hit.seq}" in str(preview.render())
        first = preview.hit
        if len(hits.hits) > 1:  # the preview follows the cursor
            await pilot.press("down", "down")
            assert await wait_until(pilot, lambda: preview.hit is not first)
        await pilot.press("enter")
        await wait_for_workers(pilot)
        transcript = screen.query_one(Transcript)
        assert transcript.outer_size.width == 80 and not _shown(hits)
        await pilot.press("escape")
        await wait_for_workers(pilot)
        assert hits.has_focus and hits.outer_size.width == 80 and not _shown(transcript)
        assert screen.query_one(SearchPane).query_one(Input).value == "rate limiting"


async def test_wide_keeps_both_panes_and_no_preview(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_workers(pilot)
        screen = app.screen
        sessions, transcript = screen.query_one(SessionList), screen.query_one(Transcript)
        assert not screen.has_class("-narrow")
        sessions.move_cursor(sessions.index_of(SESSION_A))
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert _shown(sessions) and _shown(transcript)
        assert sessions.outer_size.width + transcript.outer_size.width == 120
        await pilot.press("slash", *"login")
        assert await wait_until(pilot, lambda: bool(screen.query_one(HitList).hits))
        assert not _shown(screen.query_one(HitPreview)) and _shown(transcript)
        # narrowing the terminal switches to one pane; widening it back shows both again
        await pilot.resize_terminal(80, 24)
        await wait_for_workers(pilot)
        assert screen.has_class("-narrow") and not _shown(transcript)
        await pilot.resize_terminal(*WIDE)
        await wait_for_workers(pilot)
        assert not screen.has_class("-narrow") and _shown(transcript)


async def test_z_gives_one_pane_at_a_time_on_a_wide_screen(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_workers(pilot)
        screen = app.screen
        sessions, transcript = screen.query_one(SessionList), screen.query_one(Transcript)
        await pilot.press("z")
        await pilot.pause()
        assert sessions.outer_size.width == 120 and not _shown(transcript)
        sessions.move_cursor(sessions.index_of(SESSION_A))
        await pilot.press("enter")
        await wait_for_workers(pilot)
        assert transcript.outer_size.width == 120 and not _shown(sessions)
        await pilot.press("escape")
        await pilot.pause()
        assert sessions.has_focus and not _shown(transcript)
        await pilot.press("z")  # both panes again, the open session beside the list
        await pilot.pause()
        assert _shown(sessions) and _shown(transcript) and transcript.session_id == SESSION_A
        assert sessions.outer_size.width + transcript.outer_size.width == 120


async def test_header_keeps_sessions_and_cost_at_80_columns(tmp_path: Path) -> None:
    from test_tui_cost import _cost_store

    app = make_app(_cost_store(tmp_path / "c.db"))
    async with app.run_test(size=NARROW) as pilot:
        await wait_for_workers(pilot)
        header = str(app.screen.query_one("#header").render())
        # the messages and tokens give way; the sessions and what they cost stay
        assert "4 sessions" in header and "$3.35" in header and len(header) <= 80, header


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_experiments_keep_p_better_and_decision_visible(
    db: Store, size: tuple[int, int]
) -> None:
    from test_tui_experiments import ScreenApp, _loaded, build

    build(db)
    app = ScreenApp(db)
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentsScreen)
        for table_id in ("#exp-projects", "#exp-arms"):
            table = screen.query_one(table_id, DataTable)
            shown = table.size.width
            columns = list(table.columns.values())
            labels = [c.label.plain for c in columns]
            assert "P(better)" in labels and "Decision" in labels
            # every column ends on screen (content width plus the cell padding)
            right = sum(c.get_render_width(table) for c in columns)
            assert right <= shown, (table_id, right, shown, labels)
            if size == WIDE:
                assert ("Champion" if table_id == "#exp-projects" else "Config") in labels
        text = screen_text(app)
        assert "P(better)" in text and "need-more-data" in text and "promote" in text


# -- snapshots at 80x24, on purpose: what a small terminal shows ---------------------------------


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


def test_snapshot_narrow_list(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(snapshot_db), terminal_size=NARROW, run_before=_ready)


def test_snapshot_narrow_transcript(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _ready(pilot)
        sessions = pilot.app.screen.query_one(SessionList)
        sessions.move_cursor(sessions.index_of(SESSION_A))
        await pilot.press("enter")
        await _ready(pilot)

    assert snap_compare(make_app(snapshot_db), terminal_size=NARROW, run_before=run_before)


def test_snapshot_narrow_search_preview(snap_compare, snapshot_db: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _ready(pilot)
        await pilot.press("slash", *"login")
        await wait_until(pilot, lambda: bool(pilot.app.screen.query_one(HitList).hits))
        await pilot.press("down", "down")
        preview = pilot.app.screen.query_one(HitPreview)
        await wait_until(pilot, lambda: preview.text is not None)
        await _ready(pilot)

    assert snap_compare(make_app(snapshot_db), terminal_size=NARROW, run_before=run_before)


def test_snapshot_narrow_experiments(db: Store, snap_compare) -> None:  # type: ignore[no-untyped-def]
    from test_tui_experiments import ScreenApp, _loaded, build

    build(db)
    assert snap_compare(ScreenApp(db), terminal_size=NARROW, run_before=_loaded)


async def test_narrow_back_from_a_hit_shows_the_list_cursor_on_that_session(
    tmp_path: Path,
) -> None:
    # the list follows the session a hit opened while the transcript hides it; back on the
    # list (Escape twice), the cursor's row is on screen, not scrolled off above the top
    path = tmp_path / "many.db"
    with Store(path) as db:
        for n in range(40):
            sid = db.start_session(
                id=f"s-{n:02d}", title=f"session {n:02d}", started_at=f"2026-10-{1 + n % 28:02d}"
            )
            word = "needle" if n == 38 else "hay"
            db.append(sid, "user", f"{word} {n}", created_at=f"2026-11-01T00:{n:02d}:00Z")
    app = make_app(path)
    async with app.run_test(size=NARROW) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        assert sessions.row(1).id == "s-38"  # type: ignore[union-attr]
        await pilot.press("slash", *"needle")
        assert await wait_until(pilot, lambda: bool(app.screen.query_one(HitList).hits))
        await pilot.press("down", "enter")
        await wait_for_workers(pilot)
        assert app.screen.query_one(Transcript).session_id == "s-38"
        await pilot.press("escape", "escape")
        await wait_for_workers(pilot)
        assert sessions.has_focus and sessions.row(sessions.cursor).id == "s-38"  # type: ignore[union-attr]
        assert "session 38" in "\n".join(widget_lines(sessions))
