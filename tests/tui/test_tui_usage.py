"""`u`: the usage screen charts the period and lists it by model and project."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable
from textual_plotext import PlotextPlot
from tui_support import make_app, screen_text, wait_for_workers, wait_until

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


@pytest.mark.parametrize("width", [120, 80])
async def test_the_tables_show_every_figure_whole_at_any_width(tmp_path: Path, width: int) -> None:
    """A long model name is cut, never the figures after it (they used to scroll off the
    table's edge, so $86.36 read as $86); under 100 columns the tables stand one above the
    other."""
    path = tmp_path / "u.db"
    long_model = "a-model-with-a-very-long-name-" + "x" * 40
    with store.open(path) as db:
        for k, (model, cost) in enumerate(((long_model, 86.36), ("opus", 1234.5))):
            sid = db.start_session(title=f"t{k}", project=f"/home/dev/project-{k}-" + "y" * 40)
            db.append(
                sid,
                "assistant",
                "x",
                created_at=now_iso(),
                model=model,
                input_tokens=1000,
                output_tokens=100,
                cost_usd=cost,
            )
    app = make_app(path)
    async with app.run_test(size=(width, 36)) as pilot:
        await wait_for_workers(pilot)
        await pilot.press("u")
        assert await wait_until(pilot, lambda: isinstance(app.screen, UsageScreen), 5)
        screen = app.screen
        assert await wait_until(pilot, lambda: bool(screen.days), 5)
        await pilot.pause()
        text = screen_text(app)
        for figure in ("$86.36", "$1,234"):
            assert text.count(figure) == 2  # on the model's row and on the project's
        assert "a-model-with-a-very-long" in text and long_model not in text  # the name is cut
        models, projects = list(screen.query(DataTable))
        side_by_side = models.region.y == projects.region.y
        assert side_by_side == (width >= 100)


def _title_colours(svg: str, title: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The text and background colours a screenshot draws `title` in."""
    import re

    def rgb(value: str) -> tuple[int, int, int]:
        return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))

    classes = dict(re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-f]{6})", svg))
    found = re.search(
        rf'<text class="(terminal-\d+-r\d+)" x="([\d.]+)" y="([\d.]+)"[^>]*>{re.escape(title)}<',
        svg,
    )
    assert found, title
    x, y = float(found[2]) + 2, float(found[3]) - 10
    rects = re.findall(
        r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"',
        svg,
    )
    for fill, left, top, width, height in rects:
        inside_x = float(left) <= x <= float(left) + float(width)
        if inside_x and float(top) <= y <= float(top) + float(height):
            return rgb(classes[found[1]]), rgb(fill)
    raise AssertionError(f"no background under {title!r}")


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_tables_titles_read(tmp_path: Path, theme: str) -> None:
    # `model` and `project` over the tables were drawn in the border's dark blue (2:1 on a dark
    # theme's background)
    from sessionscope.tui.contrast import ratio

    path = tmp_path / "u.db"
    with store.open(path) as db:
        sid = db.start_session(title="t", source="claude-code", project="/p/web")
        db.append(sid, "assistant", "x", created_at=now_iso(), model="opus", cost_usd=1.0)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = theme
        await wait_for_workers(pilot)
        await pilot.press("u")
        assert await wait_until(pilot, lambda: isinstance(app.screen, UsageScreen), 5)
        assert await wait_until(pilot, lambda: bool(app.screen.days), 5)  # type: ignore[attr-defined]
        await pilot.pause()
        svg = app.export_screenshot()
        for title in ("&#160;model&#160;", "&#160;project&#160;"):
            fg, bg = _title_colours(svg, title)
            assert ratio(fg, bg) >= 4.5, (theme, title, fg, bg)
