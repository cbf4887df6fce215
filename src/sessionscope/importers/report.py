"""What an import did (`ImportReport`) and how far a running import has come (`ImportProgress`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..display import nothing_new, plural

# How many malformed lines a report keeps with their place (the count goes on beyond it).
MAX_SKIPPED_KEPT = 1000
# A file is possible format drift when more than this share of its records are of unknown types.
DRIFT_UNKNOWN_SHARE = 0.2


UNKNOWN_SHARE = "records of unknown types"
TYPES_KEY = "_types"  # import-state key: what a file's imports skipped (`FileTypes.stored`)


def unknown_share(unknown: int, records: int) -> str:
    """The drift reason `3 of 10 records of unknown types`."""
    return f"{unknown} of {records} {UNKNOWN_SHARE}"


@dataclass(slots=True)
class FileTypes:
    """What one file's import skipped: record types counted as noise and as unknown, and why the
    file looks like format drift (empty when it does not)."""

    path: str
    records: int = 0
    noise: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    drift: list[str] = field(default_factory=list)
    malformed: int = 0  # lines skipped as malformed

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "records": self.records,
            "noise": dict(self.noise),
            "unknown": dict(self.unknown),
            "drift": list(self.drift),
            "malformed_lines": self.malformed,
        }

    def stored(self, earlier: dict[str, Any] | None, at: str = "") -> dict[str, Any]:
        """What the file's import state keeps: counts over every run (added to `earlier`),
        this run's drift (an appended file that imports fine clears it), and what this run
        (at `at`) skipped when it skipped anything (`last`: what a browser open meanwhile
        tells)."""
        earlier = earlier or {}
        noise = dict(earlier.get("noise") or {})
        unknown = dict(earlier.get("unknown") or {})
        _add(noise, self.noise)
        _add(unknown, self.unknown)
        whole = [d for d in self.drift if not d.endswith(UNKNOWN_SHARE)]  # whole-file checks
        drift = whole or (earlier.get("drift") if not self.records else None) or []
        drift = [d for d in drift if not d.endswith(UNKNOWN_SHARE)]
        records = int(earlier.get("records") or 0) + self.records
        strange = sum(unknown.values())  # the unknown share over every run, like a clean import
        if records and strange > records * DRIFT_UNKNOWN_SHARE:
            drift.append(unknown_share(strange, records))
        malformed = int(earlier.get("malformed") or 0) + self.malformed
        stored: dict[str, Any] = {
            "records": records,
            "noise": noise,
            "unknown": unknown,
            "drift": drift,
            "malformed": malformed,
        }
        if self.unknown or self.malformed:  # (not drift alone: a file being written may
            # hold a prompt and no reply yet, and the next run clears it)
            text = self.warning()
            if self.malformed:
                text += ("; " if self.unknown or self.drift else " ") + "skipped "
                text += plural(self.malformed, "malformed line")
            stored["last"] = {"at": at, "warning": text}
        elif isinstance(earlier.get("last"), dict):
            stored["last"] = earlier["last"]
        return stored

    def issues(self, stored: dict[str, Any]) -> dict[str, Any]:
        """What a session of this file carries as `import_issues` (from `stored`, counts over
        every run): malformed lines, unknown types (the most frequent 8), possible drift."""
        issues: dict[str, Any] = {}
        if stored.get("malformed"):
            issues["malformed_lines"] = stored["malformed"]
        unknown = stored.get("unknown") or {}
        if unknown:
            top = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
            issues["unknown_types"] = dict(top)
        if stored.get("drift"):
            issues["drift"] = list(stored["drift"])
        return issues

    def warning(self) -> str:
        """`possible format drift in FILE: no messages; unknown types: a (3), b (1)` (or
        `FILE: unknown types: ...` when it does not look like drift)."""
        if self.drift:
            text = f"possible format drift in {self.path}: {'; '.join(self.drift)}"
        else:
            text = f"{self.path}:"
        if self.unknown:
            kinds = sorted(self.unknown.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
            text += ("; " if self.drift else " ") + "unknown types: "
            text += ", ".join(f"{k} ({n})" for k, n in kinds)
        return text


def _add(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


@dataclass(slots=True)
class ImportReport:
    """Counts for one import run (one source or several).

    `skipped_lines` holds (path, line number, reason) for malformed lines, at most
    `MAX_SKIPPED_KEPT` of them; `skipped_count` counts them all. Files not read at all (not a
    regular file, unreadable, or being imported by another process) are listed there too, with
    line 0, and counted in `files_unread`; `busy` holds the keys of those another process had.
    """

    files_seen: int = 0
    files_imported: int = 0
    files_skipped: int = 0
    sessions: int = 0
    messages: int = 0
    bytes_read: int = 0
    skipped_lines: list[tuple[str, int, str]] = field(default_factory=list)
    skipped_count: int = 0
    elapsed: float = 0.0
    session_ids: set[str] = field(default_factory=set, repr=False)
    files_unread: int = 0
    busy: set[str] = field(default_factory=set, repr=False)
    # types skipped, in total; per file (only files that skipped something); drifting files
    noise: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    files: list[FileTypes] = field(default_factory=list, repr=False)

    def add_file(self, info: FileTypes) -> None:
        """Count what one file skipped (and keep it when it skipped anything or drifts)."""
        _add(self.noise, info.noise)
        _add(self.unknown, info.unknown)
        if (info.noise or info.unknown or info.drift) and len(self.files) < MAX_SKIPPED_KEPT:
            self.files.append(info)

    @property
    def drifting(self) -> list[FileTypes]:
        """Files flagged as possible format drift."""
        return [f for f in self.files if f.drift]

    def skip_file(self, path: str, reason: str) -> None:
        """A file that was not read (it is not a malformed line)."""
        self.files_unread += 1
        if len(self.skipped_lines) < MAX_SKIPPED_KEPT:
            self.skipped_lines.append((path, 0, reason))

    def skip_line(self, path: str, line_no: int, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped_lines) < MAX_SKIPPED_KEPT:
            self.skipped_lines.append((path, line_no, reason))

    def touch(self, session_ids: set[str]) -> None:
        self.session_ids |= session_ids
        self.sessions = len(self.session_ids)

    def merge(self, other: ImportReport) -> None:
        """Add another report's counts to this one (elapsed is not added)."""
        self.files_seen += other.files_seen
        self.files_imported += other.files_imported
        self.files_skipped += other.files_skipped
        self.messages += other.messages
        self.bytes_read += other.bytes_read
        for path, line_no, reason in other.skipped_lines:
            if len(self.skipped_lines) < MAX_SKIPPED_KEPT:
                self.skipped_lines.append((path, line_no, reason))
        self.skipped_count += other.skipped_count
        self.files_unread += other.files_unread
        self.busy |= other.busy
        _add(self.noise, other.noise)
        _add(self.unknown, other.unknown)
        self.files.extend(other.files[: max(0, MAX_SKIPPED_KEPT - len(self.files))])
        self.touch(other.session_ids)

    def skipped_warnings(self, limit: int) -> list[str]:
        """One line per malformed line or file not read (`FILE:LINE: skipped: reason`), at most
        `limit`, then how many more."""
        lines = []
        for path, line_no, reason in self.skipped_lines[:limit]:
            where = f"{path}:{line_no}" if line_no else path
            lines.append(f"{where}: skipped: {reason}")
        more = self.skipped_count + self.files_unread - min(limit, len(self.skipped_lines))
        if more > 0:
            lines.append(f"... and {more:,} more malformed lines.")
        return lines

    def drift_warnings(self, limit: int) -> list[str]:
        """One line per file that looks like format drift (naming its unknown types)."""
        drifting = self.drifting
        lines = [info.warning() for info in drifting[:limit]]
        if len(drifting) > limit:
            lines.append(f"... and {len(drifting) - limit:,} more drifting files.")
        return lines

    @property
    def warns(self) -> bool:
        """True when the run skipped lines or files, met unknown types or possible drift."""
        return bool(self.skipped_count or self.files_unread or self.unknown or self.drifting)

    @property
    def changed(self) -> bool:
        """True when anything new reached the store."""
        return bool(self.messages or self.session_ids)

    def summary(self) -> str:
        """One line, e.g. `Imported 4 files: 5 sessions, 41 messages (0.2 MB) in 0.1 s`."""
        mb = self.bytes_read / 1_000_000
        if self.files_imported:
            text = (
                f"Imported {plural(self.files_imported, 'file')}: "
                f"{plural(self.sessions, 'session')}, {plural(self.messages, 'message')} "
                f"({mb:.1f} MB) in {self.elapsed:.1f} s"
            )
            if self.files_skipped:
                text += f"; {plural(self.files_skipped, 'file')} unchanged"
        elif self.files_seen:
            text = nothing_new(self.files_skipped, self.elapsed)
        else:
            text = "No transcripts found"
        if self.noise or self.unknown:
            noise, unknown = sum(self.noise.values()), sum(self.unknown.values())
            text += f"; skipped {plural(noise, 'noise record')}"
            if unknown:
                text += f" and {plural(unknown, 'record')} of unknown types"
        # last: what a warning line names each of (a "(see above)" after them points at those)
        if self.files_unread:
            text += f"; {plural(self.files_unread, 'file')} not read"
        if self.skipped_count:
            text += f"; skipped {plural(self.skipped_count, 'malformed line')}"
        return text


@dataclass(slots=True)
class ImportProgress:
    """A running import's position, passed to the `progress` callback after each batch.

    `bytes_total` is what this run has to read (the new bytes of changed files).
    """

    files_total: int = 0
    files_done: int = 0
    bytes_total: int = 0
    bytes_read: int = 0
    messages: int = 0
    path: str | None = None
    source: str | None = None


ProgressCallback = Callable[[ImportProgress], None]


def recent_warnings(states: Iterable[Any], since: str) -> list[tuple[str, str, str]]:
    """What the imports that ran after `since` (an ISO time) skipped, from the files' import
    states (`ImportState`s): (path, when, one line) a file. What a browser open meanwhile tells."""
    found = []
    for item in states:
        state = item.state if isinstance(item.state, dict) else {}
        types = state.get(TYPES_KEY)
        last = types.get("last") if isinstance(types, dict) else None
        if not isinstance(last, dict) or not isinstance(last.get("warning"), str):
            continue
        at = last.get("at")
        if isinstance(at, str) and at > since:
            found.append((str(item.path), at, last["warning"]))
    return found
