"""The `tool_calls` table as a function of the messages: derive, back-fill and verify it.

One row per `tool_use` block (its id and name, as the write path stores them), paired with the
message holding its `tool_result` (the latest result at or after the call) and whether that
result was an error. `tool:` search, `is:error`, the failed-call marks and the tool metrics read
this table, so a message without its rows is invisible to all of them.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from typing import Any

from . import blocks as blockcodec

# Cheap pre-filters: a message with a tool block holds this text in its JSON (a superset).
HAS_CALL = "blocks LIKE '%\"tool_use\"%'"
HAS_RESULT = "blocks LIKE '%\"tool_result\"%'"
_CHUNK = 1000
# A lone surrogate reaches tool_calls as one U+FFFD from Python, but as three invalid bytes (read
# back as three U+FFFD) through SQLite's JSON functions in the update trigger: verification
# compares such ids and names up to that, and cannot tell how such an id pairs.
_REPLACED = re.compile("\ufffd+")


def _canon(value: str | None) -> str | None:
    return value if value is None or value.isascii() else _REPLACED.sub("\ufffd", value)


def _id_text(value: Any) -> str | None:
    """A tool call id or name as text SQLite can hold: lone surrogates become U+FFFD, and NULs
    spaces (SQLite's JSON functions, which the update trigger uses, would cut the text there)."""
    if not isinstance(value, str):
        return None
    return blockcodec.utf8_text(value).replace("\x00", " ")


def calls_in(blocks: list[Any]) -> list[tuple[str | None, str]]:
    """(tool_use id, name) of each tool call in a message, in order."""
    return [
        (_id_text(block.get("id")), _id_text(block.get("name")) or "")
        for block in blocks
        if isinstance(block, dict) and block.get("type") == "tool_use"
    ]


def results_in(blocks: list[Any]) -> list[tuple[str, int]]:
    """(tool_use id, is_error as 0/1) of each tool result in a message that names its call."""
    out: list[tuple[str, int]] = []
    for block in blocks:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            use_id = _id_text(block.get("tool_use_id"))
            if use_id is not None:
                out.append((use_id, 1 if block.get("is_error") else 0))
    return out


def _chunks(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> Iterator[list[Any]]:
    """Rows of `SELECT id, ... FROM messages WHERE ... AND id > ? ORDER BY id LIMIT ?`, in
    chunks, so the caller may write between them."""
    last = 0
    while True:
        rows = conn.execute(sql, (*params, last, _CHUNK)).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def backfill(conn: Any) -> None:
    """Give every message the tool_calls rows it lacks, then pair every unpaired call.

    Stores upgraded by migration 3 had none for the messages written before it. Messages that
    already have rows keep them; pairing only fills calls that have no result yet.
    """
    sql = (
        "SELECT m.id, m.session_id, m.blocks FROM messages m WHERE m." + HAS_CALL + " AND NOT"
        " EXISTS (SELECT 1 FROM tool_calls t WHERE t.message_id = m.id) AND m.id > ?"
        " ORDER BY m.id LIMIT ?"
    )
    for rows in _chunks(conn, sql):
        inserts = [
            (mid, sid, use_id, name)
            for mid, sid, raw in rows
            for use_id, name in calls_in(blockcodec.decode(raw))
        ]
        for values in inserts:
            conn.execute(
                "INSERT INTO tool_calls (message_id, session_id, tool_use_id, name)"
                " VALUES (?, ?, ?, ?)",
                values,
            )
    sessions = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT session_id FROM tool_calls"
            " WHERE result_message_id IS NULL AND tool_use_id IS NOT NULL"
        ).fetchall()
    ]
    for session_id in sessions:
        pair_unpaired(conn, session_id)


def pair_unpaired(conn: Any, session_id: str) -> None:
    """Pair each call of a session that has no result with the latest result at or after it."""
    waiting: dict[str, list[tuple[int, int]]] = {}
    for row_id, use_id, seq in conn.execute(
        "SELECT t.id, t.tool_use_id, m.seq FROM tool_calls t JOIN messages m"
        " ON m.id = t.message_id WHERE t.session_id = ? AND t.result_message_id IS NULL"
        " AND t.tool_use_id IS NOT NULL",
        (session_id,),
    ).fetchall():
        waiting.setdefault(use_id, []).append((row_id, seq))
    if not waiting:
        return
    paired: dict[int, tuple[int, int]] = {}
    for mid, seq, raw in conn.execute(
        "SELECT id, seq, blocks FROM messages WHERE session_id = ? AND "
        + HAS_RESULT
        + " ORDER BY seq",
        (session_id,),
    ).fetchall():
        for use_id, is_error in results_in(blockcodec.decode(raw)):
            for row_id, call_seq in waiting.get(use_id, ()):
                if call_seq <= seq:
                    paired[row_id] = (mid, is_error)
    for row_id, (mid, is_error) in paired.items():
        conn.execute(
            "UPDATE tool_calls SET result_message_id = ?, is_error = ? WHERE id = ?",
            (mid, is_error, row_id),
        )


