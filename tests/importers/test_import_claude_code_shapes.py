"""Claude Code shapes real 2.x transcripts carry (issue 11 items 1, 2, 3, 5, 14): queued prompts,
titles by source, task notifications, API errors, sessions without timestamps, skipped types.
Fixtures: tests/importers/fixtures/claude-code-2x (see tests/fixtures/README.md)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import import_source

HERE = Path(__file__).parent / "fixtures" / "claude-code-2x" / "projects"
S = "e1000000-0000-4000-8000-000000000001"
T = "e2000000-0000-4000-8000-000000000002"
N = "e3000000-0000-4000-8000-000000000003"
MTIME = 1_790_000_000  # 2026-09-21T14:13:20Z


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "projects"
    shutil.copytree(HERE, dest)
    os.utime(dest / "-home-dev-shop" / f"{N}.jsonl", (MTIME, MTIME))
    return dest


@pytest.fixture
def db2(db: store.Store, root: Path) -> store.Store:
    report = import_source(db, "claude-code", root)
    assert report.files_imported == 3
    again = import_source(db, "claude-code", root)  # idempotent
    assert again.messages == 0 and again.files_imported == 0
    return db


def texts(db: store.Store, sid: str) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in db.messages(sid)]


def test_queued_prompts_become_user_messages_once(db2: store.Store) -> None:
    msgs = db2.messages(S)
    users = [(m.text, m.created_at) for m in msgs if m.role == "user"]
    assert users == [
        ("Add a shopping cart page", "2026-11-03T10:00:00.000Z"),
        # consumed mid-turn: no `user` record follows, the enqueue is the prompt
        ("use the existing Button component", "2026-11-03T10:00:06.000Z"),
        # the later `user` record with the same text is the same prompt: stored once
        ("then run the tests", "2026-11-03T10:00:08.000Z"),
        # the newer `attachment` `queued_command` shape
        ("and keep the totals in cents", "2026-11-03T10:00:09.000Z"),
    ]
    inputs = db2.recent_inputs(10)
    assert "then run the tests" in inputs and "and keep the totals in cents" in inputs
    assert {h.session_id for h in db2.search("Button component")} == {S}


def test_titles_custom_beats_ai_beats_prompt_latest_of_a_kind(db2: store.Store) -> None:
    s = db2.session(S)
    assert s is not None and s.title == "cart v2"


def test_task_notification_is_a_system_notice(db2: store.Store) -> None:
    notice = [m for m in db2.messages(S) if "task-notification" in m.text]
    assert len(notice) == 1
    assert notice[0].role == "system" and notice[0].metadata["kind"] == "task_notification"
    assert not any("task-notification" in t for t in db2.recent_inputs(20))


def test_api_error_is_a_system_message_found_by_is_error(db2: store.Store) -> None:
    errors = [m for m in db2.messages(S) if m.metadata.get("kind") == "api_error"]
    assert len(errors) == 1
    assert errors[0].role == "system"
    assert errors[0].text == "API error 529 (overloaded_error): Overloaded; retry 2 of 10"
    assert errors[0].metadata["status"] == 529
    hits = db2.search("is:error")
    assert (S, errors[0].seq) in [(h.session_id, h.seq) for h in hits]


def test_slash_command_first_session_is_titled_by_the_command(db2: store.Store) -> None:
    t = db2.session(T)
    assert t is not None and t.title == "/orchestrator create TODO app by Next.js"


def test_no_timestamp_session_starts_at_the_file_mtime(db2: store.Store) -> None:
    n = db2.session(N)
    assert n is not None and n.started_at == "2026-09-21T14:13:20.000Z"


def test_skipped_types_are_counted_per_file_and_in_total(db: store.Store, root: Path) -> None:
    report = import_source(db, "claude-code", root)
    assert report.noise == {"queue-operation": 2, "progress": 1, "file-history-snapshot": 1}
    assert report.unknown == {}
    (info,) = report.files
    assert info.path.endswith(f"{S}.jsonl") and info.drift == []
    assert info.noise["progress"] == 1


def test_cost_from_the_price_table_with_cache_pricing(db2: store.Store) -> None:
    # claude-sonnet-4-5: $3 / M input, $0.30 / M cache read, $3.75 / M cache write, $15 / M out
    first = db2.find_message(S, "msg_s1")
    assert first is not None
    expected = 100 * 3e-6 + 2000 * 0.3e-6 + 300 * 3.75e-6 + 40 * 15e-6
    assert first.cost_usd == pytest.approx(expected)
    s = db2.session(S)
    assert s is not None and s.cost_usd == pytest.approx(
        expected + 20 * 3e-6 + 2500 * 0.3e-6 + 30 * 15e-6
    )
    assert db2.stats().unpriced_messages == 0


def test_unknown_model_is_unpriced_not_free(db: store.Store, tmp_path: Path) -> None:
    sid = "e4000000-0000-4000-8000-000000000004"
    path = tmp_path / "p" / f"{sid}.jsonl"
    path.parent.mkdir()
    record = {
        "type": "assistant",
        "uuid": "u1",
        "sessionId": sid,
        "timestamp": "2026-11-03T10:00:00.000Z",
        "message": {
            "id": "msg_x",
            "role": "assistant",
            "model": "claude-imaginary-9",
            "content": [{"type": "text", "text": "hi"}],
            "usage": {"input_tokens": 10, "output_tokens": 5},
        },
    }
    path.write_text(json.dumps(record) + "\n")
    import_source(db, "claude-code", path)
    msg = db.find_message(sid, "msg_x")
    assert msg is not None and msg.metadata["unpriced"] is True and msg.cost_usd == 0
    stats = db.stats()
    assert stats.unpriced_messages == 1
