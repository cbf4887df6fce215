"""Codex CLI rollout records of newer releases: a rollback (`thread_rolled_back`), an undo, a
persisted `error`, the user-role messages Codex writes itself (`<user_shell_command>`, the review
exit `<user_action>`), an `inter_agent_communication` rollout item, and the lifecycle events that
repeat what the items hold. Fixtures: tests/importers/fixtures/codex-turn-events (see
tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sessionscope import store
from sessionscope.importers import import_source

HERE = Path(__file__).parent / "fixtures" / "codex-turn-events" / "sessions"
S = "019a0000-0000-7000-8000-0000000000b1"


def test_newer_turn_events(db: store.Store, tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    shutil.copytree(HERE, root)
    report = import_source(db, "codex", root)
    assert report.unknown == {}
    assert all(info.drift == [] for info in report.files)
    msgs = db.messages(S)
    users = [m.text for m in msgs if m.role == "user"]
    assert users == ["Refactor the retry loop", "Actually, keep the old helper"]
    kinds = {m.metadata.get("kind"): m for m in msgs if m.role == "system"}
    assert kinds["rollback"].text == "Rolled back the last 1 turn"
    assert kinds["rollback"].metadata["turns"] == 1
    assert kinds["undo"].text == "Undo: Restored the workspace to snapshot 1a2b3c4."
    assert kinds["user_shell_command"].text.startswith("<user_shell_command>")
    assert "<action>review</action>" in kinds["review"].text
    inter = kinds["inter_agent"]
    assert inter.text == "Found 3 callers of retry() in src/net.py"
    assert inter.metadata["author"] == "/root/researcher"
    error = kinds["api_error"]
    assert error.text == "Error: You've hit your usage limit. Try again later."
    assert error.metadata["codex_error_info"] == "usage_limit_exceeded"
    assert (S, error.seq) in [(h.session_id, h.seq) for h in db.search("is:error")]
    assert [m.metadata.get("kind") for m in msgs].count("compaction") == 1
    images = [b for m in msgs for b in m.blocks if b.get("type") == "image"]
    assert len(images) == 1  # the item, not again from `image_generation_end`
    s = db.session(S)
    assert s is not None and s.title == "Refactor the retry loop"
    assert not any(t.startswith("<") for t in db.recent_inputs(20))
    before = [(m.seq, m.role, m.external_id, m.text) for m in msgs]
    for key in db.import_states("codex"):  # read the file again from the start
        db.set_import_state(key, source="codex", size=0, mtime=0, offset=0)
    assert import_source(db, "codex", root).messages == 0
    assert [(m.seq, m.role, m.external_id, m.text) for m in db.messages(S)] == before
