"""Claude Code import: every fact tests/fixtures/README.md lists for sessions A, B and C, plus
subagent linking, resumed-session replays and summaries written after their leaf."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import import_source

A = "5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01"
B = "0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02"
C = "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03"
SONNET = "claude-sonnet-4-5-20250929"
HAIKU = "claude-haiku-4-5-20251001"


@pytest.fixture
def cc_root(fixture_tree: Path) -> Path:
    return fixture_tree / "claude-code" / "projects"


@pytest.fixture
def imported(db: store.Store, cc_root: Path) -> store.Store:
    report = import_source(db, "claude-code", cc_root)
    assert report.files_imported == 4
    return db


def roles(db: store.Store, sid: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in db.messages(sid):
        out[m.role] = out.get(m.role, 0) + 1
    return out


def calls_in_order(db: store.Store, sid: str) -> list[dict]:
    return sorted(db.tool_calls(sid).values(), key=lambda c: c["seq"])


# -- session A -----------------------------------------------------------------------------


def test_a_identity(imported: store.Store, cc_root: Path) -> None:
    a = imported.session(A)
    assert a is not None
    assert a.title == "Fix login form validation"
    assert a.source == "claude-code"
    assert a.cwd == "/home/dev/webapp" and a.project == "/home/dev/webapp"
    assert a.git_branch == "fix/login-validation"
    assert a.model == SONNET
    assert a.parent_session_id is None
    assert a.status == "completed"
    assert a.started_at == "2026-10-02T09:14:00.020Z"
    assert a.updated_at == "2026-10-02T09:18:10.900Z"
    assert a.source_ref == str(cc_root / "-home-dev-webapp" / f"{A}.jsonl")


def test_a_split_assistant_records_are_one_message(imported: store.Store) -> None:
    msg = imported.find_message(A, "msg_01HX7gQb2v9TtLoginForm001")
    assert msg is not None
    assert [b["type"] for b in msg.blocks] == ["thinking", "text", "tool_use"]
    assert msg.output_tokens == 187 and msg.input_tokens == 2510
    assert msg.cache_read_tokens == 11840 and msg.cache_creation_tokens == 402
    assert msg.created_at == "2026-10-02T09:14:06.501Z"
    # the other split message (text + tool_use) too
    last = imported.find_message(A, "msg_01HX7gQb2v9TtLoginForm007")
    assert last is not None and [b["type"] for b in last.blocks] == ["text", "tool_use"]


def test_a_token_totals_count_usage_once(imported: store.Store) -> None:
    a = imported.session(A)
    assert a is not None
    assert a.output_tokens == 1192
    assert a.input_tokens == 26410
    assert a.cache_read_tokens == 11840 + 14250 + 15010 + 15900 + 16200 + 16900 + 17010
    assert a.cache_creation_tokens == 402
    assert sum(m.output_tokens for m in imported.messages(A)) == 1192


def test_a_message_roles(imported: store.Store) -> None:
    assert roles(imported, A) == {"user": 3, "assistant": 7, "tool": 5, "system": 1}
    meta = imported.find_message(A, "a0010000-0000-4000-8000-00000000a001")
    assert meta is not None and meta.role == "system" and meta.metadata["kind"] == "meta"
    assert imported.session(A).message_count == 16


def test_a_tool_calls_in_order_and_paired(imported: store.Store) -> None:
    calls = calls_in_order(imported, A)
    assert [c["name"] for c in calls] == ["Read", "Edit", "Task", "Bash", "Edit"]
    assert all(c["result_seq"] is not None and c["result_seq"] > c["seq"] for c in calls)
    assert all(c["is_error"] is False for c in calls)
    results = [m for m in imported.messages(A) if m.role == "tool"]
    assert all(b["type"] == "tool_result" for m in results for b in m.blocks)


def test_a_subagent_is_a_child_session(imported: store.Store) -> None:
    children = imported.sessions(parent=A)
    assert len(children) == 1
    child = children[0]
    assert child.parent_session_id == A
    assert child.message_count == 4
    assert child.model == HAIKU
    assert child.output_tokens == 474
    assert child.metadata.get("agent_id") == "a7c91e04"
    assert imported.session(A).child_count == 1
    top = {s.id for s in imported.sessions(limit=None, top_level=True)}
    assert child.id not in top and A in top
    # the Task call's result points at the child session
    task_result = imported.find_message(A, "a0100000-0000-4000-8000-00000000a010")
    assert task_result is not None
    assert task_result.metadata["subagent_session_id"] == child.id
    assert [c["name"] for c in calls_in_order(imported, child.id)] == ["Write"]


def test_a_escape_sequences_stored_as_is_but_never_in_snippets(imported: store.Store) -> None:
    bash = imported.find_message(A, "a0120000-0000-4000-8000-00000000a012")
    assert bash is not None
    stored = bash.blocks[0]["content"]
    assert "\x1b]0;owned-title\x07" in stored and "\x1b]52;c;" in stored
    hits = imported.search("whitespace-only password")
    assert hits
    for hit in hits:
        assert "\x1b" not in hit.snippet and "\x07" not in hit.snippet


def test_a_markup_kept_literally(imported: store.Store) -> None:
    prompt = imported.find_message(A, "a0140000-0000-4000-8000-00000000a014")
    assert prompt is not None and prompt.role == "user"
    assert "[red]ERROR[/red]" in prompt.text and "[link=https://evil.example]" in prompt.text


def test_a_image_kept_not_searchable(imported: store.Store) -> None:
    msg = imported.find_message(A, "a0160000-0000-4000-8000-00000000a016")
    assert msg is not None and msg.role == "user"
    image = msg.blocks[1]
    assert image["type"] == "image" and image["source"]["data"].startswith("iVBORw0KGgo")
    assert (
        imported.search(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg"
        )
        == []
    )
    assert imported.search("iVBORw0KGgo") == []
    assert [h.seq for h in imported.search("screenshot", session_id=A)] == [msg.seq]


def test_a_file_history_snapshot_is_not_a_message(imported: store.Store) -> None:
    for m in imported.messages(A):
        assert "trackedFileBackups" not in json.dumps(m.blocks)
        assert "snapshot" not in m.metadata


# -- session B -----------------------------------------------------------------------------


def test_b_title_skips_slash_command(imported: store.Store) -> None:
    b = imported.session(B)
    assert b is not None
    assert b.title == "Upgrade React to v19 and fix the breaking changes"
    command = imported.find_message(B, "c0010000-0000-4000-8000-00000000c001")
    assert command is not None and command.metadata == {"kind": "command", "command": "/model"}
    assert b.model == "claude-opus-4-1-20250805"
    assert b.git_branch == "main"


def test_b_inline_sidechain_is_a_child_session(imported: store.Store) -> None:
    children = imported.sessions(parent=B)
    assert len(children) == 1
    child = children[0]
    assert child.message_count == 2
    assert [m.role for m in imported.messages(child.id)] == ["user", "assistant"]
    assert child.model == HAIKU
    assert (
        child.title
        == "Find a maintained replacement for react-beautiful-dnd that supports React 19."
    )
    own = " ".join(m.text for m in imported.messages(B))
    assert "Find a maintained replacement" not in own
    assert "maintained fork" not in own


def test_b_failed_tool_call(imported: store.Store) -> None:
    calls = calls_in_order(imported, B)
    assert [(c["name"], c["is_error"]) for c in calls] == [("Bash", True)]
    assert imported.stats().failed_tool_calls == 1
    assert {h.session_id for h in imported.search("is:error")} == {B}


def test_b_compaction_is_system(imported: store.Store) -> None:
    boundary = imported.find_message(B, "c0080000-0000-4000-8000-00000000c008")
    summary = imported.find_message(B, "c0090000-0000-4000-8000-00000000c009")
    assert boundary is not None and summary is not None
    assert boundary.role == "system" and boundary.metadata["kind"] == "compact_boundary"
    assert boundary.metadata["trigger"] == "auto" and boundary.metadata["pre_tokens"] == 158211
    assert summary.role == "system" and summary.metadata["kind"] == "compact_summary"
    inputs = imported.recent_inputs(100)
    assert not any(text.startswith("This session is being continued") for text in inputs)
    assert roles(imported, B) == {"user": 3, "assistant": 3, "tool": 1, "system": 2}


def test_b_output_tokens(imported: store.Store) -> None:
    assert imported.session(B).output_tokens == 164


# -- session C -----------------------------------------------------------------------------


def test_c_facts(db: store.Store, cc_root: Path) -> None:
    report = import_source(db, "claude-code", cc_root)
    c_path = str(cc_root / "-home-dev-data-pipeline" / f"{C}.jsonl")
    assert report.skipped_count == 1
    path, line_no, reason = report.skipped_lines[0]
    assert (path, line_no) == (c_path, 5) and "invalid JSON" in reason
    c = db.session(C)
    assert c is not None
    assert c.title == "Deduplicate customer records (顧客データ)"
    assert c.cwd == "/home/dev/data-pipeline"
    assert c.output_tokens == 148
    roles = [m.role for m in db.messages(C)]
    assert roles == ["user", "assistant", "tool", "user", "assistant", "user"]
    last = db.messages(C)[-1]
    assert last.text == "Great, ship it." and last.created_at == "2026-10-10T08:01:00.000Z"
    # the prompt queued while the agent worked, which no `user` record repeats, is a prompt
    queued = db.messages(C)[3]
    assert queued.text == "also check phone numbers"
    assert queued.created_at == "2026-10-10T08:00:10.000Z"


def test_c_big_tool_output_and_needle(imported: store.Store) -> None:
    tool = imported.find_message(C, "d0030000-0000-4000-8000-00000000d003")
    assert tool is not None
    content = tool.blocks[0]["content"]
    assert len(content) > 200_000
    assert content.rstrip().endswith("NEEDLE-7f3a9c: 1,204 duplicate e-mails found")
    hits = imported.search("NEEDLE-7f3a9c")
    assert [(h.session_id, h.seq) for h in hits] == [(C, tool.seq)]


def test_c_unicode_search(imported: store.Store) -> None:
    first = imported.messages(C)[0]
    assert first.text.startswith("顧客データの重複を削除してください")
    for query in ("重複を削除", "محمد", "Ångström"):
        hits = imported.search(query)
        assert (C, first.seq) in [(h.session_id, h.seq) for h in hits], query


# -- subagents, resumes, summaries ---------------------------------------------------------


def test_subagent_without_parent_file_is_its_own_session(
    db: store.Store, cc_root: Path, tmp_path: Path
) -> None:
    lone = tmp_path / "lone" / "-home-dev-webapp" / A / "subagents"
    lone.mkdir(parents=True)
    shutil.copy(cc_root / "-home-dev-webapp" / A / "subagents" / "agent-a7c91e04.jsonl", lone)
    report = import_source(db, "claude-code", tmp_path / "lone")
    assert report.sessions == 1 and report.messages == 4
    [child] = db.sessions(limit=None)
    assert child.parent_session_id is None
    assert child.metadata["parent_session_hint"] == A
    assert child.message_count == 4 and child.model == HAIKU
    assert db.count_sessions(top_level=True) == 1
    # once the parent arrives (its file next to the subagents folder), the child is linked
    shutil.copy(cc_root / "-home-dev-webapp" / f"{A}.jsonl", lone.parent.parent)
    import_source(db, "claude-code", tmp_path / "lone")
    assert db.session(child.id).parent_session_id == A
    assert db.session(A).child_count == 1


def test_old_layout_agent_file_beside_sessions(
    db: store.Store, cc_root: Path, tmp_path: Path
) -> None:
    project = tmp_path / "old" / "-home-dev-webapp"
    project.mkdir(parents=True)
    shutil.copy(cc_root / "-home-dev-webapp" / f"{A}.jsonl", project)
    shutil.copy(cc_root / "-home-dev-webapp" / A / "subagents" / "agent-a7c91e04.jsonl", project)
    import_source(db, "claude-code", tmp_path / "old")
    [child] = db.sessions(parent=A)
    assert child.message_count == 4
    assert db.count_sessions(top_level=True) == 1


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _write(path: Path, records: list[dict]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )


def test_resumed_session_replay_is_not_duplicated(
    db: store.Store, cc_root: Path, tmp_path: Path
) -> None:
    src = cc_root / "-home-dev-webapp" / f"{B}.jsonl"
    import_source(db, "claude-code", src)
    before = [(m.seq, m.external_id, m.blocks) for m in db.messages(B)]
    resumed = "7d2e9c41-1111-4222-8333-944455556666"
    records = _lines(src)  # the copied history keeps its own sessionId
    records.append(
        {
            "parentUuid": records[-1]["uuid"],
            "isSidechain": False,
            "type": "user",
            "sessionId": resumed,
            "uuid": "e0010000-0000-4000-8000-00000000e001",
            "cwd": "/home/dev/webapp",
            "timestamp": "2026-10-01T10:00:00.000Z",
            "message": {"role": "user", "content": "Also bump react-router to v7."},
        }
    )
    records.append(dict(records[-1]))  # the same record written twice
    target = tmp_path / "resume" / "-home-dev-webapp"
    target.mkdir(parents=True)
    _write(target / f"{resumed}.jsonl", records)
    report = import_source(db, "claude-code", target / f"{resumed}.jsonl")
    assert report.messages == 1
    assert [(m.seq, m.external_id, m.blocks) for m in db.messages(B)] == before
    new = db.messages(resumed)
    assert [m.text for m in new] == ["Also bump react-router to v7."]
    assert db.session(resumed).title == "Also bump react-router to v7."
    assert db.session(resumed).metadata["continues"] == B
    assert len(db.sessions(parent=B)) == 1  # the replayed sidechain is not a second child


def test_summary_written_after_its_leaf(db: store.Store, cc_root: Path, tmp_path: Path) -> None:
    records = [r for r in _lines(cc_root / "-home-dev-webapp" / f"{B}.jsonl")]
    records.append(
        {
            "type": "summary",
            "summary": "React 19 upgrade",
            "leafUuid": "c0110000-0000-4000-8000-00000000c011",
        }
    )
    records.append(
        {
            "type": "summary",
            "summary": "Someone else's session",
            "leafUuid": "ffffffff-0000-4000-8000-000000000000",
        }
    )
    path = tmp_path / f"{B}.jsonl"
    _write(path, records)
    import_source(db, "claude-code", path)
    assert db.session(B).title == "React 19 upgrade"


def test_claude_code_replays_in_one_file_and_api_errors(db: store.Store, tmp_path: Path) -> None:
    sid = "11111111-2222-4333-8444-555555555555"
    base = {"sessionId": sid, "cwd": "/w", "isSidechain": False}
    records = [
        {
            **base,
            "type": "user",
            "uuid": "u1",
            "timestamp": "2026-01-01T00:00:00Z",
            "message": {"role": "user", "content": "<command-name>/clear</command-name>"},
        },
        {
            **base,
            "type": "user",
            "uuid": "u2",
            "timestamp": "2026-01-01T00:00:01Z",
            "message": {
                "role": "user",
                "content": "<local-command-stdout>cleared</local-command-stdout>",
            },
        },
        {
            **base,
            "type": "user",
            "uuid": "u3",
            "timestamp": "2026-01-01T00:00:02Z",
            "message": {"role": "user", "content": "hello there"},
        },
        {
            **base,
            "type": "assistant",
            "uuid": "a1",
            "timestamp": "2026-01-01T00:00:03Z",
            "isApiErrorMessage": True,
            "message": {
                "id": "m1",
                "role": "assistant",
                "model": "<synthetic>",
                "content": [{"type": "text", "text": "API Error: overloaded"}],
            },
        },
        {
            **base,
            "type": "system",
            "subtype": "informational",
            "uuid": "s1",
            "level": "info",
            "timestamp": "2026-01-01T00:00:04Z",
            "content": "Hook ran",
        },
        {
            **base,
            "type": "user",
            "uuid": "u3",
            "timestamp": "2026-01-01T00:00:02Z",
            "message": {"role": "user", "content": "hello there"},
        },
        {"type": "some-future-record", "x": 1},
    ]
    path = tmp_path / f"{sid}.jsonl"
    _write(path, records)
    report = import_source(db, "claude-code", path)
    assert report.skipped_count == 0
    msgs = db.messages(sid)
    assert [(m.role, m.metadata.get("kind")) for m in msgs] == [
        ("user", "command"),
        ("system", "command_output"),
        ("user", None),
        ("assistant", None),
        ("system", "informational"),
    ]
    assert msgs[3].model is None and msgs[3].metadata == {"synthetic": True, "api_error": True}
    info = db.session(sid)
    assert info.title == "hello there" and info.model is None


def test_interrupt_markers_and_slash_commands_are_not_recent_inputs(
    db: store.Store, cc_root: Path
) -> None:
    path = next(cc_root.glob("-home-dev-webapp/0e9d4c7a-*.jsonl"))
    record = {
        "type": "user",
        "uuid": "ffff0000-0000-4000-8000-00000000ffff",
        "parentUuid": None,
        "sessionId": "0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02",
        "cwd": "/home/dev/webapp",
        "timestamp": "2026-12-01T00:00:00.000Z",
        "isSidechain": False,
        "userType": "external",
        "message": {
            "role": "user",
            "content": [{"type": "text", "text": "[Request interrupted by user for tool use]"}],
        },
    }
    with path.open("a") as out:
        out.write(json.dumps(record) + "\n")
    import_source(db, "claude-code", cc_root)
    message = db.find_message(
        "0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02", "ffff0000-0000-4000-8000-00000000ffff"
    )
    assert message is not None and message.metadata.get("kind") == "interrupt"
    inputs = db.recent_inputs(limit=50)
    assert not any(i.startswith(("[Request interrupted", "<command-")) for i in inputs)
    assert inputs[0] == "Great, ship it."
