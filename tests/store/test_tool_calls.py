"""The tool_calls table always agrees with the messages: back-filled on upgrade, kept by every
write path, and verified by `check` (what `doctor` runs)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.store import toolcalls
from sessionscope.store.connection import ScriptConnection
from sessionscope.store.metrics import render
from sessionscope.store.schema import MIGRATIONS

_T0 = "2026-01-01T00:00:0{}.000Z"


def _build_v2_with_tool_calls(path: Path) -> None:
    """A store as sessionscope schema 2 left it, holding a failed and a good tool call."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    script = ScriptConnection(conn)
    for number in range(2):
        MIGRATIONS[number](script)  # type: ignore[arg-type]
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO sessions (id, title, started_at, updated_at, message_count)"
        f" VALUES ('old', 'before tool_calls', '{_T0.format(0)}', '{_T0.format(4)}', 4)"
    )
    messages = [
        ("user", [{"type": "text", "text": "run the tests"}]),
        (
            "assistant",
            [
                {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "pytest"}},
                {"type": "tool_use", "id": "t2", "name": "Read", "input": {"path": "a.py"}},
            ],
        ),
        (
            "tool",
            [
                {"type": "tool_result", "tool_use_id": "t1", "content": "boom", "is_error": True},
                {"type": "tool_result", "tool_use_id": "t2", "content": "print(1)"},
            ],
        ),
        ("assistant", [{"type": "text", "text": "it failed"}]),
    ]
    for seq, (role, blocks) in enumerate(messages):
        conn.execute(
            "INSERT INTO messages (session_id, seq, role, created_at, blocks) VALUES (?, ?, ?, ?, ?)",
            ("old", seq, role, _T0.format(seq), json.dumps(blocks)),
        )
    conn.execute(
        "INSERT INTO messages_fts (rowid, text, tools) SELECT id, text, tools FROM message_text"
    )
    conn.close()


def test_upgrade_from_schema_2_back_fills_tool_calls(store_path: Path) -> None:
    _build_v2_with_tool_calls(store_path)
    with store.open() as db:
        assert sorted(h.seq for h in db.search("tool:Bash")) == [1, 2]
        assert sorted(h.seq for h in db.search("is:error")) == [1, 2]
        calls = db.tool_calls("old")
        assert calls["t1"] == {"name": "Bash", "is_error": True, "seq": 1, "result_seq": 2}
        assert calls["t2"] == {"name": "Read", "is_error": False, "seq": 1, "result_seq": 2}
        stats = db.stats()
        assert (stats.tool_calls, stats.failed_tool_calls) == (2, 1)
        text = render(db).decode()
        assert 'sessionscope_tool_calls_total{outcome="error",tool="Bash"} 1.0' in text
        assert 'sessionscope_tool_calls_total{outcome="ok",tool="Read"} 1.0' in text
        assert db.check(full=True) == []


def test_upgrade_from_schema_3_without_rows_back_fills(store_path: Path) -> None:
    """A store migrated 2 -> 3 by the old code: at 3, with no rows for its earlier calls."""
    _build_v2_with_tool_calls(store_path)
    conn = sqlite3.connect(store_path, isolation_level=None)
    MIGRATIONS[2](ScriptConnection(conn))  # type: ignore[arg-type]
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with store.open() as db:
        assert sorted(h.seq for h in db.search("is:error")) == [1, 2]
        assert db.stats().tool_calls == 2


def test_check_detects_a_missing_row_and_a_wrong_pairing(db: store.Store) -> None:
    sid = db.start_session()
    db.append(sid, "assistant", [{"type": "tool_use", "id": "a", "name": "Bash", "input": {}}])
    db.append(sid, "assistant", [{"type": "tool_use", "id": "b", "name": "Edit", "input": {}}])
    db.append(
        sid,
        "tool",
        [
            {"type": "tool_result", "tool_use_id": "a", "content": "x", "is_error": True},
            {"type": "tool_result", "tool_use_id": "b", "content": "y"},
        ],
    )
    assert db.check() == [] and db.check(full=True) == []
    conn = db._db.connection()
    conn.execute("UPDATE tool_calls SET is_error = 0 WHERE tool_use_id = 'a'")
    assert db.check() == []  # counts still agree
    assert any("paired with the wrong result" in p for p in db.check(full=True))
    conn.execute("DELETE FROM tool_calls WHERE tool_use_id = 'b'")
    problems = db.check()
    assert len(problems) == 1 and "1 calls missing and 0 extra" in problems[0], problems


