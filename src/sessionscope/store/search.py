"""Run a parsed query against the FTS5 indexes and turn rows into `Hit`s."""

from __future__ import annotations

import re
import sqlite3

from ..sanitize import clean_line
from .models import Hit
from .query import Query, Term, fts_expression, like_escape, parse

OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks FTS5 puts around matches in snippets
SNIPPET_TOKENS = 14
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ROW = "m.id, m.session_id, m.seq, m.role, m.created_at, s.title, s.project, s.source"


def _cjk_clause(term: Term) -> tuple[str, list[object]]:
    if len(term.text) >= 3:
        return (
            "m.id IN (SELECT rowid FROM messages_cjk WHERE messages_cjk MATCH ?)",
            [term.fts()],
        )
    return (
        "m.id IN (SELECT rowid FROM messages_cjk WHERE body LIKE ? ESCAPE '\\')",
        [f"%{like_escape(term.text)}%"],
    )


def _fts_clause(expr: str) -> tuple[str, list[object]]:
    return "m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)", [expr]


def _with_column(query: Query, expr: str) -> str:
    return f"{{{query.column}}} : ({expr})" if query.column else expr


def search_messages(
    conn: sqlite3.Connection,
    text: str | Query,
    *,
    limit: int = 50,
    offset: int = 0,
    order: str = "rank",
    session_id: str | None = None,
) -> list[Hit]:
    if isinstance(text, str) and not text.isascii():
        text = _LONE_SURROGATE.sub(" ", text)  # never part of a word, and SQLite cannot bind it
    if session_id is not None and _LONE_SURROGATE.search(session_id):
        return []  # no session id holds one
    query = parse(text) if isinstance(text, str) else text
    where = list(query.where)
    params = list(query.params)
    if session_id is not None:
        where.append("m.session_id = ?")
        params.append(session_id)
    fts_groups = [g for g in query.groups if not any(t.no_space for t in g)]
    for group in query.groups:
        if group in fts_groups:
            continue
        alternatives: list[str] = []
        for term in group:
            clause, extra = (
                _cjk_clause(term) if term.no_space else _fts_clause(_with_column(query, term.fts()))
            )
            alternatives.append(clause)
            params.extend(extra)
        where.append("(" + " OR ".join(alternatives) + ")")
    excluded = [t for t in query.excluded if not t.no_space]
    for term in query.excluded:
        if term.no_space:
            clause, extra = _cjk_clause(term)
            where.append(f"NOT ({clause})")
            params.extend(extra)
    limit = max(0, min(int(limit), 10_000))
    offset = max(0, int(offset))
    try:
        if fts_groups:
            expr = fts_expression(fts_groups)
            if excluded:
                expr = f"({expr}) NOT ({' OR '.join(t.fts() for t in excluded)})"
            span = _session_span(conn, session_id) if session_id is not None else None
            floor = matches = None
            if span is None and order != "seq":
                matches = _count(conn, _with_column(query, expr))
                floor = _recent_floor(conn, matches)
            rows = _ranked(
                conn, _with_column(query, expr), where, params, limit, offset, order, span, floor
            )
        else:
            if not query.groups and not where and not excluded:
                return []  # nothing asked
            if excluded:
                clause, extra = _fts_clause(" OR ".join(t.fts() for t in excluded))
                where.append(f"NOT ({clause})")
                params.extend(extra)
            rows = _plain_rows(conn, where, params, limit, offset, order)
    except sqlite3.OperationalError:
        # The parser quotes every term, so this is a safety net, not a path users should see.
        return []
    highlight = [t.text for g in query.groups for t in g if t.no_space or not fts_groups]
    return [_hit(row, highlight) for row in rows]


def _ranked(conn, expr, where, params, limit, offset, order, span, floor):
    """Rows for one FTS expression: within a session's id range, or the recent window first
    (from message id `floor` on) and the whole archive when that window has too few."""
    if limit <= 0:
        return []
    if floor is not None:
        rows = _fts_rows(conn, expr, where, params, limit, offset, order, (floor, None))
        if len(rows) >= limit:
            return rows
    return _fts_rows(conn, expr, where, params, limit, offset, order, span)


