"""Search-index rows of a bulk import, written at the commit instead of with each write.

FTS5 writes the terms it holds in memory to a new index segment at every savepoint and release,
and merges segments as they pile up. An import writes each file's messages in savepoints inside
one transaction, so indexing with each write made a small segment per file and merge work after
them. Inside `Store.bulk()`, each transaction gets a `Pending`: the bulk writer
(`rows.write_new_rows`) hands it its FTS and trigram rows, and they are inserted just before the
COMMIT (a few large segments), or earlier, by `flush`, before any statement that would read them
or update or delete the messages they index (those fire the index triggers). A savepoint rolled
back takes back the rows added after it began, and rows flushed after it began are pending again
(the rollback undid their inserts).

Connections are per thread, so the pending rows live in thread-local state, keyed by connection.
"""

from __future__ import annotations

import sqlite3
import threading

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

_state = threading.local()  # .open: {id(connection): Pending} for this thread's transactions


class Pending:
    """Index rows of one open transaction, in order: (SQL, parameters) pairs."""

    __slots__ = ("flushed", "marks", "rows")

    def __init__(self) -> None:
        self.rows: list[tuple[str, tuple[Any, ...]]] = []
        self.flushed = 0  # rows[:flushed] are in the index (within this transaction)
        self.marks: list[tuple[int, int]] = []  # (len(rows), flushed) at each open savepoint

    def add(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        self.rows.extend((sql, p) for p in params)

    def flush(self, conn: sqlite3.Connection) -> None:
        """Insert the rows not inserted yet, grouped by statement."""
        todo = self.rows[self.flushed :]
        if not todo:
            return
        groups: dict[str, list[tuple[Any, ...]]] = {}
        for sql, params in todo:
            groups.setdefault(sql, []).append(params)
        for sql, params_list in groups.items():
            conn.executemany(sql, params_list)
        if self.marks:
            self.flushed = len(self.rows)  # a savepoint rolled back may need them again
        else:
            self.rows, self.flushed = [], 0


def _open() -> dict[int, Pending]:
    found: dict[int, Pending] | None = getattr(_state, "open", None)
    if found is None:
        found = _state.open = {}
    return found


def pending(conn: sqlite3.Connection) -> Pending | None:
    """The pending index rows of `conn`'s open bulk transaction (None: index rows at once)."""
    return _open().get(id(conn))


def begin(conn: sqlite3.Connection) -> None:
    """A bulk transaction began on `conn`: defer its index rows."""
    _open()[id(conn)] = Pending()


def end(conn: sqlite3.Connection) -> None:
    """The transaction committed (after `flush`) or rolled back: forget its rows."""
    _open().pop(id(conn), None)


def flush(conn: sqlite3.Connection) -> None:
    """Insert `conn`'s pending index rows now (before a COMMIT, a search, or a statement that
    updates or deletes messages). A no-op outside a bulk transaction."""
    found = _open().get(id(conn))
    if found is not None:
        found.flush(conn)


def savepoint(conn: sqlite3.Connection) -> None:
    found = _open().get(id(conn))
    if found is not None:
        found.marks.append((len(found.rows), found.flushed))


def release(conn: sqlite3.Connection) -> None:
    found = _open().get(id(conn))
    if found is not None and found.marks:
        found.marks.pop()


def rollback_to(conn: sqlite3.Connection) -> None:
    """The newest savepoint was rolled back: its rows go, and what it flushed is pending."""
    found = _open().get(id(conn))
    if found is not None and found.marks:
        count, flushed = found.marks.pop()
        del found.rows[count:]
        found.flushed = min(found.flushed, flushed)
