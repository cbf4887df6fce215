"""Incremental, idempotent, crash-safe imports; odd bytes on disk; --watch."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.importers import (
    ImportProgress,
    ImportSourceError,
    import_all,
    import_source,
    incremental,
    watch,
)
from sessionscope.importers.jsonl import read_lines

A = "5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01"
C = "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03"
D = "0199b1c2-7d4e-7a10-9f3b-5c8e2d1a6b04"


def roots(tree: Path) -> dict[str, Path]:
    return {"claude-code": tree / "claude-code" / "projects", "codex": tree / "codex" / "sessions"}


def dump(db: store.Store) -> dict[str, Any]:
    """Everything an import decides: every session row and every message, in order."""
    sessions = {}
    messages = []
    for info in sorted(db.sessions(limit=None), key=lambda s: s.id):
        sessions[info.id] = dataclasses.asdict(info)
        for m in db.messages(info.id):
            row = dataclasses.asdict(m)
            row.pop("id")
            messages.append(row)
    calls = {sid: db.tool_calls(sid) for sid in sessions}
    return {"sessions": sessions, "messages": messages, "tool_calls": calls}


def clean_dump(tmp_path: Path, tree_roots: dict[str, Path], name: str = "clean") -> dict:
    with store.open(tmp_path / f"{name}.db") as other:
        import_all(other, tree_roots)
        return dump(other)


def fixture_files(tree: Path) -> list[Path]:
    return sorted(p for p in tree.rglob("*.jsonl"))


# -- idempotence ---------------------------------------------------------------------------


def test_import_twice_changes_nothing(db: store.Store, fixture_tree: Path) -> None:
    first = import_all(db, roots(fixture_tree))
    assert (first.files_seen, first.files_imported, first.sessions, first.messages) == (5, 5, 6, 46)
    before = dump(db)
    marker = db.change_marker()
    second = import_all(db, roots(fixture_tree))
    assert (second.files_seen, second.files_skipped, second.files_imported) == (5, 5, 0)
    assert (second.messages, second.sessions, second.bytes_read) == (0, 0, 0)
    assert db.change_marker() == marker  # nothing was written at all
    assert dump(db) == before


def test_forced_full_reimport_is_idempotent(db: store.Store, fixture_tree: Path) -> None:
    import_all(db, roots(fixture_tree))
    before = dump(db)
    for path in db.import_states():
        db.set_import_state(path, source=db.import_state(path).source, size=0, mtime=0, offset=0)
    report = import_all(db, roots(fixture_tree))
    assert report.files_imported == 5 and report.messages == 0
    assert dump(db) == before


def test_same_as_a_clean_import_in_another_store(
    db: store.Store, fixture_tree: Path, tmp_path: Path
) -> None:
    import_all(db, roots(fixture_tree))
    assert dump(db) == clean_dump(tmp_path, roots(fixture_tree))


# -- growing files ---------------------------------------------------------------------------


def _prefixes(data: bytes) -> list[int]:
    """Cut points: every line end, and the middle of every line."""
    cuts: list[int] = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        cuts.extend([start + (end - start) // 2, end])
        start = end
    return cuts


@pytest.mark.parametrize("name", ["A", "B", "C", "agent", "D"])
def test_growing_file_ends_like_a_clean_import(
    name: str, fixture_tree: Path, tmp_path: Path
) -> None:
    """Import after every half line an agent writes: the end result is the clean import."""
    path = {
        "A": fixture_tree / "claude-code/projects/-home-dev-webapp" / f"{A}.jsonl",
        "B": fixture_tree
        / "claude-code/projects/-home-dev-webapp/0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02.jsonl",
        "C": fixture_tree / "claude-code/projects/-home-dev-data-pipeline" / f"{C}.jsonl",
        "agent": fixture_tree
        / "claude-code/projects/-home-dev-webapp"
        / A
        / "subagents/agent-a7c91e04.jsonl",
        "D": next((fixture_tree / "codex/sessions").rglob("rollout-*.jsonl")),
    }[name]
    source = "codex" if name == "D" else "claude-code"
    data = path.read_bytes()
    path.write_bytes(b"")
    total_new = 0
    with store.open(tmp_path / "growing.db") as db:
        for cut in _prefixes(data):
            with path.open("r+b") as handle:
                handle.seek(0, os.SEEK_END)
                handle.write(data[handle.tell() : cut])
            report = import_source(db, source, path)
            total_new += report.messages
        assert path.read_bytes() == data
        grown = dump(db)
    with store.open(tmp_path / "clean.db") as clean:
        import_source(clean, source, path)
        expected = dump(clean)
    assert grown == expected
    assert total_new == len(expected["messages"])  # each message arrived exactly once


def test_tail_only_new_messages_arrive(db: store.Store, fixture_tree: Path) -> None:
    path = fixture_tree / "claude-code/projects/-home-dev-webapp" / f"{A}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:10]))
    first = import_source(db, "claude-code", path)
    assert first.messages == 6  # meta, prompt, merged assistant, result, Edit call, its result
    seen = {m.external_id: m.id for m in db.messages(A)}
    with path.open("ab") as handle:
        handle.write(b"".join(lines[10:]))
    second = import_source(db, "claude-code", path)
    assert second.messages == 10 and second.bytes_read == sum(len(x) for x in lines[10:])
    after = db.messages(A)
    assert len(after) == 16 and len({m.external_id for m in after}) == 16
    assert all(seen[m.external_id] == m.id for m in after if m.external_id in seen)


def test_partial_last_line_waits_for_its_end(db: store.Store, fixture_tree: Path) -> None:
    path = fixture_tree / "claude-code/projects/-home-dev-data-pipeline" / f"{C}.jsonl"
    data = path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[: last_start + 40])  # an agent mid-write
    report = import_source(db, "claude-code", path)
    assert report.skipped_count == 1  # only line 5, not the half-written line
    assert db.messages(C)[-1].text.startswith("Found 1,204")
    state = db.import_state(str(path))
    assert state.offset == last_start
    assert import_source(db, "claude-code", path).files_skipped == 1  # unchanged: not re-read
    path.write_bytes(data)
    report = import_source(db, "claude-code", path)
    assert report.messages == 1 and report.skipped_count == 0
    assert db.messages(C)[-1].text == "Great, ship it."
    assert db.import_state(str(path)).offset == len(data)


def test_split_message_completed_by_a_later_import(db: store.Store, fixture_tree: Path) -> None:
    path = fixture_tree / "claude-code/projects/-home-dev-webapp" / f"{A}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:5]))  # only the thinking record of msg ...001
    import_source(db, "claude-code", path)
    msg = db.find_message(A, "msg_01HX7gQb2v9TtLoginForm001")
    assert [b["type"] for b in msg.blocks] == ["thinking"]
    assert db.session(A).output_tokens == 187
    with path.open("ab") as handle:
        handle.write(b"".join(lines[5:7]))  # its text and tool_use records
    report = import_source(db, "claude-code", path)
    assert report.messages == 0 and report.sessions == 1  # updated in place, nothing new
    merged = db.find_message(A, "msg_01HX7gQb2v9TtLoginForm001")
    assert merged.id == msg.id and merged.seq == msg.seq
    assert [b["type"] for b in merged.blocks] == ["thinking", "text", "tool_use"]
    assert merged.output_tokens == 187 and db.session(A).output_tokens == 187
    assert db.message_count(A) == 3
    assert [c["name"] for c in db.tool_calls(A).values()] == ["Read"]


def test_shrunk_or_replaced_file_is_read_again(db: store.Store, fixture_tree: Path) -> None:
    path = fixture_tree / "claude-code/projects/-home-dev-webapp" / f"{A}.jsonl"
    data = path.read_bytes()
    import_source(db, "claude-code", path)
    before = dump(db)
    lines = data.splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:8]))  # rewritten shorter: read from 0, nothing doubled
    report = import_source(db, "claude-code", path)
    assert report.files_imported == 1 and report.messages == 0
    assert db.import_state(str(path)).offset == len(b"".join(lines[:8]))
    path.write_bytes(data)
    import_source(db, "claude-code", path)
    assert dump(db) == before


# -- crashes ---------------------------------------------------------------------------------


class Crash(Exception):
    pass


def test_crash_at_any_batch_then_rerun_equals_clean_import(
    fixture_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = clean_dump(tmp_path, roots(fixture_tree))
    monkeypatch.setattr(incremental, "BATCH_MESSAGES", 1)
    k = 0
    while True:
        k += 1
        with store.open(tmp_path / f"crash{k}.db") as db:
            calls = 0
            real = db.set_import_state

            def failing(*args: Any, _real: Any = real, _k: int = k, **kw: Any) -> None:
                nonlocal calls
                calls += 1
                if calls == _k:
                    raise Crash  # dies inside the batch's transaction: it rolls back
                _real(*args, **kw)

            db.set_import_state = failing  # type: ignore[method-assign]
            try:
                import_all(db, roots(fixture_tree))
                crashed = False
            except Crash:
                crashed = True
            del db.set_import_state
            import_all(db, roots(fixture_tree))
            assert dump(db) == expected, f"after a crash in batch {k}"
        if not crashed:
            break
    assert k > 40  # every batch boundary of the five files was tried


def _claude_record(i: int, sid: str) -> dict[str, Any]:
    base = {
        "sessionId": sid,
        "cwd": "/big",
        "isSidechain": False,
        "timestamp": f"2026-03-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000Z",
    }
    if i % 3 == 0:
        return {
            **base,
            "type": "user",
            "uuid": f"u{i}",
            "message": {"role": "user", "content": f"prompt {i} " + "lorem ipsum " * 40},
        }
    return {
        **base,
        "type": "assistant",
        "uuid": f"a{i}",
        "message": {
            "id": f"m{i - i % 3}",
            "role": "assistant",
            "model": "m",
            "content": [{"type": "text", "text": f"part {i} " + "dolor sit " * 40}],
            "usage": {"input_tokens": 10, "output_tokens": 5},
        },
    }


def test_sigkill_mid_import_then_rerun_equals_clean_import(tmp_path: Path) -> None:
    sid = "99999999-8888-4777-8666-555555555555"
    tree = tmp_path / "big" / "-big"
    tree.mkdir(parents=True)
    path = tree / f"{sid}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(12_000):
            handle.write(json.dumps(_claude_record(i, sid)) + "\n")
    killed_db = tmp_path / "killed.db"
    code = (
        "import sys; from sessionscope import store; from sessionscope.importers import "
        "import_source, incremental; incremental.BATCH_MESSAGES = 200; "
        "import_source(store.open(sys.argv[1]), 'claude-code', sys.argv[2])"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(killed_db), str(tmp_path / "big")])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if killed_db.exists():
                try:
                    with store.open(killed_db, readonly=True) as peek:
                        state = peek.import_state(str(path))
                except store.StoreError:  # not created / migrated yet
                    state = None
                if state is not None and state.offset > 0:
                    break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    with store.open(killed_db) as db:
        partial = db.import_state(str(path))
        assert partial is not None
        import_source(db, "claude-code", tmp_path / "big")
        resumed = dump(db)
    with store.open(tmp_path / "clean-big.db") as clean:
        import_source(clean, "claude-code", tmp_path / "big")
        assert resumed == dump(clean)
    assert len(resumed["messages"]) == 12_000 // 3 * 2
    assert resumed["sessions"][sid]["output_tokens"] == 4000 * 5


# -- odd bytes on disk -------------------------------------------------------------------------


def _user(uuid: str, text: str, sid: str = "odd") -> bytes:
    return json.dumps(
        {
            "type": "user",
            "uuid": uuid,
            "sessionId": sid,
            "cwd": "/odd",
            "timestamp": "2026-02-02T00:00:00Z",
            "message": {"role": "user", "content": text},
        },
        ensure_ascii=False,
    ).encode("utf-8")


def test_odd_bytes_crlf_bom_invalid_utf8_huge_lines(db: store.Store, tmp_path: Path) -> None:
    sid = "0dd0dd00-0000-4000-8000-000000000000"
    huge = "x" * 5_000_000 + " HUGE-END"
    data = b"".join(
        [
            b"\xef\xbb\xbf" + _user("u1", "first line after a BOM", sid) + b"\r\n",
            _user("u2", "crlf line", sid) + b"\r\n",
            b"\r\n",
            _user("u3", "bad bytes PLACEHOLDER", sid).replace(b"PLACEHOLDER", b"\xff\xfe caf\xc3")
            + b"\n",
            b"{not json at all\n",
            b"[1, 2, 3]\n",
            b'{"type": "user", "message": {"role": "user", "content": "no end"\n',
            _user("u4", huge, sid) + b"\n",
            b"   \n",
            _user("u5", "last", sid),
        ]
    )
    path = tmp_path / "odd" / f"{sid}.jsonl"
    path.parent.mkdir()
    path.write_bytes(data)
    report = import_source(db, "claude-code", path)
    assert [(line, reason.split(":")[0]) for _p, line, reason in report.skipped_lines] == [
        (5, "invalid JSON"),
        (6, "not a JSON object (a list)"),
        (7, "invalid JSON"),
    ]
    assert all(p == str(path) for p, _l, _r in report.skipped_lines)
    texts = [m.text for m in db.messages(sid)]
    assert texts[:3] == ["first line after a BOM", "crlf line", "bad bytes \ufffd\ufffd caf\ufffd"]
    assert texts[3] == huge and texts[4] == "last"
    assert db.session(sid).title == "first line after a BOM"
    assert db.import_state(str(path)).offset == len(data)
    assert [h.session_id for h in db.search("HUGE-END")] == [sid]


def test_empty_file_and_non_transcripts_in_the_tree(db: store.Store, fixture_tree: Path) -> None:
    projects = fixture_tree / "claude-code" / "projects"
    (projects / "-home-dev-empty").mkdir()
    (projects / "-home-dev-empty" / "empty.jsonl").write_bytes(b"")
    (projects / "-home-dev-webapp" / "notes.txt").write_text("not a transcript\n")
    (projects / "-home-dev-webapp" / "settings.json").write_text('{"theme": "dark"}\n')
    (projects / "-home-dev-webapp" / "history.jsonl").write_text(
        '{"display": "ls", "timestamp": 1}\n{"foo": [1, 2]}\n'
    )
    (projects / ".hidden").mkdir()
    (projects / ".hidden" / "x.jsonl").write_text("garbage\n")
    report = import_source(db, "claude-code", projects)
    assert report.files_seen == 6  # 4 transcripts + empty.jsonl + history.jsonl
    assert report.sessions == 5 and report.skipped_count == 1  # only C's line 5
    assert db.count_sessions() == 5
    again = import_source(db, "claude-code", projects)
    assert again.files_skipped == 6 and again.files_imported == 0


def test_missing_root(db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImportSourceError):
        import_source(db, "codex", tmp_path / "nope")
    with pytest.raises(ValueError):
        import_source(db, "nosuchagent", tmp_path)  # (cursor is a source since issue 13)
    monkeypatch.setenv("HOME", str(tmp_path / "emptyhome"))
    monkeypatch.delenv("CODEX_HOME", raising=False)
    assert import_all(db).files_seen == 0  # default roots that do not exist: nothing to do


def test_progress_reports_files_messages_bytes(db: store.Store, fixture_tree: Path) -> None:
    seen: list[ImportProgress] = []
    report = import_all(
        db, roots(fixture_tree), progress=lambda p: seen.append(dataclasses.replace(p))
    )
    last = seen[-1]
    assert last.files_total == last.files_done == 5
    assert last.bytes_total == last.bytes_read == report.bytes_read > 200_000
    assert last.messages == 46
    assert any(p.path and p.path.endswith(f"{C}.jsonl") for p in seen)


# -- the line reader -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(
        st.dictionaries(st.text(max_size=5), st.text(max_size=30), max_size=3), max_size=12
    ),
    chunk=st.integers(min_value=1, max_value=64),
    crlf=st.booleans(),
    trailing_newline=st.booleans(),
)
def test_read_lines_any_chunking(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[dict],
    chunk: int,
    crlf: bool,
    trailing_newline: bool,
) -> None:
    end = b"\r\n" if crlf else b"\n"
    data = end.join(json.dumps(r).encode() for r in records)
    if records and trailing_newline:
        data += end
    path = tmp_path_factory.mktemp("lines") / "f.jsonl"
    path.write_bytes(data)
    lines = list(read_lines(path, chunk_size=chunk))
    assert [x.record for x in lines] == records
    assert [x.line_no for x in lines] == list(range(1, len(records) + 1))
    if lines:
        assert lines[-1].end == len(data)
        # resuming from any line's end yields exactly the rest
        middle = lines[len(lines) // 2]
        rest = list(read_lines(path, middle.end, middle.line_no, chunk_size=chunk))
        assert [x.record for x in rest] == records[middle.line_no :]


# -- watch -----------------------------------------------------------------------------------


def test_watch_picks_up_new_lines_and_new_files(db: store.Store, fixture_tree: Path) -> None:
    tree_roots = roots(fixture_tree)
    import_all(db, tree_roots)
    stop = threading.Event()
    rounds: list[int] = []
    thread = threading.Thread(
        target=watch,
        args=(db, tree_roots),
        kwargs={"stop": stop, "on_import": lambda r: rounds.append(r.messages)},
        daemon=True,
    )
    thread.start()
    try:
        path = fixture_tree / "claude-code/projects/-home-dev-data-pipeline" / f"{C}.jsonl"
        with path.open("ab") as handle:
            handle.write(
                b"\n"
                + _user("d0070000-0000-4000-8000-00000000d007", "WATCHED-LINE arrives", C)
                + b"\n"
            )
        _wait_for(lambda: db.find_message(C, "d0070000-0000-4000-8000-00000000d007"))
        new_dir = fixture_tree / "claude-code/projects/-home-dev-new"
        new_dir.mkdir()
        sid = "abababab-0000-4000-8000-000000000001"
        (new_dir / f"{sid}.jsonl").write_bytes(_user("n1", "a brand new session", sid) + b"\n")
        _wait_for(lambda: db.session(sid))
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sum(rounds) == 2
    assert db.session(sid).project == "/odd"


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the watcher did not import the change in time")


def test_a_read_error_partway_keeps_what_was_read_and_resumes_later(
    db, fixture_tree, monkeypatch
) -> None:
    from sessionscope.importers import incremental

    root = fixture_tree / "claude-code" / "projects"
    real = incremental.read_lines

    def failing(path, *args, **kwargs):  # the file system fails after three lines of session A
        for count, line in enumerate(real(path, *args, **kwargs)):
            if count == 3 and "5b1f0c2e" in str(path) and "subagents" not in str(path):
                raise OSError(5, "Input/output error")
            yield line

    monkeypatch.setattr(incremental, "read_lines", failing)
    report = import_source(db, "claude-code", root)
    assert any("could not read on from here" in reason for _, _, reason in report.skipped_lines)
    partial = db.message_count("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01")
    monkeypatch.setattr(incremental, "read_lines", real)
    again = import_source(db, "claude-code", root)
    assert again.files_imported >= 1  # not taken as unchanged
    full = db.message_count("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01")
    assert full > partial
    fresh = store.open(":memory:")
    import_source(fresh, "claude-code", root)
    assert full == fresh.message_count("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01")


def test_a_run_raises_the_young_gc_threshold_and_puts_back_the_one_it_found() -> None:
    import gc

    from sessionscope.gcthreshold import YOUNG_THRESHOLD, fewer_collections

    found = gc.get_threshold()
    try:
        gc.set_threshold(700, *found[1:])
        with fewer_collections():
            assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_threshold() == (700, *found[1:])
        with fewer_collections():
            gc.set_threshold(5000, *found[1:])  # someone else's setting (the browser's) stays
        assert gc.get_threshold() == (5000, *found[1:])
        gc.set_threshold(50_000, *found[1:])
        with fewer_collections():  # never lowered
            assert gc.get_threshold()[0] == 50_000
    finally:
        gc.set_threshold(*found)


def test_a_summary_appended_later_titles_the_session_like_a_clean_import(db, tmp_path) -> None:
    root = tmp_path / "projects" / "-home-dev-late"
    root.mkdir(parents=True)
    sid = "aaaaaaaa-1111-4222-8333-444444444444"
    path = root / f"{sid}.jsonl"

    def record(n: int) -> str:
        return (
            json.dumps(
                {
                    "type": "user",
                    "uuid": f"u-{n}",
                    "parentUuid": f"u-{n - 1}" if n else None,
                    "sessionId": sid,
                    "cwd": "/home/dev/late",
                    "timestamp": f"2026-10-01T00:00:0{n}.000Z",
                    "isSidechain": False,
                    "userType": "external",
                    "message": {"role": "user", "content": f"prompt {n}"},
                }
            )
            + "\n"
        )

    path.write_text(record(0) + record(1))
    import_source(db, "claude-code", tmp_path / "projects")
    assert db.session(sid).title == "prompt 0"
    with path.open("a") as out:
        out.write(
            json.dumps({"type": "summary", "summary": "The real summary title", "leafUuid": "u-1"})
            + "\n"
        )
    import_source(db, "claude-code", tmp_path / "projects")
    clean = store.open(":memory:")
    import_source(clean, "claude-code", tmp_path / "projects")
    assert clean.session(sid).title == "The real summary title"
    assert db.session(sid).title == "The real summary title"


def test_planning_reads_sizes_not_states_and_walks_in_path_order(
    db: store.Store, fixture_tree: Path, tmp_path: Path
) -> None:
    """Planning a run reads each file's size and offset only (the parser's state, most of an
    unchanged tree's cost, is read again under the file's lock when the file changed), and
    finds files in the order of their paths' parts, hidden directories left out."""
    import_all(db, roots={"claude-code": fixture_tree / "claude-code" / "projects"})
    full = db.import_states("claude-code")
    light = db.import_states("claude-code", with_state=False)
    assert light.keys() == full.keys() and any(s.state for s in full.values())
    for key, state in light.items():
        assert state.state == {}
        assert dataclasses.replace(state, state=full[key].state) == full[key]
    walk = tmp_path / "walk"
    for rel in ["a/x.jsonl", "a-b/x.jsonl", "a.b/y.jsonl", "A/z.jsonl", "a/b/c.jsonl", "ab.jsonl"]:
        (walk / rel).parent.mkdir(parents=True, exist_ok=True)
        (walk / rel).write_text("")
    (walk / ".hidden").mkdir()
    (walk / ".hidden" / "x.jsonl").write_text("")
    found = incremental.walk_files(walk, lambda name: name.endswith(".jsonl"))
    assert [p.relative_to(walk).as_posix() for p in found] == [
        "A/z.jsonl",
        "a/b/c.jsonl",
        "a/x.jsonl",
        "a-b/x.jsonl",
        "a.b/y.jsonl",
        "ab.jsonl",
    ]
