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
