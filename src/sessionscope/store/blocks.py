"""Validate and encode message content: a string or a list of Anthropic-shaped blocks."""

from __future__ import annotations

import json
from typing import Any

from .errors import InvalidInput

Content = str | list[dict[str, Any]]


def normalize(content: Any) -> list[dict[str, Any]]:
    """Content as a list of blocks; a string becomes one text block. Raises InvalidInput."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, dict) and isinstance(content.get("type"), str):
        return [content]
    if isinstance(content, (list, tuple)):
        blocks = list(content)
        for index, block in enumerate(blocks):
            if isinstance(block, str):
                blocks[index] = {"type": "text", "text": block}
            elif not isinstance(block, dict) or not isinstance(block.get("type"), str):
                raise InvalidInput(
                    f"content block {index} must be a dict with a string 'type' "
                    f"(got {type(block).__name__})."
                )
        return blocks
    raise InvalidInput(
        f"content must be a string or a list of blocks, not {type(content).__name__}."
    )


def encode(blocks: list[dict[str, Any]]) -> str:
    """Blocks as compact JSON that reads back equal.

    Text stays readable UTF-8 (so the store is pleasant in `sqlite3`); strings holding lone
    surrogates, which UTF-8 cannot carry, are written with JSON escapes instead.
    """
    try:
        text = json.dumps(blocks, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"content is not JSON-serialisable: {exc}.") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(blocks, ensure_ascii=True, separators=(",", ":"))
    return text


def decode(text: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text)
    except ValueError:
        return [{"type": "text", "text": text}]
    return value if isinstance(value, list) else [{"type": "text", "text": str(value)}]


def encode_metadata(metadata: dict[str, Any] | None) -> str | None:
    if not metadata:
        return None
    if not isinstance(metadata, dict):
        raise InvalidInput("metadata must be a dict.")
    return encode(metadata)  # type: ignore[arg-type]


def decode_metadata(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
