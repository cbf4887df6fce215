"""Messages: appending, the diff-save, and reading ranges, counts, tool calls and prompts.

Plain functions on a `sqlite3.Connection` inside the transaction the `Store` opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from . import blocks as blockcodec
from . import bulkindex, sessions, toolcalls, validate
from .errors import InvalidInput
from .models import Message, SaveResult, blocks_text
from .redact import redact_id
from .rows import MESSAGE_COLUMNS, UPDATE_MESSAGE, Row, message_from_row, write_new_rows
from .spec import MessageSpec

_END = 2**62  # past the last seq of any session


def append(conn: sqlite3.Connection, session_id: str, rows: list[Row], replace: bool) -> list[int]:
    """Append validated rows to a session; return their seqs (see `Store.append`)."""
    updated_at = sessions.require(conn, session_id)
    # Collapse repeats of one external id inside the batch: it keeps the first position and
    # takes the last content when replacing (the first one otherwise).
    slot: dict[str, int] = {}
    unique: list[Row] = []
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
    next_seq = conn.execute(
        "SELECT coalesce(max(seq) + 1, 0) FROM messages WHERE session_id = ?", (session_id,)
    ).fetchone()[0]
    first_rows = next_seq == 0  # a session without messages: none of the ids, no calls
    existing: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
    external = [] if first_rows else list(slot)
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
    seqs: list[int] = []
    inserts: list[tuple[int, Row]] = []
    deltas = [0, 0, 0, 0, 0.0]  # tokens and cost of rows replaced (their new minus old values)
    latest = updated_at
    model = None
    for row in unique:
        known = existing.get(row.external_id) if row.external_id is not None else None
        if known is not None:
            mid, seq, old = known
            seqs.append(seq)
            if replace:
                bulkindex.flush(conn)  # the update trigger takes the old row out of the index
                conn.execute(UPDATE_MESSAGE, (*row.values(session_id, seq)[2:], mid))
                for k, value in enumerate(row.totals()):
                    deltas[k] += value - old[k]
            continue
        seqs.append(next_seq)
        inserts.append((next_seq, row))
        next_seq += 1
        if row.created_at > latest:
            latest = row.created_at
        model = model or row.model
    if inserts:
        write_new_rows(conn, session_id, inserts, first_rows=first_rows)
        totals = zip(*(row.totals() for _seq, row in inserts), strict=True)
        for k, total in enumerate(map(sum, totals)):
            deltas[k] += total
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


def save(
    conn: sqlite3.Connection,
    session_id: str,
    specs: list[MessageSpec],
    *,
    default_time: str,
    redacting: bool,
    title: str | None,
    session_fields: Mapping[str, Any],
) -> SaveResult:
    """Make the session's transcript exactly `specs`, writing only changed rows (`Store.save`)."""
    bulkindex.flush(conn)  # rows it updates or deletes must be in the index (their triggers)
    if not sessions.exists(conn, session_id):
        fields = dict(session_fields)
        sid, new = sessions.new_values(
            session_id,
            title,
            fields.pop("source", "api"),
            fields.pop("project", None),
            fields.pop("model", None),
            fields,
        )
        sessions.start(conn, sid, new, exist_ok=False, redacting=redacting)
    elif title is not None or session_fields:
        validate.session_fields(session_fields)
        changes = {**({"title": title} if title else {}), **session_fields}
        sessions.update(conn, session_id, changes, redacting=redacting)
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
    new_rows: list[tuple[int, Row]] = []
    changed: list[tuple[tuple[Any, ...], Any]] = []  # (values, current row)
    seen_ids: set[str] = set()
    for seq, spec in enumerate(specs):
        current = old.get(seq)
        row = Row(
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
        conn.execute(UPDATE_MESSAGE, (*values[2:], current[0]))
    updated = len(changed)
    if new_rows:
        write_new_rows(conn, session_id, new_rows)
    if updated or stale:
        # a result in a rewritten or deleted message may also be held by another one
        toolcalls.pair_unpaired(conn, session_id)
    if inserted or updated or stale:
        sessions.recount(conn, session_id)
        conn.execute(
            "UPDATE sessions SET updated_at = max(updated_at, ?) WHERE id = ?",
            (latest or default_time, session_id),
        )
    return SaveResult(inserted, updated, len(stale), unchanged)


# -- reading -------------------------------------------------------------------------------------


def in_range(
    conn: sqlite3.Connection, session_id: str, start: int, stop: int | None
) -> list[Message]:
    """Messages with `start <= seq < stop`, in order."""
    return [
        message_from_row(row)
        for row in conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ?"
            " AND seq >= ? AND seq < ? ORDER BY seq",
            (session_id, max(0, start), _END if stop is None else stop),
        )
    ]


def count(conn: sqlite3.Connection, session_id: str) -> int:
    """Number of messages in a session (0 when it does not exist)."""
    return int(
        conn.execute(
            "SELECT coalesce(max(seq) + 1, 0) FROM messages WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
    )


def find(
    conn: sqlite3.Connection, session_id: str, external_id: str, *, redacting: bool
) -> Message | None:
    """The message a session holds under the source's own id, or None."""
    key = redact_id(external_id) if redacting else external_id
    row = conn.execute(
        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? AND external_id = ?",
        (session_id, key),
    ).fetchone()
    return None if row is None else message_from_row(row)


def tool_calls(
    conn: sqlite3.Connection, session_id: str, start: int, stop: int | None
) -> dict[str, dict[str, Any]]:
    """Tool calls made by messages with `start <= seq < stop`, by tool_use id."""
    out: dict[str, dict[str, Any]] = {}
    for use_id, name, is_error, call_seq, result_seq in conn.execute(
        "SELECT t.tool_use_id, t.name, t.is_error, m.seq, r.seq FROM messages m"
        " JOIN tool_calls t ON t.message_id = m.id"
        " LEFT JOIN messages r ON r.id = t.result_message_id"
        " WHERE m.session_id = ? AND m.seq >= ? AND m.seq < ? ORDER BY m.seq, t.id",
        (session_id, max(0, start), _END if stop is None else stop),
    ):
        out[use_id or f"#{call_seq}"] = {
            "name": name,
            "is_error": None if is_error is None else bool(is_error),
            "seq": call_seq,
            "result_seq": result_seq,
        }
    return out


def recent_inputs(conn: sqlite3.Connection, limit: int) -> list[str]:
    """Distinct real user prompts, newest first (see `Store.recent_inputs`)."""
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
