"""The experiments screen: each project's champion, its experiments and how each arm is doing.

Push it with `ExperimentsScreen(db)`. Selecting an arm dismisses the screen with a session filter,
`{"experiment_id": 3, "variant": "challenger"}`, for the session list to apply
(`db.sessions(experiment_id=..., variant=...)`); Escape dismisses it with None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...sanitize import inert
from ...store import Store
from ...store.decision import ArmStats, Decision, is_win
from ...store.experiments import AgentConfig, Experiment, Project
from ..widgets.footer import KeyFooter

BAR_CELLS = 10
TREND_POINTS = 12
_EIGHTHS = " ▏▎▍▌▋▊▉█"
_SPARKS = "▁▂▃▄▅▆▇█"
DECISION_STYLES = {"promote": "bold green", "hold": "yellow", "need-more-data": "dim"}
STATUS_STYLES = {"running": "bold cyan", "promoted": "green", "held": "yellow", "aborted": "red"}
VARIANT_STYLES = {"champion": "bold", "challenger": "bold magenta"}
NARROW_BELOW = 100  # columns: narrower screens get the narrow tables

# (header, key, width on a wide screen (None: as wide as the cells), width on a narrow one
# (None: left out; the detail pane under the table still names the configs)); P(better) and
# Decision keep their width, so they stay on screen at 80 columns
PROJECT_COLUMNS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("Project", "project", 16, 13),
    ("Champion", "champion", 22, None),
    ("Experiment", "experiment", 12, 12),
    ("Sessions ch/cl", "sessions", 14, 8),
    ("Win rate ch/cl", "rates", 14, 9),
    ("P(better)", "p", 9, 9),
    ("Decision", "decision", 16, 14),
)
ARM_COLUMNS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("Experiment", "experiment", None, 11),
    ("Arm", "arm", None, 10),
    ("Config", "config", None, None),
    ("Sessions", "sessions", None, 8),
    ("Wins", "wins", None, 5),
    ("Win rate", "rate", None, 8),
    ("Trend", "trend", None, None),
    ("P(better)", "p", None, 9),
    ("Decision", "decision", None, 14),
)
RIGHT_ALIGNED = {"sessions", "wins", "p"}


# -- what the worker reads ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExperimentView:
    """One experiment with its configs, the verdict on its data now and each arm's trend."""

    experiment: Experiment
    decision: Decision
    configs: dict[str, AgentConfig | None]
    trends: dict[str, list[float]]

    @property
    def p_shown(self) -> float | None:
        """The live posterior while running; the stored one once decided."""
        if self.experiment.status == "running":
            return self.decision.p_challenger_better
        return self.experiment.decision_posterior

    @property
    def decision_shown(self) -> str | None:
        if self.experiment.status == "running":
            return self.decision.decision
        return self.experiment.decision

    def arm(self, variant: str) -> ArmStats:
        return self.decision.champion if variant == "champion" else self.decision.challenger


@dataclass(frozen=True, slots=True)
class ProjectView:
    """A project, its champion config and its experiments (running first, then newest)."""

    project: Project
    champion: AgentConfig | None
    experiments: list[ExperimentView] = field(default_factory=list)

    @property
    def running(self) -> ExperimentView | None:
        for view in self.experiments:
            if view.experiment.status == "running":
                return view
        return None


def win_rate_trend(fitnesses: list[float], points: int = TREND_POINTS) -> list[float]:
    """The arm's cumulative win rate after each scored session, sampled to at most `points`."""
    if not fitnesses:
        return []
    wins = 0
    running: list[float] = []
    for n, value in enumerate(fitnesses, start=1):
        wins += is_win(value)
        running.append(wins / n)
    if len(running) <= points:
        return running
    step = (len(running) - 1) / (points - 1)
    return [running[round(i * step)] for i in range(points)]


def read_overview(db: Store) -> list[ProjectView]:
    """Everything the screen shows, read through the store's API (call it in a thread)."""
    views: list[ProjectView] = []
    for project in db.projects():
        champion = (
            db.config(project.champion_config_id)
            if project.champion_config_id is not None
            else None
        )
        experiments = db.experiments(project.id)
        running = [e for e in experiments if e.status == "running"]
        rest = sorted(
            (e for e in experiments if e.status != "running"),
            key=lambda e: (e.started_at, e.id),
            reverse=True,
        )
        items: list[ExperimentView] = []
        for e in running + rest:
            series = db.fitness(e.id)
            items.append(
                ExperimentView(
                    experiment=e,
                    decision=db.decide(e.id),
                    configs={
                        "champion": db.config(e.champion_config_id),
                        "challenger": db.config(e.challenger_config_id),
                    },
                    trends={v: win_rate_trend(series[v]) for v in ("champion", "challenger")},
                )
            )
        views.append(ProjectView(project, champion, items))
    return views


