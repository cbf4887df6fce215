"""Usage over a period, grouped by day, week, project, model or source: sessions, messages,
tokens (input, output, cache read, cache write) and cost. Read from the messages of the period
(by their time, through the `messages_created` index), so a 30-day window costs what 30 days
hold, however large the archive.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .errors import InvalidInput
from .timeutil import parse_when

GROUPS: dict[str, str] = {
    "day": "substr(m.created_at, 1, 10)",
    "week": "strftime('%Y-W%W', substr(m.created_at, 1, 19))",
    "month": "substr(m.created_at, 1, 7)",
    "project": "coalesce(s.project, s.cwd, '')",
    "model": "coalesce(m.model, s.model, '')",
    "source": "s.source",
}


@dataclass(frozen=True, slots=True)
class UsageRow:
    """One group's figures; `key` is the day, week, project, model or source."""

    key: str
    sessions: int
    messages: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_creation_tokens: int
    cost_usd: float

    @property
    def tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_creation_tokens
        )


def usage(
    conn: sqlite3.Connection, by: str = "day", since: str | None = None, until: str | None = None
) -> list[UsageRow]:
    """Figures per group for messages created in [since, until] (`30d`, `2026-10-01`, ...);
    days, weeks and months in time order, the rest by cost then tokens."""
    group = GROUPS.get(by) if isinstance(by, str) else None
    if group is None:
        raise InvalidInput(f"by must be one of {', '.join(GROUPS)}, not {by!r}.")
    where, params = ["m.created_at IS NOT NULL"], []
    for name, value in (("since", since), ("until", until)):
        if value is None:
            continue
        moment = parse_when(value) if isinstance(value, str) else None
        if moment is None:
            raise InvalidInput(f"{name} must be a date or an age such as 30d, not {value!r}.")
        where.append("m.created_at >= ?" if name == "since" else "m.created_at <= ?")
        params.append(moment)
    timed = by in ("day", "week", "month")
    order = "key" if timed else "cost DESC, tokens DESC, key"
    rows = conn.execute(
        f"""
        SELECT {group} AS key, count(DISTINCT m.session_id), count(*),
               coalesce(sum(m.input_tokens), 0), coalesce(sum(m.output_tokens), 0),
               coalesce(sum(m.cache_read_tokens), 0), coalesce(sum(m.cache_creation_tokens), 0),
               coalesce(sum(m.cost_usd), 0.0) AS cost,
               coalesce(sum(m.input_tokens + m.output_tokens), 0) AS tokens
          FROM messages AS m JOIN sessions AS s ON s.id = m.session_id
         WHERE {" AND ".join(where)}
         GROUP BY key ORDER BY {order}
        """,
        params,
    ).fetchall()
    return [
        UsageRow(str(r[0] or ""), r[1], r[2], r[3], r[4], r[5], r[6], float(r[7])) for r in rows
    ]
