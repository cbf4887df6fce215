"""OpenCode message parts beyond text and tools (sst/opencode `session/message-v2.ts`): compaction,
subtask, retry and patch parts, synthetic text and an assistant message's `error`; the fixture
is tests/importers/fixtures/opencode-parts (facts in tests/fixtures/README.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.store.models import Message

FIXTURE = Path(__file__).parent / "fixtures" / "opencode-parts"
S = "ses_parts01"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "opencode" / "opencode.db"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURE / "opencode.sql").read_text())
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def imported(db: store.Store, database: Path) -> store.Store:
    import_source(db, "opencode", database)
    return db


def _kinds(msgs: list[Message]) -> list[tuple[str, str | None]]:
    return [(m.role, m.metadata.get("kind")) for m in msgs]


def test_transcript_shape(imported: store.Store) -> None:
    assert _kinds(imported.messages(S)) == [
        ("user", None),
        ("system", "context"),  # the synthetic Read call and file text after the prompt
        ("system", "api_error"),  # the retry part, before the reply it retried
        ("assistant", None),
        ("tool", None),
        ("system", "patch"),
        ("system", "subtask"),
        ("assistant", None),
        ("tool", None),
        ("system", "context"),
        ("system", "api_error"),  # ProviderAuthError; its empty reply is not kept
        ("user", None),
        ("assistant", None),
        ("system", "interrupt"),
        ("system", "compaction"),
        ("assistant", "compact_summary"),
        ("system", "context"),
        ("assistant", None),
        ("system", "api_error"),
    ]


def test_compaction_part_is_a_compaction_marker(imported: store.Store) -> None:
    (marker,) = [m for m in imported.messages(S) if m.metadata.get("kind") == "compaction"]
    assert marker.role == "system" and marker.text == "Conversation compacted (auto)"
    assert marker.metadata["trigger"] == "auto"
    assert marker.created_at == "2026-10-06T09:50:20.000Z"
    summary = [m for m in imported.messages(S) if m.metadata.get("kind") == "compact_summary"]
    assert summary[0].role == "assistant" and summary[0].text.startswith("## Goal")
    assert summary[0].output_tokens == 300


def test_subtask_part_is_a_system_message_and_links_the_subagent(imported: store.Store) -> None:
    msgs = imported.messages(S)
    (task,) = [m for m in msgs if m.metadata.get("kind") == "subtask"]
    assert task.role == "system"
    assert task.text == (
        "Subtask for @review (/review): review login tests\n\nCheck the login tests for flakiness."
    )
    assert (task.metadata["agent"], task.metadata["command"]) == ("review", "review")
    result = next(m for m in msgs if m.role == "tool" and "task_result" in str(m.blocks))
    assert result.metadata["subagent_session_id"] == "ses_sub01"
    child = imported.session("ses_sub01")
    assert child is not None and child.parent_session_id == S
    assert not any("flakiness" in t for t in imported.recent_inputs(20))


def test_retry_part_is_an_api_error_found_by_is_error(imported: store.Store) -> None:
    msgs = imported.messages(S)
    errors = [m for m in msgs if m.metadata.get("kind") == "api_error"]
    assert [m.text for m in errors] == [
        "API error 429: Rate limit exceeded; retry 1",
        "Provider auth error (anthropic): Invalid API key",
        "API error 529: Overloaded",
    ]
    assert errors[0].metadata["retry_attempt"] == 1 and errors[0].metadata["status"] == 429
    assert errors[0].created_at == "2026-10-06T09:46:42.000Z"  # the retry's own time
    hits = {(h.session_id, h.seq) for h in imported.search("is:error")}
    assert {(S, m.seq) for m in errors} <= hits


def test_patch_part_lists_the_files_changed(imported: store.Store) -> None:
    (patch,) = [m for m in imported.messages(S) if m.metadata.get("kind") == "patch"]
    assert patch.text == "Files changed (snapshot 4b825dc):\n/home/dev/webapp/src/login.ts"
    assert patch.metadata["hash"] == "4b825dc"
    assert patch.metadata["files"] == ["/home/dev/webapp/src/login.ts"]
    assert imported.search("snapshot 4b825dc")


def test_message_errors_are_said(imported: store.Store) -> None:
    msgs = imported.messages(S)
    (aborted,) = [m for m in msgs if m.metadata.get("kind") == "interrupt"]
    assert aborted.text == "Turn aborted: The operation was aborted."
    assert aborted.metadata["error"] == "MessageAbortedError"
    reply = msgs[msgs.index(aborted) - 1]
    assert reply.role == "assistant" and reply.text.endswith("Running the login tests again")
    auth = next(m for m in msgs if m.metadata.get("error") == "ProviderAuthError")
    assert auth.role == "system" and auth.metadata["kind"] == "api_error"
    # the aborted and failed replies keep their tokens; the empty failed one had none
    session = imported.session(S)
    assert session is not None and session.output_tokens == 100 + 25 + 300 + 10


def test_synthetic_text_is_context_not_a_prompt(imported: store.Store) -> None:
    msgs = imported.messages(S)
    prompts = [m.text for m in msgs if m.role == "user"]
    assert prompts == [
        "Review the login module and fix what you find.\n[file: src/login.ts]",
        "Try again with a new key.",
    ]
    context = [m for m in msgs if m.metadata.get("kind") == "context"]
    assert [len(m.blocks) for m in context] == [2, 1, 1]  # consecutive parts together
    assert context[0].text.startswith("Called the Read tool")
    assert all(m.role == "system" and m.metadata["synthetic"] for m in context)
    recent = imported.recent_inputs(20)
    assert not any(t.startswith(("Called the Read", "Summarize", "Continue if")) for t in recent)


def test_malformed_part_costs_only_itself(db: store.Store, database: Path) -> None:
    report = import_source(db, "opencode", database)
    assert [line[2] for line in report.skipped_lines if "prt_p11" in line[2]]
    assert len([m for m in db.messages(S) if m.metadata.get("kind") == "patch"]) == 1
    assert db.message_count(S) == 19


def test_reimport_changes_nothing(db: store.Store, database: Path) -> None:
    import_source(db, "opencode", database)
    before = [(m.seq, m.role, m.text, m.metadata) for m in db.messages(S)]
    conn = sqlite3.connect(database)  # a newer update time: the sessions are read again
    conn.execute("UPDATE session SET time_updated = time_updated + 1")
    conn.commit()
    conn.close()
    report = import_source(db, "opencode", database)
    assert report.files_imported == 1
    assert [(m.seq, m.role, m.text, m.metadata) for m in db.messages(S)] == before
    assert db.message_count("ses_sub01") == 2


def test_legacy_storage_parts(db: store.Store) -> None:
    import_source(db, "opencode", FIXTURE / "storage" / "session" / "prj_docs" / "ses_legacy2.json")
    msgs = db.messages("ses_legacy2")
    assert _kinds(msgs) == [
        ("user", None),
        ("system", "context"),
        ("assistant", None),
        ("system", "api_error"),
        ("system", "compaction"),
    ]
    assert msgs[0].text == "Shorten the README to one page."
    assert msgs[3].text == "API error 500: Internal server error"
    assert msgs[4].text == "Conversation compacted (manual)"
    assert db.recent_inputs(5) == ["Shorten the README to one page."]


def test_sessions_imported_before_these_rules_are_read_again_once(
    db: store.Store, database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that imported the database with the old conversion (no part read as a system
    message) gets the new messages from the unchanged database, once, without duplicates."""
    from sessionscope.importers import opencode

    real = opencode.convert

    def old_convert(*args: object, **kwargs: object) -> list[dict[str, object]]:
        return [m for m in real(*args, **kwargs) if m["role"] != "system"]  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(opencode, "convert", old_convert)
        patch.setattr(opencode.OpenCodeSource, "rules", 0)
        import_source(db, "opencode", database)
    assert ("system", "compaction") not in _kinds(db.messages(S))

    report = import_source(db, "opencode", database)  # the database itself is unchanged
    assert report.messages > 0
    clean = store.open(database.parent / "clean.db")
    import_source(clean, "opencode", database)
    assert _kinds(db.messages(S)) == _kinds(clean.messages(S))
    assert ("system", "compaction") in _kinds(db.messages(S))
    assert import_source(db, "opencode", database).messages == 0  # once
    assert import_source(db, "opencode", database).files_skipped == 1


def test_a_negative_cost_costs_nothing_else(db: store.Store, database: Path) -> None:
    """A reply whose `cost` is negative: the session is imported with that cost as 0 (the store
    refused the whole session before)."""
    conn = sqlite3.connect(database)
    conn.execute(
        "UPDATE message SET data = json_set(data, '$.cost', -0.25)"
        " WHERE json_extract(data, '$.role') = 'assistant'"
    )
    conn.commit()
    conn.close()
    import_source(db, "opencode", database)
    replies = [m for m in db.messages(S) if m.role == "assistant"]
    assert replies and all(m.cost_usd == 0 for m in replies)
