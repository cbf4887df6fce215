"""Import locks: one importer at a time works on a transcript file.

A lock is a row of `import_locks` (path, a random token, the holder's pid and host, and an expiry),
taken in an immediate transaction. The holder renews it with every batch it commits and deletes it
when done. A lock whose holder died (its pid is gone on this host) or that was not renewed within
its lease is free, so a crashed importer never blocks the others for long.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .timeutil import now_iso

if TYPE_CHECKING:
    from .core import Store

LEASE_SECONDS = 60.0
HOST = socket.gethostname()


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lock someone else asked for."""

    pid: int
    host: str
    expires_at: float


def new_token() -> str:
    """A token naming one import of one file by this process."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex}"


def _alive(pid: int, host: str) -> bool:
    if host != HOST:
        return True  # another machine's process: only its lease can tell
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def acquire(db: Store, path: str, token: str, lease: float = LEASE_SECONDS) -> Holder | None:
    """Take the lock on `path` for `token`: None when taken, else the live holder.

    Runs in an immediate transaction (or the caller's).
    """

    def run(conn: sqlite3.Connection) -> Holder | None:
        now = time.time()
        row = conn.execute(
            "SELECT token, pid, host, expires_at FROM import_locks WHERE path = ?", (path,)
        ).fetchone()
        if row is not None and row[0] != token and row[3] > now and _alive(row[1], row[2]):
            return Holder(row[1], row[2], row[3])
        conn.execute(
            "INSERT OR REPLACE INTO import_locks (path, token, pid, host, expires_at, taken_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (path, token, os.getpid(), HOST, now + lease, now_iso()),
        )
        return None

    with db.writing() as conn:
        return run(conn)


def renew(db: Store, path: str, token: str, lease: float = LEASE_SECONDS) -> bool:
    """Extend the lease (call inside the batch's transaction). False when it was lost."""

    def run(conn: sqlite3.Connection) -> bool:
        cursor = conn.execute(
            "UPDATE import_locks SET expires_at = ? WHERE path = ? AND token = ?",
            (time.time() + lease, path, token),
        )
        return cursor.rowcount == 1

    with db.writing() as conn:
        return run(conn)


def release(db: Store, path: str, token: str) -> None:
    """Give the lock up (nothing happens when it is not held with `token`)."""

    def run(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM import_locks WHERE path = ? AND token = ?", (path, token))

    with db.writing() as conn:
        run(conn)
