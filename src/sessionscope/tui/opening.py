"""The store opened by the command line before the browser's screen opens, with the session
list's first page read (issue 17 item 3): a store that cannot be opened is one line of error (as
before), and the browser's first frame already holds the sessions (no worker round trip).

Opened in the calling thread, when first waited for: a thread opening it beside the app's
imports only slowed both (they share the interpreter lock; measured: the first frame came
10-15% later). No Textual here: the command line may open the store before importing it.
"""

from __future__ import annotations

import threading

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from ..store import SessionInfo, Store

PAGE = 200  # sessions a page of the list holds


def newest_page(db: Store) -> tuple[list[SessionInfo], int]:
    """The list's first page in its default order (newest first, pinned first, no filter) and
    how many top-level sessions there are: what `read_page` reads for the default listing."""
    rows = db.sessions(limit=PAGE, offset=0, order="recent", top_level=True, pinned_first=True)
    return rows, db.count_sessions(top_level=True)


class Opening:
    """`store.open(path, readonly=...)` and `newest_page` of it, done once, by the first
    `wait` (in whichever thread calls it; a second caller waits for the first)."""

    def __init__(self, path: str | None, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._lock = threading.Lock()
        self._done = False
        self._db: Store | None = None
        self._page: tuple[list[SessionInfo], int] | None = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        from .. import store

        try:
            db = store.open(self.path, readonly=self.readonly)
        except BaseException as exc:  # kept, and raised to every caller of `wait`
            self._error = exc
            return
        self._db = db
        try:
            self._page = newest_page(db)
        except store.StoreError:
            self._page = None  # the list reads it again, and says what went wrong

    @property
    def done(self) -> bool:
        """Whether opening has finished (either way)."""
        return self._done

    def wait_done(self) -> None:
        """Open the store unless that was done (or wait for the caller doing it)."""
        with self._lock:
            if not self._done:
                try:
                    self._run()
                finally:
                    self._done = True

    def wait(self) -> Store:
        """The open store; raises what opening it raised (a `StoreError`, an `OSError`)."""
        self.wait_done()
        if self._error is not None:
            raise self._error
        assert self._db is not None
        return self._db

    @property
    def first_page(self) -> tuple[list[SessionInfo], int] | None:
        """The first page read with the store (None: not read, or reading it failed)."""
        return self._page
