"""A secret split by an invisible character is redacted in every export, not joined back.

Exports are redacted, then cleaned of control, bidi and zero-width characters: a token with a
zero-width space (or a bidi mark, a tag character) inside was not recognised by the redaction,
and the cleaning then joined it back, whole, into the HTML page (redacted by default) and the
Markdown and JSON exports with `--redact`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.export import to_json, to_markdown
from sessionscope.export_html import to_html
from sessionscope.export_redact import redact_session

TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


@pytest.mark.parametrize("invisible", ["\u200b", "\u202e", "\U000e0041", "\x1b"])
def test_a_token_split_by_an_invisible_character_is_redacted_in_every_export(
    tmp_path: Path, invisible: str
) -> None:
    split = TOKEN[:20] + invisible + TOKEN[20:]
    with store.open(tmp_path / "s.db") as db:
        sid = db.start_session(title=f"deploy {split}", source="codex")
        db.append(sid, "user", f"the token is {split} ok")
        db.append(sid, "assistant", "noted", metadata={"env": {"GH": split}})
        session = db.load(sid)
    assert session is not None
    page, found = to_html(session)
    redacted, listed = redact_session(session)
    for text in (page, to_markdown(redacted), json.loads(to_json(redacted))["title"]):
        assert TOKEN not in text and TOKEN[4:24] not in text
    assert sum(r.count for r in found) >= 3 and sum(r.count for r in listed) >= 3


def test_text_without_a_hidden_secret_keeps_its_characters(tmp_path: Path) -> None:
    with store.open(tmp_path / "s.db") as db:
        sid = db.start_session(title="plain", source="codex")
        db.append(sid, "user", "zero\u200bwidth and \u202ebidi stay in the JSON export")
        session = db.load(sid)
    assert session is not None
    redacted, listed = redact_session(session)
    assert listed == [] and redacted.messages[0].text == session.messages[0].text
