"""`sessionscope resume`: the agent's own command, in the session's cwd, or one clear sentence."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.resume import ResumeError, plan


@pytest.fixture
def fake_agents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`claude` and `codex` on PATH that record their arguments and working directory."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name in ("claude", "codex"):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\necho "{name} $* @ $(pwd)" >> {log}\n', encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SESSIONSCOPE_CONFIG", str(tmp_path / "config.toml"))
    return log


def _session(db: store.Store, source: str, cwd: str | None) -> str:
    sid = db.start_session(title="work", source=source, cwd=cwd)
    db.append(sid, "user", "hello")
    return sid


def test_resume_runs_the_agent_in_the_session_cwd(
    db: store.Store, tmp_path: Path, fake_agents: Path
) -> None:
    work = tmp_path / "project"
    work.mkdir()
    claude = _session(db, "claude-code", str(work))
    codex = _session(db, "codex", str(work))
    db.close()
    assert CliRunner().invoke(cli, ["resume", claude]).exit_code == 0
    assert CliRunner().invoke(cli, ["resume", claude, "--fork"]).exit_code == 0
    assert CliRunner().invoke(cli, ["resume", codex[:8]]).exit_code == 0
    calls = fake_agents.read_text(encoding="utf-8").splitlines()
    assert calls == [
        f"claude --resume {claude} @ {work}",
        f"claude --resume {claude} --fork-session @ {work}",
        f"codex resume {codex} @ {work}",
    ]


def test_print_shows_the_command_and_templates_come_from_the_config(
    db: store.Store, tmp_path: Path, fake_agents: Path
) -> None:
    work = tmp_path / "my project"
    work.mkdir()
    sid = _session(db, "codex", str(work))
    db.close()
    printed = CliRunner().invoke(cli, ["resume", sid, "--print"])
    assert printed.stdout.strip() == f"cd '{work}' && codex resume {sid}"
    (tmp_path / "config.toml").write_text(
        '[resume]\ncodex = "codex resume --yolo {id}"\n', encoding="utf-8"
    )
    printed = CliRunner().invoke(cli, ["resume", sid, "--print"])
    assert printed.stdout.strip().endswith(f"codex resume --yolo {sid}")
    assert not fake_agents.exists()  # --print ran nothing


@pytest.mark.parametrize(
    ("source", "cwd", "words"),
    [
        ("my-agent", "/", "cannot be resumed"),
        ("claude-code", "/definitely/not/here", "no longer exists"),
        ("claude-code", None, "no working directory"),
    ],
)
def test_what_cannot_be_resumed_is_one_sentence(
    db: store.Store, fake_agents: Path, source: str, cwd: str | None, words: str
) -> None:
    sid = _session(db, source, cwd)
    db.close()
    result = CliRunner().invoke(cli, ["resume", sid])
    assert result.exit_code == 1
    assert result.stderr.startswith("sessionscope: error: ") and words in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_agent_binary_and_codex_fork_are_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ResumeError, match="not installed"):
        plan("abc", "claude-code", str(tmp_path), config={})
    with pytest.raises(ResumeError, match="no fork command"):
        plan("abc", "codex", str(tmp_path), fork=True, config={})
    with pytest.raises(ResumeError, match="malformed"):
        plan("abc", "codex", str(tmp_path), config={"resume": {"codex": "codex {nope}"}})
