"""`sessionscope doctor` reports health and exits non-zero when something is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli


def test_healthy_store(store_path: Path) -> None:
    with store.open() as db:
        sid = db.start_session(title="t")
        db.append(sid, "user", "hello there")
    result = CliRunner().invoke(cli, ["doctor", "--full"])
    assert result.exit_code == 0, result.output
    assert (
        "checks      full: ok" in result.stdout
        and "contents    1 session, 1 message\n" in result.stdout
    )
    report = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).stdout)[0]
    assert (
        report["ok"] and report["schema_version"] == store.SCHEMA_VERSION and report["owner_only"]
    )


def test_stale_index_and_loose_permissions_are_problems(store_path: Path) -> None:
    with store.open() as db:
        sid = db.start_session(title="t")
        db.append(sid, "user", "hello world")
        db._db.connection().execute(
            "INSERT INTO messages_fts(messages_fts, rowid, text, tools) VALUES ('delete', 1, 'hello x', NULL)"
        )
    os.chmod(store_path, 0o644)
    result = CliRunner().invoke(cli, ["doctor", "--full"])
    assert result.exit_code == 1
    assert "readable by others" in result.stdout and "disagree" in result.stdout


def test_a_dropped_trigger_index_or_table_is_a_problem(store_path: Path) -> None:
    """A store missing part of this version's schema (here a trigger that keeps the search index
    following edits, an index, and a whole table) is unhealthy, and doctor names each part."""
    with store.open() as db:
        sid = db.start_session(title="t")
        db.append(sid, "user", "hello there")
        conn = db._db.connection()
        conn.execute("DROP TRIGGER messages_au")
        conn.execute("DROP INDEX sessions_updated")
        conn.execute("DROP TABLE import_locks")
        conn.execute("CREATE INDEX my_own ON sessions(title)")  # extra objects are no problem
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1, result.output
    report = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).stdout)[0]
    assert sorted(p for p in report["problems"] if p.startswith("schema:")) == [
        "schema: index sessions_updated on sessions is missing",
        "schema: table import_locks is missing",
        "schema: trigger messages_au on messages is missing",
    ]


def test_corrupt_and_missing_stores(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"garbage" * 500)
    result = CliRunner().invoke(cli, ["--db", str(junk), "doctor"])
    assert result.exit_code == 1 and "not a sessionscope store" in result.stdout
    assert junk.read_bytes() == b"garbage" * 500
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "doctor", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)[0]["problems"] == [
        "no store at this path"
    ]


def test_missing_tool_calls_row_is_a_problem(store_path: Path) -> None:
    with store.open() as db:
        sid = db.start_session(title="t")
        db.append(sid, "assistant", [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {}}])
        db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}])
        db._db.connection().execute("DELETE FROM tool_calls")
    for args in (["doctor"], ["doctor", "--full"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert "tool_calls: 1 calls missing and 0 extra in 1 session," in result.stdout


_WRITER = """
import sys, pathlib
from sessionscope import store
db = store.open(sys.argv[1])
sid = db.start_session(title="busy")
stop = pathlib.Path(sys.argv[2])
n = 0
while not stop.exists():
    db.append_many(sid, [
        {"role": "user", "content": f"question {n} about the flaky login test"},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": f"t{n}", "name": "Bash", "input": {"command": f"pytest -k {n}"}}]},
        {"role": "tool", "content": [
            {"type": "tool_result", "tool_use_id": f"t{n}", "content": f"{n} passed", "is_error": n % 3 == 0}]},
        {"role": "assistant", "content": f"重複を削除 step {n}"},
    ])
    n += 1
db.close()
"""


def test_full_check_is_healthy_while_an_agent_writes(store_path: Path, tmp_path: Path) -> None:
    """doctor --full sees one consistent snapshot, however busy the writers are."""
    from sessionscope.cli.doctor import diagnose

    with store.open() as db:
        for k in range(200):
            sid = db.start_session(title=f"s{k}")
            db.append(sid, "user", f"earlier words {k}")
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(store_path), str(stop)])
    try:
        with store.open() as db:
            while db.count_sessions() < 201 or db.stats().messages < 400:
                time.sleep(0.05)
        seen = []
        for _ in range(5):
            report = diagnose(str(store_path), full=True)
            assert report["ok"], report["problems"]
            seen.append(report["messages"])
        assert writer.poll() is None and seen[-1] > seen[0]  # it wrote all along
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0
