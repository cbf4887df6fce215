"""Hostile transcripts: arbitrary bytes and mutated records never crash an import; bad lines
are reported and skipped; whatever is stored reads back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.importers import import_source

FIXTURES = Path(__file__).parents[1] / "fixtures"
CLAUDE = sorted((FIXTURES / "claude-code").rglob("*.jsonl"))
CODEX = sorted((FIXTURES / "codex").rglob("*.jsonl"))


def _records(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        for line in path.read_bytes().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


CLAUDE_RECORDS = _records(CLAUDE)
CODEX_RECORDS = _records(CODEX)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(), max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a record."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            out.extend(_paths(inner, (*prefix, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            out.extend(_paths(inner, (*prefix, index)))
    return out


def _set(record: Any, path: tuple, value: Any) -> None:
    for step in path[:-1]:
        record = record[step]
    record[path[-1]] = value


def _mutated(data: st.DataObject, records: list[dict[str, Any]]) -> bytes:
    lines = []
    for record in records:
        record = json.loads(json.dumps(record))
        if data.draw(st.booleans(), label="mutate"):
            paths = _paths(record)
            for _ in range(data.draw(st.integers(1, 3), label="mutations")):
                path = data.draw(st.sampled_from(paths), label="path")
                try:
                    _set(record, path, data.draw(json_values, label="value"))
                except (KeyError, IndexError, TypeError):
                    pass
                paths = _paths(record) or paths
        lines.append(json.dumps(record).encode())
    return b"\n".join(lines) + b"\n"


def _import_checks(db: store.Store, source: str, path: Path) -> None:
    report = import_source(db, source, path)
    assert report.files_imported == 1
    for info in db.sessions(limit=None):
        for message in db.messages(info.id):
            assert message.role in ("user", "assistant", "system", "tool")
        db.tool_calls(info.id)
    db.search("login")
    db.recent_inputs()
    again = import_source(db, source, path)  # unchanged: skipped
    assert again.files_skipped == 1


@pytest.mark.parametrize("source", ["claude-code", "codex"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_records_never_crash(
    source: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    records = CLAUDE_RECORDS if source == "claude-code" else CODEX_RECORDS
    name = "rollout-2026-01-01T00-00-00-fuzz.jsonl" if source == "codex" else "fuzz.jsonl"
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / name
    path.write_bytes(_mutated(data, records))
    with store.open(tmp / "fuzz.db") as db:
        _import_checks(db, source, path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.binary(max_size=200), max_size=20))
def test_arbitrary_bytes_never_crash(
    lines: list[bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("bytes")
    for source, name in (("claude-code", "x.jsonl"), ("codex", "rollout-x.jsonl")):
        path = tmp / name
        path.write_bytes(b"\n".join(lines))
        with store.open(tmp / f"{source}.db") as db:
            report = import_source(db, source, path)
            assert report.files_imported == 1
            assert all(p == str(path) and n >= 1 for p, n, _r in report.skipped_lines)
