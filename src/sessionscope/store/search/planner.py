"""Planning a search: filters resolved on their indexes, terms expanded, the driver chosen.

A search's work must not grow with the archive:
- filters are resolved first on their indexes; one that matches nothing answers [] at once;
- without words, messages are walked newest first on an index (messages_created, or the few
  sessions / tool calls a selective filter names) and the walk stops at the page's last hit;
- with words, the text index is read newest first until it has BROAD matches that pass the
  filters (or SCAN matches in all): that recent window is ranked, never the whole archive
  (see walk.py);
- every step runs under a time budget (clock.py); a search that reaches it returns what it
  has, marked `partial`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata

from ..query import API_ERROR_SQL, Filter, Query, Term, fts_expression
from .cjk import cjk_clause, cjk_match, exists, glued
from .plan import Plan

SMALL = 20_000  # messages a filter must narrow the search to before it drives it
# bm25 first counts every message holding each phrase of the query (its IDF): 0.1 s for `the`
# at 1M messages, whatever the window. A phrase estimated in more than COMMON messages is
# left out of bm25 (it would weigh little anyway); a query of common phrases only is ordered
# by rerank's evidence, newest first, over its newest RERANK matches.
COMMON = 20_000
_DENSITY_SAMPLE = 200  # newest matches read to estimate how common a phrase is
# A prefix typed in the browser is expanded by FTS5 into the merged postings of every term it
# starts, over the whole archive (0.2 s for `tes`), for each statement that names it. A prefix
# estimated (from the newest _PREFIX_SAMPLE messages) in more than PREFIX_DOCS messages is
# replaced by the words it starts in that sample: the result is marked partial.
PREFIX_DOCS = 10_000
_PREFIX_SAMPLE = 200
_PREFIX_CHARS = 4_000  # of each sampled message's JSON
_PREFIX_WORDS = 16
_SNIPPET_PHRASES = 3  # FTS5's snippet looks each hit up once per phrase: more, marked here
_MAX_SPANS = 64
_READS_SESSION = re.compile(r"\bs\.")
ALNUM_WORD = re.compile(r"[^\W_]+")


def resolve(conn: sqlite3.Connection, query: Query, session_id: str | None) -> Plan:
    plan = Plan()
    plan.top = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    on_session = [f for f in query.filters if f.on_session]
    since: str | None = None
    until: str | None = None
    for f in query.filters:
        if f.clause == "0" and not f.negated:
            plan.empty = True
            return plan
        if f.on_session:
            continue
        plan.cond.append(f.clause)
        plan.params.extend(f.params)
        if _READS_SESSION.search(f.clause):
            plan.needs_session = True
        if f.negated:
            continue
        if f.name == "since":
            since = max(since or str(f.value), str(f.value))
        elif f.name == "until":
            until = min(until or str(f.value), str(f.value))
        if not _any_match(conn, f):
            plan.empty = True
            return plan
    if since is not None or until is not None:
        found = conn.execute(
            "SELECT 1 FROM messages WHERE created_at >= ? AND created_at <= ? LIMIT 1",
            (since or "", until or "\U0010ffff"),
        ).fetchone()
        if found is None:
            plan.empty = True
            return plan
    if on_session or session_id is not None:
        _resolve_sessions(conn, plan, on_session, session_id)
        if plan.empty:
            return plan
    groups = [[x for t in g for x in _expand(conn, plan, t)] for g in query.groups]
    fts_groups = [g for g in groups if not any(t.no_space for t in g)]
    cjk_groups = [g for g in groups if any(t.no_space for t in g)]
    excluded = [x for t in query.excluded if not t.no_space for x in _expand(conn, plan, t)]
    driver = next((g[0] for g in cjk_groups if len(g) == 1), None)
    match = None if driver is None else cjk_match(conn, driver.text)
    if match is not None and fts_groups:
        # a CJK term is far more selective than words in a mostly Latin archive: it drives,
        # and the words are checked on each of its matches
        plan.table, plan.expr, plan.rank_expr = "messages_cjk", match, match
        expr = fts_expression(fts_groups)
        if excluded:
            expr = f"({expr}) NOT ({' OR '.join(t.fts() for t in excluded)})"
        clause, extra = exists("messages_fts", _with_column(query, expr))
        plan.cond.append(clause)
        plan.params.extend(extra)
        cjk_groups = [g for g in cjk_groups if g[0] is not driver]
        fts_groups, excluded = [], []
    elif fts_groups:
        plan.table = "messages_fts"
        expr = fts_expression(fts_groups)
        if excluded:
            expr = f"({expr}) NOT ({' OR '.join(t.fts() for t in excluded)})"
        plan.expr = _with_column(query, expr)
        # bm25 over the uncommon terms of each group (a group of common ones only is left out;
        # the hits matching none of the uncommon ones follow the ranked ones)
        uncommon = [[t for t in g if not _common_term(conn, plan, query, t)] for g in fts_groups]
        if any(uncommon):
            plan.rank_expr = _with_column(query, fts_expression([g for g in uncommon if g]))
        if len(groups) == 1 and len(groups[0]) == 1 and not excluded and query.column != "tools":
            plan.glued = glued(conn, plan, groups[0][0])
    elif excluded:
        plan.absent = _with_column(query, " OR ".join(t.fts() for t in excluded))
    for group in cjk_groups:
        if plan.table is None and group[0] is driver and match is not None:
            plan.table, plan.expr, plan.rank_expr = "messages_cjk", match, match
            continue
        alternatives: list[str] = []
        for term in group:
            if term.no_space:
                clause, extra = cjk_clause(conn, term)
            else:
                clause, extra = exists("messages_fts", _with_column(query, term.fts()))
            alternatives.append(clause)
            plan.params.extend(extra)
        plan.cond.append("(" + " OR ".join(alternatives) + ")")
    if plan.table is not None and plan.absent is not None:
        # CJK text drives: the excluded words become a check on each of its matches
        clause, extra = exists("messages_fts", plan.absent)
        plan.cond.append(f"NOT {clause}")
        plan.params.extend(extra)
        plan.absent = None
    for term in query.excluded:
        if term.no_space:
            clause, extra = cjk_clause(conn, term)
            plan.cond.append(f"NOT {clause}")
            plan.params.extend(extra)
    plan.highlight = [t.text for g in query.groups for t in g if t.no_space or not fts_groups]
    plan.words = [
        (w, g[0].prefix and k == len(found) - 1)
        for g in fts_groups
        if len(g) == 1
        for found in [ALNUM_WORD.findall(g[0].text.lower())]
        for k, w in enumerate(found)
    ]
    plan.marks = [
        (w, t.prefix and k == len(words) - 1)
        for g in fts_groups
        for t in g
        for words in [ALNUM_WORD.findall(t.text.lower())]
        for k, w in enumerate(words)
    ]

    if plan.table is None and plan.session_ids is None:
        _resolve_calls(conn, query, plan)
    return plan


def _common(conn: sqlite3.Connection, plan: Plan, expr: str) -> bool:
    """Whether a phrase is estimated in more than COMMON messages, from how far back its
    newest _DENSITY_SAMPLE matches reach."""
    row = conn.execute(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC"
        " LIMIT 1 OFFSET ?",
        (expr, _DENSITY_SAMPLE - 1),
    ).fetchone()
    if row is None:
        return False
    oldest: int = row[0]
    return _DENSITY_SAMPLE * plan.top > COMMON * max(1, plan.top - oldest + 1)


def _common_term(conn: sqlite3.Connection, plan: Plan, query: Query, term: Term) -> bool:
    """Whether a term is common: a phrase is when any of its words is (bm25 would read that
    word's every match to count the phrase's), a prefix when it is estimated so."""
    if term.fts() in plan.sample.known:
        return plan.sample.known[term.fts()]
    words = ALNUM_WORD.findall(term.text.lower())
    if len(words) <= 1:
        return _common(conn, plan, _with_column(query, term.fts()))
    return any(_common(conn, plan, _with_column(query, f'"{w}"')) for w in words)


def _fold(word: str) -> str:
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _expand(conn: sqlite3.Connection, plan: Plan, term: Term) -> list[Term]:
    """A typed prefix as itself, or (when it starts too many words, see PREFIX_DOCS) as the
    whole words it starts in the newest messages."""
    if not term.prefix or term.no_space or not ALNUM_WORD.fullmatch(term.text):
        return [term]
    if plan.sample.texts is None:
        plan.sample.texts = [
            blocks.lower().replace("\\n", " ")
            for (blocks,) in conn.execute(
                "SELECT substr(blocks, 1, ?) FROM messages ORDER BY id DESC LIMIT ?",
                (_PREFIX_CHARS, _PREFIX_SAMPLE),
            )
        ]
    prefix = _fold(term.text.lower())
    starts = re.compile(r"(?<![^\W_])" + re.escape(prefix) + r"[^\W_]*")
    words: dict[str, int] = {}
    docs = 0
    for text in plan.sample.texts:
        found = set(starts.findall(text))
        if found:
            docs += 1
            for word in found:
                words[word] = words.get(word, 0) + 1
    if not plan.sample.texts or docs * plan.top <= PREFIX_DOCS * len(plan.sample.texts):
        return [term]
    plan.approximate = True
    chosen = sorted(words, key=lambda w: (-words[w], w))[:_PREFIX_WORDS]
    out = [Term(term.text)]
    for word in chosen:
        if _fold(word) != prefix:
            out.append(Term(_fold(word)))
            # how common each word is, from the same sample (no probe per word)
            plan.sample.known[out[-1].fts()] = words[word] * plan.top > COMMON * len(
                plan.sample.texts
            )
    return out


def _any_match(conn: sqlite3.Connection, f: Filter) -> bool:
    """Whether a positive message filter matches at least one message (on an index)."""
    if f.name == "role":
        sql, params = "SELECT 1 FROM messages WHERE role = ? LIMIT 1", [f.value]
    elif f.name == "tool":
        sql, params = "SELECT 1 FROM tool_calls WHERE name = ? COLLATE NOCASE LIMIT 1", [f.value]
    elif f.name == "is":
        sql, params = (
            "SELECT 1 FROM tool_calls WHERE is_error = 1 UNION ALL SELECT 1 FROM messages m"
            f" WHERE {API_ERROR_SQL} LIMIT 1",
            [],
        )
    elif f.name == "model":
        return bool(_models(conn, str(f.value)))
    else:
        return True
    return conn.execute(sql, params).fetchone() is not None


def _models(conn: sqlite3.Connection, pattern: str) -> list[str]:
    """The distinct models (of messages, then of sessions) matching a LIKE pattern, read by
    skipping along the model index: as many steps as there are models."""
    found: list[str] = []
    last = ""
    while True:
        row = conn.execute(
            "SELECT model FROM messages WHERE model IS NOT NULL AND model > ?"
            " ORDER BY model LIMIT 1",
            (last,),
        ).fetchone()
        if row is None or len(found) > 10_000:
            break
        last = row[0]
        found.append(last)
    found.extend(r[0] for r in conn.execute("SELECT DISTINCT model FROM sessions"))
    return [
        m
        for m in found
        if m is not None and conn.execute("SELECT ? LIKE ? ESCAPE '\\'", (m, pattern)).fetchone()[0]
    ]


def _resolve_sessions(
    conn: sqlite3.Connection, plan: Plan, filters: list[Filter], session_id: str | None
) -> None:
    """Sessions named by project:, source:, session: (and the session_id argument): none means
    no hit; a few (holding at most SMALL messages) narrow the search to their id spans."""
    where = [f.clause for f in filters]
    params: list[object] = [p for f in filters for p in f.params]
    if session_id is not None:
        where.append("s.id = ?")
        params.append(session_id)
    rows = conn.execute(
        f"SELECT s.id, s.message_count FROM sessions s WHERE {' AND '.join(where)} LIMIT 2001",
        params,
    ).fetchall()
    if not rows:
        plan.empty = True
        return
    if len(rows) > 2000 or sum(r[1] for r in rows) > SMALL:
        plan.cond.extend(where)  # too many to drive: a condition on each row's session
        plan.params.extend(params)
        plan.needs_session = True
        return
    plan.session_ids = [r[0] for r in rows]
    spans = conn.execute(
        "SELECT min(id), max(id) FROM messages"
        " WHERE session_id IN (SELECT value FROM json_each(?)) GROUP BY session_id",
        (json.dumps(plan.session_ids),),
    ).fetchall()
    if not spans:
        plan.empty = True
        return
    spans.sort(reverse=True)
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    if len(merged) > _MAX_SPANS:
        merged = [(merged[0][0], merged[-1][1])]
    plan.spans = merged[::-1]
    plan.cond.append("m.session_id IN (SELECT value FROM json_each(?))")
    plan.params.append(json.dumps(plan.session_ids))


def _resolve_calls(conn: sqlite3.Connection, query: Query, plan: Plan) -> None:
    """A selective tool: or is:error filter (at most SMALL calls) names the candidate messages."""
    for f in query.filters:
        if f.negated or f.on_session or f.name not in ("tool", "is"):
            continue
        if f.name == "tool":
            match, params = "name = ? COLLATE NOCASE", [f.value]
        else:
            match, params = "is_error = 1", []
        calls = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM tool_calls WHERE {match} LIMIT ?)",
            [*params, SMALL // 2 + 1],
        ).fetchone()[0]
        if calls > SMALL // 2:
            continue
        ids = {
            r[0]
            for r in conn.execute(
                f"SELECT message_id FROM tool_calls WHERE {match} UNION"
                f" SELECT result_message_id FROM tool_calls WHERE {match}"
                " AND result_message_id IS NOT NULL",
                params * 2,
            )
        }
        if f.name == "is":  # imported API errors are errors too (an index holds them)
            api = conn.execute(
                f"SELECT m.id FROM messages m WHERE {API_ERROR_SQL} LIMIT ?", [SMALL // 2 + 1]
            ).fetchall()
            if len(api) > SMALL // 2:
                continue
            ids |= {r[0] for r in api}
        if plan.ids is not None:
            ids &= set(plan.ids)
        plan.ids = sorted(ids)


def _with_column(query: Query, expr: str) -> str:
    return f"{{{query.column}}} : ({expr})" if query.column else expr
