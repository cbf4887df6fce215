"""Write SVG screenshots of the real browser on the demo store to `screenshots/`.

    python scripts/screenshots.py  # main, search, tool-call, diff, usage and help .svg

The demo store is built with a fixed seed and a fixed "now" (so the pictures only change when the
app or the generator does), in a temporary directory; the app runs headless at 120x36.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 10, 20, 16, 0, tzinfo=UTC)
SIZE = (120, 36)
SHELLS = ("Bash", "shell")


def build_store(directory: Path, sessions: int) -> Path:
    """The demo store (or, in a build without it, the test fixtures imported)."""
    path = directory / "demo.db"
    try:
        from sessionscope.demo import build_demo
    except ImportError:
        from sessionscope import store
        from sessionscope.importers import import_all

        fixtures = ROOT / "tests" / "fixtures"
        with store.open(path) as db:
            import_all(
                db,
                {
                    "claude-code": fixtures / "claude-code" / "projects",
                    "codex": fixtures / "codex" / "sessions",
                },
            )
        return path
    build_demo(path, seed=7, sessions=sessions, now=NOW.timestamp())
    return path


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for field in pilot.app.query(Input):
        field.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


def pick_session(path: Path) -> str:
    """A recent session of a readable length with a failed shell command (and reasoning)."""
    from sessionscope import store

    with store.open(path, readonly=True) as db:
        fallback = ""
        for info in db.sessions(limit=300, top_level=True):
            if not 12 <= info.message_count <= 80:
                continue
            fallback = fallback or info.id
            calls = db.tool_calls(info.id).values()
            if any(c["is_error"] and c["name"] in SHELLS for c in calls):
                return info.id
        return fallback


async def shoot(path: Path, out: Path) -> list[Path]:
    from sessionscope.tui import create_app
    from sessionscope.tui.widgets.session_list import SessionList
    from sessionscope.tui.widgets.transcript import Transcript

    session_id = pick_session(path)
    written: list[Path] = []

    def app():  # type: ignore[no-untyped-def]
        return create_app(path.name, clock=lambda: NOW, tz=UTC)

    async def save(a, name: str) -> None:  # type: ignore[no-untyped-def]
        target = out / name
        a.save_screenshot(str(target))
        written.append(target)

    async def open_session(pilot) -> Transcript:  # type: ignore[no-untyped-def]
        await settle(pilot)
        sessions = pilot.app.screen.query_one(SessionList)
        index = sessions.index_of(session_id)
        if index is not None:
            sessions.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        return pilot.app.screen.query_one(Transcript)

    main = app()
    async with main.run_test(size=SIZE) as pilot:
        await open_session(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        await save(main, "main.svg")

    search = app()
    async with search.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"role:assistant flaky")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await save(search, "search.svg")

    tool = app()
    async with tool.run_test(size=SIZE) as pilot:
        transcript = await open_session(pilot)
        for _ in range(200):  # walk to the first failed Bash/shell call and expand it
            found = transcript.item_at_cursor()
            if found is not None and found[1].kind == "tool":
                use_id = found[1].tool_use_id or ""
                info = transcript.window.calls.get(use_id, {})
                if info.get("is_error") and info.get("name") in SHELLS:
                    break
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        await save(tool, "tool-call.svg")

    edits = app()
    async with edits.run_test(size=SIZE) as pilot:
        transcript = await open_session(pilot)
        for _ in range(300):  # walk to the first file edit and expand it: a diff
            found = transcript.item_at_cursor()
            if found is not None and found[1].kind == "tool":
                info = transcript.window.calls.get(found[1].tool_use_id or "", {})
                if info.get("name") in ("Edit", "MultiEdit", "apply_patch"):
                    break
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        await save(edits, "diff.svg")

    async def after_keys(name: str, *keys: str) -> None:
        """A fresh app, `keys` pressed on the session list, then its screenshot."""
        shown = app()
        async with shown.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            await save(shown, name)

    await after_keys("usage.svg", "u")
    await after_keys("help.svg", "question_mark")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--sessions", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.pop("NO_COLOR", None)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sessionscope-shots-") as tmp:
        path = build_store(Path(tmp), args.sessions)
        os.chdir(tmp)  # the header shows the store path: keep it short and stable
        for target in asyncio.run(shoot(path, args.out.resolve())):
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
