"""Issue 6.1: eight writer processes, an importer and a reader on one store, all at once.

Every writer appends 1,000 messages (about half to one shared session, half to its own session;
single `append`s and `append_many` batches; some calls retried with the same external ids, as an
agent does after a timeout), while another process imports a transcript tree and another searches
and reads in a loop. Afterwards: every message is present exactly once at the seq its call
returned, seqs are gapless, totals add up, the import equals a clean import of the same tree, no
caller saw an error, and both integrity checks pass.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import random
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
from reliability_support import IMPORT_SOURCES, diff_dumps, dump

from sessionscope import store
from sessionscope.demo.transcripts import generate_tree
from sessionscope.importers import import_all

WRITERS = 8
PER_WRITER = 1000
SHARED = "shared-session"
DEADLINE_S = 300  # a hung run fails instead of blocking CI
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def _text(n: int, i: int) -> str:
    return f"writer{n} message{i} {WORDS[(n + i) % len(WORDS)]} payload {'x' * (i % 40)}"


def writer(path: str, n: int, barrier: Any, results: Any) -> None:
    """Append PER_WRITER messages; report (n, [(session, i, seq)], retries) or a traceback."""
    try:
        rng = random.Random(1000 + n)
        db = store.open(path)
        own = db.start_session(title=f"writer {n}", source="reliability", id=f"own-{n}")
        barrier.wait(timeout=120)
        began = time.time()
        placed: list[tuple[str, int, int]] = []
        retries = 0
        i = 0
        while i < PER_WRITER:
            sid = SHARED if rng.random() < 0.5 else own
            size = 1 if rng.random() < 0.6 else rng.randint(2, 25)
            size = min(size, PER_WRITER - i)
            specs = []
            for k in range(i, i + size):
                spec: dict[str, Any] = {
                    "role": ("user", "assistant", "tool", "system")[k % 4],
                    "content": _text(n, k),
                    "output_tokens": k % 7,
                }
                if k % 2 == 0:
                    spec["external_id"] = f"w{n}-{k}"
                specs.append(spec)
            if size == 1:
                fields = {k: v for k, v in specs[0].items() if k not in ("role", "content")}
                seqs = [db.append(sid, specs[0]["role"], specs[0]["content"], **fields)]
            else:
                seqs = db.append_many(sid, specs)
            placed.extend((sid, k, seq) for k, seq in zip(range(i, i + size), seqs, strict=True))
            if any("external_id" in s for s in specs) and rng.random() < 0.1:
                # an agent retrying a call it thinks failed: only the external-id messages are
                # idempotent, so retry just those, and they must land on the same seqs
                again = [s for s in specs if "external_id" in s]
                again_seqs = db.append_many(sid, again)
                want = [seq for s, seq in zip(specs, seqs, strict=True) if "external_id" in s]
                if again_seqs != want:
                    raise AssertionError(f"retry moved messages: {again_seqs} != {want}")
                retries += 1
            i += size
        db.close()
        results.put(("writer", n, placed, retries, (began, time.time())))
    except BaseException:
        results.put(("error", f"writer {n}", traceback.format_exc()))
        raise


def importer(path: str, roots: dict[str, str], barrier: Any, results: Any) -> None:
    """Import the transcript tree twice (the second run must find nothing new)."""
    try:
        db = store.open(path)
        barrier.wait(timeout=120)
        began = time.time()
        first = import_all(db, roots)
        ended = time.time()
        second = import_all(db, roots)
        db.close()
        results.put(
            ("importer", first.messages, first.skipped_count, second.messages, (began, ended))
        )
    except BaseException:
        results.put(("error", "importer", traceback.format_exc()))
        raise


def reader(path: str, barrier: Any, stop: Any, results: Any) -> None:
    """Search, list and read in a loop; every snapshot of the shared session must be gapless."""
    try:
        rng = random.Random(7)
        db = store.open(path)
        barrier.wait(timeout=120)
        rounds = hits_seen = 0
        problems: list[str] = []
        while not stop.is_set() or rounds < 3:
            query = rng.choice(
                [
                    "writer3 message",
                    "payload",
                    rng.choice(WORDS),
                    "role:tool payload",
                    '"message1"',
                    "build OR test",
                    "source:reliability echo",
                    "-alpha bravo",
                ]
            )
            hits = db.search(query, limit=20, order=rng.choice(["rank", "time"]))
            if not isinstance(hits, list):
                problems.append(f"search returned {type(hits).__name__}")
            for hit in hits[:5]:
                found = db.messages(hit.session_id, hit.seq, hit.seq + 1)
                if len(found) != 1 or found[0].id != hit.message_id:
                    problems.append(f"hit {hit.session_id}:{hit.seq} does not read back")
            hits_seen += len(hits)
            seqs = [m.seq for m in db.messages(SHARED)]
            if seqs != list(range(len(seqs))):
                problems.append(f"shared session snapshot not gapless ({len(seqs)} messages)")
            info = db.session(SHARED)
            if info is not None and info.message_count < len(seqs):
                problems.append("message_count behind the messages already visible")
            db.sessions(limit=20)
            rounds += 1
        db.close()
        results.put(("reader", rounds, hits_seen, problems[:10]))
    except BaseException:
        results.put(("error", "reader", traceback.format_exc()))
        raise


def _transcripts(fixture_tree: Path) -> dict[str, str]:
    """The fixture tree grown with generated transcripts (a few MB of real-format JSONL)."""
    generate_tree(fixture_tree, seed=61, sessions=60, now=1_790_000_000)
    return {
        "claude-code": str(fixture_tree / "claude-code"),
        "codex": str(fixture_tree / "codex"),
    }


@pytest.mark.slow
def test_eight_writers_an_importer_and_a_reader_at_once(
    store_path: Path, fixture_tree: Path, tmp_path: Path
) -> None:
    roots = _transcripts(fixture_tree)
    db = store.open(store_path)
    db.start_session(title="shared by every writer", source="reliability", id=SHARED)

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WRITERS + 2)
    stop = ctx.Event()
    results = ctx.Queue()
    path = str(store_path)
    procs = [ctx.Process(target=writer, args=(path, n, barrier, results)) for n in range(WRITERS)]
    procs.append(ctx.Process(target=importer, args=(path, roots, barrier, results)))
    read_proc = ctx.Process(target=reader, args=(path, barrier, stop, results))
    for proc in [*procs, read_proc]:
        proc.start()

    reports: list[tuple[Any, ...]] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(reports) < len(procs) and time.monotonic() < deadline:
            try:
                reports.append(results.get(timeout=1))
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in procs):
                    break
        stop.set()
        while len(reports) < len(procs) + 1 and time.monotonic() < deadline:
            try:
                reports.append(results.get(timeout=1))
            except queue.Empty:
                if read_proc.exitcode is not None:
                    break
        for proc in [*procs, read_proc]:
            proc.join(timeout=max(1, deadline - time.monotonic()))
    finally:
        for proc in [*procs, read_proc]:
            if proc.is_alive():
                proc.kill()
                proc.join()

    errors = [r for r in reports if r[0] == "error"]
    assert not errors, "\n".join(f"{r[1]}:\n{r[2]}" for r in errors)
    assert [p.exitcode for p in [*procs, read_proc]] == [0] * (WRITERS + 2)
    by_kind: dict[str, list[tuple[Any, ...]]] = {}
    for r in reports:
        by_kind.setdefault(r[0], []).append(r)
    assert sorted(r[1] for r in by_kind["writer"]) == list(range(WRITERS))

    # every message exactly once, at the seq its call returned
    expected: dict[str, dict[int, str]] = {}
    tokens: dict[str, int] = {}
    retries = 0
    for _kind, n, placed, retried, _span in by_kind["writer"]:
        retries += retried
        assert len(placed) == PER_WRITER
        for sid, i, seq in placed:
            assert seq not in expected.setdefault(sid, {}), f"two messages got {sid}:{seq}"
            expected[sid][seq] = _text(n, i)
            tokens[sid] = tokens.get(sid, 0) + i % 7
    assert retries > 0  # the idempotent-retry path really ran under contention
    written = 0
    for sid, by_seq in expected.items():
        session = db.load(sid)
        assert session is not None
        assert [m.seq for m in session.messages] == list(range(len(by_seq)))
        assert {m.seq: m.text for m in session.messages} == by_seq
        assert session.message_count == len(by_seq)
        assert session.output_tokens == tokens[sid]
        written += len(by_seq)
    assert written == WRITERS * PER_WRITER
    assert len(expected[SHARED]) > WRITERS * PER_WRITER // 3  # it really was shared
    stats = db.stats()
    assert stats.by_source["reliability"] == WRITERS + 1

    # the import that ran alongside is exactly a clean import of the same tree
    ((_kind, imported, skipped, again, span),) = by_kind["importer"]
    writing = [w[4] for w in by_kind["writer"]]
    assert any(a < span[1] and span[0] < b for a, b in writing)  # it really ran alongside
    assert imported > 1000 and again == 0
    assert skipped == 1  # the fixture's one deliberately truncated line
    with store.open(tmp_path / "clean.db") as clean:
        import_all(clean, roots)
        want = dump(clean, IMPORT_SOURCES)
    got = dump(db, IMPORT_SOURCES)
    assert diff_dumps(got, want) == []
    assert sum(len(s["messages"]) for s in got["sessions"].values()) == imported

    # the reader never saw an error, a torn snapshot or a hit that does not read back
    ((_kind, rounds, hits_seen, problems),) = by_kind["reader"]
    assert problems == []
    assert rounds >= 3 and hits_seen > 0

    assert db.check(full=True) == []
    assert len(db.search("writer5 message999")) == 1
    db.close()
