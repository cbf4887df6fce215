"""Every source sessionscope knows: the built-in ones and those plug-ins add.

Plug-ins are found at run time through the entry-point group `sessionscope.sources`
(`importlib.metadata.entry_points`), the way `llm` and `pytest` load theirs. In a plug-in's
pyproject.toml:

    [project.entry-points."sessionscope.sources"]
    myagent = "myagent_sessions:source"

where `source` is a `contract.Source` instance, a `Source` subclass, or a function returning one.
A plug-in that fails to load, or whose name a built-in source already has, is left out and listed
in `plugin_errors()`; it never stops an import of the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..store import Store
from ..store.errors import InvalidInput
from ..transcript_files import claude_code_roots, codex_roots
from . import aider, claude_code, cline, codex, copilot, cursor, gemini, opencode
from .contract import LineSource, SnapshotSource, Source
from .incremental import FileTask, run_tasks
from .report import ImportReport, ProgressCallback
from .snapshot import SnapshotTask, plan_units, run_snapshots

GROUP = "sessionscope.sources"


def _claude_locations(system: str) -> list[Path]:
    return [Path(p) for p in claude_code_roots()]


def _codex_locations(system: str) -> list[Path]:
    return [Path(p) for p in codex_roots()]


def builtin_sources() -> list[Source]:
    """The sources sessionscope ships with, in the order `sources` lists them."""
    return [
        LineSource(
            claude_code.SOURCE,
            claude_code.FORMAT.discover,
            claude_code.FORMAT.parser,
            _claude_locations,
            "Claude Code",
        ),
        LineSource(
            codex.SOURCE, codex.FORMAT.discover, codex.FORMAT.parser, _codex_locations, "Codex CLI"
        ),
        gemini.GeminiSource(),
        opencode.OpenCodeSource(),
        cline.ClineSource(),
        cline.RooCodeSource(),
        copilot.CopilotSource(),
        cursor.CursorSource(),
        aider.AiderSource(),
    ]


_loaded: dict[str, Source] | None = None
_builtins: dict[str, Source] | None = None
_errors: list[str] = []


def _builtin_map() -> dict[str, Source]:
    global _builtins
    if _builtins is None:
        _builtins = {s.name: s for s in builtin_sources()}
    return _builtins


def _from_entry_point(obj: Any) -> Source:
    if isinstance(obj, Source):
        return obj
    if isinstance(obj, type) and issubclass(obj, Source):
        return obj()
    if callable(obj):
        made = obj()
        if isinstance(made, Source):
            return made
    raise TypeError("it is not a sessionscope Source (nor a class or function giving one)")


def load_sources(*, reload: bool = False) -> dict[str, Source]:
    """Every source by name: built-ins first, then plug-ins (loaded once per process)."""
    global _loaded
    if _loaded is not None and not reload:
        return _loaded
    from importlib.metadata import entry_points  # 10-20 ms: only when plug-ins are asked for

    found: dict[str, Source] = dict(_builtin_map())
    _errors.clear()
    for ep in entry_points(group=GROUP):
        try:
            source = _from_entry_point(ep.load())
        except (Exception, SystemExit) as exc:  # a broken plug-in must not stop the others
            _errors.append(f"plug-in {ep.name!r} ({ep.value}) did not load: {exc!s:.120}")
            continue
        if not isinstance(source.name, str):
            _errors.append(f"plug-in {ep.name!r}: its source name is not a string")
            continue
        if not source.name or source.name in found or source.name == "all":
            _errors.append(f"plug-in {ep.name!r}: source name {source.name!r} is taken or empty")
            continue
        found[source.name] = source
    _loaded = found
    return found


def plugin_errors() -> list[str]:
    """Why plug-ins were left out at the last load."""
    load_sources()
    return list(_errors)


def source_names() -> tuple[str, ...]:
    return tuple(load_sources())


def get_source(name: str) -> Source | None:
    """The source called `name`: a built-in one without looking for plug-ins (no plug-in can
    take a built-in name), else a plug-in's."""
    return _builtin_map().get(name) or load_sources().get(name)


