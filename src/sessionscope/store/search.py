"""Run a parsed query against the FTS5 indexes and turn rows into `Hit`s."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

from ..sanitize import clean_line
from .blocks import NO_SPACE_SCRIPTS
from .models import Hit
from .query import Filter, Query, Term, fts_expression, like_escape, parse

OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks FTS5 puts around matches in snippets
SNIPPET_TOKENS = 14
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ROW = "m.id, m.session_id, m.seq, m.role, m.created_at, s.title, s.project, s.source"


# Planning. A search's work must not grow with the archive:
# - filters are resolved first on their indexes; one that matches nothing answers [] at once;
# - without words, messages are walked newest first on an index (messages_created, or the few
#   sessions / tool calls a selective filter names) and the walk stops at the page's last hit;
# - with words, the text index is read newest first until it has BROAD matches that pass the
#   filters (or SCAN matches in all): that recent window is ranked, never the whole archive;
# - every step runs under a time budget; a search that reaches it returns what it has, marked
#   `partial`.
BROAD = 2_000  # matches a ranked window aims to hold
SCAN = 20_000  # text matches read for one window at most (unless the page is still short)
SMALL = 20_000  # messages a filter must narrow the search to before it drives it
RERANK = 100  # the best hits by bm25 re-ordered by what people mean (see _rerank)
# bm25 first counts every message holding each phrase of the query (its IDF): 0.1 s for `the`
# at 1M messages, whatever the window. A phrase estimated in more than COMMON messages is
# left out of bm25 (it would weigh little anyway); a query of common phrases only is ordered
# by _rerank's evidence, newest first, over its newest RERANK matches.
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
BUDGET = 0.05  # seconds (CPU) of walking the indexes before a search returns what it has
WALL = 0.08  # ... or seconds of wall-clock time (waiting for the disk or a busy machine)
_MAX_SPANS = 64
_CHUNK = 256
_READS_SESSION = re.compile(r"\bs\.")


class Hits(list[Hit]):
    """The hits of one search, best first. `partial` is True when the search reached its time
    budget before it had looked at everything it meant to: the hits shown are real matches, but
    better or newer ones may exist (ask again with a narrower query)."""

    partial: bool = False


class _Clock:
    """A deadline enforced inside SQLite: the progress handler interrupts a running statement.

    The budget is this thread's CPU time (the work done), and the wall-clock time a little
    beyond it (WALL: waiting for the disk, or for a busy machine's cores)."""

    def __init__(self, conn: sqlite3.Connection, budget: float | None) -> None:
        self.conn = conn
        self.budget = budget
        self.deadline: float | None = None
        self.wall: float | None = None
        self.expired = False

    def start(self) -> None:
        if self.budget is not None:
            budget = max(0.0, self.budget)
            self.deadline = time.thread_time() + budget
            self.wall = time.perf_counter() + max(budget, WALL * budget / BUDGET)
            self.conn.set_progress_handler(self._tick, 2_000)

    def _tick(self) -> int:
        if self.expired:
            return 1
        if self.deadline is None or self.wall is None:
            return 0
        if time.thread_time() > self.deadline or time.perf_counter() > self.wall:
            self.expired = True
            return 1
        return 0

    def __enter__(self) -> _Clock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.deadline is not None:
            self.conn.set_progress_handler(None, 0)
            self.deadline = None

    def stream(self, sql: str, params: list[object]) -> Iterator[Any]:
        """The rows of a query as SQLite produces them, ending quietly at the deadline."""
        self._tick()
        if self.expired:
            return
        try:
            cursor = self.conn.execute(sql, params)
            while True:
                rows = cursor.fetchmany(_CHUNK)
                if not rows:
                    return
                yield from rows
        except sqlite3.OperationalError:
            if not self.expired:
                raise


class _Plan:
    """A parsed query resolved against the store: the text to match, per-row conditions, and
    what narrows the candidates (session id spans, message ids, a time range)."""

    def __init__(self) -> None:
        self.empty = False
        self.table: str | None = None  # the text index driving the search
        self.expr = ""  # its MATCH expression
        self.cond: list[str] = []  # per-row conditions on m (messages) and s (sessions)
        self.params: list[object] = []
        self.needs_session = False  # cond reads s
        self.spans: list[tuple[int, int]] | None = None  # message id ranges, newest first
        self.session_ids: list[str] | None = None
        self.ids: list[int] | None = None  # candidate message ids (a selective tool filter)
        self.since: str | None = None
        self.until: str | None = None
        self.highlight: list[str] = []
        self.words: list[tuple[str, bool]] = []  # positive words (and if a prefix), re-ranking
        self.rank_expr: str | None = None  # the phrases bm25 ranks by (the uncommon ones)
        self.absent: str | None = None  # no positive text: the excluded words' expression
        self.approximate = False  # a prefix was expanded from a sample
        self.top = 0  # the highest message id
        self.sample: list[str] | None = None
        self.known: dict[str, bool] = {}  # whether a term is common, when the sample told
        self.glued: list[int] = []  # matches of a Latin word glued to CJK text (Reactの)
        self.marks: list[tuple[str, bool]] = []  # words to mark in snippets (and if prefixes)
        self.rerank = False  # ids hold the best hits of a ranked window, to re-rank and page

    def where(self) -> str:
        return " AND ".join(self.cond) if self.cond else "1"

    def joins(self, alias: str = "m") -> str:
        return f" JOIN sessions s ON s.id = {alias}.session_id" if self.needs_session else ""


def _exists(table: str, expr: str) -> tuple[str, list[object]]:
    return f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH ? AND rowid = m.id)", [expr]


