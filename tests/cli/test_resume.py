"""`sessionscope resume`: the agent's own command, in the session's cwd, or one clear sentence."""

from __future__ import annotations

import json
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


def test_a_source_with_no_agent_command_reads_well_for_resume_and_fork(tmp_path: Path) -> None:
    for fork, words in ((False, "cannot be resumed: "), (True, "cannot be forked: ")):
        with pytest.raises(ResumeError) as caught:
            plan("abc", "my-agent", str(tmp_path), fork=fork, config={})
        assert str(caught.value).startswith(f"sessions from my-agent {words}no agent command")


def test_a_session_id_that_looks_like_an_option_is_never_passed_to_the_agent(
    tmp_path: Path, fake_agents: Path
) -> None:
    """A Claude Code transcript naming its session `--dangerously-skip-permissions`: imported,
    then `resume` (and `--fork`, and `--print`) refuse in one sentence and run nothing."""
    work = tmp_path / "project"
    work.mkdir()
    hostile = "--dangerously-skip-permissions"
    transcript = tmp_path / "projects" / "p" / "t.jsonl"
    transcript.parent.mkdir(parents=True)
    record = {
        "type": "user",
        "uuid": "u1",
        "sessionId": hostile,
        "cwd": str(work),
        "message": {"role": "user", "content": "hi"},
    }
    transcript.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["import", "claude-code", str(transcript)]).exit_code == 0
    for extra in ([], ["--fork"], ["--print"]):
        result = CliRunner().invoke(cli, ["resume", *extra, "--", "--dang"])
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        err = result.stderr.strip()
        assert err.startswith("sessionscope: error: ") and "\n" not in err
        assert "starts with '-'" in err
    assert not fake_agents.exists()


@pytest.mark.parametrize("fork", [False, True])
@pytest.mark.parametrize(
    ("session_id", "cwd", "said"),
    [
        ("-x", "WORK", "starts with '-'"),
        ("--", "WORK", "starts with '-'"),
        ("ab\x1b]0;pwned\x07", "WORK", "control or invisible"),
        ("ab\u202ecd", "WORK", "control or invisible"),
        ("abc", "work", "not an absolute path"),
        ("abc", "-work", "not an absolute path"),
        ("abc", "WORK\n", "control or invisible"),
    ],
)
def test_every_template_refuses_values_that_could_be_read_as_something_else(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fork: bool,
    session_id: str,
    cwd: str,
    said: str,
) -> None:
    """Resume and fork, for every built-in source: an id starting with `-`, a relative cwd (a
    directory `-work` exists where the command runs, so `cd -work` or `tmux -c` could read it
    as an option) or either with control characters is refused before any command is built."""
    from sessionscope.resume import FORK, RESUME

    monkeypatch.chdir(tmp_path)
    for name in ("work", "-work", "WORK\n"):
        (tmp_path / name).mkdir()
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    where = str(tmp_path / "WORK\n") if cwd == "WORK\n" else cwd
    where = str(tmp_path) if where == "WORK" else where
    config = {"resume": {"x": "tmux new-window -c {cwd} agent {id}"}}
    for source in [*(FORK if fork else RESUME), *([] if fork else ["x"])]:
        with pytest.raises(ResumeError, match=said) as caught:
            plan(session_id, source, where, fork=fork, config=config)
        assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)
    assert plan("ok-id", "claude-code", str(tmp_path), config={}).argv == [
        "claude",
        "--resume",
        "ok-id",
    ]
