"""Issue 9 item 1: no content of one line fails more than that line.

An agent that ran `print('[' * 5000)`, or a record nested ~990 deep, used to raise RecursionError
(or a refused write) that rolled back the whole run and failed every later import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importer_support import (
    CLAUDE_SID,
    CODEX_SID,
    claude_path,
    claude_text,
    claude_tool_use,
    claude_user,
    codex_call,
    codex_meta,
    codex_output,
    codex_path,
    codex_user,
    dumps,
    nested,
    write_jsonl,
)

from sessionscope import store
from sessionscope.importers import import_all, import_source
from sessionscope.importers import sink as sink_module
from sessionscope.importers.common import NESTING_CUT
from sessionscope.importers.jsonl import parse_line
from sessionscope.store.blocks import MAX_DEPTH, too_deep


def _roots(tmp_path: Path) -> dict[str, Path]:
    return {"claude-code": tmp_path / "claude", "codex": tmp_path / "codex"}


def _codex_with_bracket_output(tmp_path: Path) -> Path:
    return write_jsonl(
        codex_path(tmp_path),
        [
            codex_meta(),
            codex_user("print a lot of brackets", 1),
            codex_call("c1", 2, json.dumps({"cmd": "python -c \"print('['*5000)\""})),
            codex_output("c1", "[" * 5000, 3),
            codex_call("c2", 4, "[" * 5000),
            codex_output("c2", "{" * 5000, 5),
            codex_user("after the brackets", 6),
        ],
    )


def test_codex_bracket_run_costs_nothing_and_later_imports_go_on(
    db: store.Store, tmp_path: Path
) -> None:
    _codex_with_bracket_output(tmp_path)
    write_jsonl(
        claude_path(tmp_path),
        [claude_user("u1", "hello", 1), claude_text("a1", "m1", "hi", 2)],
    )
    report = import_all(db, _roots(tmp_path))
    assert report.files_imported == 2
    messages = db.messages(CODEX_SID)
    texts = [m.blocks for m in messages]
    assert any(b[0].get("content") == "[" * 5000 for b in texts)  # stored as the text it is
    assert any(b[0].get("content") == "{" * 5000 for b in texts)
    assert messages[-1].blocks[0]["text"] == "after the brackets"
    assert len(db.messages(CLAUDE_SID)) == 2  # the other file in the same run too
    # and a later import (one more line) still works
    with codex_path(tmp_path).open("a") as handle:
        handle.write(dumps(codex_user("one more", 7)) + "\n")
    again = import_all(db, _roots(tmp_path))
    assert again.messages == 1


@pytest.mark.parametrize("depth", [150, 990, 1015])
def test_claude_deep_record_is_stored_with_the_nesting_cut_and_marked(
    db: store.Store, tmp_path: Path, depth: int
) -> None:
    path = write_jsonl(
        claude_path(tmp_path),
        [
            claude_user("u1", "run it", 1),
            claude_tool_use("a1", "m1", "t1", {"deep": nested(depth)}, 2),
            claude_text("a2", "m2", "done", 3),
        ],
    )
    report = import_source(db, "claude-code", path)
    assert report.skipped_count == 0
    messages = db.messages(CLAUDE_SID)
    assert [m.role for m in messages] == ["user", "assistant", "assistant"]
    cut = messages[1]
    assert cut.metadata.get("nesting_cut") is True
    assert cut.blocks[0]["id"] == "t1" and cut.blocks[0]["name"] == "Bash"
    assert not too_deep(cut.blocks)
    assert NESTING_CUT in json.dumps(cut.blocks)
    assert db.tool_calls(CLAUDE_SID)  # the call itself is indexed


def test_claude_record_deeper_than_any_parser_is_one_reported_line(
    db: store.Store, tmp_path: Path
) -> None:
    path = write_jsonl(
        claude_path(tmp_path),
        [
            claude_user("u1", "run it", 1),
            claude_tool_use("a1", "m1", "t1", {"deep": nested(5000)}, 2),
            claude_text("a2", "m2", "done", 3),
        ],
    )
    report = import_source(db, "claude-code", path)
    assert [(p, n) for p, n, _ in report.skipped_lines] == [(str(path), 2)]
    assert [m.role for m in db.messages(CLAUDE_SID)] == ["user", "assistant"]


def test_a_message_the_store_refuses_costs_only_its_line(
    db: store.Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever slips past the parser: the batch is written again without that message."""
    monkeypatch.setattr(sink_module, "cut_nesting", lambda value: (value, False))
    _codex_with_bracket_output(tmp_path)
    path = write_jsonl(
        claude_path(tmp_path),
        [
            claude_user("u1", "run it", 1),
            claude_tool_use("a1", "m1", "t1", {"deep": nested(300)}, 2),
            claude_text("a2", "m2", "done", 3),
        ],
    )
    report = import_all(db, _roots(tmp_path))  # the two files share one transaction
    assert [(p, n) for p, n, _ in report.skipped_lines] == [(str(path), 2)]
    assert "refused" in report.skipped_lines[0][2]
    assert [m.role for m in db.messages(CLAUDE_SID)] == ["user", "assistant"]
    assert len(db.messages(CODEX_SID)) == 6
    assert import_all(db, _roots(tmp_path)).files_skipped == 2


