"""`u`: the usage screen charts the period and lists it by model and project."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from textual_plotext import PlotextPlot
from tui_support import make_app, wait_for_workers, wait_until

from sessionscope import store
from sessionscope.store.timeutil import now_iso
from sessionscope.tui.screens.usage import UsageScreen


async def test_u_opens_usage_with_figures_and_keys_work(tmp_path: Path) -> None:
    path = tmp_path / "u.db"
    with store.open(path) as db:
        sid = db.start_session(title="t", source="claude-code", project="/p/web")
        db.append(
            sid,
            "assistant",
            "x",
            created_at=now_iso(),
            model="opus",
            input_tokens=1000,
            output_tokens=100,
            cost_usd=2.5,
        )
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("u")
        assert await wait_until(pilot, lambda: isinstance(app.screen, UsageScreen), 5)
        screen = app.screen
        assert await wait_until(pilot, lambda: bool(screen.days), 5)
        title = str(screen.query_one("#usage-title").render())
        assert "1 sessions" in title and "$2.50" in title
        models, projects = list(screen.query(DataTable))
        assert models.row_count == 1 and projects.row_count == 1
        assert "opus" in str(models.get_row_at(0)[0])
        plot = screen.query_one(PlotextPlot)
        await pilot.press("c")  # tokens instead of cost
        assert not screen.show_cost and plot is screen.query_one(PlotextPlot)
        await pilot.press("p")
        assert screen.period == "90d"
        await pilot.press("escape")
        assert not isinstance(app.screen, UsageScreen)
