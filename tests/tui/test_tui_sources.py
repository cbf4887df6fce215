"""Every agent in the browser: the demo store's sessions of each source, filtered with
`source:NAME` as a person types it, each source's name drawn in its own colour, readable in a
dark and a light theme."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.color import Color
from tui_support import make_app, wait_for_workers, widget_strips

from sessionscope import store
from sessionscope.demo import build_demo
from sessionscope.tui.contrast import ratio
from sessionscope.tui.format import SOURCE_COLOURS, source_colour
from sessionscope.tui.widgets.session_list import SessionList

NOW = datetime(2026, 9, 21, 12, 0, tzinfo=UTC)
SOURCES = ("gemini", "opencode", "cline", "roo-code", "copilot", "cursor", "aider")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sources") / "demo.db"
    return build_demo(path, seed=3, sessions=40, now=NOW.timestamp())


def _rgb(color: Color) -> tuple[int, int, int]:
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def test_every_builtin_source_has_its_own_colour() -> None:
    builtin = ("claude-code", "codex", *SOURCES)
    assert set(builtin) <= set(SOURCE_COLOURS)
    assert len({SOURCE_COLOURS[s] for s in builtin}) == len(builtin)
    assert source_colour("some-plugin") == source_colour("some-plugin") is not None
    assert source_colour(None) is None


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_source_filter_and_colours_for_each_agent(demo_db: Path, theme: str) -> None:
    with store.open(demo_db, readonly=True) as db:
        wanted = {s: db.count_sessions(source=s, top_level=True) for s in SOURCES}
    assert all(wanted.values()), wanted
    app = make_app(demo_db)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = theme
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        sessions.focus()
        for source in SOURCES:
            await pilot.press("f")
            field = app.screen.query_one("#filter-input")
            field.value = ""
            await pilot.press(*f"source:{source}", "enter")
            await wait_for_workers(pilot)
            assert sessions.total == wanted[source], source
            assert {sessions.row(i).source for i in range(sessions.row_count())} == {source}
            await pilot.press("j")  # the cursor off the first row: its colours are its own
            await wait_for_workers(pilot)
            strips = widget_strips(sessions)
            meta = strips[1]  # the first row's second line: project · source · counts
            drawn = [seg for seg in meta if source in seg.text]
            assert drawn, (source, [seg.text for seg in meta])
            style = drawn[0].style
            assert style is not None and style.color is not None and style.bgcolor is not None
            fg, bg = _rgb(style.color), _rgb(style.bgcolor)
            assert ratio(fg, bg) >= 4.5, (theme, source, fg, bg)
            others = [seg for seg in meta if seg.text.strip() and source not in seg.text]
            assert others and all(seg.style.color != style.color for seg in others), source
