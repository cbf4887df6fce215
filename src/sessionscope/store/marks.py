"""Tags, pins and notes: what a person adds to a session (migration 11).

They live in their own tables keyed by session id (`session_tags`, `session_marks`), so
re-imports, `save()` snapshot rewrites and appends never touch them; `delete_session` removes
them with the session. Tags are case-folded words (letters, digits and `- _ . + /`, at most
`TAG_CHARS` characters, `MAX_TAGS` a session); a note is free text of at most `NOTE_CHARS`
characters, redacted like every other text when the store redacts. Plain functions on a
`sqlite3.Connection` inside the transaction the `Store` opened; arguments are checked by the
`clean_*` functions before it opens.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable

from . import sessions
from .errors import InvalidInput
from .redact import redact_text
from .validate import utf8_safe

TAG_CHARS = 40
MAX_TAGS = 50
NOTE_CHARS = 10_000
# a letter or digit first (so that `-tag` can mean "remove"), then letters, digits, - _ . + /
_TAG = re.compile(r"[^\W_][\w.+/-]*")


def clean_tag(value: object, *, strict: bool = True) -> str:
    """One tag as stored: NFKC, case-folded, a leading `#` dropped; InvalidInput when it is
    not a word of letters, digits and `- _ . + /` of at most TAG_CHARS characters (without
    `strict`, for removing: any string, so that a tag another program stored can go)."""
    if not isinstance(value, str):
        raise InvalidInput(f"a tag must be a string, not {type(value).__name__}.")
    text = unicodedata.normalize("NFKC", value.strip()).casefold()
    text = text[1:] if text.startswith("#") else text
    if not text:
        raise InvalidInput("a tag cannot be empty.")
    if not strict:
        return text
    if len(text) > TAG_CHARS:
        raise InvalidInput(f"a tag has at most {TAG_CHARS} characters ({len(text)} given).")
    if not _TAG.fullmatch(text):
        shown = text.encode("ascii", "backslashreplace").decode()[: TAG_CHARS * 2]
        raise InvalidInput(
            f"tag {shown!r} must start with a letter or digit and hold only letters, digits"
            " and - _ . + /."
        )
    return text


def clean_tags(values: Iterable[object], *, strict: bool = True) -> list[str]:
    """Tags as stored, each once, in the order given (see `clean_tag`)."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        tag = clean_tag(value, strict=strict)
        if tag not in out:
            out.append(tag)
    return out


def clean_note(text: object) -> str | None:
    """A note as stored (surrounding blank lines stripped; empty or None: no note)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidInput(f"a note must be a string or None, not {type(text).__name__}.")
    text = text.strip()
    if len(text) > NOTE_CHARS:
        raise InvalidInput(f"a note has at most {NOTE_CHARS} characters ({len(text)} given).")
    if not utf8_safe(text):
        raise InvalidInput("the note holds a lone surrogate, which UTF-8 cannot store.")
    return text or None


# -- writing -------------------------------------------------------------------------------------


def add_tags(conn: sqlite3.Connection, session_id: str, tags: list[str], now: str) -> list[str]:
    """Add tags to a session (those it has stay); its tags afterwards."""
    sessions.require(conn, session_id)
    held = set(tags_of(conn, session_id))
    new = [t for t in tags if t not in held]
    if len(held) + len(new) > MAX_TAGS:
        raise InvalidInput(f"a session has at most {MAX_TAGS} tags.")
    conn.executemany(
        "INSERT OR IGNORE INTO session_tags (session_id, tag, created_at) VALUES (?, ?, ?)",
        [(session_id, t, now) for t in new],
    )
    return tags_of(conn, session_id)


def remove_tags(conn: sqlite3.Connection, session_id: str, tags: list[str]) -> list[str]:
    """Remove tags from a session (absent ones are ignored); its tags afterwards."""
    sessions.require(conn, session_id)
    conn.executemany(
        "DELETE FROM session_tags WHERE session_id = ? AND tag = ?",
        [(session_id, t) for t in tags],
    )
    return tags_of(conn, session_id)


def _set_mark(
    conn: sqlite3.Connection, session_id: str, column: str, value: object, now: str
) -> None:
    conn.execute(
        f"INSERT INTO session_marks (session_id, {column}, updated_at) VALUES (?, ?, ?)"
        f" ON CONFLICT(session_id) DO UPDATE SET {column} = excluded.{column},"
        " updated_at = excluded.updated_at",
        (session_id, value, now),
    )
    conn.execute(
        "DELETE FROM session_marks WHERE session_id = ? AND pinned_at IS NULL AND note IS NULL",
        (session_id,),
    )


def pin(conn: sqlite3.Connection, session_id: str, pinned: bool, now: str) -> bool:
    """Pin or unpin a session; whether it was pinned before."""
    sessions.require(conn, session_id)
    was = is_pinned(conn, session_id)
    if was != pinned:
        _set_mark(conn, session_id, "pinned_at", now if pinned else None, now)
    return was


def set_note(
    conn: sqlite3.Connection, session_id: str, note: str | None, now: str, *, redacting: bool
) -> str | None:
    """Attach (or with None remove) a session's note; the note as stored."""
    sessions.require(conn, session_id)
    if note is not None and redacting:
        note = redact_text(note)
    _set_mark(conn, session_id, "note", note, now)
    return note


def redact_notes(conn: sqlite3.Connection) -> tuple[int, list[str], list[str]]:
    """Redact every stored note (`sessionscope redact`): how many changed, old and new texts."""
    old: list[str] = []
    new: list[str] = []
    for sid, note in conn.execute(
        "SELECT session_id, note FROM session_marks WHERE note IS NOT NULL"
    ).fetchall():
        redacted = redact_text(note)
        if redacted != note:
            conn.execute("UPDATE session_marks SET note = ? WHERE session_id = ?", (redacted, sid))
            old.append(note)
            new.append(redacted)
    return len(new), old, new


# -- reading -------------------------------------------------------------------------------------


def tags_of(conn: sqlite3.Connection, session_id: str) -> list[str]:
    """A session's tags, sorted."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT tag FROM session_tags WHERE session_id = ? ORDER BY tag", (session_id,)
        )
    ]


def is_pinned(conn: sqlite3.Connection, session_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM session_marks WHERE session_id = ? AND pinned_at IS NOT NULL",
        (session_id,),
    ).fetchone()
    return row is not None


def all_tags(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every tag in use with how many existing sessions carry it, most used first."""
    return [
        (str(r[0]), int(r[1]))
        for r in conn.execute(
            "SELECT t.tag, count(*) FROM session_tags t JOIN sessions s ON s.id = t.session_id"
            " GROUP BY t.tag ORDER BY count(*) DESC, t.tag"
        )
    ]
