"""The MCP tools as plain functions (no SDK): hits, windows, caps, redaction, exclusion, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_support import LONG_OUTPUT, SECRET, build

from sessionscope import store
from sessionscope.mcp.tools import Recall, ToolFailure, since_iso


@pytest.fixture
def fixture_store(tmp_path: Path) -> tuple[store.Store, dict[str, str]]:
    path = tmp_path / "mcp.db"
    ids = build(path)
    db = store.open(path, readonly=True)
    yield db, ids
    db.close()


def test_search_cites_hits_and_excludes_the_callers_session(fixture_store) -> None:
    db, ids = fixture_store
    recall = Recall(db)
    out = recall.search("timezone error")
    assert f"[{ids['flaky']}#0]" in out
    assert f"{ids['current']}#0" in out  # the asking session is found unless excluded
    assert "fix flaky login test" in out and "/src/webapp" in out and "«timezone»" in out
    out = recall.search("timezone error", exclude_session=ids["current"])
    assert ids["current"] not in out and f"[{ids['flaky']}#0]" in out
    assert ids["current"] not in Recall(db, exclude_session=ids["current"]).search("timezone")


def test_search_filters_by_project_source_and_since(fixture_store) -> None:
    db, ids = fixture_store
    recall = Recall(db)
    assert ids["flaky"] not in recall.search("refund OR timezone", project="billing")
    assert ids["billing"] in recall.search("refund", source="codex")
    assert "No hits" in recall.search("refund", source="claude-code")
    assert ids["billing"] in recall.search("refund", since="1d")


def test_hostile_queries_answer_without_raising(fixture_store) -> None:
    db, _ids = fixture_store
    recall = Recall(db)
    for query in ['"unbalanced', "NEAR( * ) OR AND -", "x" * 4_000, "\x1b]52;c;aGk=\x07 tz", ")"]:
        out = recall.search(query)
        assert "\x1b" not in out and len(out) < 20_000
    with pytest.raises(ToolFailure, match="empty"):
        recall.search("   ")
    with pytest.raises(ToolFailure, match="10,000 characters long"):
        recall.search("x" * 10_000)


def test_read_session_window_summarises_tools_and_cuts_long_output(fixture_store) -> None:
    db, ids = fixture_store
    out = Recall(db).read_session(ids["flaky"], around=2, before=1, after=1)
    assert "messages 1–3 of 4" in out
    assert f"[{ids['flaky']}#1] assistant" in out and f"[{ids['flaky']}#0]" not in out
    assert '→ tool call Bash({"cmd": "pytest -x"})' in out
    assert f"[… {len(LONG_OUTPUT) - 600:,} more chars cut]" in out
    assert len(out) < 5_000


def test_read_session_accepts_a_citation_and_a_prefix(fixture_store) -> None:
    db, ids = fixture_store
    recall = Recall(db)
    assert "of 2" in recall.read_session(f"{ids['billing']}#1")
    assert "of 2" in recall.read_session(ids["billing"][:8])


def test_missing_session_is_a_tool_failure(fixture_store) -> None:
    db, _ids = fixture_store
    with pytest.raises(ToolFailure, match="no session has id 'nope-nope'"):
        Recall(db).read_session("nope-nope")


def test_every_answer_is_redacted_even_when_the_store_is_not(fixture_store) -> None:
    db, ids = fixture_store
    assert not db.redact
    raw = db.messages(ids["flaky"])[3].text
    assert SECRET in raw  # stored as written
    recall = Recall(db)
    for out in (
        recall.search("timezone server"),
        recall.read_session(ids["flaky"], around=3),
        recall.session_resource(ids["flaky"]),
    ):
        assert "sk-ant-api03" not in out
    assert "[REDACTED:" in recall.read_session(ids["flaky"], around=3)


def test_answers_respect_max_chars_and_say_what_was_cut(fixture_store) -> None:
    db, ids = fixture_store
    recall = Recall(db, max_chars=300)
    out = recall.read_session(ids["flaky"], around=0, before=0, after=5)
    assert len(out) < 300 + 200
    assert "answer cut at max_chars=300" in out and "more chars" in out
    big = Recall(db).read_session(ids["flaky"], around=0, after=5, max_chars=100_000)
    assert "answer cut" not in big


def test_list_sessions_recent_prompts_usage(fixture_store) -> None:
    db, ids = fixture_store
    recall = Recall(db)
    listed = recall.list_sessions(exclude_session=ids["current"])
    assert f"[{ids['flaky']}#0]" in listed and "refund webhook" in listed
    assert ids["current"] not in listed
    assert ids["flaky"] not in recall.list_sessions(project="billing")
    prompts = recall.recent_prompts(exclude_session=ids["current"])
    assert f"[{ids['billing']}#0]" in prompts and "add a refund webhook" in prompts
    assert "have I fixed" not in prompts
    by_model = recall.usage(by="model")
    assert "claude-sonnet-4-5 | 1 | 4 | 1,200/120" in by_model
    assert "/src/billing | 1 | 2" in recall.usage(by="project")
    with pytest.raises(ToolFailure, match="by must be one of"):
        recall.usage(by="week")


def test_record_signal_needs_allow_writes(tmp_path: Path) -> None:
    ids = build(tmp_path / "w.db")
    with store.open(tmp_path / "w.db") as db:
        with pytest.raises(ToolFailure, match="read-only"):
            Recall(db).record_signal(ids["flaky"], 1.0)
        out = Recall(db, allow_writes=True).record_signal(ids["flaky"], 0.75, "explicit", "bot")
        assert "Recorded signal" in out
        assert [(s["value"], s["source"]) for s in db.signals(ids["flaky"])] == [(0.75, "bot")]
        with pytest.raises(ToolFailure, match="value"):
            Recall(db, allow_writes=True).record_signal(ids["flaky"], 3.0)


def test_since_iso() -> None:
    assert since_iso(None) is None and since_iso(" ") is None
    assert since_iso("7d").endswith("Z") and since_iso("2026-01-01") == "2026-01-01"


def test_session_summaries_carry_tags_pin_and_a_redacted_note(tmp_path: Path) -> None:
    path = tmp_path / "marks.db"
    ids = build(path)
    with store.open(path) as db:
        db.tag(ids["flaky"], "flaky", "ci")
        db.pin(ids["flaky"])
        db.set_note(ids["flaky"], f"token was {SECRET}")
    with store.open(path, readonly=True) as db:
        recall = Recall(db)
        listed = recall.list_sessions()
        assert listed.count("(pinned | #ci #flaky | note: token was") == 1, listed
        assert SECRET not in listed  # redacted on the way out, though the store does not redact
        assert "#ci #flaky" in recall.read_session(ids["flaky"])


def test_a_field_behind_a_run_of_whitespace_is_kept_or_said_cut() -> None:
    """A title or snippet whose text follows 20,000 blanks: shown, or cut with the marker saying
    how much (it was dropped without one: the head read first collapsed to almost nothing)."""
    from sessionscope.mcp.format import one_line

    assert one_line(" " * 20_000 + "the title") == "the title"
    long = " " * 20_000 + "word " * 100
    out = one_line(long, limit=50)
    assert out.startswith("word word") and out.endswith("more chars cut]"), out
