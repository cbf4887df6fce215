"""The shortest prefix of a session id that no other session's id starts with, at least 8
characters: what the CLI prints for an id (`sessions`, `search`'s ID#SEQ), which
`sessions.resolve` takes back. Only `sqlite3`: the lean search path prints hits with it."""

from __future__ import annotations

import sqlite3

SHOWN = 8  # characters of an id printed when they name it alone


def _shared(session_id: str, other: tuple[str] | None) -> int:
    """How many leading characters `session_id` shares with the id in `other`."""
    if other is None:
        return 0
    n = 0
    for mine, theirs in zip(session_id, other[0], strict=False):
        if mine != theirs:
            break
        n += 1
    return n


def short_id(conn: sqlite3.Connection, session_id: str) -> str:
    """`session_id`'s first SHOWN characters, or more while another id starts with them (its
    neighbours in id order share the longest prefix with it)."""
    before = conn.execute(
        "SELECT id FROM sessions WHERE id < ? ORDER BY id DESC LIMIT 1", (session_id,)
    ).fetchone()
    after = conn.execute(
        "SELECT id FROM sessions WHERE id > ? ORDER BY id LIMIT 1", (session_id,)
    ).fetchone()
    shared = max(_shared(session_id, before), _shared(session_id, after))
    return session_id[: max(SHOWN, shared + 1)]


def short_ids(conn: sqlite3.Connection, session_ids: list[str]) -> dict[str, str]:
    """`short_id` of each id."""
    return {sid: short_id(conn, sid) for sid in dict.fromkeys(session_ids)}
