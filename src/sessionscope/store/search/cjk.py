"""Searching CJK text (written without spaces) on the trigram index."""

from __future__ import annotations

import json
import re
import sqlite3

from ..blocks import has_no_space_script
from ..query import Term, like_escape
from .plan import Plan

_GLUED_MAX = 200


def exists(table: str, expr: str) -> tuple[str, list[object]]:
    return f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH ? AND rowid = m.id)", [expr]


def cjk_match(conn: sqlite3.Connection, text: str) -> str | None:
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


def cjk_clause(conn: sqlite3.Connection, term: Term) -> tuple[str, list[object]]:
    """A per-row condition: message m holds the CJK term as a substring."""
    if len(term.text) >= 3:
        return exists("messages_cjk", term.fts())
    return (
        "EXISTS (SELECT 1 FROM messages_cjk c WHERE c.rowid = m.id AND c.body LIKE ? ESCAPE '\\')",
        [f"%{like_escape(term.text)}%"],
    )


def glued(conn: sqlite3.Connection, plan: Plan, term: Term) -> list[int]:
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
            if has_no_space_script(before) or has_no_space_script(after):
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
