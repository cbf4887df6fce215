"""The Textual app and its one factory, `create_app`, used by the CLI, the tests and the scripts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from .. import store
from ..sanitize import inert
from ..store import Store, StoreError
from .commands import SessionCommands
from .messages import DemoBuilt, StoreChanged, StoreFailed, StoreOpened
from .screens.main import MainScreen, module_exists
from .widgets.search_pane import SearchPane
from .widgets.session_list import SessionList
from .widgets.transcript import Transcript

STYLE_FILES = ("app.tcss", "transcript.tcss")
POLL_INTERVAL = 0.5


def styles_dir() -> Path:
    """Where the .tcss files are: inside the installed package, else the repo's `styles/`."""
    with contextlib.suppress(Exception):
        packaged = resources.files("sessionscope") / "styles"
        if packaged.is_dir():
            return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "styles"


def style_paths() -> list[Path]:
    base = styles_dir()
    return [base / name for name in STYLE_FILES]


class StoreWatcher(threading.Thread):
    """Polls `PRAGMA data_version` on its own connection and tells the app when it changes.

    A plain daemon thread rather than a Textual worker, so that waiting for the app's workers
    to finish (tests, scripts) never waits on a loop that runs for the app's whole life.
    """

    def __init__(self, app: SessionscopeApp, db: Store, interval: float) -> None:
        super().__init__(name="sessionscope-watch", daemon=True)
        self.app = app
        self.db = db
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            last = self.db.data_version()
        except StoreError:
            return
        while not self.stopped.wait(self.interval):
            try:
                version = self.db.data_version()
            except StoreError:
                return
            if version != last:
                last = version
                self.app.post_message(StoreChanged(version))

    def stop(self) -> None:
        self.stopped.set()


