"""The incremental import engine every source format shares.

For each source file the store's `import_state` remembers its size, mtime and the byte offset after
the last complete line, plus the parser's own resume state. A run

1. lists the files under a root and stats them (`plan`); a file whose size and mtime match its
   state is skipped without being opened;
2. reads each changed file from its offset (from 0 when it was replaced: it shrank, or its first
   `HEAD_BYTES` differ from the digest the state keeps of them), feeds the records to the format's parser, and every `BATCH_MESSAGES` messages (or `BATCH_BYTES` read)
   writes the buffered messages, the session fields and the new import state in ONE transaction.

So a run killed at any moment leaves a store that the next run completes to exactly what one clean
import gives, and nothing is ever written twice (messages carry the source's ids as external ids).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..gcthreshold import fewer_collections
from ..store import Store, locks
from ..store.errors import InvalidInput
from ..store.models import ImportState
from ..store.timeutil import now_iso
from ..transcript_files import file_unchanged, path_key, path_text, walk_paths
from .commits import CommitGroup
from .jsonl import open_regular, read_lines
from .report import (
    DRIFT_UNKNOWN_SHARE,
    TYPES_KEY,
    FileTypes,
    ImportProgress,
    ImportReport,
    ProgressCallback,
    unknown_share,
)
from .sink import Sink

BATCH_MESSAGES = 1000
BATCH_BYTES = 8 << 20
GROUP_MESSAGES = 5000
GROUP_SECONDS = 0.5
GROUP_BYTES = 32 << 20
# A file with more new bytes than this takes its import lock in a transaction of its own (see
# `run_tasks`); its batches join the group.
GROUP_FILE_BYTES = 2 << 20
_UNSAVED = "_unsaved_sessions"
# import-state key: digest of the file's first bytes, to tell a grown file from a replaced one
_HEAD = "_head"
_WRITTEN = "_written"  # import-state key: digests of the session fields this file's import wrote
_TYPES = TYPES_KEY  # import-state key: record types skipped over all runs, and drift (doctor)
HEAD_BYTES = 4096
# What a parser may raise on a record of an unexpected shape: it costs only that line.
# (RecursionError: content nested deeper than a helper could walk.)
_LINE_ERRORS = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
    RecursionError,
)  # import-state key: fields of sessions with no message yet


class Parser(Protocol):
    """Turns one file's records into sink calls; `state()` is what it needs to resume."""

    def feed(self, record: dict[str, Any], line_no: int) -> None: ...

    def state(self) -> dict[str, Any]: ...


ParserFactory = Callable[[Sink, Path, dict[str, Any]], Parser]


@dataclass(frozen=True, slots=True)
class Format:
    """A source format: its name, how to find its files and how to parse one."""

    source: str
    discover: Callable[[Path], list[Path]]
    parser: ParserFactory
    # a plug-in's (`registry` marks its tasks): whatever its parser raises costs only that line
    plugin: bool = False


@dataclass(slots=True)
class FileTask:
    """One file to look at in a run, with what the store remembers about it."""

    fmt: Format
    path: Path
    key: str
    size: int
    mtime: float
    previous: ImportState | None

    @property
    def unchanged(self) -> bool:
        prev = self.previous
        return prev is not None and file_unchanged(
            prev.size, prev.mtime, prev.offset, self.size, self.mtime
        )

    @property
    def start(self) -> int:
        prev = self.previous
        if prev is None or prev.offset > self.size or prev.source != self.fmt.source:
            return 0
        return prev.offset

    @property
    def to_read(self) -> int:
        return 0 if self.unchanged else self.size - self.start


def file_key(path: Path) -> str:
    """The import-state key of a file: its absolute path (`transcript_files.path_key`: bytes of
    its name that are not UTF-8 kept reversibly, so two such files never share a state)."""
    return path_key(os.fspath(path))


def walk_files(root: Path, accept: Callable[[str], bool]) -> list[Path]:
    """Files under `root` whose name `accept`s, sorted; hidden directories are not entered."""
    if root.is_file():
        return [root]
    return [Path(p) for p in walk_paths(str(root), accept)]


