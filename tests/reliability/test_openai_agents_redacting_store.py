"""The OpenAI Agents SDK session on a store that redacts: every item comes back, none in the clear.

The item was kept as JSON text in the message's metadata, and the store's redaction rewrote that
text as prose: a rule that stops at a quote took the backslash escaping it (`-p\\"secret\\"`,
`value=\\"password=abc\\"`), so the JSON no longer parsed and `get_items` silently dropped the
item, while the secret after the quote stayed in the file. Items are now kept as structures,
redacted field by field.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sessionscope import store
from sessionscope.integrations.openai_agents import ITEM_KEY, Session, from_message

ITEMS = [
    {"role": "user", "content": 'run: mysql -uroot -p"S3cretPass" mydb'},
    {"role": "user", "content": '<param value="password=abc123xyz"/>'},
    {"role": "user", "content": 'curl -u admin:Hunter2Pw\\" http://x'},
    {"type": "function_call", "call_id": "c1", "name": "sh", "arguments": '{"cmd": "ls"}'},
    {"role": "user", "content": "hello"},
]
SECRETS = ["S3cretPass", "abc123xyz", "Hunter2Pw"]


def test_every_item_comes_back_from_a_redacting_store_and_no_secret_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with store.open(path, redact=True) as db:
        session = Session("chat-1", db)
        asyncio.run(session.add_items(ITEMS))
        got = asyncio.run(session.get_items())
        assert len(got) == len(ITEMS), got
        assert got[-1] == {"role": "user", "content": "hello"}
        assert got[3] == ITEMS[3]
        text = repr(got) + repr([m.metadata for m in db.messages("chat-1")])
        for secret in SECRETS:
            assert secret not in text, secret
        assert asyncio.run(session.pop_item()) == got[-1]
        assert len(asyncio.run(session.get_items())) == len(ITEMS) - 1
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in SECRETS:
        assert secret.encode() not in data, secret


def test_items_kept_as_json_text_by_earlier_versions_still_read(tmp_path: Path) -> None:
    with store.open(tmp_path / "old.db") as db:
        sid = db.start_session(id="old", source="openai-agents")
        db.append(sid, "user", "hi", metadata={ITEM_KEY: '{"role": "user", "content": "hi"}'})
        assert from_message(db.messages(sid)[0]) == {"role": "user", "content": "hi"}