def _cjk_match(conn: sqlite3.Connection, text: str) -> str | None:
    """A trigram-index MATCH expression for a CJK term, or None when none can serve it.

    Three characters or more are one quoted trigram string. One or two characters (a bigram:
    the trigram index cannot search it directly) expand to the indexed trigrams starting with
    them, read from the index's vocabulary; the text's last characters are followed by the
    newline that separates prose from tool text, so a bigram ending the prose is found too."""
    if len(text) >= 3:
        return '"' + text.replace('"', '""') + '"'
    folded = text.lower()
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_cjk_terms"
            " USING fts5vocab(main, messages_cjk, row)"
        )
        terms = [
            row[0]
            for row in conn.execute(
                "SELECT term FROM temp.messages_cjk_terms WHERE term >= ? AND term < ? LIMIT 2001",
                (folded, folded + "\U0010ffff"),
            )
        ]
    except sqlite3.OperationalError:
        return None
    if len(terms) > 2000:
        return None
    if not terms:
        return '""'  # matches nothing
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _cjk_clause(conn: sqlite3.Connection, term: Term) -> tuple[str, list[object]]:
    """A per-row condition: message m holds the CJK term as a substring."""
    if len(term.text) >= 3:
        return _exists("messages_cjk", term.fts())
    return (
        "EXISTS (SELECT 1 FROM messages_cjk c WHERE c.rowid = m.id AND c.body LIKE ? ESCAPE '\\')",
        [f"%{like_escape(term.text)}%"],
    )


