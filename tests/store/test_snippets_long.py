"""Snippets of hits in long messages: cut by hand, not by FTS5 over the whole message."""

from __future__ import annotations

from pathlib import Path

from sessionscope import store
from sessionscope.store.search import search_messages
from sessionscope.store.search.snippets import CLOSE, OPEN


def test_long_tool_outputs_are_not_snippeted_by_fts5(tmp_path: Path) -> None:
    # FTS5's snippet weighs every instance of the words in the whole message: a page of 50
    # hits in 300 KB tool outputs took 14 s to show in the browser's search pane
    with store.open(tmp_path / "s.db") as db:
        sid = db.start_session(title="logs", source="api")
        long_output = "\n".join(f"line {k} of the build log" for k in range(2_000))
        db.append_many(
            sid,
            [
                {"role": "user", "content": "show the rare log"},
                {
                    "role": "tool",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "t", "content": long_output}
                    ],
                },
            ],
        )
        db.append(sid, "user", "a short line about the log")
        with db.reading() as conn:
            statements: list[str] = []
            conn.set_trace_callback(statements.append)
            try:
                only_long = search_messages(conn, "build", limit=50)
                both = search_messages(conn, "line", limit=50)
            finally:
                conn.set_trace_callback(None)
    assert [h.seq for h in only_long] == [1]
    assert sorted(h.seq for h in both) == [1, 2]
    for hit in [*only_long, *both]:
        assert OPEN not in hit.snippet and CLOSE not in hit.snippet
        assert hit.highlights and all(
            hit.snippet[a:b].lower() in ("line", "build") for a, b in hit.highlights
        )
    # FTS5 cut the short message's snippet only
    assert len([s for s in statements if "snippet(messages_fts" in s]) == 1


def test_a_match_far_into_a_long_message_is_in_its_snippet(tmp_path: Path) -> None:
    with store.open(tmp_path / "s.db") as db:
        sid = db.start_session(title="far", source="api")
        db.append(sid, "user", "filler words " * 5_000 + "the farneedle at the end")
        hits = db.search("farneedle")
    assert len(hits) == 1
    assert "farneedle" in hits[0].snippet and hits[0].highlights
