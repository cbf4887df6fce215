"""The experiments screen: a snapshot on fixed data, arm selection, refresh and inert text."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sessionscope.store import Store
from sessionscope.tui.screens.experiments import (
    ExperimentsScreen,
    bar,
    sparkline,
    win_rate_trend,
)

UNSET = object()


class ScreenApp(App[None]):
    """The smallest app that shows the screen and keeps what it was dismissed with."""

    def __init__(self, db: Store) -> None:
        super().__init__()
        self.db = db
        self.result: Any = UNSET

    def on_mount(self) -> None:
        self.push_screen(ExperimentsScreen(self.db, poll=False), self._done)

    def _done(self, result: Any) -> None:
        self.result = result


def _sessions(db: Store, pid: int, eid: int, variant: str, outcomes: str, day: int) -> None:
    """One session per character: W a win, L a loss, . no signal yet (fixed times)."""
    for n, outcome in enumerate(outcomes):
        sid = db.start_session(
            title=f"{variant} {n}",
            source="api",
            project=pid,
            experiment_id=eid,
            variant=variant,
            id=f"{eid}-{variant}-{day}-{n:03d}",
            started_at=f"2026-10-{day:02d}T{8 + n // 6:02d}:{(n % 6) * 10:02d}:00Z",
        )
        if outcome == "W":
            db.record_signal(sid, "explicit", "thumbs", 1.0)
        elif outcome == "L":
            db.record_signal(sid, "explicit", "thumbs", 0.0)
            db.record_signal(sid, "implicit", "tests_passed", 1.0)


def build(db: Store) -> dict[str, int]:
    """Two projects with experiments and one without, all at fixed times."""
    web = db.create_project("webapp", root_path="/home/dev/webapp", adapter="claude-code")
    base = db.add_config(web, {"name": "baseline", "model_pref": "sonnet"}, role="champion")
    plan = db.add_config(web, {"name": "plan-first", "model_pref": "sonnet", "temperature": 0.3})
    first = db.start_experiment(web, plan, 0.5, started_at="2026-09-01T09:00:00Z")
    _sessions(db, web, first, "champion", "WLLWLLWLWLLWLLWLLWLWLLWL", 2)
    _sessions(db, web, first, "challenger", "WWLWWWWLWWWWWLWWWWWLWWWW", 3)
    db.promote(first, decided_at="2026-09-20T17:00:00Z")
    tests = db.add_config(web, {"name": "tests-first", "model_pref": "opus"})
    second = db.start_experiment(web, tests, 0.4, started_at="2026-10-01T09:00:00Z")
    _sessions(db, web, second, "champion", "WLWWLW.WLW..", 4)
    _sessions(db, web, second, "challenger", "WWLWW.W", 5)

    hostile = db.create_project("[b]evil[/b] \x1b]0;pwned\x07proj", root_path="/tmp/[red]x")
    db.add_config(hostile, {"name": "[link=x]y[/link]"}, role="champion")

    db.create_project("data-pipeline", root_path="/home/dev/data-pipeline", adapter="codex")
    return {
        "web": web,
        "first": first,
        "second": second,
        "hostile": hostile,
        "base": base,
        "plan": plan,
        "tests": tests,
    }


async def _loaded(pilot: Pilot) -> None:
    """Wait until the screen's workers are done and what they posted is drawn."""
    for _ in range(20):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        screen = pilot.app.screen
        if (
            isinstance(screen, ExperimentsScreen)
            and screen.query_one("#exp-projects", DataTable).row_count
        ):
            break
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


def test_experiments_screen_snapshot(db: Store, snap_compare) -> None:
    build(db)
    assert snap_compare(ScreenApp(db), terminal_size=(120, 36), run_before=_loaded)


