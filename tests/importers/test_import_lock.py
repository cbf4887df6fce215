"""Issue 9 item 4: one importer at a time works on a transcript file.

With `import --watch` running and a bare `sessionscope` started, a new transcript over 2 MB lost
the later blocks of split assistant messages (the second importer skipped a message that already
existed, then saved a state saying it had read those lines). The engine now takes a lock in the
store per file (`store.locks`): another importer skips the file with a message, or takes over a
lock whose holder died or stopped renewing it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from importer_support import CLAUDE_SID, claude_path, claude_user, dumps, stamp
from reliability_support import ROOT, diff_dumps, dump

from sessionscope import store
from sessionscope.importers import import_source, watch
from sessionscope.store import locks

MESSAGES = 30


def _big_transcript(path: Path) -> int:
    """A >2 MB Claude Code transcript whose assistant messages are each split over three
    records (thinking, text, tool_use) sharing one message id, each followed by its result."""
    pad = "lorem ipsum dolor sit amet " * 2000  # ~54 KB per record
    records: list[dict] = [claude_user("u0", "start", 0)]
    for i in range(MESSAGES):
        base = {"type": "assistant", "sessionId": CLAUDE_SID, "timestamp": stamp(i + 1)}
        parts = [
            {"type": "thinking", "thinking": f"thinking {i} {pad}"},
            {"type": "text", "text": f"text {i} {pad}"},
            {"type": "tool_use", "id": f"tool-{i}", "name": "Bash", "input": {"cmd": f"ls {i}"}},
        ]
        for k, part in enumerate(parts):
            message = {"id": f"msg-{i}", "role": "assistant", "model": "m", "content": [part]}
            records.append({**base, "uuid": f"a{i}-{k}", "message": message})
        result = {"type": "tool_result", "tool_use_id": f"tool-{i}", "content": f"out {i}"}
        records.append(
            {**claude_user(f"r{i}", "x", i + 1), "message": {"role": "user", "content": [result]}}
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(dumps(r) + "\n" for r in records))
    size = path.stat().st_size
    assert size > 2 << 20
    return size


_IMPORTER = """
import random, sys, time
from pathlib import Path
from sessionscope import store
from sessionscope.importers import import_source
db_path, path, go, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.001)
with store.open(db_path) as db:
    while not done.exists():  # like `import --watch`, and bare runs started meanwhile
        if path.exists():
            import_source(db, "claude-code", path)
        time.sleep(random.random() * 0.01)
    import_source(db, "claude-code", path)
"""


def _copy_slowly(source: Path, target: Path, chunk: int = 96 << 10) -> None:
    """Copy `source` to `target` the way `cp` does on a slow disk: in chunks, lines cut anywhere."""
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for start in range(0, len(data), chunk):
            handle.write(data[start : start + chunk])
            handle.flush()
            time.sleep(0.01)


def _tool_uses(db: store.Store) -> set[str]:
    return {
        block["id"]
        for message in db.messages(CLAUDE_SID)
        for block in message.blocks
        if block.get("type") == "tool_use"
    }


_SLOW_IMPORTER = """
import sys, time
from pathlib import Path
from sessionscope import store
from sessionscope.importers import import_source, incremental
db_path, path, started, resume = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
real = incremental.read_lines

def paused_read_lines(*args, **kwargs):
    # the scheduler of the race: after the first line (the session is looked up), wait
    for number, line in enumerate(real(*args, **kwargs)):
        yield line
        if number == 0:
            started.touch()
            while not resume.exists():
                time.sleep(0.005)

incremental.read_lines = paused_read_lines
with store.open(db_path) as db:
    report = import_source(db, "claude-code", path)
print(report.messages)
"""

_PLAIN_IMPORTER = """
import sys
from sessionscope import store
from sessionscope.importers import import_source
with store.open(sys.argv[1]) as db:
    report = import_source(db, "claude-code", sys.argv[2])
