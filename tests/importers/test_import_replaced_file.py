"""Issue 9 item 16: a transcript replaced by a different, larger file is read from the start.

It used to be read on from the old offset: the lines before it were lost with only a "malformed
line" warning. The import state keeps a digest of the file's first bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from importer_support import (
    CLAUDE_SID,
    claude_path,
    claude_text,
    claude_user,
    codex_meta,
    codex_path,
    codex_user,
    write_jsonl,
)

from sessionscope import store
from sessionscope.importers import import_source

OTHER_SID = "cccccccc-1111-4222-8333-444444444444"


def _texts(db: store.Store, sid: str) -> list[str]:
    return [m.blocks[0].get("text", "") for m in db.messages(sid)]


def _claude_lines(prefix: str, count: int, sid: str = CLAUDE_SID) -> list[dict]:
    out: list[dict] = []
    for i in range(count):
        if i % 2:
            out.append(
                claude_text(f"{prefix}-a{i}", f"{prefix}-m{i}", f"{prefix} reply {i}", i, sid)
            )
        else:
            out.append(claude_user(f"{prefix}-u{i}", f"{prefix} prompt {i}", i, sid))
    return out


def _replace(path: Path, records: list[dict]) -> None:
    """Write a new file and rename it over `path` (what a copy or an editor does)."""
    tmp = path.with_suffix(".new")
    write_jsonl(tmp, records)
    os.replace(tmp, path)


def test_a_larger_different_file_is_read_from_the_start(db: store.Store, tmp_path: Path) -> None:
    path = write_jsonl(claude_path(tmp_path), _claude_lines("old", 10))
    import_source(db, "claude-code", path)
    assert len(db.messages(CLAUDE_SID)) == 10
    _replace(path, _claude_lines("new", 20, OTHER_SID))  # 20 lines, each longer than before
    report = import_source(db, "claude-code", path)
    assert report.skipped_count == 0
    assert _texts(db, OTHER_SID) == [f"new {'reply' if i % 2 else 'prompt'} {i}" for i in range(20)]
    assert len(db.messages(CLAUDE_SID)) == 10  # what was archived stays
    again = import_source(db, "claude-code", path)
    assert again.files_skipped == 1 and again.messages == 0


def test_a_replaced_file_of_the_same_session_is_merged_idempotently(
    db: store.Store, tmp_path: Path
) -> None:
    """The same session rewritten (its first lines changed, more lines added): every message
    is present once, and importing again changes nothing."""
    first = _claude_lines("s", 10)
    path = write_jsonl(claude_path(tmp_path), first)
    import_source(db, "claude-code", path)
    rewritten = [claude_user("s-u-new", "a new first prompt", 0), *first, *_claude_lines("t", 6)]
    _replace(path, rewritten)
    import_source(db, "claude-code", path)
    texts = _texts(db, CLAUDE_SID)
    assert len(texts) == len(set(texts)) == 17
    assert "a new first prompt" in texts and "t reply 5" in texts
    assert import_source(db, "claude-code", path).messages == 0


def test_a_codex_rollout_replaced_in_place_is_read_from_the_start(
    db: store.Store, tmp_path: Path
) -> None:
    path = write_jsonl(codex_path(tmp_path), [codex_meta(), codex_user("old one", 1)])
    import_source(db, "codex", path)
    # rewritten in place (same inode, truncated then written longer)
    records = [codex_meta(cwd="/src/other"), *(codex_user(f"new {i}", i + 1) for i in range(8))]
    write_jsonl(path, records)
    report = import_source(db, "codex", path)
    assert report.skipped_count == 0
    texts = [m.blocks[0]["text"] for m in db.messages(codex_path(tmp_path).stem[-36:])]
    assert [t for t in texts if t.startswith("new")] == [f"new {i}" for i in range(8)]


def test_a_grown_file_is_still_read_from_its_offset(db: store.Store, tmp_path: Path) -> None:
    path = write_jsonl(claude_path(tmp_path), _claude_lines("g", 4))
    import_source(db, "claude-code", path)
    with path.open("a") as handle:
        for record in _claude_lines("h", 2):
            handle.write(json.dumps(record) + "\n")
    report = import_source(db, "claude-code", path)
    assert report.messages == 2
    assert report.bytes_read < path.stat().st_size / 2  # only the new lines were read
