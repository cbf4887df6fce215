"""`show`, `export`, `sessions`, `search` and `stats` print tool names, model names, media
types, block types, roles and ids inert (issue 9, item 6); exports to a file are inert too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_support import CLIP_B64, TITLE_MARK, assert_inert_text, hostile_fields_store

from sessionscope.cli import cli


@pytest.fixture
def hostile(store_path: Path) -> str:
    return hostile_fields_store(store_path)


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "sess"],
        ["show", "sess", "--format", "markdown"],
        ["export", "sess"],
        ["sessions"],
        ["search", "evil"],
        ["stats"],
    ],
)
def test_every_read_command_prints_hostile_fields_inert(hostile: str, argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert "sess" in result.output or argv == ["stats"]
    assert_inert_text(result.output, " ".join(argv))


def test_show_names_every_hostile_field_without_its_sequences(hostile: str) -> None:
    for fmt in ("text", "markdown"):
        out = CliRunner().invoke(cli, ["show", "sess", "--format", fmt]).output
        for visible in ("Bash", "gpt", "image/png", "widget", "sess-0001"):
            assert visible in out, (fmt, visible)


def test_json_keeps_hostile_fields_exact_behind_escapes(hostile: str) -> None:
    out = CliRunner().invoke(cli, ["show", "sess", "--format", "json"]).output
    assert "\x1b" not in out and "\x9d" not in out and "\x07" not in out
    assert "\\u001b]0;" + TITLE_MARK in out and CLIP_B64 in out  # nothing lost


def test_a_markdown_export_to_a_file_is_inert_when_catted(hostile: str, tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    result = CliRunner().invoke(cli, ["export", "sess", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert_inert_text(result.output, "export message")
    text = target.read_text(encoding="utf-8")
    assert "Bash" in text and "image/png" in text and "widget" in text
    assert_inert_text(text, "exported file")
