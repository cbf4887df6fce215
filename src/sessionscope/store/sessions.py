"""Session rows: creating, changing, ending, deleting, finding and listing sessions.

Plain functions on a `sqlite3.Connection`; the `Store` opens the transaction and passes in
whether writes redact (see `side.redacting`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from . import blocks as blockcodec
from . import bulkindex, validate
from .errors import InvalidInput, SessionNotFound
from .models import Session, SessionInfo
from .query import like_escape
from .redact import redact_session_fields, redact_text
from .redact_keys import redact_key
from .rows import MESSAGE_COLUMNS, message_from_row
from .timeutil import normalize_ts, now_iso
from .validate import int_arg, utf8_safe

SESSION_COLUMNS = (
    "id, source, source_ref, title, status, project, project_id, cwd, git_branch, model, "
    "parent_session_id, experiment_id, variant, config_id, started_at, updated_at, ended_at, "
    "message_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
    "cost_usd, metadata"
)
SORTS = {
    "recent": "s.updated_at DESC, s.id",
    "started": "s.started_at DESC, s.id",
    "tokens": "(s.input_tokens + s.output_tokens) DESC, s.updated_at DESC",
    "messages": "s.message_count DESC, s.updated_at DESC",
    "cost": "s.cost_usd DESC, s.updated_at DESC",
    "title": "s.title COLLATE NOCASE, s.updated_at DESC",
}
_CHILDREN = "(SELECT count(*) FROM sessions c WHERE c.parent_session_id = s.id)"
# what a person added (store.marks): tags (joined by the unit separator), pin, note
PINNED_IDS = "SELECT session_id FROM session_marks WHERE pinned_at IS NOT NULL"
_MARKS = (
    "(SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM session_tags t"
    " WHERE t.session_id = s.id ORDER BY tag)), k.pinned_at IS NOT NULL, k.note"
)
_FROM = "FROM sessions s LEFT JOIN session_marks k ON k.session_id = s.id"
_N_COLUMNS = len(SESSION_COLUMNS.split(","))
_SELECT = f"SELECT {', '.join('s.' + c.strip() for c in SESSION_COLUMNS.split(','))}"


def session_from_row(row: Sequence[Any], child_count: int = 0) -> SessionInfo:
    """A `SessionInfo` from the columns of `SESSION_COLUMNS` (and, when the row holds them
    after those, the child count and the marks: tags, pinned, note)."""
    values = list(row)
    base, extra = values[:_N_COLUMNS], values[_N_COLUMNS:]
    metadata = blockcodec.decode_metadata(base[-1])
    marks: dict[str, Any] = {}
    if len(extra) == 4:
        child_count = int(extra[0])
        marks = {
            "tags": tuple(extra[1].split("\x1f")) if extra[1] else (),
            "pinned": bool(extra[2]),
            "note": extra[3],
        }
    return SessionInfo(*base[:-1], child_count=child_count, metadata=metadata, **marks)  # type: ignore[misc]


def require(conn: sqlite3.Connection, session_id: str) -> str:
    """The session's updated_at, or SessionNotFound."""
    row = conn.execute("SELECT updated_at FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise SessionNotFound(f"no session has id {session_id!r}.")
    return str(row[0])


def exists(conn: sqlite3.Connection, session_id: str) -> bool:
    return conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is not None


# -- writing -------------------------------------------------------------------------------------


def column_values(
    conn: sqlite3.Connection, values: Mapping[str, Any], redacting: bool
) -> dict[str, Any]:
    """Validate session fields and turn them into column values."""
    row: dict[str, Any] = {}
    if redacting:
        values = redact_session_fields(dict(values))
        if isinstance(values.get("parent_session_id"), str):
            values["parent_session_id"] = redact_key(values["parent_session_id"])
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
            value = redact_text(value) if redacting else value  # a row from before redaction
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
        elif isinstance(value, str) and not utf8_safe(value):
            raise InvalidInput(f"{key} holds a lone surrogate, which UTF-8 cannot store.")
        row[key] = value
    return row


def start(
    conn: sqlite3.Connection,
    sid: str,
    values: Mapping[str, Any],
    *,
    exist_ok: bool,
    redacting: bool,
) -> str:
    """Insert session `sid` with validated `values` (see `Store.start_session`)."""
    if exists(conn, sid):
        if exist_ok:
            return sid
        raise InvalidInput(f"a session with id {sid} already exists.")
    row = column_values(conn, values, redacting)
    started = row.get("started_at") or now_iso()
    row["started_at"] = started
    row.setdefault("updated_at", started)
    row["id"] = sid
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO sessions ({columns}) VALUES ({marks})", tuple(row.values()))
    return sid


def update(
    conn: sqlite3.Connection, session_id: str, fields: Mapping[str, Any], *, redacting: bool
) -> None:
    """Set session fields (see `Store.update_session`)."""
    require(conn, session_id)
    row = column_values(conn, fields, redacting)
    if not row:
        return
    sets = ", ".join(f"{key} = ?" for key in row)
    conn.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*row.values(), session_id))


