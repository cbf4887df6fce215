"""Tokens with one meaning in the browser (issue 11 item 12): input (without what the cache
served), output, cache reads and cache writes, in the list, the header and the session's header."""

from __future__ import annotations

from pathlib import Path

from tui_support import border_text, make_app, open_session, wait_for_workers, widget_lines

from sessionscope import store
from sessionscope.tui.widgets.header import AppHeader
from sessionscope.tui.widgets.session_list import SessionList

SID = "tok00000-0000-4000-8000-000000000001"


async def test_cache_tokens_are_shown_beside_input_and_output(tmp_path: Path) -> None:
    path = tmp_path / "tokens.db"
    with store.open(path) as db:
        db.start_session(title="Cached work", source="codex", id=SID)
        db.append(SID, "user", "go", created_at="2026-10-12T10:00:00Z")
        db.append(
            SID,
            "assistant",
            "done",
            created_at="2026-10-12T10:00:05Z",
            model="gpt-5-codex",
            input_tokens=10_000,
            output_tokens=1_200,
            cache_read_tokens=40_000,
            cache_creation_tokens=500,
        )
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        rows = "\n".join(widget_lines(app.screen.query_one(SessionList)))
        assert "11k tok · +40k cache" in rows
        header = app.screen.query_one(AppHeader)._text().plain
        assert "11k tokens (+40k cache)" in header
        transcript = await open_session(pilot, SID)
        below = border_text(transcript, "subtitle")
        assert "10k in / 1.2k out / cache 40k read 500 write" in below
