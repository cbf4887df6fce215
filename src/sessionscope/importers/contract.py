"""The source plug-in contract: what a source of sessions tells sessionscope.

A source says its `name`, where its sessions live by default on Linux and macOS
(`default_locations`), how to list its units of import under a root (files, or rows of a foreign
database: `plan`) and how to read them into the store. Two kinds cover every agent so far:

- `LineSource`: append-only JSONL transcripts, read from where the last import stopped by the
  incremental engine (`incremental.Format`: a `discover` function and a `Parser` fed one record
  per line that writes through `sink.Sink`/`SessionBuffer`). Claude Code and Codex use it.
- `SnapshotSource`: files or rows that are rewritten rather than appended (JSON documents, logs
  that rewind, SQLite databases). It lists `Unit`s with a cheap fingerprint (size and mtime, or
  the foreign database's update times); a changed unit is parsed into `ParsedSession`s, and a
  session whose content hash differs from the last import is written with `Store.save()`
  (only changed rows are written). See `snapshot.py`.

Memory: `parse` may yield its sessions one at a time (a database of any size then costs one
session at a time: OpenCode's and Cursor's databases do, `Unit.streamed`); a unit read whole (a
JSON document, a task folder, a log) is refused above `wholefile.max_unit_bytes()` (256 MB, or
`$SESSIONSCOPE_MAX_UNIT_MB`), reported with its size, never read; every file a source reads whole
(its side files too) goes through `wholefile`: only regular files, never past that limit.

Third-party packages add sources through the entry-point group `sessionscope.sources`: the
entry point names a `Source` instance, a `Source` subclass or a function returning one.
"""

from __future__ import annotations

import json
import platform
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store import Store
from ..store.spec import MessageSpec
from ..transcript_files import text_path
from .incremental import FileTask, Format, plan

LINUX = "Linux"
MACOS = "Darwin"


def this_system() -> str:
    """`Linux` or `Darwin` (what `platform.system()` says; other systems use Linux paths)."""
    system = platform.system()
    return system if system in (LINUX, MACOS) else LINUX


@dataclass(slots=True)
class ParsedSession:
    """One session as a snapshot source reads it: the store's session fields and its messages
    (the `MessageSpec`s `Store.save` takes). `version` is the source's own change marker (an
    update time), when it has one."""

    id: str
    messages: list[MessageSpec]
    title: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    version: Any = None


@dataclass(slots=True)
class Problem:
    """Input a parser skipped: where (line, record or row number; 0 for the whole unit) and why.

    With `path`, a file of the unit that was not read at all (a side file: not a regular file,
    too large, unreadable; see `wholefile.side_file`): reported as a file not read, by its own
    path, and the unit is read again by the next run (so it is said again until it is read)."""

    position: int
    reason: str
    path: str | None = None


@dataclass(slots=True)
class Unit:
    """One thing a snapshot source imports as a whole: a file, a task folder, a database.

    `key` names it in the store's import state; `size` and `mtime` are its fingerprint (an
    unchanged fingerprint is not read again); `ref` is what reports and `source_ref` show.
    `streamed`: the source reads it a session at a time (a database), so no size limit applies.
    `path` is the file or folder `ref` names (a `ref` from `transcript_files.path_text`: a name
    with bytes that are not UTF-8 is kept in it reversibly)."""

    key: str
    ref: str
    size: int
    mtime: float
    data: Any = None
    streamed: bool = False

    @property
    def path(self) -> Path:
        return Path(text_path(self.ref))


class Source(ABC):
    """A source of agent sessions. Subclass `LineSource` or `SnapshotSource`, not this."""

    name: str = ""
    title: str = ""
    # True: imported from its default locations by `import all` and the bare command. False:
    # only from paths the user names (Aider: no scan of the whole disk).
    scans_defaults: bool = True

    @abstractmethod
    def default_locations(self, system: str | None = None) -> list[Path]:
        """Where this source keeps its sessions on `system` (`Linux` or `Darwin`; default:
        this machine), most likely first. Paths need not exist."""

    def existing_locations(self) -> list[Path]:
        """The default locations that exist on this machine."""
        return [p for p in self.default_locations() if p.exists()]


class LineSource(Source):
    """A source of append-only JSONL transcripts, read by the incremental line engine."""

    def __init__(
        self,
        name: str,
        discover: Callable[[Path], list[Path]],
        parser: Any,
        locations: Callable[[str], Sequence[Path]],
        title: str = "",
    ) -> None:
        self.name = name
        self.title = title or name
        self.format = Format(name, discover, parser)
        self._locations = locations

    def default_locations(self, system: str | None = None) -> list[Path]:
        return list(self._locations(system or this_system()))

    def plan(self, db: Store, root: Path) -> list[FileTask]:
        """The transcript files under `root`, stat'ed, with their import states."""
        return plan(db, self.format, root)


class SnapshotSource(Source):
    """A source whose units are rewritten, not appended: parsed whole, saved by content hash."""

    # The version of this source's conversion: raise it when the same unit would now give other
    # sessions (a record read that was dropped before), so units imported under an older one
    # are read again whole, once, even when unchanged (`save` then writes what differs).
    rules: int = 0

    @abstractmethod
    def units(self, root: Path) -> list[Unit]:
        """Every unit under `root`, with its fingerprint (no content read yet)."""

    @abstractmethod
    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> Iterable[ParsedSession]:
        """The sessions of one unit (a list, or a generator yielding them one at a time). `versions` maps session ids to the `version` each had at
        the last import: a source with update times may leave out sessions that did not change.
        Records it cannot read go to `problems` (and are skipped); a unit it cannot read at
        all raises `UnitError`."""


class UnitError(Exception):
    """A whole unit could not be read (not JSON, not a database, unreadable): it is reported
    and skipped; nothing stored from it is touched."""


def json_objects(
    lines: Iterable[str], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line of a JSONL log that holds a JSON object; a blank line
    is passed over, any other line is one problem (its number and why) and skipped."""
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            problems.append(Problem(line_no, "not valid JSON"))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(line_no, "not a JSON object"))
            continue
        yield line_no, record
