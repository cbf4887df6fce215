"""The side tables: the store's settings (the redaction flag), signals and import state.

Plain functions on a `sqlite3.Connection` inside the transaction the `Store` opened.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from . import blocks as blockcodec
from . import sessions
from .errors import InvalidInput
from .models import ImportState
from .redact import redact as redact_secrets
from .redact import redact_text
from .timeutil import now_iso

_IMPORT_STATE = (
    'SELECT path, source, size, mtime, "offset", line_no, state, updated_at FROM import_state'
)
# The same rows without the parser's state (NULL in its place: decoded as {})
_IMPORT_SIZES = (
    'SELECT path, source, size, mtime, "offset", line_no, NULL, updated_at FROM import_state'
)

# -- settings ------------------------------------------------------------------------------------


def redaction_recorded(conn: sqlite3.Connection) -> bool:
    """Whether the store says its writes are redacted (the `redact` setting, migration 4)."""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'redact'").fetchone()
    except sqlite3.OperationalError:  # a store from before settings existed
        return False
    return row is not None and row[0] == "on"


def record_redaction(conn: sqlite3.Connection) -> None:
    """Make redaction a property of the store: every later write, by anyone, redacts."""
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('redact', 'on', ?)"
        " ON CONFLICT(key) DO UPDATE SET value = 'on', updated_at = excluded.updated_at"
        " WHERE settings.value != 'on'",
        (now_iso(),),
    )


# -- signals -------------------------------------------------------------------------------------


def signal_args(kind: object, source: object, value: object) -> None:
    """Check a signal's kind (explicit or implicit), source and value (a number in [0, 1])."""
    if kind not in ("explicit", "implicit"):
        raise InvalidInput(f"signal kind must be 'explicit' or 'implicit', not {kind!r}.")
    if not isinstance(source, str) or not source:
        raise InvalidInput("signal source must be a non-empty string.")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise InvalidInput(f"signal value must be a number in [0, 1], not {value!r}.")


def record_signal(
    conn: sqlite3.Connection,
    session_id: str,
    kind: str,
    source: str,
    value: float,
    payload: Any,
    *,
    redacting: bool,
) -> int:
    """Insert a checked signal (see `Store.record_signal`); return its id."""
    sessions.require(conn, session_id)
    value_ = redact_secrets(payload) if redacting else payload
    source = redact_text(source) if redacting else source
    encoded = None if payload is None else blockcodec.encode(value_)
    cursor = conn.execute(
        "INSERT INTO signals (session_id, kind, source, value, payload, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, kind, source, float(value), encoded, now_iso()),
    )
    return int(cursor.lastrowid or 0)


def signals(conn: sqlite3.Connection, session_id: str) -> list[dict[str, Any]]:
    """A session's signals, oldest first."""
    return [
        {
            "id": row[0],
            "kind": row[1],
            "source": row[2],
            "value": row[3],
            "payload": None
            if row[4] is None
            else blockcodec.decode_metadata(row[4]) or blockcodec.decode(row[4]),
            "created_at": row[5],
        }
        for row in conn.execute(
            "SELECT id, kind, source, value, payload, created_at FROM signals"
            " WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
    ]


# -- import state --------------------------------------------------------------------------------


def _import_state(row: tuple[Any, ...]) -> ImportState:
    path, source, size, mtime, offset, line_no, state, updated_at = row
    return ImportState(
        path, source, size, mtime, offset, line_no, blockcodec.decode_metadata(state), updated_at
    )


def import_state(conn: sqlite3.Connection, path: str) -> ImportState | None:
    """What was already imported from one source file, or None."""
    row = conn.execute(_IMPORT_STATE + " WHERE path = ?", (path,)).fetchone()
    return None if row is None else _import_state(row)


def import_states(
    conn: sqlite3.Connection, source: str | None, *, with_state: bool = True
) -> dict[str, ImportState]:
    """Every file's import state (for one source), keyed by path; without the parser's `state`
    (left empty) when `with_state` is False: planning a run needs only sizes and offsets, and
    decoding every file's state was most of the time of re-importing an unchanged tree."""
    select = _IMPORT_STATE if with_state else _IMPORT_SIZES
    rows = conn.execute(select + " WHERE source = ?", (source,)) if source else conn.execute(select)
    return {r[0]: _import_state(r) for r in rows}


def import_states_since(conn: sqlite3.Connection, since: str) -> list[ImportState]:
    """The import states written after `since` (an ISO time), oldest first."""
    rows = conn.execute(_IMPORT_STATE + " WHERE updated_at > ? ORDER BY updated_at", (since,))
    return [_import_state(r) for r in rows]


def set_import_state(
    conn: sqlite3.Connection,
    path: str,
    *,
    source: str,
    size: int,
    mtime: float,
    offset: int,
    line_no: int,
    state: dict[str, Any] | None,
    redacting: bool,
) -> None:
    """Remember how far a source file was imported."""
    saved = redact_secrets(state) if state and redacting else state
    conn.execute(
        'INSERT INTO import_state (path, source, size, mtime, "offset", line_no, state,'
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET"
        " source = excluded.source, size = excluded.size, mtime = excluded.mtime,"
        ' "offset" = excluded."offset", line_no = excluded.line_no,'
        " state = excluded.state, updated_at = excluded.updated_at",
        (path, source, size, mtime, offset, line_no, blockcodec.encode_metadata(saved), now_iso()),
    )
