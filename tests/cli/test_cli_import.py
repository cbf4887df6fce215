"""`sessionscope import claude-code|codex|all [PATH] [--watch]` and the bare command's import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.cli.imports import import_new_with_progress, progress_bar

C = "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03"
D = "0199b1c2-7d4e-7a10-9f3b-5c8e2d1a6b04"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_all_then_nothing_new(fixture_tree: Path, store_path: Path) -> None:
    code, out, err = run("import", "all", str(fixture_tree))
    assert code == 0, err
    assert out.strip() == (
        "Imported 5 files: 6 sessions, 46 messages (0.3 MB) in "
        + out.split(" in ")[1].split(" s")[0]
        + " s; skipped 4 noise records and 1 record of unknown types; skipped 1 malformed line"
        + " (see above)."  # right after what the warning above names
    )
    c_file = fixture_tree / "claude-code/projects/-home-dev-data-pipeline" / f"{C}.jsonl"
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {c_file}:5: skipped: invalid JSON: Unterminated string starting at (column 109)"
    ]
    with store.open(store_path) as db:
        assert db.count_sessions() == 6
    code, out, err = run("import", "all", str(fixture_tree))
    assert code == 0 and err == ""
    assert out.startswith("Nothing new: 5 files unchanged")


def test_import_one_source_and_one_file(fixture_tree: Path, store_path: Path) -> None:
    code, out, _ = run("import", "claude-code", str(fixture_tree / "claude-code"))
    assert code == 0 and out.startswith("Imported 4 files: 5 sessions, 37 messages")
    rollout = next((fixture_tree / "codex").rglob("rollout-*.jsonl"))
    code, out, _ = run("import", "all", str(rollout))  # one file: its name says which format
    assert code == 0 and out.startswith("Imported 1 file: 1 session, 9 messages")
    code, out, _ = run("import", "all", str(rollout))
    assert code == 0 and out.startswith("Nothing new: 1 file unchanged")
    with store.open(store_path) as db:
        assert db.stats().by_source == {"claude-code": 5, "codex": 1}


def test_db_option(fixture_tree: Path, tmp_path: Path, store_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    code, _, _ = run("--db", str(other), "import", "codex", str(fixture_tree / "codex"))
    assert code == 0
    with store.open(other) as db:
        assert db.session(D) is not None
    assert not store_path.exists()
    code, _, _ = run("import", "codex", str(fixture_tree / "codex"), "--db", str(other))
    assert code == 0


def test_bad_path_and_bad_source_are_one_line_errors(tmp_path: Path) -> None:
    code, out, err = run("import", "codex", str(tmp_path / "missing"))
    assert code == 1 and out == ""
    assert err.strip() == f"sessionscope: error: {tmp_path / 'missing'} does not exist."
    code, _, err = run("import", "nosuchagent")  # (cursor is a source since issue 13)
    assert code != 0 and "Traceback" not in err and "nosuchagent" in err


def test_many_malformed_lines_are_capped(tmp_path: Path) -> None:
    sid = "12121212-0000-4000-8000-000000000000"
    path = tmp_path / "p" / f"{sid}.jsonl"
    path.parent.mkdir()
    good = json.dumps(
        {
            "type": "user",
            "uuid": "u",
            "sessionId": sid,
            "message": {"role": "user", "content": "hi"},
        }
    )
    path.write_text(good + "\n" + "{broken\n" * 30)
    code, out, err = run("import", "claude-code", str(path))
    assert code == 0
    warnings = err.strip().splitlines()
    assert len(warnings) == 22
    assert (
        warnings[0] == f"warning: {path}:2: skipped: invalid JSON: Expecting property name "
        "enclosed in double quotes (column 2)"
    )
    assert warnings[-2] == "warning: ... and 10 more malformed lines."
    # a prompt and no assistant turn: flagged as possible format drift
    assert warnings[-1] == (
        f"warning: possible format drift in {path}: prompts but no assistant turn"
    )
    assert "skipped 30 malformed lines (see above)." in out


def test_import_new_with_progress_uses_default_roots(
    fixture_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (fixture_tree / "claude-code" / "projects").rename(home / ".claude" / "projects")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CODEX_HOME", str(fixture_tree / "codex"))
    with store.open() as db:
        report = import_new_with_progress(db)
        assert (report.files_imported, report.sessions, report.messages) == (5, 6, 46)
        again = import_new_with_progress(db)
        assert (again.files_skipped, again.files_imported, again.messages) == (5, 0, 0)


def test_progress_bar_draws_when_asked(fixture_tree: Path, capsys: pytest.CaptureFixture) -> None:
    from sessionscope.importers import import_all

    with store.open() as db, progress_bar(True) as callback:
        assert callback is not None
        import_all(db, {"codex": fixture_tree / "codex"}, progress=callback)
    with progress_bar(False) as callback:
        assert callback is None


def test_watch_command_follows_a_file(fixture_tree: Path, store_path: Path) -> None:
    rollout = next((fixture_tree / "codex").rglob("rollout-*.jsonl"))
    env = {**os.environ, "SESSIONSCOPE_DB": str(store_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sessionscope",
            "import",
            "codex",
            str(fixture_tree / "codex"),
            "--watch",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        while line and not line.startswith("Watching"):
            line = proc.stderr.readline()
        assert line.startswith("Watching")
        event = {
            "timestamp": "2026-10-05T14:03:00.000Z",
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "WATCHED follow-up"}],
            },
        }
        with rollout.open("a") as handle:
            handle.write(json.dumps(event) + "\n")
        deadline = time.monotonic() + 15
        found = False
        while time.monotonic() < deadline and not found:
            with store.open(store_path) as db:
                found = any(m.text == "WATCHED follow-up" for m in db.messages(D))
            time.sleep(0.1)
        assert found
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Stopped watching" in err
    assert "+1 message in 1 session" in out


def test_watch_stopped_with_nothing_new_does_not_say_no_transcripts(
    fixture_tree: Path, store_path: Path
) -> None:
    # the files were imported before watching began: the stop said "No transcripts found"
    env = {**os.environ, "SESSIONSCOPE_DB": str(store_path)}
    command = [sys.executable, "-m", "sessionscope", "import", "codex", str(fixture_tree / "codex")]
    proc = subprocess.Popen(
        [*command, "--watch"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        while line and not line.startswith("Watching"):
            line = proc.stderr.readline()
        assert line.startswith("Watching")
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert err.endswith("Stopped watching: nothing new came in.\n"), err
