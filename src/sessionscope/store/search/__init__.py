"""Run a parsed query against the FTS5 indexes and turn rows into `Hit`s.

The search is planned (planner.py: filters on their indexes, terms expanded, CJK text on the
trigram index in cjk.py), walked under a time budget (walk.py, clock.py), re-ranked (rank.py)
and its rows read with snippets (snippets.py).
"""

from __future__ import annotations

import json
import re
import sqlite3

from .. import bulkindex
from ..hit import Hit
from ..query import MAX_QUERY_CHARS, Query, parse
from .clock import BUDGET, Clock
from .planner import resolve
from .rank import rerank
from .snippets import hit_rows, to_hit
from .walk import by_seq, newest, text_newest, text_ranked

__all__ = ["MAX_QUERY_CHARS", "Hits", "matching_seqs", "search_messages"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Hits(list[Hit]):
    """The hits of one search, best first. `partial` is True when the search reached its time
    budget before it had looked at everything it meant to: the hits shown are real matches, but
    better or newer ones may exist (ask again with a narrower query)."""

    partial: bool = False


def _query(conn: sqlite3.Connection, text: str | Query, session_id: str | None) -> Query | None:
    """The query to walk, this connection's own bulk writes indexed first (they wait for the
    commit); None when nothing can match: a query over `MAX_QUERY_CHARS`, or a session id no
    session holds."""
    if isinstance(text, str) and len(text) > MAX_QUERY_CHARS:
        return None
    if session_id is not None and _LONE_SURROGATE.search(session_id):
        return None  # no session id holds one
    bulkindex.flush(conn)
    if not isinstance(text, str):
        return text
    if not text.isascii():
        text = _LONE_SURROGATE.sub(" ", text)  # never part of a word, and SQLite cannot bind it
    return parse(text)


def _page(limit: int, offset: int) -> tuple[int, int]:
    """`limit` (at most 10,000) and `offset`, neither below 0."""
    return max(0, min(int(limit), 10_000)), max(0, int(offset))


def search_messages(
    conn: sqlite3.Connection,
    text: str | Query,
    *,
    limit: int = 50,
    offset: int = 0,
    order: str = "rank",
    session_id: str | None = None,
    budget: float | None = BUDGET,
) -> Hits:
    """Hits for a query: ranked (bm25 then what people mean), newest first (`order="time"`,
    every match, page by page) or by position (`order="seq"`, within a session). `budget` is
    the time in seconds the search may plan and walk before it returns what it has, marked
    `partial` (None: no limit)."""
    out = Hits()
    query = _query(conn, text, session_id)
    if query is None:
        # too long: not looked for (`query.problems` says why), so better hits may exist
        out.partial = isinstance(text, str) and len(text) > MAX_QUERY_CHARS
        return out
    limit, offset = _page(limit, offset)
    if limit <= 0:
        return out
    if not query.groups and not query.filters and not query.excluded and session_id is None:
        return out  # nothing asked
    clock = Clock(conn, budget)
    try:
        with clock:
            plan = resolve(conn, query, session_id)  # bounded index look-ups
            if plan.empty:
                return out
            clock.start()
            if (
                plan.table is None
                and plan.absent is None
                and not plan.cond
                and plan.session_ids is None
            ):
                return out  # only an in: filter
            if order == "seq":
                ids = by_seq(clock, plan, limit, offset, session_id)
            elif plan.table is None and plan.absent is None:
                ids = newest(clock, plan, limit, offset)
            elif plan.table is None or order == "time":
                ids = text_newest(clock, plan, limit, offset)
            else:
                ids = text_ranked(clock, plan, limit, offset)
        # past the budget only bounded work: re-rank the best RERANK, read the page's rows
        out.partial = clock.expired or plan.approximate
        if plan.rerank:
            ids = rerank(conn, plan, ids)[offset : offset + limit]
        rows = hit_rows(conn, plan, ids)
    except sqlite3.OperationalError:
        # Past the budget while resolving filters: nothing found yet. Otherwise a safety net:
        # the parser quotes every term, so this is not a path users should see.
        out.partial = clock.expired
        return out
    out.extend(to_hit(row, plan.highlight) for row in rows)
    return out


def matching_seqs(
    conn: sqlite3.Connection, text: str, session_id: str, *, limit: int, offset: int = 0
) -> list[int]:
    """The positions of a session's messages matching a query, in order: `limit` of them from
    match `offset` on. No snippets (a 500 KB tool output's costs a tenth of a second) and no
    time budget: for a reader that moves between matches, in a worker a newer read cancels."""
    query = _query(conn, text, session_id)
    limit, offset = _page(limit, offset)
    if query is None or limit <= 0:
        return []
    clock = Clock(conn, None)
    with clock:
        plan = resolve(conn, query, session_id)
        if plan.empty or (plan.table is None and plan.absent is None and not plan.cond):
            return []
        clock.start()
        ids = [row[0] for row in by_seq(clock, plan, limit, offset, session_id)]
    rows = conn.execute(
        "SELECT seq FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq",
        (json.dumps(ids),),
    )
    return [row[0] for row in rows]