def guess_source(path: Path) -> str:
    """Which built-in source a single file most likely belongs to (for `import all FILE`)."""
    name = path.name
    if "agent-transcripts" in path.parts:
        return cursor.SOURCE
    if name.startswith("rollout-"):
        return codex.SOURCE
    if name == "events.jsonl" or "session-state" in path.parts:
        return copilot.SOURCE
    if name == aider.FILE_NAME:
        return aider.SOURCE
    if name.endswith(".vscdb"):
        return cursor.SOURCE
    if name.endswith(".db"):
        return opencode.SOURCE
    if name in ("api_conversation_history.json", "ui_messages.json", "task_metadata.json"):
        return "roo-code" if cline.ROO in str(path) else "cline"
    if name.startswith("session-") or "chats" in path.parts:
        return gemini.SOURCE
    if name.endswith(".json") and "storage" in path.parts:
        return opencode.SOURCE
    return claude_code.SOURCE


class ImportSourceError(InvalidInput):
    """An import was asked for a path that does not exist or cannot be read."""


class SourceFailed(InvalidInput):
    """A plug-in source raised while listing what it would import: it is left out of the run."""


def _guarded(source: Source, plan: Callable[[], list[Any]]) -> list[Any]:
    """`plan()`, with what a plug-in source raises turned into `SourceFailed`."""
    if _builtin_map().get(source.name) is source:
        return plan()
    try:
        tasks = list(plan())
    except InvalidInput:
        raise
    except Exception as exc:
        raise SourceFailed(
            f"the plug-in source {source.name!r} failed ({type(exc).__name__}: {exc!s:.120})"
        ) from exc
    for task in tasks:  # what its parser raises costs only that unit or line
        if isinstance(task, SnapshotTask):
            task.plugin = True
        elif isinstance(task, FileTask):
            task.fmt = replace(task.fmt, plugin=True)
    return tasks


def plan_root(db: Store, source: Source, root: Path) -> list[Any]:
    """The units of `source` under `root` (FileTasks or SnapshotTasks)."""
    if isinstance(source, LineSource):
        return _guarded(source, lambda: source.plan(db, root))
    if isinstance(source, SnapshotSource):
        return _guarded(source, lambda: plan_units(db, source, root))
    raise TypeError(f"source {source.name!r} is neither a LineSource nor a SnapshotSource")


def plan_defaults(db: Store, source: Source) -> list[Any]:
    """The units of `source` in every default location that exists (none for sources that
    only read paths the user names)."""
    if not source.scans_defaults:
        return []
    tasks: list[Any] = []
    for location in _guarded(source, source.existing_locations):
        tasks.extend(plan_root(db, source, location))
    return tasks


def plan_pairs(
    db: Store, pairs: Iterable[tuple[str, Path | str | None]], report: ImportReport
) -> list[Any]:
    """The units of (source, root) pairs (a None root: the source's default locations); a
    plug-in source that fails is reported in `report` and left out, the others planned."""
    tasks: list[Any] = []
    for source, root in pairs:
        try:
            tasks.extend(plan_source(db, source, None if root is None else Path(root)))
        except SourceFailed as exc:
            report.skip_file(str(root) if root is not None else f"source {source}", str(exc))
    return tasks


def _source(name: str) -> Source:
    source = get_source(name)
    if source is None:
        raise InvalidInput(f"unknown source {name!r}; expected one of {', '.join(source_names())}.")
    return source


def plan_source(db: Store, source: str, root: Path | None = None) -> list[Any]:
    """The units one source would import from `root` (its default locations when None).

    An explicit root that does not exist is an error; a missing default location is just empty.
    """
    chosen = _source(source)
    if root is None:
        return plan_defaults(db, chosen)
    root = Path(root).expanduser()
    if not root.exists():
        raise ImportSourceError(f"{root} does not exist.")
    if not (root.is_dir() or root.is_file()):
        raise ImportSourceError(f"{root} is not a file or a directory.")
    return plan_root(db, chosen, root)


def run(
    db: Store,
    tasks: Sequence[Any],
    report: ImportReport | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import planned tasks of any kind into one report."""
    report = report if report is not None else ImportReport()
    lines = [t for t in tasks if isinstance(t, FileTask)]
    snaps = [t for t in tasks if isinstance(t, SnapshotTask)]
    if lines or not snaps:
        run_tasks(db, lines, report, progress)
    if snaps:
        started = time.perf_counter()
        run_snapshots(db, snaps, report, progress)
        report.elapsed += time.perf_counter() - started
    return report
