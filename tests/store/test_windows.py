"""`Store.window`: a window of a session and what goes with it, from one read transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.store import Store, messages


def _session(db: Store, count: int) -> str:
    sid = db.start_session(title="w", source="api", started_at="2026-10-01T00:00:00Z")
    for i in range(count):
        if i % 3 == 1:
            db.append(
                sid,
                "assistant",
                [{"type": "tool_use", "id": f"t{i}", "name": "Task", "input": {"n": i}}],
            )
        elif i % 3 == 2:
            db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": f"t{i - 1}"}])
        else:
            db.append(sid, "user", f"message {i}")
    return sid


def test_window_ranges_work_like_slices(db: Store) -> None:
    sid = _session(db, 10)
    window = db.window(sid, 2, 5)
    assert (window.total, window.start, window.stop) == (10, 2, 5)
    assert [m.seq for m in window.messages] == [2, 3, 4]
    assert window.info is None and window.calls is None and window.children is None
    tail = db.window(sid, -4, None)
    assert (tail.start, tail.stop) == (6, 10)
    assert [m.seq for m in tail.messages] == [6, 7, 8, 9]
    past = db.window(sid, 8, 50)
    assert (past.start, past.stop, len(past.messages)) == (8, 10, 2)
    assert db.window(sid, 12, 20).messages == []
    gone = db.window("no-such-session", 0, 10, info=True, children=True)
    assert (gone.total, gone.info, gone.messages, gone.children) == (0, None, [], [])


def test_window_brings_row_calls_children_and_tail(db: Store) -> None:
    sid = _session(db, 10)
    late = db.start_session(parent_session_id=sid, started_at="2026-10-01T02:00:00Z")
    early = db.start_session(parent_session_id=sid, started_at="2026-10-01T01:00:00Z")
    window = db.window(sid, 0, 3, info=True, calls=True, children=True)
    assert window.info is not None and window.info.id == sid and window.info.message_count == 10
    assert set(window.calls or {}) == {"t1"}  # the window's calls only
    assert [c.id for c in window.children or []] == [early, late]
    whole = db.window(sid, 0, 3, calls=True, session_calls_limit=10)
    assert set(whole.calls or {}) == {"t1", "t4", "t7"}  # short enough: the whole session's
    assert whole.calls == db.tool_calls(sid)
    grown = db.window(sid, 0, 3, tail=8)
    assert grown.tail_start == 8 and [m.seq for m in grown.tail] == [8, 9]
    capped = db.window(sid, 0, 3, tail=0, tail_limit=3)
    assert capped.tail_start == 7 and [m.seq for m in capped.tail] == [7, 8, 9]


def test_window_is_one_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process rewrites the session between the count and the messages: the window
    still holds the messages the count counted."""
    path = tmp_path / "snapshot.db"
    with store.open(path) as db, store.open(path) as other:
        sid = _session(db, 10)
        count = messages.count  # the window's first read, on the window's connection
        rewritten: list[bool] = []

        def count_then_rewrite(conn: sqlite3.Connection, session_id: str) -> int:
            total = count(conn, session_id)
            if not rewritten:
                rewritten.append(True)
                other.save(sid, [{"role": "user", "content": "only one now"}])
            return total

        monkeypatch.setattr(messages, "count", count_then_rewrite)
        window = db.window(sid, 0, None, info=True, calls=True, children=True, tail=5)
        assert window.total == 10 and len(window.messages) == 10
        assert window.info is not None and window.info.message_count == 10
        assert [m.seq for m in window.tail] == [5, 6, 7, 8, 9]
        assert window.messages[0].blocks == [{"type": "text", "text": "message 0"}]
        monkeypatch.undo()
        after = db.window(sid, 0, None)
        assert after.total == 1 and len(after.messages) == 1
        # the read transaction is over: this thread's connection holds no snapshot
        assert db.window(sid, 0, None, info=True).info.message_count == 1  # type: ignore[union-attr]
