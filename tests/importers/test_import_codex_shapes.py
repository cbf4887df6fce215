"""Codex CLI shapes of 0.1xx rollouts (issue 11 items 6 to 12 and 14): failed unified-exec
commands, compaction, prompts only as `user_message` events, subagent threads, newer items, a
rollout with only token counts, cached input out of `input_tokens`.
Fixtures: tests/importers/fixtures/codex-0.128 (see tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import import_source

HERE = Path(__file__).parent / "fixtures" / "codex-0.128" / "sessions"
P = "019a0000-0000-7000-8000-0000000000a1"
K = "019a0000-0000-7000-8000-0000000000a2"
E = "019a0000-0000-7000-8000-0000000000a3"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "sessions"
    shutil.copytree(HERE, dest)
    return dest


def snapshot(db: store.Store) -> list[tuple]:
    return [
        (sid, m.seq, m.role, m.external_id, m.blocks, m.metadata, m.input_tokens)
        for sid in (P, K, E)
        for m in db.messages(sid)
    ]


@pytest.fixture
def db3(db: store.Store, root: Path) -> store.Store:
    report = import_source(db, "codex", root)
    assert report.files_imported == 3 and report.sessions == 3
    assert report.unknown == {"some_future_event": 1}
    before = snapshot(db)
    assert import_source(db, "codex", root).messages == 0
    for key in db.import_states("codex"):  # read every file again from the start
        db.set_import_state(key, source="codex", size=0, mtime=0, offset=0)
    assert import_source(db, "codex", root).messages == 0
    assert snapshot(db) == before
    return db


def test_failed_commands_are_errors(db3: store.Store) -> None:
    calls = db3.tool_calls(P)
    failed = {cid for cid, c in calls.items() if c["is_error"]}
    # unified exec `Process exited with code 2`; an `exec_command_end` after the output;
    # a `patch_apply_end` with success false. `call_2` exited 0.
    assert failed == {"call_1", "call_3", "call_4"}
    assert db3.find_message(P, "result:call_1").metadata["exit_code"] == 2
    assert db3.find_message(P, "result:call_3").metadata["exit_code"] == 1
    hits = {(h.session_id, h.seq) for h in db3.search("is:error")}
    assert (P, db3.find_message(P, "result:call_1").seq) in hits


def test_compaction_and_interrupt_markers(db3: store.Store) -> None:
    kinds = [m.metadata.get("kind") for m in db3.messages(P) if m.role == "system"]
    assert kinds.count("compaction") == 2 and kinds.count("interrupt") == 1
    first = next(m for m in db3.messages(P) if m.metadata.get("kind") == "compaction")
    assert first.metadata["replacement_items"] == 2
    assert "user: Fix the failing build" in first.text


def test_prompt_only_as_user_message_event_and_injected_context(db3: store.Store) -> None:
    users = [m.text for m in db3.messages(P) if m.role == "user"]
    assert users == ["Fix the failing build"]
    injected = next(m for m in db3.messages(P) if m.text.startswith("Remember:"))
    assert injected.role == "system" and injected.metadata["kind"] == "context"
    assert "Remember: answer in English and keep diffs small." not in db3.recent_inputs(20)


def test_thread_name_titles_the_session(db3: store.Store) -> None:
    assert db3.session(P).title == "Build fix"


def test_subagent_thread_is_a_child_of_its_parent(db3: store.Store) -> None:
    assert db3.session(K).parent_session_id == P


def test_newer_items_are_kept(db3: store.Store) -> None:
    names = {c["name"] for c in db3.tool_calls(P).values()}
    assert {"tool_search", "web_search", "exec_command", "apply_patch"} <= names
    image = next(m for m in db3.messages(P) if "Generated image" in m.text)
    assert "A build pipeline diagram" in image.text
    assert any(b.get("type") == "image" for b in image.blocks)
    search = next(b for m in db3.messages(P) for b in m.blocks if b.get("name") == "web_search")
    assert search["input"] == {"query": "make build error 2 ubuntu"}


def test_token_counts_only_rollout_creates_its_session(db3: store.Store) -> None:
    e = db3.session(E)
    assert e is not None
    assert (e.input_tokens, e.cache_read_tokens, e.output_tokens) == (2000, 1000, 200)


def test_input_tokens_exclude_cached_input(db3: store.Store) -> None:
    p = db3.session(P)
    assert (p.input_tokens, p.cache_read_tokens, p.output_tokens) == (10000, 40000, 1200)
