"""Links between sessions that cross transcript files, whichever file is imported first.

- A Claude Code `summary` record names its conversation by the uuid of the conversation's last
  record (`leafUuid`), and is usually written into another session's file. `summary_leaves`
  (migration 11) keeps the leaves imported so far (uuid -> session) and the summaries whose leaf
  is not imported yet (uuid -> summary, no session): the summary file may come first or last.
- A subagent imported before its parent names the parent in `metadata.parent_session_hint`;
  when the parent's session is created it adopts them (`adopt_children`).

Plain functions on a `sqlite3.Connection` inside the transaction the `Store` opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from .redact import redact_text
from .schema import PARENT_HINT
from .timeutil import now_iso

# The most pending summaries an importer loads (the newest): a summary whose leaf never comes
# (a deleted session) must not make every later import slower.
PENDING_MAX = 4096


def leaf_owner(conn: sqlite3.Connection, leaf: str) -> str | None:
    """The session whose record `leaf` is (a session that still exists), or None."""
    row = conn.execute(
        "SELECT l.session_id FROM summary_leaves AS l JOIN sessions AS s ON s.id = l.session_id"
        " WHERE l.leaf_uuid = ?",
        (leaf,),
    ).fetchone()
    return None if row is None else str(row[0])


def pending_summaries(conn: sqlite3.Connection) -> dict[str, str]:
    """Summaries whose leaf no import has met yet: leaf uuid -> summary (the newest ones)."""
    rows = conn.execute(
        "SELECT leaf_uuid, summary FROM summary_leaves WHERE session_id IS NULL"
        " AND summary IS NOT NULL ORDER BY updated_at DESC LIMIT ?",
        (PENDING_MAX,),
    )
    return {str(leaf): str(summary) for leaf, summary in rows}


def save_leaves(
    conn: sqlite3.Connection,
    leaves: Mapping[str, str],
    summaries: Mapping[str, str],
    dropped: Iterable[str],
    *,
    redacting: bool,
) -> None:
    """Record leaves met (uuid -> session), summaries still waiting for their leaf (uuid ->
    text) and forget `dropped` leaves (records that have children by now) unless a summary
    names them."""
    now = now_iso()
    for leaf in dropped:
        conn.execute("DELETE FROM summary_leaves WHERE leaf_uuid = ? AND summary IS NULL", (leaf,))
    for leaf, session_id in leaves.items():
        conn.execute(
            "INSERT INTO summary_leaves (leaf_uuid, session_id, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(leaf_uuid) DO UPDATE SET session_id = excluded.session_id,"
            " updated_at = excluded.updated_at",
            (leaf, session_id, now),
        )
    for leaf, summary in summaries.items():
        text = redact_text(summary) if redacting else summary
        conn.execute(
            "INSERT INTO summary_leaves (leaf_uuid, summary, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(leaf_uuid) DO UPDATE SET summary = excluded.summary,"
            " updated_at = excluded.updated_at",
            (leaf, text, now),
        )


def adopt_children(conn: sqlite3.Connection, parent_id: str) -> int:
    """Make `parent_id` the parent of the sessions that named it before it existed (their
    `parent_session_hint`, which goes); how many."""
    cursor = conn.execute(
        "UPDATE sessions SET parent_session_id = ?,"
        " metadata = json_remove(metadata, '$.parent_session_hint')"
        f" WHERE {PARENT_HINT} = ? AND parent_session_id IS NULL AND id != ?",
        (parent_id, parent_id, parent_id),
    )
    return cursor.rowcount


def sessions_with_import_issues(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Sessions an import marked (`import_issues` in their metadata): source file -> ids."""
    rows = conn.execute(
        "SELECT id, coalesce(source_ref, '') FROM sessions WHERE json_valid(metadata)"
        " AND json_type(metadata, '$.import_issues') = 'object' ORDER BY id"
    )
    found: dict[str, list[str]] = {}
    for sid, ref in rows:
        found.setdefault(str(ref), []).append(str(sid))
    return found
