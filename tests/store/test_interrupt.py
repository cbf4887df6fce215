"""A superseded read stops: cancelling its token interrupts the running SQLite statement."""

from __future__ import annotations

import threading
import time

import pytest

from sessionscope import store
from sessionscope.store import CancelToken, Interrupted

ROWS = 5_000  # the slow query calls slow() once per row, sleeping 1 ms: about 5 s in full
SLOW_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
    " SELECT sum(slow(i)) FROM n"
)


class Slow:
    """A deliberately slow read: a custom SQL function registered on the worker's connection."""

    def __init__(self, db: store.Store) -> None:
        self.db = db
        self.calls = 0
        self.calls_at_cancel: int | None = None
        self.started = threading.Event()
        self.outcome: object = None
        self.finished_at: float | None = None

    def _slow(self, value: int) -> int:
        self.calls += 1
        self.started.set()
        time.sleep(0.001)
        return value

    def run(self, token: CancelToken) -> None:
        def query(conn):  # type: ignore[no-untyped-def]
            conn.create_function("slow", 1, self._slow)
            return conn.execute(SLOW_SQL, (ROWS,)).fetchone()[0]

        try:
            with self.db.cancellable(token):
                self.outcome = self.db._db.read(query)
        except Interrupted as exc:
            self.outcome = exc
        self.finished_at = time.perf_counter()


def _seed(db: store.Store) -> None:
    sid = db.start_session(title="fast one")
    db.append(sid, "user", "a needle in the archive")


@pytest.mark.parametrize("path", ["file", ":memory:"])
def test_a_newer_query_interrupts_the_slow_one(path: str) -> None:
    db = store.open() if path == "file" else store.open(":memory:")
    _seed(db)
    slow = Slow(db)
    old = CancelToken()
    worker = threading.Thread(target=slow.run, args=(old,))
    worker.start()
    assert slow.started.wait(10)

    # the newer query: cancel the old token, start at once with a new one
    slow.calls_at_cancel = slow.calls
    old.cancel()
    new = CancelToken()
    with db.cancellable(new):
        hits = db.search("needle")
    fast_done = time.perf_counter()
    worker.join(30)

    assert not worker.is_alive()
    assert [h.session_title for h in hits] == ["fast one"]
    assert isinstance(slow.outcome, Interrupted)
    assert isinstance(slow.outcome, store.StoreError)
    # it stopped within a few hundred rows of the cancel, not after all of them
    assert slow.calls - slow.calls_at_cancel < ROWS // 5
    if path == ":memory:":
        # one shared connection: the fast query could only run once the slow one had stopped
        assert slow.finished_at is not None and slow.finished_at <= fast_done
    db.close()


def test_a_cancelled_token_refuses_reads_and_a_live_one_changes_nothing(
    db: store.Store,
) -> None:
    _seed(db)
    live = CancelToken()
    with db.cancellable(live):
        assert len(db.search("needle")) == 1
        assert len(db.sessions()) == 1
    dead = CancelToken()
    dead.cancel()
    with pytest.raises(Interrupted), db.cancellable(dead):
        db.search("needle")
    # the connection is usable afterwards, with no handler left behind
    assert len(db.search("needle")) == 1
    assert db._db.read(lambda c: c.execute("SELECT count(*) FROM messages").fetchone()[0]) == 1


def test_cancelled_after_its_last_statement_is_still_interrupted(db: store.Store) -> None:
    """A result that arrives after its cancel is stale: the block raises, the UI drops it."""
    _seed(db)
    token = CancelToken()
    with pytest.raises(Interrupted), db.cancellable(token):
        db.sessions()
        token.cancel()
    assert len(db.sessions()) == 1


def test_a_read_cancelled_mid_way_raises(db: store.Store) -> None:
    sid = db.start_session(title="many")
    db.append_many(sid, [{"role": "user", "content": f"needle {i}"} for i in range(300)])
    token = CancelToken()
    seen = 0

    def tick(value: int) -> int:
        nonlocal seen
        seen += 1
        if seen == 50:
            token.cancel()
        return value

    with pytest.raises(Interrupted), db.cancellable(token):
        db._db.read(lambda c: c.create_function("tick", 1, tick))
        db._db.read(
            lambda c: c.execute(
                "SELECT sum(tick(a.id)) FROM messages AS a, messages AS b"
            ).fetchone()
        )
    assert seen < 300 * 300
    assert len(db.search("needle", limit=5)) == 5


def test_the_search_time_budget_honours_the_cancel(
    db: store.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search installs its own progress handler (its time budget): a cancel still stops
    it, and the cancel check is back on the connection once the search's clock stops."""
    from sessionscope.store.search import clock

    sid = db.start_session(title="many")
    db.append_many(sid, [{"role": "user", "content": f"needle {i}"} for i in range(50)])
    token = CancelToken()
    original = clock.Clock.stream
    statements = 0

    def stream(self, sql, params):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        token.cancel()
        return original(self, sql, params)

    monkeypatch.setattr(clock.Clock, "stream", stream)
    with pytest.raises(Interrupted), db.cancellable(token):
        db.search("needle")
    assert statements >= 1
    monkeypatch.setattr(clock.Clock, "stream", original)
    assert len(db.search("needle", limit=5)) == 5
