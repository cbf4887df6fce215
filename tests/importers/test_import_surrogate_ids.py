"""A Claude Code record whose ids hold a lone surrogate (JSON `"\\ud800"`) costs at most its own
line: it failed the whole import, on every run ("a key of leaves must be a string (UTF-8), not
str"), because the conversation ends it leaves (`save_leaves`) could not be stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.importers import import_source
from sessionscope.importers import sink as sink_module
from sessionscope.store.errors import InvalidInput

BAD_SID = "aaaaaaaa-0000-4000-8000-000000000001"
GOOD_SID = "aaaaaaaa-0000-4000-8000-000000000002"


def _record(sid: str, uuid: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "user",
        "sessionId": sid,
        "uuid": uuid,
        "parentUuid": None,
        "cwd": "/tmp",
        "timestamp": "2026-10-02T09:00:00Z",
        "message": {"role": "user", "content": text},
        **extra,
    }


def _tree(root: Path) -> Path:
    folder = root / "claude" / "p"
    folder.mkdir(parents=True)
    # json.dumps writes a lone surrogate as the escape `\ud800`, as a broken writer would
    bad = [
        _record(BAD_SID, "\ud800", "hi"),
        {
            **_record(BAD_SID, "\udc00-next", "and then", parentUuid="\ud800"),
            "type": "assistant",
            "message": {
                "id": "msg-\udfff",
                "role": "assistant",
                "model": "claude-x",
                "content": [{"type": "text", "text": "hello back"}],
            },
        },
        {"type": "summary", "summary": "A summary", "leafUuid": "\udbff"},
    ]
    (folder / f"{BAD_SID}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in bad))
    good = _record(GOOD_SID, "u1", "a good prompt")
    (folder / f"{GOOD_SID}.jsonl").write_text(json.dumps(good) + "\n")
    return root / "claude"


def test_a_lone_surrogate_uuid_costs_at_most_its_line(db: store.Store, tmp_path: Path) -> None:
    root = _tree(tmp_path)
    report = import_source(db, "claude-code", root)
    assert [m.blocks[0]["text"] for m in db.messages(GOOD_SID)] == ["a good prompt"]
    # the line's message is kept, its id made storable (U+FFFD, as every other id)
    messages = db.messages(BAD_SID)
    assert [m.blocks[0]["text"] for m in messages] == ["hi", "hello back"]
    assert messages[0].external_id == "\ufffd"
    assert report.files_imported == 2 and report.files_unread == 0
    again = import_source(db, "claude-code", root)  # and every later run goes on
    assert again.messages == 0 and again.files_skipped == 2


def test_the_command_imports_the_good_file(tmp_path: Path) -> None:
    """The issue's repro, through the command line."""
    root = _tree(tmp_path)
    result = CliRunner().invoke(cli, ["import", "claude-code", str(root)])
    assert result.exit_code == 0, result.output
    assert "error" not in result.output
    with store.open() as db:
        assert db.message_count(GOOD_SID) == 1 and db.message_count(BAD_SID) == 2


def test_a_write_error_of_the_leaves_costs_at_most_that_file(
    db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the store refuses of a file's conversation ends, the run goes on."""
    root = _tree(tmp_path)

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise InvalidInput("refused for the test")

    monkeypatch.setattr(type(db), "save_leaves", refuse)
    report = import_source(db, "claude-code", root)
    assert db.message_count(GOOD_SID) == 1 and db.message_count(BAD_SID) == 2
    reasons = [reason for _path, _line, reason in report.skipped_lines]
    assert reasons and all("refused for the test" in r for r in reasons)


def test_the_store_says_what_is_wrong_with_a_lone_surrogate(db: store.Store) -> None:
    with pytest.raises(InvalidInput) as caught:
        db.save_leaves({"\ud800": "s"})
    assert "lone surrogate" in str(caught.value) and "not str" not in str(caught.value)
    with pytest.raises(InvalidInput, match="must be a string, not int"):
        db.save_leaves({3: "s"})  # type: ignore[dict-item]


def test_a_batch_the_store_refuses_whole_costs_only_its_file(
    db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a message's fault (a session field, say): that file is reported, the run goes on."""
    root = _tree(tmp_path)
    write = sink_module.SessionBuffer.write

    def refuse_one(self: sink_module.SessionBuffer, *args: Any) -> Any:
        if self.id == BAD_SID:
            raise InvalidInput("a session field refused for the test")
        return write(self, *args)

    monkeypatch.setattr(sink_module.SessionBuffer, "write", refuse_one)
    for _ in range(2):  # not remembered as read: said again
        report = import_source(db, "claude-code", root)
        ((path, line, reason),) = report.skipped_lines
        assert path.endswith(f"{BAD_SID}.jsonl") and line == 0 and "refused" in reason
        assert report.files_unread == 1
    assert db.message_count(GOOD_SID) == 1 and db.session(BAD_SID) is None
    monkeypatch.setattr(sink_module.SessionBuffer, "write", write)
    assert import_source(db, "claude-code", root).messages == 2
