"""The `Store`: the write API agents use and the read API the browser and CLI use."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import blocks as blockcodec
from . import toolcalls
from .connection import Connections
from .errors import InvalidInput, SessionNotFound
from .experiments import ExperimentsMixin
from .listfilter import ListFilter, parse_list_filter
from .models import (
    ROLES,
    Hit,
    ImportState,
    Message,
    SaveResult,
    Session,
    SessionInfo,
    Stats,
    blocks_text,
)
from .query import like_escape
from .redact import redact as redact_secrets
from .redact import redact_id, redact_message, redact_session_fields
from .schema import NO_SPACE_GLOB, SCHEMA_VERSION
from .search import search_messages
from .timeutil import normalize_ts, now_iso
from .windows import Window, read_window

if TYPE_CHECKING:
    from .health import Health

if TYPE_CHECKING:
    from .scrub import ScrubReport

_MESSAGE_KEYS = {
    "role",
    "content",
    "created_at",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "cost_usd",
    "external_id",
    "metadata",
}
_TOKEN_KEYS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")
_SESSION_FIELDS = {
    "source",
    "source_ref",
    "title",
    "status",
    "project",
    "project_id",
    "cwd",
    "git_branch",
    "model",
    "parent_session_id",
    "experiment_id",
    "variant",
    "config_id",
    "started_at",
    "updated_at",
    "ended_at",
    "metadata",
}
_SESSION_COLUMNS = (
    "id, source, source_ref, title, status, project, project_id, cwd, git_branch, model, "
    "parent_session_id, experiment_id, variant, config_id, started_at, updated_at, ended_at, "
    "message_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
    "cost_usd, metadata"
)
_MESSAGE_COLUMNS = (
    "id, session_id, seq, role, blocks, created_at, model, input_tokens, output_tokens, "
    "cache_read_tokens, cache_creation_tokens, cost_usd, external_id, metadata"
)
_SORTS = {
    "recent": "s.updated_at DESC, s.id",
    "started": "s.started_at DESC, s.id",
    "tokens": "(s.input_tokens + s.output_tokens) DESC, s.updated_at DESC",
    "messages": "s.message_count DESC, s.updated_at DESC",
    "cost": "s.cost_usd DESC, s.updated_at DESC",
    "title": "s.title COLLATE NOCASE, s.updated_at DESC",
}


def _session_from_row(row: Sequence[Any], child_count: int = 0) -> SessionInfo:
    values = list(row)
    values[-1] = blockcodec.decode_metadata(values[-1])
    return SessionInfo(*values[:-1], child_count=child_count, metadata=values[-1])  # type: ignore[misc]


def _message_from_row(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0],
        session_id=row[1],
        seq=row[2],
        role=row[3],
        blocks=blockcodec.decode(row[4]),
        created_at=row[5],
        model=row[6],
        input_tokens=row[7],
        output_tokens=row[8],
        cache_read_tokens=row[9],
        cache_creation_tokens=row[10],
        cost_usd=row[11],
        external_id=row[12],
        metadata=blockcodec.decode_metadata(row[13]),
    )


_MAX_COUNT = 2**53  # token counts stay exact and their sums fit SQLite's 64-bit integers


def _count(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_COUNT:
        raise InvalidInput(f"{name} must be an integer from 0 to 2**53, not {value!r}.")
    return value


def _cost(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise InvalidInput(f"cost_usd must be a non-negative number, not {value!r}.")
    if value == float("inf"):
        raise InvalidInput("cost_usd must be finite.")
    return float(value)


_MAX_ARG = 2**62  # seqs, limits and offsets: far past any store, and sums stay in 64 bits


def _int_arg(value: Any, name: str) -> int:
    """An integer argument (a position, limit or offset) within +-2**62, or InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer, not {type(value).__name__}.")
    if not -_MAX_ARG <= value <= _MAX_ARG:
        raise InvalidInput(f"{name} must be within +-2**62, not {value}.")
    return value


def _utf8_safe(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Row:
    """A validated message ready to insert."""

    __slots__ = (
        "blocks",
        "blocks_json",
        "cache_creation_tokens",
        "cache_read_tokens",
        "cost_usd",
        "created_at",
        "external_id",
        "input_tokens",
        "metadata",
        "model",
        "output_tokens",
        "projection",
        "role",
    )

    def __init__(self, spec: Mapping[str, Any], default_time: str, redact: bool = False) -> None:
        if not isinstance(spec, Mapping):
            raise InvalidInput(f"a message must be a dict, not {type(spec).__name__}.")
        unknown = set(spec) - _MESSAGE_KEYS
        if unknown:
            raise InvalidInput(f"unknown message keys: {', '.join(sorted(map(str, unknown)))}.")
        if redact:
            spec = redact_message(spec)
        role = spec.get("role")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}.")
        if "content" not in spec:
            raise InvalidInput("a message needs 'content' (a string or a list of blocks).")
        self.role = role
        self.blocks = blockcodec.normalize(spec["content"])
        self.blocks_json, plain = blockcodec.encode_checked(self.blocks)
        # the searchable text, computed here unless SQLite must compute it (see schema.py)
        self.projection = blockcodec.project_json(self.blocks, self.blocks_json) if plain else None
        self.created_at = normalize_ts(spec.get("created_at")) or default_time
        model = spec.get("model")
        if model is not None and not isinstance(model, str):
            raise InvalidInput(f"model must be a string, not {type(model).__name__}.")
        if model is not None and not _utf8_safe(model):
            raise InvalidInput("model holds a lone surrogate, which UTF-8 cannot store.")
        self.model = model
        self.input_tokens = _count(spec.get("input_tokens"), "input_tokens")
        self.output_tokens = _count(spec.get("output_tokens"), "output_tokens")
        self.cache_read_tokens = _count(spec.get("cache_read_tokens"), "cache_read_tokens")
        self.cache_creation_tokens = _count(
            spec.get("cache_creation_tokens"), "cache_creation_tokens"
        )
        self.cost_usd = _cost(spec.get("cost_usd"))
        external_id = spec.get("external_id")
        if external_id is not None and not isinstance(external_id, str):
            external_id = str(external_id)
        if external_id is not None and not _utf8_safe(external_id):
            raise InvalidInput("external_id holds a lone surrogate, which UTF-8 cannot store.")
        self.external_id = external_id
        self.metadata = blockcodec.encode_metadata(spec.get("metadata"))

    def values(self, session_id: str, seq: int) -> tuple[Any, ...]:
        return (
            session_id,
            seq,
            self.role,
            self.created_at,
            self.model,
            self.input_tokens,
            self.output_tokens,
            self.cache_read_tokens,
            self.cache_creation_tokens,
            self.cost_usd,
            self.external_id,
            self.blocks_json,
            self.metadata,
        )

    def totals(self) -> tuple[int, int, int, int, float]:
        return (
            self.input_tokens,
            self.output_tokens,
            self.cache_read_tokens,
            self.cache_creation_tokens,
            self.cost_usd,
        )


