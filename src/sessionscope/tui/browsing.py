"""The store the main screen browses: opening it, watching it for commits, switching to another
store, building the demo store.

Every slow step runs in a thread; its outcome comes back to the owning screen as a message
(`StoreOpened`, `StoreFailed`, `StoreChanged`, `DemoBuilt`).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from textual.message_pump import MessagePump
from textual.widget import Widget

from .. import store
from ..store import Store, StoreError
from ..store.timeutil import format_ts, now_iso
from .messages import (
    DemoBuilt,
    ImportNotice,
    SessionRow,
    StoreChanged,
    StoreFailed,
    StoreOpened,
)
from .opening import Opening
from .options import BrowserOptions

NOTICE_OVERLAP = 10.0  # seconds each look at the import states goes back before the last one


def _seconds_ago(seconds: float) -> str:
    """The ISO time `seconds` ago, as `updated_at` holds it."""
    return format_ts(datetime.now(UTC) - timedelta(seconds=seconds))


class StoreWatcher(threading.Thread):
    """Polls `PRAGMA data_version` on its own connection and tells the screen when it changes.

    A plain daemon thread rather than a Textual worker, so that waiting for the app's workers
    to finish (tests, scripts) never waits on a loop that runs for the app's whole life.
    """

    def __init__(self, target: MessagePump, db: Store, interval: float) -> None:
        super().__init__(name="sessionscope-watch", daemon=True)
        self.target = target
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
                self.target.post_message(StoreChanged(version))

    def stop(self) -> None:
        self.stopped.set()


class Browsing:
    """The open store of one screen (`owner`), which receives the messages."""

    def __init__(self, owner: Widget, options: BrowserOptions) -> None:
        self.owner = owner
        self.options = options
        self.db: Store | None = None
        self.path: str | None = options.db_path
        self._opening = options.opening  # used once, by the first `open`
        self._watcher: StoreWatcher | None = None
        # imports by other processes: what they skipped is told once (`check_imports`)
        self._imports_since = now_iso()
        self._imports_told: set[tuple[str, str]] = set()

    @property
    def path_label(self) -> str:
        """The store's path, for the header (the default location when none was given)."""
        return str(self.path) if self.path else str(store.default_path())

    # -- opening and closing -------------------------------------------------------------------

    def open(self, path: str | None = None) -> None:
        """Open the store (at `path`, else the current one) in a thread, unless one is open.
        The first time, a store the command line already opened (`options.opening`) is taken
        as it is: when it is open, its list's first page arrives with the screen's first frame."""
        if path is not None:
            self.path = path
        opening, self._opening = self._opening, None
        if self.db is not None:
            return
        self.owner.run_worker(
            partial(self._open_store, self.path, opening),
            thread=True,
            exclusive=True,
            group="store-open",
            exit_on_error=False,
        )

    def _open_store(self, path: str | None, opening: Opening | None = None) -> None:
        """(In a worker thread.) Open the store at `path`, or take the command line's opening of
        it, with the list's first page (drawn with the store's first frame); tell the owner."""
        if opening is None or opening.path != path:
            opening = Opening(path, readonly=self.options.readonly)
        opening.wait_done()
        self.owner.post_message(self._outcome(opening))

    def opened_already(self) -> StoreOpened | StoreFailed | None:
        """What opening the store came to, when the command line has already opened it (see
        `options.opening`): the owner handles it at once, so its first frame shows the store.
        None: `open` it (in a thread)."""
        opening = self._opening
        if opening is None or opening.path != self.path or not opening.done or self.db:
            return None
        self._opening = None
        return self._outcome(opening)

    @staticmethod
    def _outcome(opening: Opening) -> StoreOpened | StoreFailed:
        """StoreOpened with the list's first page (its rows made here), or StoreFailed."""
        try:
            db = opening.wait()
        except StoreError as exc:
            return StoreFailed(str(exc))
        except OSError as exc:
            return StoreFailed(f"cannot open {opening.path}: {exc.strerror or exc}")
        page = opening.first_page
        first = None if page is None else ([SessionRow.from_info(i) for i in page[0]], page[1])
        return StoreOpened(db, db.readonly, first)

    def opened(self, db: Store) -> None:
        """Browse `db` (just opened, see `StoreOpened`) and watch it for other writers."""
        self.db = db
        self.path = db.path
        self._imports_since = now_iso()
        self._imports_told.clear()
        self._watcher = StoreWatcher(self.owner, db, self.options.poll_interval)
        # started after the frame that shows the store: a thread starting while it is drawn
        # takes the interpreter from it
        self.owner.call_after_refresh(self._watcher.start)

    def close(self) -> None:
        """Stop watching and close the store (before switching stores, or at exit)."""
        self._stop_watching()
        old, self.db = self.db, None
        if old is not None:
            old.close()

    def _stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    # -- imports by other processes -------------------------------------------------------------

    def check_imports(self) -> None:
        """Look (in a thread) for imports that skipped something since the last look (an
        `import --watch` in another terminal); `ImportNotice` tells what."""
        if self.db is not None:
            self.owner.run_worker(
                partial(self._check_imports, self.db),
                thread=True,
                exclusive=True,
                group="import-notices",
                exit_on_error=False,
            )

    def _check_imports(self, db: Store) -> None:
        from ..importers.report import recent_warnings

        since = self._imports_since
        # look a little back next time: a state written just before this read may commit after
        self._imports_since = max(since, _seconds_ago(NOTICE_OVERLAP))
        try:
            states = db.import_states_since(since)
        except StoreError:
            return
        lines = []
        for path, at, line in recent_warnings(states, since):
            if (path, at) not in self._imports_told:
                self._imports_told.add((path, at))
                lines.append(line)
        if len(self._imports_told) > 4096:
            self._imports_told.clear()
        if lines:
            self.owner.post_message(ImportNotice(lines))

    # -- demo store ----------------------------------------------------------------------------

    def build_demo(self) -> str:
        """Build (or reuse) the demo store beside this one, in a thread; `DemoBuilt` tells
        when. Returns where."""
        current = Path(self.db.path if self.db is not None else self.path_label)
        path = current.with_name("demo.db")
        if path == current:
            path = current.with_name("demo-2.db")
        self.owner.run_worker(
            partial(self._build_demo, str(path)),
            thread=True,
            exclusive=True,
            group="demo",
            exit_on_error=False,
        )
        return str(path)

    def _build_demo(self, path: str) -> None:
        try:
            from ..demo import build_demo, is_demo_store

            if not is_demo_store(path):
                build_demo(path, seed=7, sessions=self.options.demo_sessions)
        except Exception as exc:  # never a traceback for a user
            self.owner.app.call_from_thread(self.owner.app.clear_notifications)
            self.owner.app.call_from_thread(
                self.owner.notify, f"Demo store failed: {exc}", severity="error", markup=False
            )
            return
        self.owner.post_message(DemoBuilt(path))
