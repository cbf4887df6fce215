"""Validate and encode message content: a string or a list of Anthropic-shaped blocks."""

from __future__ import annotations

import json
import re

from .errors import InvalidInput
from .scripts import NO_SPACE_SCRIPTS

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

_INT64 = range(-(2**63), 2**63)
# Compiled on first use (only non-ASCII text needs them): the class of NO_SPACE_SCRIPTS alone
# takes ~2.5 ms to compile, a tenth of a `sessionscope search` process.
_NO_SPACE: re.Pattern[str] | None = None
_SURROGATE = "[\ud800-\udfff]"


def utf8_text(value: str) -> str:
    """`value` as text UTF-8 can carry: lone surrogates (from JSON escapes) become U+FFFD.

    For identifiers and names only; message content keeps its surrogates (see `encode_content`).
    """
    return value if value.isascii() else re.sub(_SURROGATE, "\ufffd", value)


# A high then a low surrogate as two code points: JSON escapes them as a pair, which every JSON
# reader joins into one astral character, so they cannot be stored exactly.
_SPLIT_PAIR = "[\ud800-\udbff][\udc00-\udfff]"

# How deep content may nest (lists and dicts, counting the block list itself). JSON readers
# recurse once per level, so deeper content could be stored yet fail to read back in a caller
# that is already some frames deep; real blocks nest a handful of levels.
MAX_DEPTH = 100


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when `value` nests lists and dicts more than `limit` levels (or refers to itself).

    Iterative and depth-first, so neither deep nor circular values can exhaust the stack.
    """
    if not isinstance(value, (dict, list, tuple)):
        return False
    stack = [iter(value.values() if isinstance(value, dict) else value)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, (dict, list, tuple)):
                if len(stack) >= limit:
                    return True
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                break
        else:
            stack.pop()
    return False


def check_depth(value: Any, what: str = "content") -> None:
    """Raise InvalidInput when `value` nests deeper than `MAX_DEPTH`."""
    if too_deep(value):
        raise InvalidInput(
            f"{what} is nested more than {MAX_DEPTH} levels deep (or refers to itself)."
        )


def normalize(content: Any, *, lenient: bool = False) -> list[dict[str, Any]]:
    """Content as a list of blocks: a string becomes one text block, a block a list of one.

    Strict (the store's check of what callers write): anything that is not a string, a block
    or a list of strings and blocks raises InvalidInput. `lenient` (what importers read from
    transcripts): nothing raises; an empty string or None is no block, a list's None items
    are left out, and any other value becomes a text block of its `str()`. Nesting is checked
    when the blocks are encoded (`encode_content`), in the same walk as the JSON types.
    """
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content or not lenient else []
    if isinstance(content, dict) and isinstance(content.get("type"), str):
        return [content]
    if isinstance(content, (list, tuple)):
        for block in content:  # the common case: every item is a block already
            if type(block) is not dict or type(block.get("type")) is not str:
                break
        else:
            return list(content)
        blocks = list(content)
        kept = 0
        for block in blocks:
            if isinstance(block, dict) and isinstance(block.get("type"), str):
                pass
            elif isinstance(block, str):
                block = {"type": "text", "text": block}
            elif not lenient:
                raise InvalidInput(
                    f"content block {kept} must be a dict with a string 'type' "
                    f"(got {type(block).__name__})."
                )
            elif block is None:
                continue
            else:
                block = {"type": "text", "text": str(block)}
            blocks[kept] = block
            kept += 1
        del blocks[kept:]
        return blocks
    if lenient:
        return [] if content is None else [{"type": "text", "text": str(content)}]
    raise InvalidInput(
        f"content must be a string or a list of blocks, not {type(content).__name__}."
    )


def encode(value: Any) -> str:
    """`value` as compact JSON that reads back equal (see `encode_content`)."""
    return encode_content(value)[0]


def encode_content(value: Any) -> tuple[str, bool]:
    """Compact JSON for `value`, and whether it is plain UTF-8 text, refusing (InvalidInput)
    values nested deeper than `MAX_DEPTH` or holding themselves: the store's one walk over what
    it writes checks the nesting and the JSON types together (`_fast_json`).

    Text stays readable UTF-8 (so the store is pleasant in `sqlite3`); strings holding lone
    surrogates, which UTF-8 cannot carry, are written with JSON escapes instead (plain=False).
    """
    text = _fast_json(value, MAX_DEPTH)
    if text is not None:
        return text, True
    check_depth(value)  # not plain for orjson (or not acyclic): walk the standard way
    return _encode_std(value)


def _fast_json(value: Any, limit: int = 0) -> str | None:
    """`value` encoded by orjson when that is byte for byte what `json.dumps` writes, else None.

    orjson writes the same compact JSON for strings (valid UTF-8 only: it refuses lone
    surrogates), 64-bit integers, booleans, null, lists and dicts with string keys; floats (some
    exponents differ: 1e-05 / 0.00001), other key types and any other type go the standard way.
    With a `limit`, nesting deeper than it raises InvalidInput (levels counted as `too_deep`).
    """
    import orjson  # loaded on the first write: reads (a search) never need it

    try:
        raw = orjson.dumps(value)  # refuses cycles, deep nesting, surrogates, >64-bit integers
    except (TypeError, ValueError):
        return None
    # orjson took it, so it is acyclic, at most 255 deep, and its dict keys are strings: one
    # walk, a level at a time, finds what orjson writes differently (floats, other types) and
    # checks the depth
    kind = type(value)
    if kind is not dict and kind is not list and kind is not tuple:
        return raw.decode() if kind in _PLAIN else None
    deepest = limit or 1 << 30
    level = [value]
    depth = 1
    while level:
        below: list[Any] = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                kind = type(child)
                if kind is str or kind in _PLAIN:
                    continue
                if kind is not dict and kind is not list and kind is not tuple:
                    return None
                below.append(child)
        if below and depth >= deepest:
            raise InvalidInput(
                f"content is nested more than {MAX_DEPTH} levels deep (or refers to itself)."
            )
        level = below
        depth += 1
    return raw.decode()


_PLAIN = frozenset({str, int, bool, type(None)})


def _encode_std(value: Any) -> tuple[str, bool]:
    """`encode_content` through the standard library (every value it accepts)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"content is not JSON-serialisable: {exc}.") from None
    _refuse_colliding_keys(value)
    if text.isascii():
        return text, True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pair = re.search(_SPLIT_PAIR, text)
        if pair:
            joined = pair.group().encode("utf-16", "surrogatepass").decode("utf-16")
            raise InvalidInput(
                f"content holds a surrogate pair as two code points ({pair.group()!r}), which "
                f"would read back as the one character U+{ord(joined):X}; pass that character."
            ) from None
        return json.dumps(value, ensure_ascii=True, separators=(",", ":")), False
    return text, True


