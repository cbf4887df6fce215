"""When an import commits: writes share one transaction until it is big or old enough.

A commit per file (or per batch of a big file) was a large share of an import's time: each one
writes every page it touched to the WAL and flushes the search index's pending segment. So the
files and batches of a run are written inside one `CommitGroup`, committed once it holds
`messages` messages or `read` bytes, or has been open `seconds`: a kill rolls back only the open
group, and since every batch writes its file's import state in the same transaction, the next
run goes on from what was committed. No transaction (and no wait for the write lock) ever spans
more than that, however big a file is.
"""

from __future__ import annotations

import contextlib
import sys
import time
from types import TracebackType

from ..store import Store
from .report import ImportReport


class CommitGroup:
    """The run's open transaction: opened before a write, committed when full (`maybe_commit`)
    or at the end of the `with` block (rolled back there if the block raised)."""

    def __init__(
        self, db: Store, report: ImportReport, *, messages: int, seconds: float, read: int
    ) -> None:
        self._db = db
        self._report = report
        self._limits = (messages, seconds, read)
        self._stack = contextlib.ExitStack()
        self._open = False
        self._started = 0.0
        self._messages = 0
        self._read = 0

    def open(self) -> None:
        """Begin the group's transaction unless one is open."""
        if not self._open:
            self._stack.enter_context(self._db.transaction())
            self._open = True
            self._started = time.perf_counter()
            self._messages = self._report.messages
            self._read = self._report.bytes_read

    def maybe_commit(self) -> None:
        """Commit the open transaction once it holds enough or has been open long enough."""
        if not self._open:
            return
        messages, seconds, read = self._limits
        report = self._report
        if (
            report.messages - self._messages >= messages
            or report.bytes_read - self._read >= read
            or time.perf_counter() - self._started >= seconds
        ):
            self.commit()

    def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self._open:
            self._open = False
            self._stack.close()

    def abort(self) -> None:
        """Roll back the open transaction (while an exception propagates), so that what is
        written next (a file's lock released) is not rolled back with it."""
        if self._open:
            self._open = False
            # the transaction re-raises what it was given (or its store error): the caller's
            # own exception goes on
            with contextlib.suppress(BaseException):
                self._stack.__exit__(*sys.exc_info())

    def __enter__(self) -> CommitGroup:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._open = False
        self._stack.__exit__(kind, exc, tb)
