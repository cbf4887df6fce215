"""`R` in the browser hands the terminal to the agent's resume command and comes back."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tui_support import make_app, open_session, wait_for_workers, wait_until

from sessionscope import store


async def test_r_suspends_runs_the_agent_and_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = tmp_path / "r.db"
    with store.open(path) as db:
        sid = db.start_session(title="resumable", source="codex", cwd=str(work))
        db.append(sid, "user", "hello")
    ran: list[tuple[list[str], str]] = []
    suspended: list[bool] = []

    def fake_call(argv: list[str], cwd: str) -> int:
        ran.append((argv, cwd))
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    app = make_app(path)

    @contextlib.contextmanager
    def fake_suspend() -> Iterator[None]:
        suspended.append(True)
        yield

    async with app.run_test(size=(120, 36)) as pilot:
        monkeypatch.setattr(app, "suspend", fake_suspend)
        await open_session(pilot, sid)
        await pilot.press("R")
        assert await wait_until(pilot, lambda: bool(ran), 5)
        assert ran == [(["codex", "resume", sid], str(work))] and suspended == [True]
        await pilot.press("F")  # codex has no fork: said, nothing run
        await wait_for_workers(pilot)
        assert len(ran) == 1
        assert app.is_running


async def test_api_sessions_cannot_be_resumed(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "api.db"
    with store.open(path) as db:
        sid = db.start_session(title="api", source="api", cwd=str(tmp_path))
        db.append(sid, "user", "hello")
    called: list[Any] = []
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: called.append(a) or 0)
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_session(pilot, sid)
        await pilot.press("R")
        await wait_for_workers(pilot)
        assert called == []


async def test_r_and_f_refuse_a_session_id_that_looks_like_an_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Claude Code session whose id is `--dangerously-skip-permissions`: `R` and `F` say why
    in a notification and run nothing (the agent would have read the id as its flag)."""
    work = tmp_path / "work"
    work.mkdir()
    path = tmp_path / "r.db"
    hostile = "--dangerously-skip-permissions"
    with store.open(path) as db:
        sid = db.start_session(id=hostile, title="hostile", source="claude-code", cwd=str(work))
        db.append(sid, "user", "hello")
    ran: list[Any] = []
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: ran.append(a) or 0)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_session(pilot, sid)
        for key, verb in (("R", "resume"), ("F", "fork")):
            await pilot.press(key)
            await wait_for_workers(pilot)
            said = [str(n.message) for n in app._notifications]
            assert any(m.startswith(f"Cannot {verb}: ") and "starts with '-'" in m for m in said), (
                said
            )
        assert ran == []
        assert app.is_running
