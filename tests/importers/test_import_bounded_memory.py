"""Bounded memory on large snapshot units: a database of any size is read one session at a time
(peak memory does not grow with the number of sessions), and a unit read whole (a Cline task, a
Gemini JSON document) above the size limit is reported and never read. Measured with tracemalloc
in a fresh Python process, so nothing else in the test run counts."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sources_support import OPENCODE_SQL

from sessionscope import store
from sessionscope.importers import import_source

PROBE = """
import json, sys, tracemalloc
from sessionscope import store
from sessionscope.importers import import_source
tracemalloc.start()
with store.open(sys.argv[1], mmap_mb=0) as db:
    report = import_source(db, sys.argv[2], sys.argv[3])
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({"peak": peak, "sessions": report.sessions, "messages": report.messages,
                  "skipped": report.skipped_lines}))
"""
TEXT = "the validator awaits each check in turn while the form waits " * 64  # ~4 KB


def probe(tmp_path: Path, source: str, root: Path, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / f"probe-{root.name}.db"), source, str(root)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    return json.loads(out.stdout)


def opencode_db(path: Path, sessions: int) -> Path:
    path.mkdir(parents=True)
    conn = sqlite3.connect(path / "opencode.db")
    conn.executescript(OPENCODE_SQL.read_text())
    for table in ("session", "message", "part"):
        conn.execute(f"DELETE FROM {table}")
    for n in range(sessions):
        sid = f"ses_{n:05d}"
        conn.execute(
            "INSERT INTO session VALUES (?, 'prj_webapp', NULL, 's', '/w', ?, '1', NULL, 1, 2,"
            " NULL, NULL)",
            (sid, f"session {n}"),
        )
        for k in range(20):
            mid = f"msg_{n:05d}_{k:02d}"
            role = "user" if k % 2 == 0 else "assistant"
            info = json.dumps({"role": role, "time": {"created": 1791277200000 + k}})
            conn.execute("INSERT INTO message VALUES (?, ?, 1, 2, ?)", (mid, sid, info))
            part = json.dumps({"type": "text", "text": f"{n} {k} {TEXT}"})
            conn.execute(
                "INSERT INTO part VALUES (?, ?, ?, 1, 2, ?)", (f"prt_{mid}", mid, sid, part)
            )
    conn.commit()
    conn.close()
    return path


def cursor_db(path: Path, sessions: int) -> Path:
    path.mkdir(parents=True)
    conn = sqlite3.connect(path / "state.vscdb")
    conn.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    for n in range(sessions):
        cid = f"c{n:05d}"
        heads = [{"bubbleId": f"b{k}", "type": 1 + k % 2} for k in range(20)]
        composer = {
            "name": f"conversation {n}",
            "lastUpdatedAt": 2,
            "fullConversationHeadersOnly": heads,
        }
        conn.execute(
            "INSERT INTO cursorDiskKV VALUES (?, ?)", (f"composerData:{cid}", json.dumps(composer))
        )
        for k in range(20):
            bubble = {"type": 1 + k % 2, "text": f"{n} {k} {TEXT}"}
            conn.execute(
                "INSERT INTO cursorDiskKV VALUES (?, ?)",
                (f"bubbleId:{cid}:b{k}", json.dumps(bubble)),
            )
    conn.commit()
    conn.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("source", "build"), [("opencode", opencode_db), ("cursor", cursor_db)])
def test_a_database_is_read_one_session_at_a_time(tmp_path: Path, source: str, build) -> None:
    small = probe(tmp_path, source, build(tmp_path / "small", 15))
    large = probe(tmp_path, source, build(tmp_path / "large", 90))
    assert (small["sessions"], large["sessions"]) == (15, 90)
    assert large["messages"] == 90 * 20
    # six times the sessions (about 7 MB of text instead of 1.2): holding them all would take
    # several times more memory; read one at a time, the peak stays where it was
    assert large["peak"] < small["peak"] * 1.5 + 1_000_000, (small["peak"], large["peak"])
    assert large["peak"] < 7_000_000


def cline_task(root: Path, mb: int) -> Path:
    folder = root / "tasks" / "1791277200000"
    folder.mkdir(parents=True)
    turn = {"role": "assistant", "content": [{"type": "text", "text": TEXT}]}
    with (folder / "api_conversation_history.json").open("w") as out:
        out.write('[{"role": "user", "content": "start"}')
        for _ in range(mb * 1_000_000 // len(TEXT)):
            out.write(", " + json.dumps(turn))
        out.write("]")
    return root


@pytest.mark.slow
def test_a_unit_too_large_to_read_whole_is_reported_not_read(tmp_path: Path) -> None:
    root = cline_task(tmp_path / "cline", 24)
    got = probe(tmp_path, "cline", root, {"SESSIONSCOPE_MAX_UNIT_MB": "8"})
    assert got["sessions"] == 0
    assert got["peak"] < 3_000_000  # reading it whole would take several hundred MB
    ((where, line, reason),) = got["skipped"]
    assert where.endswith("1791277200000") and line == 0
    assert "too large to read whole (24 MB; the limit is 8 MB, $SESSIONSCOPE_MAX_UNIT_MB)" in reason
    # under the limit, the same task is read
    assert probe(tmp_path, "cline", root, {"SESSIONSCOPE_MAX_UNIT_MB": "64"})["sessions"] == 1


def test_the_limit_applies_to_a_gemini_document_and_is_reported_each_run(
    db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = tmp_path / "tmp" / "proj" / "chats"
    chats.mkdir(parents=True)
    doc = {
        "sessionId": "g-big",
        "messages": [{"id": f"u{k}", "type": "user", "content": TEXT} for k in range(300)],
    }
    (chats / "session-big.json").write_text(json.dumps(doc))
    monkeypatch.setenv("SESSIONSCOPE_MAX_UNIT_MB", "0.5")
    for _ in range(2):  # not remembered as imported: said again until the limit allows it
        report = import_source(db, "gemini", tmp_path / "tmp")
        assert report.files_unread == 1 and "too large" in report.skipped_lines[0][2]
    monkeypatch.setenv("SESSIONSCOPE_MAX_UNIT_MB", "5")
    assert import_source(db, "gemini", tmp_path / "tmp").sessions == 1
    assert db.message_count("g-big") == 300