def stat_tasks(
    fmt: Format, paths: Iterable[Path], states: dict[str, ImportState]
) -> list[FileTask]:
    """Stat each file (one syscall each) and pair it with its remembered state."""
    tasks: list[FileTask] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        key = file_key(path)
        tasks.append(FileTask(fmt, path, key, st.st_size, st.st_mtime, states.get(key)))
    return tasks


def plan(db: Store, fmt: Format, root: Path) -> list[FileTask]:
    """Every file of one format under `root`, stat'ed, with its import state (one query)."""
    paths = fmt.discover(root)
    if not paths:
        return []
    # sizes and offsets only: `import_file` reads a changed file's state again under its lock
    return stat_tasks(fmt, paths, db.import_states(fmt.source, with_state=False))


class _Run:
    """Counters shared by the files of one run, the progress callback and the commit group."""

    def __init__(
        self,
        report: ImportReport,
        progress: ProgressCallback | None,
        tasks: Sequence[FileTask],
        group: CommitGroup,
    ) -> None:
        self.report = report
        self.callback = progress
        self.group = group
        self.progress = ImportProgress(
            files_total=len(tasks), bytes_total=sum(t.to_read for t in tasks)
        )

    def notify(self) -> None:
        if self.callback is not None:
            self.progress.bytes_read = self.report.bytes_read
            self.progress.messages = self.report.messages
            self.callback(self.progress)


