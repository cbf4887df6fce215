"""Cursor's agent transcripts (`~/.cursor/projects/<slug>/agent-transcripts/`): nested and flat
JSONL, the older plain text, subagents, `<user_query>` prompts, conversations the IDE database
also holds read once (facts in tests/fixtures/README.md)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sources_support import CURSOR_COMPOSER, make_home

from sessionscope import store
from sessionscope.importers import import_source, watch
from sessionscope.importers.cursor_transcripts import project_path

NESTED = "a1b2c3d4-8888-4c9d-8e0f-000000000008"
SUB = "5e6f7a8b-9999-4aab-8bcd-000000000009"
FLAT = "f0e1d2c3-aaaa-4bbb-8ccc-00000000000a"
TEXT = "0d1c2b3a-bbbb-4ccc-8ddd-00000000000b"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _projects(home: Path) -> Path:
    return home / ".cursor" / "projects"


def test_default_locations_read_both_the_database_and_the_transcripts(
    db: store.Store, home: Path
) -> None:
    report = import_source(db, "cursor")
    assert report.sessions == 5  # the IDE conversation + 4 transcripts
    # the transcript of the IDE conversation is not read: the database is the richer copy
    assert [m.role for m in db.messages(CURSOR_COMPOSER)] == [
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert db.session(CURSOR_COMPOSER).model == "claude-4.5-sonnet"
    where = [(Path(p).name, line) for p, line, _ in report.skipped_lines]
    assert (f"{NESTED}.jsonl", 9) in where and ("state.vscdb", 0) in where


def test_nested_jsonl_facts(db: store.Store, home: Path) -> None:
    import_source(db, "cursor", _projects(home))
    s = db.session(NESTED)
    assert s is not None and s.source == "cursor"
    assert s.title == "Why is the signup form slow to submit?"
    assert s.project == "home-dev-webapp"  # no /home/dev/webapp on this machine
    msgs = db.messages(NESTED)
    assert [m.role for m in msgs] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "assistant",
        "user",
        "assistant",
    ]
    assert msgs[0].blocks == [{"type": "text", "text": "Why is the signup form slow to submit?"}]
    assert "OS: linux" in msgs[0].metadata["cursor_context"]
    assert [b["type"] for b in msgs[1].blocks] == ["thinking", "text", "tool_use"]
    assert msgs[1].blocks[2]["input"] == {"path": "src/signup/submit.ts"}
    assert msgs[2].blocks[0]["tool_use_id"] == "tool_read_1"
    assert msgs[3].blocks[0]["name"] == "Task" and msgs[3].blocks[0]["id"]  # an id is made
    sub = db.session(SUB)
    assert sub is not None and sub.parent_session_id == NESTED
    assert db.message_count(SUB) == 2
    # no times in the file: the first import dates every message by the file's mtime
    path = next(_projects(home).rglob(f"{NESTED}.jsonl"))
    assert msgs[0].created_at == msgs[-1].created_at
    assert msgs[0].created_at[:16] == s.started_at[:16]
    assert path.exists()


def test_flat_jsonl_and_plain_text(db: store.Store, home: Path) -> None:
    import_source(db, "cursor", _projects(home))
    flat = db.messages(FLAT)
    assert [m.role for m in flat] == ["user", "assistant", "tool", "assistant"]
    assert db.session(FLAT).title == "List the environment variables the server reads"
    text = db.messages(TEXT)
    assert [m.role for m in text] == ["user", "assistant", "tool", "assistant"]
    assert db.session(TEXT).title == "Rename the Button component to PrimaryButton"
    assert [b["type"] for b in text[1].blocks] == ["thinking", "tool_use"]
    call = text[1].blocks[1]
    assert (call["name"], call["input"]) == (
        "Grep",
        {"pattern": "import { Button }", "path": "src"},
    )
    assert text[2].blocks[0]["tool_use_id"] == call["id"]
    assert "home.tsx" in text[2].blocks[0]["content"]


def test_appended_lines_keep_earlier_times(db: store.Store, home: Path) -> None:
    import_source(db, "cursor", _projects(home))
    path = next(_projects(home).rglob(f"{FLAT}.jsonl"))
    before = [m.created_at for m in db.messages(FLAT)]
    with path.open("a") as handle:
        handle.write('{"role":"user","message":{"content":[{"type":"text","text":"thanks"}]}}\n')
    report = import_source(db, "cursor", _projects(home))
    assert (report.sessions, report.messages) == (1, 1)
    after = [m.created_at for m in db.messages(FLAT)]
    assert after[:4] == before and len(after) == 5
    assert import_source(db, "cursor", _projects(home)).files_imported == 0


def test_project_path_resolves_dashes_against_the_disk(tmp_path: Path) -> None:
    (tmp_path / "dev" / "my-app").mkdir(parents=True)
    slug = str(tmp_path / "dev" / "my-app").strip("/").replace("/", "-")
    assert project_path(slug) == str(tmp_path / "dev" / "my-app")
    assert project_path(slug + "-nothing-here") is None


def test_a_project_that_exists_here_is_the_session_project(db: store.Store, tmp_path: Path) -> None:
    work = tmp_path / "work" / "shop-api"
    work.mkdir(parents=True)
    slug = str(work).strip("/").replace("/", "-")
    folder = tmp_path / "projects" / slug / "agent-transcripts"
    folder.mkdir(parents=True)
    (folder / "11111111-2222-4333-8444-555555555555.jsonl").write_text(
        '{"role":"user","message":{"content":[{"type":"text","text":"hi"}]}}\n'
    )
    import_source(db, "cursor", tmp_path / "projects")
    s = db.session("11111111-2222-4333-8444-555555555555")
    assert s is not None and (s.project, s.cwd) == (str(work), str(work))


SECRET = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def test_watch_and_redact_follow_a_transcript(home: Path, store_path: Path) -> None:
    """`--watch` picks up a line Cursor appends; `--redact` stores it redacted."""
    path = next(_projects(home).rglob(f"{FLAT}.jsonl"))
    line = {
        "role": "user",
        "message": {"content": [{"type": "text", "text": f"push with {SECRET}"}]},
    }
    with store.open(store_path, redact=True) as db:
        stop = threading.Event()
        thread = threading.Thread(
            target=watch,
            args=(db, {"cursor": None}),
            kwargs={"stop": stop, "rescan": 0.2},
            daemon=True,
        )
        thread.start()
        try:
            _wait_for(lambda: db.message_count(FLAT) == 4)
            with path.open("a") as handle:
                handle.write(json.dumps(line) + "\n")
            _wait_for(lambda: db.message_count(FLAT) == 5)
        finally:
            stop.set()
            thread.join(timeout=10)
        assert not thread.is_alive()
        text = db.messages(FLAT)[-1].blocks[0]["text"]
    assert SECRET not in text and "[REDACTED:github_token]" in text


def test_import_all_with_a_transcript_file_picks_cursor(db: store.Store, home: Path) -> None:
    from sessionscope.importers.registry import guess_source

    path = next(_projects(home).rglob(f"{TEXT}.txt"))
    assert guess_source(path) == "cursor"
    assert import_source(db, "cursor", path).sessions == 1


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the watcher did not import the change in time")
