"""Walking the indexes for a page of hit ids: by position, newest first, or ranked."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from .clock import CHUNK, Clock
from .plan import Plan
from .rank import RERANK

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

BROAD = 2_000  # matches a ranked window aims to hold
SCAN = 20_000  # text matches read for one window at most (unless the page is still short)


SEQ_CHUNK = 2_000  # a session's messages walked at a time, in position order ...
SEQ_CHUNK_MAX = 16_000  # ... doubling up to this (each chunk's matches are sorted in memory)


def by_seq(
    clock: Clock, plan: Plan, limit: int, offset: int, session_id: str | None = None
) -> list[tuple[int, float]]:
    if plan.table is not None and session_id is not None:
        return _seq_chunks(clock, plan, session_id, limit, offset)
    if plan.table is None:
        sql = (
            f"SELECT m.id, 0 FROM messages m{plan.joins()} WHERE {plan.where()}"
            " ORDER BY m.seq, m.id LIMIT ? OFFSET ?"
        )
        return list(clock.stream(sql, [*plan.params, limit, offset]))
    span, bounds = _span(plan)
    sql = (
        f"SELECT f.rowid, f.rank FROM {plan.table} f CROSS JOIN messages m ON m.id = f.rowid"
        f"{plan.joins()} WHERE f.{plan.table} MATCH ?{span} AND {plan.where()}"
        " ORDER BY m.seq, m.id LIMIT ? OFFSET ?"
    )
    return list(clock.stream(sql, [plan.expr, *bounds, *plan.params, limit, offset]))


def _span(plan: Plan) -> tuple[str, list[object]]:
    """The condition (and its bounds) keeping an index walk within the plan's id spans."""
    if not plan.spans:
        return "", []
    bounds: list[object] = [min(s[0] for s in plan.spans), max(s[1] for s in plan.spans)]
    return " AND f.rowid BETWEEN ? AND ?", bounds


def _seq_chunks(
    clock: Clock, plan: Plan, session_id: str, limit: int, offset: int
) -> list[tuple[int, float]]:
    """The text's matches in one session by position, a chunk of positions at a time
    (SEQ_CHUNK, then twice as many each time up to SEQ_CHUNK_MAX): each chunk's matches are
    looked up in the id range of its messages and sorted on their own, so a page costs what its
    chunks hold, not a sort of every match in the session (75,000 matches of a common word:
    past the time budget with none found)."""
    top = "SELECT max(seq), 0 FROM messages WHERE session_id = ?"
    last = next(iter(clock.stream(top, [session_id])), (None, 0))[0]
    if last is None:
        return []
    span, bounds = _span(plan)
    sql = (
        f"SELECT f.rowid, f.rank FROM {plan.table} f CROSS JOIN messages m ON m.id = f.rowid"
        f"{plan.joins()} WHERE f.{plan.table} MATCH ? AND f.rowid BETWEEN ? AND ?{span}"
        f" AND m.session_id = ? AND m.seq >= ? AND m.seq < ? AND {plan.where()}"
        " ORDER BY m.seq, m.id"
    )
    ids_of = "SELECT min(id), max(id) FROM messages WHERE session_id = ? AND seq >= ? AND seq < ?"
    out: list[tuple[int, float]] = []
    start = 0
    size = SEQ_CHUNK
    while start <= last and len(out) < limit and not clock.expired:
        stop = start + size
        size = min(size * 2, SEQ_CHUNK_MAX)  # a rare word crosses a long session in a few reads
        low, high = next(iter(clock.stream(ids_of, [session_id, start, stop])), (None, None))
        if low is not None:
            params = [plan.expr, low, high, *bounds, session_id, start, stop, *plan.params]
            for hit in clock.stream(sql, params):
                if offset:
                    offset -= 1
                    continue
                out.append(hit)
                if len(out) >= limit:
                    break
        start = stop
    return out


