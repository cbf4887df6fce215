"""`show`, `export`, `sessions`, `search` and `stats` print tool names, model names, media
types, block types, roles and ids inert (issue 9, item 6); exports to a file are inert too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_support import (
    CLIP_B64,
    INVISIBLE,
    TITLE_MARK,
    assert_inert_text,
    hostile_fields_store,
)

from sessionscope import store
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


def test_exports_drop_bidi_format_and_tag_characters(store_path: Path, tmp_path: Path) -> None:
    """U+061C, U+206A-206F, U+180E and tag characters, raw in a title, a tool name and prose, and
    as Markdown entities the HTML export decodes: gone from the text, Markdown and HTML
    exports, as every other bidi and zero-width character is."""
    entities = " ".join(f"&#x{ord(c):X};" for c in INVISIBLE)
    with store.open(store_path) as db:
        sid = db.start_session(id="inv-0001", title=f"t{INVISIBLE}itle", source="api")
        db.append(sid, "user", f"pro{INVISIBLE}se and {entities}")
        db.append(
            sid,
            "assistant",
            [
                {"type": "text", "text": f"reply {entities} {INVISIBLE}"},
                {"type": "tool_use", "id": "t1", "name": f"Ba{INVISIBLE}sh", "input": {"c": "ls"}},
            ],
        )
    for fmt in ("markdown", "html"):
        target = tmp_path / f"out.{fmt}"
        args = ["export", "inv-0001", "--format", fmt, "-o", str(target)]
        result = CliRunner().invoke(cli, [*args, "--no-redact"])
        assert result.exit_code == 0, result.output
        page = target.read_text(encoding="utf-8")
        assert "title" in page and "prose" in page and "Bash" in page, fmt
        assert_inert_text(page, fmt)
    for argv in (["show", "inv-0001"], ["show", "inv-0001", "--format", "markdown"]):
        out = CliRunner().invoke(cli, argv).output
        assert "title" in out and "prose" in out
        assert_inert_text(out, " ".join(argv))
