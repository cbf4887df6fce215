"""GitHub Copilot CLI import: events.jsonl with workspace.yaml, the older flat <id>.jsonl,
tool calls and results, usage, subagents, malformed lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sources_support import make_home

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.importers.common import derived_id

MAIN = "9e8d7c6b-5555-4e6f-8a7b-000000000005"
FLAT = "4a3b2c1d-6666-4f70-9b8c-000000000006"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def test_events_session_facts(db: store.Store, home: Path) -> None:
    report = import_source(db, "copilot")
    assert (report.files_imported, report.sessions) == (2, 3)
    s = db.session(MAIN)
    assert s is not None
    assert (s.source, s.title, s.cwd, s.git_branch, s.model) == (
        "copilot",
        "Fix the failing login test",  # workspace.yaml's summary
        "/home/dev/webapp",
        "fix/login",  # the session.start context wins over workspace.yaml
        "claude-sonnet-4.5",
    )
    assert (s.started_at, s.ended_at) == ("2026-10-11T08:00:00.000Z", "2026-10-11T08:02:00.000Z")
    msgs = db.messages(MAIN)
    assert [m.role for m in msgs] == ["system", "user", "assistant", "tool", "tool", "assistant"]
    reply = msgs[2]
    assert [b["type"] for b in reply.blocks] == ["thinking", "text", "tool_use", "tool_use"]
    assert reply.blocks[3]["input"] == {"agent_type": "explore", "prompt": "Where is the limiter?"}
    failed = msgs[3].blocks[0]
    assert (failed["tool_use_id"], failed["content"], failed["is_error"]) == (
        "call_bash_1",
        "expected 200, got 429",
        True,
    )
    assert (reply.input_tokens, reply.output_tokens, reply.cache_read_tokens) == (5000, 45, 4000)
    assert (s.input_tokens, s.output_tokens, s.cache_read_tokens) == (5800, 65, 9000)
    assert s.cache_creation_tokens == 100


def test_subagent_is_a_child_session(db: store.Store, home: Path) -> None:
    import_source(db, "copilot")
    child_id = derived_id(MAIN, "agent-call_task_1")
    child = db.session(child_id)
    assert child is not None and child.parent_session_id == MAIN
    assert [m.role for m in db.messages(child_id)] == ["user", "assistant"]
    assert "In src/limits.ts." not in [
        b.get("text") for m in db.messages(MAIN) if m.role == "assistant" for b in m.blocks
    ]


def test_flat_legacy_layout(db: store.Store, home: Path) -> None:
    import_source(db, "copilot")
    s = db.session(FLAT)
    assert s is not None
    assert (s.title, s.message_count) == ("List the TODOs in this repo", 2)


def test_malformed_line_reported_and_reimport_idempotent(db: store.Store, home: Path) -> None:
    report = import_source(db, "copilot")
    assert [(Path(p).name, n) for p, n, _ in report.skipped_lines] == [("events.jsonl", 14)]
    assert import_source(db, "copilot").messages == 0
    log = next(home.rglob("events.jsonl"))
    with log.open("a") as out:
        event = {
            "type": "user.message",
            "data": {"content": "thanks"},
            "id": "e17",
            "timestamp": "2026-10-11T08:03:00.000Z",
            "parentId": "e16",
        }
        out.write(json.dumps(event) + "\n")
    again = import_source(db, "copilot")
    assert (again.messages, again.sessions) == (1, 1)
    assert db.messages(MAIN)[-1].blocks[0]["text"] == "thanks"


def test_a_line_separator_inside_a_string_does_not_split_the_event(
    db: store.Store, tmp_path: Path
) -> None:
    """Logs are read a line at a time: only \\n ends a line, not U+2028 inside JSON text."""
    log = tmp_path / "session-state" / "5b4c3d2e-0000-4000-8000-000000000001.jsonl"
    log.parent.mkdir(parents=True)
    text = "first line\u2028second line\u0085third"
    event = {"type": "user.message", "data": {"content": text}, "id": "e1"}
    log.write_text(json.dumps(event, ensure_ascii=False) + "\n", encoding="utf-8")
    report = import_source(db, "copilot", tmp_path / "session-state")
    assert report.skipped_count == 0 and report.sessions == 1
    assert db.messages("5b4c3d2e-0000-4000-8000-000000000001")[0].blocks[0]["text"] == text