def _resolve(conn: sqlite3.Connection, query: Query, session_id: str | None) -> _Plan:
    plan = _Plan()
    plan.top = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
    on_session = [f for f in query.filters if f.on_session]
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
            plan.since = max(plan.since or str(f.value), str(f.value))
        elif f.name == "until":
            plan.until = min(plan.until or str(f.value), str(f.value))
        if not _any_match(conn, f):
            plan.empty = True
            return plan
    if plan.since is not None or plan.until is not None:
        found = conn.execute(
            "SELECT 1 FROM messages WHERE created_at >= ? AND created_at <= ? LIMIT 1",
            (plan.since or "", plan.until or "\U0010ffff"),
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
    match = None if driver is None else _cjk_match(conn, driver.text)
    if match is not None and fts_groups:
        # a CJK term is far more selective than words in a mostly Latin archive: it drives,
        # and the words are checked on each of its matches
        plan.table, plan.expr, plan.rank_expr = "messages_cjk", match, match
        expr = fts_expression(fts_groups)
        if excluded:
            expr = f"({expr}) NOT ({' OR '.join(t.fts() for t in excluded)})"
        clause, extra = _exists("messages_fts", _with_column(query, expr))
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
            plan.glued = _glued(conn, plan, groups[0][0])
    elif excluded:
        plan.absent = _with_column(query, " OR ".join(t.fts() for t in excluded))
    for group in cjk_groups:
        if plan.table is None and group[0] is driver and match is not None:
            plan.table, plan.expr, plan.rank_expr = "messages_cjk", match, match
            continue
        alternatives: list[str] = []
        for term in group:
            if term.no_space:
                clause, extra = _cjk_clause(conn, term)
            else:
                clause, extra = _exists("messages_fts", _with_column(query, term.fts()))
            alternatives.append(clause)
            plan.params.extend(extra)
        plan.cond.append("(" + " OR ".join(alternatives) + ")")
    if plan.table is not None and plan.absent is not None:
        # CJK text drives: the excluded words become a check on each of its matches
        clause, extra = _exists("messages_fts", plan.absent)
        plan.cond.append(f"NOT {clause}")
        plan.params.extend(extra)
        plan.absent = None
    for term in query.excluded:
        if term.no_space:
            clause, extra = _cjk_clause(conn, term)
            plan.cond.append(f"NOT {clause}")
            plan.params.extend(extra)
    plan.highlight = [t.text for g in query.groups for t in g if t.no_space or not fts_groups]
    plan.words = [
        (w, g[0].prefix and k == len(found) - 1)
        for g in fts_groups
        if len(g) == 1
        for found in [_ALNUM_WORD.findall(g[0].text.lower())]
        for k, w in enumerate(found)
    ]
    plan.marks = [
        (w, t.prefix and k == len(words) - 1)
        for g in fts_groups
        for t in g
        for words in [_ALNUM_WORD.findall(t.text.lower())]
        for k, w in enumerate(words)
    ]

    if plan.table is None and plan.session_ids is None:
        _resolve_calls(conn, query, plan)
    return plan


def _common(conn: sqlite3.Connection, plan: _Plan, expr: str) -> bool:
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


_ALNUM_WORD = re.compile(r"[^\W_]+")


def _common_term(conn: sqlite3.Connection, plan: _Plan, query: Query, term: Term) -> bool:
    """Whether a term is common: a phrase is when any of its words is (bm25 would read that
    word's every match to count the phrase's), a prefix when it is estimated so."""
    if term.fts() in plan.known:
        return plan.known[term.fts()]
    words = _ALNUM_WORD.findall(term.text.lower())
    if len(words) <= 1:
        return _common(conn, plan, _with_column(query, term.fts()))
    return any(_common(conn, plan, _with_column(query, f'"{w}"')) for w in words)


def _fold(word: str) -> str:
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _expand(conn: sqlite3.Connection, plan: _Plan, term: Term) -> list[Term]:
    """A typed prefix as itself, or (when it starts too many words, see PREFIX_DOCS) as the
    whole words it starts in the newest messages."""
    if not term.prefix or term.no_space or not _ALNUM_WORD.fullmatch(term.text):
        return [term]
    if plan.sample is None:
        plan.sample = [
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
    for text in plan.sample:
        found = set(starts.findall(text))
        if found:
            docs += 1
            for word in found:
                words[word] = words.get(word, 0) + 1
    if not plan.sample or docs * plan.top <= PREFIX_DOCS * len(plan.sample):
        return [term]
    plan.approximate = True
    chosen = sorted(words, key=lambda w: (-words[w], w))[:_PREFIX_WORDS]
    out = [Term(term.text)]
    for word in chosen:
        if _fold(word) != prefix:
            out.append(Term(_fold(word)))
            # how common each word is, from the same sample (no probe per word)
            plan.known[out[-1].fts()] = words[word] * plan.top > COMMON * len(plan.sample)
    return out


_GLUED_MAX = 200
_CJK_CHAR = re.compile(f"[{NO_SPACE_SCRIPTS}]")


def _glued(conn: sqlite3.Connection, plan: _Plan, term: Term) -> list[int]:
    """The newest messages (at most _GLUED_MAX, passing the filters) where a Latin word is
    written against CJK text (`Reactの`): the word index holds `reactの…` as one token, so
    these are found as substrings in the trigram index and checked for the word's edges."""
    word = term.text
    if not (word.isascii() and word.isalnum() and len(word) >= 3):
        return []
    if conn.execute("SELECT 1 FROM messages_cjk LIMIT 1").fetchone() is None:
        return []
    tail = "[A-Za-z0-9]*" if term.prefix else "(?![A-Za-z0-9])"
    pattern = re.compile(f"(?<![A-Za-z0-9]){re.escape(word)}{tail}", re.IGNORECASE)
    found: list[int] = []
    for rowid, body in conn.execute(
        "SELECT rowid, body FROM messages_cjk WHERE messages_cjk MATCH ? ORDER BY rowid DESC"
        " LIMIT ?",
        ('"' + word.replace('"', '""') + '"', _GLUED_MAX * 5),
    ):
        for m in pattern.finditer(body or ""):
            before = body[m.start() - 1] if m.start() else ""
            after = body[m.end()] if m.end() < len(body) else ""
            if _CJK_CHAR.match(before) or _CJK_CHAR.match(after):
                found.append(rowid)
                break
        if len(found) >= _GLUED_MAX:
            break
    if found and plan.cond:
        ok = {
            r[0]
            for r in conn.execute(
                "SELECT m.id FROM json_each(?) j CROSS JOIN messages m ON m.id = j.value"
                f"{plan.joins()} WHERE {plan.where()}",
                [json.dumps(found), *plan.params],
            )
        }
        found = [i for i in found if i in ok]
    return found


def _any_match(conn: sqlite3.Connection, f: Filter) -> bool:
    """Whether a positive message filter matches at least one message (on an index)."""
    if f.name == "role":
        sql, params = "SELECT 1 FROM messages WHERE role = ? LIMIT 1", [f.value]
    elif f.name == "tool":
        sql, params = "SELECT 1 FROM tool_calls WHERE name = ? COLLATE NOCASE LIMIT 1", [f.value]
    elif f.name == "is":
        sql, params = "SELECT 1 FROM tool_calls WHERE is_error = 1 LIMIT 1", []
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
    conn: sqlite3.Connection, plan: _Plan, filters: list[Filter], session_id: str | None
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


def _resolve_calls(conn: sqlite3.Connection, query: Query, plan: _Plan) -> None:
    """A selective tool: or is:error filter (at most SMALL calls) names the candidate messages."""
    for f in query.filters:
        if f.negated or f.name not in ("tool", "is"):
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
        if plan.ids is not None:
            ids &= set(plan.ids)
        plan.ids = sorted(ids)


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
    budget: float | None = BUDGET,
) -> Hits:
    """Hits for a query: ranked (bm25 then what people mean), newest first (`order="time"`,
    every match, page by page) or by position (`order="seq"`, within a session). `budget` is
    the time in seconds the search may plan and walk before it returns what it has, marked
    `partial` (None: no limit)."""
    out = Hits()
    if isinstance(text, str) and not text.isascii():
        text = _LONE_SURROGATE.sub(" ", text)  # never part of a word, and SQLite cannot bind it
    if session_id is not None and _LONE_SURROGATE.search(session_id):
        return out  # no session id holds one
    query = parse(text) if isinstance(text, str) else text
    limit = max(0, min(int(limit), 10_000))
    offset = max(0, int(offset))
    if limit <= 0:
        return out
    if not query.groups and not query.filters and not query.excluded and session_id is None:
        return out  # nothing asked
    clock = _Clock(conn, budget)
    try:
        with clock:
            plan = _resolve(conn, query, session_id)  # bounded index look-ups
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
                ids = _by_seq(clock, plan, limit, offset)
            elif plan.table is None and plan.absent is None:
                ids = _newest(clock, plan, limit, offset)
            elif plan.table is None or order == "time":
                ids = _text_newest(clock, plan, limit, offset)
            else:
                ids = _text_ranked(clock, plan, limit, offset)
        # past the budget only bounded work: re-rank the best RERANK, read the page's rows
        out.partial = clock.expired or plan.approximate
        if plan.rerank:
            ids = _rerank(conn, plan, ids)[offset : offset + limit]
        rows = _rows(conn, plan, ids)
    except sqlite3.OperationalError:
        # Past the budget while resolving filters: nothing found yet. Otherwise a safety net:
        # the parser quotes every term, so this is not a path users should see.
        out.partial = clock.expired
        return out
    out.extend(_hit(row, plan.highlight) for row in rows)
    return out


def _by_seq(clock: _Clock, plan: _Plan, limit: int, offset: int) -> list[tuple[int, float]]:
    if plan.table is None:
        sql = (
            f"SELECT m.id, 0 FROM messages m{plan.joins()} WHERE {plan.where()}"
            " ORDER BY m.seq, m.id LIMIT ? OFFSET ?"
        )
        return list(clock.stream(sql, [*plan.params, limit, offset]))
    span = ""
    bounds: list[object] = []
    if plan.spans:
        span = " AND f.rowid BETWEEN ? AND ?"
        bounds = [min(s[0] for s in plan.spans), max(s[1] for s in plan.spans)]
    sql = (
        f"SELECT f.rowid, f.rank FROM {plan.table} f CROSS JOIN messages m ON m.id = f.rowid"
        f"{plan.joins()} WHERE f.{plan.table} MATCH ?{span} AND {plan.where()}"
        " ORDER BY m.seq, m.id LIMIT ? OFFSET ?"
    )
    return list(clock.stream(sql, [plan.expr, *bounds, *plan.params, limit, offset]))


def _newest(clock: _Clock, plan: _Plan, limit: int, offset: int) -> list[tuple[int, float]]:
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
    clock: _Clock, plan: _Plan, low: int | None, high: int | None
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
    clock: _Clock, plan: _Plan, low: int | None, high: int | None
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
        if len(batch) >= _CHUNK:
            yield from _check(clock, plan, batch)
            batch = []
    yield from _check(clock, plan, batch)


def _check(clock: _Clock, plan: _Plan, batch: list[int]) -> Iterator[tuple[int, Any]]:
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


def _probe(
    clock: _Clock, plan: _Plan, target: int, need: int
) -> tuple[list[int], bool, int | None]:
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


def _text_ranked(clock: _Clock, plan: _Plan, limit: int, offset: int) -> list[tuple[int, float]]:
    """The recent window of matches ranked by bm25 over the query's uncommon phrases (the
    rest after them, newest first); _rerank then re-orders the best of them."""
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


def _text_newest(clock: _Clock, plan: _Plan, limit: int, offset: int) -> list[tuple[int, float]]:
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


# Re-ranking the best RERANK hits by bm25 (each factor multiplies the score, lower is better):
# a person searching `rate limit` means the prose "Refactor rate limiter", not `null_rate` and
# `entry.limit` in a code block, nor the same words scattered through a long tool output.
ADJACENT = 0.6  # the query's words side by side, in order, in prose (a phrase)
PROSE = 0.3  # the query's words in prose at all (outside code blocks and identifiers)
TITLE = 0.4  # every word of the query in the session's title
PROMPT = 0.3  # in what the user wrote
CODE = 0.2  # the words only in code: fenced or inline code, identifiers (a_b, a.b, a())
TOOL = 0.5  # only in a tool call's input or a tool's output
_WORD = re.compile(r"\w+")
_CODE_SPANS = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.S)
_PROSE_CUT = 20_000  # characters of a message's prose examined