print(report.messages, [r for _p, _n, r in report.skipped_lines])
"""


def _run(script: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_an_importer_racing_one_that_read_half_a_new_transcript_loses_nothing(
    tmp_path: Path,
) -> None:
    """The issue's interleaving, made certain: importer B (a bare `sessionscope`) starts on a new
    >2 MB transcript while it is still being copied; importer A (`--watch`) imports the half
    written so far, which ends inside a split assistant message; then B reads the whole file.
    B used to skip that message (it existed) and save a state saying it read everything."""
    original = tmp_path / "original.jsonl"
    _big_transcript(original)
    data = original.read_bytes()
    cut = data.index(b'"uuid": "a20-1"')  # inside message 20: its thinking block is before
    cut = data.rindex(b"\n", 0, cut) + 1
    path = claude_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(data[:cut])
    assert cut > 2 << 20  # its lock is committed before it is read (`GROUP_FILE_BYTES`)
    db_path = tmp_path / "shared.db"
    store.open(db_path).close()
    started, resume = tmp_path / "started", tmp_path / "resume"
    slow = _run(_SLOW_IMPORTER, db_path, path, started, resume)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert slow.poll() is None, slow.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.01)
        fast = _run(_PLAIN_IMPORTER, db_path, path)
        out, err = fast.communicate(timeout=60)
        assert fast.returncode == 0, err
        with path.open("ab") as handle:  # the copy completes
            handle.write(data[cut:])
        resume.touch()
        _out, err = slow.communicate(timeout=60)
        assert slow.returncode == 0, err
    finally:
        for proc in (slow,):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    with store.open(tmp_path / "clean.db") as clean:
        import_source(clean, "claude-code", path)
        want = dump(clean)
    with store.open(db_path) as db:
        assert _tool_uses(db) == {f"tool-{i}" for i in range(MESSAGES)}
        import_source(db, "claude-code", path)  # what the next run does
        assert diff_dumps(dump(db), want) == []
    assert "another process" in out  # A was told the file was taken


@pytest.mark.parametrize("round_", range(2))
def test_two_processes_importing_one_big_transcript_equal_a_clean_import(
    tmp_path: Path, round_: int
) -> None:
    """Free-running: a >2 MB transcript copied in while two importers loop over it."""
    original = tmp_path / "original.jsonl"
    _big_transcript(original)
    path = claude_path(tmp_path)
    with store.open(tmp_path / "clean.db") as clean:
        import_source(clean, "claude-code", original)
        clean_uses = _tool_uses(clean)
        assert clean_uses == {f"tool-{i}" for i in range(MESSAGES)}
    db_path = tmp_path / "shared.db"
    store.open(db_path).close()  # created (and migrated) before the race
    go, done = tmp_path / "go", tmp_path / "done"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _IMPORTER, str(db_path), str(path), str(go), str(done)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    try:
        time.sleep(0.5)  # both are waiting for the start
        go.touch()
        _copy_slowly(original, path)
        done.touch()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    with store.open(tmp_path / "clean.db") as clean:  # the clean import, of the same path
        clean.delete_session(CLAUDE_SID)
        with clean.writing() as conn:
            conn.execute("DELETE FROM import_state")
        import_source(clean, "claude-code", path)
        want = dump(clean)
    with store.open(db_path) as db:
        got = dump(db)
        assert _tool_uses(db) == clean_uses
    assert diff_dumps(got, want) == []


def test_a_live_holder_makes_another_importer_skip_with_a_message(
    db: store.Store, tmp_path: Path
) -> None:
    path = claude_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(claude_user("u1", "hello")) + "\n")
    key = str(path.resolve())
    other = locks.new_token()
    assert locks.acquire(db, key, other) is None  # held by "another" importer in this process
    report = import_source(db, "claude-code", path)
    assert report.messages == 0 and report.files_unread == 1
    assert "being imported by another process" in report.skipped_lines[0][2]
    assert "not read" in report.summary()
    locks.release(db, key, other)
    assert import_source(db, "claude-code", path).messages == 1


def test_a_dead_or_stale_holder_does_not_block(db: store.Store, tmp_path: Path) -> None:
    path = claude_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(claude_user("u1", "hello")) + "\n")
    key = str(path.resolve())
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead_pid = int(dead.stdout)

    def hold(pid: int, expires: float) -> None:
        with db.writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO import_locks VALUES (?, 'x', ?, ?, ?, 'now')",
                (key, pid, locks.HOST, expires),
            )

    hold(dead_pid, time.time() + 3600)  # a crashed importer's lock: its pid is gone
    assert import_source(db, "claude-code", path).messages == 1
    with path.open("a") as handle:
        handle.write(json.dumps(claude_user("u2", "again")) + "\n")
    hold(1, time.time() - 1)  # a live pid that stopped renewing: the lease ran out
    assert import_source(db, "claude-code", path).messages == 1


def test_watch_retries_a_file_another_process_held(db: store.Store, tmp_path: Path) -> None:
    import threading

    path = claude_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(claude_user("u1", "hello")) + "\n")
    key = str(path.resolve())
    other = locks.new_token()
    locks.acquire(db, key, other)
    stop = threading.Event()
    reports = []
    thread = threading.Thread(
        target=watch,
        args=(db, {"claude-code": tmp_path / "claude"}),
        kwargs={"interval": 0.05, "rescan": 60, "stop": stop, "on_import": reports.append},
    )
    thread.start()
    try:
        time.sleep(0.5)
        assert db.message_count(CLAUDE_SID) == 0 if db.session(CLAUDE_SID) else True
        locks.release(db, key, other)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not db.session(CLAUDE_SID):
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert db.message_count(CLAUDE_SID) == 1
    said = [r for report in reports for r in report.skipped_lines]
    assert len(said) == 1  # the busy file was reported once, not every round


@pytest.mark.parametrize("where", ["just after the lock", "mid-file"])
def test_ctrl_c_leaves_no_lock_and_the_next_run_completes(
    db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A Ctrl-C (KeyboardInterrupt) right after a big file's lock is committed, or while its
    lines are read, releases the lock; the next run in the same process imports the file whole."""
    from sessionscope.importers import incremental

    path = claude_path(tmp_path)
    path.parent.mkdir(parents=True)
    _big_transcript(path)
    real_acquire, real_read = locks.acquire, incremental.read_lines

    def acquire_then_interrupt(*args: object, **kwargs: object) -> object:
        real_acquire(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    def read_then_interrupt(*args: object, **kwargs: object) -> object:
        for number, line in enumerate(real_read(*args, **kwargs)):  # type: ignore[arg-type]
            if number == 20:
                raise KeyboardInterrupt
            yield line

    if where == "just after the lock":
        monkeypatch.setattr(locks, "acquire", acquire_then_interrupt)
    else:
        monkeypatch.setattr(incremental, "read_lines", read_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        import_source(db, "claude-code", path)
    monkeypatch.undo()
    with db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM import_locks").fetchone()[0] == 0
    report = import_source(db, "claude-code", path)
    assert not report.busy
    assert _tool_uses(db) == {f"tool-{i}" for i in range(MESSAGES)}
