"""Re-ranking the best hits by bm25 by what people mean."""

from __future__ import annotations

import json
import re
import sqlite3

from .plan import Plan

RERANK = 100  # the best hits by bm25 re-ordered by what people mean (see rerank)
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


def rerank(
    conn: sqlite3.Connection, plan: Plan, ranked: list[tuple[int, float]]
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
