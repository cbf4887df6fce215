"""`--watch`: follow transcript files as agents write them.

Every `interval` seconds (0.3 by default) the files already known are stat'ed; every `rescan`
seconds the roots are listed again for new files. A file that changed is imported from its
offset, with the same engine and guarantees as a normal import, so a new line reaches the store
well within a second of being written.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from ..store import Store
from .incremental import FileTask
from .registry import plan_pairs, run, source_names
from .report import ImportReport


def watch(
    db: Store,
    roots: Mapping[str, Path | str | None] | None = None,
    *,
    interval: float = 0.3,
    rescan: float = 1.0,
    stop: StopSignal | None = None,
    on_import: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import changes under `roots` (source -> root, None = default) until `stop` is set.

    `on_import` receives the report of each round that found changed files. Returns the total.
    """
    chosen: Mapping[str, Path | str | None] = (
        roots if roots is not None else dict.fromkeys(source_names())
    )
    stop = stop or threading.Event()
    total = ImportReport()
    known: dict[str, Any] = {}
    said: set[tuple[str, str]] = set()  # files not read, already reported once
    last_scan = float("-inf")
    while not stop.is_set():
        now = time.monotonic()
        if now - last_scan >= rescan:
            last_scan = now
            failed = ImportReport()  # plug-in sources that failed to plan: said once each
            tasks = plan_pairs(db, chosen.items(), failed)
            _once(failed, said)
            if failed.skipped_lines and on_import is not None:
                on_import(failed)
            known = {task.key: task for task in tasks}
            changed = [task for task in tasks if not task.unchanged]
        else:
            changed = _changed(db, known)
        if changed:
            report = run(db, changed)
            for task in changed:
                if task.key in report.busy and isinstance(
                    task, FileTask
                ):  # another process has it: look again next round
                    task = FileTask(task.fmt, task.path, task.key, -1, -1.0, task.previous)
                known[task.key] = task
            _once(report, said)
            total.merge(report)
            total.elapsed += report.elapsed
            if on_import is not None and (report.changed or report.skipped_lines):
                on_import(report)
        _pause(stop, interval)
    return total


def _once(report: ImportReport, said: set[tuple[str, str]]) -> None:
    """Drop from `report` the files not read that an earlier round already reported."""
    fresh = []
    for path, line_no, reason in report.skipped_lines:
        if line_no == 0:
            if (path, reason) in said:
                continue
            said.add((path, reason))
        fresh.append((path, line_no, reason))
    report.skipped_lines = fresh


class StopSignal(Protocol):
    """Anything with `is_set()`: a threading.Event, or a flag a signal handler raises."""

    def is_set(self) -> bool: ...


def _pause(stop: StopSignal, seconds: float) -> None:
    """Sleep up to `seconds`, waking within 50 ms of `stop` being set."""
    end = time.monotonic() + seconds
    while not stop.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.05))


def _changed(db: Store, known: dict[str, Any]) -> list[FileTask]:
    """Known files whose size or mtime moved since they were last imported (snapshot units
    are looked at again at each rescan)."""
    changed: list[FileTask] = []
    for key, task in known.items():
        if not isinstance(task, FileTask):
            continue
        try:
            st = os.stat(task.path)
        except OSError:
            continue
        if st.st_size != task.size or st.st_mtime != task.mtime:
            changed.append(
                FileTask(task.fmt, task.path, key, st.st_size, st.st_mtime, db.import_state(key))
            )
    return changed
