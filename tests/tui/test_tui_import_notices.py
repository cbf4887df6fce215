"""What an import skipped reaches the browser (issue 11 items 14-15, issue 12 item 6): a toast
with the import's summary and warnings (the bare command's start-up import, and imports another
process runs while the browser is open), a mark on the sessions whose file skipped something,
and the transcript header saying what was skipped."""

from __future__ import annotations

import json
from pathlib import Path

from tui_support import (
    border_text,
    make_app,
    open_session,
    wait_for_workers,
    wait_until,
    widget_lines,
)

from sessionscope import store
from sessionscope.cli.imports import import_warnings, run_import
from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript

SID = "f0000000-0000-4000-8000-00000000000f"
CLEAN = "f1000000-0000-4000-8000-00000000001f"


def _record(sid: str, n: int, kind: str, text: str, parent: str | None) -> dict:
    record = {
        "parentUuid": parent,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/shop",
        "sessionId": sid,
        "version": "2.1.9",
        "gitBranch": "main",
        "type": kind,
        "uuid": f"{sid[:8]}-0000-4000-8000-{n:012d}",
        "timestamp": f"2026-10-12T10:00:{n:02d}.000Z",
    }
    if kind == "user":
        record["message"] = {"role": "user", "content": text}
    else:
        record["message"] = {
            "id": f"msg_{sid[:4]}_{n}",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": text}],
            "usage": {"input_tokens": 3, "output_tokens": 5},
        }
    return record


def write_project(root: Path) -> Path:
    """Two Claude Code sessions: one with a malformed line and a record of an unknown (future)
    type, one clean."""
    project = root / "projects" / "-home-dev-shop"
    project.mkdir(parents=True)
    first = _record(SID, 1, "user", "Add a coupon field to the checkout", None)
    reply = _record(SID, 2, "assistant", "Added the coupon field.", first["uuid"])
    future = {
        "type": "session-handoff",
        "sessionId": SID,
        "handoff": {"to": "remote", "at": "2026-10-12T10:00:03.000Z"},
    }
    lines = [json.dumps(first), '{"type": "user", "message": {"role": "us', json.dumps(future)]
    lines.append(json.dumps(reply))
    (project / f"{SID}.jsonl").write_text("\n".join(lines) + "\n")
    clean_first = _record(CLEAN, 1, "user", "Rename the cart module", None)
    clean_reply = _record(CLEAN, 2, "assistant", "Renamed.", clean_first["uuid"])
    (project / f"{CLEAN}.jsonl").write_text(
        json.dumps(clean_first) + "\n" + json.dumps(clean_reply) + "\n"
    )
    return root / "projects"


def _toasts(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


def _row_text(sessions: SessionList, sid: str) -> str:
    index = sessions.index_of(sid)
    assert index is not None
    lines = widget_lines(sessions)
    top = index * sessions.ROW_HEIGHT - round(sessions.scroll_y)
    return "\n".join(lines[top : top + sessions.ROW_HEIGHT])


async def test_start_up_import_toast_list_mark_and_transcript_header(tmp_path: Path) -> None:
    roots = write_project(tmp_path)
    path = tmp_path / "notices.db"
    with store.open(path) as db:
        report = run_import(db, {"claude-code": roots}, progress=False)
        assert report.skipped_count == 1 and report.unknown == {"session-handoff": 1}
        notes = (report.summary() + ".", *import_warnings(report))
        assert db.session(SID).metadata["import_issues"] == {
            "malformed_lines": 1,
            "unknown_types": {"session-handoff": 1},
            "drift": ["1 of 3 records of unknown types"],  # over a fifth
        }
        assert "import_issues" not in db.session(CLEAN).metadata
    app = make_app(path, import_notes=notes)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        [toast] = _toasts(app)
        assert "skipped 1 malformed line" in toast
        assert "1 record of unknown types" in toast
        assert "possible format drift in" in toast
        assert f"{SID}.jsonl:2: skipped: invalid JSON" in toast
        sessions = app.screen.query_one(SessionList)
        marked = _row_text(sessions, SID)
        assert "⚠ Add a coupon field" in marked
        assert "⚠ 1 malformed, 1 unknown, drift" in marked  # first on its meta line
        assert "⚠" not in _row_text(sessions, CLEAN)
        transcript = await open_session(pilot, SID)
        assert isinstance(transcript, Transcript)
        assert border_text(transcript) == "Add a coupon field to the checkout · ⚠ skipped on import"
        below = border_text(transcript, "subtitle")
        assert below.startswith("⚠ 1 malformed line, 1 record of unknown types (session-handoff)")
        assert "possible format drift: 1 of 3 records of unknown types · claude-code" in below
        clean = await open_session(pilot, CLEAN)
        assert border_text(clean) == "Rename the cart module"
        assert "⚠" not in border_text(clean, "subtitle")


async def test_no_toast_when_the_import_skipped_nothing(tmp_path: Path) -> None:
    roots = write_project(tmp_path)
    (roots / "-home-dev-shop" / f"{SID}.jsonl").unlink()
    path = tmp_path / "quiet.db"
    with store.open(path) as db:
        report = run_import(db, {"claude-code": roots}, progress=False)
        assert not report.warns
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert _toasts(app) == []
        assert "⚠" not in "\n".join(widget_lines(app.screen.query_one(SessionList)))


async def test_an_import_by_another_process_while_browsing_is_told(tmp_path: Path) -> None:
    """`import --watch` in another terminal: the browser sees the store change, tells what the
    import skipped once, and marks the session as it arrives."""
    roots = write_project(tmp_path)
    drifting = roots / "-home-dev-shop" / f"{SID}.jsonl"
    held = drifting.read_text()
    drifting.unlink()
    path = tmp_path / "watch.db"
    with store.open(path) as db:
        run_import(db, {"claude-code": roots}, progress=False)
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert _toasts(app) == []
        drifting.write_text(held)
        with store.open(path) as other:  # another process's import
            run_import(other, {"claude-code": roots}, progress=False)
        assert await wait_until(pilot, lambda: bool(_toasts(app)))
        [toast] = _toasts(app)
        assert toast.startswith("possible format drift in ") and f"{SID}.jsonl: 1 of 3" in toast
        assert toast.endswith("unknown types: session-handoff (1); skipped 1 malformed line")
        sessions = app.screen.query_one(SessionList)
        assert await wait_until(pilot, lambda: sessions.index_of(SID) is not None)
        assert "⚠ Add a coupon field" in _row_text(sessions, SID)
        with store.open(path) as other:  # nothing new: told once
            run_import(other, {"claude-code": roots}, progress=False)
            other.update_session(CLEAN, title="Renamed cart module")
        await wait_until(pilot, lambda: "Renamed cart module" in "\n".join(widget_lines(sessions)))
        assert len(_toasts(app)) == 1