# -- fuzz ------------------------------------------------------------------------------------

_BRACKETS = st.text(alphabet='[]{}"\\,:0 ', min_size=0, max_size=50).map(lambda s: s * 100)
_DEPTHS = st.integers(min_value=1, max_value=3000)


def _hostile_value(kind: str, depth: int, brackets: str) -> Any:
    """A value nested `depth` deep (built here: hypothesis cannot print one that deep)."""
    if kind == "brackets":
        return brackets
    value: Any = brackets if kind == "mixed" else "x"
    for i in range(depth):
        as_list = kind == "list" or (kind == "mixed" and i % 2)
        value = [value] if as_list else {"k": value}
    return value


@settings(max_examples=60, deadline=None)
@given(raw=st.one_of(_BRACKETS, _DEPTHS.map(lambda d: "[" * d + "]" * d)))
def test_fuzz_line_parser_never_raises(raw: str) -> None:
    for line in (raw, '{"a":' + raw + "}", '{"a":' + raw):
        record, error = parse_line(line.encode())
        assert (record is None) != (error is None) or (record is None and error is None)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["list", "dict", "brackets", "mixed"]),
    depth=_DEPTHS,
    brackets=_BRACKETS,
    where=st.integers(0, 5),
    source=st.sampled_from(["cc", "codex"]),
)
def test_fuzz_hostile_nesting_fails_at_most_its_line(
    kind: str,
    depth: int,
    brackets: str,
    where: int,
    source: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    value = _hostile_value(kind, depth, brackets)
    tmp = tmp_path_factory.mktemp("nest")
    if source == "cc":
        records: list[Any] = [
            claude_user("u1", "start", 1),
            [
                claude_tool_use("a1", "m1", "t1", {"x": value}, 2),
                claude_user("u2", value, 2) if isinstance(value, str) else claude_user("u2", "x"),
                {**claude_text("a3", "m3", "x", 2), "extra": value},
                claude_text("a4", "m4", "x", 2) | {"message": {"id": "m4", "content": value}},
                {**claude_user("u5", "y", 2), "toolUseResult": value},
                claude_tool_use("a6", "m1", "t2", value, 2),  # merges into m1
            ][where],
            claude_text("a9", "m9", "the end", 3),
        ]
        path = write_jsonl(claude_path(tmp), records)
        fmt, hostile_line = "claude-code", 2
    else:
        records = [
            codex_meta(),
            codex_user("start", 1),
            [
                codex_output("c1", value, 2),
                codex_call("c1", 2, value if isinstance(value, str) else dumps(value)),
                codex_output("c1", dumps(value), 2),
                {**codex_user("x", 2), "payload": {"type": "reasoning", "summary": value}},
                {**codex_meta(), "payload": {"id": CODEX_SID, "git": value}},
                codex_call("c1", 2) | {"payload": {"type": "local_shell_call", "action": value}},
            ][where],
            codex_user("the end", 3),
        ]
        path = write_jsonl(codex_path(tmp), records)
        fmt, hostile_line = "codex", 3
    with store.open(tmp / "s.db") as db:
        report = import_source(db, fmt, path)
        assert report.files_imported == 1
        assert all(n == hostile_line for _p, n, _r in report.skipped_lines)  # only the hostile line
        sid = CLAUDE_SID if source == "cc" else CODEX_SID
        messages = db.messages(sid)
        assert messages[0].blocks[0]["text"] == "start"
        assert messages[-1].blocks[0]["text"] == "the end"
        for message in messages:
            assert not too_deep(message.blocks) and not too_deep(message.metadata)
        db.search("end")
        assert import_source(db, fmt, path).files_skipped == 1


def test_store_depth_limit_is_what_the_importer_cuts_to() -> None:
    assert MAX_DEPTH >= 64  # real tool inputs nest a handful of levels
