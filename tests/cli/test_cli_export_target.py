"""`export -o`: a directory takes the export under the name the browser proposes, and a target
that cannot be written is said of that target, never of the temporary file beside it."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.tui.screens.export_dialog import export_name


@pytest.fixture
def sid(store_path: Path) -> str:
    with store.open() as db:
        made = db.start_session(id="ab/cd:1234", title="login fix", source="codex")
        db.append(made, "user", "why does the login fail?")
    return made


@pytest.mark.parametrize(
    ("fmt", "suffix", "start"),
    [("markdown", ".md", "# "), ("json", ".json", "{"), ("html", ".html", "<!doctype html>")],
)
def test_a_directory_gets_the_browsers_file_name(
    sid: str, tmp_path: Path, fmt: str, suffix: str, start: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["export", sid, "--format", fmt, "-o", str(folder)])
    assert result.exit_code == 0, result.output
    # what `x` in the browser proposes (sessionscope-ID.md), with the format's suffix
    written = (folder / export_name(sid)).with_suffix(suffix)
    assert [p.name for p in folder.iterdir()] == [written.name]
    assert written.name == "sessionscope-ab-cd-1234" + suffix
    assert written.read_text(encoding="utf-8").startswith(start)
    assert written.stat().st_mode & 0o777 == 0o600
    assert f"to {written}." in result.stderr


def test_a_missing_directory_is_said_plainly(sid: str, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "deeper" / "x.md"
    result = CliRunner().invoke(cli, ["export", sid, "-o", str(target)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"sessionscope: error: cannot write {target}: the directory {target.parent} "
        "does not exist.\n"
    )
    assert not (tmp_path / "nowhere").exists()
    plain = tmp_path / "plain"
    plain.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", sid, "-o", str(plain / "x.md")])
    assert result.exit_code == 1 and f"{plain} is not a directory." in result.stderr


def test_a_write_failure_names_the_target_not_the_temporary_file(
    sid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.md"

    def refused(path: object, text: str) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".x.md.k3j.tmp"))

    monkeypatch.setattr("sessionscope.cli.read.write_private", refused)
    result = CliRunner().invoke(cli, ["export", sid, "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr == f"sessionscope: error: cannot write {target}: Permission denied.\n"


def test_an_existing_file_is_replaced_only_with_force(sid: str, tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("KEEP\n")
    runner = CliRunner()
    refused = runner.invoke(cli, ["export", sid, "-o", str(target)])
    assert refused.exit_code == 1
    assert refused.output.strip().endswith(f"{target} exists; add --force to replace it.")
    assert target.read_text() == "KEEP\n"  # nothing replaced unasked
    again = runner.invoke(cli, ["export", sid, "-o", str(tmp_path)])  # the default name
    assert again.exit_code == 0
    assert runner.invoke(cli, ["export", sid, "-o", str(tmp_path)]).exit_code == 1
    forced = runner.invoke(cli, ["export", sid, "-o", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert target.read_text().startswith("# login fix")


@pytest.mark.parametrize(
    ("name", "start"),
    [("page.html", "<!doctype html>"), ("page.HTM", "<!doctype html>"), ("s.json", "{")],
)
def test_the_files_suffix_picks_the_format_when_none_is_given(
    sid: str, tmp_path: Path, name: str, start: str
) -> None:
    # as the browser's `x` does: `-o page.html` is a page, not Markdown under an .html name
    target = tmp_path / name
    result = CliRunner().invoke(cli, ["export", sid, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith(start)


def test_a_given_format_wins_over_the_suffix_and_markdown_stays_the_default(
    sid: str, tmp_path: Path
) -> None:
    given = tmp_path / "notes.html"
    result = CliRunner().invoke(cli, ["export", sid, "--format", "markdown", "-o", str(given)])
    assert result.exit_code == 0, result.output
    assert given.read_text(encoding="utf-8").startswith("# ")
    plain = tmp_path / "notes.txt"
    assert CliRunner().invoke(cli, ["export", sid, "-o", str(plain)]).exit_code == 0
    assert plain.read_text(encoding="utf-8").startswith("# ")
    result = CliRunner().invoke(cli, ["export", sid])
    assert result.exit_code == 0 and result.stdout.startswith("# ")
