"""The browser does at start only what its first frame needs, and redraws only what changed
(issue 17 item 3, issue 12 item 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer
from tui_support import import_fixtures, make_app, wait_for_workers

from sessionscope.tui.widgets.footer import KeyFooter
from sessionscope.tui.widgets.search_pane import SearchPane
from sessionscope.tui.widgets.session_list import SessionList


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


async def test_the_first_page_comes_with_the_open_store(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No second worker round trip for the first page; a sort still fetches its own."""
    fetched: list[int] = []
    original = SessionList._fetch

    def counting(self: SessionList, page: int, generation: int) -> None:
        fetched.append(page)
        original(self, page, generation)

    monkeypatch.setattr(SessionList, "_fetch", counting)
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        assert sessions.loaded and sessions.total == 4
        assert sessions.row(0).title.startswith("Deduplicate customer records")
        assert fetched == []
        await pilot.press("s")
        await wait_for_workers(pilot)
        assert sessions.order == "tokens" and fetched == [0]
        tokens = [sessions.row(i).tokens for i in range(sessions.row_count())]
        assert tokens == sorted(tokens, reverse=True)


async def test_the_key_bar_is_rebuilt_only_when_its_keys_change(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt: list[int] = []
    original = Footer.recompose

    async def counting(self: Footer) -> None:
        rebuilt.append(1)
        await original(self)

    monkeypatch.setattr(Footer, "recompose", counting)
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        footer = app.screen.query_one(KeyFooter)
        before = len(rebuilt)
        for _ in range(3):
            app.screen.refresh_bindings()  # nothing changed: no rebuild
            await pilot.pause()
        assert len(rebuilt) == before

        def shown() -> str:
            return " ".join(str(key.render()) for key in footer.query("FooterKey") if key.display)

        list_keys = shown()
        kept = set(footer.query("FooterKey"))
        await pilot.press("slash")  # the search pane's keys replace the list's
        await wait_for_workers(pilot)
        assert app.screen.query_one(SearchPane).display
        # relabelled in place (issue 12 item 9): no key removed, no recompose
        assert shown() != list_keys and "Sort" not in shown()
        assert kept <= set(footer.query("FooterKey")) and len(rebuilt) == before
        await pilot.press("escape")
        await wait_for_workers(pilot)
        assert shown() == list_keys
        assert "Sort" in shown() and "Search" in shown()


async def test_young_collections_are_rarer_while_the_browser_runs(fixture_db: Path) -> None:
    """The GC's young threshold is raised while the browser runs, start-up's objects frozen once
    the first page is drawn; both undone after it."""
    import gc

    from sessionscope.tui.gcpause import YOUNG_THRESHOLD

    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        app = make_app(fixture_db)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_workers(pilot)
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD
            await pilot.pause()
            assert gc.get_freeze_count() > 0  # start-up's objects, out of the way
            await pilot.press("slash", *"deploy")  # still working with it
            await wait_for_workers(pilot)
            assert app.screen.query_one(SearchPane).display
        assert gc.get_threshold() == (700, *before[1:]) and gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*before)


async def test_a_store_opened_by_the_command_line_is_drawn_in_the_first_frame(
    fixture_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sessionscope browse` opens the store and reads the first page before the screen opens
    (`tui.opening`): the list's first drawn lines hold the sessions, no open worker runs, and
    the hidden filter input, chips and search pane are not in that frame (mounted after it)."""
    from sessionscope.tui.browsing import Browsing
    from sessionscope.tui.opening import Opening

    opened_in_worker: list[str | None] = []
    monkeypatch.setattr(
        Browsing, "_open_store", lambda self, path, opening=None: opened_in_worker.append(path)
    )
    first_drawn: list[tuple[bool, int]] = []
    original = SessionList.render_line

    def recording(self: SessionList, y: int) -> object:
        if not first_drawn:
            first_drawn.append((self.loaded, len(self.screen.query("#search, #filter-input"))))
        return original(self, y)

    monkeypatch.setattr(SessionList, "render_line", recording)
    opening = Opening(str(fixture_db))
    opening.wait()
    app = make_app(fixture_db, opening=opening)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert first_drawn == [(True, 0)]
        assert opened_in_worker == []
        sessions = app.screen.query_one(SessionList)
        assert sessions.row(0).title.startswith("Deduplicate customer records")
        assert len(app.screen.query("#search, #filter-input, #filter-chips")) == 3  # after it
        assert app.screen.query_one("#filter-chips").display is False


async def test_a_store_that_failed_to_open_says_so_in_the_first_frame(tmp_path: Path) -> None:
    from sessionscope.tui.opening import Opening
    from sessionscope.tui.widgets.header import AppHeader

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a store" * 100)
    opening = Opening(str(junk))
    app = make_app(junk, opening=opening)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert opening.done
        assert app.screen.query_one(AppHeader).state == "failed"


@pytest.mark.parametrize(("key", "field"), [("slash", "#search-input"), ("f", "#filter-input")])
async def test_keys_typed_at_once_land_in_a_pane_mounted_on_demand(
    fixture_db: Path, key: str, field: str
) -> None:
    """`/` or `f` pressed before the hidden panes are mounted mounts them first: what is typed
    right after lands in the input."""
    from textual.widgets import Input

    from sessionscope.tui.opening import Opening

    opening = Opening(str(fixture_db))
    opening.wait()
    app = make_app(fixture_db, opening=opening)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(key, *"deploy")
        await wait_for_workers(pilot)
        assert app.screen.query_one(field, Input).value == "deploy"
        assert app.focused is app.screen.query_one(field)


async def test_collection_paused_by_the_command_line_resumes_after_the_first_frame(
    fixture_db: Path,
) -> None:
    """`sessionscope browse` turns garbage collection off before its imports (`gcpause.pause`);
    the app turns it on again once its first frame is drawn, and it is on after the browser
    quits whatever happened."""
    import gc

    from sessionscope.tui import gcpause

    assert gc.isenabled()
    gcpause.pause()
    try:
        assert not gc.isenabled()
        app = make_app(fixture_db)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for_workers(pilot)
            assert gc.isenabled()
    finally:
        gcpause.resume()
    assert gc.isenabled()
    gc.disable()  # off by someone else: pause and resume leave it off
    try:
        gcpause.pause()
        gcpause.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()
