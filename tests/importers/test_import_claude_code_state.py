"""Claude Code 2.1 session-state records (`mode`, `permission-mode`, `bridge-session`,
`atis-latch`, `worktree-state`, `pr-link`, `agent-name`, ...): re-appended whenever a value
changes, they are known records, never format drift; a `pr-link` and an `agent-name` are kept
as session metadata, the latest one winning.
Fixtures: tests/importers/fixtures/claude-code-2.1-state (see tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sessionscope import store
from sessionscope.importers import import_source

HERE = Path(__file__).parent / "fixtures" / "claude-code-2.1-state" / "projects"
S = "e6000000-0000-4000-8000-000000000006"


def test_session_state_records_are_known_and_pr_link_is_kept(
    db: store.Store, tmp_path: Path
) -> None:
    root = tmp_path / "projects"
    shutil.copytree(HERE, root)
    report = import_source(db, "claude-code", root)
    assert report.unknown == {}
    assert report.noise == {
        "permission-mode": 2,
        "worktree-state": 1,
        "file-history-snapshot": 1,
        "mode": 1,
        "bridge-session": 1,
        "atis-latch": 1,
        "last-prompt": 1,
        "agent-color": 1,
        "file-history-delta": 1,
    }
    assert all(info.drift == [] for info in report.files)
    s = db.session(S)
    assert s is not None and s.title == "Cart total rounding"
    assert s.metadata["pr_url"] == "https://github.com/acme/shop/pull/42"
    assert s.metadata["pr_number"] == 42 and s.metadata["pr_repository"] == "acme/shop"
    assert s.metadata["agent_name"] == "cart-fixer"
    before = [(m.seq, m.role, m.text) for m in db.messages(S)]
    assert [r for _, r, _ in before] == ["user", "assistant"]
    for key in db.import_states("claude-code"):  # read the file again from the start
        db.set_import_state(key, source="claude-code", size=0, mtime=0, offset=0)
    assert import_source(db, "claude-code", root).messages == 0
    assert [(m.seq, m.role, m.text) for m in db.messages(S)] == before
