"""WAL checkpoints on a thread of their own while a bulk import writes (`Connections.bulk`).

A checkpoint copies committed WAL pages into the database file: one long SQLite call that
releases the GIL, so on a second connection and thread it runs beside the importer's parsing
instead of stopping it (inline, the final checkpoint alone was ~7% of an import). The writer
pokes it after each commit; pokes that come while it works or
rests (at most one checkpoint every MIN_INTERVAL_S) fold into one more round. PASSIVE
never waits for readers or the writer, and SQLite lets a checkpoint run while another
connection writes. A checkpoint cut short (a kill) is safe: the WAL still holds every page.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading

# At most one checkpoint this often: each one syncs the WAL and the file, and a page written
# by several commits in between is copied once.
MIN_INTERVAL_S = 0.5


class Checkpointer:
    """A thread that runs `PRAGMA wal_checkpoint(PASSIVE)` on its own connection when poked."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stopping = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="sessionscope-checkpoint", daemon=True
        )
        self._thread.start()

    def poke(self) -> None:
        """Ask for a checkpoint (after a commit); returns at once."""
        self._wake.set()

    def stop(self) -> None:
        """Let a running checkpoint finish, then end the thread and close its connection."""
        self._stopping = True
        self._stopped.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return  # the writer's own checkpoints (autocheckpoint, the final one) still run
        try:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA synchronous = NORMAL")
            while True:
                self._wake.wait()
                if self._stopping:
                    return
                self._wake.clear()
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if self._stopped.wait(MIN_INTERVAL_S):
                    return
        finally:
            conn.close()
