"""Session ids come from transcripts (Codex `session_meta.id`, Claude Code `sessionId`): one with
an escape sequence, a control, bidi or zero-width character, or of absurd length is replaced at
import by a stable id derived from it (issue 9, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

from sessionscope import store
from sessionscope.importers import import_all
from sessionscope.importers.common import session_id
from sessionscope.sanitize import is_inert

EVIL_ID = "abc\x1b]0;PWNED\x07\x1b]52;c;Y3VybCB8IHNo\x07\x9d2;x\x9c\u202e"


def _codex_tree(root: Path, sid: str) -> Path:
    folder = root / "codex" / "2026" / "10" / "05"
    folder.mkdir(parents=True)
    lines = [
        {
            "timestamp": "2026-10-05T14:02:11.000Z",
            "type": "session_meta",
            "payload": {"id": sid, "timestamp": "2026-10-05T14:02:11.000Z", "cwd": "/w"},
        },
        {
            "timestamp": "2026-10-05T14:02:12.000Z",
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hello from codex"}],
            },
        },
    ]
    (folder / "rollout-2026-10-05T14-02-11-x.jsonl").write_text(
        "\n".join(json.dumps(line) for line in lines) + "\n"
    )
    return root / "codex"


def _claude_tree(root: Path, sid: str) -> Path:
    folder = root / "claude" / "-w"
    folder.mkdir(parents=True)
    record = {
        "type": "user",
        "sessionId": sid,
        "uuid": "u1",
        "parentUuid": None,
        "cwd": "/w",
        "timestamp": "2026-10-05T14:02:12.000Z",
        "message": {"role": "user", "content": "hello from claude"},
    }
    (folder / "not-a-uuid.jsonl").write_text(json.dumps(record) + "\n")
    return root / "claude"


def test_hostile_ids_are_replaced_by_stable_inert_ones(tmp_path: Path, db: store.Store) -> None:
    roots = {
        "codex": _codex_tree(tmp_path, EVIL_ID),
        "claude-code": _claude_tree(tmp_path, EVIL_ID + "-cc"),
    }
    import_all(db, roots)
    ids = [info.id for info in db.sessions(limit=None)]
    assert len(ids) == 2
    for sid in ids:
        assert is_inert(sid) and sid.isprintable() and "PWNED" not in sid
    assert session_id(EVIL_ID) in ids and session_id(EVIL_ID + "-cc") in ids
    import_all(db, roots)  # again: the same ids, nothing doubled
    assert sorted(info.id for info in db.sessions(limit=None)) == sorted(ids)


def test_ordinary_ids_are_kept_and_the_normalisation_is_idempotent() -> None:
    for sid in ("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01", "rollout-x", "日本語-id"):
        assert session_id(sid) == sid
    for evil in (EVIL_ID, "a\nb", "x" * 10_000, " padded ", "zero\u200bwidth"):
        once = session_id(evil)
        assert once is not None and once != evil and is_inert(once)
        assert session_id(once) == once
    assert session_id(None) is None and session_id("") is None and session_id(3) is None