_INSERT_WITH_ID = (
    "INSERT INTO messages (id, session_id, seq, role, created_at, model, input_tokens,"
    " output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, external_id, blocks,"
    " metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_MESSAGE = (
    "UPDATE messages SET role = ?, created_at = ?, model = ?, input_tokens = ?,"
    " output_tokens = ?, cache_read_tokens = ?, cache_creation_tokens = ?, cost_usd = ?,"
    " external_id = ?, blocks = ?, metadata = ? WHERE id = ?"
)


def _write_new_rows(
    conn: sqlite3.Connection, session_id: str, rows: list[tuple[int, _Row]]
) -> list[int]:
    """Insert (seq, row) pairs with their FTS, trigram and tool-call rows; return message ids.

    Runs inside the caller's write transaction, which holds the write lock, so ids from
    max(id) + 1 are ours. Indexing here in bulk is several times faster than per-row triggers.
    """
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM messages").fetchone()[0]
    ids = list(range(first, first + len(rows)))
    conn.executemany(
        _INSERT_WITH_ID,
        [(mid, *row.values(session_id, seq)) for mid, (seq, row) in zip(ids, rows, strict=True)],
    )
    fts: list[tuple[int, str | None, str | None]] = []
    cjk: list[tuple[int, str]] = []
    by_sql: list[tuple[int]] = []
    calls: dict[str, list[list[Any]]] = {}
    unnamed_calls: list[tuple[Any, ...]] = []
    results: list[tuple[str, int, int]] = []
    for mid, (_seq, row) in zip(ids, rows, strict=True):
        if row.projection is None:
            by_sql.append((mid,))
        else:
            text, tools = row.projection
            fts.append((mid, text, tools))
            if blockcodec.has_no_space_script(text) or blockcodec.has_no_space_script(tools):
                cjk.append((mid, (text or "") + "\n" + (tools or "")))
        for use_id, name in toolcalls.calls_in(row.blocks):
            call = [mid, session_id, use_id, name, None, None]
            if use_id is not None:
                calls.setdefault(use_id, []).append(call)  # a repeated id keeps every call
            else:
                unnamed_calls.append(tuple(call))
        for use_id, is_error in toolcalls.results_in(row.blocks):
            results.append((use_id, mid, is_error))
    conn.executemany("INSERT INTO messages_fts (rowid, text, tools) VALUES (?, ?, ?)", fts)
    conn.executemany("INSERT INTO messages_cjk (rowid, body) VALUES (?, ?)", cjk)
    if by_sql:
        conn.executemany(
            "INSERT INTO messages_fts (rowid, text, tools)"
            " SELECT id, text, tools FROM message_text WHERE id = ?",
            by_sql,
        )
        conn.executemany(
            "INSERT INTO messages_cjk (rowid, body)"
            " SELECT id, coalesce(text, '') || char(10) || coalesce(tools, '')"
            f" FROM message_text WHERE id = ? AND (coalesce(text, '') || coalesce(tools, ''))"
            f" GLOB '{NO_SPACE_GLOB}'",
            by_sql,
        )
    pending: list[tuple[int, int, str, str]] = []
    for use_id, mid, is_error in results:
        batch_calls = calls.get(use_id)
        if batch_calls is not None:
            for call in batch_calls:
                call[4], call[5] = is_error, mid
        else:
            pending.append((mid, is_error, session_id, use_id))
    conn.executemany(
        "INSERT INTO tool_calls (message_id, session_id, tool_use_id, name, is_error,"
        " result_message_id) VALUES (?, ?, ?, ?, ?, ?)",
        [tuple(c) for group in calls.values() for c in group] + unnamed_calls,
    )
    conn.executemany(
        "UPDATE tool_calls SET result_message_id = ?, is_error = ?"
        " WHERE session_id = ? AND tool_use_id = ?",
        pending,
    )
    return ids


def _redaction_recorded(conn: sqlite3.Connection) -> bool:
    """Whether the store says its writes are redacted (the `redact` setting, migration 4)."""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'redact'").fetchone()
    except sqlite3.OperationalError:  # a store from before settings existed
        return False
    return row is not None and row[0] == "on"


def _record_redaction(conn: sqlite3.Connection) -> None:
    """Make redaction a property of the store: every later write, by anyone, redacts."""
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('redact', 'on', ?)"
        " ON CONFLICT(key) DO UPDATE SET value = 'on', updated_at = excluded.updated_at"
        " WHERE settings.value != 'on'",
        (now_iso(),),
    )


