"""Codex CLI import: the fixture facts for session D, the older rollout layout, and the facts
tests/fixtures/README.md lists across all four sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import default_roots, import_all, import_source

A = "5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01"
B = "0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02"
C = "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03"
D = "0199b1c2-7d4e-7a10-9f3b-5c8e2d1a6b04"
PROMPT = "Add rate limiting to the /login endpoint: at most 5 attempts per minute per IP."
REPLY = "Added a rate limiter to `/login` (5 attempts per minute per IP)"
LEGACY = Path(__file__).parent / "importer_fixtures" / "codex-legacy"
LEGACY_ID = "1f2e3d4c-5b6a-4789-8abc-def012345678"


@pytest.fixture
def codex_root(fixture_tree: Path) -> Path:
    return fixture_tree / "codex" / "sessions"


@pytest.fixture
def imported(db: store.Store, codex_root: Path) -> store.Store:
    report = import_source(db, "codex", codex_root)
    assert (report.files_imported, report.sessions, report.skipped_count) == (1, 1, 0)
    return db


def test_d_identity(imported: store.Store, codex_root: Path) -> None:
    d = imported.session(D)
    assert d is not None
    assert d.source == "codex"
    assert d.title == PROMPT
    assert d.cwd == "/home/dev/api-server" and d.project == "/home/dev/api-server"
    assert d.git_branch == "feature/rate-limit"
    assert d.model == "gpt-5-codex"
    assert d.started_at == "2026-10-05T14:02:11.180Z"
    assert d.source_ref is not None and d.source_ref.startswith(str(codex_root))
    assert d.metadata["cli_version"] == "0.46.0"


def test_d_environment_context_is_system(imported: store.Store) -> None:
    first = imported.messages(D)[0]
    assert first.role == "system" and first.metadata["kind"] == "environment_context"
    assert first.text.startswith("<environment_context>")
    assert not any("<environment_context>" in t for t in imported.recent_inputs(50))


def test_d_prompt_and_reply_stored_once(imported: store.Store) -> None:
    msgs = imported.messages(D)
    assert [m.text for m in msgs if m.role == "user"] == [PROMPT]
    replies = [m for m in msgs if REPLY in m.text]
    assert len(replies) == 1 and replies[0].role == "assistant"
    assert [m.role for m in msgs] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]


def test_d_tool_calls_paired_by_call_id(imported: store.Store) -> None:
    calls = sorted(imported.tool_calls(D).items(), key=lambda kv: kv[1]["seq"])
    assert [(k, c["name"]) for k, c in calls] == [
        ("call_Q1rgLogin", "shell"),
        ("call_R2patch", "apply_patch"),
        ("call_S3test", "shell"),
    ]
    assert all(c["result_seq"] == c["seq"] + 1 and c["is_error"] is False for _, c in calls)
    first_call = imported.messages(D)[2].tool_uses[0]
    assert first_call["input"]["command"] == ["bash", "-lc", "rg -n \"'/login'\" src"]
    patch = imported.find_message(D, "call:call_R2patch").tool_uses[0]
    assert patch["input"]["input"].startswith("*** Begin Patch")
    result = imported.find_message(D, "result:call_S3test")
    assert result.blocks[0]["content"].startswith("PASS tests/auth.test.ts")
    assert result.metadata == {"exit_code": 0, "duration_seconds": 7.9}


def test_d_reasoning_summary_is_thinking(imported: store.Store) -> None:
    msg = imported.messages(D)[2]
    assert msg.role == "assistant"
    assert msg.blocks[0] == {"type": "thinking", "thinking": "**Locating the login route**"}
    dumped = json.dumps([m.blocks for m in imported.messages(D)])
    assert "gAAAAABo" not in dumped and "encrypted" not in dumped
    assert sum("Locating the login route" in m.text for m in imported.messages(D)) == 1


def test_d_token_count_is_cumulative(imported: store.Store) -> None:
    d = imported.session(D)
    # one meaning for input: excluding cache reads (Codex's 9120 include 8192 cached)
    assert (d.input_tokens, d.cache_read_tokens, d.output_tokens) == (928, 8192, 611)
    msgs = imported.messages(D)
    assert sum(m.input_tokens for m in msgs) == 928
    assert sum(m.cache_read_tokens for m in msgs) == 8192
    assert sum(m.output_tokens for m in msgs) == 611
    assert all(m.role == "assistant" for m in msgs if m.input_tokens or m.output_tokens)


def test_d_import_is_idempotent(imported: store.Store, codex_root: Path) -> None:
    before = [(m.seq, m.external_id, m.blocks, m.output_tokens) for m in imported.messages(D)]
    for state in imported.import_states("codex"):
        imported.set_import_state(state, source="codex", size=0, mtime=0, offset=0)
    report = import_source(imported, "codex", codex_root)
    assert report.files_imported == 1 and report.messages == 0
    assert [
        (m.seq, m.external_id, m.blocks, m.output_tokens) for m in imported.messages(D)
    ] == before
    assert imported.session(D).output_tokens == 611


# -- the older layout ------------------------------------------------------------------------


def test_legacy_rollout_layout(db: store.Store) -> None:
    report = import_source(db, "codex", LEGACY)
    assert (report.files_imported, report.sessions, report.skipped_count) == (1, 1, 0)
    s = db.session(LEGACY_ID)
    assert s is not None
    assert s.title == "List the TODO comments in this crate."
    assert s.git_branch == "main"
    assert s.project == "/home/dev/cli-tool"
    assert s.started_at == "2025-05-01T10:11:12.345Z"
    msgs = db.messages(LEGACY_ID)
    assert [m.role for m in msgs] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    assert [b["type"] for b in msgs[2].blocks] == ["thinking", "tool_use"]
    calls = sorted(db.tool_calls(LEGACY_ID).values(), key=lambda c: c["seq"])
    assert [(c["name"], c["is_error"]) for c in calls] == [("shell", False), ("shell", True)]
    assert msgs[-1].text.startswith("One TODO")
    assert all(m.created_at == "2025-05-01T10:11:12.345Z" for m in msgs)


# -- shapes other Codex versions write ---------------------------------------------------------


def _rollout(path: Path, items: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def test_codex_output_shapes_and_images(db: store.Store, tmp_path: Path) -> None:
    sid = "0199c000-0000-7000-8000-000000000001"
    t = "2026-01-02T03:04:05.000Z"

    def item(payload: dict, kind: str = "response_item") -> dict:
        return {"timestamp": t, "type": kind, "payload": payload}

    path = _rollout(
        tmp_path / f"rollout-2026-01-02T03-04-05-{sid}.jsonl",
        [
            item({"id": sid, "timestamp": t, "cwd": "/p"}, "session_meta"),
            item(
                {
                    "type": "message",
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "what is in this picture?"},
                        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="},
                    ],
                }
            ),
            item(
                {"type": "function_call", "name": "shell", "arguments": "not json", "call_id": "c1"}
            ),
            item(
                {
                    "type": "function_call_output",
                    "call_id": "c1",
                    "output": "Exit code: 2\nWall time: 0.1 seconds\nOutput:\nboom",
                }
            ),
            item(
                {
                    "type": "local_shell_call",
                    "call_id": "c2",
                    "status": "completed",
                    "action": {"type": "exec", "command": ["ls"]},
                }
            ),
            item(
                {
                    "type": "function_call_output",
                    "call_id": "c2",
                    "output": {"content": "a.txt", "success": True},
                }
            ),
            item({"type": "token_count", "info": None}, "event_msg"),
            item(
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "A cat."}],
                }
            ),
            item({"message": "summary of earlier turns"}, "compacted"),
        ],
    )
    import_source(db, "codex", path)
    msgs = db.messages(sid)
    assert [m.role for m in msgs] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "system",
    ]
    assert msgs[0].blocks[1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    assert msgs[1].tool_uses[0]["input"] == {"arguments": "not json"}
    assert msgs[2].blocks[0]["is_error"] is True and msgs[2].metadata["exit_code"] == 2
    assert msgs[3].tool_uses[0]["name"] == "local_shell"
    assert msgs[4].blocks[0]["content"] == "a.txt" and msgs[4].blocks[0]["is_error"] is False
    assert msgs[6].metadata["kind"] == "compaction"


def test_default_roots_follow_codex_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CODEX_HOME", raising=False)
    roots = default_roots()
    assert roots["claude-code"] == tmp_path / "home" / ".claude" / "projects"
    assert roots["codex"] == tmp_path / "home" / ".codex" / "sessions"
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "cx"))
    assert default_roots()["codex"] == tmp_path / "cx" / "sessions"


# -- across all four sessions ------------------------------------------------------------------


@pytest.fixture
def everything(db: store.Store, fixture_tree: Path) -> store.Store:
    report = import_all(
        db,
        {
            "claude-code": fixture_tree / "claude-code" / "projects",
            "codex": fixture_tree / "codex" / "sessions",
        },
    )
    assert report.files_imported == 5 and report.sessions == 6
    return db


def test_searches_across_sources(everything: store.Store) -> None:
    db = everything
    a_first = db.find_message(A, "a0020000-0000-4000-8000-00000000a002")
    assert (A, a_first.seq) in [(h.session_id, h.seq) for h in db.search("empty passwords")]
    assert [h.session_id for h in db.search("NEEDLE-7f3a9c")] == [C]
    pangea = {h.session_id for h in db.search("hello-pangea")}
    b_child = db.sessions(parent=B)[0].id
    assert {B, b_child} <= pangea
    b_reply = db.find_message(B, "msg_01ReactUpgrade000000002")
    assert (B, b_reply.seq) in [(h.session_id, h.seq) for h in db.search("hello-pangea")]
    d_prompt = next(m for m in db.messages(D) if m.role == "user")
    assert (D, d_prompt.seq) in [(h.session_id, h.seq) for h in db.search("rate limiting")]
    assert {h.session_id for h in db.search("重複を削除")} == {C}


def test_recent_inputs_order(everything: store.Store) -> None:
    inputs = everything.recent_inputs(20)
    c_first = everything.messages(C)[0].text
    assert inputs[:7] == [
        "Great, ship it.",
        "also check phone numbers",  # queued while the agent worked (issue 11 item 1)
        c_first,
        PROMPT,
        "Here is the screenshot of the error state — the border is still red 🔴.",
        "Why does the dev console print [red]ERROR[/red] and [bold]$password[/bold] literally? "
        "Also the title says [link=https://evil.example]click[/link].",
        "The login form accepts empty passwords. Can you fix the validation in "
        "src/components/LoginForm.tsx and add a test?",
    ]
    for text in inputs:
        assert not text.startswith(
            (
                "Caveat:",
                "This session is being continued",
                "<environment_context>",
                "Add tests to src/components",
                "Find a maintained replacement",
            )
        )
    tool_texts = {m.text for s in (A, B, C, D) for m in everything.messages(s) if m.role == "tool"}
    assert not set(inputs) & tool_texts


def test_stats_after_import(everything: store.Store) -> None:
    stats = everything.stats()
    assert stats.sessions == 6
    assert stats.by_source == {"claude-code": 5, "codex": 1}
    assert stats.tool_calls == 5 + 1 + 1 + 1 + 3  # A, A's subagent, B, C, D
    assert stats.failed_tool_calls == 1
