"""A search's time budget, enforced inside SQLite by a progress handler."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

from ..connection import cancel_requested, restore_progress

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

BUDGET = 0.05  # seconds (CPU) of walking the indexes before a search returns what it has
WALL = 0.08  # ... or seconds of wall-clock time (waiting for the disk or a busy machine)
CHUNK = 256  # rows fetched at a time


class Clock:
    """A deadline enforced inside SQLite: the progress handler interrupts a running statement.

    The budget is this thread's CPU time (the work done), and the wall-clock time a little
    beyond it (WALL: waiting for the disk, or for a busy machine's cores)."""

    def __init__(self, conn: sqlite3.Connection, budget: float | None) -> None:
        self.conn = conn
        self.budget = budget
        self.deadline: float | None = None
        self.wall: float | None = None
        self.expired = False

    def start(self) -> None:
        if self.budget is not None:
            budget = max(0.0, self.budget)
            self.deadline = time.thread_time() + budget
            self.wall = time.perf_counter() + max(budget, WALL * budget / BUDGET)
            self.conn.set_progress_handler(self._tick, 2_000)

    def _tick(self) -> int:
        if self.expired or cancel_requested():
            self.expired = True
            return 1
        if self.deadline is None or self.wall is None:
            return 0
        if time.thread_time() > self.deadline or time.perf_counter() > self.wall:
            self.expired = True
            return 1
        return 0

    def __enter__(self) -> Clock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.deadline is not None:
            restore_progress(self.conn)
            self.deadline = None

    def stream(self, sql: str, params: list[object]) -> Iterator[Any]:
        """The rows of a query as SQLite produces them, ending quietly at the deadline."""
        self._tick()
        if self.expired:
            return
        try:
            cursor = self.conn.execute(sql, params)
            while True:
                rows = cursor.fetchmany(CHUNK)
                if not rows:
                    return
                yield from rows
        except sqlite3.OperationalError:
            if not self.expired:
                raise
