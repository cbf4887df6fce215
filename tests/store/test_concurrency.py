"""Many processes writing one store: nothing lost, no gaps, no 'database is locked'."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from sessionscope import store

WRITERS = 4
PER_WRITER = 150


def _writer(path: str, sid: str, n: int, barrier) -> None:  # runs in a child process
    db = store.open(path)
    barrier.wait()
    for i in range(PER_WRITER):
        if i % 10 == 0:
            db.append_many(
                sid,
                [{"role": "user", "content": f"writer {n} batch {i} item {k}"} for k in range(3)],
            )
        else:
            db.append(sid, "assistant", f"writer {n} message {i}", output_tokens=1)
    db.close()


def test_concurrent_processes_append_to_one_session(store_path: Path) -> None:
    db = store.open()
    sid = db.start_session(title="shared")
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    procs = [
        ctx.Process(target=_writer, args=(str(store_path), sid, n, barrier)) for n in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    per_writer = (PER_WRITER // 10) * 3 + PER_WRITER - PER_WRITER // 10
    total = WRITERS * per_writer
    session = db.load(sid)
    assert session is not None
    assert [m.seq for m in session.messages] == list(range(total))
    texts = [m.text for m in session.messages]
    assert len(set(texts)) == total
    for n in range(WRITERS):
        assert sum(t.startswith(f"writer {n} ") for t in texts) == per_writer
    assert session.message_count == total
    assert session.output_tokens == WRITERS * (PER_WRITER - PER_WRITER // 10)
    conn = db._db.connection()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
    assert len(db.search("writer 3 message 7 ", limit=100)) >= 1
    db.close()
