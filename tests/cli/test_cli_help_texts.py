"""What the help and the errors say matches what the commands do: every export format in the
command list, an optional repeatable PATH shown so, a short id prefix called short."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli


def test_the_command_list_names_every_export_format() -> None:
    text = CliRunner().invoke(cli, ["--help"]).stdout
    (line,) = [row for row in text.splitlines() if row.strip().startswith("export ")]
    for name in ("Markdown", "JSON", "HTML"):  # export --format markdown|json|html
        assert name in line, line


def test_import_usage_shows_path_as_optional_and_repeatable() -> None:
    help_text = CliRunner().invoke(cli, ["import", "--help"], prog_name="sessionscope").stdout
    usage = help_text.splitlines()[0]
    assert usage == "Usage: sessionscope import [OPTIONS] SOURCE|all [PATH]..."


def test_a_short_prefix_matching_one_session_is_too_short_not_ambiguous(
    store_path: Path,
) -> None:
    with store.open() as db:
        sid = db.start_session(id="1a2b3c4d-0000", title="only one")
        db.append(sid, "user", "hello")
    result = CliRunner().invoke(cli, ["show", "1"])
    assert result.exit_code == 1
    assert result.stderr == (
        "sessionscope: error: '1' is too short: a session id prefix needs at least 4 characters.\n"
    )
    assert CliRunner().invoke(cli, ["show", "1a2b"]).exit_code == 0
