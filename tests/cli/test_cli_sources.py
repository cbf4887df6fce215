"""`sessionscope sources` and `sessionscope import all` on a home holding every agent's layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sources_support import CLINE_TASK, CURSOR_COMPOSER, GEMINI_JSONL, ROO_TASK, make_home

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


def _configure_aider(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = home / ".config" / "sessionscope" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[aider]\nroots = ["{home / "src"}"]\n')
    monkeypatch.setenv("SESSIONSCOPE_CONFIG", str(config))
    return config


COUNTS = {
    "claude-code": 5,  # A, B, C and the subagent runs of A and B
    "codex": 1,
    "gemini": 3,
    "opencode": 3,
    "cline": 1,
    "roo-code": 1,
    "copilot": 3,  # events.jsonl with its subagent, and the flat layout
    "cursor": 5,  # the IDE conversation, 3 agent transcripts and a transcript's subagent
    "aider": 2,  # two runs of the one history under the configured root
}


def test_import_all_reads_every_agent(
    home: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All eight agents' layouts in one home: `import all` finds each, with its facts."""
    _configure_aider(home, monkeypatch)
    code, out, err = run("import", "all")
    assert code == 0, err
    with store.open(store_path) as db:
        assert {name: db.count_sessions(source=name) for name in COUNTS} == COUNTS
        # one fact each that only a correct import of that format gives
        a = db.session("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01")
        assert a is not None and a.title == "Fix login form validation"
        gem = db.session(GEMINI_JSONL)
        assert gem is not None and gem.title == "Cursor pagination for GET /orders"
        assert db.message_count(GEMINI_JSONL) == 6
        main = db.session("ses_main01")
        assert main is not None and (main.input_tokens, main.output_tokens) == (1800, 210)
        assert db.session("ses_child01").parent_session_id == "ses_main01"
        cline = db.session(CLINE_TASK)
        assert cline is not None and cline.cwd == "/home/dev/webapp"
        assert db.session(ROO_TASK).model == "gpt-5"
        cop = db.session("9e8d7c6b-5555-4e6f-8a7b-000000000005")
        assert cop is not None and cop.title == "Fix the failing login test"
        assert db.session(CURSOR_COMPOSER).model == "claude-4.5-sonnet"
        sub = db.session("5e6f7a8b-9999-4aab-8bcd-000000000009")
        assert sub is not None and sub.parent_session_id == "a1b2c3d4-8888-4c9d-8e0f-000000000008"
        titles = {s.title for s in db.sessions(source="aider")}
        assert titles == {"add a /health endpoint", "explain the test layout"}
    # malformed input: one warning line each, file and position (Claude Code's session C has
    # one malformed line; Gemini, OpenCode, Cline, Copilot, the Cursor database and a Cursor
    # transcript one each here)
    assert err.count("warning:") == 8 and "session-2026-10-07T10-00-8d4f5a6b.jsonl:8" in err
    assert "a1b2c3d4-8888-4c9d-8e0f-000000000008.jsonl:9" in err
    code, out, _ = run("import", "all")
    assert out.startswith("Nothing new")


def test_aider_is_never_searched_for_without_roots(home: Path, store_path: Path) -> None:
    code, out, err = run("import", "all")
    assert code == 0, err
    with store.open(store_path) as db:
        assert db.count_sessions(source="aider") == 0  # no roots in the config: no scan
    code, out, _ = run("import", "aider", str(home / "src"))
    assert code == 0 and "2 sessions" in out


def test_aider_roots_from_the_config_file(
    home: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _configure_aider(home, monkeypatch)
    code, out, err = run("import", "aider")
    assert code == 0, err
    assert "2 sessions" in out
    code, out, _ = run("sources", "--json")
    row = next(r for r in json.loads(out) if r["source"] == "aider")
    assert (row["location"], row["exists"], row["sessions"]) == (str(home / "src"), True, 2)
    # a root that does not exist is no error; a broken file is one line, and `import all`
    # still imports every other source
    config.write_text('[aider]\nroots = ["/no/such/folder"]\n')
    code, out, err = run("import", "aider")
    assert code == 0 and "Traceback" not in err
    config.write_text("[aider\nroots = ")
    code, out, err = run("import", "aider")
    assert code == 1 and err.startswith("sessionscope: error: cannot read the config file")
    code, out, err = run("import", "all")
    assert code == 0 and "Aider histories not imported" in err
    with store.open(store_path) as db:
        assert db.count_sessions(source="gemini") == 3
    config.write_text("[aider]\nroots = 3\n")
    code, out, err = run("import", "aider")
    assert code == 1 and "must be a list of folder paths" in err


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
        "cursor": 5,
        "aider": 0,
    }
    code, text, _ = run("sources")
    lines = text.splitlines()
    assert lines[2].split()[:3] == ["gemini", "✓", "3"]
    assert "(only the PATHs you name, or [aider] roots in" in lines[-1]
    assert rows["cursor"]["locations"][1] == str(home / ".cursor" / "projects")


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
