"""The hits' rows and snippets: FTS5's marks, or the query's words marked by hand."""

from __future__ import annotations

import json
import re
import sqlite3

from ...sanitize import clean_line
from ..hit import Hit
from .plan import Plan

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks FTS5 puts around matches in snippets
SNIPPET_TOKENS = 14
_ROW = "m.id, m.session_id, m.seq, m.role, m.created_at, s.title, s.project, s.source"
_SNIPPET_PHRASES = 3  # FTS5's snippet looks each hit up once per phrase: more, marked here


def hit_rows(
    conn: sqlite3.Connection, plan: Plan, ids: list[tuple[int, float]]
) -> list[tuple[Any, ...]]:
    """The hits' rows, in the order of `ids`, with their snippets."""
    if not ids:
        return []
    wanted = json.dumps([i for i, _ in ids])
    rows = {
        r[0]: r
        for r in conn.execute(
            f"SELECT {_ROW} FROM messages m JOIN sessions s ON s.id = m.session_id"
            " WHERE m.id IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
    }
    snippets = _snippets(conn, plan, wanted)
    return [(*rows[i], snippets.get(i, ""), score) for i, score in ids if i in rows]


def _snippets(conn: sqlite3.Connection, plan: Plan, wanted: str) -> dict[int, str]:
    if (
        plan.table == "messages_fts"
        and plan.rank_expr is not None
        and plan.rank_expr.count(" OR ") < _SNIPPET_PHRASES
    ):
        # FTS5 marks the uncommon phrases; hits matching only common ones, and long messages,
        # are marked below
        wanted, long = _short_and_long(conn, wanted)
        select = (
            f"SELECT rowid, snippet(messages_fts, -1, '{OPEN}', '{CLOSE}', '…',"
            f" {SNIPPET_TOKENS}) FROM messages_fts WHERE messages_fts MATCH ?"
        )
        if wanted == "[]":
            found = {}
        elif '"*' not in plan.rank_expr:  # one look-up per hit
            sql = f"{select} AND rowid IN (SELECT value FROM json_each(?))"
            found = dict(conn.execute(sql, (plan.rank_expr, wanted)))
        else:  # a prefix is expanded again by each look-up: one pass over the hits' ids
            ids = json.loads(wanted)
            sql = (
                f"{select} AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))"
            )
            found = dict(conn.execute(sql, (plan.rank_expr, min(ids), max(ids), wanted)))
        rest = [i for i in json.loads(wanted) if i not in found]
        if rest:
            found.update(_word_snippets(conn, plan, json.dumps(rest)))
        if long:  # the first match found by hand, however far into the message
            found.update(_word_snippets(conn, plan, json.dumps(long), _LONG_SCAN))
        return found
    if plan.table == "messages_fts":
        # common words only (FTS5's snippet weighs every instance of each: 0.2 s for 50 hits
        # of twelve stop words) or many phrases (one look-up per phrase and hit)
        return _word_snippets(conn, plan, wanted)
    return dict(
        conn.execute(
            "SELECT t.id, substr(coalesce(t.text, '') || ' ' || coalesce(t.tools, ''), 1, 4000)"
            " FROM message_text t WHERE t.id IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
    )


_SNIPPET_SCAN = 20_000  # characters of a message searched for a snippet's words
_FTS_SNIPPET_BYTES = 8_000  # longer messages get a snippet cut by hand (see _short_and_long)
_LONG_SCAN = 4_000_000  # characters of such a message searched for the first match


def _short_and_long(conn: sqlite3.Connection, wanted: str) -> tuple[str, list[int]]:
    """The hits (a JSON list of ids) FTS5 may cut snippets of, and the long messages it may not:
    its snippet weighs every instance of the words in the whole message (0.3 s for a 300 KB
    tool output holding the word 5,000 times: 14 s for a page of 50 such hits)."""
    long = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?))"
            " AND length(CAST(blocks AS BLOB)) > ?",
            (wanted, _FTS_SNIPPET_BYTES),
        )
    ]
    if not long:
        return wanted, []
    skip = set(long)
    return json.dumps([i for i in json.loads(wanted) if i not in skip]), long


def _word_snippets(
    conn: sqlite3.Connection, plan: Plan, wanted: str, scan: int = _SNIPPET_SCAN
) -> dict[int, str]:
    """Snippets cut around the first of the query's words, every word in them marked."""
    words = sorted(plan.marks, key=lambda m: -len(m[0]))
    if not words:
        return {}
    pattern = re.compile(
        r"(?<![^\W_])(?:"
        + "|".join(re.escape(w) + (r"[^\W_]*" if prefix else r"(?![^\W_])") for w, prefix in words)
        + ")",
        re.IGNORECASE,
    )
    out = {}
    for mid, text in conn.execute(
        "SELECT t.id, substr(coalesce(t.text, '') || ' ' || coalesce(t.tools, ''), 1, ?)"
        " FROM message_text t WHERE t.id IN (SELECT value FROM json_each(?))",
        (scan, wanted),
    ):
        out[mid] = _cut(text or "", pattern)
    return out


def _cut(text: str, pattern: re.Pattern[str], width: int = 120) -> str:
    first = pattern.search(text)
    if first is None:
        return text[:width]
    begin = max(0, first.start() - width // 4)
    if begin:
        space = text.rfind(" ", begin - 20, first.start())
        begin = space + 1 if space >= 0 else begin
    window = text[begin : begin + width]
    marked = pattern.sub(lambda m: OPEN + m.group(0) + CLOSE, window)
    prefix = "…" if begin else ""
    suffix = "…" if begin + width < len(text) else ""
    return prefix + marked + suffix


def to_hit(row: tuple[Any, ...], highlight: list[str]) -> Hit:
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
