"""The browser's header says when the store redacts secrets (item 2d: the bare command never
said so)."""

from __future__ import annotations

from pathlib import Path

from tui_support import make_app, screen_text, wait_for_workers, wait_until

from sessionscope import store


async def test_header_marks_a_redacting_store(tmp_path: Path) -> None:
    path = tmp_path / "redacting.db"
    with store.open(path, redact=True) as db:
        db.append(db.start_session(title="deploy"), "user", "password=hunter2x")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert await wait_until(pilot, lambda: "redacted" in screen_text(app).split("\n")[0], 10)


async def test_header_has_no_mark_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    with store.open(path) as db:
        db.start_session(title="deploy")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert await wait_until(pilot, lambda: app.main.db is not None, 10)
        await pilot.pause(0.2)
        assert "redacted" not in screen_text(app).split("\n")[0]
