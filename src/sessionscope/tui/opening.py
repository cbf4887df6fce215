"""The store opened in a thread while the browser's modules load, with the session list's first
page read (issue 17 item 3): the command line starts an `Opening` before it imports the app,
waits for it before the screen opens (a store that cannot be opened is one line of error, as
before), and hands it to the browser, whose first frame then already holds the sessions.

No Textual here: the thread starts before Textual is imported.
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
    """`store.open(path, readonly=...)` and `newest_page` of it, in a daemon thread."""

    def __init__(self, path: str, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._done = threading.Event()
        self._db: Store | None = None
        self._page: tuple[list[SessionInfo], int] | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, name="sessionscope-open", daemon=True).start()

    def _run(self) -> None:
        from .. import store

        try:
            db = store.open(self.path, readonly=self.readonly)
        except BaseException as exc:  # handed to the waiting thread, raised there
            self._error = exc
            self._done.set()
            return
        self._db = db
        try:
            self._page = newest_page(db)
        except store.StoreError:
            self._page = None  # the list reads it again, and says what went wrong
        self._done.set()

    @property
    def done(self) -> bool:
        """Whether opening has finished (either way)."""
        return self._done.is_set()

    def wait_done(self) -> None:
        """Wait until opening has finished, either way."""
        self._done.wait()

    def wait(self) -> Store:
        """The open store, once it is; raises what opening it raised (a `StoreError`, an
        `OSError`)."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._db is not None
        return self._db

    @property
    def first_page(self) -> tuple[list[SessionInfo], int] | None:
        """The first page read with the store (None: not read, or reading it failed)."""
        return self._page
