"""GitHub Copilot CLI events beyond prompts, replies and tools (github/copilot-sdk
`nodejs/src/generated/session-events.ts`): `session.error`, `abort`,
`session.compaction_complete` with its summary, autopilot continuations and each reply's own
model. Fixture: tests/importers/fixtures/copilot-events (facts in tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.store.models import Message

FIXTURE = Path(__file__).parent / "fixtures" / "copilot-events" / "session-state"
S = "3c2b1a09-9999-4c8d-8e7f-000000000009"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "session-state")
    return tmp_path / "session-state"


def _kinds(msgs: list[Message]) -> list[tuple[str, Any]]:
    return [(m.role, m.metadata.get("kind")) for m in msgs]


def test_errors_aborts_compactions_and_continuations(db: store.Store, state: Path) -> None:
    report = import_source(db, "copilot", state)
    assert report.sessions == 1 and not report.skipped_lines
    msgs = db.messages(S)
    assert _kinds(msgs) == [
        ("user", None),
        ("assistant", None),
        ("system", "api_error"),
        ("system", "interrupt"),
        ("user", None),
        ("system", "compaction"),
        ("assistant", "compact_summary"),
        ("assistant", None),
        ("system", "context"),
        ("assistant", None),
        ("system", "compaction"),
    ]
    error = msgs[2]
    assert (
        error.text == "Sorry, you have been rate-limited. Please wait a moment before trying again."
    )
    assert (error.metadata["status"], error.metadata["error_type"]) == (429, "rate_limit")
    assert {(h.session_id, h.seq) for h in db.search("is:error")} == {(S, error.seq)}
    assert msgs[3].text == "Turn aborted (user initiated)"
    assert msgs[5].text == "Conversation compacted"
    assert (msgs[5].metadata["messages_removed"], msgs[5].metadata["pre_tokens"]) == (42, 133000)
    summary = msgs[6]
    assert summary.text.startswith("<overview>The user wants retries")
    assert (summary.model, summary.input_tokens, summary.output_tokens) == (
        "claude-sonnet-4.5",
        110000,
        900,
    )
    assert msgs[10].text == "Compaction failed: Compaction would not reduce the context"
    # the reply names its own model; the session's is the last one selected
    assert msgs[1].model == "gpt-5-mini"
    assert msgs[7].model == "claude-sonnet-4.5"
    assert db.recent_inputs(10) == [
        "Try again with exponential backoff",
        "Add retries to the invoice sync",
    ]


def test_reimport_changes_nothing(db: store.Store, state: Path) -> None:
    import_source(db, "copilot", state)
    before = [(m.seq, m.role, m.text, m.metadata) for m in db.messages(S)]
    log = next(state.rglob("events.jsonl"))
    log.write_text(log.read_text())  # rewritten, same content
    again = import_source(db, "copilot", state)
    assert again.messages == 0
    assert [(m.seq, m.role, m.text, m.metadata) for m in db.messages(S)] == before


def test_sessions_imported_before_these_rules_are_read_again_once(
    db: store.Store, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that imported the log with the old conversion (no compaction read) gets the new
    messages from the unchanged file, once, without duplicates."""
    from sessionscope.importers import copilot

    with monkeypatch.context() as patch:
        patch.setattr(copilot, "_compaction", lambda *args: None)
        patch.setattr(copilot.CopilotSource, "rules", 0)
        import_source(db, "copilot", state)
    assert ("system", "compaction") not in _kinds(db.messages(S))

    assert import_source(db, "copilot", state).messages > 0  # the file is unchanged
    clean = store.open(state.parent / "clean.db")
    import_source(clean, "copilot", state)
    assert _kinds(db.messages(S)) == _kinds(clean.messages(S))
    assert import_source(db, "copilot", state).messages == 0  # once
