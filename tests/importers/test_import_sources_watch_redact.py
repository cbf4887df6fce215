"""What the JSONL importers promise holds for snapshot sources too: `--redact` and `--watch`."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sources_support import CLINE_TASK, GEMINI_JSON, make_home

from sessionscope import store
from sessionscope.importers import import_source, watch

SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _chat(home: Path) -> Path:
    return next((home / ".gemini" / "tmp").rglob("session-2026-10-06T09-14-6a1c2e3f.json"))


def test_redact_applies_to_snapshot_sources(home: Path, store_path: Path) -> None:
    chat = _chat(home)
    doc = json.loads(chat.read_text())
    doc["messages"][0]["content"] = [{"text": f"use the token {SECRET} to push"}]
    chat.write_text(json.dumps(doc))
    with store.open(store_path, redact=True) as db:
        import_source(db, "gemini")
        text = db.messages(GEMINI_JSON)[0].blocks[0]["text"]
    assert SECRET not in text and "[REDACTED:github_token]" in text


def test_watch_follows_rewritten_files(db: store.Store, home: Path) -> None:
    roots: dict[str, Path | str | None] = {"gemini": None, "cline": None}
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(db, roots), kwargs={"stop": stop, "rescan": 0.2}, daemon=True
    )
    thread.start()
    try:
        _wait_for(lambda: db.session(CLINE_TASK))
        history = next(home.rglob(f"tasks/{CLINE_TASK}/api_conversation_history.json"))
        items = json.loads(history.read_text())
        items.append({"role": "user", "content": "WATCHED follow-up"})
        history.write_text(json.dumps(items))
        _wait_for(lambda: db.message_count(CLINE_TASK) == 6)
        chat = _chat(home)
        doc = json.loads(chat.read_text())
        doc["messages"].append({"id": "m9", "type": "user", "content": "WATCHED too"})
        chat.write_text(json.dumps(doc))
        _wait_for(lambda: db.message_count(GEMINI_JSON) == 6)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert db.messages(CLINE_TASK)[-1].blocks[0]["text"] == "WATCHED follow-up"


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the watcher did not import the change in time")