def _rerank(
    conn: sqlite3.Connection, plan: _Plan, ranked: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """Re-order the best RERANK hits by what people mean; the rest keep their bm25 order."""
    head = ranked[:RERANK]
    if not head or plan.table != "messages_fts" or not plan.words:
        return ranked if plan.rank_expr else sorted(ranked, key=lambda r: -r[0])
    words = [w for w, _ in plan.words]
    edge, end = r"(?<![\w.$@#/\\=])", r"(?![\w(=]|\.\w)"
    forms = [re.escape(w) + (r"[^\W_]*" if prefix else "") for w, prefix in plan.words]
    alone = [re.compile(edge + form + end) for form in forms]
    phrase = re.compile(edge + r"[ \t-]+".join(forms) + end) if len(forms) > 1 else None
    factors: dict[int, float] = {}
    for rowid, role, title, text in conn.execute(
        "SELECT m.id, m.role, s.title, substr(t.text, 1, ?) FROM messages m"
        " JOIN sessions s ON s.id = m.session_id JOIN message_text t ON t.id = m.id"
        " WHERE m.id IN (SELECT value FROM json_each(?))",
        (_PROSE_CUT, json.dumps([i for i, _ in head])),
    ):
        factor = 1.0
        prose = _CODE_SPANS.sub(" ", text.lower()) if text else ""
        if prose and all(r.search(prose) for r in alone):
            factor += PROSE
            if phrase is not None and phrase.search(prose):
                factor += ADJACENT
        elif text:
            factor -= CODE  # in the prose's code only
        else:
            factor -= TOOL  # in a tool call's input or a tool's output only
        if title and set(words) <= set(_WORD.findall(title.lower())):
            factor += TITLE
        if role == "user":
            factor += PROMPT
        factors[rowid] = max(0.2, factor)

    # bm25 is negative: a larger factor ranks higher; ties go to the newer message; hits that
    # bm25 did not score (common words only) follow, by their factor, newest first
    def key(r: tuple[int, float]) -> tuple[int, float, int]:
        factor = factors.get(r[0], 1.0)
        return (0, r[1] * factor, -r[0]) if r[1] < 0 else (1, -factor, -r[0])

    order = sorted(head, key=key)
    return [(rowid, score * factors.get(rowid, 1.0)) for rowid, score in order] + ranked[RERANK:]


def _rows(
    conn: sqlite3.Connection, plan: _Plan, ids: list[tuple[int, float]]
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


def _snippets(conn: sqlite3.Connection, plan: _Plan, wanted: str) -> dict[int, str]:
    if (
        plan.table == "messages_fts"
        and plan.rank_expr is not None
        and plan.rank_expr.count(" OR ") < _SNIPPET_PHRASES
    ):
        # FTS5 marks the uncommon phrases; hits matching only common ones are marked below
        select = (
            f"SELECT rowid, snippet(messages_fts, -1, '{OPEN}', '{CLOSE}', '…',"
            f" {SNIPPET_TOKENS}) FROM messages_fts WHERE messages_fts MATCH ?"
        )
        if '"*' not in plan.rank_expr:  # one look-up per hit
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


def _word_snippets(conn: sqlite3.Connection, plan: _Plan, wanted: str) -> dict[int, str]:
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
        (_SNIPPET_SCAN, wanted),
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


def _hit(row: tuple[Any, ...], highlight: list[str]) -> Hit:
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
