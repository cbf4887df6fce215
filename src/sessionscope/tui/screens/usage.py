"""The usage screen (`u`): cost or tokens per day as a bar chart, and the period's figures by
model and by project. Read in a thread worker from `Store.usage`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from ...store import StoreError
from ..format import money, short_count
from ..safe import safe_text
from ..widgets.footer import KeyFooter

if TYPE_CHECKING:
    from ...store import Store
    from ...store.usage import UsageRow

PERIODS = ("7d", "30d", "90d", "365d")


@dataclass
class UsageLoaded(Message):
    """The period's rows per day, per model and per project."""

    period: str
    days: list[UsageRow]
    models: list[UsageRow]
    projects: list[UsageRow]


@dataclass
class UsageFailed(Message):
    error: str


# The figures' columns and their widths ("$12,345" and "$123.45" are 7 cells); the name column
# takes what is left of the table's width, so the figures are never cut off at its border.
FIGURES = (("sessions", 8), ("tokens", 6), ("cost", 7))
_CELL_PADDING = 2  # a DataTable cell's padding, left and right
_SCROLLBAR = 2  # the vertical scrollbar, when the rows do not fit
NAME_MIN = 12
SIDE_BY_SIDE = 100  # screen width from which the two tables stand side by side


def _table(title: str) -> DataTable[Text]:
    table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
    table.border_title = title
    return table


def name_width(width: int, scrollbar: bool) -> int:
    """The name column's width in a table whose content is `width` cells wide, less the
    vertical scrollbar's when the rows will not fit."""
    figures = sum(figure + _CELL_PADDING for _label, figure in FIGURES)
    return max(NAME_MIN, width - figures - _CELL_PADDING - (_SCROLLBAR if scrollbar else 0))


def fill_table(table: DataTable[Text], title: str, rows: list[UsageRow]) -> None:
    """Columns fitted to the table's width, then one row per model or project."""
    width = name_width(table.size.width, scrollbar=len(rows) + 1 > table.size.height)
    table.clear(columns=True)
    table.add_column(Text(title), width=width)
    for label, figure_width in FIGURES:
        table.add_column(Text(label, justify="right"), width=figure_width)
    for r in rows:
        table.add_row(
            safe_text(r.key or "(none)", limit=width),
            Text(str(r.sessions), justify="right"),
            Text(short_count(r.tokens), justify="right"),
            Text(money(r.cost_usd), justify="right"),
        )


class UsageScreen(Screen[None]):
    """Sessions, tokens and cost over a period; `p` changes the period, `c` cost or tokens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,u", "close", "Back"),
        Binding("p", "period", "Period"),
        Binding("c", "measure", "Cost/tokens"),
    ]

    DEFAULT_CSS = """
    UsageScreen { layout: vertical; }
    #usage-title { height: 1; padding: 0 1; text-style: bold; }
    #usage-plot { height: 1fr; min-height: 10; }
    #usage-tables { height: 1fr; }
    #usage-tables DataTable {
        width: 1fr; border: round $primary-darken-2; border-title-color: $text-muted;
    }
    #usage-tables.-stacked { layout: vertical; }
    #usage-tables.-stacked DataTable { width: 100%; height: 1fr; }
    """

    def __init__(
        self, db: Store, period: str = "30d", now: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self.db = db
        self.now = now or (lambda: datetime.now(UTC))
        self.period = period
        self.show_cost = True
        self.days: list[UsageRow] = []
        self.tables: tuple[list[UsageRow], list[UsageRow]] = ([], [])  # by model, by project

    def compose(self) -> ComposeResult:
        yield Static(Text("Usage · loading…"), id="usage-title")
        yield PlotextPlot(id="usage-plot")
        with Horizontal(id="usage-tables"):
            yield _table("model")
            yield _table("project")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load(self.period)

    @work(thread=True, exclusive=True, group="usage", exit_on_error=False)
    def _load(self, period: str) -> None:
        try:
            span = timedelta(days=int(period.rstrip("d")))
            since = (self.now() - span).date().isoformat()
            report = self.db.usage_report(("day", "model", "project"), since=since)
            days, models, projects = report["day"], report["model"], report["project"]
        except StoreError as exc:
            self.post_message(UsageFailed(str(exc)))
            return
        self.post_message(UsageLoaded(period, days, models, projects))

    def on_usage_failed(self, message: UsageFailed) -> None:
        self.query_one("#usage-title", Static).update(safe_text(f"Usage · {message.error}"))

    def on_usage_loaded(self, message: UsageLoaded) -> None:
        if message.period != self.period:
            return
        self.days = message.days
        cost = sum(r.cost_usd for r in message.days)
        tokens = sum(r.tokens for r in message.days)
        sessions = sum(r.sessions for r in message.projects)
        self.query_one("#usage-title", Static).update(
            Text(
                f"Usage · last {self.period} · {sessions} sessions · "
                f"{short_count(tokens)} tokens · {money(cost)}"  # (the keys: in the footer)
            )
        )
        self.tables = (message.models, message.projects)
        self._fill_tables()
        self._draw()

    def _fill_tables(self) -> None:
        for table, title, rows in zip(
            self.query(DataTable), ("model", "project"), self.tables, strict=True
        ):
            fill_table(table, title, rows)

    def on_resize(self) -> None:
        """Also sent when the screen opens: the headers show while the figures load."""
        # side by side when both fit with their figures, else one above the other
        stacked = self.size.width < SIDE_BY_SIDE
        self.query_one("#usage-tables").set_class(stacked, "-stacked")
        self.call_after_refresh(self._fill_tables)  # the tables' new widths are laid out then

    def _draw(self) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        labels = [r.key[5:] for r in self.days]  # MM-DD
        values = [r.cost_usd if self.show_cost else r.tokens / 1e6 for r in self.days]
        if labels:
            plt.bar(labels, values)
        plt.title("cost per day ($)" if self.show_cost else "tokens per day (millions)")
        plot.refresh()

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self._load(self.period)

    def action_measure(self) -> None:
        self.show_cost = not self.show_cost
        self._draw()

    def action_close(self) -> None:
        self.dismiss()
