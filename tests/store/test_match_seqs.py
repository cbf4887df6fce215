"""`Store.match_seqs`: a session's matching positions, in order, walked a chunk at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.store.search import walk


def test_match_seqs_in_order_across_chunks_and_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk, "SEQ_CHUNK", 3)
    monkeypatch.setattr(walk, "SEQ_CHUNK_MAX", 8)
    with store.open(tmp_path / "s.db") as db:
        a = db.start_session(title="a", source="api")
        b = db.start_session(title="b", source="api")
        for i in range(40):  # the sessions' message ids interleave
            db.append(a, "user", f"needle {i}" if i % 3 == 0 else f"hay {i}")
            db.append(b, "user", f"needle in b {i}")
        expected = [i for i in range(40) if i % 3 == 0]
        assert db.match_seqs(a, "needle") == expected
        assert db.match_seqs(a, "needle", limit=5) == expected[:5]
        assert db.match_seqs(a, "needle", limit=5, offset=5) == expected[5:10]
        assert db.match_seqs(a, "needle", offset=100) == []
        assert db.match_seqs(a, "needle -hay") == expected
        assert db.match_seqs(a, "role:user") == list(range(40))
        assert db.match_seqs(a, "absent") == []
        # the search in position order walks the same way, with its snippets
        assert [h.seq for h in db.search("needle", order="seq", session_id=a)] == expected