def newest(clock: Clock, plan: Plan, limit: int, offset: int) -> list[tuple[int, float]]:
    """No text to match: messages newest first, from the candidates a selective filter names
    or walking the time index and stopping at the page's last hit."""
    params: list[object] = []
    source = "messages m INDEXED BY messages_created"
    if plan.ids is not None:
        source = "json_each(?) j CROSS JOIN messages m ON m.id = j.value"
        params.append(json.dumps(plan.ids))
    elif plan.session_ids is not None:
        # each session's messages on the (session, seq) index: at most SMALL rows to sort
        source = "json_each(?) j CROSS JOIN messages m ON m.session_id = j.value"
        params.append(json.dumps(plan.session_ids))
    sql = (
        f"SELECT m.id, 0 FROM {source}{plan.joins()} WHERE {plan.where()}"
        " ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?"
    )
    return list(clock.stream(sql, [*params, *plan.params, limit, offset]))


def _matches(
    clock: Clock, plan: Plan, low: int | None, high: int | None
) -> Iterator[tuple[int, Any]]:
    """(message id, passes the conditions) for the text's matches, newest (highest id) first."""
    bounds, params = "", []
    if low is not None:
        bounds = " AND f.rowid BETWEEN ? AND ?"
        params = [low, high]
    if plan.cond:
        sql = (
            f"SELECT f.rowid, {plan.where()} FROM {plan.table} f"
            f" CROSS JOIN messages m ON m.id = f.rowid{plan.joins()}"
            f" WHERE f.{plan.table} MATCH ?{bounds} ORDER BY f.rowid DESC"
        )
        return clock.stream(sql, [*plan.params, plan.expr, *params])
    sql = (
        f"SELECT f.rowid, 1 FROM {plan.table} f WHERE f.{plan.table} MATCH ?{bounds}"
        " ORDER BY f.rowid DESC"
    )
    return clock.stream(sql, [plan.expr, *params])


def _absent(
    clock: Clock, plan: Plan, low: int | None, high: int | None
) -> Iterator[tuple[int, Any]]:
    """(message id, passes the conditions) for the messages the excluded words do not match,
    newest first: the messages and the words' matches are both read in id order and merged,
    so `-the` reads a few thousand ids, never the words' million matches."""
    low = 0 if low is None else low
    high = plan.top if high is None else high
    ids = clock.stream(
        "SELECT id FROM messages WHERE id BETWEEN ? AND ? ORDER BY id DESC", [low, high]
    )
    hits = clock.stream(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?"
        " ORDER BY rowid DESC",
        [plan.absent, low, high],
    )
    nxt = next(hits, (None,))[0]
    batch: list[int] = []
    for (mid,) in ids:
        while nxt is not None and nxt > mid:
            nxt = next(hits, (None,))[0]
        if nxt == mid:
            continue
        batch.append(mid)
        if len(batch) >= CHUNK:
            yield from _check(clock, plan, batch)
            batch = []
    yield from _check(clock, plan, batch)


def _check(clock: Clock, plan: Plan, batch: list[int]) -> Iterator[tuple[int, Any]]:
    if not plan.cond:
        yield from ((mid, 1) for mid in batch)
        return
    ok = {
        r[0]
        for r in clock.stream(
            "SELECT m.id FROM json_each(?) j CROSS JOIN messages m ON m.id = j.value"
            f"{plan.joins()} WHERE {plan.where()}",
            [json.dumps(batch), *plan.params],
        )
    }
    yield from ((mid, mid in ok) for mid in batch)