def _fts_rows(conn, expr, where, params, limit, offset, order, rowids=None):
    filters = ""
    bounds: list[object] = []
    if rowids is not None:
        low, high = rowids
        filters += " AND f.rowid >= ?"
        bounds.append(low)
        if high is not None:
            filters += " AND f.rowid <= ?"
            bounds.append(high)
    select = (
        f"SELECT {_ROW}, snippet(messages_fts, -1, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS}),"
        " f.rank FROM messages_fts f JOIN messages m ON m.id = f.rowid"
        " JOIN sessions s ON s.id = m.session_id WHERE messages_fts MATCH ?"
    )
    order_by = {"rank": "f.rank", "time": "m.created_at DESC, m.id DESC", "seq": "m.seq"}[order]
    filters += "".join(f" AND {w}" for w in where)
    return conn.execute(
        f"{select}{filters} ORDER BY {order_by} LIMIT ? OFFSET ?",
        [expr, *bounds, *params, limit, offset],
    ).fetchall()


# Ranking (bm25) reads every match's positions, so a query matching a large share of a big
# archive would be slow. Above BROAD matches, the most recently written part of the archive that
# holds about BROAD of them is ranked (the whole archive when that part has fewer hits than the
# page asks for). `order="time"` lists every match newest first.
BROAD = 2_000


def _count(conn: sqlite3.Connection, expr: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", (expr,)
    ).fetchone()[0]


def _recent_floor(conn: sqlite3.Connection, matches: int) -> int | None:
    """The lowest message id of the recent window holding about BROAD of `matches`, or None
    to rank everything."""
    if matches <= BROAD:
        return None
    top = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    return max(1, top - int(top * BROAD / matches))


def _session_span(conn: sqlite3.Connection, session_id: str) -> tuple[int, int] | None:
    """The id range of one session's messages, so FTS reads only that part of its lists."""
    low, high = conn.execute(
        "SELECT min(id), max(id) FROM messages WHERE session_id = ?", (session_id,)
    ).fetchone()
    return None if low is None else (low, high)


def _plain_rows(conn, where, params, limit, offset, order):
    order_by = "m.seq" if order == "seq" else "m.created_at DESC, m.id DESC"
    sql = (
        f"SELECT {_ROW}, substr(coalesce(t.text, '') || ' ' || coalesce(t.tools, ''), 1, 4000), 0"
        " FROM messages m JOIN sessions s ON s.id = m.session_id"
        " JOIN message_text t ON t.id = m.id"
        f" WHERE {' AND '.join(where)} ORDER BY {order_by} LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*params, limit, offset]).fetchall()


def _hit(row, highlight: list[str]) -> Hit:
    mid, sid, seq, role, created, title, project, source, raw, score = row
    snippet, spans = _spans(raw or "", highlight)
    return Hit(
        message_id=mid,
        session_id=sid,
        seq=seq,
        role=role,
        created_at=created,
        snippet=snippet,
        highlights=spans,
        session_title=title,
        project=project,
        source=source,
        score=float(score or 0.0),
    )


_MARKS = re.compile(f"([{OPEN}{CLOSE}])")


def _spans(raw: str, highlight: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Plain one-line snippet text and the match spans in it."""
    if OPEN not in raw and highlight:
        raw = _mark_substrings(raw, highlight)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = -1
    for piece in _MARKS.split(raw):
        if piece == OPEN:
            start = length
        elif piece == CLOSE:
            if start >= 0 and length > start:
                spans.append((start, length))
            start = -1
        elif piece:
            text = clean_line(piece)
            if text:
                if piece[0].isspace() and out:
                    text = " " + text
                if piece[-1].isspace():
                    text += " "
            elif out:
                text = " "
            out.append(text)
            length += len(text)
    return "".join(out).rstrip(), spans


def _mark_substrings(text: str, terms: list[str], width: int = 160) -> str:
    """Mark case-insensitive substring matches (for trigram hits) and cut a window around them."""
    lower = text.lower()
    first = min((p for p in (lower.find(t.lower()) for t in terms if t) if p >= 0), default=-1)
    if first < 0:
        return text[:width]
    begin = max(0, first - width // 3)
    window = text[begin : begin + width]
    lowered = window.lower()
    marks: list[tuple[int, int]] = []
    for term in terms:
        t = term.lower()
        if not t:
            continue
        pos = lowered.find(t)
        while pos >= 0:
            marks.append((pos, pos + len(t)))
            pos = lowered.find(t, pos + len(t))
    marks.sort()
    out, last = [], 0
    for a, b in marks:
        if a < last:
            continue
        out.append(window[last:a] + OPEN + window[a:b] + CLOSE)
        last = b
    out.append(window[last:])
    prefix = "…" if begin else ""
    suffix = "…" if begin + width < len(text) else ""
    return prefix + "".join(out) + suffix
