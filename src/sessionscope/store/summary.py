"""Whole-store figures: the cheap header counts and the full `Stats`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

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


def stats(
    conn: sqlite3.Connection,
    path: str,
    *,
    memory: bool,
    since: str | None = None,
    until: str | None = None,
) -> Stats:
    """Whole-store counts, or with `since`/`until` (`30d`, `2026-10-01`, ...) those of the
    messages of the days in [since, until] (whole UTC days, as `usage` counts them: sessions
    are those with a message then); `path` (unless `memory`) is measured with its WAL file."""
    if since is None and until is None:
        figures = _whole_store(conn)
    else:
        from .usage import period_day

        figures = _period(conn, period_day("since", since), period_day("until", until))
    size = 0
    if not memory:
        for suffix in ("", "-wal"):
            p = Path(path + suffix)
            if p.exists():
                size += p.stat().st_size
    return Stats(**figures, schema_version=SCHEMA_VERSION, path=path, file_bytes=size)


# The totals both scopes read first, in this order.
_TOTALS = (
    "sessions",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "cost_usd",
    "first_at",
    "last_at",
)


def _figures(
    totals: tuple[Any, ...],
    by_source: dict[str, int],
    by_role: dict[str, int],
    calls: tuple[int, int],
    unpriced: int,
) -> dict[str, Any]:
    """`Stats`' figures from what either scope read: its totals (in `_TOTALS` order), sessions by
    source, messages by role, (tool calls, failed ones) and replies with no known price."""
    return {
        **dict(zip(_TOTALS, totals, strict=True)),
        "messages": sum(by_role.values()),
        "by_source": by_source,
        "by_role": by_role,
        "tool_calls": calls[0],
        "failed_tool_calls": calls[1],
        "unpriced_messages": unpriced,
    }


def _whole_store(conn: sqlite3.Connection) -> dict[str, Any]:
    totals = conn.execute(
        "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),"
        " coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_creation_tokens), 0),"
        " coalesce(sum(cost_usd), 0), min(started_at), max(updated_at) FROM sessions"
    ).fetchone()
    by_source = dict(
        conn.execute("SELECT source, count(*) FROM sessions GROUP BY source ORDER BY 2 DESC")
    )
    by_role = dict(
        conn.execute("SELECT role, count(*) FROM messages GROUP BY role ORDER BY 2 DESC")
    )
    calls = conn.execute(
        "SELECT count(*), coalesce(sum(is_error = 1), 0) FROM tool_calls"
    ).fetchone()
    unpriced = conn.execute(  # the partial index messages_unpriced
        "SELECT count(*) FROM messages WHERE role = 'assistant'"
        " AND json_extract(metadata, '$.unpriced') = 1"
    ).fetchone()[0]
    return _figures(totals, by_source, by_role, calls, unpriced)


def _period(conn: sqlite3.Connection, since: str | None, until: str | None) -> dict[str, Any]:
    """The figures of the messages whose day (UTC) is in [since, until] (either may be None)."""
    from .usage import days_where

    period, params = days_where(since, until, "m.day")
    totals = conn.execute(
        "SELECT count(DISTINCT m.session_id), coalesce(sum(m.input_tokens), 0),"
        " coalesce(sum(m.output_tokens), 0), coalesce(sum(m.cache_read_tokens), 0),"
        " coalesce(sum(m.cache_creation_tokens), 0), coalesce(sum(m.cost_usd), 0.0),"
        f" min(m.created_at), max(m.created_at) FROM messages AS m WHERE {period}",
        params,
    ).fetchone()
    by_source = dict(
        conn.execute(
            "SELECT s.source, count(DISTINCT m.session_id) FROM messages AS m"
            f" JOIN sessions AS s ON s.id = m.session_id WHERE {period}"
            " GROUP BY s.source ORDER BY 2 DESC, 1",
            params,
        )
    )
    by_role = dict(
        conn.execute(
            f"SELECT m.role, count(*) FROM messages AS m WHERE {period}"
            " GROUP BY m.role ORDER BY 2 DESC",
            params,
        )
    )
    calls = conn.execute(
        "SELECT count(*), coalesce(sum(t.is_error = 1), 0) FROM tool_calls AS t"
        f" JOIN messages AS m ON m.id = t.message_id WHERE {period}",
        params,
    ).fetchone()
    unpriced = conn.execute(
        f"SELECT count(*) FROM messages AS m WHERE {period} AND m.role = 'assistant'"
        " AND json_extract(m.metadata, '$.unpriced') = 1",
        params,
    ).fetchone()[0]
    figures = _figures(totals, by_source, by_role, calls, unpriced)
    figures["cost_usd"] = float(figures["cost_usd"])
    return {**figures, "since": since, "until": until}
