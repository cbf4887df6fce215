"""Shared helpers for the browser tests: fixed clock, fixture stores, waiting for workers."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sessionscope import store
from sessionscope.tui import create_app
from sessionscope.tui.app import SessionscopeApp

FIXED_NOW = datetime(2026, 10, 12, 12, 0, 0, tzinfo=UTC)
SESSION_A = "5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01"
SESSION_B = "0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02"
SESSION_C = "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03"
SESSION_D = "0199b1c2-7d4e-7a10-9f3b-5c8e2d1a6b04"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def fixed_clock() -> datetime:
    return FIXED_NOW


def import_fixtures(db_path: Path, fixture_tree: Path) -> Path:
    """The sample transcripts imported into a store at `db_path` (through the importers)."""
    from sessionscope.importers import import_all

    with store.open(db_path) as db:
        import_all(
            db,
            {
                "claude-code": fixture_tree / "claude-code" / "projects",
                "codex": fixture_tree / "codex" / "sessions",
            },
        )
    return db_path


def make_app(db_path: Path | str | None, **opts: Any) -> SessionscopeApp:
    """The real app with a fixed clock, UTC times and fast change polling."""
    opts.setdefault("tz", UTC)
    opts.setdefault("poll_interval", 0.05)
    return create_app(str(db_path) if db_path is not None else None, clock=fixed_clock, **opts)


async def wait_for_workers(pilot: Pilot, rounds: int = 3) -> None:
    """Let every worker finish and the messages they post be handled (several rounds, since
    handling a result may start another worker), until a round starts nothing new."""
    app = pilot.app
    quiet = 0
    for _ in range(max(rounds, 2) * 4):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if any(not worker.is_finished for worker in app.workers):
            quiet = 0
            continue
        quiet += 1
        if quiet >= rounds:
            break


async def wait_until(pilot: Pilot, predicate: Any, timeout: float = 5.0) -> bool:
    """Pause until `predicate()` is true (for live follow, which polls the store)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        await wait_for_workers(pilot, rounds=1)
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()


def widget_lines(widget: Any) -> list[str]:
    """The text of every line a line-API widget draws right now."""
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def widget_strips(widget: Any) -> list[Any]:
    return [widget.render_line(y) for y in range(widget.scrollable_content_region.height)]


def screen_text(app: SessionscopeApp) -> str:
    """Everything on screen as plain text (from a fresh SVG screenshot)."""
    import html

    svg = app.export_screenshot()
    parts = re.findall(r">([^<>]*)</text>", svg)
    return html.unescape(" ".join(parts)).replace("\xa0", " ")


def border_text(widget: Any, which: str = "title") -> str:
    """The plain text a widget's border title (or subtitle) shows (the public getter gives
    markup, where a literal `[` reads `\\[`)."""
    content = getattr(widget, f"_border_{which}")
    return content.plain if content is not None else ""


async def open_session(pilot: Pilot, session_id: str) -> Any:
    """Select `session_id` in the session list, press Enter, and return the transcript once it
    shows that session."""
    from sessionscope.tui.widgets.session_list import SessionList
    from sessionscope.tui.widgets.transcript import Transcript

    app = pilot.app
    await wait_for_workers(pilot)
    sessions = app.screen.query_one(SessionList)
    sessions.focus()
    index = sessions.index_of(session_id)
    assert index is not None, f"{session_id} not in the list"
    sessions.move_cursor(index)
    await pilot.press("enter")
    await wait_for_workers(pilot)
    transcript = app.screen.query_one(Transcript)
    assert transcript.session_id == session_id
    return transcript
