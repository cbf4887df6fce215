"""Prewarm ("Warmup") sidechains and compaction agents are folded away in the list: opening a
parent's subagents shows only real subagent work (issue 11 item 4c)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tui_support import make_app, wait_for_workers, widget_lines

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.tui.widgets.session_list import SessionList

HERE = Path(__file__).parents[1] / "importers" / "fixtures" / "claude-code-agents" / "projects"
P = "e5000000-0000-4000-8000-000000000005"


async def test_warmup_and_compaction_agents_are_not_listed(tmp_path: Path) -> None:
    root = tmp_path / "projects"
    shutil.copytree(HERE, root)
    path = tmp_path / "agents.db"
    with store.open(str(path)) as db:
        import_source(db, "claude-code", root)
        assert len(db.sessions(limit=None, parent=P)) == 4
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        index = sessions.index_of(P)
        assert index is not None
        sessions.move_cursor(index)
        await pilot.press("space")
        await wait_for_workers(pilot)
        text = "\n".join(widget_lines(sessions))
        assert "↳ List the files" in text and "↳ Check the imports" in text
        assert "Warmup" not in text and "Summarise the conversation" not in text