def end(conn: sqlite3.Connection, session_id: str, status: str, moment: str) -> None:
    """Mark a session ended (see `Store.end_session`)."""
    require(conn, session_id)
    conn.execute(
        "UPDATE sessions SET status = ?, ended_at = ?,"
        " updated_at = max(updated_at, ?) WHERE id = ?",
        (status, moment, moment, session_id),
    )


def delete(conn: sqlite3.Connection, session_id: str) -> bool:
    """Delete a session and its subagent sessions with their rows; False if absent."""
    bulkindex.flush(conn)  # the delete trigger takes each message out of the index
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
        conn.execute("DELETE FROM session_tags WHERE session_id = ?", (sid,))
        conn.execute("DELETE FROM session_marks WHERE session_id = ?", (sid,))
        conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
    return bool(ids)


def recount(conn: sqlite3.Connection, session_id: str) -> None:
    """Recompute a session's message count and token and cost totals from its messages."""
    conn.execute(
        "UPDATE sessions SET (message_count, input_tokens, output_tokens, cache_read_tokens,"
        " cache_creation_tokens, cost_usd) = (SELECT count(*), coalesce(sum(input_tokens), 0),"
        " coalesce(sum(output_tokens), 0), coalesce(sum(cache_read_tokens), 0),"
        " coalesce(sum(cache_creation_tokens), 0), coalesce(sum(cost_usd), 0)"
        " FROM messages WHERE session_id = ?) WHERE id = ?",
        (session_id, session_id),
    )


# -- reading -------------------------------------------------------------------------------------


def get(conn: sqlite3.Connection, session_id: str) -> SessionInfo | None:
    """One session's row (no messages), or None."""
    row = conn.execute(
        f"{_SELECT}, {_CHILDREN}, {_MARKS} {_FROM} WHERE s.id = ?", (session_id,)
    ).fetchone()
    return None if row is None else session_from_row(row)


_FIELD_NAMES = frozenset(name.strip() for name in SESSION_COLUMNS.split(","))


def fields(
    conn: sqlite3.Connection, session_id: str, names: Sequence[str]
) -> dict[str, Any] | None:
    """Some of one session's columns as stored (`Store.session_fields`), or None."""
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise InvalidInput("names must be a list of session field names.")
    unknown = [name for name in names if type(name) is not str or name not in _FIELD_NAMES]
    if unknown:
        raise InvalidInput(f"not session fields: {', '.join(map(repr, unknown))}.")
    row = conn.execute(
        f"SELECT {', '.join(names)} FROM sessions WHERE id = ?", (session_id,)
    ).fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def resolve(conn: sqlite3.Connection, ref: str) -> str:
    """The id of the session whose id is `ref` or starts with it (at least 4 characters)."""
    if exists(conn, ref):
        return ref
    if len(ref) >= 4:
        pattern = like_escape(ref)
        rows = conn.execute(
            "SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (pattern + "%",),
        ).fetchall()
        if len(rows) > 1:  # LIKE folds ASCII case; the prefix printed for an id is exact
            rows = conn.execute(
                "SELECT id FROM sessions WHERE substr(id, 1, ?) = ? LIMIT 2", (len(ref), ref)
            ).fetchall()
            if len(rows) != 1:
                raise InvalidInput(f"{ref!r} matches more than one session; give more of the id.")
        if rows:
            return str(rows[0][0])
    elif (
        ref
        and conn.execute(
            "SELECT 1 FROM sessions WHERE id LIKE ? ESCAPE '\\' LIMIT 1", (like_escape(ref) + "%",)
        ).fetchone()
    ):
        raise InvalidInput(
            f"{ref!r} is too short: a session id prefix needs at least 4 characters."
        )
    raise SessionNotFound(f"no session has id {ref!r}.")


def load(conn: sqlite3.Connection, session_id: str) -> Session | None:
    """A session with its whole transcript, or None when it does not exist."""
    info = get(conn, session_id)
    if info is None:
        return None
    rows = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY seq",
        (session_id,),
    ).fetchall()
    fields = {name: getattr(info, name) for name in SessionInfo.__dataclass_fields__}
    return Session(**fields, messages=[message_from_row(r) for r in rows])


