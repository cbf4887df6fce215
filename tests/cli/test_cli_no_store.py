"""No store yet: the error names commands that work as said (the demo store lives elsewhere,
so the advice says how to reach it), and `demo --help` says where the demo store goes."""

from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from sessionscope.cli import cli


def test_the_no_store_advice_works_when_followed(store_path: Path) -> None:
    assert not store_path.exists()
    demo = store_path.parent / "demo.db"
    result = CliRunner().invoke(cli, ["sessions"])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    err = result.stderr
    assert err.startswith(f"sessionscope: error: no store at {store_path}; ")
    assert "`sessionscope import all`" in err  # $SESSIONSCOPE_DB chose the store: as it is
    assert f"`sessionscope demo` to build a demo store at {demo}" in err
    assert f"`--db {shlex.quote(str(demo))}`" in err
    built = CliRunner().invoke(cli, ["demo", "--no-open", "--sessions", "2"])
    assert built.exit_code == 0, built.output
    assert built.stdout.strip() == str(demo)  # where the advice said
    shown = CliRunner().invoke(cli, ["sessions", "--db", str(demo)])
    assert shown.exit_code == 0 and "webapp" in shown.stdout
    assert not store_path.exists()  # the real store was never made


def test_a_store_chosen_with_db_is_named_in_the_import_advice(tmp_path: Path) -> None:
    other = tmp_path / "my stores" / "x.db"
    result = CliRunner().invoke(cli, ["--db", str(other), "sessions"])
    assert result.exit_code == 1
    assert f"`sessionscope --db {shlex.quote(str(other))} import all`" in result.stderr


def test_missing_demo_store_advice_builds_it_there(store_path: Path) -> None:
    demo = store_path.parent / "demo.db"
    result = CliRunner().invoke(cli, ["--db", str(demo), "stats"])
    assert result.exit_code == 1
    assert f"run `sessionscope --db {demo} demo` to build the demo store there." in result.stderr


def test_demo_help_says_where_the_demo_store_goes() -> None:
    text = " ".join(CliRunner().invoke(cli, ["demo", "--help"]).stdout.split())
    option = text[text.index("--db FILE") : text.index("--no-open")]
    assert "demo.db in the directory of $SESSIONSCOPE_DB" in option
    assert "sessions.db" not in option
