"""Import the transcripts coding agents leave on disk (Claude Code, Codex CLI) into the store.

    from sessionscope.importers import import_all, import_source, default_roots
    report = import_source(db, "claude-code")            # ~/.claude/projects
    report = import_source(db, "codex", Path("rollout-x.jsonl"))
    report = import_all(db)                              # every source, default roots
    print(report.summary())

Imports are incremental (a file is read from where the last import stopped; an unchanged tree
costs one query and a stat per file), idempotent (messages carry the source's ids) and
crash-safe (each batch of messages and the file's import state commit together). Files stream
in bounded memory. Malformed lines are reported in `report.skipped_lines` and skipped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..store import Store
from ..store.errors import InvalidInput
from . import claude_code, codex
from .incremental import FileTask, Format, plan, run_tasks
from .report import ImportProgress, ImportReport, ProgressCallback
from .watch import watch

FORMATS: dict[str, Format] = {
    claude_code.SOURCE: claude_code.FORMAT,
    codex.SOURCE: codex.FORMAT,
}
SOURCES: tuple[str, ...] = tuple(FORMATS)


class ImportSourceError(InvalidInput):
    """An import was asked for a path that does not exist or cannot be read."""


def default_roots() -> dict[str, Path]:
    """Where each source keeps its transcripts: `~/.claude/projects` and
    `$CODEX_HOME/sessions` (default `~/.codex/sessions`)."""
    codex_home = os.environ.get("CODEX_HOME")
    codex_root = (
        Path(codex_home).expanduser() if codex_home else Path.home() / ".codex"
    ) / "sessions"
    return {
        claude_code.SOURCE: Path.home() / ".claude" / "projects",
        codex.SOURCE: codex_root,
    }


def _format(source: str) -> Format:
    fmt = FORMATS.get(source)
    if fmt is None:
        raise InvalidInput(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}.")
    return fmt


def plan_source(db: Store, source: str, root: Path | None = None) -> list[FileTask]:
    """The files one source would import from `root` (default root when None), stat'ed.

    An explicit root that does not exist is an error; a missing default root is just empty.
    """
    fmt = _format(source)
    if root is None:
        root = default_roots()[source]
        if not root.exists():
            return []
    root = Path(root).expanduser()
    if not root.exists():
        raise ImportSourceError(f"{root} does not exist.")
    if not (root.is_dir() or root.is_file()):
        raise ImportSourceError(f"{root} is not a file or a directory.")
    return plan(db, fmt, root)


def import_source(
    db: Store,
    source: str,
    root: Path | str | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one source's transcripts from `root` (a directory or one .jsonl file)."""
    tasks = plan_source(db, source, None if root is None else Path(root))
    return run_tasks(db, tasks, progress=progress)


def import_all(
    db: Store,
    roots: Mapping[str, Path | str | None] | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import every source (`roots` maps source -> root; default: `default_roots()`).

    A source missing from `roots` is not imported; a None root means its default location.
    """
    chosen: Mapping[str, Path | str | None] = roots if roots is not None else dict.fromkeys(SOURCES)
    tasks: list[FileTask] = []
    for source, root in chosen.items():
        tasks.extend(plan_source(db, source, None if root is None else Path(root)))
    return run_tasks(db, tasks, progress=progress)


__all__ = [
    "FORMATS",
    "SOURCES",
    "ImportProgress",
    "ImportReport",
    "ImportSourceError",
    "ProgressCallback",
    "default_roots",
    "import_all",
    "import_source",
    "plan_source",
    "watch",
]
