"""Cost of the agents whose files are snapshots: every message with tokens and a model is priced
as Claude Code's and Codex's are, a cost the agent recorded itself is kept, Copilot's billing
multiplier is not taken for dollars, and a store imported before this is priced on the next run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_support import GEMINI_JSON, make_home

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.importers.pricing import price, price_message

COPILOT = "9e8d7c6b-5555-4e6f-8a7b-000000000005"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _replies(db: store.Store, sid: str) -> list[store.Message]:
    return [m for m in db.messages(sid) if m.role == "assistant" and m.input_tokens]


def test_gemini_replies_are_priced_from_their_tokens(db: store.Store, home: Path) -> None:
    import_source(db, "gemini")
    replies = _replies(db, GEMINI_JSON)
    assert replies
    for m in replies:
        want = price(
            m.model, m.input_tokens, m.output_tokens, m.cache_read_tokens, m.cache_creation_tokens
        )
        assert want is not None and want > 0  # gemini-2.5-flash is in the price table
        assert m.cost_usd == pytest.approx(want)
    session = db.session(GEMINI_JSON)
    assert session is not None and session.cost_usd == pytest.approx(
        sum(m.cost_usd for m in db.messages(GEMINI_JSON))
    )


def test_copilot_cost_is_a_multiplier_kept_apart_from_dollars(db: store.Store, home: Path) -> None:
    import_source(db, "copilot")
    reply = _replies(db, COPILOT)[0]
    assert reply.metadata.get("premium_requests") == 1  # `assistant.usage.cost`, as written
    want = price("claude-sonnet-4.5", 5000, 45, 4000, 0)
    assert want is not None and reply.cost_usd == pytest.approx(want)
    assert reply.cost_usd != 1.0  # not one dollar per model call


def test_a_cost_the_agent_recorded_is_kept(db: store.Store, home: Path) -> None:
    import_source(db, "opencode")
    costs = {
        round(m.cost_usd, 6)
        for s in db.sessions(limit=100)
        for m in db.messages(s.id)
        if m.role == "assistant"
    }
    assert 0.0123 in costs  # OpenCode's own figure, not the price table's


def test_unknown_model_is_unpriced_not_free() -> None:
    spec: store.MessageSpec = {
        "role": "assistant",
        "content": "hi",
        "model": "no-such-model-anywhere",
        "input_tokens": 10,
        "output_tokens": 5,
    }
    price_message(spec)
    assert "cost_usd" not in spec and spec.get("metadata") == {"unpriced": True}
    without_tokens: store.MessageSpec = {"role": "assistant", "content": "hi", "model": "gpt-5"}
    price_message(without_tokens)
    assert "cost_usd" not in without_tokens and "metadata" not in without_tokens


def test_a_store_imported_before_pricing_is_priced_on_the_next_run(
    db: store.Store, home: Path
) -> None:
    import_source(db, "gemini")
    priced = {m.id: m.cost_usd for m in _replies(db, GEMINI_JSON)}
    # what an earlier version left: no cost, and import states without the rules' version
    with db.writing() as conn:
        conn.execute("UPDATE messages SET cost_usd = 0")
        conn.execute("UPDATE sessions SET cost_usd = 0")
        conn.execute("UPDATE import_state SET state = json_remove(state, '$.rules')")
    report = import_source(db, "gemini")
    assert report.files_imported == 3  # each file read once more, though none changed
    assert {m.id: m.cost_usd for m in _replies(db, GEMINI_JSON)} == pytest.approx(priced)
    session = db.session(GEMINI_JSON)
    assert session is not None and session.cost_usd == pytest.approx(sum(priced.values()))
    again = import_source(db, "gemini")
    assert again.files_imported == 0  # and then not again
