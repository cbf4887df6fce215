"""Aider import: `.aider.chat.history.md` runs as sessions, prompts, replies, tool output,
tokens and cost, only from paths the user names, appended runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_support import make_home

from sessionscope import store
from sessionscope.importers import import_all, import_source


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _runs(db: store.Store) -> list[store.SessionInfo]:
    return sorted(db.sessions(source="aider", limit=10), key=lambda s: s.started_at or "")


def test_runs_prompts_replies_and_tool_output(db: store.Store, home: Path) -> None:
    report = import_source(db, "aider", home / "src")
    assert (report.files_imported, report.sessions, report.messages) == (1, 2, 10)
    first, second = _runs(db)
    assert (first.title, first.model, first.started_at) == (
        "add a /health endpoint",
        "claude-sonnet-4-5",
        "2026-10-08T14:00:00.000Z",
    )
    assert first.cwd == str((home / "src" / "shop").resolve())
    msgs = db.messages(first.id)
    assert [m.role for m in msgs] == ["tool", "user", "assistant", "tool"]
    assert msgs[1].blocks[0]["text"] == "add a /health endpoint\nthat returns ok"
    reply = msgs[2].blocks[0]["text"]
    assert reply.startswith("I'll add the endpoint to app.py.")
    assert "#### not a prompt: inside a code fence" in reply  # fenced: part of the reply
    assert (msgs[2].input_tokens, msgs[2].output_tokens) == (2100, 150)
    assert msgs[2].cost_usd == pytest.approx(0.0086)
    assert msgs[3].blocks[0]["text"].startswith("Tokens: 2.1k sent")
    # the second run: a /run command is not the title
    assert (second.title, second.model) == ("explain the test layout", "gpt-5")
    roles = [m.role for m in db.messages(second.id)]
    assert roles == ["tool", "user", "tool", "user", "assistant", "tool"]
    assert (second.input_tokens, second.output_tokens) == (1200, 45)


def test_only_named_paths_are_read(db: store.Store, home: Path) -> None:
    import_all(db)
    assert db.count_sessions(source="aider") == 0
    import_source(db, "aider", home / "src" / "shop" / ".aider.chat.history.md")
    assert db.count_sessions(source="aider") == 2


def test_appended_run_and_idempotent_reimport(db: store.Store, home: Path) -> None:
    history = home / "src" / "shop" / ".aider.chat.history.md"
    import_source(db, "aider", home / "src")
    ids = {s.id for s in _runs(db)}
    again = import_source(db, "aider", home / "src")
    assert (again.files_imported, again.messages) == (0, 0)
    with history.open("a") as out:
        out.write("\n# aider chat started at 2026-10-10 08:00:00\n\n#### add logging\n\nDone.\n")
    report = import_source(db, "aider", home / "src")
    assert (report.sessions, report.messages) == (1, 2)  # only the new run is written
    runs = _runs(db)
    assert ids < {s.id for s in runs} and runs[-1].title == "add logging"


def test_unreadable_header_time_reported(db: store.Store, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".aider.chat.history.md").write_text(
        "# aider chat started at yesterday\n\n#### hello\n\nHi.\n"
    )
    report = import_source(db, "aider", repo)
    assert report.skipped_lines == [
        (str(repo / ".aider.chat.history.md"), 1, "a run header without a readable time")
    ]
    assert report.messages == 2
