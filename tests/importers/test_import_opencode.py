"""OpenCode import: the SQLite store (read-only, WAL untouched), the legacy JSON storage,
subagent links, tokens and cost, incremental by update times, malformed rows."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sources_support import build_opencode_db, digests, make_home

from sessionscope import store
from sessionscope.importers import import_source


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _files(db_path: Path) -> list[Path]:
    return [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"), Path(f"{db_path}-journal")]


def test_database_facts(db: store.Store, home: Path) -> None:
    report = import_source(db, "opencode")
    assert (report.sessions, report.messages) == (3, 9)
    main = db.session("ses_main01")
    assert main is not None
    assert (main.source, main.title, main.project, main.cwd) == (
        "opencode",
        "Fix flaky login test",
        "/home/dev/webapp",
        "/home/dev/webapp",
    )
    msgs = db.messages("ses_main01")
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert msgs[0].blocks == [
        {"type": "text", "text": "The login test is flaky on CI. Find out why."}
    ]
    reply = msgs[1]
    assert [b["type"] for b in reply.blocks] == ["thinking", "text", "tool_use", "tool_use"]
    assert [b["name"] for b in reply.blocks if b["type"] == "tool_use"] == ["bash", "task"]
    results = msgs[2].blocks
    assert [(r["tool_use_id"], r["content"], r["is_error"]) for r in results] == [
        ("toolu_bash1", "expected 200, got 429", False),
        ("toolu_task1", "subagent timed out", True),
    ]
    assert (reply.input_tokens, reply.output_tokens) == (1500, 150)  # output + reasoning
    assert (reply.cache_read_tokens, reply.cache_creation_tokens) == (800, 200)
    assert reply.model == "claude-sonnet-4-5"
    assert main.cost_usd == pytest.approx(0.0163)
    assert (main.input_tokens, main.output_tokens) == (1800, 210)


def test_subagent_session_links_to_parent(db: store.Store, home: Path) -> None:
    import_source(db, "opencode")
    child = db.session("ses_child01")
    assert child is not None and child.parent_session_id == "ses_main01"
    assert [s.id for s in db.sessions(parent="ses_main01")] == ["ses_child01"]
    assert db.sessions(top_level=True, source="opencode", limit=10)[0].id != "ses_child01"


def test_legacy_storage_facts(db: store.Store, home: Path) -> None:
    import_source(db, "opencode")
    legacy = db.session("ses_legacy1")
    assert legacy is not None
    assert (legacy.title, legacy.project, legacy.model) == (
        "Add pagination",
        "/home/dev/api",
        "gpt-5",
    )
    msgs = db.messages("ses_legacy1")
    assert [m.role for m in msgs] == ["user", "assistant", "tool"]
    assert [b["type"] for b in msgs[1].blocks] == ["tool_use", "text"]
    assert msgs[2].blocks[0]["content"] == "def list_orders(): ..."


def test_malformed_row_reported_and_skipped(db: store.Store, home: Path) -> None:
    report = import_source(db, "opencode")
    assert report.skipped_count == 1
    assert "msg_004" in report.skipped_lines[0][2]


def test_database_with_wal_is_never_modified(db: store.Store, tmp_path: Path) -> None:
    path = tmp_path / "oc" / "opencode.db"
    writer = build_opencode_db(path, wal=True)
    assert writer is not None
    try:
        assert Path(f"{path}-wal").stat().st_size > 0
        before = digests(*_files(path))
        stats = {str(p): p.stat().st_mtime_ns for p in _files(path) if p.exists()}
        report = import_source(db, "opencode", path)
        assert report.sessions == 2  # the data lives in the WAL: it was read
        assert digests(*_files(path)) == before
        assert {str(p): p.stat().st_mtime_ns for p in _files(path) if p.exists()} == stats
    finally:
        writer.close()


def test_database_without_wal_is_never_modified(db: store.Store, tmp_path: Path) -> None:
    path = tmp_path / "oc" / "opencode.db"
    build_opencode_db(path)
    os.chmod(path.parent, 0o555)  # not writable: nothing could be created beside it either
    try:
        before = digests(*_files(path))
        report = import_source(db, "opencode", path)
        assert report.sessions == 2
        assert digests(*_files(path)) == before
    finally:
        os.chmod(path.parent, 0o755)


def test_incremental_by_update_times(db: store.Store, home: Path) -> None:
    path = home / ".local" / "share" / "opencode" / "opencode.db"
    import_source(db, "opencode")
    assert import_source(db, "opencode").files_imported == 0  # unchanged: not opened
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO message VALUES ('msg_005', 'ses_main01', 1791277300000, 1791277300000,"
        ' \'{"role":"user","time":{"created":1791277300000}}\')'
    )
    conn.execute(
        "INSERT INTO part VALUES ('prt_009', 'msg_005', 'ses_main01', 1791277300000,"
        ' 1791277300000, \'{"type":"text","text":"thanks"}\')'
    )
    conn.commit()
    conn.close()
    report = import_source(db, "opencode")
    assert (report.files_imported, report.messages, report.sessions) == (1, 1, 1)
    assert db.messages("ses_main01")[-1].blocks[0]["text"] == "thanks"
    assert db.message_count("ses_child01") == 2


def test_not_a_database_is_reported(db: store.Store, tmp_path: Path) -> None:
    bad = tmp_path / "opencode.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    report = import_source(db, "opencode", bad)
    assert report.files_unread == 1
    assert "OpenCode database" in report.skipped_lines[0][2]