async def test_selecting_an_arm_returns_its_session_filter(db: Store) -> None:
    ids = build(db)
    app = ScreenApp(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentsScreen)
        projects = screen.query_one("#exp-projects", DataTable)
        arms = screen.query_one("#exp-arms", DataTable)
        # projects by name; the cursor starts on webapp, the one with a running experiment
        names = [projects.get_row_at(i)[0].plain for i in range(projects.row_count)]
        assert names == ["[b]evil[/b] proj", "data-pipeline", "webapp"]
        assert projects.cursor_row == 2 and projects.has_focus
        await pilot.press("up")
        await pilot.pause()
        assert arms.row_count == 0  # data-pipeline has no experiments
        await pilot.press("down")
        await pilot.pause()
        assert arms.row_count == 4  # two experiments, two arms each
        await pilot.press("tab", "down", "enter")
        await pilot.pause()
    assert app.result == {"experiment_id": ids["second"], "variant": "challenger"}
    assert app.db.sessions(**app.result) != []


async def test_enter_on_a_project_then_on_the_older_experiment(db: Store) -> None:
    ids = build(db)
    app = ScreenApp(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        screen = app.screen
        await pilot.press("enter")  # on the webapp project: focuses its arms
        await pilot.pause()
        assert screen.query_one("#exp-arms", DataTable).has_focus
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    assert app.result == {"experiment_id": ids["first"], "variant": "champion"}


async def test_escape_dismisses_without_a_filter(db: Store) -> None:
    build(db)
    app = ScreenApp(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_store_text_is_shown_literally(db: Store) -> None:
    build(db)
    app = ScreenApp(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        projects = app.screen.query_one("#exp-projects", DataTable)
        row = projects.get_row_at(0)
        assert all(isinstance(cell, Text) for cell in row)
        assert row[0].plain == "[b]evil[/b] proj"  # escape sequence gone, markup kept as text
        assert row[1].plain == "#4 [link=x]y[/li…"  # cut to 14, still literal
        assert projects.cursor_row == 2  # starts on the project with a running experiment
        await pilot.press("up", "up")
        await pilot.pause()
        detail = app.screen.query_one("#exp-detail", Static)
        rendered = detail.render()
        assert "[b]evil[/b] proj" in str(rendered)
        assert "/tmp/[red]x" in str(rendered)
        assert "\x1b" not in str(rendered)


async def test_rows_follow_the_data_and_refresh_on_change(db: Store) -> None:
    ids = build(db)
    app = ScreenApp(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ExperimentsScreen)
        projects = screen.query_one("#exp-projects", DataTable)
        web_row = projects.get_row(str(ids["web"]))
        assert [c.plain for c in web_row[2:]] == [
            f"#{ids['second']} running",
            "12 / 7",
            "67% / 83%",
            web_row[5].plain,
            "need-more-data",
        ]
        decision = db.decide(ids["second"])
        assert web_row[5].plain == f"{decision.p_challenger_better:.3f}"
        # an agent records more sessions; the screen notices on its next poll
        _sessions(db, ids["web"], ids["second"], "challenger", "W" * 20, 9)
        screen.poll()
        await _loaded(pilot)
        await pilot.pause(0.05)
        await _loaded(pilot)
        web_row = projects.get_row(str(ids["web"]))
        assert web_row[3].plain == "12 / 27"


async def test_empty_store_and_failed_read(db: Store) -> None:
    app = ScreenApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        detail = str(app.screen.query_one("#exp-detail", Static).render())
        assert "No projects yet" in detail
        db.close()
        app.screen.load()
        await _loaded(pilot)
        detail = str(app.screen.query_one("#exp-detail", Static).render())
        assert "Could not read experiments" in detail
        assert app.is_running


def test_bars_and_sparklines() -> None:
    assert bar(None) == " " * 10
    assert bar(0.0) == " " * 10
    assert bar(1.0) == "█" * 10
    assert bar(0.55) == "█████▌    "
    assert len(bar(0.123)) == 10
    assert sparkline([0.0, 0.5, 1.0]) == "▁▅█"
    assert win_rate_trend([]) == []
    assert win_rate_trend([1.0, 0.0, 0.6, 0.2]) == pytest.approx([1.0, 0.5, 2 / 3, 0.5])
    long = win_rate_trend([1.0] * 50 + [0.0] * 50, points=12)
    assert len(long) == 12 and long[0] == 1.0 and long[-1] == 0.5
