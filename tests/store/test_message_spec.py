"""One message spec (`store.MessageSpec`) and one block normaliser (issue 10 item 4)."""

from __future__ import annotations

from typing import Any, get_type_hints

import pytest

from sessionscope import store
from sessionscope.store import blocks
from sessionscope.store.spec import MESSAGE_KEYS, ROLES, MessageSpec, Role
from sessionscope.store.validate import message_spec


def test_the_spec_names_every_key_the_store_takes(db: store.Store) -> None:
    assert set(get_type_hints(MessageSpec)) == MESSAGE_KEYS
    assert MessageSpec.__required_keys__ == {"role", "content"}
    assert set(Role.__args__) == set(ROLES)
    sid = db.start_session(title="t")
    full: MessageSpec = {
        "role": "assistant",
        "content": "hi",
        "created_at": "2026-10-02T09:14:00.020Z",
        "model": "m",
        "input_tokens": 1,
        "output_tokens": 2,
        "cache_read_tokens": 3,
        "cache_creation_tokens": 4,
        "cost_usd": 0.5,
        "external_id": "x",
        "metadata": {"k": "v"},
    }
    assert set(full) == MESSAGE_KEYS
    db.append_many(sid, [full])
    stored = db.messages(sid)[0]
    assert (stored.model, stored.cache_creation_tokens, stored.metadata) == ("m", 4, {"k": "v"})
    with pytest.raises(store.InvalidInput, match="unknown message keys: colour"):
        db.append_many(sid, [{"role": "user", "content": "x", "colour": "red"}])  # type: ignore[typeddict-unknown-key]


def test_a_stored_message_is_a_spec_again(db: store.Store) -> None:
    sid = db.start_session(title="t")
    db.append(sid, "user", "hello", external_id="e1", metadata={"a": 1})
    spec = message_spec(db.messages(sid)[0])
    assert set(spec) == MESSAGE_KEYS
    other = db.start_session(title="copy")
    db.save(other, [spec])
    assert db.messages(other)[0].blocks == [{"type": "text", "text": "hello"}]


@pytest.mark.parametrize(
    ("content", "lenient"),
    [
        ("", []),
        (None, []),
        ("hi", [{"type": "text", "text": "hi"}]),
        ({"type": "text", "text": "a"}, [{"type": "text", "text": "a"}]),
        ({"no": "type"}, [{"type": "text", "text": "{'no': 'type'}"}]),
        (["a", None, 7], [{"type": "text", "text": "a"}, {"type": "text", "text": "7"}]),
        (42, [{"type": "text", "text": "42"}]),
    ],
)
def test_one_normaliser_strict_for_writes_lenient_for_transcripts(
    content: Any, lenient: list[dict[str, Any]]
) -> None:
    assert blocks.normalize(content, lenient=True) == lenient
    if content == "hi" or (isinstance(content, dict) and "type" in content):
        assert blocks.normalize(content) == lenient
    elif content == "":
        assert blocks.normalize(content) == [{"type": "text", "text": ""}]
    else:
        with pytest.raises(store.InvalidInput):
            blocks.normalize(content)


def test_importers_have_no_normaliser_of_their_own() -> None:
    from sessionscope.importers import common

    assert not hasattr(common, "blocks_of")


def _deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(("leaf", "levels"), [("text", 0), (1.5, 0), ({1: "int key"}, 1)])
def test_one_walk_finds_deep_content_whatever_its_leaves(leaf: Any, levels: int) -> None:
    """The depth check rides on the JSON-type walk; a leaf orjson cannot write exactly (a
    float, a non-string key) sends the value the standard way, which checks depth itself."""
    at_limit = _deep(blocks.MAX_DEPTH - levels, leaf)
    assert blocks.encode_content(at_limit) == blocks._encode_std(at_limit)
    with pytest.raises(store.InvalidInput, match="nested more than"):
        blocks.encode_content([at_limit])
