"""Whole-store figures: the cheap header counts and the full `Stats`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .models import Stats
from .schema import SCHEMA_VERSION


def counts(conn: sqlite3.Connection) -> dict[str, float]:
    """Sessions, messages, token and cost totals from the sessions table alone (cheap, for
    headers); `cost_usd` sums what was priced (unpriced messages add nothing)."""
    sessions, messages, tokens_in, tokens_out, cache_read, cache_write, cost = conn.execute(
        "SELECT count(*), coalesce(sum(message_count), 0), coalesce(sum(input_tokens), 0),"
        " coalesce(sum(output_tokens), 0), coalesce(sum(cache_read_tokens), 0),"
        " coalesce(sum(cache_creation_tokens), 0), coalesce(sum(cost_usd), 0.0) FROM sessions"
    ).fetchone()
    return {
        "sessions": sessions,
        "messages": messages,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "cost_usd": float(cost),
        "cache_read_tokens": cache_read,
        "cache_creation_tokens": cache_write,
    }


def stats(conn: sqlite3.Connection, path: str, *, memory: bool) -> Stats:
    """Whole-store counts; `path` (unless `memory`) is measured with its WAL file."""
    sessions, in_tok, out_tok, cost, first, last = conn.execute(
        "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),"
        " coalesce(sum(cost_usd), 0), min(started_at), max(updated_at) FROM sessions"
    ).fetchone()
    by_source = dict(
        conn.execute("SELECT source, count(*) FROM sessions GROUP BY source ORDER BY 2 DESC")
    )
    by_role = dict(
        conn.execute("SELECT role, count(*) FROM messages GROUP BY role ORDER BY 2 DESC")
    )
    calls, failed = conn.execute(
        "SELECT count(*), coalesce(sum(is_error = 1), 0) FROM tool_calls"
    ).fetchone()
    cache_read, cache_write = conn.execute(
        "SELECT coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_creation_tokens), 0)"
        " FROM sessions"
    ).fetchone()
    unpriced = conn.execute(  # the partial index messages_unpriced
        "SELECT count(*) FROM messages WHERE role = 'assistant'"
        " AND json_extract(metadata, '$.unpriced') = 1"
    ).fetchone()[0]
    size = 0
    if not memory:
        for suffix in ("", "-wal"):
            p = Path(path + suffix)
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
        path=path,
        file_bytes=size,
        cache_read_tokens=cache_read,
        cache_creation_tokens=cache_write,
        unpriced_messages=unpriced,
    )
