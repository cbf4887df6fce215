"""Import the sessions coding agents leave on disk into the store (Claude Code, Codex CLI,
Gemini CLI, OpenCode, Cline, Roo Code, GitHub Copilot CLI, Cursor, Aider, and sources plug-ins add: see `contract`).

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

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..store import Store
from . import claude_code, codex
from .contract import LineSource, ParsedSession, Problem, SnapshotSource, Source, Unit, UnitError
from .incremental import Format
from .registry import (
    ImportSourceError,
    get_source,
    load_sources,
    plan_pairs,
    plan_source,
    plugin_errors,
    run,
    source_names,
)
from .report import ImportProgress, ImportReport, ProgressCallback
from .watch import watch

FORMATS: dict[str, Format] = {
    claude_code.SOURCE: claude_code.FORMAT,
    codex.SOURCE: codex.FORMAT,
}
# The built-in sources' names (plug-ins add more: see `source_names()`).
SOURCES: tuple[str, ...] = (
    "claude-code",
    "codex",
    "gemini",
    "opencode",
    "cline",
    "roo-code",
    "copilot",
    "cursor",
    "aider",
)


def default_roots() -> dict[str, Path]:
    """Each source's first default location on this machine (existing or not), e.g.
    `~/.claude/projects` and `$CODEX_HOME/sessions` (default `~/.codex/sessions`)."""
    roots: dict[str, Path] = {}
    for name, source in load_sources().items():
        try:
            found = source.existing_locations() or source.default_locations()
        except Exception:  # a plug-in's bug: it has no location to show (its import says why)
            continue
        if found:
            roots[name] = found[0]
    return roots


def import_source(
    db: Store,
    source: str,
    root: Path | str | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one source's sessions from `root` (a directory or one file; default locations
    when None)."""
    tasks = plan_source(db, source, None if root is None else Path(root))
    return run(db, tasks, progress=progress)


def import_all(
    db: Store,
    roots: Mapping[str, Path | str | None] | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import every source (`roots` maps source -> root; default: every registered source in
    its default locations).

    A source missing from `roots` is not imported; a None root means its default locations.
    """
    chosen: Mapping[str, Path | str | None] = (
        roots if roots is not None else dict.fromkeys(source_names())
    )
    return import_roots(db, list(chosen.items()), progress=progress)


def import_roots(
    db: Store,
    pairs: Iterable[tuple[str, Path | str | None]],
    *,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import (source, root) pairs in one run (a None root: that source's default locations)."""
    report = ImportReport()
    tasks = plan_pairs(db, pairs, report)  # a plug-in that fails is reported, the rest run
    return run(db, tasks, report, progress=progress)


__all__ = [
    "FORMATS",
    "SOURCES",
    "ImportProgress",
    "ImportReport",
    "ImportSourceError",
    "LineSource",
    "ParsedSession",
    "Problem",
    "ProgressCallback",
    "SnapshotSource",
    "Source",
    "Unit",
    "UnitError",
    "default_roots",
    "get_source",
    "import_all",
    "import_roots",
    "import_source",
    "load_sources",
    "plan_source",
    "plugin_errors",
    "source_names",
    "watch",
]
