"""Issue 12 CLI papercuts: the list filter's since/until values, column header, honest messages."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.store import InvalidInput
from sessionscope.store.listfilter import parse_list_filter


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def two(store_path: Path) -> None:
    with store.open() as db:
        db.start_session(title="Old one", source="codex", started_at="2020-01-01T09:00:00Z")
        sid = db.start_session(title="Fresh Login fix", source="claude-code", model="gpt-5")
        db.append(sid, "user", "hello")


def test_sessions_since_takes_what_the_browser_takes(two: None) -> None:
    code, out, err = run("sessions", "--since", "7d")
    assert code == 0, err
    assert "Fresh Login fix" in out and "Old one" not in out
    assert out.splitlines()[0].split() == [
        "ID",
        "SOURCE",
        "AGE",
        "MSGS",
        "TOKENS",
        "PROJECT",
        "TITLE",
    ]
    code, out, err = run("sessions", "--until", "2020-01-01")
    assert code == 0 and "Old one" in out and "Fresh" not in out
    code, out, err = run("sessions", "--since", "banana")
    assert code != 0 and "not a date" in err and "Traceback" not in err


def test_sessions_with_a_filter_matching_nothing_says_so(two: None) -> None:
    code, out, err = run("sessions", "--source", "gemini")  # a source, with no session here
    assert code == 0 and out == ""
    assert "No session matches these filters." in err and "Import" not in err
    code, out, err = run("sessions", "--source", "nope")  # no such source: a typo, an error
    assert code == 1 and out == "" and err.startswith("sessionscope: error: no source is named")


def test_the_store_applies_the_list_filter_language(two: None) -> None:
    with store.open() as db:
        assert [i.title for i in db.sessions(match="login")] == ["Fresh Login fix"]
        assert [i.title for i in db.sessions(match="source:CODEX")] == ["Old one"]
        assert [i.title for i in db.sessions(match="model:GPT")] == ["Fresh Login fix"]
        assert [i.title for i in db.sessions(match="-login")] == ["Old one"]
        assert db.count_sessions(match='"login fix" source:claude-code') == 1
        with pytest.raises(InvalidInput, match="not a date"):
            db.sessions(match="since:banana")
    spec = parse_list_filter("tool:Bash OR x")
    assert len(spec.errors) == 2 and spec.chips == ["title:x"]


def test_opening_a_store_never_creates_a_missing_directory(tmp_path: Path) -> None:
    from sessionscope.store import StoreError

    target = tmp_path / "nonexistent" / "x.db"
    with pytest.raises(StoreError, match="does not exist"):
        store.open(target)
    assert not (tmp_path / "nonexistent").exists()
    code, _out, err = run("import", "all", "--db", str(target))
    assert code != 0 and "Traceback" not in err
    assert not (tmp_path / "nonexistent").exists()


def test_the_default_store_directory_is_still_created(store_path: Path) -> None:
    assert not store_path.parent.exists()
    with store.open() as db:
        assert db.count_sessions() == 0
    assert store_path.exists()


def test_show_takes_the_refs_search_prints_and_short_prefixes_say_too_short(
    store_path: Path,
) -> None:
    with store.open() as db:
        sid = db.start_session(title="Refs", source="api", id="abcdef12-0000")
        for i in range(3):
            db.append(sid, "user", f"message number {i}")
    code, out, err = run("show", "abcdef12#1")
    assert code == 0, err
    assert "message number 1" in out and "message number 2" in out
    assert "message number 0" not in out
    code, out, err = run("show", "abcdef12#9")
    assert code != 0 and "no message #9" in err
    code, out, err = run("show", "ab")
    assert code != 0 and "at least 4 characters" in err and "no session has id" not in err
    code, out, err = run("show", "zz")
    assert code != 0 and "no session has id" in err


def test_doctor_on_a_missing_path_says_so_in_one_sentence(tmp_path: Path) -> None:
    code, out, err = run("doctor", "--db", str(tmp_path / "nothing.db"))
    assert code == 1 and out == ""
    assert err.startswith("sessionscope: error: no store at ") and err.count("\n") == 1
    assert "schema None" not in err and "readable by others" not in err


def test_demo_says_how_other_commands_reach_the_demo_store(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    code, _out, err = run("demo", "--db", str(target), "--no-open", "--sessions", "3")
    assert code == 0, err
    assert f"--db {target}" in err and f"SESSIONSCOPE_DB={target}" in err


def test_a_mistyped_command_is_answered_with_the_one_meant(store_path: Path) -> None:
    # the lazy group's commands are not in `self.commands`, so click had nothing to suggest
    code, out, err = run("sesions")
    assert code == 2 and out == ""
    assert err.endswith("Error: No such command 'sesions'. Did you mean 'sessions'?\n")
    code, _, err = run("exprot", "x")
    assert code == 2 and "Did you mean 'export'?" in err
    code, _, err = run("zzz")
    assert code == 2 and err.endswith("Error: No such command 'zzz'.\n")


def _leaves(command: click.Command, path: list[str]) -> list[tuple[str, click.Command]]:
    if not isinstance(command, click.Group):
        return [(" ".join(path), command)]
    ctx = click.Context(command)
    return [
        leaf
        for name in command.list_commands(ctx)
        for leaf in _leaves(command.get_command(ctx, name), [*path, name])  # type: ignore[arg-type]
    ]


def test_every_command_takes_db_after_its_name() -> None:
    """`sessionscope experiments list --db X` as `sessions --db X` (it was refused: 'No such
    option'), for every command and subcommand."""
    missing = [
        name
        for name, command in _leaves(cli, [])
        if not any("--db" in p.opts for p in command.params)
    ]
    assert missing == []


def test_experiments_list_reads_the_store_given_after_it(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store.open(path).close()
    result = CliRunner().invoke(cli, ["experiments", "list", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "No experiments" in result.stderr
