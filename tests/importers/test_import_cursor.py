"""Cursor import: the IDE's state.vscdb (cursorDiskKV composerData/bubbleId rows), read-only,
binary values from older versions reported, incremental by lastUpdatedAt."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sources_support import CURSOR_COMPOSER, build_cursor_db, digests, make_home

from sessionscope import store
from sessionscope.importers import import_source


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _db(home: Path) -> Path:
    return home / ".config" / "Cursor" / "User" / "globalStorage" / "state.vscdb"


def test_conversation_facts(db: store.Store, home: Path) -> None:
    report = import_source(db, "cursor", _db(home))
    assert (report.sessions, report.messages) == (1, 4)
    s = db.session(CURSOR_COMPOSER)
    assert s is not None
    assert (s.source, s.title, s.model) == (
        "cursor",
        "Explain the auth middleware",
        "claude-4.5-sonnet",
    )
    msgs = db.messages(CURSOR_COMPOSER)
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert [b["type"] for b in msgs[1].blocks] == ["thinking", "tool_use"]
    assert msgs[1].blocks[1]["input"] == {"targetFile": "src/auth.ts"}
    assert msgs[2].blocks[0]["tool_use_id"] == "toolu_read1"
    assert (s.input_tokens, s.output_tokens) == (2700, 90)


def test_binary_values_are_counted_and_reported(db: store.Store, home: Path) -> None:
    report = import_source(db, "cursor", _db(home))
    assert report.skipped_count == 1
    assert "old-binary" in report.skipped_lines[0][2]


def test_never_modified_and_incremental(db: store.Store, home: Path) -> None:
    path = _db(home)
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]
    before = digests(*files)
    import_source(db, "cursor", _db(home))
    assert digests(*files) == before
    assert import_source(db, "cursor", _db(home)).files_imported == 0
    conn = sqlite3.connect(path)
    key = f"composerData:{CURSOR_COMPOSER}"
    composer = json.loads(
        conn.execute("SELECT value FROM cursorDiskKV WHERE key = ?", (key,)).fetchone()[0]
    )
    composer["lastUpdatedAt"] += 1000
    composer["fullConversationHeadersOnly"].append({"bubbleId": "b4", "type": 1})
    bubble = {"bubbleId": "b4", "type": 1, "text": "and the refresh token?"}
    conn.execute("INSERT INTO cursorDiskKV VALUES (?, ?)", (key, json.dumps(composer)))
    conn.execute(
        "INSERT INTO cursorDiskKV VALUES (?, ?)",
        (f"bubbleId:{CURSOR_COMPOSER}:b4", json.dumps(bubble)),
    )
    conn.commit()
    conn.close()
    report = import_source(db, "cursor", _db(home))
    assert (report.sessions, report.messages) == (1, 1)
    assert db.messages(CURSOR_COMPOSER)[-1].blocks[0]["text"] == "and the refresh token?"


def test_not_a_cursor_database(db: store.Store, tmp_path: Path) -> None:
    other = tmp_path / "state.vscdb"
    sqlite3.connect(other).close()
    report = import_source(db, "cursor", other)
    assert report.files_unread == 1 and "Cursor state database" in report.skipped_lines[0][2]
    build_cursor_db(tmp_path / "x" / "state.vscdb")
    assert import_source(db, "cursor", tmp_path / "x").sessions == 1
