"""Small helpers the format parsers share: timestamps, titles, content blocks."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from ..store.blocks import MAX_DEPTH, too_deep, utf8_text
from ..store.spec import MessageSpec
from ..store.timeutil import format_ts

safe_id = utf8_text  # identifiers SQLite can bind

TITLE_MAX = 120
_NAMESPACE = uuid.UUID("5e55105c-0a2e-4c5b-9f1d-7a3b2c1d0e9f")


_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")

# Timestamps are clamped to this range at import: a day inside each end of what every local time
# zone (offsets reach +-14 h) and every platform's time functions (some refuse times before the
# epoch) can convert, so no time read from a transcript can overflow when it is shown.
TS_MIN = datetime(1970, 1, 2, tzinfo=UTC)
TS_MAX = datetime(9998, 12, 31, tzinfo=UTC)
_TS_MIN_TEXT = format_ts(TS_MIN)
_TS_MAX_TEXT = format_ts(TS_MAX)


def _clamped(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_ts(min(max(moment, TS_MIN), TS_MAX))


def ts(value: Any) -> str | None:
    """A transcript timestamp as the store's ISO form (clamped to `TS_MIN`..`TS_MAX`), or None
    when it is missing or not a time."""
    if isinstance(value, str) and _CANONICAL.match(value):
        # `2026-10-02T09:14:00.020Z`, what both agents write: kept as is when it is a real
        # time inside the range (the digits alone could say month 13)
        try:
            moment = datetime.fromisoformat(value[:-1] + "+00:00")
        except ValueError:
            return None
        return value if _TS_MIN_TEXT <= value <= _TS_MAX_TEXT else _clamped(moment)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, str):
        try:
            return _clamped(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except (ValueError, OverflowError):
            return None
    if isinstance(value, int) and not -(10**15) <= value <= 10**15:
        value = 10**15 if value > 0 else -(10**15)  # past either end; 10**400 is no float
    if not math.isfinite(value):
        return None
    seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds
    seconds = min(max(seconds, TS_MIN.timestamp()), TS_MAX.timestamp())
    return _clamped(datetime.fromtimestamp(seconds, UTC))


def text_field(value: Any) -> str | None:
    """A string fit for a session field (no lone surrogates), or None."""
    if not isinstance(value, str) or not value:
        return None
    return safe_id(value)


NESTING_CUT = "[nested too deep: cut by sessionscope]"


def _cut(value: Any, room: int) -> Any:
    if isinstance(value, dict):
        return {k: _cut(v, room - 1) for k, v in value.items()} if room > 0 else NESTING_CUT
    if isinstance(value, (list, tuple)):
        return [_cut(v, room - 1) for v in value] if room > 0 else NESTING_CUT
    return value


def cut_nesting(value: Any, limit: int = MAX_DEPTH) -> tuple[Any, bool]:
    """`value` with lists and dicts deeper than `limit` levels replaced by `NESTING_CUT`, and
    whether anything was cut (the store refuses deeper content; see `store.blocks.MAX_DEPTH`).

    The copy recurses at most `limit` levels, so any depth a JSON parser accepted is safe.
    """
    if not too_deep(value, limit):
        return value, False
    return _cut(value, limit), True


def safe_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks whose tool ids and names SQLite can bind (the store indexes them as columns).

    Only identifiers are touched; text, inputs and outputs stay exactly as the source wrote them.
    """
    for index, block in enumerate(blocks):
        kind = block.get("type")
        keys = (
            ("id", "name")
            if kind == "tool_use"
            else ("tool_use_id",)
            if kind == "tool_result"
            else ()
        )
        for key in keys:
            value = block.get(key)
            if isinstance(value, str) and not value.isascii() and safe_id(value) != value:
                block = {**block, key: safe_id(value)}
                blocks[index] = block
    return blocks


# How much of a prompt `title_from` reads first: a title needs at most TITLE_MAX characters.
_TITLE_SCAN = 16 * TITLE_MAX


def title_from(text: str) -> str | None:
    """A one-line title from a prompt: its first non-empty line, cut at `TITLE_MAX` chars.

    Reads the prompt's start first: a long prompt costs what its title needs, not its length.
    """
    if len(text) > _TITLE_SCAN:
        lines = text[:_TITLE_SCAN].splitlines()
        for index, line in enumerate(lines):
            line = " ".join(line.split())
            if line:
                # the window's last line may go on past it: taken only when already too long
                if index < len(lines) - 1 or len(line) > TITLE_MAX:
                    return _title_line(line)
                break
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return _title_line(line)
    return None


def _title_line(line: str) -> str | None:
    if len(line) > TITLE_MAX:
        line = line[: TITLE_MAX - 1].rstrip() + "…"
    return text_field(line)


ID_MAX = 128


def session_id(value: Any) -> str | None:
    """A session id from a transcript, made safe to show: an id with a control character, an
    escape sequence, a bidi or zero-width character, or over `ID_MAX` characters is replaced by
    a stable UUID derived from it (the same on every import); None when there is no id."""
    if not isinstance(value, str) or not value:
        return None
    if value.isprintable() and len(value) <= ID_MAX and value.strip() == value:
        return safe_id(value)
    return derived_id("unsafe-id", value)


def tag_text(text: str, tag: str) -> str | None:
    """The text between the first `<tag>` and the `</tag>` after it, stripped (None without
    both). Two `find`s: linear in `text` whatever it holds (a regex like
    `<tag>\\s*(.*?)\\s*</tag>` backtracks cubically on `<tag>` followed by spaces)."""
    start = text.find(f"<{tag}>")
    if start < 0:
        return None
    start += len(tag) + 2
    end = text.find(f"</{tag}>", start)
    return None if end < 0 else text[start:end].strip()


def derived_id(*parts: str) -> str:
    """A stable UUID for a session the source does not name itself (subagent runs)."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(safe_id(p) for p in parts)))


def plain_text(blocks: list[dict[str, Any]]) -> str:
    """The text blocks of a message, joined (what titles and classification look at)."""
    return "\n".join(
        b["text"] for b in blocks if b.get("type") == "text" and isinstance(b.get("text"), str)
    )


def system_message(
    content: str | list[dict[str, Any]], external_id: str, metadata: dict[str, Any], **fields: Any
) -> MessageSpec:
    """A `system` message an importer implies (a marker, an error, text the agent added): `content`
    (text, or blocks), its metadata without None values, and `fields` (`created_at`, ...)."""
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    kept = {k: v for k, v in metadata.items() if v is not None}
    msg = {"role": "system", "content": blocks, **fields, "external_id": external_id}
    msg["metadata"] = kept
    return cast(MessageSpec, msg)


def dollars(value: Any) -> float:
    """A cost an agent recorded: a finite, non-negative number of dollars the store takes,
    else 0.0 (one odd cost never costs the session)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    if isinstance(value, int):
        return float(value) if 0 <= value <= 2**53 else 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


def count(value: Any) -> int:
    """A token count from a transcript: a non-negative int, else 0."""
    if type(value) is int and 0 <= value <= 2**53:  # the common case first
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    return min(max(0, int(value)), 2**53)  # the store takes counts up to 2**53
