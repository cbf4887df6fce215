"""One rule for a tool result's text, read alike by the transcript, the HTML export and MCP."""

from __future__ import annotations

from typing import Any

import pytest

from sessionscope import store
from sessionscope.export_html import to_html
from sessionscope.mcp.format import block_lines
from sessionscope.store.models import tool_result_text

RESULT: dict[str, Any] = {
    "type": "tool_result",
    "tool_use_id": "t1",
    "content": [
        {"type": "text", "text": "wrote 3 files"},
        {"type": "image", "source": {"type": "base64", "data": "AAAA"}},
        {"type": "document"},
        "bare string",
        {"text": "text without a type"},
    ],
}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("plain", "plain"),
        (None, ""),
        ({"exit": 1}, '{"exit": 1}'),
        (42, "42"),
        ([], ""),
        ([{"type": "text", "text": "é"}, 7], "é"),
        (
            RESULT["content"],
            "wrote 3 files\n[image]\n[document]\nbare string\ntext without a type",
        ),
    ],
)
def test_the_rule(content: Any, expected: str) -> None:
    assert tool_result_text({"type": "tool_result", "content": content}) == expected


def test_export_and_mcp_show_what_the_transcript_shows(db: store.Store) -> None:
    sid = db.start_session(title="images", source="api")
    call = {"type": "tool_use", "id": "t1", "name": "Screenshot", "input": {}}
    db.append(sid, "assistant", [call])
    db.append(sid, "user", [RESULT])
    session = db.load(sid)
    assert session is not None
    page, _ = to_html(session, redact=False)
    assert "wrote 3 files\n[image]\n[document]" in page
    assert "AAAA" not in page
    mcp = "\n".join(block_lines(RESULT))
    assert "wrote 3 files\n[image]\n[document]" in mcp