# -- rendering helpers (pure) ------------------------------------------------------------------


def bar(fraction: float | None, cells: int = BAR_CELLS) -> str:
    """A horizontal bar `cells` wide, in eighths of a cell."""
    if fraction is None:
        return " " * cells
    eighths = round(max(0.0, min(1.0, fraction)) * cells * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part else "")
    return text.ljust(cells)


def sparkline(values: list[float]) -> str:
    """Values in [0, 1] as block characters (absolute scale, so two arms compare)."""
    top = len(_SPARKS) - 1
    return "".join(_SPARKS[round(max(0.0, min(1.0, v)) * top)] for v in values)


def config_label(config: AgentConfig | None) -> str:
    """`#3 tests-first` when the payload has a name, else `#3 7822eb7f` (fingerprint)."""
    if config is None:
        return "-"
    name = config.payload.get("name")
    label = inert(name, 40) if isinstance(name, str) and name.strip() else config.short
    return f"#{config.id} {fit(label, 14)}"


def fit(text: str, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def payload_line(config: AgentConfig | None, width: int = 90) -> str:
    if config is None:
        return ""
    return inert(json.dumps(config.payload, ensure_ascii=False, sort_keys=True), width)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def probability(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def decision_text(decision: str | None) -> Text:
    return Text(decision or "-", style=DECISION_STYLES.get(decision or "", ""))


# -- messages ----------------------------------------------------------------------------------


@dataclass
class ExperimentsLoaded(Message):
    """The worker read the projects and their experiments."""

    projects: list[ProjectView]


@dataclass
class ExperimentsFailed(Message):
    """Reading the experiments failed; `error` is one sentence."""

    error: str


class ExperimentsChanged(Message):
    """The store changed since the screen last read it."""


# -- the screen --------------------------------------------------------------------------------


class ExperimentsScreen(Screen[dict[str, Any] | None]):
    """Projects with their champion and experiments; select an arm to list its sessions."""

    DEFAULT_CSS = """
    ExperimentsScreen { layout: vertical; }
    ExperimentsScreen #exp-title {
        height: 1; padding: 0 1; background: $panel; color: $text; text-style: bold;
    }
    ExperimentsScreen #exp-body { height: 1fr; }
    ExperimentsScreen #exp-projects { height: auto; max-height: 12; }
    ExperimentsScreen #exp-detail {
        height: auto; padding: 0 1; margin: 1 0 0 0; border-top: solid $primary-darken-2;
    }
    ExperimentsScreen #exp-arms { height: 1fr; }
    ExperimentsScreen .exp-label { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
        Binding("enter", "select", "Show arm's sessions", show=True),
        Binding("tab", "switch_table", "Projects/arms", show=True),
        Binding("r", "refresh", "Refresh"),
    ]

    POLL_SECONDS = 3.0

    def __init__(self, db: Store, *, poll: bool = True) -> None:
        super().__init__()
        self.db = db
        self.projects: list[ProjectView] = []
        self._poll_enabled = poll
        self._marker: tuple[Any, ...] | None = None
        self._project_key: str | None = None
        self.narrow = False  # the tables' narrow columns (under NARROW_BELOW columns)

    def compose(self) -> ComposeResult:
        yield Static(Text("Experiments · champion vs challenger"), id="exp-title")
        with Vertical(id="exp-body"):
            yield Static(Text("Projects"), classes="exp-label")
            # fixed widths: auto-sized columns could draw the header before the rows widened
            # them, which made the layout depend on timing (columns: `_set_columns`)
            yield DataTable(id="exp-projects", cursor_type="row", zebra_stripes=False)
            yield Static(Text("Loading…", style="dim"), id="exp-detail")
            yield Static(Text("Arms (Enter lists the arm's sessions)"), classes="exp-label")
            yield DataTable(id="exp-arms", cursor_type="row")
        yield KeyFooter()

    def _set_columns(self, narrow: bool) -> None:
        """Both tables' columns for a wide or a narrow (under 100 columns) screen."""
        self.narrow = narrow
        for table_id, columns in (("#exp-projects", PROJECT_COLUMNS), ("#exp-arms", ARM_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            for label, key, wide, slim in columns:
                width = slim if narrow else wide
                if narrow and slim is None:
                    continue
                right = key in RIGHT_ALIGNED and table_id == "#exp-arms"
                header = Text(label, justify="right" if right else "left")
                table.add_column(header, key=key, width=width)

    def _shown(
        self, cells: list[Text], columns: tuple[tuple[str, str, Any, Any], ...]
    ) -> list[Text]:
        """The cells of the columns on screen (a narrow screen leaves some out)."""
        if not self.narrow:
            return cells
        return [cell for cell, column in zip(cells, columns, strict=True) if column[3] is not None]

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self._set_columns(narrow)
            if self.projects:
                self.on_experiments_loaded(ExperimentsLoaded(self.projects))

    def on_mount(self) -> None:
        self._set_columns(self.app.size.width < NARROW_BELOW)
        self.query_one("#exp-projects", DataTable).focus()
        self.load()
        if self._poll_enabled:
            self.set_interval(self.POLL_SECONDS, self.poll)

    # -- workers -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="experiments", exit_on_error=False)
    def load(self) -> None:
        """Read every project and experiment in a thread; report with a message."""
        try:
            marker = self.db.experiments_version()
            projects = read_overview(self.db)
        except Exception as exc:  # a store error must not take the browser down
            self.post_message(ExperimentsFailed(str(exc) or type(exc).__name__))
            return
        self._marker = marker
        self.post_message(ExperimentsLoaded(projects))

    @work(thread=True, exclusive=True, group="experiments-poll", exit_on_error=False)
    def poll(self) -> None:
        """Ask the store whether anything changed since the last read."""
        try:
            marker = self.db.experiments_version()
        except Exception:
            return
        if self._marker is not None and marker != self._marker:
            self.post_message(ExperimentsChanged())

    # -- messages ------------------------------------------------------------------------------

    def on_experiments_loaded(self, message: ExperimentsLoaded) -> None:
        self.projects = message.projects
        table = self.query_one("#exp-projects", DataTable)
        table.clear()
        for view in self.projects:
            table.add_row(
                *self._shown(self._project_cells(view), PROJECT_COLUMNS), key=str(view.project.id)
            )
        if not self.projects:
            self._show_detail(
                Text(
                    "No projects yet. Agents create them with db.create_project(...) and run "
                    "experiments with db.start_experiment(...).",
                    style="dim",
                )
            )
            self.query_one("#exp-arms", DataTable).clear()
            return
        index = next(
            (i for i, v in enumerate(self.projects) if str(v.project.id) == self._project_key),
            None,
        )
        if index is None:  # first visit: start on a project with a running experiment
            index = next((i for i, v in enumerate(self.projects) if v.running), 0)
        table.move_cursor(row=index)
        self._fill_arms(self.projects[index])

    def on_experiments_failed(self, message: ExperimentsFailed) -> None:
        self._show_detail(
            Text(f"Could not read experiments: {inert(message.error, 500)}", style="red")
        )

    def on_experiments_changed(self, _message: ExperimentsChanged) -> None:
        self.load()

    @on(DataTable.RowHighlighted, "#exp-projects")
    def _project_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        view = next((v for v in self.projects if str(v.project.id) == key), None)
        if view is not None and key != self._project_key:
            self._fill_arms(view)

    @on(DataTable.RowSelected, "#exp-projects")
    def _project_selected(self, _event: DataTable.RowSelected) -> None:
        arms = self.query_one("#exp-arms", DataTable)
        if arms.row_count:
            arms.focus()

    @on(DataTable.RowHighlighted, "#exp-arms")
    def _arm_highlighted(self, event: DataTable.RowHighlighted) -> None:
        found = self._arm_for_key(event.row_key.value)
        if found is not None:
            self._describe(*found)

    @on(DataTable.RowSelected, "#exp-arms")
    def _arm_selected(self, event: DataTable.RowSelected) -> None:
        self._dismiss_with_arm(event.row_key.value)

    # -- actions -------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.load()

    def action_switch_table(self) -> None:
        projects = self.query_one("#exp-projects", DataTable)
        arms = self.query_one("#exp-arms", DataTable)
        (arms if projects.has_focus and arms.row_count else projects).focus()

    def action_select(self) -> None:
        arms = self.query_one("#exp-arms", DataTable)
        if arms.has_focus and arms.row_count:
            arms.action_select_cursor()
        elif arms.row_count:
            arms.focus()

    # -- helpers -------------------------------------------------------------------------------

    def _dismiss_with_arm(self, key: str | None) -> None:
        found = self._arm_for_key(key)
        if found is None:
            return
        view, variant = found
        self.dismiss({"experiment_id": view.experiment.id, "variant": variant})

    def _arm_for_key(self, key: str | None) -> tuple[ExperimentView, str] | None:
        if not key or ":" not in key:
            return None
        eid, variant = key.split(":", 1)
        for project in self.projects:
            for view in project.experiments:
                if str(view.experiment.id) == eid:
                    return view, variant
        return None

    def _project_cells(self, view: ProjectView) -> list[Text]:
        name = Text(inert(view.project.name, 24), style="bold")
        champion = Text(config_label(view.champion))
        running = view.running
        if running is None:
            last = view.experiments[0].experiment if view.experiments else None
            experiment = Text(
                "none running" + (f" (#{last.id} {last.status})" if last else ""), style="dim"
            )
            return [name, champion, experiment, Text(""), Text(""), Text(""), Text("")]
        e = running.experiment
        champ, chall = running.decision.champion, running.decision.challenger
        return [
            name,
            champion,
            Text(f"#{e.id} running", style=STATUS_STYLES["running"]),
            Text(f"{champ.sessions} / {chall.sessions}"),
            Text(f"{percent(champ.win_rate)} / {percent(chall.win_rate)}"),
            Text(probability(running.p_shown)),
            decision_text(running.decision_shown),
        ]

    def _fill_arms(self, view: ProjectView) -> None:
        self._project_key = str(view.project.id)
        arms = self.query_one("#exp-arms", DataTable)
        previous = None
        if arms.row_count and arms.cursor_row < arms.row_count:
            previous = arms.coordinate_to_cell_key(arms.cursor_coordinate).row_key.value
        arms.clear()
        for ev in view.experiments:
            e = ev.experiment
            for variant in ("champion", "challenger"):
                stats = ev.arm(variant)
                first = variant == "champion"
                rate = Text.assemble(
                    (f"{percent(stats.win_rate):>4} ", ""),
                    ("" if self.narrow else bar(stats.win_rate), VARIANT_STYLES[variant]),
                )
                cells = [
                    Text.assemble(
                        (f"#{e.id} ", ""), (inert(e.status, 40), STATUS_STYLES.get(e.status, ""))
                    )
                    if first
                    else Text(""),
                    Text(variant, style=VARIANT_STYLES[variant]),
                    Text(config_label(ev.configs[variant])),
                    Text(str(stats.sessions), justify="right"),
                    Text(f"{stats.wins}/{stats.sessions_with_signals}", justify="right"),
                    rate,
                    Text(sparkline(ev.trends[variant]), style=VARIANT_STYLES[variant]),
                    Text(probability(ev.p_shown) if first else "", justify="right"),
                    decision_text(ev.decision_shown) if first else Text(""),
                ]
                arms.add_row(*self._shown(cells, ARM_COLUMNS), key=f"{e.id}:{variant}")
        keys = [
            f"{ev.experiment.id}:{v}" for ev in view.experiments for v in ("champion", "challenger")
        ]
        if previous in keys:
            arms.move_cursor(row=keys.index(previous))
        if view.experiments:
            found = self._arm_for_key(keys[arms.cursor_row if arms.row_count else 0])
            if found is not None:
                self._describe(*found)
        else:
            self._show_detail(self._project_summary(view))

    def _project_summary(self, view: ProjectView) -> Text:
        p = view.project
        text = Text()
        text.append(inert(p.name), style="bold")
        for extra in (p.root_path, p.adapter):
            if extra:
                text.append(" · " + inert(extra), style="dim")
        text.append(" · champion ")
        text.append(config_label(view.champion), style=VARIANT_STYLES["champion"])
        if view.champion is not None:
            text.append(f" ({view.champion.short})", style="dim")
        if not view.experiments:
            text.append("\n" + payload_line(view.champion), style="dim")
            text.append("\nNo experiments yet.", style="dim")
        return text

    def _describe(self, view: ExperimentView, variant: str) -> None:
        """The detail pane: the project, the experiment, both configs and the verdict now."""
        project = next((p for p in self.projects if any(v is view for v in p.experiments)), None)
        text = self._project_summary(project) if project else Text()
        e = view.experiment
        text.append(f"\n#{e.id} ", style="bold")
        text.append(inert(e.status, 40), style=STATUS_STYLES.get(e.status, ""))
        text.append(f" · challenger on {e.traffic_share:.0%} · started {inert(e.started_at)[:10]}")
        if e.decided_at:
            text.append(f" · ended {inert(e.decided_at)[:10]}")
        for arm in ("champion", "challenger"):
            config = view.configs.get(arm)
            text.append("\n" + ("› " if arm == variant else "  "))
            text.append(f"{arm:<10} ", style=VARIANT_STYLES[arm])
            text.append(config_label(config))
            text.append("  " + payload_line(config, 80), style="dim")
        text.append("\nnow: ")
        text.append(view.decision.decision, style=DECISION_STYLES.get(view.decision.decision, ""))
        text.append(f" · {view.decision.reason}")
        self._show_detail(text)

    def _show_detail(self, text: Text) -> None:
        self.query_one("#exp-detail", Static).update(text)
