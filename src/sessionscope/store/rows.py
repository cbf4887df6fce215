"""Message rows: validating a message into a `Row`, and the bulk writer that inserts rows.

`write_new_rows` inserts messages with their search (FTS and trigram) and tool-call rows in bulk,
inside the caller's write transaction: several times faster than per-row triggers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from . import blocks as blockcodec
from . import bulkindex, toolcalls
from .errors import InvalidInput
from .models import Message
from .redact import redact_message
from .schema import NO_SPACE_GLOB
from .spec import ROLES, MessageSpec
from .timeutil import CANONICAL as _CANONICAL_TS
from .timeutil import normalize_ts
from .validate import MAX_COUNT, MESSAGE_KEYS, cost, count, utf8_safe

_INF = float("inf")


MESSAGE_COLUMNS = (
    "id, session_id, seq, role, blocks, created_at, model, input_tokens, output_tokens, "
    "cache_read_tokens, cache_creation_tokens, cost_usd, external_id, metadata"
)


def message_from_row(row: Sequence[Any]) -> Message:
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


class Row:
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

    def __init__(self, spec: MessageSpec, default_time: str, redact: bool = False) -> None:
        if type(spec) is not dict and not isinstance(spec, Mapping):
            raise InvalidInput(f"a message must be a dict, not {type(spec).__name__}.")
        if not MESSAGE_KEYS.issuperset(spec):
            unknown = set(spec) - MESSAGE_KEYS
            raise InvalidInput(f"unknown message keys: {', '.join(sorted(map(str, unknown)))}.")
        if redact:
            spec = redact_message(spec)
        role = spec.get("role")
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}.")
        if "content" not in spec:
            raise InvalidInput("a message needs 'content' (a string or a list of blocks).")
        self.role = role
        # one walk checks the nesting and the JSON types (see blocks.encode_content)
        self.blocks = blocks = blockcodec.normalize(spec["content"])
        self.blocks_json, plain = blockcodec.encode_content(blocks)
        # the searchable text, computed here unless SQLite must compute it (see schema.py)
        self.projection = blockcodec.project_json(blocks, self.blocks_json) if plain else None
        created = spec.get("created_at")
        self.created_at = (
            created
            if type(created) is str and len(created) == 24 and _CANONICAL_TS.match(created)
            else normalize_ts(created) or default_time
        )
        model = spec.get("model")
        if model is not None and (type(model) is not str or not model.isascii()):
            if not isinstance(model, str):
                raise InvalidInput(f"model must be a string, not {type(model).__name__}.")
            if not utf8_safe(model):
                raise InvalidInput("model holds a lone surrogate, which UTF-8 cannot store.")
        self.model = model
        # `validate.count`, with the common case (a small int) inline
        n = spec.get("input_tokens")
        self.input_tokens = (
            n if type(n) is int and 0 <= n <= MAX_COUNT else count(n, "input_tokens")
        )
        n = spec.get("output_tokens")
        self.output_tokens = (
            n if type(n) is int and 0 <= n <= MAX_COUNT else count(n, "output_tokens")
        )
        n = spec.get("cache_read_tokens")
        self.cache_read_tokens = (
            n if type(n) is int and 0 <= n <= MAX_COUNT else count(n, "cache_read_tokens")
        )
        n = spec.get("cache_creation_tokens")
        self.cache_creation_tokens = (
            n if type(n) is int and 0 <= n <= MAX_COUNT else count(n, "cache_creation_tokens")
        )
        spent = spec.get("cost_usd")
        self.cost_usd = spent if type(spent) is float and 0 <= spent < _INF else cost(spent)
        external_id = spec.get("external_id")
        if external_id is not None and (type(external_id) is not str or not external_id.isascii()):
            if not isinstance(external_id, str):
                external_id = str(external_id)
            if not utf8_safe(external_id):
                raise InvalidInput("external_id holds a lone surrogate, which UTF-8 cannot store.")
        self.external_id = external_id
        metadata = spec.get("metadata")
        self.metadata = blockcodec.encode_metadata(metadata) if metadata else None

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


INSERT_WITH_ID = (
    "INSERT INTO messages (id, session_id, seq, role, created_at, model, input_tokens,"
    " output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, external_id, blocks,"
    " metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_MESSAGE = (
    "UPDATE messages SET role = ?, created_at = ?, model = ?, input_tokens = ?,"
    " output_tokens = ?, cache_read_tokens = ?, cache_creation_tokens = ?, cost_usd = ?,"
    " external_id = ?, blocks = ?, metadata = ? WHERE id = ?"
)


INSERT_FTS = "INSERT INTO messages_fts (rowid, text, tools) VALUES (?, ?, ?)"
INSERT_CJK = "INSERT INTO messages_cjk (rowid, body) VALUES (?, ?)"
# rows whose JSON escapes lone surrogates: SQLite projects their text (see schema.TEXT_OF)
INSERT_FTS_BY_SQL = (
    "INSERT INTO messages_fts (rowid, text, tools) SELECT id, text, tools FROM message_text"
    " WHERE id = ?"
)
INSERT_CJK_BY_SQL = (
    "INSERT INTO messages_cjk (rowid, body)"
    " SELECT id, coalesce(text, '') || char(10) || coalesce(tools, '') FROM message_text"
    f" WHERE id = ? AND (coalesce(text, '') || coalesce(tools, '')) GLOB '{NO_SPACE_GLOB}'"
)


def write_new_rows(
    conn: sqlite3.Connection,
    session_id: str,
    rows: list[tuple[int, Row]],
    *,
    first_rows: bool = False,
) -> list[int]:
    """Insert (seq, row) pairs with their FTS, trigram and tool-call rows; return message ids.

    Runs inside the caller's write transaction, which holds the write lock, so ids from
    max(id) + 1 are ours. Indexing here in bulk is several times faster than per-row triggers.
    `first_rows`: the session had no message before, so no earlier call waits for a result.
    """
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM messages").fetchone()[0]
    ids = range(first, first + len(rows))
    conn.executemany(
        INSERT_WITH_ID,
        [(mid, *row.values(session_id, seq)) for mid, (seq, row) in zip(ids, rows, strict=True)],
    )
    fts: list[tuple[int, str | None, str | None]] = []
    cjk: list[tuple[int, str]] = []
    by_sql: list[tuple[int]] = []
    calls: dict[str, list[tuple[int, list[Any]]]] = {}  # use id -> (seq, row) of each call
    unnamed_calls: list[tuple[Any, ...]] = []
    results: list[tuple[str, int, int, int]] = []  # (use id, message id, is_error, seq)
    no_space = blockcodec.has_no_space_script
    for mid, (seq, row) in zip(ids, rows, strict=True):
        if row.projection is None:
            by_sql.append((mid,))
        else:
            text, tools = row.projection
            fts.append((mid, text, tools))
            if no_space(text) or no_space(tools):
                cjk.append((mid, (text or "") + "\n" + (tools or "")))
        # the block types as JSON strings: most messages hold no call or result (a superset)
        if '"tool_use"' in row.blocks_json:
            for use_id, name in toolcalls.calls_in(row.blocks):
                call = [mid, session_id, use_id, name, None, None]
                if use_id is not None:
                    calls.setdefault(use_id, []).append((seq, call))  # repeated ids keep all
                else:
                    unnamed_calls.append(tuple(call))
        if '"tool_result"' in row.blocks_json:
            for use_id, is_error in toolcalls.results_in(row.blocks):
                results.append((use_id, mid, is_error, seq))
    # inside Store.bulk(), the index rows wait for the transaction's commit (see bulkindex)
    index = bulkindex.pending(conn)
    write = conn.executemany if index is None else index.add
    write(INSERT_FTS, fts)
    if cjk:
        write(INSERT_CJK, cjk)
    if by_sql:
        write(INSERT_FTS_BY_SQL, by_sql)
        write(INSERT_CJK_BY_SQL, by_sql)
    # A call pairs with the latest result at or after it (results are in seq order, so a later
    # one overwrites): the calls of earlier writes first, before this batch's rows exist ...
    if results and not first_rows:
        conn.executemany(
            "UPDATE tool_calls SET result_message_id = ?, is_error = ?"
            " WHERE session_id = ? AND tool_use_id = ?"
            " AND (SELECT seq FROM messages WHERE id = tool_calls.message_id) <= ?",
            [(mid, is_error, session_id, use_id, seq) for use_id, mid, is_error, seq in results],
        )
    # ... then this batch's own calls, each with a result of the batch at or after it
    for use_id, mid, is_error, result_seq in results:
        for call_seq, call in calls.get(use_id, ()):
            if call_seq <= result_seq:
                call[4], call[5] = is_error, mid
    conn.executemany(
        "INSERT INTO tool_calls (message_id, session_id, tool_use_id, name, is_error,"
        " result_message_id) VALUES (?, ?, ?, ?, ?, ?)",
        [tuple(c) for group in calls.values() for _seq, c in group] + unnamed_calls,
    )
    return list(ids)
