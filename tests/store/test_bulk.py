"""Bulk-import settings hold for the block only, and the WAL is checkpointed at its end."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sessionscope import store
from sessionscope.importers import import_all
from sessionscope.store.connection import BULK_CHECKPOINT_PAGES


def _autocheckpoint(db: store.Store) -> int:
    return int(db._db.read(lambda c: c.execute("PRAGMA wal_autocheckpoint").fetchone()[0]))


def test_bulk_raises_the_checkpoint_interval_for_the_block_only(db: store.Store) -> None:
    before = _autocheckpoint(db)
    with db.bulk():
        assert _autocheckpoint(db) == BULK_CHECKPOINT_PAGES
        sid = db.start_session(title="bulk")
        db.append(sid, "user", "written in bulk")
    assert _autocheckpoint(db) == before
    assert [h.session_title for h in db.search("bulk")] == ["bulk"]


def test_an_import_leaves_the_default_interval_and_a_small_wal(
    db: store.Store, fixture_tree: Path, store_path: Path
) -> None:
    before = _autocheckpoint(db)
    report = import_all(db, {"claude-code": fixture_tree / "claude-code" / "projects"})
    assert report.messages > 0
    assert _autocheckpoint(db) == before
    _wait_for_checkpoint_threads()
    # the PASSIVE checkpoint after the end copied the WAL into the file (nothing else reads it)
    frames = db._db.read(lambda c: c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
    assert frames[0] == 0 and frames[1] == frames[2]


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sessionscope-checkpoint"]


def _wait_for_checkpoint_threads() -> None:
    """The thread ends on its own after one last checkpoint, which the import does not wait for."""
    for thread in _checkpoint_threads():
        thread.join(10)
    assert _checkpoint_threads() == []


def test_bulk_checkpoints_on_a_thread_of_its_own_while_it_writes(
    db: store.Store, store_path: Path
) -> None:
    before = store_path.stat().st_size
    with db.bulk():
        assert _checkpoint_threads() == []  # started by the first commit: none without one
        sid = db.start_session(title="bulk")
        assert len(_checkpoint_threads()) == 1
        with db.transaction():  # one commit of many pages, far under BULK_CHECKPOINT_PAGES
            db.append_many(sid, [{"role": "user", "content": f"m {i} " * 200} for i in range(500)])
        # only a checkpoint writes pages into the file itself; this connection does not
        # checkpoint for another 16,000 pages, so the thread did it
        deadline = time.monotonic() + 10
        while store_path.stat().st_size <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert store_path.stat().st_size > before
    _wait_for_checkpoint_threads()
    assert db.message_count(sid) == 500


def test_closing_the_store_waits_for_the_last_checkpoint(store_path: Path) -> None:
    db = store.open(store_path)
    with db.bulk():
        sid = db.start_session(title="bulk")
        with db.transaction():
            db.append_many(sid, [{"role": "user", "content": f"m {i} " * 200} for i in range(500)])
    db.close()
    assert _checkpoint_threads() == []
    # the last connection closed after the checkpoint: the WAL was folded in and removed
    assert not Path(f"{store_path}-wal").exists()
    assert store.open(store_path).message_count(sid) == 500
