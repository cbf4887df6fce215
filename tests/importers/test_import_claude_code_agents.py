"""Claude Code subagent layouts (issue 11 item 4): a flat `agent-*.jsonl` imported before its
parent is adopted when the parent arrives; an agent file whose records carry its own id as
`sessionId` is linked to the parent its folder names; prewarm ("Warmup") sidechains and
`agent-acompact-*` compaction agents are marked and folded away in the list.
Fixtures: tests/importers/fixtures/claude-code-agents (see tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.importers.common import derived_id

HERE = Path(__file__).parent / "fixtures" / "claude-code-agents" / "projects"
P = "e5000000-0000-4000-8000-000000000005"
FLAT = derived_id(P, "agent-f1a2b3c4")
META = derived_id(P, "agent-a2b3c4d5")
COMPACT = derived_id(P, "agent-acompact-9f8e7d")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "projects"
    shutil.copytree(HERE, dest)
    return dest


def children(db: store.Store) -> dict[str, dict]:
    return {i.id: i.metadata for i in db.sessions(limit=None, parent=P)}


def test_flat_agent_imported_before_its_parent_is_adopted(db: store.Store, root: Path) -> None:
    project = root / "-home-dev-flat"
    import_source(db, "claude-code", project / "agent-f1a2b3c4.jsonl")
    flat = db.session(FLAT)
    assert flat is not None and flat.parent_session_id is None
    import_source(db, "claude-code", root)
    flat = db.session(FLAT)
    assert flat is not None and flat.parent_session_id == P
    assert import_source(db, "claude-code", root).messages == 0  # idempotent


def test_agent_with_its_own_session_id_links_to_the_folder_parent(
    db: store.Store, root: Path
) -> None:
    import_source(db, "claude-code", root)
    meta = db.session(META)
    assert meta is not None and meta.parent_session_id == P
    assert [m.text for m in db.messages(META)] == ["Check the imports", "Imports fine."]
    assert db.session("agent-a2b3c4d5") is None


def test_warmup_and_compaction_agents_are_marked(db: store.Store, root: Path) -> None:
    import_source(db, "claude-code", root)
    kinds = {sid: meta.get("kind") for sid, meta in children(db).items()}
    assert kinds[COMPACT] == "compaction_agent"
    assert kinds[FLAT] is None and kinds[META] is None
    (warmup,) = [sid for sid, kind in kinds.items() if kind == "warmup"]
    assert db.messages(warmup)[0].text == "Warmup"
    assert import_source(db, "claude-code", root).messages == 0
