"""Small helpers the format parsers share: timestamps, titles, content blocks."""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from ..store.errors import InvalidInput
from ..store.timeutil import normalize_ts

TITLE_MAX = 120
_NAMESPACE = uuid.UUID("5e55105c-0a2e-4c5b-9f1d-7a3b2c1d0e9f")


_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")


def ts(value: Any) -> str | None:
    """A transcript timestamp as the store's ISO form, or None when it is missing or odd."""
    if isinstance(value, str) and _CANONICAL.match(value):
        return value  # already `2026-10-02T09:14:00.020Z` (what both agents write)
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    try:
        return normalize_ts(value)
    except (InvalidInput, ValueError, OverflowError, OSError):
        return None


def text_field(value: Any) -> str | None:
    """A string fit for a session field (no lone surrogates), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def title_from(text: str) -> str | None:
    """A one-line title from a prompt: its first non-empty line, cut at `TITLE_MAX` chars."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) > TITLE_MAX:
                line = line[: TITLE_MAX - 1].rstrip() + "…"
            return text_field(line)
    return None


def derived_id(*parts: str) -> str:
    """A stable UUID for a session the source does not name itself (subagent runs)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def blocks_of(content: Any) -> list[dict[str, Any]]:
    """Message content as a list of blocks (a string becomes one text block)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return [] if content is None else [{"type": "text", "text": str(content)}]
    out: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, dict) and isinstance(block.get("type"), str):
            out.append(block)
        elif isinstance(block, str):
            out.append({"type": "text", "text": block})
        elif block is not None:
            out.append({"type": "text", "text": str(block)})
    return out


def plain_text(blocks: list[dict[str, Any]]) -> str:
    """The text blocks of a message, joined (what titles and classification look at)."""
    return "\n".join(
        b["text"] for b in blocks if b.get("type") == "text" and isinstance(b.get("text"), str)
    )


def count(value: Any) -> int:
    """A token count from a transcript: a non-negative int, else 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    return min(max(0, int(value)), 2**62)
