"""Gemini CLI import: the JSON document form, the JSONL log (upserts, $set, $rewindTo), project
folders mapped back to paths, subagent links, tokens, idempotent re-import, malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sources_support import GEMINI_JSON, GEMINI_JSONL, GEMINI_SUB, make_home

from sessionscope import store
from sessionscope.importers import import_source


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


@pytest.fixture
def imported(db: store.Store, home: Path) -> store.Store:
    report = import_source(db, "gemini")
    assert (report.files_imported, report.sessions, report.messages) == (3, 3, 13)
    return db


def test_json_session_facts(imported: store.Store) -> None:
    s = imported.session(GEMINI_JSON)
    assert s is not None
    assert (s.source, s.title, s.project, s.cwd) == (
        "gemini",
        "Why does the login test fail on CI?",
        "/home/dev/webapp",
        "/home/dev/webapp",
    )
    assert (s.started_at, s.ended_at) == ("2026-10-06T09:14:00.000Z", "2026-10-06T09:16:30.000Z")
    msgs = imported.messages(GEMINI_JSON)
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "system", "assistant"]
    reply = msgs[1]
    assert [b["type"] for b in reply.blocks] == ["thinking", "text", "tool_use"]
    assert reply.blocks[0]["thinking"] == "Reproduce first\nRun the failing test locally."
    assert reply.blocks[2]["name"] == "run_shell_command"
    assert reply.blocks[2]["input"] == {"command": "npm test -- login"}
    result = msgs[2].blocks[0]
    assert result["tool_use_id"] == "run_shell_command-1"
    assert result["content"] == "FAIL login.test.ts: expected 200, got 429"
    assert result["is_error"] is True
    assert msgs[3].metadata == {"level": "info"}
    # tokens: input without the cached part, thoughts count as output
    assert (reply.input_tokens, reply.cache_read_tokens, reply.output_tokens) == (1000, 200, 100)
    assert (s.input_tokens, s.output_tokens, s.cache_read_tokens) == (1500, 140, 1200)
    assert reply.model == "gemini-2.5-pro"
    assert s.model == "gemini-2.5-flash"


def test_subagent_links_to_its_parent(imported: store.Store) -> None:
    sub = imported.session(GEMINI_SUB)
    assert sub is not None
    assert sub.parent_session_id == GEMINI_JSON
    assert sub.project == "/home/dev/webapp"
    assert sub.message_count == 2
    assert [s.id for s in imported.sessions(parent=GEMINI_JSON)] == [GEMINI_SUB]


def test_jsonl_log_is_replayed(imported: store.Store) -> None:
    s = imported.session(GEMINI_JSONL)
    assert s is not None
    # the folder is the SHA-256 of the path, which trustedFolders.json names
    assert s.project == "/home/dev/api"
    assert s.title == "Cursor pagination for GET /orders"  # from the $set record
    assert s.ended_at == "2026-10-07T10:02:11.000Z"
    msgs = imported.messages(GEMINI_JSONL)
    texts = [m.blocks[0].get("text") for m in msgs]
    # g1 was upserted (its draft replaced in place); u2 and g2 were rewound away
    assert texts == [
        "Add pagination to GET /orders",
        "I will read the handler.",
        None,
        "Use cursor pagination with an opaque token",
        "Cursor pagination added: GET /orders?after=<token>.",
        "Loop detection triggered",
    ]
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "user", "assistant", "system"]
    assert msgs[1].blocks[1]["name"] == "read_file"
    assert msgs[2].blocks[0]["content"] == "def list_orders(): ..."
    assert (s.input_tokens, s.output_tokens, s.cache_read_tokens) == (1900, 110, 100)


def test_malformed_input_reported_and_skipped(db: store.Store, home: Path) -> None:
    report = import_source(db, "gemini")
    where = {(Path(p).name, line) for p, line, _ in report.skipped_lines}
    assert where == {
        ("session-2026-10-07T10-00-8d4f5a6b.jsonl", 8),
        ("session-2026-10-06T09-14-6a1c2e3f.json", 5),
    }
    broken = home / ".gemini" / "tmp" / "webapp" / "chats" / "session-broken.json"
    broken.write_text("{not json")
    again = import_source(db, "gemini")
    assert again.files_unread == 1
    assert again.skipped_lines[0][0].endswith("session-broken.json")
    assert db.message_count(GEMINI_JSON) == 5  # nothing stored was touched


def test_reimport_is_idempotent_and_follows_changes(db: store.Store, home: Path) -> None:
    import_source(db, "gemini")
    again = import_source(db, "gemini")
    assert (again.files_imported, again.messages, again.files_skipped) == (0, 0, 3)
    log = next((home / ".gemini" / "tmp").rglob("session-2026-10-07T10-00-8d4f5a6b.jsonl"))
    with log.open("a") as out:
        out.write(json.dumps({"$rewindTo": "u3"}) + "\n")
        rec = {
            "id": "u4",
            "timestamp": "2026-10-07T10:05:00.000Z",
            "type": "user",
            "content": [{"text": "Start over"}],
        }
        out.write(json.dumps(rec) + "\n")
    third = import_source(db, "gemini")
    assert third.files_imported == 1
    msgs = db.messages(GEMINI_JSONL)
    assert [m.blocks[0].get("text") for m in msgs][-1] == "Start over"
    assert len(msgs) == 4  # u1, g1, g1's result, u4
    s = db.session(GEMINI_JSONL)
    assert s is not None and (s.input_tokens, s.output_tokens) == (900, 60)


def test_a_renamed_title_is_kept(db: store.Store, home: Path) -> None:
    import_source(db, "gemini")
    db.update_session(GEMINI_JSON, title="My own title")
    chat = next((home / ".gemini" / "tmp").rglob("session-2026-10-06T09-14-6a1c2e3f.json"))
    doc = json.loads(chat.read_text())
    doc["messages"].append(
        {"id": "m5", "timestamp": "2026-10-06T09:20:00.000Z", "type": "user", "content": "thanks"}
    )
    chat.write_text(json.dumps(doc))
    import_source(db, "gemini")
    s = db.session(GEMINI_JSON)
    assert s is not None and s.title == "My own title"
    assert db.message_count(GEMINI_JSON) == 6
