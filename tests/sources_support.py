"""A home directory holding every supported agent's layout (tests/importers/importer_fixtures/
home, plus an OpenCode database built from opencode.sql), for the source tests."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "importers" / "importer_fixtures"
HOME = FIXTURES / "home"
OPENCODE_SQL = FIXTURES / "opencode.sql"

GEMINI_JSON = "6a1c2e3f-1111-4a2b-8c3d-000000000001"
GEMINI_SUB = "7c3e4f5a-2222-4b3c-9d4e-000000000003"
GEMINI_JSONL = "8d4f5a6b-3333-4c4d-8e5f-000000000002"
CLINE_TASK = "1791277200000"
ROO_TASK = "0b7e6f5d-4444-4d5e-9f60-000000000004"


def build_opencode_db(path: Path, *, wal: bool = False) -> sqlite3.Connection | None:
    """OpenCode's database at `path` from opencode.sql. With `wal`, the database is in WAL mode
    and the returned connection stays open, so its -wal and -shm files hold the data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.executescript(OPENCODE_SQL.read_text())
    conn.commit()
    if wal:
        return conn
    conn.close()
    return None


def make_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture home as $HOME (agent-specific homes unset), with opencode.db."""
    home = tmp_path / "home"
    shutil.copytree(HOME, home)
    build_opencode_db(home / ".local" / "share" / "opencode" / "opencode.db")
    build_cursor_db(home / ".config" / "Cursor" / "User" / "globalStorage" / "state.vscdb")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DATA_HOME", "CODEX_HOME", "GEMINI_CLI_HOME"):
        monkeypatch.delenv(name, raising=False)
    return home


def digests(*paths: Path) -> dict[str, str | None]:
    """SHA-256 of each file (None when it does not exist)."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths
    }


CURSOR_COMPOSER = "c0ffee00-7777-4a8b-9c0d-000000000007"


def build_cursor_db(path: Path) -> None:
    """Cursor's global state.vscdb with one conversation (three bubbles) and one value from an
    older version that is not JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    conn.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    cid = CURSOR_COMPOSER
    composer = {
        "_v": 3,
        "composerId": cid,
        "name": "Explain the auth middleware",
        "createdAt": 1791460800000,
        "lastUpdatedAt": 1791460860000,
        "fullConversationHeadersOnly": [
            {"bubbleId": "b1", "type": 1},
            {"bubbleId": "b2", "type": 2},
            {"bubbleId": "b3", "type": 2},
        ],
    }
    bubbles = {
        "b1": {"_v": 2, "bubbleId": "b1", "type": 1, "text": "How does the auth middleware work?"},
        "b2": {
            "_v": 2,
            "bubbleId": "b2",
            "type": 2,
            "text": "",
            "thinking": {"text": "Open the middleware first."},
            "toolFormerData": {
                "toolCallId": "toolu_read1",
                "name": "read_file",
                "params": json.dumps({"targetFile": "src/auth.ts"}),
                "status": "completed",
                "result": json.dumps({"contents": "export function auth() {}"}),
            },
            "tokenCount": {"inputTokens": 1200, "outputTokens": 30},
            "modelInfo": {"modelName": "claude-4.5-sonnet"},
        },
        "b3": {
            "_v": 2,
            "bubbleId": "b3",
            "type": 2,
            "text": "It checks the session cookie, then loads the user.",
            "tokenCount": {"inputTokens": 1500, "outputTokens": 60},
            "modelInfo": {"modelName": "claude-4.5-sonnet"},
        },
    }
    conn.execute(
        "INSERT INTO cursorDiskKV VALUES (?, ?)", (f"composerData:{cid}", json.dumps(composer))
    )
    for bid, bubble in bubbles.items():
        conn.execute(
            "INSERT INTO cursorDiskKV VALUES (?, ?)", (f"bubbleId:{cid}:{bid}", json.dumps(bubble))
        )
    conn.execute(
        "INSERT INTO cursorDiskKV VALUES (?, ?)", ("composerData:old-binary", b"\x08\x96\x01\xff")
    )
    conn.commit()
    conn.close()
