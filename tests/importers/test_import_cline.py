"""Cline and Roo Code import: task folders in VS Code-family global storage, tokens from
ui_messages.json, model from task_metadata.json, re-import of rewritten files by content hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sources_support import CLINE_TASK, ROO_TASK, make_home

from sessionscope import store
from sessionscope.importers import get_source, import_source
from sessionscope.importers.contract import LINUX, MACOS


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_home(tmp_path, monkeypatch)


def _task(home: Path) -> Path:
    return next(home.rglob(f"tasks/{CLINE_TASK}"))


def test_cline_task_facts(db: store.Store, home: Path) -> None:
    report = import_source(db, "cline")
    assert (report.sessions, report.messages) == (1, 5)
    s = db.session(CLINE_TASK)
    assert s is not None
    assert (s.source, s.title, s.cwd, s.model) == (
        "cline",
        "Rename getUser to fetchUser everywhere",
        "/home/dev/webapp",
        "claude-sonnet-4-5-20250929",
    )
    assert (s.started_at, s.ended_at) == ("2026-10-06T09:00:00.000Z", "2026-10-06T09:00:06.000Z")
    msgs = db.messages(CLINE_TASK)
    # the <task> text is the prompt; the <environment_details> sent with it is context
    assert [(m.role, m.metadata.get("kind")) for m in msgs] == [
        ("user", None),
        ("system", "context"),
        ("assistant", None),
        ("tool", None),
        ("assistant", None),
    ]
    assert msgs[0].text == "Rename getUser to fetchUser everywhere"
    assert msgs[1].text.startswith("<environment_details>")
    assert db.recent_inputs(5) == ["Rename getUser to fetchUser everywhere"]
    assert msgs[2].blocks[1] == {
        "type": "tool_use",
        "id": "toolu_01",
        "name": "search_files",
        "input": {"path": "src", "regex": "getUser"},
    }
    assert msgs[3].blocks[0]["tool_use_id"] == "toolu_01"
    # the n-th api_req_started row gives the n-th reply's tokens and cost
    assert [(m.input_tokens, m.output_tokens, m.cache_read_tokens) for m in msgs[2::2]] == [
        (2400, 90, 0),
        (150, 40, 2000),
    ]
    assert s.cost_usd == pytest.approx(0.0123)


def test_messages_without_a_time_take_their_requests_time(db: store.Store, home: Path) -> None:
    """The history has no `ts`: assistant messages take their api_req_started row's, the others
    the time before them (never the time of the import)."""
    import_source(db, "cline")
    times = [m.created_at for m in db.messages(CLINE_TASK)]
    assert times == [
        "2026-10-06T09:00:00.000Z",  # the task's start
        "2026-10-06T09:00:00.000Z",  # the details sent with it
        "2026-10-06T09:00:01.000Z",  # the first request
        "2026-10-06T09:00:01.000Z",  # its tool result
        "2026-10-06T09:00:05.000Z",  # the second request
    ]


def test_roo_code_task_in_cursor(db: store.Store, home: Path) -> None:
    import_source(db, "roo-code")
    s = db.session(ROO_TASK)
    assert s is not None
    assert (s.source, s.title, s.model, s.message_count) == (
        "roo-code",
        "Write a README for the CLI",
        "gpt-5",
        2,
    )
    assert (s.input_tokens, s.output_tokens) == (800, 300)
    assert db.messages(ROO_TASK)[0].created_at == "2026-10-06T10:00:00.000Z"


def test_malformed_message_reported_and_skipped(db: store.Store, home: Path) -> None:
    report = import_source(db, "cline")
    assert report.skipped_count == 1
    path, position, reason = report.skipped_lines[0]
    assert path.endswith(CLINE_TASK) and position == 5 and "not a user or assistant" in reason
    (_task(home) / "api_conversation_history.json").write_text("[{broken")
    again = import_source(db, "cline")
    assert again.files_unread == 1 and "not valid JSON" in again.skipped_lines[0][2]
    assert db.message_count(CLINE_TASK) == 5


def test_rewritten_task_is_saved_by_content_hash(db: store.Store, home: Path) -> None:
    import_source(db, "cline")
    task = _task(home)
    assert import_source(db, "cline").files_imported == 0
    # touched but identical content: read, hashed, nothing written
    history = task / "api_conversation_history.json"
    history.write_text(history.read_text())
    same = import_source(db, "cline")
    assert (same.files_imported, same.messages, same.sessions) == (1, 0, 0)
    # rewritten with the last reply changed and one more turn
    items = json.loads(history.read_text())
    items[3]["content"][0]["text"] = "Renamed it in src/api.ts and src/routes.ts."
    items.insert(4, {"role": "user", "content": [{"type": "text", "text": "thanks"}]})
    history.write_text(json.dumps(items))
    report = import_source(db, "cline")
    assert report.messages == 1
    msgs = db.messages(CLINE_TASK)
    assert len(msgs) == 6
    assert msgs[4].blocks[0]["text"] == "Renamed it in src/api.ts and src/routes.ts."
    assert msgs[5].blocks[0]["text"] == "thanks"


def test_default_locations_cover_the_editors_on_linux_and_macos() -> None:
    cline = get_source("cline")
    assert cline is not None
    linux = [str(p) for p in cline.default_locations(LINUX)]
    mac = [str(p) for p in cline.default_locations(MACOS)]
    for editor in ("Code", "Code - Insiders", "Cursor", "VSCodium"):
        assert any(
            f"/.config/{editor}/User/globalStorage/saoudrizwan.claude-dev/tasks" in p for p in linux
        )
        assert any(
            f"/Library/Application Support/{editor}/User/globalStorage/saoudrizwan.claude-dev" in p
            for p in mac
        )
    roo = get_source("roo-code")
    assert roo is not None
    assert all("rooveterinaryinc.roo-cline" in str(p) for p in roo.default_locations(LINUX))


def test_a_cost_the_store_cannot_take_costs_nothing_else(db: store.Store, home: Path) -> None:
    """A request row whose cost is infinite (`1e999` in its JSON) or negative: the task is
    imported with that cost as 0 (the store refused the whole task before)."""
    ui = _task(home) / "ui_messages.json"
    rows = json.loads(ui.read_text())
    requests = [r for r in rows if r.get("say") == "api_req_started"]
    assert len(requests) >= 2
    for row, cost in zip(requests, ("1e999", "-0.5"), strict=False):
        info = json.loads(row["text"])
        row["text"] = json.dumps(info)[:-1] + f', "cost": {cost}}}'
    ui.write_text(json.dumps(rows))
    report = import_source(db, "cline")
    refused = [reason for *_where, reason in report.skipped_lines if "refused" in reason]
    assert report.sessions == 1 and refused == [], refused
    assert all(m.cost_usd == 0 for m in db.messages(CLINE_TASK) if m.role == "assistant")
