"""Issue 9 item 14: a field changed after import is not overwritten by the next import.

The first import's fields were kept in the import state (saved before the new sessions counted as
written) and applied again by the next import of the transcript, overwriting a title set since.
"""

from __future__ import annotations

import json
from pathlib import Path

from importer_support import (
    CLAUDE_SID,
    CODEX_SID,
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


def _append(path: Path, *records: dict) -> None:
    with path.open("a") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")


def test_codex_title_and_fields_set_after_import_stay(db: store.Store, tmp_path: Path) -> None:
    path = write_jsonl(codex_path(tmp_path), [codex_meta(), codex_user("first prompt", 1)])
    import_source(db, "codex", path)
    assert db.session(CODEX_SID).title == "first prompt"
    db.update_session(CODEX_SID, title="My title", cwd="/mine", project="mine")
    _append(path, codex_user("second prompt", 2))
    report = import_source(db, "codex", path)
    assert report.messages == 1
    info = db.session(CODEX_SID)
    assert (info.title, info.cwd, info.project) == ("My title", "/mine", "mine")
    state = db.import_state(str(path.resolve()))
    assert "first prompt" not in json.dumps(state.state)  # no stale copy of the fields


def test_claude_title_set_after_import_beats_a_pending_summary(
    db: store.Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        claude_path(tmp_path),
        [
            {"type": "summary", "summary": "Summary title", "leafUuid": "u3"},
            claude_user("u1", "first prompt", 1),
            claude_text("a2", "m2", "reply", 2),
        ],
    )
    import_source(db, "claude-code", path)
    db.update_session(CLAUDE_SID, title="My title")
    _append(path, claude_user("u3", "more", 3))
    import_source(db, "claude-code", path)
    assert db.session(CLAUDE_SID).title == "My title"


def test_claude_title_the_import_set_is_still_updated_by_a_summary(
    db: store.Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        claude_path(tmp_path),
        [claude_user("u1", "first prompt", 1), claude_text("a2", "m2", "reply", 2)],
    )
    import_source(db, "claude-code", path)
    _append(path, {"type": "summary", "summary": "Summary title", "leafUuid": "u1"})
    import_source(db, "claude-code", path)
    assert db.session(CLAUDE_SID).title == "Summary title"


def test_git_branch_set_by_hand_stays_but_the_import_keeps_its_own_up_to_date(
    db: store.Store, tmp_path: Path
) -> None:
    first = claude_user("u1", "first prompt", 1) | {"gitBranch": "main"}
    path = write_jsonl(claude_path(tmp_path), [first])
    import_source(db, "claude-code", path)
    _append(path, claude_user("u2", "x", 2) | {"gitBranch": "feature"})
    import_source(db, "claude-code", path)
    assert db.session(CLAUDE_SID).git_branch == "feature"  # the import's own value moves on
    db.update_session(CLAUDE_SID, git_branch="by-hand")
    _append(path, claude_user("u3", "y", 3) | {"gitBranch": "other"})
    import_source(db, "claude-code", path)
    assert db.session(CLAUDE_SID).git_branch == "by-hand"