# -- verification (doctor) ---------------------------------------------------------------------


def check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """Problems where tool_calls disagrees with the messages (empty when it agrees).

    Always: the number of calls per session. With `full`: every message's calls (ids and
    names), and every pairing (a result exists and the call is unpaired, or the recorded result
    message does not hold that result).
    """
    expected: Counter[str] = Counter()
    for rows in _chunks(
        conn,
        "SELECT id, session_id, blocks FROM messages WHERE "
        + HAS_CALL
        + " AND id > ? ORDER BY id LIMIT ?",
    ):
        for _mid, sid, raw in rows:
            count = len(calls_in(blockcodec.decode(raw)))
            if count:
                expected[sid] += count
    actual: Counter[str] = Counter(
        dict(conn.execute("SELECT session_id, count(*) FROM tool_calls GROUP BY session_id"))
    )
    problems: list[str] = []
    differing = sorted(
        sid for sid in expected.keys() | actual.keys() if expected[sid] != actual[sid]
    )
    if differing:
        missing = sum(max(0, expected[s] - actual[s]) for s in differing)
        extra = sum(max(0, actual[s] - expected[s]) for s in differing)
        sessions = f"{len(differing)} session" + ("s" if len(differing) != 1 else "")
        problems.append(
            f"tool_calls: {missing} calls missing and {extra} extra in {sessions}, against the"
            " messages (tool: search, is:error and the tool metrics are wrong there)"
        )
    if full:
        problems.extend(_check_rows(conn, sorted(expected.keys() | actual.keys())))
    return problems


def _check_rows(conn: sqlite3.Connection, sessions: list[str]) -> list[str]:
    wrong_calls = wrong_pairs = 0
    for session_id in sessions:
        calls, pairs = _check_session(conn, session_id)
        wrong_calls += calls
        wrong_pairs += pairs
    problems = []
    if wrong_calls:
        problems.append(
            f"tool_calls: the calls of {wrong_calls} messages differ from their tool_use blocks"
        )
    if wrong_pairs:
        problems.append(f"tool_calls: {wrong_pairs} calls are paired with the wrong result")
    return problems


def _check_session(conn: sqlite3.Connection, session_id: str) -> tuple[int, int]:
    """(messages whose calls differ, calls whose pairing is wrong) in one session."""
    want: dict[int, Counter[tuple[str | None, str | None]]] = {}
    seqs: dict[int, int] = {}
    results: dict[str, list[tuple[int, int, Any]]] = {}  # use id -> (seq, message id, is_error)
    for mid, seq, raw in conn.execute(
        "SELECT id, seq, blocks FROM messages WHERE session_id = ? AND ("
        + HAS_CALL
        + " OR "
        + HAS_RESULT
        + ")",
        (session_id,),
    ):
        decoded = blockcodec.decode(raw)
        seqs[mid] = seq
        calls = calls_in(decoded)
        if calls:
            want[mid] = Counter((_canon(use_id), _canon(name)) for use_id, name in calls)
        for block in decoded:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                use_id = _id_text(block.get("tool_use_id"))
                if use_id is not None:
                    results.setdefault(use_id, []).append((seq, mid, block.get("is_error")))
    have: dict[int, Counter[tuple[str | None, str | None]]] = {}
    rows = conn.execute(
        "SELECT message_id, tool_use_id, name, is_error, result_message_id FROM tool_calls"
        " WHERE session_id = ?",
        (session_id,),
    ).fetchall()
    for mid, use_id, name, _is_error, _result in rows:
        have.setdefault(mid, Counter())[(_canon(use_id), _canon(name))] += 1
    wrong_calls = sum(1 for mid in want.keys() | have.keys() if want.get(mid) != have.get(mid))
    wrong_pairs = sum(
        1 for row in rows if row[1] is not None and not _pairing_ok(row, seqs, results)
    )
    return wrong_calls, wrong_pairs


def _pairing_ok(
    row: tuple[Any, ...], seqs: dict[int, int], results: dict[str, list[tuple[int, int, Any]]]
) -> bool:
    mid, use_id, _name, is_error, result_mid = row
    if "\ufffd" in use_id:
        return True
    found = results.get(use_id, [])
    if result_mid is None:
        call_seq = seqs.get(mid)
        return call_seq is None or not any(seq >= call_seq for seq, _m, _e in found)
    flags = [flag for _seq, m, flag in found if m == result_mid]
    if not flags:
        return False
    return any(int(bool(flag)) == is_error for flag in flags)