class Store(ExperimentsMixin):
    """One sessionscope store: a single SQLite file, safe to share between threads.

    Open it with `sessionscope.store.open()`. Every write is one transaction; `transaction()`
    groups several writes into one. With `redact` (or when the store says so, see `redact`),
    secrets (API keys, tokens, private keys, password assignments) in every session field,
    message, signal payload and import state are replaced by `[REDACTED:<kind>]` before anything
    is stored or indexed. `mmap_mb` caps how much of the file each connection
    memory-maps (it speeds up searching a large store; bulk writers can pass 0 to keep their
    resident memory small).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        redact: bool = False,
        mmap_mb: int = 1024,
    ) -> None:
        self.path = str(path)
        self._db = Connections(self.path, readonly=readonly, mmap_mb=mmap_mb)
        self._db.open()
        self._redacting = False
        if redact and not self._db.readonly:
            self._db.write(_record_redaction)
        self._redacting = redact or self._db.read(_redaction_recorded)

    @property
    def redact(self) -> bool:
        """True when everything written to this store is redacted (a property of the store:
        recorded in it the first time `redact=True` or `sessionscope redact` asked for it)."""
        return self._redacting or self._db.read(self._redacts)

    def _redacts(self, conn: sqlite3.Connection) -> bool:
        """Whether writes redact (checked inside each write: another process may turn it on)."""
        if not self._redacting and _redaction_recorded(conn):
            self._redacting = True
        return self._redacting

    # -- housekeeping --------------------------------------------------------------------------

    @property
    def readonly(self) -> bool:
        """True when the file could only be opened for reading."""
        return self._db.readonly

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path!r}>"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make every store write inside the `with` block one all-or-nothing transaction."""
        with self._db.transaction():
            yield

    def schema_version(self) -> int:
        return self._db.read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])

    def data_version(self) -> int:
        """A number that changes whenever another connection commits (cheap change polling)."""
        return self._db.read(lambda c: c.execute("PRAGMA data_version").fetchone()[0])

    def change_marker(self) -> tuple[int, int]:
        """Changes when anyone, this connection included, has committed since the last call."""
        return self._db.read(
            lambda c: (c.execute("PRAGMA data_version").fetchone()[0], c.total_changes)
        )

    # -- sessions ------------------------------------------------------------------------------

    def start_session(
        self,
        title: str | None = None,
        source: str = "api",
        project: str | int | None = None,
        model: str | None = None,
        *,
        id: str | None = None,
        exist_ok: bool = False,
        **fields: Any,
    ) -> str:
        """Create a session and return its id (a new UUID unless `id` is given).

        Keywords: cwd, git_branch, source_ref, parent_session_id, status, started_at,
        experiment_id, variant, config_id, metadata. `project` may be a name/path or the id of
        a project made with `create_project`. With `exist_ok`, an existing id is returned as is.
        """
        unknown = set(fields) - _SESSION_FIELDS
        if unknown:
            raise InvalidInput(f"unknown session fields: {', '.join(sorted(unknown))}.")
        sid = str(id) if id is not None else str(uuid.uuid4())
        if not sid:
            raise InvalidInput("a session id cannot be empty.")
        if not isinstance(source, str) or not source:
            raise InvalidInput("source must be a non-empty string.")
        values: dict[str, Any] = {"title": title, "source": source, "model": model, **fields}
        if project is not None:
            values["project"] = project

        def run(conn: sqlite3.Connection) -> str:
            if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone():
                if exist_ok:
                    return sid
                raise InvalidInput(f"a session with id {sid} already exists.")
            row = self._session_values(conn, values)
            started = row.get("started_at") or now_iso()
            row["started_at"] = started
            row.setdefault("updated_at", started)
            row["id"] = sid
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            conn.execute(f"INSERT INTO sessions ({columns}) VALUES ({marks})", tuple(row.values()))
            return sid

        return self._db.write(run)

    def _session_values(self, conn: sqlite3.Connection, values: dict[str, Any]) -> dict[str, Any]:
        """Validate session fields and turn them into column values."""
        row: dict[str, Any] = {}
        if self._redacts(conn):
            values = redact_session_fields(values)
        for key, value in values.items():
            if value is None and key not in ("ended_at", "parent_session_id", "title"):
                continue
            if key in ("started_at", "updated_at", "ended_at"):
                value = normalize_ts(value)
            elif key == "metadata":
                value = blockcodec.encode_metadata(value)
            elif key == "project" and isinstance(value, int) and not isinstance(value, bool):
                found = conn.execute(
                    "SELECT name, root_path FROM projects WHERE id = ?", (value,)
                ).fetchone()
                if not found:
                    raise InvalidInput(f"no project has id {value}.")
                row["project_id"] = value
                value = found[1] or found[0]
            elif key == "variant" and value not in ("champion", "challenger"):
                raise InvalidInput(f"variant must be 'champion' or 'challenger', not {value!r}.")
            elif key in ("experiment_id", "config_id", "project_id"):
                if not isinstance(value, int) or isinstance(value, bool):
                    raise InvalidInput(f"{key} must be an integer id.")
                table = {
                    "experiment_id": "experiments",
                    "config_id": "agent_configs",
                    "project_id": "projects",
                }[key]
                if not conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (value,)).fetchone():
                    raise InvalidInput(f"no {table[:-1].replace('_', ' ')} has id {value}.")
            elif value is not None and not isinstance(value, str):
                raise InvalidInput(f"{key} must be a string, not {type(value).__name__}.")
            elif isinstance(value, str) and not _utf8_safe(value):
                raise InvalidInput(f"{key} holds a lone surrogate, which UTF-8 cannot store.")
            row[key] = value
        return row

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Set session fields (title, status, project, cwd, git_branch, model, ...)."""
        unknown = set(fields) - _SESSION_FIELDS
        if unknown:
            raise InvalidInput(f"unknown session fields: {', '.join(sorted(unknown))}.")

        def run(conn: sqlite3.Connection) -> None:
            self._require_session(conn, session_id)
            row = self._session_values(conn, fields)
            if not row:
                return
            sets = ", ".join(f"{key} = ?" for key in row)
            conn.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*row.values(), session_id))

        self._db.write(run)

    def end_session(
        self, session_id: str, status: str = "completed", ended_at: str | None = None
    ) -> None:
        """Mark a session ended with `status` (completed, failed, aborted, ...)."""
        if not isinstance(status, str) or not status:
            raise InvalidInput("status must be a non-empty string.")
        moment = normalize_ts(ended_at) or now_iso()

        def run(conn: sqlite3.Connection) -> None:
            self._require_session(conn, session_id)
            conn.execute(
                "UPDATE sessions SET status = ?, ended_at = ?,"
                " updated_at = max(updated_at, ?) WHERE id = ?",
                (status, moment, moment, session_id),
            )

        self._db.write(run)

    def delete_session(self, session_id: str) -> bool:
        """Delete a session, its messages, signals and subagent sessions. False if absent."""

        def run(conn: sqlite3.Connection) -> bool:
            ids = [
                row[0]
                for row in conn.execute(
                    "WITH RECURSIVE tree(id) AS (SELECT id FROM sessions WHERE id = ?"
                    " UNION SELECT s.id FROM sessions s JOIN tree ON s.parent_session_id = tree.id)"
                    " SELECT id FROM tree",
                    (session_id,),
                )
            ]
            for sid in ids:
                conn.execute("DELETE FROM messages WHERE session_id = ?", (sid,))
                conn.execute("DELETE FROM signals WHERE session_id = ?", (sid,))
                conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
            return bool(ids)

        return self._db.write(run)

    @staticmethod
    def _require_session(conn: sqlite3.Connection, session_id: str) -> str:
        row = conn.execute("SELECT updated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionNotFound(f"no session has id {session_id!r}.")
        return row[0]

    # -- messages ------------------------------------------------------------------------------

    def append(
        self,
        session_id: str,
        role: str,
        content: str | list[dict[str, Any]],
        *,
        replace: bool = False,
        **fields: Any,
    ) -> int:
        """Append one message and return its seq (0-based position in the session).

        Keywords: created_at, model, input_tokens, output_tokens, cache_read_tokens,
        cache_creation_tokens, cost_usd, external_id, metadata. A message whose `external_id`
        the session already holds is not added again: its seq is returned (and with `replace`,
        its content and counts are replaced).
        """
        return self.append_many(
            session_id, [{"role": role, "content": content, **fields}], replace=replace
        )[0]

    def append_many(
        self,
        session_id: str,
        messages: Iterable[Mapping[str, Any]],
        *,
        replace: bool = False,
    ) -> list[int]:
        """Append messages in one transaction; return their seqs. See `append` for the keys."""
        default_time = now_iso()
        redacting = self._redacting
        specs = _message_list(messages)
        rows = [_Row(spec, default_time, redacting) for spec in specs]
        if not rows:
            return []

        def run(conn: sqlite3.Connection) -> list[int]:
            nonlocal rows
            if not redacting and self._redacts(conn):  # turned on since: redact these too
                rows = [_Row(spec, default_time, True) for spec in specs]
            return self._insert(conn, session_id, rows, replace)

        return self._db.write(run)

    def _insert(
        self, conn: sqlite3.Connection, session_id: str, rows: list[_Row], replace: bool
    ) -> list[int]:
        updated_at = self._require_session(conn, session_id)
        # Collapse repeats of one external id inside the batch: it keeps the first position and
        # takes the last content when replacing (the first one otherwise).
        slot: dict[str, int] = {}
        unique: list[_Row] = []
        position: list[int] = []
        for row in rows:
            ext = row.external_id
            if ext is not None and ext in slot:
                if replace:
                    unique[slot[ext]] = row
                position.append(slot[ext])
                continue
            if ext is not None:
                slot[ext] = len(unique)
            position.append(len(unique))
            unique.append(row)
        existing: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
        external = list(slot)
        for start in range(0, len(external), 500):
            chunk = external[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for ext, mid, seq, *totals in conn.execute(
                "SELECT external_id, id, seq, input_tokens, output_tokens, cache_read_tokens,"
                " cache_creation_tokens, cost_usd FROM messages"
                f" WHERE session_id = ? AND external_id IN ({marks})",
                (session_id, *chunk),
            ):
                existing[ext] = (mid, seq, tuple(totals))
        next_seq = conn.execute(
            "SELECT coalesce(max(seq) + 1, 0) FROM messages WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        seqs: list[int] = []
        inserts: list[tuple[int, _Row]] = []
        deltas = [0, 0, 0, 0, 0.0]
        latest = updated_at
        model = None
        for row in unique:
            known = existing.get(row.external_id) if row.external_id is not None else None
            if known is not None:
                mid, seq, old = known
                seqs.append(seq)
                if replace:
                    conn.execute(_UPDATE_MESSAGE, (*row.values(session_id, seq)[2:], mid))
                    for k, value in enumerate(row.totals()):
                        deltas[k] += value - old[k]
                continue
            seqs.append(next_seq)
            inserts.append((next_seq, row))
            next_seq += 1
            for k, value in enumerate(row.totals()):
                deltas[k] += value
            latest = max(latest, row.created_at)
            model = model or row.model
        if inserts:
            _write_new_rows(conn, session_id, inserts)
        if inserts or any(deltas):
            conn.execute(
                "UPDATE sessions SET message_count = message_count + ?,"
                " input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,"
                " cache_read_tokens = cache_read_tokens + ?,"
                " cache_creation_tokens = cache_creation_tokens + ?, cost_usd = cost_usd + ?,"
                " updated_at = max(updated_at, ?), model = coalesce(model, ?) WHERE id = ?",
                (len(inserts), *deltas, latest, model, session_id),
            )
        return [seqs[p] for p in position]

    @staticmethod
    def _recount(conn: sqlite3.Connection, session_id: str) -> None:
        conn.execute(
            "UPDATE sessions SET (message_count, input_tokens, output_tokens, cache_read_tokens,"
            " cache_creation_tokens, cost_usd) = (SELECT count(*), coalesce(sum(input_tokens), 0),"
            " coalesce(sum(output_tokens), 0), coalesce(sum(cache_read_tokens), 0),"
            " coalesce(sum(cache_creation_tokens), 0), coalesce(sum(cost_usd), 0)"
            " FROM messages WHERE session_id = ?) WHERE id = ?",
            (session_id, session_id),
        )

    def save(
        self,
        session_id: str,
        messages: Sequence[Mapping[str, Any] | Message],
        title: str | None = None,
        **session_fields: Any,
    ) -> SaveResult:
        """Make the session's transcript exactly `messages`, writing only rows that changed.

        Creates the session when it does not exist. A message without `created_at` keeps the
        time already stored for its position.
        """
        default_time = now_iso()
        specs = [_message_spec(m) for m in _message_list(messages)]

        def run(conn: sqlite3.Connection) -> SaveResult:
            redacting = self._redacts(conn)
            if not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                self.start_session(title=title, id=session_id, **session_fields)
            elif title is not None or session_fields:
                self.update_session(
                    session_id, **({"title": title} if title else {}), **session_fields
                )
            old = {
                row[1]: row
                for row in conn.execute(
                    "SELECT id, seq, role, created_at, model, input_tokens, output_tokens,"
                    " cache_read_tokens, cache_creation_tokens, cost_usd, external_id, blocks,"
                    " metadata FROM messages WHERE session_id = ?",
                    (session_id,),
                )
            }
            inserted = unchanged = 0
            latest = ""
            new_rows: list[tuple[int, _Row]] = []
            changed: list[tuple[tuple[Any, ...], Any]] = []  # (values, current row)
            seen_ids: set[str] = set()
            for seq, spec in enumerate(specs):
                current = old.get(seq)
                row = _Row(
                    spec,
                    current[3] if current and not spec.get("created_at") else default_time,
                    redacting,
                )
                if row.external_id is not None:
                    if row.external_id in seen_ids:
                        raise InvalidInput(
                            f"external_id {row.external_id!r} appears twice in the transcript."
                        )
                    seen_ids.add(row.external_id)
                values = row.values(session_id, seq)
                latest = max(latest, row.created_at)
                if current is None:
                    new_rows.append((seq, row))
                    inserted += 1
                elif tuple(current[2:]) == values[2:]:
                    unchanged += 1
                else:
                    changed.append((values, current))
            stale = [row[0] for seq, row in old.items() if seq >= len(specs)]
            for mid in stale:
                conn.execute("DELETE FROM messages WHERE id = ?", (mid,))
            # a message that moved keeps its external id on a new seq: free the ids of every
            # changed row first, so no update meets an id another row still holds
            conn.executemany(
                "UPDATE messages SET external_id = NULL WHERE id = ?",
                [(current[0],) for values, current in changed if current[10] != values[10]],
            )
            for values, current in changed:
                conn.execute(_UPDATE_MESSAGE, (*values[2:], current[0]))
            updated = len(changed)
            if new_rows:
                _write_new_rows(conn, session_id, new_rows)
            if updated or stale:
                # a result in a rewritten or deleted message may also be held by another one
                toolcalls.pair_unpaired(conn, session_id)
            if inserted or updated or stale:
                self._recount(conn, session_id)
                conn.execute(
                    "UPDATE sessions SET updated_at = max(updated_at, ?) WHERE id = ?",
                    (latest or default_time, session_id),
                )
            return SaveResult(inserted, updated, len(stale), unchanged)

        return self._db.write(run)

    # -- reading -------------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionInfo | None:
        """One session's row (no messages), or None."""

        def run(conn: sqlite3.Connection) -> SessionInfo | None:
            row = conn.execute(
                f"SELECT {_SESSION_COLUMNS}, (SELECT count(*) FROM sessions c"
                " WHERE c.parent_session_id = sessions.id) FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            return None if row is None else _session_from_row(row[:-1], row[-1])

        return self._db.read(run)

    def resolve_session(self, ref: str) -> str:
        """The id of the session whose id is `ref` or starts with it (at least 4 characters)."""
        if not isinstance(ref, str):
            raise InvalidInput(f"a session id must be a string, not {type(ref).__name__}.")

        def run(conn: sqlite3.Connection) -> str:
            if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (ref,)).fetchone():
                return ref
            if len(ref) >= 4:
                pattern = like_escape(ref)
                rows = conn.execute(
                    "SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                    (pattern + "%",),
                ).fetchall()
                if len(rows) == 1:
                    return rows[0][0]
                if len(rows) > 1:
                    raise InvalidInput(
                        f"{ref!r} matches more than one session; give more of the id."
                    )
            elif (
                ref
                and conn.execute(
                    "SELECT 1 FROM sessions WHERE id LIKE ? ESCAPE '\\' LIMIT 1",
                    (like_escape(ref) + "%",),
                ).fetchone()
            ):
                raise InvalidInput(
                    f"{ref!r} is ambiguous: give at least 4 characters of the session id."
                )
            raise SessionNotFound(f"no session has id {ref!r}.")

        return self._db.read(run)

    def load(self, session_id: str) -> Session | None:
        """A session with its whole transcript, or None when it does not exist."""

        def run(conn: sqlite3.Connection) -> Session | None:
            info = self.session(session_id)
            if info is None:
                return None
            rows = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
            fields = {name: getattr(info, name) for name in SessionInfo.__dataclass_fields__}
            return Session(**fields, messages=[_message_from_row(r) for r in rows])

        return self._db.read(run)

    def sessions(
        self,
        limit: int | None = 100,
        project: str | None = None,
        source: str | None = None,
        since: str | None = None,
        *,
        until: str | None = None,
        offset: int = 0,
        order: str = "recent",
        parent: str | None = None,
        top_level: bool = False,
        experiment_id: int | None = None,
        variant: str | None = None,
        match: str | ListFilter | None = None,
    ) -> list[SessionInfo]:
        """Sessions, newest activity first (or by `order`: tokens, messages, cost, started, title).

        `project` matches a substring of the project path or name; `parent` lists the subagent
        sessions of one session; `top_level` leaves subagent sessions out; `match` is a list
        filter in the search language (`store.listfilter`), parsed or as typed.
        """
        where, params = self._session_filter(
            project, source, since, until, parent, top_level, experiment_id, variant
        )
        where, params = _with_match(where, params, match)
        sort = _SORTS.get(order) if isinstance(order, str) else None
        if sort is None:
            raise InvalidInput(f"order must be one of {', '.join(_SORTS)}, not {order!r}.")
        sql = (
            f"SELECT {', '.join('s.' + c.strip() for c in _SESSION_COLUMNS.split(','))},"
            " (SELECT count(*) FROM sessions c WHERE c.parent_session_id = s.id)"
            f" FROM sessions s {where} ORDER BY {sort} LIMIT ? OFFSET ?"
        )
        params += [
            -1 if limit is None else max(0, _int_arg(limit, "limit")),
            max(0, _int_arg(offset, "offset")),
        ]
        return self._db.read(
            lambda conn: [_session_from_row(row[:-1], row[-1]) for row in conn.execute(sql, params)]
        )

    def count_sessions(
        self,
        project: str | None = None,
        source: str | None = None,
        since: str | None = None,
        *,
        until: str | None = None,
        parent: str | None = None,
        top_level: bool = False,
        match: str | ListFilter | None = None,
    ) -> int:
        """How many sessions `sessions()` would list with the same filters and no limit."""
        where, params = self._session_filter(
            project, source, since, until, parent, top_level, None, None
        )
        where, params = _with_match(where, params, match)
        return self._db.read(
            lambda conn: conn.execute(
                f"SELECT count(*) FROM sessions s {where}", params
            ).fetchone()[0]
        )

    @staticmethod
    def _session_filter(
        project: str | None,
        source: str | None,
        since: str | None,
        until: str | None,
        parent: str | None,
        top_level: bool,
        experiment_id: int | None,
        variant: str | None,
    ) -> tuple[str, list[Any]]:
        for name, value in (
            ("project", project),
            ("source", source),
            ("since", since),
            ("until", until),
            ("parent", parent),
            ("variant", variant),
        ):
            if value is not None and not isinstance(value, str):
                raise InvalidInput(f"{name} must be a string, not {type(value).__name__}.")
        if experiment_id is not None:
            _int_arg(experiment_id, "experiment_id")
        clauses: list[str] = []
        params: list[Any] = []
        if project:
            clauses.append("s.project LIKE ? ESCAPE '\\'")
            params.append("%" + like_escape(project) + "%")
        if source:
            clauses.append("s.source = ?")
            params.append(source)
        if since:
            clauses.append("s.updated_at >= ?")
            params.append(normalize_ts(since))
        if until:
            clauses.append("s.started_at <= ?")
            params.append(normalize_ts(until))
        if parent is not None:
            clauses.append("s.parent_session_id = ?")
            params.append(parent)
        elif top_level:
            clauses.append("s.parent_session_id IS NULL")
        if experiment_id is not None:
            clauses.append("s.experiment_id = ?")
            params.append(experiment_id)
        if variant is not None:
            clauses.append("s.variant = ?")
            params.append(variant)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def messages(self, session_id: str, start: int = 0, stop: int | None = None) -> list[Message]:
        """Messages with `start <= seq < stop`, in order."""
        start, stop = _int_arg(start, "start"), None if stop is None else _int_arg(stop, "stop")
        return self._db.read(
            lambda conn: [
                _message_from_row(row)
                for row in conn.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ?"
                    " AND seq >= ? AND seq < ? ORDER BY seq",
                    (session_id, max(0, start), 2**62 if stop is None else stop),
                )
            ]
        )

    def message_count(self, session_id: str) -> int:
        """Number of messages in a session (0 when it does not exist)."""
        return self._db.read(
            lambda conn: conn.execute(
                "SELECT coalesce(max(seq) + 1, 0) FROM messages WHERE session_id = ?",
                (session_id,),
            ).fetchone()[0]
        )

    def scroll(
        self, session_id: str, around: int | None = None, before: int = 20, after: int = 20
    ) -> list[Message]:
        """A window of messages around seq `around` (negative counts from the end)."""
        around = 0 if around is None else _int_arg(around, "around")
        before, after = _int_arg(before, "before"), _int_arg(after, "after")
        if around < 0:
            around = self.message_count(session_id) + around
        return self.messages(session_id, around - before, around + after + 1)

    def find_message(self, session_id: str, external_id: str) -> Message | None:
        """The message a session holds under the source's own id, or None."""

        def run(conn: sqlite3.Connection) -> Message | None:
            key = redact_id(external_id) if self._redacts(conn) else external_id
            row = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ? AND external_id = ?",
                (session_id, key),
            ).fetchone()
            return None if row is None else _message_from_row(row)

        return self._db.read(run)

    def search(
        self,
        query: str,
        limit: int = 50,
        *,
        offset: int = 0,
        order: str = "rank",
        session_id: str | None = None,
    ) -> list[Hit]:
        """Ranked hits for a query in the search language (never raises on odd input).

        `order` is "rank" (bm25, prose above tool output), "time" (newest first) or "seq"
        (position, for moving between matches in one session).
        """
        if order not in ("rank", "time", "seq"):
            raise InvalidInput(f"order must be rank, time or seq, not {order!r}.")
        if not isinstance(query, str):
            raise InvalidInput(f"a search query must be a string, not {type(query).__name__}.")
        if session_id is not None and not isinstance(session_id, str):
            raise InvalidInput("session_id must be a string.")
        limit, offset = _int_arg(limit, "limit"), _int_arg(offset, "offset")
        return self._db.read(
            lambda conn: search_messages(
                conn, query, limit=limit, offset=offset, order=order, session_id=session_id
            )
        )

    def tool_calls(
        self, session_id: str, start: int = 0, stop: int | None = None
    ) -> dict[str, dict[str, Any]]:
        """Tool calls made by messages with `start <= seq < stop`, by tool_use id.

        Each has the tool's name, is_error (None until its result arrives), and the seq of the
        call and of its result. Driven by the (session, seq) index: a window of a 100,000-message
        session costs what the window holds.
        """
        start, stop = _int_arg(start, "start"), None if stop is None else _int_arg(stop, "stop")

        def run(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for use_id, name, is_error, call_seq, result_seq in conn.execute(
                "SELECT t.tool_use_id, t.name, t.is_error, m.seq, r.seq FROM messages m"
                " JOIN tool_calls t ON t.message_id = m.id"
                " LEFT JOIN messages r ON r.id = t.result_message_id"
                " WHERE m.session_id = ? AND m.seq >= ? AND m.seq < ? ORDER BY m.seq, t.id",
                (session_id, max(0, start), 2**62 if stop is None else stop),
            ):
                out[use_id or f"#{call_seq}"] = {
                    "name": name,
                    "is_error": None if is_error is None else bool(is_error),
                    "seq": call_seq,
                    "result_seq": result_seq,
                }
            return out

        return self._db.read(run)

    def window(
        self,
        session_id: str,
        start: int | None = 0,
        stop: int | None = None,
        *,
        info: bool = False,
        calls: bool = False,
        session_calls_limit: int = 0,
        children: bool = False,
        tail: int | None = None,
        tail_limit: int | None = None,
    ) -> Window:
        """Messages `start <= seq < stop` and the message count, from one read transaction.

        `start` and `stop` work like slice indices (negative: from the end; `stop=None`: to
        the end). On request, from the same snapshot: the session's row (`info`), its tool calls
        (`calls`: those made in the window, or the whole session's when it holds at most
        `session_calls_limit` messages), its subagent sessions (`children`), and the messages
        from seq `tail` to the end, at most the last `tail_limit` of them (`tail`).
        """
        start, stop, tail, tail_limit = (
            None if value is None else _int_arg(value, name)
            for value, name in (
                (start, "start"),
                (stop, "stop"),
                (tail, "tail"),
                (tail_limit, "tail_limit"),
            )
        )
        session_calls_limit = _int_arg(session_calls_limit, "session_calls_limit")
        return self._db.read(
            lambda conn: read_window(
                conn,
                self,
                session_id,
                start,
                stop,
                info=info,
                calls=calls,
                session_calls_limit=session_calls_limit,
                children=children,
                tail=tail,
                tail_limit=tail_limit,
            )
        )

    def recent_inputs(self, limit: int = 20) -> list[str]:
        """Distinct real user prompts, newest first.

        Not: tool results, meta or system records, subagent prompts, or user messages whose
        metadata has a `kind` (slash-command wrappers, interrupt markers).
        """
        limit = _int_arg(limit, "limit")

        def run(conn: sqlite3.Connection) -> list[str]:
            seen: set[str] = set()
            out: list[str] = []
            cursor = conn.execute(
                "SELECT m.blocks FROM messages m JOIN sessions s ON s.id = m.session_id"
                " WHERE m.role = 'user' AND s.parent_session_id IS NULL"
                # a kind marks what the user did not type: slash commands, interrupt markers
                " AND json_extract(m.metadata, '$.kind') IS NULL"
                " ORDER BY m.created_at DESC, m.id DESC"
            )
            for (raw,) in cursor:
                text = blocks_text(blockcodec.decode(raw), thinking=False).strip()
                if text and text not in seen:
                    seen.add(text)
                    out.append(text)
                    if len(out) >= limit:
                        break
            return out

        return self._db.read(run)

    def counts(self) -> dict[str, int]:
        """Sessions, messages and token totals from the sessions table alone (cheap, for headers)."""

        def run(conn: sqlite3.Connection) -> dict[str, int]:
            sessions, messages, tokens_in, tokens_out = conn.execute(
                "SELECT count(*), coalesce(sum(message_count), 0), coalesce(sum(input_tokens), 0),"
                " coalesce(sum(output_tokens), 0) FROM sessions"
            ).fetchone()
            return {
                "sessions": sessions,
                "messages": messages,
                "input_tokens": tokens_in,
                "output_tokens": tokens_out,
            }

        return self._db.read(run)

    def stats(self) -> Stats:
        """Whole-store counts."""

        def run(conn: sqlite3.Connection) -> Stats:
            sessions, in_tok, out_tok, cost, first, last = conn.execute(
                "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),"
                " coalesce(sum(cost_usd), 0), min(started_at), max(updated_at) FROM sessions"
            ).fetchone()
            by_source = dict(
                conn.execute(
                    "SELECT source, count(*) FROM sessions GROUP BY source ORDER BY 2 DESC"
                )
            )
            by_role = dict(
                conn.execute("SELECT role, count(*) FROM messages GROUP BY role ORDER BY 2 DESC")
            )
            calls, failed = conn.execute(
                "SELECT count(*), coalesce(sum(is_error = 1), 0) FROM tool_calls"
            ).fetchone()
            size = 0
            if not self._db.memory:
                for suffix in ("", "-wal"):
                    p = Path(self.path + suffix)
                    if p.exists():
                        size += p.stat().st_size
            return Stats(
                sessions=sessions,
                messages=sum(by_role.values()),
                by_source=by_source,
                by_role=by_role,
                input_tokens=in_tok,
                output_tokens=out_tok,
                cost_usd=cost,
                tool_calls=calls,
                failed_tool_calls=failed,
                first_at=first,
                last_at=last,
                schema_version=SCHEMA_VERSION,
                path=self.path,
                file_bytes=size,
            )

        return self._db.read(run)

    def check(self, *, full: bool = False) -> list[str]:
        """Integrity problems (empty when healthy); `full` also verifies the search index."""
        return self.health(full=full).problems

    def health(self, *, full: bool = False) -> Health:
        """Schema version, counts and integrity problems, as of one consistent moment."""
        from .health import examine

        return self._db.read(lambda conn: examine(conn, full=full))

    # -- signals -------------------------------------------------------------------------------

    def record_signal(
        self,
        session_id: str,
        kind: str,
        source: str,
        value: float,
        payload: Any = None,
    ) -> int:
        """Score a session: kind explicit or implicit, value in [0, 1]. Returns the signal id."""
        if kind not in ("explicit", "implicit"):
            raise InvalidInput(f"signal kind must be 'explicit' or 'implicit', not {kind!r}.")
        if not isinstance(source, str) or not source:
            raise InvalidInput("signal source must be a non-empty string.")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InvalidInput(f"signal value must be a number in [0, 1], not {value!r}.")

        def run(conn: sqlite3.Connection) -> int:
            self._require_session(conn, session_id)
            value_ = redact_secrets(payload) if self._redacts(conn) else payload
            encoded = None if payload is None else blockcodec.encode(value_)
            cursor = conn.execute(
                "INSERT INTO signals (session_id, kind, source, value, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, kind, source, float(value), encoded, now_iso()),
            )
            return int(cursor.lastrowid or 0)

        return self._db.write(run)

    def signals(self, session_id: str) -> list[dict[str, Any]]:
        """A session's signals, oldest first."""
        return self._db.read(
            lambda conn: [
                {
                    "id": row[0],
                    "kind": row[1],
                    "source": row[2],
                    "value": row[3],
                    "payload": None
                    if row[4] is None
                    else blockcodec.decode_metadata(row[4]) or blockcodec.decode(row[4]),
                    "created_at": row[5],
                }
                for row in conn.execute(
                    "SELECT id, kind, source, value, payload, created_at FROM signals"
                    " WHERE session_id = ? ORDER BY id",
                    (session_id,),
                )
            ]
        )

    # -- import state --------------------------------------------------------------------------

    def import_state(self, path: str) -> ImportState | None:
        """What was already imported from one source file, or None."""

        def run(conn: sqlite3.Connection) -> ImportState | None:
            row = conn.execute(
                'SELECT path, source, size, mtime, "offset", line_no, state, updated_at'
                " FROM import_state WHERE path = ?",
                (path,),
            ).fetchone()
            if row is None:
                return None
            return ImportState(*row[:6], blockcodec.decode_metadata(row[6]), row[7])

        return self._db.read(run)

    def import_states(self, source: str | None = None) -> dict[str, ImportState]:
        """Every file's import state (for one source), keyed by path."""

        def run(conn: sqlite3.Connection) -> dict[str, ImportState]:
            sql = (
                'SELECT path, source, size, mtime, "offset", line_no, state, updated_at'
                " FROM import_state"
            )
            rows = (
                conn.execute(sql + " WHERE source = ?", (source,)) if source else conn.execute(sql)
            )
            return {r[0]: ImportState(*r[:6], blockcodec.decode_metadata(r[6]), r[7]) for r in rows}

        return self._db.read(run)

    def set_import_state(
        self,
        path: str,
        *,
        source: str,
        size: int,
        mtime: float,
        offset: int,
        line_no: int = 0,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Remember how far a source file was imported (call inside the same `transaction()`)."""

        def run(conn: sqlite3.Connection) -> None:
            saved = redact_secrets(state) if state and self._redacts(conn) else state
            conn.execute(
                'INSERT INTO import_state (path, source, size, mtime, "offset", line_no, state,'
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
                " source = excluded.source, size = excluded.size, mtime = excluded.mtime,"
                ' "offset" = excluded."offset", line_no = excluded.line_no,'
                " state = excluded.state, updated_at = excluded.updated_at",
                (
                    path,
                    source,
                    size,
                    mtime,
                    offset,
                    line_no,
                    blockcodec.encode_metadata(saved),
                    now_iso(),
                ),
            )

        self._db.write(run)

    # -- redaction after the fact -------------------------------------------------------------

    def redact_existing(self) -> ScrubReport:
        """Turn redaction on for good and rewrite everything already stored (see `scrub`)."""
        from .scrub import scrub

        report = scrub(self._db, _record_redaction)
        self._redacting = True
        return report

    # -- escape hatch for the rest of the store package -----------------------------------------

    def _read(self, fn: Any) -> Any:
        return self._db.read(fn)

    def _write(self, fn: Any) -> Any:
        return self._db.write(fn)


def _message_list(messages: Any) -> list[Any]:
    """The messages of an `append_many` or `save` call as a list, or InvalidInput."""
    if isinstance(messages, (str, bytes, bytearray, Mapping)) or not isinstance(messages, Iterable):
        raise InvalidInput(f"messages must be a list of dicts, not {type(messages).__name__}.")
    return list(messages)


def _message_spec(message: Mapping[str, Any] | Message) -> Mapping[str, Any]:
    if isinstance(message, Message):
        return {
            "role": message.role,
            "content": message.blocks,
            "created_at": message.created_at,
            "model": message.model,
            "input_tokens": message.input_tokens,
            "output_tokens": message.output_tokens,
            "cache_read_tokens": message.cache_read_tokens,
            "cache_creation_tokens": message.cache_creation_tokens,
            "cost_usd": message.cost_usd,
            "external_id": message.external_id,
            "metadata": message.metadata or None,
        }
    if not isinstance(message, Mapping):
        raise InvalidInput(f"a message must be a dict, not {type(message).__name__}.")
    return message


def _with_match(
    where: str, params: list[Any], match: str | ListFilter | None
) -> tuple[str, list[Any]]:
    """`where` and `params` with a list filter's conditions added (an invalid one refused)."""
    if match is None:
        return where, params
    if isinstance(match, str):
        match = parse_list_filter(match)
    elif not isinstance(match, ListFilter):
        raise InvalidInput(f"match must be a string, not {type(match).__name__}.")
    if match.errors:
        raise InvalidInput(match.errors[0])
    if not match.clauses:
        return where, params
    joined = " AND ".join(match.clauses)
    return (f"{where} AND {joined}" if where else f"WHERE {joined}"), [*params, *match.params]
