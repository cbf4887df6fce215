"""WAL checkpoints on a thread of their own while a bulk import writes (`Connections.bulk`).

A checkpoint copies committed WAL pages into the database file: one long SQLite call that
releases the GIL, so on a second connection and thread it runs beside the importer's parsing
instead of stopping it (inline, the final checkpoint alone was ~7% of an import). The writer
pokes it after each commit; pokes that come while it works or rests (at most one checkpoint
every MIN_INTERVAL_S) fold into one more round. At the end of the bulk block the writer asks it
to `finish`: one last round, which the import does not wait for (closing the store does).
PASSIVE never waits for readers or the writer, and SQLite lets a checkpoint run while another
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
        self._last = False
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="sessionscope-checkpoint", daemon=True
        )
        self._thread.start()

    def poke(self) -> None:
        """Ask for a checkpoint (after a commit); returns at once."""
        self._wake.set()

    def finish(self) -> None:
        """Ask for one last checkpoint, after which the thread ends and closes its connection;
        returns at once (`join` waits for it)."""
        self._last = True
        self._stopped.set()
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for a finishing thread to end (at most `timeout` seconds)."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return  # the writer's own checkpoints (autocheckpoint) still run
        try:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA synchronous = NORMAL")
            while True:
                self._wake.wait()
                self._wake.clear()
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if self._last:
                    if not self._wake.is_set():
                        return  # the round after `finish` was asked for is done
                    continue
                self._stopped.wait(MIN_INTERVAL_S)  # `finish` cuts the rest short
        finally:
            conn.close()
