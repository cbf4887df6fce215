"""The open store underneath the `Store` facade: its connections, transactions, the redaction
switch, and the cheap values that tell a reader something changed."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Self

from . import sessions, side
from .connection import CancelToken, Connections
from .redact_keys import redact_key


class StoreBase:
    """One SQLite file opened for the store: a connection per thread (see `Connections`),
    `reading()` / `writing()` transactions, and whether writes redact. `Store` adds the API."""

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        redact: bool = False,
        mmap_mb: int = 1024,
    ) -> None:
        self.path = str(path)
        self._db = Connections(self.path, readonly=readonly, mmap_mb=mmap_mb)
        self._db.open()
        self._redacting = False
        if redact and not self._db.readonly:
            with self.writing() as conn:
                side.record_redaction(conn)
        with self.reading() as conn:
            self._redacting = redact or side.redaction_recorded(conn)

    @property
    def redact(self) -> bool:
        """True when everything written to this store is redacted (a property of the store:
        recorded in it the first time `redact=True` or `sessionscope redact` asked for it)."""
        if self._redacting:
            return True
        with self.reading() as conn:
            return self._redacts(conn)

    def _redacts(self, conn: sqlite3.Connection) -> bool:
        """Whether writes redact (checked inside each write transaction, once: another process
        may turn it on, but not while this one holds the write lock)."""
        if self._redacting:
            return True
        if self._db.plain_known():
            return False
        if side.redaction_recorded(conn):
            self._redacting = True
            return True
        self._db.know_plain()
        return False

    def _key(self, conn: sqlite3.Connection, session_id: str) -> str:
        """The id session `session_id` is stored under. A store that redacts stores an id
        holding a secret as its `redact_key`; callers may pass either the original or the key.
        A row written under the original before redaction was turned on (and before
        `sessionscope redact` rewrote it) is still found by it."""
        if not isinstance(session_id, str):
            return session_id  # the store function refuses it with a typed error
        key = redact_key(session_id)
        if key == session_id or not self._redacts(conn):
            return session_id
        if not sessions.exists(conn, key) and sessions.exists(conn, session_id):
            return session_id
        return key

    # -- transactions and housekeeping -----------------------------------------------------------

    def bulk(self) -> contextlib.AbstractContextManager[None]:
        """Bulk-import settings for this thread's writes in the block (fewer WAL checkpoints)."""
        return self._db.bulk()

    def cancellable(self, token: CancelToken | None) -> contextlib.AbstractContextManager[None]:
        """Reads in this block stop with `Interrupted` once `token` is cancelled."""
        return self._db.cancellable(token)

    def reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """`with db.reading() as conn:` this thread's connection for reads (typed errors)."""
        return self._db.reading()

    def writing(self) -> AbstractContextManager[sqlite3.Connection]:
        """`with db.writing() as conn:` one all-or-nothing write transaction (re-entrant)."""
        return self._db.transaction()

    @property
    def readonly(self) -> bool:
        """True when the file could only be opened for reading."""
        return self._db.readonly

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path!r}>"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make every store write inside the `with` block one all-or-nothing transaction."""
        with self._db.transaction():
            yield

    def schema_version(self) -> int:
        with self.reading() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def data_version(self) -> int:
        """A number that changes whenever another connection commits (cheap change polling)."""
        with self.reading() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def change_marker(self) -> tuple[int, int]:
        """Changes when anyone, this connection included, has committed since the last call."""
        with self.reading() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes
