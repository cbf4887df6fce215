"""The README's command reference is generated from the click commands and kept in step."""

from __future__ import annotations

from pathlib import Path

from sessionscope.cli.reference import END, START, reference, rewrite

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_reference_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert rewrite(text) == text, "README.md is out of date: run python scripts/cli_reference.py"


def test_reference_lists_every_command_and_option() -> None:
    block = reference()
    for needle in (
        "sessionscope import",
        "[--watch]",
        "sessionscope experiments promote",
        "[--force]",
    ):
        assert needle in block
