"""`sessionscope sources` and `sessionscope import all` on a home holding every agent's layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sources_support import CLINE_TASK, GEMINI_JSONL, ROO_TASK, make_home

from sessionscope import store
from sessionscope.cli import cli

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = make_home(tmp_path, monkeypatch)
    shutil.copytree(FIXTURES / "claude-code" / "projects", home / ".claude" / "projects")
    shutil.copytree(FIXTURES / "codex" / "sessions", home / ".codex" / "sessions")
    return home


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_all_reads_every_agent(home: Path, store_path: Path) -> None:
    code, out, err = run("import", "all")
    assert code == 0, err
    with store.open(store_path) as db:
        by_source = {
            name: db.count_sessions(source=name)
            for name in (
                "claude-code",
                "codex",
                "gemini",
                "opencode",
                "cline",
                "roo-code",
                "copilot",
                "cursor",
            )
        }
        assert by_source == {
            "claude-code": 5,  # A, B, C and the subagent runs of A and B
            "codex": 1,
            "gemini": 3,
            "opencode": 3,
            "cline": 1,
            "roo-code": 1,
            "copilot": 3,  # events.jsonl with its subagent, and the flat layout
            "cursor": 1,
        }
        assert db.count_sessions(source="aider") == 0  # never scanned for
        for sid in (GEMINI_JSONL, "ses_main01", CLINE_TASK, ROO_TASK):
            assert db.message_count(sid) > 0
    # malformed input: one warning line each, file and position (Claude Code's session C has
    # one malformed line; Gemini, OpenCode, Cline, Copilot and Cursor one each here)
    assert err.count("warning:") == 7 and "session-2026-10-07T10-00-8d4f5a6b.jsonl:8" in err
    code, out, _ = run("import", "all")
    assert out.startswith("Nothing new")
    code, out, _ = run("import", "aider", str(home / "src"))
    assert code == 0 and "2 sessions" in out


def test_sources_lists_locations_existence_and_counts(home: Path, store_path: Path) -> None:
    run("import", "all")
    code, out, err = run("sources", "--json")
    assert code == 0, err
    rows = {row["source"]: row for row in json.loads(out)}
    assert list(rows) == [
        "claude-code",
        "codex",
        "gemini",
        "opencode",
        "cline",
        "roo-code",
        "copilot",
        "cursor",
        "aider",
    ]
    assert rows["gemini"]["location"] == str(home / ".gemini" / "tmp")
    assert rows["cline"]["location"].endswith(
        ".config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks"
    )
    assert rows["roo-code"]["location"].endswith(
        ".config/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/tasks"
    )
    assert all(rows[n]["exists"] for n in rows if n != "aider")
    assert rows["aider"]["exists"] is False and rows["aider"]["location"] is None
    assert {n: r["sessions"] for n, r in rows.items()} == {
        "claude-code": 5,
        "codex": 1,
        "gemini": 3,
        "opencode": 3,
        "cline": 1,
        "roo-code": 1,
        "copilot": 3,
        "cursor": 1,
        "aider": 0,
    }
    code, text, _ = run("sources")
    lines = text.splitlines()
    assert lines[2].split()[:3] == ["gemini", "✓", "3"]
    assert "(only the PATHs you name)" in lines[-1]


def test_sources_on_an_empty_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "nobody"))
    for name in ("XDG_DATA_HOME", "CODEX_HOME", "GEMINI_CLI_HOME"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run("sources")
    assert code == 0, err
    assert all(" · " in line or "PATHs" in line for line in out.splitlines())


def test_aider_without_a_path_says_so(home: Path, store_path: Path) -> None:
    code, _out, err = run("import", "aider")
    assert code == 1 and "aider reads only the PATHs you name" in err


def test_import_all_with_one_file_picks_its_source(home: Path, store_path: Path) -> None:
    chat = next((home / ".gemini" / "tmp").rglob("session-*.json"))
    code, _out, err = run("import", "all", str(chat), str(home / "src"))
    assert code == 0, err
    with store.open(store_path) as db:
        assert db.count_sessions(source="gemini") == 1
        assert db.count_sessions(source="aider") == 2
        assert db.count_sessions(source="claude-code") == 0