# -- every write path derives the rows the back-fill would -------------------------------------

_odd_text = st.text(max_size=4) | st.sampled_from(["", "\x00", "a\x00b", "\ud800", "t1", "t2"])
_odd_value = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False, allow_infinity=False)
)
_odd_value |= (
    _odd_text
    | st.lists(st.integers(), max_size=1)
    | st.dictionaries(st.just("k"), st.integers(), max_size=1)
)
_ids = st.sampled_from(["t1", "t2", "t3"]) | _odd_value
_block = st.one_of(
    st.fixed_dictionaries({"type": st.just("tool_use"), "id": _ids, "name": _odd_value}),
    st.fixed_dictionaries(
        {"type": st.just("tool_result"), "tool_use_id": _ids, "content": st.just("out")},
        optional={"is_error": _odd_value},
    ),
    st.just({"type": "text", "text": "prose"}),
)


def _rows(conn: sqlite3.Connection, sid: str) -> list[tuple]:
    return sorted(
        conn.execute(
            "SELECT m.seq, t.tool_use_id, t.name, t.is_error, r.seq FROM tool_calls t"
            " JOIN messages m ON m.id = t.message_id LEFT JOIN messages r"
            " ON r.id = t.result_message_id WHERE t.session_id = ?",
            (sid,),
        ).fetchall(),
        key=repr,
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(_block, min_size=1, max_size=3), min_size=1, max_size=5), st.data())
def test_every_write_path_agrees_with_the_back_fill(db: store.Store, batches, data) -> None:
    sid = db.start_session()
    try:
        _write_and_compare(db, sid, batches, data)
    finally:
        db.delete_session(sid)


def _write_and_compare(db: store.Store, sid: str, batches, data) -> None:
    for content in batches:
        if data.draw(st.booleans()):
            db.append_many(sid, [{"role": "assistant", "content": c} for c in [content, content]])
        else:
            db.append(
                sid,
                "assistant",
                content,
                external_id=data.draw(st.sampled_from(["a", None])),
                replace=data.draw(st.booleans()),
            )
    messages = db.load(sid).messages
    keep = data.draw(st.integers(min_value=0, max_value=len(messages)))
    shuffled = data.draw(st.permutations(messages[:keep]))
    db.save(sid, [{"role": m.role, "content": m.blocks} for m in shuffled])
    assert db.check(full=True) == []
    conn = db._db.connection()
    written = _rows(conn, sid)
    conn.execute("BEGIN")
    conn.execute("DELETE FROM tool_calls")
    toolcalls.backfill(conn)
    rebuilt = _rows(conn, sid)
    conn.execute("ROLLBACK")
    # the same calls; a call paired by a write may name any message holding its result
    assert [_canon_row(r) for r in written] == [_canon_row(r) for r in rebuilt]


def _canon_row(row: tuple) -> tuple:
    """Seq, id and name, with runs of U+FFFD as one (see toolcalls._canon)."""
    return (row[0], toolcalls._canon(row[1]), toolcalls._canon(row[2]))


def test_a_result_pairs_earlier_calls_even_when_its_message_repeats_the_id(
    db: store.Store,
) -> None:
    """A message holding a call and a result with one id used to pair only its own call, leaving
    an earlier unpaired call with that id unpaired (found by the hostile-append fuzz, seed 13)."""
    sid = db.start_session(title="repeated ids", source="api")
    db.append(sid, "assistant", [{"type": "tool_use", "id": "x", "name": "Bash", "input": {}}])
    db.append(
        sid,
        "tool",
        [
            {"type": "tool_use", "id": "x", "name": "Bash", "input": {}},
            {"type": "tool_result", "tool_use_id": "x", "content": "boom", "is_error": True},
        ],
    )
    calls = db.tool_calls(sid)
    assert db.check(full=True) == []
    assert all(info["result_seq"] == 1 and info["is_error"] for info in calls.values())
