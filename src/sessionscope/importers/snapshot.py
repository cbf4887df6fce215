"""The import engine for snapshot sources (units rewritten rather than appended).

A run lists each source's units with a cheap fingerprint; a unit whose fingerprint matches its
import state is not opened. A changed unit is parsed whole; each of its sessions is hashed, and only
a session whose hash differs from the one the last import recorded is written, through
`Store.save()` (which writes only the rows that changed). Each session is saved in its own savepoint
and the unit's import state is written last; units share one transaction up to `GROUP_MESSAGES`
messages or `GROUP_SECONDS` (`commits.CommitGroup`), so a run killed at any point is completed by
the next one: saving the same content again changes nothing.

Fields the user changed after an import (a title renamed in the browser) are left alone: a field
is written only when the store has none, or still holds what this importer wrote last time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..gcthreshold import fewer_collections
from ..store import Store, locks
from ..store.errors import InvalidInput
from ..store.models import ImportState
from ..store.spec import MessageSpec
from ..transcript_files import path_text
from .commits import CommitGroup
from .common import cut_nesting, safe_blocks, safe_id, session_id
from .contract import ParsedSession, Problem, SnapshotSource, Unit, UnitError
from .incremental import GROUP_BYTES, GROUP_MESSAGES, GROUP_SECONDS, file_key
from .pricing import price_message
from .report import ImportProgress, ImportReport, ProgressCallback
from .wholefile import max_unit_bytes, too_large

# What a parser may raise on input of an unexpected shape: it costs only that unit.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
_FIELD_KEYS = ("title", "project", "cwd", "git_branch", "model", "parent_session_id")
# The version of what this engine adds to a parsed session (pricing): a unit imported under other
# rules is read and its sessions saved again once (`save` rewrites only the rows that change).
RULES = 1
_RULES_KEY = "rules"


def rules_of(source: SnapshotSource) -> int | str:
    """The rules a unit of `source` is imported under: the engine's, and the source's own
    conversion version when it has one (`SnapshotSource.rules`)."""
    return f"{RULES}.{source.rules}" if source.rules else RULES


@dataclass(slots=True)
class SnapshotTask:
    """One unit to look at in a run, with what the store remembers about it."""

    source: SnapshotSource
    unit: Unit
    previous: ImportState | None
    # a plug-in's unit (`registry` marks it): whatever its parse raises costs only that unit
    plugin: bool = False

    @property
    def key(self) -> str:
        return self.unit.key

    @property
    def unchanged(self) -> bool:
        prev = self.previous
        return (
            prev is not None
            and prev.size == self.unit.size
            and prev.mtime == self.unit.mtime
            and prev.state.get(_RULES_KEY) == rules_of(self.source)
        )

    @property
    def to_read(self) -> int:
        return 0 if self.unchanged else self.unit.size


def plan_units(db: Store, source: SnapshotSource, root: Path) -> list[SnapshotTask]:
    """Every unit of `source` under `root`, with its import state (one query)."""
    units = source.units(root)
    if not units:
        return []
    states = db.import_states(source.name)
    return [SnapshotTask(source, unit, states.get(unit.key)) for unit in units]


def session_digest(parsed: ParsedSession) -> str:
    """A digest of everything a session's import writes (fields, title and messages)."""
    payload = json.dumps(
        [parsed.title, parsed.fields, parsed.messages],
        sort_keys=True,
        default=str,
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _clean_messages(messages: list[MessageSpec]) -> list[MessageSpec]:
    """Messages with identifiers SQLite can bind, nesting the store accepts, unique ids."""
    seen: set[str] = set()
    out: list[MessageSpec] = []
    for msg in messages:
        msg = msg.copy()
        blocks, cut = cut_nesting(msg.get("content") or [])
        msg["content"] = safe_blocks(list(blocks)) if isinstance(blocks, list) else blocks
        metadata, cut_meta = cut_nesting(msg.get("metadata") or {})
        if cut or cut_meta:
            msg["metadata"] = {**metadata, "nesting_cut": True}
        ext = msg.get("external_id")
        if isinstance(ext, str):
            ext = safe_id(ext)
            if ext in seen:  # save() refuses a transcript holding one id twice
                ext = f"{ext}#{len(out)}"
            seen.add(ext)
            msg["external_id"] = ext
        model = msg.get("model")
        if isinstance(model, str):
            msg["model"] = safe_id(model)
        price_message(msg)  # from its model and tokens, unless the agent recorded a cost
        out.append(msg)
    return out


def _fields_to_write(
    db: Store, sid: str, parsed: ParsedSession, source: str, ref: str, wrote: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """(session fields to pass to save(), whether the session is new)."""
    fields = {k: v for k, v in parsed.fields.items() if v is not None}
    if parsed.title:
        fields["title"] = parsed.title
    info = db.session(sid)
    if info is None:
        fields.setdefault("status", "completed")
        return {"source": source, "source_ref": ref, **fields}, True
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("started_at", "metadata", "status"):
            continue
        current = getattr(info, key, None)
        if current == value:
            continue
        if current is None or current == wrote.get(key):
            out[key] = value
    return out, False


def _not_a_session(session: Any) -> str | None:
    """What `session` is when it is not a `ParsedSession` of the shape the engine reads (None
    when it is one)."""
    if not isinstance(session, ParsedSession):
        return f"a {type(session).__name__}"
    if not isinstance(session.messages, list) or not all(
        isinstance(m, dict) for m in session.messages
    ):
        return "messages that are not a list of dicts"
    if not isinstance(session.fields, dict):
        return "fields that are not a dict"
    if session.title is not None and not isinstance(session.title, str):
        return "a title that is not a string"
    return None


def import_unit(db: Store, task: SnapshotTask, report: ImportReport) -> bool:
    """Parse one changed unit and save its changed sessions. False when nothing was read."""
    unit = task.unit
    token = locks.new_token()
    holder = locks.acquire(db, unit.key, token)
    if holder is not None:
        report.skip_file(unit.ref, f"being imported by another process (pid {holder.pid})")
        report.busy.add(unit.key)
        return False
    try:
        return _import_locked(db, task, report)
    finally:
        locks.release(db, unit.key, token)


class _Guarded:
    """The sessions a parse yields, stopping (and remembering why) at an error that costs the
    whole unit: sessions saved before it stay, the unit's import state is not written."""

    def __init__(self, parsed: Iterable[ParsedSession], plugin: bool = False) -> None:
        self.parsed = parsed
        self.plugin = plugin
        self.failure: str | None = None

    def __iter__(self) -> Iterator[ParsedSession]:
        try:
            yield from self.parsed
        except Exception as exc:
            self.failed(exc)

    def failed(self, exc: Exception) -> None:
        """Remember why the unit failed; what no parser should raise is raised again, but
        from a plug-in's (a bug of its own, which costs only its unit)."""
        if isinstance(exc, UnitError):
            self.failure = str(exc)
        elif isinstance(exc, OSError):
            self.failure = f"could not read it ({exc.strerror or exc})"
        elif isinstance(exc, _SHAPE_ERRORS):
            self.failure = f"unexpected shape ({exc!s:.80})"
        elif self.plugin:
            self.failure = f"the plug-in failed ({type(exc).__name__}: {exc!s:.80})"
        else:
            raise exc


def _import_locked(db: Store, task: SnapshotTask, report: ImportReport) -> bool:
    source, unit = task.source, task.unit
    limit = max_unit_bytes()
    if not unit.streamed and unit.size > limit:
        report.skip_file(unit.ref, too_large(unit.size, limit))
        return False
    state = dict(task.previous.state) if task.previous is not None else {}
    # digests taken under other rules say nothing of what those rules wrote: save every session
    rules = rules_of(source)
    same_rules = state.get(_RULES_KEY) == rules
    hashes: dict[str, str] = dict(state.get("hashes") or {}) if same_rules else {}
    # (nor do the sessions' versions: a source passes over a session whose version it knows)
    versions: dict[str, Any] = dict(state.get("versions") or {}) if same_rules else {}
    written: dict[str, dict[str, Any]] = dict(state.get("written") or {})
    problems: list[Problem] = []
    guarded = _Guarded((), task.plugin)
    try:
        guarded = _Guarded(source.parse(unit, problems, versions), task.plugin)
    except Exception as exc:
        guarded.failed(exc)
    touched: set[str] = set()
    for session in guarded:
        wrong = _not_a_session(session)  # a plug-in's parse gave something else
        if wrong is not None:
            problems.append(Problem(0, f"the source gave {wrong}, not a session"))
            continue
        sid = session_id(session.id)
        if sid is None:
            problems.append(Problem(0, "a session without an id"))
            continue
        digest = session_digest(session)
        if hashes.get(sid) == digest and db.session(sid) is not None:
            versions[sid] = session.version
            continue
        messages = _clean_messages(session.messages)
        wrote = written.get(sid, {})
        fields, _new = _fields_to_write(db, sid, session, source.name, unit.ref, wrote)
        try:
            with db.transaction():
                result = db.save(sid, messages, **fields)
        except InvalidInput as exc:
            problems.append(Problem(0, f"session {sid}: the store refused it ({exc!s:.100})"))
            continue
        report.messages += result.inserted
        touched.add(sid)
        hashes[sid] = digest
        versions[sid] = session.version
        written[sid] = {
            key: fields.get(key, wrote.get(key))
            for key in _FIELD_KEYS
            if fields.get(key, wrote.get(key)) is not None
        }
    report.touch(touched)
    if guarded.failure is not None:
        report.skip_file(unit.ref, guarded.failure)
        return False
    unread = False  # a file of the unit was passed over: the unit is read again next run
    for problem in problems:
        if problem.path is not None:
            report.skip_file(problem.path, problem.reason)
            unread = True
        else:
            report.skip_line(unit.ref, problem.position, problem.reason)
    report.bytes_read += unit.size
    with db.transaction():
        db.set_import_state(
            unit.key,
            source=source.name,
            size=unit.size,
            # a fingerprint no unit has: not taken as unchanged, so the file passed over is
            # said again (and read once it can be); the digests spare saving what did not change
            mtime=-1.0 if unread else unit.mtime,
            offset=unit.size,
            state={"hashes": hashes, "versions": versions, "written": written, _RULES_KEY: rules},
        )
    return True


def run_snapshots(
    db: Store,
    tasks: Sequence[SnapshotTask],
    report: ImportReport,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import every changed unit among `tasks`; unchanged ones only count as skipped."""
    state = ImportProgress(files_total=len(tasks), bytes_total=sum(t.to_read for t in tasks))
    # Units share one transaction (each session is a savepoint inside it, so one the store
    # refuses costs only itself): a commit per session was most of the time of a tree of small
    # sessions.
    group = CommitGroup(
        db, report, messages=GROUP_MESSAGES, seconds=GROUP_SECONDS, read=GROUP_BYTES
    )
    with fewer_collections(), group:
        for task in tasks:
            report.files_seen += 1
            if task.unchanged:
                report.files_skipped += 1
                state.files_done += 1
                continue
            group.open()
            if import_unit(db, task, report):
                report.files_imported += 1
            else:
                report.files_skipped += 1
            group.maybe_commit()
            state.files_done += 1
            if progress is not None:
                state.bytes_read = report.bytes_read
                state.messages = report.messages
                state.path = task.unit.ref
                state.source = task.source.name
                progress(state)
    return report


def file_unit(path: Path, data: Any = None) -> Unit | None:
    """A unit for one file (its absolute path as key; None when it cannot be stat'ed)."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return Unit(file_key(path), path_text(str(path)), st.st_size, st.st_mtime, data)
