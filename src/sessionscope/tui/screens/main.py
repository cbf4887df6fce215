"""The main screen: session list (or search) on the left, the transcript on the right."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.widgets import Input

from ...sanitize import inert
from ...store import Store, StoreError
from .. import gcpause
from ..browsing import Browsing
from ..commands import SessionCommands
from ..format import SessionFilter
from ..messages import (
    DemoBuilt,
    HitChosen,
    ImportNotice,
    OpenSession,
    SearchClosed,
    StatsLoaded,
    StoreChanged,
    StoreFailed,
    StoreOpened,
)
from ..options import BrowserOptions
from ..safe import safe_text
from ..warmup import warm_up_imports
from ..widgets.footer import KeyFooter
from ..widgets.header import AppHeader
from ..widgets.session_list import SORT_LABELS, SessionList
from ..widgets.transcript import Transcript
from .later_panes import LaterPanes
from .main_commands import MainCommands
from .marking import MarkActions

if TYPE_CHECKING:
    from ..widgets.search_pane import SearchPane  # loaded once the first frame is drawn

STATS_EVERY = 2.0
DEMO_NOTICE = 300.0  # seconds the "Building the demo store" notice may stay (until it is built)


def _import_roots() -> dict[str, str]:
    """Where `sessionscope import all` looks, `~` for the home directory."""
    from ...importers import default_roots

    home = str(Path.home())
    return {
        source: ("~" + str(path)[len(home) :] if str(path).startswith(home + "/") else str(path))
        for source, path in default_roots().items()
    }


class MainScreen(LaterPanes, MarkActions):
    """Three panes; every database call happens in the widgets' thread workers.

    The screen owns the browsing (`browsing`: the open store, its watcher, switching stores)
    and hands the store to its widgets with their `set_store`.
    """

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        MainCommands,
        SessionCommands,
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: run as the key is read, before the next key is handed out, so what is
        # typed right after `/` or `f` lands in the input they open (not while typing in one)
        Binding("slash", "search", "Search", tooltip="search every message (live)", priority=True),
        Binding("question_mark", "help", "Help", tooltip="this help"),
        Binding(
            "e",
            "experiments",
            "Experiments",
            show=False,
            tooltip="experiments (filter the list by variant)",
        ),
        Binding(
            "x",
            "export",
            "Export",
            show=False,
            tooltip="export the session: asks where (Markdown, .html or .json), mode 0600",
        ),
        Binding("c", "copy_id", "Copy id", show=False, tooltip="copy the session's id"),
        Binding(
            "f",
            "filter",
            "Filter",
            show=False,
            priority=True,
            tooltip="filter: source:codex project:webapp since:7d tag:flaky is:pinned",
        ),
        Binding("d", "demo", "Demo store", tooltip="build the demo store (empty store only)"),
        Binding("u", "usage", "Usage", show=False, tooltip="usage: tokens and cost over time"),
        Binding(
            "z",
            "one_pane",
            "One pane",
            show=False,
            tooltip="one pane at a time, full width (again: both)",
        ),
        Binding("R", "resume", "Resume", show=False, tooltip="resume the session in its agent"),
        Binding(
            "F", "fork", "Fork", show=False, tooltip="fork the session in its agent (Claude Code)"
        ),
        Binding("tab", "next_pane", "Next pane", show=False, tooltip="next pane"),
        Binding(
            "shift+tab", "next_pane(True)", "Previous pane", show=False, tooltip="previous pane"
        ),
        Binding("q", "quit", "Quit", tooltip="quit"),
    ]

    def __init__(self, options: BrowserOptions) -> None:
        super().__init__()
        self.options = options
        self.browsing = Browsing(self, options)
        self._stats_at = 0.0
        self._stats_cost = 0.0
        self._stats_timer: Any = None
        self._empty = False
        self._demo_running = False
        self._warmed = False
        self._drawn = False  # the screen's first frame is drawn

    @property
    def db(self) -> Store | None:
        """The open store (None until it is open, or while switching stores)."""
        return self.browsing.db

    def now(self) -> datetime:
        """The time ages and relative filters count from (the options' clock)."""
        return self.options.now()

    def compose(self) -> ComposeResult:
        yield AppHeader(id="header")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                if self.options.query or self.options.opening is None:
                    # composed with the screen when they would not delay the sessions' frame:
                    # a search at start shows its pane; a store the screen opens itself is
                    # listed a frame later anyway
                    yield from self._hidden_panes()
                yield SessionList(id="sessions", clock=self.options.clock)
            yield Transcript(id="transcript", tz=self.options.tz)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_frame_drawn)
        self.query_one(AppHeader).show(path=self.browsing.path_label)
        self.query_one(Transcript).set_placeholder([Text("  Opening the store…")])
        self.query_one(SessionList).focus()
        opened = self.browsing.opened_already()
        if isinstance(opened, StoreOpened):  # the first frame shows the sessions
            self.on_store_opened(opened)
        elif isinstance(opened, StoreFailed):
            self.on_store_failed(opened)
        else:
            self.browsing.open()

    def _first_frame_drawn(self) -> None:
        self._drawn = True
        self.mount_panes()  # hidden, ready for `/` and `f`

    def on_unmount(self) -> None:
        self.browsing.close()

    # -- the store -----------------------------------------------------------------------------

    def _set_store(self, db: Store | None) -> None:
        self.query_one(SessionList).set_store(db)
        if self.search_pane is not None:
            self.search_pane.set_store(db)
        self.query_one(Transcript).set_store(db)

    def switch_store(self, path: str) -> None:
        """Close the open store and browse the one at `path`."""
        self._set_store(None)
        self.browsing.close()
        self.query_one(Transcript).close_session()
        self.browsing.open(path)

    def on_store_opened(self, message: StoreOpened) -> None:
        """The store is open: hand it to the widgets, list it, open what the options ask for."""
        message.stop()
        db = message.db
        self.browsing.opened(db)
        self._set_store(db)
        header = self.query_one(AppHeader)
        header.show(path=db.path, readonly=db.readonly, state="open", redacted=db.redact)
        if db.readonly:
            self.notify(
                "This store is read-only: browsing works, nothing will be written.",
                severity="warning",
                markup=False,
            )
        self.query_one(Transcript).set_placeholder(self._select_hint())
        # before the first frame (the store came with the screen): the threads reading the
        # counts and the cost start once it is drawn, not beside drawing it
        first_frame = not self._drawn
        self.query_one(SessionList).reload(first=message.first_page, cost_after_frame=first_frame)
        if first_frame:
            self.call_after_refresh(self._load_stats)
        else:
            self._load_stats()
        options = self.options
        if options.import_notes:  # what the import just before the browser found
            self.notify(
                "\n".join(inert(line, 300) for line in options.import_notes[:8]),
                title="Import",
                severity="warning",
                timeout=20,
                markup=False,
            )
        if options.query and self.search_pane is not None:  # composed with the screen
            self._show_search(self.search_pane)
            self.search_pane.set_query(options.query)
        if options.session:
            self.open_session(options.session, seq=options.seq, query=options.query)

    def on_store_failed(self, message: StoreFailed) -> None:
        message.stop()
        error = message.error
        self.notify(error, severity="error", timeout=10, markup=False)
        self.query_one(AppHeader).show(state="failed")
        self.query_one(Transcript).set_placeholder(
            [
                Text("  The store could not be opened:", style="bold"),
                Text(""),
                safe_text("  " + error, limit=1000),
            ]
        )

    def on_store_changed(self, message: StoreChanged) -> None:
        """Another process wrote to the store: refresh what is visible, keep the reader's place."""
        message.stop()
        self.query_one(SessionList).reload(keep_place=True)
        self.query_one(Transcript).follow()
        self.browsing.check_imports()
        # refresh the counts at most every 2 s, less often when they are slow to compute
        # (a big store under a busy import)
        every = max(STATS_EVERY, 20 * self._stats_cost)
        wait = every - (time.monotonic() - self._stats_at)
        if wait <= 0:
            self._load_stats()
        elif self._stats_timer is None:
            self._stats_timer = self.set_timer(wait, self._load_stats)

    def on_import_notice(self, message: ImportNotice) -> None:
        """An import in another process (`import --watch`) skipped something: say what."""
        message.stop()
        lines = [inert(line, 300) for line in message.lines[:6]]
        if len(message.lines) > 6:
            lines.append(f"... and {len(message.lines) - 6} more files.")
        self.notify("\n".join(lines), title="Import", severity="warning", timeout=20, markup=False)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _load_stats(self) -> None:
        db = self.browsing.db
        if db is None:
            return
        started = time.monotonic()
        try:
            stats = db.counts()
        except StoreError:
            return
        self._stats_cost = time.monotonic() - started
        self.post_message(StatsLoaded(stats))

    def on_stats_loaded(self, message: StatsLoaded) -> None:
        self._stats_at = time.monotonic()
        self._stats_timer = None
        self.query_one(AppHeader).show(stats=message.stats)

    @on(SessionList.Listed)
    def _list_loaded(self, event: SessionList.Listed) -> None:
        event.stop()
        if not self._warmed:
            self._warmed = True
            self.call_after_refresh(warm_up_imports)
            self.call_after_refresh(gcpause.freeze)
        total = event.total
        sessions = self.query_one(SessionList)
        empty = total == 0 and not sessions.filter.active
        if empty != self._empty:
            self._empty = empty
            self.refresh_bindings()
        transcript = self.query_one(Transcript)
        if empty:
            transcript.set_placeholder(self._empty_help())
        elif total == 0:
            transcript.set_placeholder(
                [
                    Text("  No session matches the filter."),
                    Text(""),
                    Text("  Press Escape to clear every filter (or f and Enter on an empty one)."),
                ]
            )
        else:
            transcript.set_placeholder(self._select_hint())

    def _select_hint(self) -> list[Text]:
        return [
            Text(""),
            Text("  Pick a session on the left and press Enter (or click it)."),
            Text("  Press / to search every message, ? for all keys, ctrl+p for every command."),
        ]

    def _empty_help(self) -> list[Text]:
        lines = [
            Text(""),
            Text("  This store has no sessions yet.", style="bold"),
            Text(""),
            Text("  Import what your coding agents left on disk:"),
            Text("      sessionscope import all", style="bold"),
            Text("  It looks in:"),
            *(
                Text("      ") + safe_text(f"{source}: {where}", limit=300)
                for source, where in _import_roots().items()
            ),
            Text("  or write sessions from your own agent with the Python API:"),
            Text("      from sessionscope import store; db = store.open()", style="bold"),
        ]
        lines += [
            Text(""),
            Text("  Or press d to build a demo store and explore it.", style="bold"),
        ]
        lines += [
            Text(""),
            Text("  The browser follows the store live: sessions appear as they are written."),
        ]
        return lines

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return self._empty
        # a `/` or `f` typed into an input is text
        return not (action in ("search", "filter") and isinstance(self.focused, Input))

    # -- opening sessions ----------------------------------------------------------------------

    def open_session(
        self,
        session_id: str,
        seq: int | None = None,
        query: str | None = None,
        *,
        focus: bool = True,
    ) -> None:
        transcript = self.query_one(Transcript)
        previous = transcript.session_id
        previous_parent = transcript.info.parent_session_id if transcript.info else None
        transcript.open(session_id, seq=seq, query=query)
        sessions = self.query_one(SessionList)
        sessions.open_id = session_id
        if previous and previous != session_id and previous_parent != session_id:
            # opening a subagent from its parent: show it under the parent in the list
            sessions.select_session(session_id, parent_id=previous)
        else:
            sessions.select_session(session_id)
        sessions.refresh()
        if focus:
            self.show_pane("transcript")
            transcript.focus()

    @on(SessionList.Selected)
    def _list_selected(self, event: SessionList.Selected) -> None:
        event.stop()
        sessions = self.query_one(SessionList)
        row = sessions.row(event.index)
        if row is None:
            return
        transcript = self.query_one(Transcript)
        transcript.open(row.id)
        sessions.open_id = row.id
        sessions.refresh()
        self.show_pane("transcript")
        transcript.focus()

    def on_open_session(self, message: OpenSession) -> None:
        message.stop()
        self.open_session(
            message.session_id, seq=message.seq, query=message.query, focus=message.focus
        )

    def on_hit_chosen(self, message: HitChosen) -> None:
        message.stop()
        hit = message.hit
        self.open_session(hit.session_id, seq=hit.seq, query=message.query)

    @on(Transcript.Back)
    def _back(self, event: Transcript.Back) -> None:
        event.stop()
        self.focus_left()

    def action_next_pane(self, back: bool = False) -> None:
        """Tab / Shift+Tab: the next or previous pane; one pane at a time (a narrow screen or
        `z`), the other one, since the hidden pane cannot take the focus."""
        search = self.search_pane
        transcript = self.query_one(Transcript)
        if not self.narrow or (search is not None and search.has_focus_within):
            # both panes on screen, or the query and its hits: Textual's focus order
            self.focus_previous() if back else self.focus_next()
        elif self.pane == "transcript":
            self.focus_left()
        elif transcript.session_id is None:
            self.notify("Open a session first (Enter).", timeout=2)
        else:
            self.show_pane("transcript")
            transcript.focus()

    def focus_left(self) -> None:
        """Show the list (or the search, when it is open) and focus it."""
        self.show_pane("left")
        search = self.search_pane
        if search is not None and search.display:
            hits = search.query_one("#hits")
            hits.focus()
        else:
            self.query_one(SessionList).focus()

    # -- search --------------------------------------------------------------------------------

    async def action_search(self) -> None:
        mounting = self.mount_panes()
        if mounting is not None:
            await mounting  # the keys typed next land in its input
        assert self.search_pane is not None
        self._show_search(self.search_pane)

    def _show_search(self, search: SearchPane) -> None:
        # a new search (the pane was closed, or `/` came from the transcript): the last query is
        # selected, so typing replaces it; from the hits, `/` goes back to refine it
        reopening = not search.display or not search.has_focus_within
        self.show_pane("left")
        search.display = True
        self.query_one(SessionList).display = False
        self._filter_parts()[0].display = False
        search.focus_input(select=reopening)

    def on_search_closed(self, message: SearchClosed) -> None:
        message.stop()
        if self.search_pane is not None:
            self.search_pane.display = False
        sessions = self.query_one(SessionList)
        sessions.display = True
        sessions.focus()

    # -- filter and sort -----------------------------------------------------------------------

    async def action_filter(self) -> None:
        mounting = self.mount_panes()
        if mounting is not None:
            await mounting  # the keys typed next land in its input
        self.show_pane("left")
        if self.search_pane is not None and self.search_pane.display:
            self.on_search_closed(SearchClosed())
        field = self._filter_parts()[0]
        sessions = self.query_one(SessionList)
        field.value = sessions.filter.text
        field.display = True
        self.set_focus(field)  # now, not later: keys typed right after `f` go to it

    @on(Input.Submitted, "#filter-input")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.clear_filter()  # an empty filter clears every filter, the experiment's too
            return
        sessions = self.query_one(SessionList)
        new = SessionFilter.parse(event.value, now=self.now())
        if new.errors:
            # shown under the input, which stays open; the list keeps its current filter
            self.show_chips(error=new.errors[0])
            return
        new.experiment_id = sessions.filter.experiment_id
        new.variant = sessions.filter.variant
        event.input.display = False
        self.apply_filter(new)

    def apply_filter_text(self, text: str) -> None:
        """Filter the list by `text` in the list filter's language (the palette's shortcuts)."""
        current = self.query_one(SessionList).filter
        new = SessionFilter.parse(text, now=self.now())
        new.experiment_id, new.variant = current.experiment_id, current.variant
        if self.search_pane is not None:
            self.search_pane.display = False
        self._filter_parts()[0].display = False
        self.apply_filter(new)

    def apply_filter(self, new: SessionFilter) -> None:
        sessions = self.query_one(SessionList)
        sessions.set_filter(new)
        self.show_chips()
        sessions.display = True
        sessions.focus()

    def show_chips(self, *, error: str | None = None) -> None:
        """The line over the list: the active filters as chips (or why a filter is refused)."""
        chips = self._filter_parts()[1]
        chips.set_class(error is not None, "-error")
        if error is not None:
            chips.update(safe_text(f"✗ {error}", limit=400))
            chips.display = True
            return
        active = self.query_one(SessionList).filter.chips()
        line = Text()
        for chip in active:
            line.append_text(safe_text(f" {chip} ", Style(reverse=True), limit=200))
            line.append(" ")
        line.append("Esc clears")
        chips.update(line)
        chips.display = bool(active)

    def set_sort(self, order: str) -> None:
        self.query_one(SessionList).set_order(order)
        self.notify(f"Sorted by {SORT_LABELS.get(order, order)}.", timeout=2, markup=False)

    def clear_filter(self) -> None:
        """Every filter off (text and experiment), back to the list."""
        field = self._filter_parts()[0]
        field.value = ""
        field.display = False
        self.apply_filter(SessionFilter())

    # -- other actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(type(self)))

    def action_quit(self) -> None:
        self.app.exit()

    def action_experiments(self) -> None:
        db = self.browsing.db
        if db is None:
            return
        from .experiments import ExperimentsScreen

        self.app.push_screen(ExperimentsScreen(db), self._experiment_chosen)

    def action_usage(self) -> None:
        db = self.browsing.db
        if db is None:
            return
        from .usage import UsageScreen

        self.app.push_screen(UsageScreen(db, now=self.now))

    def _experiment_chosen(self, result: dict[str, Any] | None) -> None:
        if not result or result.get("experiment_id") is None:
            # Escape out of the experiments: no experiment filter left behind
            if self.query_one(SessionList).filter.experiment_id is not None:
                self.clear_experiment()
            return
        current = self.query_one(SessionList).filter
        new = SessionFilter(
            text=current.text,
            spec=current.spec,
            experiment_id=int(result["experiment_id"]),
            variant=result.get("variant"),
        )
        if self.search_pane is not None:
            self.search_pane.display = False
        self.apply_filter(new)
        self.notify(f"Showing sessions of {new.describe()}.", timeout=3, markup=False)

    def clear_experiment(self) -> None:
        current = self.query_one(SessionList).filter
        self.apply_filter(SessionFilter(text=current.text, spec=current.spec))

    def action_demo(self) -> None:
        if self._demo_running:
            return
        self._demo_running = True
        path = self.browsing.build_demo()
        # shown until it is built (seconds: a 3-second toast left the screen unchanged after)
        self.notify(f"Building the demo store in {path}…", timeout=DEMO_NOTICE, markup=False)

    def on_demo_built(self, message: DemoBuilt) -> None:
        message.stop()
        self.app.clear_notifications()  # the building notice, and what was said of the old store
        self.notify(f"Demo store written to {message.path}", markup=False)
        self.switch_store(message.path)