def listing(
    conn: sqlite3.Connection,
    where: str,
    params: Sequence[Any],
    sort: str,
    limit: int | None,
    offset: int,
    pinned_first: bool = False,
) -> list[SessionInfo]:
    """Sessions matching a `filter_clause`, in a `sort_clause` order (see `Store.sessions`);
    with `pinned_first`, the pinned ones first (each part in that order)."""
    if not pinned_first:
        return _page(conn, where, params, sort, limit, offset)
    pinned_where = _and(where, f"s.id IN ({PINNED_IDS})")
    pinned = count(conn, pinned_where, params)
    if not pinned:
        return _page(conn, where, params, sort, limit, offset)
    rows = _page(conn, pinned_where, params, sort, limit, offset) if offset < pinned else []
    if limit is not None and len(rows) >= limit:
        return rows
    rest = None if limit is None else limit - len(rows)
    others = _page(
        conn,
        _and(where, f"s.id NOT IN ({PINNED_IDS})"),
        params,
        sort,
        rest,
        max(0, offset - pinned),
    )
    return rows + others


def _and(where: str, clause: str) -> str:
    return f"{where} AND {clause}" if where else f"WHERE {clause}"


def _page(
    conn: sqlite3.Connection,
    where: str,
    params: Sequence[Any],
    sort: str,
    limit: int | None,
    offset: int,
) -> list[SessionInfo]:
    # the page first, then its children counts and marks: computed for the rows shown only
    # (a subquery with LIMIT under a join is never flattened)
    sql = (
        f"{_SELECT}, {_CHILDREN}, {_MARKS} FROM (SELECT * FROM sessions s {where}"
        f" ORDER BY {sort} LIMIT ? OFFSET ?) s"
        f" LEFT JOIN session_marks k ON k.session_id = s.id ORDER BY {sort}"
    )
    bounds = [-1 if limit is None else max(0, limit), max(0, offset)]
    return [session_from_row(row) for row in conn.execute(sql, [*params, *bounds])]


def sort_clause(order: object) -> str:
    """The ORDER BY of a session order name, or InvalidInput."""
    sort = SORTS.get(order) if isinstance(order, str) else None
    if sort is None:
        raise InvalidInput(f"order must be one of {', '.join(SORTS)}, not {order!r}.")
    return sort


def count(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> int:
    """How many sessions match a `filter_clause`."""
    return int(conn.execute(f"SELECT count(*) FROM sessions s {where}", params).fetchone()[0])


def totals(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> tuple[int, float]:
    """How many top-level sessions match a `filter_clause` (one with `top_level`), and their
    cost with their subagents' (the sessions whose parent they are). Two reads: the matching
    rows, then the subagents (fewer) each joined to its parent by primary key."""
    count, cost = conn.execute(
        f"SELECT count(*), total(s.cost_usd) FROM sessions s {where}", params
    ).fetchone()
    joined = where.replace("WHERE ", "AND ", 1)
    (children,) = conn.execute(
        "SELECT total(c.cost_usd) FROM sessions c INDEXED BY sessions_parent"
        " CROSS JOIN sessions s ON s.id = c.parent_session_id"
        f" WHERE c.parent_session_id IS NOT NULL {joined}",
        params,
    ).fetchone()
    return int(count), float(cost) + float(children)


def filter_clause(
    project: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    parent: str | None,
    top_level: bool,
    experiment_id: int | None,
    variant: str | None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (on `sessions s`) and parameters of the session filters."""
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
        int_arg(experiment_id, "experiment_id")
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
        # unary +: not through the parent index (nearly every row is top-level), so that the
        # newest-first order walks sessions_updated and stops after a page (40 ms -> 1 ms at
        # 10,000 sessions)
        clauses.append("+s.parent_session_id IS NULL")
    if experiment_id is not None:
        clauses.append("s.experiment_id = ?")
        params.append(experiment_id)
    if variant is not None:
        clauses.append("s.variant = ?")
        params.append(variant)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def new_values(
    id: object,
    title: str | None,
    source: object,
    project: str | int | None,
    model: str | None,
    fields: Mapping[str, Any],
) -> tuple[str, dict[str, Any]]:
    """The id and field values of a new session, checked (see `Store.start_session`)."""
    validate.session_fields(fields)
    import uuid  # on use: the store opens without it

    sid = str(id) if id is not None else str(uuid.uuid4())
    if not sid:
        raise InvalidInput("a session id cannot be empty.")
    if not isinstance(source, str) or not source:
        raise InvalidInput("source must be a non-empty string.")
    values: dict[str, Any] = {"title": title, "source": source, "model": model, **fields}
    if project is not None:
        values["project"] = project
    return sid, values
