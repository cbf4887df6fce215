"""Format drift (issue 11 items 14, 15): a transcript in an invented future format is imported
with a warning naming the file and its unknown types, and `import --json` says the same."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sessionscope.cli import cli

SID = "d71f0000-0000-4000-8000-000000000001"


def future_transcript(tmp_path: Path) -> Path:
    path = tmp_path / "projects" / "-home-dev-x" / f"{SID}.jsonl"
    path.parent.mkdir(parents=True)
    records = [
        {"type": "turn.started", "sessionId": SID, "ts": 1790000000},
        {"type": "turn.input", "sessionId": SID, "parts": [{"kind": "text", "value": "hello"}]},
        {"type": "turn.output", "sessionId": SID, "parts": [{"kind": "text", "value": "hi"}]},
        {"type": "turn.output", "sessionId": SID, "parts": [{"kind": "text", "value": "done"}]},
        {"type": "progress", "sessionId": SID},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_future_format_is_flagged_as_drift(tmp_path: Path) -> None:
    path = future_transcript(tmp_path)
    result = CliRunner().invoke(cli, ["import", "claude-code", str(path)])
    assert result.exit_code == 0
    assert (
        f"warning: possible format drift in {path}: no messages; 4 of 5 records of unknown "
        "types; unknown types: turn.output (2), turn.input (1), turn.started (1)"
    ) in result.stderr.splitlines()
    assert "4 records of unknown types" in result.stdout


def test_import_json_reports_skipped_types_and_drift(tmp_path: Path) -> None:
    path = future_transcript(tmp_path)
    result = CliRunner().invoke(cli, ["import", "claude-code", str(path), "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["skipped_types"] == {
        "noise": {"progress": 1},
        "unknown": {"turn.started": 1, "turn.input": 1, "turn.output": 2},
    }
    (drift,) = report["drift"]
    assert drift["path"] == str(path) and drift["records"] == 5
    assert drift["drift"] == ["no messages", "4 of 5 records of unknown types"]
    assert report["messages"] == 0


def test_doctor_lists_skipped_types_and_drifting_files(tmp_path: Path) -> None:
    path = future_transcript(tmp_path)
    assert CliRunner().invoke(cli, ["import", "claude-code", str(path)]).exit_code == 0
    result = CliRunner().invoke(cli, ["doctor"])
    lines = result.stdout.splitlines()
    assert (
        "imports     skipped 1 noise records, 4 of unknown types "
        "(turn.output 2, turn.started 1, turn.input 1)"
    ) in lines
    assert (
        f"  possible format drift: {path}: no messages; 4 of 5 records of unknown types"
    ) in lines
    data = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).stdout)[0]
    assert data["imports"]["unknown"] == {"turn.started": 1, "turn.input": 1, "turn.output": 2}
    assert [d["path"] for d in data["imports"]["drift"]] == [str(path)]


def test_doctor_lists_the_sessions_of_a_drifting_file(tmp_path: Path) -> None:
    """A prompt stored, then the reply in a new shape: the session exists, its file is flagged
    (prompts but no assistant turn, over a fifth unknown) and doctor names the session."""
    path = tmp_path / "projects" / "-home-dev-x" / f"{SID}.jsonl"
    path.parent.mkdir(parents=True)
    prompt = {
        "type": "user",
        "uuid": "u-1",
        "sessionId": SID,
        "timestamp": "2026-11-01T10:00:00.000Z",
        "message": {"role": "user", "content": "Summarise the changelog"},
    }
    reply = {"type": "turn.output", "sessionId": SID, "parts": [{"kind": "text", "value": "ok"}]}
    path.write_text(json.dumps(prompt) + "\n" + json.dumps(reply) + "\n")
    assert CliRunner().invoke(cli, ["import", "claude-code", str(path)]).exit_code == 0
    lines = CliRunner().invoke(cli, ["doctor"]).stdout.splitlines()
    at = lines.index(
        f"  possible format drift: {path}: prompts but no assistant turn; "
        "1 of 2 records of unknown types"
    )
    assert lines[at + 1] == f"    session {SID}"
    data = json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).stdout)[0]
    assert data["imports"]["drift"][0]["sessions"] == [SID]