def run_tasks(
    db: Store,
    tasks: Sequence[FileTask],
    report: ImportReport | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import every changed file among `tasks`; unchanged ones only count as skipped."""
    report = report if report is not None else ImportReport()
    started = time.perf_counter()
    # Files and the batches of big files share one transaction, committed every GROUP_MESSAGES
    # messages, GROUP_BYTES read or GROUP_SECONDS (a commit per file was a sixth of a large
    # import's time); a kill rolls back only the open group.
    group = CommitGroup(
        db, report, messages=GROUP_MESSAGES, seconds=GROUP_SECONDS, read=GROUP_BYTES
    )
    run = _Run(report, progress, tasks, group)
    with db.bulk(), fewer_collections(), group:
        for task in tasks:
            report.files_seen += 1
            if task.unchanged:
                report.files_skipped += 1
            else:
                if task.to_read > GROUP_FILE_BYTES:
                    # a big file's lock is committed before it is read, so another importer
                    # sees it and passes the file over instead of waiting for the write lock
                    group.commit()
                else:
                    group.open()
                run.progress.path = str(task.path)
                run.progress.source = task.fmt.source
                run.notify()
                if import_file(db, task, run):
                    report.files_imported += 1
                else:
                    report.files_skipped += 1
                group.maybe_commit()
            run.progress.files_done += 1
    run.progress.path = None
    run.notify()
    report.elapsed += time.perf_counter() - started
    return report


def read_head(path: Path, size: int) -> bytes | None:
    """The first `size` bytes of a (regular) file, or None when it cannot be read."""
    try:
        fd = open_regular(path)
    except OSError:
        return None
    try:
        return os.pread(fd, size, 0)
    except OSError:
        return None
    finally:
        os.close(fd)


def head_record(head: bytes) -> dict[str, Any]:
    """What the import state keeps of a file's first bytes: their length and digest."""
    return {"len": len(head), "sha256": hashlib.sha256(head).hexdigest()}


def same_head(state: dict[str, Any], head: bytes | None) -> bool:
    """False when the file's first bytes differ from those of the file imported before (it was
    replaced); True when they match or cannot be compared (a state from an older version)."""
    known = state.get(_HEAD)
    if head is None or not isinstance(known, dict) or not isinstance(known.get("len"), int):
        return True
    length = known["len"]
    if len(head) < length:
        return False
    return hashlib.sha256(head[:length]).hexdigest() == known.get("sha256")


class LostLock(Exception):
    """Another process took over a file's import lock (this one stalled past its lease)."""


class BatchRefused(Exception):
    """The store refused a batch even message by message (a session field, say): the batch is
    rolled back and the file not read on in this run; the files after it go on."""


def refreshed(db: Store, task: FileTask) -> FileTask | None:
    """`task` stat'ed again with its import state read again (None when the file is gone):
    what another importer did before this one took the file's lock counts."""
    try:
        st = task.path.stat()
    except OSError:
        return None
    return FileTask(
        task.fmt, task.path, task.key, st.st_size, st.st_mtime, db.import_state(task.key)
    )


def import_file(db: Store, task: FileTask, run: _Run) -> bool:
    """Import one file under its lock (one importer at a time per file; another process's file is
    skipped with a message). False when nothing was read."""
    token = locks.new_token()
    try:  # from the acquiring on: a Ctrl-C just after the lock is taken still releases it
        holder = locks.acquire(db, task.key, token)
        if holder is not None:  # (the release below leaves another holder's lock alone)
            run.report.skip_file(
                path_text(str(task.path)),
                f"being imported by another process (pid {holder.pid}); not read now",
            )
            run.report.busy.add(task.key)
            return False
        fresh = refreshed(db, task)
        if fresh is None or fresh.unchanged:
            return False
        return _import_locked(db, fresh, run, token)
    except LostLock:
        run.report.skip_file(
            path_text(str(task.path)), "another process took the file over; it goes on from there"
        )
        return True
    except BatchRefused as exc:
        run.report.skip_file(path_text(str(task.path)), f"the store refused what it holds ({exc})")
        return False
    except BaseException as exc:
        if isinstance(exc, Exception) and task.fmt.plugin:
            # a plug-in parser's own bug (its factory, `state()`, `finish()`): it costs only
            # the file (a batch it failed in was rolled back; the batches before it stay, with
            # the state that goes on after them)
            why = f"the plug-in failed ({type(exc).__name__}: {exc!s:.80})"
            run.report.skip_file(path_text(str(task.path)), why)
            return False
        run.group.abort()  # first, or the lock's release below would be rolled back with it
        raise
    finally:
        locks.release(db, task.key, token)


def _import_locked(db: Store, task: FileTask, run: _Run, token: str) -> bool:
    """Read one file from where the last import stopped. False when it vanished meanwhile."""
    report = run.report
    start = task.start
    previous = task.previous
    head_bytes = read_head(task.path, min(HEAD_BYTES, task.size))
    if start > 0 and previous is not None and not same_head(previous.state, head_bytes):
        start = 0  # a different file now has this name: read it from the start
    resuming = start > 0 and previous is not None
    line_no = previous.line_no if resuming and previous is not None else 0
    state: dict[str, Any] = dict(previous.state) if resuming and previous is not None else {}
    state.pop(_HEAD, None)
    head = None if head_bytes is None else head_record(head_bytes)
    sink = Sink(db, task.fmt.source, path_text(str(task.path)))
    unsaved = state.pop(_UNSAVED, None)
    earlier_types = state.pop(_TYPES, None)
    # what earlier runs skipped (counts over every run; a file read from the start starts over)
    types_before = earlier_types if resuming and isinstance(earlier_types, dict) else None
    types_state: dict[str, Any] | None = None
    sink.restore({}, state.pop(_WRITTEN, None))
    parser = task.fmt.parser(sink, task.path, state)
    if isinstance(unsaved, dict):
        sink.restore(unsaved)
    shown = sink.source_ref  # the path in reports: bytes that are not UTF-8 escaped

    offset = start
    read_since_flush = 0

    def flush(final: bool) -> None:
        # Only the last batch may claim the file's size and mtime: a run killed between batches
        # must leave a state that does not look "unchanged", so the next run reads on.
        run.group.open()
        try:
            added, touched = write_batch(final, None)
        except InvalidInput:
            added, touched = write_refused(final)
        sink.committed()
        report.messages += added
        report.touch(touched)
        run.notify()
        if not final:  # a big file's batch: the group may be full
            run.group.maybe_commit()

    def write_refused(final: bool) -> tuple[int, set[str]]:
        # Content nested past the store's limit is cut (and marked) and the batch written
        # again; a message the store still refuses (whatever in it slipped past the parser)
        # costs only its own line: the batch is written message by message, leaving those out.
        if sink.fit_nesting():
            with contextlib.suppress(InvalidInput):
                return write_batch(final, None)
        refused: list[tuple[int, str]] = []
        try:
            written = write_batch(final, refused)
        except InvalidInput as exc:  # not a message's fault: the batch, and the file's run
            raise BatchRefused(f"{exc!s:.100}") from exc
        for refused_line, reason in refused:
            report.skip_line(shown, refused_line, reason)
        return written

    def write_batch(final: bool, refused: list[tuple[int, str]] | None) -> tuple[int, set[str]]:
        with db.transaction():
            if not locks.renew(db, task.key, token):
                raise LostLock(task.key)
            written = sink.write(refused)
            db.set_import_state(
                task.key,
                source=task.fmt.source,
                size=task.size if final else offset,
                mtime=task.mtime if final else -1.0,
                offset=offset,
                line_no=line_no,
                state={
                    **parser.state(),
                    _UNSAVED: sink.unsaved(),
                    _WRITTEN: sink.written_state(),
                    _HEAD: head,
                    _TYPES: types_state if final else partial_types().stored(types_before),
                },
            )
        return written

    records = 0
    malformed_before = report.skipped_count

    def partial_types() -> FileTypes:
        # what this run skipped so far: kept with each batch, so a run killed after it still
        # counts it (whole-file drift checks wait for the end)
        info = FileTypes(shown, records, dict(sink.noise), dict(sink.unknown))
        info.malformed = report.skipped_count - malformed_before
        return info

    try:
        lines = read_lines(task.path, start, line_no)
        for line in lines:
            if line.error is not None:
                report.skip_line(shown, line.line_no, line.error)
            elif line.record is not None:
                records += 1
                sink.line_size = line.size
                sink.line_no = line.line_no
                try:
                    parser.feed(line.record, line.line_no)
                except Exception as exc:
                    if isinstance(exc, _LINE_ERRORS):
                        why = f"unexpected record shape ({exc!s:.80})"
                    elif task.fmt.plugin:  # a plug-in's bug: it costs only the line
                        why = f"the plug-in failed ({type(exc).__name__}: {exc!s:.80})"
                    else:
                        raise
                    report.skip_line(shown, line.line_no, why)
            offset = line.end
            line_no = line.line_no
            report.bytes_read += line.size
            read_since_flush += line.size
            if sink.pending >= BATCH_MESSAGES or read_since_flush >= BATCH_BYTES:
                flush(final=False)
                read_since_flush = 0
    except OSError as exc:
        if offset == start:
            if not isinstance(exc, FileNotFoundError):
                report.skip_file(shown, f"could not read the file ({exc.strerror or exc})")
            return False
        # Read partway: keep what was read, but do not claim the file's size and mtime, so the
        # next run goes on from here instead of taking the file as unchanged.
        report.skip_line(shown, line_no + 1, f"could not read on from here ({exc.strerror or exc})")
        flush(final=False)
        return True
    finish = getattr(parser, "finish", None)
    if finish is not None:
        finish()
    info = file_types(shown, records, sink, from_start=start == 0)
    info.malformed = report.skipped_count - malformed_before
    types_state = info.stored(types_before, now_iso())
    mark_issues(sink, parser, info.issues(types_state))
    flush(final=True)
    report.add_file(info)
    return True


def mark_issues(sink: Sink, parser: Parser, issues: dict[str, Any]) -> None:
    """Give the file's sessions what its imports skipped (`import_issues` in their metadata:
    the browser marks them), or clear it when a file read again from the start has none."""
    own = {buf.id for buf in sink.sessions.values() if buf.get("source_ref") == sink.source_ref}
    main = parser.state().get("sid")
    if isinstance(main, str) and main:
        own.add(main)
    for sid in own:
        buf = sink.session(sid)
        if buf.get("source_ref") != sink.source_ref or not (buf.created or buf.new):
            continue  # another file's session, or one this file has not created
        had = (buf.get("metadata") or {}).get("import_issues")
        if issues and issues != had:
            buf.set_meta(import_issues=issues)
        elif had is not None and not issues:
            buf.drop_meta("import_issues")


def file_types(path: str, records: int, sink: Sink, *, from_start: bool) -> FileTypes:
    """What one file's run skipped, and whether it looks like format drift: a whole file read
    without one message, prompts without an assistant turn, or over a fifth unknown records."""
    info = FileTypes(path, records, dict(sink.noise), dict(sink.unknown))
    unknown = sum(sink.unknown.values())
    if from_start and records and not sink.roles:
        info.drift.append("no messages")
    elif from_start and sink.roles.get("user") and "assistant" not in sink.roles:
        info.drift.append("prompts but no assistant turn")
    if records and unknown > records * DRIFT_UNKNOWN_SHARE:
        info.drift.append(unknown_share(unknown, records))
    return info
