"""Usage over a period, grouped by day, week, month, project, model or source: sessions,
messages, tokens (input, output, cache read, cache write) and cost.

One scan of the `messages_usage` index (day, session, model and the figures: the messages'
blocks are never read) gives cells of (day, session, model) for the period; every grouping is
summed from those cells in Python, so the usage screen's three tables cost one scan.
Periods are whole days (UTC).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .errors import InvalidInput
from .timeutil import parse_when

GROUPS = ("day", "week", "month", "project", "model", "source")
_TIMED = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class UsageRow:
    """One group's figures; `key` is the day, week, month, project, model or source."""

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


@dataclass(slots=True)
class _Cell:
    day: str
    session_id: str
    model: str | None
    figures: tuple[int, int, int, int, int, float]  # messages, in, out, cache rd, cache wr, $


def period_day(name: str, value: str | None) -> str | None:
    """A `since`/`until` value as the UTC day it falls on; InvalidInput when not understood."""
    if value is None:
        return None
    moment = parse_when(value) if isinstance(value, str) else None
    if moment is None:
        raise InvalidInput(f"{name} must be a date or an age such as 30d, not {value!r}.")
    return moment[:10]


def days_where(since: str | None, until: str | None, day: str = "day") -> tuple[str, list[str]]:
    """The SQL condition (and its parameters) of messages whose `day` column lies in
    [since, until] (UTC days; either may be None)."""
    where, params = [f"{day} IS NOT NULL"], []
    if since is not None:
        where.append(f"{day} >= ?")
        params.append(since)
    if until is not None:
        where.append(f"{day} <= ?")
        params.append(until)
    return " AND ".join(where), params


def _cells(conn: sqlite3.Connection, since: str | None, until: str | None) -> list[_Cell]:
    period, params = days_where(since, until)
    rows = conn.execute(
        f"""
        SELECT day, session_id, model, count(*),
               coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
               coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_creation_tokens), 0),
               coalesce(sum(cost_usd), 0.0)
          FROM messages INDEXED BY messages_usage
         WHERE {period}
         GROUP BY day, session_id, model
        """,
        params,
    ).fetchall()
    return [_Cell(r[0], r[1], r[2], (r[3], r[4], r[5], r[6], r[7], float(r[8]))) for r in rows]


def _key(by: str, cell: _Cell, session: tuple[str, str, str]) -> str:
    project, source, model = session
    if by == "day":
        return cell.day
    if by == "month":
        return cell.day[:7]
    if by == "week":
        try:
            return date.fromisoformat(cell.day).strftime("%Y-W%W")
        except ValueError:
            return cell.day
    if by == "project":
        return project
    if by == "model":
        return cell.model or model
    return source


def _group(
    by: str, cells: Iterable[_Cell], sessions: dict[str, tuple[str, str, str]]
) -> list[UsageRow]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0])
    members: dict[str, set[str]] = defaultdict(set)
    for cell in cells:
        key = _key(by, cell, sessions.get(cell.session_id, ("", "", "")))
        total = sums[key]
        for i, value in enumerate(cell.figures):
            total[i] += value
        members[key].add(cell.session_id)
    rows = [
        UsageRow(
            key, len(members[key]), int(s[0]), int(s[1]), int(s[2]), int(s[3]), int(s[4]), s[5]
        )
        for key, s in sums.items()
    ]
    if by in _TIMED:
        return sorted(rows, key=lambda r: r.key)
    return sorted(rows, key=lambda r: (-r.cost_usd, -r.tokens, r.key))


def usage_report(
    conn: sqlite3.Connection,
    groups: Iterable[str] = ("day",),
    since: str | None = None,
    until: str | None = None,
) -> dict[str, list[UsageRow]]:
    """For each of `groups`, the figures per group for messages of the days in [since, until]
    (`30d`, `2026-10-01`, ...); days, weeks and months in time order, the rest by cost."""
    if isinstance(groups, str):
        wanted = [groups]
    elif isinstance(groups, (list, tuple)):
        wanted = list(groups)
    else:
        raise InvalidInput(f"groups must be a list of {', '.join(GROUPS)}, not {groups!r}.")
    for by in wanted:
        if not isinstance(by, str) or by not in GROUPS:
            raise InvalidInput(f"by must be one of {', '.join(GROUPS)}, not {by!r}.")
    cells = _cells(conn, period_day("since", since), period_day("until", until))
    ids = {cell.session_id for cell in cells}
    sessions: dict[str, tuple[str, str, str]] = {}
    if ids:
        for sid, project, cwd, source, model in conn.execute(
            "SELECT id, project, cwd, source, model FROM sessions"
        ):
            if sid in ids:
                sessions[sid] = (project or cwd or "", source or "", model or "")
    return {by: _group(by, cells, sessions) for by in wanted}


def usage(
    conn: sqlite3.Connection, by: str = "day", since: str | None = None, until: str | None = None
) -> list[UsageRow]:
    """Figures per `by` group for the days in [since, until]."""
    if not isinstance(by, str):
        raise InvalidInput(f"by must be one of {', '.join(GROUPS)}, not {by!r}.")
    return usage_report(conn, (by,), since, until)[by]
