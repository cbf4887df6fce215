"""Inside `Store.bulk()` a transaction's search-index rows are written at its commit (one FTS5
segment, not one a savepoint), and the index still agrees with the messages whatever happens
in between: savepoints rolled back, messages replaced or deleted, searches in the transaction."""

from __future__ import annotations

import pytest

from sessionscope import store
from sessionscope.store import bulkindex


def _segments(db: store.Store) -> int:
    with db.reading() as conn:
        return int(conn.execute("SELECT count(*) FROM messages_fts_data").fetchone()[0])


def _words(db: store.Store, word: str) -> list[str]:
    return sorted(h.session_title or "" for h in db.search(word))


def test_rows_wait_for_the_commit_and_are_then_indexed(db: store.Store) -> None:
    with db.bulk(), db.transaction():
        sid = db.start_session(title="one")
        for n in range(5):
            with db.transaction():  # a savepoint each, as the importer writes files
                db.append(sid, "user", f"zebra number {n}")
        with db.reading() as conn:
            assert bulkindex.pending(conn) is not None
            assert conn.execute("SELECT count(*) FROM messages_fts").fetchone()[0] == 5
            indexed = conn.execute(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zebra'"
            ).fetchone()[0]
            assert indexed == 0  # not yet: no segment was written at the savepoints
    assert len(db.search("zebra")) == 5
    assert db.check(full=True) == []


def test_a_savepoint_rolled_back_takes_its_rows_back(db: store.Store) -> None:
    sid = db.start_session(title="s")
    with db.bulk(), db.transaction():
        db.append(sid, "user", "kept giraffe")
        with pytest.raises(RuntimeError), db.transaction():
            db.append(sid, "user", "dropped okapi")
            raise RuntimeError
        db.append(sid, "user", "kept again giraffe")
    assert [m.text for m in db.messages(sid)] == ["kept giraffe", "kept again giraffe"]
    assert len(db.search("giraffe")) == 2 and db.search("okapi") == []
    assert db.check(full=True) == []


def test_rows_flushed_in_a_rolled_back_savepoint_are_indexed_at_the_commit(
    db: store.Store,
) -> None:
    """A search inside a savepoint writes the pending rows; the rollback undoes those inserts,
    so the rows must be pending again (else messages kept by the outer transaction would be
    missing from the index)."""
    sid = db.start_session(title="s")
    with db.bulk(), db.transaction():
        db.append(sid, "user", "outer walrus")
        with pytest.raises(RuntimeError), db.transaction():
            assert len(db.search("walrus")) == 1  # flushes the pending row inside the savepoint
            raise RuntimeError
    assert len(db.search("walrus")) == 1
    assert db.check(full=True) == []


@pytest.mark.parametrize("change", ["replace", "save", "delete"])
def test_messages_changed_before_the_commit_keep_the_index_right(
    db: store.Store, change: str
) -> None:
    with db.bulk(), db.transaction():
        sid = db.start_session(title="s")
        db.append(sid, "assistant", "first lemur", external_id="a1")
        if change == "replace":
            db.append(sid, "assistant", "second marmot", external_id="a1", replace=True)
        elif change == "save":
            db.save(sid, [{"role": "assistant", "content": "second marmot", "external_id": "a1"}])
        else:
            db.delete_session(sid)
    assert db.search("lemur") == []
    assert len(db.search("marmot")) == (0 if change == "delete" else 1)
    assert db.check(full=True) == []


def test_outside_bulk_rows_are_indexed_with_each_write(db: store.Store) -> None:
    sid = db.start_session(title="s")
    before = _segments(db)
    with db.transaction():
        db.append(sid, "user", "at once")
        with db.reading() as conn:
            assert bulkindex.pending(conn) is None
    assert _segments(db) > before
    assert _words(db, "once") == ["s"]