def _json_key(key: Any) -> str:
    """The object key `json.dumps` writes for a dict key."""
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return float.__repr__(key) if isinstance(key, float) else int.__repr__(key)


def _refuse_colliding_keys(value: Any) -> None:
    """InvalidInput when a dict's keys become one JSON key ({1: 'a', '1': 'b'}): one value
    would be lost on reading. Call after `json.dumps` accepted `value` (no cycles, keys valid)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(type(key) is str for key in item):
                names = [_json_key(key) for key in item]
                if len(set(names)) != len(names):
                    twice = next(name for name in names if names.count(name) > 1)
                    same = [key for key in item if _json_key(key) == twice]
                    raise InvalidInput(
                        f"the keys {', '.join(map(repr, same))} of one dict are all the JSON key "
                        f"{twice!r}; only one value could be kept."
                    )
            stack.extend(v for v in item.values() if isinstance(v, (dict, list, tuple)))
        elif isinstance(item, (list, tuple)):
            stack.extend(v for v in item if isinstance(v, (dict, list, tuple)))


def decode(text: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # deep content an older version stored
        return [{"type": "text", "text": text}]
    return value if isinstance(value, list) else [{"type": "text", "text": str(value)}]


def encode_metadata(metadata: dict[str, Any] | None) -> str | None:
    if not metadata:
        return None
    if not isinstance(metadata, dict):
        raise InvalidInput("metadata must be a dict.")
    return encode(metadata)


def decode_metadata(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _leaves(value: Any, out: list[str]) -> None:
    """String and 64-bit integer leaves in document order (what SQLite's json_tree yields)."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        if value in _INT64:
            out.append(str(value))
    elif isinstance(value, dict):
        for item in value.values():
            _leaves(item, out)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, out)


def project(blocks: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The searchable (prose, tools) text of a message; None where there is none.

    The exact twin of `schema.TEXT_OF` / `schema.TOOLS_OF`: prose is the text and thinking
    blocks; tools is each call's name and input values, and each result's text. Images and
    other payloads are never part of it.
    """
    prose: list[str] = []
    tools: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text":
            if isinstance(block.get("text"), str):
                prose.append(block["text"])
        elif kind == "thinking":
            if isinstance(block.get("thinking"), str):
                prose.append(block["thinking"])
        elif kind == "tool_use":
            name = block.get("name")
            values: list[str] = []
            if "input" in block:
                _leaves(block["input"], values)
            tools.append((name if isinstance(name, str) else "") + " " + " ".join(values))
        elif kind == "tool_result":
            content = block.get("content")
            if isinstance(content, str):
                tools.append(content)
            elif isinstance(content, list):
                texts = [
                    c["text"]
                    for c in content
                    if isinstance(c, dict)
                    and c.get("type") == "text"
                    and isinstance(c.get("text"), str)
                ]
                if texts:
                    tools.append("\n".join(texts))
    return ("\n".join(prose) if prose else None, "\n".join(tools) if tools else None)


def project_json(blocks: list[dict[str, Any]], encoded: str) -> tuple[str | None, str | None]:
    """`project` as SQLite sees `encoded`: escaped NULs read as spaces (see schema.NUL_SAFE)."""
    if "\\u0000" in encoded:
        return project(json.loads(encoded.replace("\\u0000", "\\u0020")))
    return project(blocks)


def has_no_space_script(text: str | None) -> bool:
    """True when `text` holds CJK, Thai or other script written without spaces between words."""
    global _NO_SPACE
    if not text or text.isascii():  # isascii reads a flag: no scan
        return False
    if _NO_SPACE is None:
        _NO_SPACE = re.compile(f"[{NO_SPACE_SCRIPTS}]")
    return _NO_SPACE.search(text) is not None
