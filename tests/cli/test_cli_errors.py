"""One error format: every failure the commands themselves report is one line,
`sessionscope: error: <sentence>.`, with a non-zero exit and no traceback (click's own usage
errors, such as an unknown option, keep click's format). Run as a user runs them: a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_support import special_store_path

from sessionscope import store
from sessionscope.cli.errors import error_line

PREFIX = "sessionscope: error: "


@pytest.fixture
def filled(store_path: Path) -> Path:
    with store.open(store_path) as db:
        sid = db.start_session(id="abcd1234-0000", title="t", source="codex")
        db.append(sid, "user", "hello")
    return store_path


def _run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SESSIONSCOPE_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "sessionscope", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


FAILING = [
    (("show", "nope1234"), "no session has id 'nope1234'."),
    (("export", "nope1234"), "no session has id 'nope1234'."),
    (("resume", "nope1234"), "no session has id 'nope1234'."),
    (("show", "abcd#x"), "'abcd#x': after # comes a message number (ID#SEQ)."),
    (("show", "abcd1234-0000#7"), "session abcd1234-0000 has no message #7."),
    # "²".isdigit() is true, but int() refuses it (an internal error before)
    (("show", "abcd1234-0000#²"), "'abcd1234-0000#²': after # comes a message number"),
    (("metrics", "--serve", "localhost:²"), "--serve expects HOST:PORT"),
    (("experiments", "list", "--project", "²"), "no project is named '²'."),
    (("--db", "/nonexistent/x.db", "sessions"), "no store at /nonexistent/x.db; run"),
    (("--db", "/nonexistent/x.db", "search", "foo"), "no store at /nonexistent/x.db; run"),
    (("--db", "/nonexistent/x.db", "mcp"), "no store at /nonexistent/x.db; run"),
    (("--db", "/nonexistent/x.db", "doctor"), "no store at /nonexistent/x.db (check"),
    (("search", "since:banana"), "since:banana is not a date (use 7d"),
    (("search", "login", "is:weird"), "is:weird is not a filter"),
    (("sessions", "--since", "banana"), "--since 'banana' is not a date (use 7d"),
    (("stats", "--by", "day", "--since", "banana"), "--since 'banana' is not a date (use 7d"),
    (("sessions", "--source", "nope"), "no source is named 'nope' (sources: claude-code"),
    (("import", "aider"), "aider reads only the PATHs you name"),
    (("import", "codex", "/nonexistent/dir"), "/nonexistent/dir does not exist."),
    (("browse",), "the browser needs a terminal"),
    (("metrics", "--serve", "nope"), "--serve expects HOST:PORT"),
]


@pytest.mark.parametrize(("args", "message"), FAILING, ids=[" ".join(a) for a, _ in FAILING])
def test_a_failing_command_says_one_sentence(
    filled: Path, args: tuple[str, ...], message: str
) -> None:
    result = _run(*args, db=filled)
    assert result.returncode == 1, result
    assert result.stderr.startswith(PREFIX + message), result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.rstrip().endswith(".")
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr


def test_click_usage_errors_keep_their_own_format(filled: Path) -> None:
    result = _run("import", "nosuchagent", db=filled)
    assert result.returncode == 2 and "Usage:" in result.stderr and PREFIX not in result.stderr


def test_error_line_is_one_inert_sentence() -> None:
    assert error_line("no such thing") == PREFIX + "no such thing."
    assert error_line(PREFIX + "twice.") == PREFIX + "twice."
    line = error_line("bad\x1b[31m id\nsecond line")
    assert "\x1b" not in line and "\n" not in line and line.startswith(PREFIX)


@pytest.mark.parametrize("what", ["fifo", "link to fifo", "device"])
@pytest.mark.parametrize("args", [["sessions"], ["search", "foo"], ["doctor"], []])
def test_a_store_path_that_is_a_fifo_or_device_is_one_line_error(
    tmp_path: Path, what: str, args: list[str]
) -> None:
    """`SESSIONSCOPE_DB` at a FIFO (every command hung on it), a symlink to one or /dev/null:
    one sentence on stderr and a non-zero exit, at once (`doctor` lists it as a problem)."""
    path = special_store_path(tmp_path, what)
    env = {**os.environ, "SESSIONSCOPE_DB": str(path), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "sessionscope", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        stdin=subprocess.DEVNULL,
    )
    kind = "character device" if what == "device" else "FIFO"
    if args == ["doctor"]:  # a report: the reason is one of its problems
        assert done.returncode == 1 and f"is a {kind}, not a store file" in done.stdout
        return
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.startswith("sessionscope: error: ") and "Traceback" not in done.stderr
    assert f"is a {kind}, not a store file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
