"""A window of one session, read in one transaction: what a viewer of a long session needs.

`Store.window` returns the messages `start <= seq < stop` with the session's message count, and
on request its row, its tool calls and its subagent sessions, all from the same snapshot of the
store: the count and the messages always agree, even while another process writes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from . import messages as msgs
from . import sessions
from .models import Message, SessionInfo
from .validate import int_arg, optional_int_arg


@dataclass(frozen=True, slots=True)
class Window:
    """Messages `start <= seq < stop` of a session and, as asked, what goes with them."""

    session_id: str
    total: int  # messages in the session (its last seq + 1) in the same snapshot
    start: int  # the range asked for, resolved against `total` (see `Store.window`)
    stop: int
    messages: list[Message]
    info: SessionInfo | None = None  # with `info=True`; None also when the session is gone
    calls: dict[str, dict[str, Any]] | None = None  # with `calls=True`: `Store.tool_calls`
    children: list[SessionInfo] | None = None  # with `children=True`: by start time, then id
    tail_start: int = 0  # with `tail=`: the messages from `tail_start` to the end
    tail: list[Message] = field(default_factory=list)


def _resolve(index: int | None, total: int, default: int) -> int:
    """A slice index over seqs 0..total: negative counts from the end, clamped to the session."""
    if index is None:
        return default
    if index < 0:
        index += total
    return max(0, min(total, index))


def read_window(
    conn: sqlite3.Connection,
    session_id: str,
    start: int | None = 0,
    stop: int | None = None,
    *,
    info: bool = False,
    calls: bool = False,
    session_calls_limit: int = 0,
    children: bool = False,
    tail: int | None = None,
    tail_limit: int | None = None,
) -> Window:
    """One `Window`, every read inside one read transaction on `conn` (see `Store.window`);
    the arguments are checked first (InvalidInput)."""
    start, stop = optional_int_arg(start, "start"), optional_int_arg(stop, "stop")
    tail, tail_limit = optional_int_arg(tail, "tail"), optional_int_arg(tail_limit, "tail_limit")
    session_calls_limit = int_arg(session_calls_limit, "session_calls_limit")
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")  # deferred: one snapshot for every read below, no lock taken
    try:
        row = sessions.get(conn, session_id) if info else None
        total = msgs.count(conn, session_id)
        first = _resolve(start, total, 0)
        end = max(first, _resolve(stop, total, total))
        messages = msgs.in_range(conn, session_id, first, end) if end > first else []
        call_map = None
        if calls:
            whole = total <= session_calls_limit
            call_map = msgs.tool_calls(
                conn, session_id, 0 if whole else first, None if whole else end
            )
        kids = None
        if children:
            where, params = sessions.filter_clause(
                None, None, None, None, session_id, False, None, None
            )
            kids = sessions.listing(conn, where, params, sessions.sort_clause("started"), None, 0)
            kids.sort(key=lambda c: (c.started_at or "", c.id))
        tail_start, tail_messages = total, []
        if tail is not None:
            tail_start = max(0, tail, total - tail_limit if tail_limit is not None else 0)
            if total > tail_start:
                tail_messages = msgs.in_range(conn, session_id, tail_start, total)
    finally:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")  # a read: nothing to keep
    return Window(
        session_id=session_id,
        total=total,
        start=first,
        stop=end,
        messages=messages,
        info=row,
        calls=call_map,
        children=kids,
        tail_start=tail_start,
        tail=tail_messages,
    )
