"""A query that is huge (a pasted log, an agent's whole context as an MCP `search`) never blocks;
an MCP `since` before year 1 (`999999w`) is a tool failure, not an OverflowError.

Before the fix a query of 200,000 words took 42 s (a look-up per word, then an FTS expression
of them all) and one 2 MB word 6 s (a pattern compiled from the typed prefix), with no time
budget checked. A query over `MAX_QUERY_CHARS` now finds nothing at once, marked partial, in the
store; the CLI and the MCP tool say it is too long; a query at the limit still searches.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from reliability_support import cli

from sessionscope import store
from sessionscope.mcp.tools import Recall, ToolFailure
from sessionscope.store.search import MAX_QUERY_CHARS

HUGE = {
    "200,000 words": " ".join(f"w{i}" for i in range(200_000)),
    "one 2 MB word": "a" * 2_000_000,
    "100,000 phrases": '"a" ' * 100_000,
}


@pytest.fixture
def db(tmp_path: Path):
    with store.open(tmp_path / "q.db") as db:
        sid = db.start_session(title="t", source="codex")
        db.append_many(
            sid, [{"role": "user", "content": f"word{i} aaaa w1 w2"} for i in range(300)]
        )
        yield db


@pytest.mark.parametrize("name", list(HUGE))
def test_a_huge_query_answers_at_once_marked_partial(db, name: str) -> None:
    started = time.perf_counter()
    hits = db.search(HUGE[name])
    assert time.perf_counter() - started < 2.0, name
    assert hits == [] and hits.partial
    started = time.perf_counter()
    with pytest.raises(ToolFailure, match="characters long; at most 4,000"):
        Recall(db).search(HUGE[name])
    assert time.perf_counter() - started < 2.0, name


def test_a_query_at_the_limit_still_searches(db) -> None:
    query = "w1 w2" + " " * (MAX_QUERY_CHARS - 5)
    assert len(query) <= MAX_QUERY_CHARS
    assert db.search(query, limit=5)


def test_mcp_says_a_query_its_filters_take_past_the_limit_is_too_long(db) -> None:
    # the query fits, the session left out (as `mcp --exclude-session` adds to every search)
    # takes it past the limit: the store found nothing, said to be a time budget reached
    query = "w1 " * ((MAX_QUERY_CHARS - 20) // 3) + "w2"
    assert len(query) <= MAX_QUERY_CHARS
    recall = Recall(db, exclude_session="0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
    with pytest.raises(ToolFailure, match=r"with its filters .* at most 4,000 are searched"):
        recall.search(query)
    assert "hit(s) for" in Recall(db).search(query)  # without them it searches


def test_the_cli_says_a_huge_query_is_too_long(tmp_path: Path, db) -> None:
    done = cli("search", "x" * 100_000, db=tmp_path / "q.db", timeout=60)
    assert "Traceback" not in done.stderr
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "sessionscope: error: the query is 100,000 characters long; at most 4,000 are searched"
        " (narrow it)."
    ], done


def test_an_age_before_year_one_is_a_tool_failure_not_an_overflow(db) -> None:
    recall = Recall(db)
    for call in (
        lambda: recall.usage(since="999999w"),
        lambda: recall.list_sessions(since="999999d"),
        lambda: recall.search("w1", since="999999w"),
    ):
        with pytest.raises(ToolFailure, match="too far back"):
            call()
