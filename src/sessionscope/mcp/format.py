"""Text for a model: messages and hits as plain lines, cut to a budget, redacted, with citations.

Everything a tool answers passes through `finish`: the store's redaction (even for a store
imported without `--redact`), the removal of terminal escapes and control characters, and a
`max_chars` cap that says how much was left out.
"""

from __future__ import annotations

import json
from typing import Any

from ..sanitize import clean
from ..store.models import tool_result_text
from ..store.redact import redact_text

DEFAULT_MAX_CHARS = 12_000
"""About 3,000 tokens: room for a useful answer without crowding a model's context."""
MIN_MAX_CHARS = 200
MAX_MAX_CHARS = 200_000
OUTPUT_CHARS = 600
"""What a tool result or a long message shows before it is cut (in `read_session`)."""
INPUT_CHARS = 200
"""What a tool call's input shows."""


def cite(session_id: str, seq: int) -> str:
    """The citation of one message: `session_id#seq`."""
    return f"{session_id}#{seq}"


def cut(text: str, limit: int) -> str:
    """`text` whole when it fits in `limit` characters, else its head and a marker of the cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + f" [… {len(text) - limit:,} more chars cut]"


def one_line(text: str | None, limit: int = 200) -> str:
    """A field (title, project, snippet) as one short line."""
    if not text:
        return ""
    return cut(" ".join(str(text).split()), limit)


def finish(text: str, max_chars: int) -> str:
    """The answer as sent: redacted, inert, and at most `max_chars` characters plus a marker."""
    text = clean(redact_text(text))
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    newline = head.rfind("\n")
    if newline > max_chars // 2:  # end on a whole line when that keeps most of the budget
        head = head[:newline]
    left = len(text) - len(head)
    return (
        head + f"\n[… answer cut at max_chars={max_chars}: {left:,} more chars; narrow the query,"
        " lower limit, or raise max_chars]"
    )


def _json_short(value: Any, limit: int) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return cut(text, limit)


def block_lines(block: dict[str, Any], output_chars: int = OUTPUT_CHARS) -> list[str]:
    """One content block as text: prose whole (cut when long), tool calls summarised."""
    kind = block.get("type")
    if kind == "text":
        return [cut(str(block.get("text", "")), output_chars * 4)]
    if kind == "thinking":
        return ["(thinking) " + cut(str(block.get("thinking", "")), output_chars)]
    if kind == "tool_use":
        name = one_line(block.get("name"), 80) or "tool"
        return [f"→ tool call {name}({_json_short(block.get('input'), INPUT_CHARS)})"]
    if kind == "tool_result":
        error = " (error)" if block.get("is_error") else ""
        body = cut(tool_result_text(block), output_chars)
        return [f"← tool result{error}: {body}"]
    if kind == "image":
        return ["[image]"]
    return [f"[{one_line(str(kind), 40) or 'block'}]"]


def message_text(message: Any, output_chars: int = OUTPUT_CHARS) -> str:
    """One stored message as a citation header and its blocks."""
    head = f"[{cite(message.session_id, message.seq)}] {message.role}"
    if message.created_at:
        head += f" {message.created_at}"
    if message.model:
        head += f" ({one_line(message.model, 60)})"
    lines = [head]
    for block in message.blocks:
        lines.extend(block_lines(block, output_chars))
    return "\n".join(lines)


def session_line(info: Any, *, cited: bool = True) -> str:
    """One session (cited by its first message): id, when, where, size, then its title."""
    parts = [
        f"[{cite(info.id, 0)}]" if cited else f"session {info.id}",
        (info.updated_at or info.started_at or "")[:16],
        one_line(info.source, 40),
        one_line(info.project, 80) or "-",
        f"{info.message_count} msgs",
        f"{info.input_tokens + info.output_tokens:,} tokens",
    ]
    title = one_line(info.title, 160)
    line = " ".join(parts[:2]) + " | " + " | ".join(parts[2:]) + (f"\n  {title}" if title else "")
    marks = [
        *(["pinned"] if getattr(info, "pinned", False) else []),
        *(
            [" ".join("#" + one_line(t, 40) for t in info.tags)]
            if getattr(info, "tags", ())
            else []
        ),
        *([f"note: {one_line(info.note, 300)}"] if getattr(info, "note", None) else []),
    ]
    return line + (f"\n  ({' | '.join(marks)})" if marks else "")


def hit_text(hit: Any) -> str:
    """One search hit: citation, where and when, then the snippet with matches in «»."""
    where = " | ".join(
        part
        for part in (
            one_line(hit.session_title, 120) or "(untitled)",
            one_line(hit.project, 80),
            one_line(hit.source, 40),
            (hit.created_at or "")[:16],
            hit.role,
        )
        if part
    )
    return f"[{cite(hit.session_id, hit.seq)}] {where}\n  {one_line(hit.marked(), 500)}"