def _probe(clock: Clock, plan: Plan, target: int, need: int) -> tuple[list[int], bool, int | None]:
    """Read the matches newest first (by message id) until `target` pass the conditions (or
    SCAN were read and `need` passed). Returns (passing ids newest first, whether every match
    was read, the lowest id read)."""
    spans: Sequence[tuple[int | None, int | None]] = plan.spans or [(None, None)]
    passing: list[int] = []
    scanned = 0
    floor: int | None = None
    for low, high in spans:
        stream = _absent if plan.table is None else _matches
        for rowid, ok in stream(clock, plan, low, high):
            floor = rowid
            scanned += 1
            if ok:
                passing.append(rowid)
            if len(passing) >= target or (scanned >= SCAN and len(passing) >= need):
                return passing, False, floor
        if clock.expired:
            return passing, False, floor
        floor = low
    return passing, True, floor


def text_ranked(clock: Clock, plan: Plan, limit: int, offset: int) -> list[tuple[int, float]]:
    """The recent window of matches ranked by bm25 over the query's uncommon phrases (the
    rest after them, newest first); rerank then re-orders the best of them."""
    need = offset + limit
    top = max(RERANK, need)
    target = max(BROAD, need) if plan.rank_expr else top
    passing, _complete, _floor = _probe(clock, plan, target, need)
    if clock.expired:
        return [(rowid, 0.0) for rowid in passing[offset:need]]  # no time to rank: newest
    scored: list[tuple[float, int]] = []
    if plan.rank_expr and passing:
        scored = list(
            clock.stream(
                f"SELECT f.rank, f.rowid FROM {plan.table} f WHERE f.{plan.table} MATCH ?"
                " AND f.rowid BETWEEN ? AND ? AND +f.rowid IN (SELECT value FROM json_each(?))"
                " ORDER BY f.rank, f.rowid DESC LIMIT ?",
                [plan.rank_expr, passing[-1], passing[0], json.dumps(passing), top],
            )
        )
        if clock.expired:
            return [(rowid, 0.0) for rowid in passing[offset:need]]
    scored.sort(key=lambda r: (r[0], -r[1]))
    seen = {rowid for _, rowid in scored}
    ranked = [(rowid, score) for score, rowid in scored]
    ranked += [(rowid, 0.0) for rowid in passing if rowid not in seen]
    seen.update(passing)
    ranked += [(rowid, 0.0) for rowid in plan.glued if rowid not in seen]
    plan.rerank = True
    return ranked[:top]


def text_newest(clock: Clock, plan: Plan, limit: int, offset: int) -> list[tuple[int, float]]:
    """Every match newest first, page by page, exactly, without sorting every match.

    The newest matches by id are read until the page is full; ids mostly follow time, but a
    message written earlier can be newer (an import of recent sessions before older ones), so
    the time index is then read for messages below the lowest id read and newer than the
    page's last hit: these few are checked against the text index one by one."""
    need = offset + limit
    passing, complete, floor = _probe(clock, plan, need, need)
    passing += [i for i in plan.glued if i not in set(passing)]  # complete: sorted in below
    if not passing:
        return []
    times = dict(
        clock.stream(
            "SELECT id, created_at FROM messages WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(passing)],
        )
    )

    def key(mid: int) -> tuple[str, int]:
        return (times.get(mid) or "", mid)

    found = sorted(passing, key=key, reverse=True)
    if not complete and not clock.expired and len(found) >= need and floor is not None:
        last = times.get(found[need - 1]) or ""
        if plan.table is not None:
            member = (
                f"EXISTS (SELECT 1 FROM {plan.table} WHERE {plan.table} MATCH ? AND rowid = m.id)"
            )
            params: list[object] = [plan.expr]
        else:
            member = "NOT EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? AND rowid = m.id)"
            params = [plan.absent]
        for mid, created in clock.stream(
            f"SELECT m.id, m.created_at FROM messages m INDEXED BY messages_created{plan.joins()}"
            f" WHERE m.created_at > ? AND m.id < ? AND {member} AND {plan.where()}",
            [last, floor, *params, *plan.params],
        ):
            times[mid] = created
            found.append(mid)
        found.sort(key=key, reverse=True)
    return [(mid, 0.0) for mid in found[offset:need]]
