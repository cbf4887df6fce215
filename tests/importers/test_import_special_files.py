"""Issue 9 item 11: only regular files are imported, and no line can take unbounded memory.

A `*.jsonl` symlink to /dev/zero grew the importer to gigabytes, a FIFO hung every import and
/dev/urandom read forever; a 200 MB single line peaked at 7x its size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from importer_support import (
    CLAUDE_SID,
    claude_path,
    claude_text,
    claude_user,
    within,
    write_jsonl,
)

from sessionscope import store
from sessionscope.importers import import_all, import_source, jsonl


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "/dev/urandom", "/dev/null"])
def test_special_files_are_skipped_with_a_message(
    db: store.Store, tmp_path: Path, target: str
) -> None:
    good = write_jsonl(
        claude_path(tmp_path), [claude_user("u1", "hello"), claude_text("a", "m", "hi")]
    )
    bad = good.parent / "bbbbbbbb-0000-4000-8000-000000000000.jsonl"
    if target == "fifo":
        os.mkfifo(bad)
    else:
        bad.symlink_to(target)
    root = tmp_path / "claude"
    report = within(20, lambda: import_source(db, "claude-code", root))
    assert len(db.messages(CLAUDE_SID)) == 2  # the regular file beside it is imported
    assert [(p, n) for p, n, _ in report.skipped_lines] == [(str(bad), 0)]
    assert "not a regular file" in report.skipped_lines[0][2]
    if target == "fifo":
        assert "FIFO" in report.skipped_lines[0][2]
    again = within(20, lambda: import_source(db, "claude-code", root))
    assert again.messages == 0 and again.files_unread == 1  # still refused, still said


def test_a_special_file_swapped_in_after_planning_is_refused(tmp_path: Path) -> None:
    """The check is on the opened descriptor (fstat), not on an earlier stat."""
    path = tmp_path / "x.jsonl"
    os.mkfifo(path)
    with pytest.raises(jsonl.NotARegularFile):
        within(5, lambda: list(jsonl.read_lines(path)))


def test_a_symlink_to_a_regular_transcript_is_still_imported(
    db: store.Store, tmp_path: Path
) -> None:
    real = write_jsonl(tmp_path / "elsewhere" / "t.jsonl", [claude_user("u1", "hello")])
    link = claude_path(tmp_path)
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    report = import_all(db, {"claude-code": tmp_path / "claude"})
    assert report.messages == 1 and report.skipped_count == 0


def test_a_line_over_the_cap_is_skipped_with_file_and_line(
    db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 64 << 10)
    huge = json.dumps(claude_user("u2", "x" * (200 << 10)))
    path = write_jsonl(
        claude_path(tmp_path),
        [claude_user("u1", "before"), huge + "\n", claude_text("a3", "m3", "after", 2)],
    )
    report = import_source(db, "claude-code", path)
    assert [(p, n) for p, n, _ in report.skipped_lines] == [(str(path), 2)]
    assert "longer than" in report.skipped_lines[0][2]
    assert [m.blocks[0]["text"] for m in db.messages(CLAUDE_SID)] == ["before", "after"]
    # the offset went past it: appending a line imports only that line
    with path.open("a") as handle:
        handle.write(json.dumps(claude_text("a4", "m4", "more", 3)) + "\n")
    again = import_source(db, "claude-code", path)
    assert again.messages == 1 and again.skipped_count == 0


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_line_cap_boundaries(tmp_path: Path, chunk: int) -> None:
    path = tmp_path / "x.jsonl"
    # the last line is exactly the cap (20 bytes), the second one over it
    lines = [b'{"a":1}', b'{"b":"' + b"y" * 30 + b'"}', b"", b'{"c":' + b"1" * 14 + b"}"]
    path.write_bytes(b"\n".join(lines) + b"\n" + b'{"tail":"' + b"z" * 40)
    got = list(jsonl.read_lines(path, chunk_size=chunk, max_line=20))
    assert [(line.line_no, line.record is not None, line.error is not None) for line in got] == [
        (1, True, False),
        (2, False, True),
        (3, False, False),
        (4, True, False),
    ]
    assert got[-1].end == sum(len(x) + 1 for x in lines)  # the partial tail is not consumed


_HUGE_LINE_SCRIPT = """
import json, resource, sys
from pathlib import Path
from sessionscope import store
from sessionscope.importers import import_source
path = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with store.open(sys.argv[2], mmap_mb=0) as db:
    report = import_source(db, "claude-code", path)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"grew_kb": after - before, "skipped": report.skipped_lines,
                  "messages": report.messages}))
"""


def test_a_200_mb_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    """The issue's repro: one 200 MB line. It is streamed past, never held (or parsed)."""
    path = claude_path(tmp_path)
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        handle.write(json.dumps(claude_user("u1", "before")).encode() + b"\n")
        handle.write(b'{"type":"user","message":{"content":"')
        block = b"A" * (1 << 20)
        for _ in range(200):
            handle.write(block)
        handle.write(b'"}}\n')
        handle.write(json.dumps(claude_text("a2", "m2", "after", 2)).encode() + b"\n")
    try:
        out = subprocess.run(
            [sys.executable, "-c", _HUGE_LINE_SCRIPT, str(path), str(tmp_path / "s.db")],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        path.unlink()
    result = json.loads(out.stdout)
    assert result["messages"] == 2
    assert [n for _p, n, _r in result["skipped"]] == [2]
    assert result["grew_kb"] < 64 * 1024, f"grew {result['grew_kb'] // 1024} MB for a 200 MB line"