class SessionscopeApp(App[None]):
    """Browse, live-search and follow a sessionscope store."""

    TITLE = "sessionscope"
    CSS_PATH = style_paths()  # type: ignore[assignment]
    COMMANDS = App.COMMANDS | {SessionCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        db_path: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        tz: tzinfo | None = None,
        poll_interval: float = POLL_INTERVAL,
        readonly: bool = False,
        session: str | None = None,
        seq: int | None = None,
        query: str | None = None,
        demo_sessions: int = 300,
    ) -> None:
        super().__init__()
        self.demo_sessions = demo_sessions
        self.db_path = db_path
        self.db: Store | None = None
        self.clock = clock
        self.tz = tz
        self.poll_interval = poll_interval
        self.open_readonly = readonly
        self.start_session = session
        self.start_seq = seq
        self.start_query = query
        self._watcher: StoreWatcher | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def db_path_label(self) -> str:
        return str(self.db_path) if self.db_path else str(store.default_path())

    def now(self) -> datetime:
        return self.clock() if self.clock else datetime.now(UTC)

    def get_default_screen(self) -> Screen:
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("no main screen")

    def start(self) -> None:
        """Open the store (called by the main screen once its widgets exist)."""
        if self.db is None:
            self._open_store(self.db_path)

    @work(thread=True, exclusive=True, group="store-open", exit_on_error=False)
    def _open_store(self, path: str | None) -> None:
        try:
            db = store.open(path, readonly=self.open_readonly)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        except OSError as exc:
            self.post_message(StoreFailed(f"cannot open {path}: {exc.strerror or exc}"))
            return
        self.post_message(StoreOpened(db, db.readonly))

    def on_store_opened(self, message: StoreOpened) -> None:
        self.db = message.db
        self.db_path = message.db.path
        self._watcher = StoreWatcher(self, message.db, self.poll_interval)
        self._watcher.start()
        self.main.store_ready()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (widgets and screens call this one) is inert, bounded and never
        markup: messages carry paths, ids and error texts that came from transcripts."""
        super().notify(
            inert(message, 1000),
            title=inert(title, 200),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, severity="error", timeout=10, markup=False)
        self.main.store_failed(message.error)

    def on_store_changed(self, _message: StoreChanged) -> None:
        with contextlib.suppress(LookupError):
            self.main.store_changed()

    def switch_store(self, path: str) -> None:
        """Close the open store and browse the one at `path`."""
        self._stop_watching()
        old, self.db = self.db, None
        if old is not None:
            old.close()
        self.db_path = path
        main = self.main
        main.query_one(Transcript).close_session()
        self._open_store(path)

    def _stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def on_unmount(self) -> None:
        self._stop_watching()
        if self.db is not None:
            self.db.close()

    # -- demo store ----------------------------------------------------------------------------

    def build_demo(self) -> None:
        """Build (or reuse) the demo store beside this one, then browse it."""
        current = Path(self.db.path if self.db is not None else self.db_path_label)
        path = current.with_name("demo.db")
        if path == current:
            path = current.with_name("demo-2.db")
        self._build_demo(str(path))

    @work(thread=True, exclusive=True, group="demo", exit_on_error=False)
    def _build_demo(self, path: str) -> None:
        try:
            from ..demo import build_demo, is_demo_store

            if not is_demo_store(path):
                build_demo(path, seed=7, sessions=self.demo_sessions)
        except Exception as exc:  # never a traceback for a user
            self.call_from_thread(
                self.notify, f"Demo store failed: {exc}", severity="error", markup=False
            )
            return
        self.post_message(DemoBuilt(path))

    def on_demo_built(self, message: DemoBuilt) -> None:
        self.notify(f"Demo store written to {message.path}", markup=False)
        self.switch_store(message.path)

    # -- command palette -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        main = screen
        transcript = main.query_one(Transcript)
        sessions = main.query_one(SessionList)
        yield SystemCommand("Search", "Search every message (/)", main.action_search)
        yield SystemCommand("Help: keys", "Every key and the search language (?)", main.action_help)
        yield SystemCommand(
            "Filter sessions", "source:, project:, since:, until: (f)", main.action_filter
        )
        if sessions.filter.active:
            yield SystemCommand("Clear the session filter", "Show every session", main.clear_filter)
        for order, label in (
            ("recent", "newest first"),
            ("tokens", "most tokens"),
            ("messages", "most messages"),
        ):
            yield SystemCommand(
                f"Sort sessions: {label}",
                "Order of the session list (s)",
                lambda o=order: main.set_sort(o),
            )
        yield SystemCommand(
            "Toggle tool calls",
            "Expand or fold every tool call (t)",
            transcript.action_toggle_tools,
        )
        yield SystemCommand(
            "Toggle reasoning", "Show or fold reasoning (r)", transcript.action_toggle_reasoning
        )
        yield SystemCommand("Go to the start of the session", "g", transcript.action_go_start)
        yield SystemCommand("Go to the end of the session", "G", transcript.action_go_end)
        yield SystemCommand("Next match", "n", transcript.action_next_match)
        yield SystemCommand("Previous match", "N", transcript.action_prev_match)
        if transcript.session_id is not None:
            yield SystemCommand(
                "Export session to Markdown",
                "Write <title>-<id>.md in the current directory (x)",
                main.action_export,
            )
            yield SystemCommand(
                "Copy focused message",
                "Copy the message under the cursor as Markdown (y)",
                transcript.action_copy_message,
            )
            yield SystemCommand(
                "Open subagent",
                "Open the subagent of the Task line under the cursor (o)",
                transcript.action_open_subagent,
            )
            if transcript.info is not None and transcript.info.parent_session_id:
                yield SystemCommand("Open parent session", "u", transcript.action_open_parent)
        if module_exists("sessionscope.tui.screens.experiments"):
            yield SystemCommand(
                "Experiments",
                "Champion/challenger experiments; filter by variant (e)",
                main.action_experiments,
            )
            if sessions.filter.experiment_id is not None:
                yield SystemCommand(
                    "Clear the experiment filter", "Show every session", main.clear_experiment
                )
        if main.check_action("demo", ()):
            yield SystemCommand(
                "Build the demo store", "A realistic store to explore (d)", main.action_demo
            )

    def action_search(self) -> None:
        self.main.action_search()

    def search_pane(self) -> SearchPane:
        return self.main.query_one(SearchPane)


def create_app(
    db_path: str | None = None, *, clock: Callable[[], datetime] | None = None, **opts: Any
) -> SessionscopeApp:
    """The browser on the store at `db_path` (None: $SESSIONSCOPE_DB or the default location).

    `clock` returns "now" (ages such as `3d` are computed from it); other options: `tz` (time
    zone for message times), `poll_interval` (seconds between change checks), `readonly`,
    `session` (an id to open at start), `seq` (message to open it at), `query` (a search)
    and `demo_sessions` (size of the demo store the empty screen offers to build).
    """
    return SessionscopeApp(str(db_path) if db_path is not None else None, clock=clock, **opts)
