"""`resume --print` prints the command wherever it is asked (what would stop it from running
here is a note on stderr), and every "set one in the config" message names the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only a `codex` that records being run (no `claude`)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "ran.log"
    codex = bin_dir / "codex"
    codex.write_text(f'#!/bin/sh\necho "$*" >> {log}\n', encoding="utf-8")
    codex.chmod(codex.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def _session(source: str, cwd: str) -> str:
    with store.open() as db:
        sid = db.start_session(title="work", source=source, cwd=cwd)
        db.append(sid, "user", "hello")
    return sid


def test_print_shows_the_command_of_a_session_whose_directory_is_gone(
    store_path: Path, empty_path: Path
) -> None:
    sid = _session("codex", "/home/me/gone project")
    result = CliRunner().invoke(cli, ["resume", sid, "--print"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"cd '/home/me/gone project' && codex resume {sid}\n"
    assert result.stderr == (
        "note: the session's working directory /home/me/gone project no longer exists.\n"
    )
    ran = CliRunner().invoke(cli, ["resume", sid])  # running it still says why it cannot
    assert ran.exit_code == 1 and "no longer exists" in ran.stderr
    assert not empty_path.exists()


def test_print_notes_an_agent_missing_here(
    store_path: Path, tmp_path: Path, empty_path: Path
) -> None:
    sid = _session("claude-code", str(tmp_path))
    result = CliRunner().invoke(cli, ["resume", sid, "--print", "--fork"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"cd {tmp_path} && claude --resume {sid} --fork-session\n"
    assert result.stderr == "note: claude is not installed (not found on PATH).\n"


def test_a_missing_fork_command_names_the_config_file(
    store_path: Path, tmp_path: Path, empty_path: Path
) -> None:
    sid = _session("codex", str(tmp_path))
    config = os.environ["SESSIONSCOPE_CONFIG"]
    result = CliRunner().invoke(cli, ["resume", sid, "--fork"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"sessionscope: error: codex has no fork command; set one under [fork] in {config}.\n"
    )
