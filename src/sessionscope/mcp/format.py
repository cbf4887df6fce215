"""Text for a model: messages and hits as plain lines, cut to a budget, redacted, with citations.

Everything a tool answers passes through `finish`: the store's redaction (even for a store
imported without `--redact`), the removal of terminal escapes and control characters, and a
`max_chars` cap that says how much was left out.

Redacting the finished answer is not enough: a secret cut in half (`password="hunt` at a
limit), split by a match's marks (`«password»=…`) or joined onto one line (a private key's body
without its END line) is no longer recognised. So every piece is redacted as written, with
`REDACT_MARGIN` characters past where it is cut, before it is cut, marked or joined; a search
hit's snippet is cut again from its message's redacted text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..sanitize import clean
from ..store.blocks import project
from ..store.models import tool_result_text
from ..store.redact import MARK, redact, redact_text

DEFAULT_MAX_CHARS = 12_000
"""About 3,000 tokens: room for a useful answer without crowding a model's context."""
MIN_MAX_CHARS = 200
MAX_MAX_CHARS = 200_000
OUTPUT_CHARS = 600
"""What a tool result or a long message shows before it is cut (in `read_session`)."""
INPUT_CHARS = 200
"""What a tool call's input shows."""
SNIPPET_CHARS = 240
"""What a search hit shows of its message."""
REDACT_MARGIN = 8192
"""Characters past a cut (and around a hit) redacted with it: a secret running over the cut,
or a private key's header before a hit in its body, is seen whole."""


def _redacted_head(text: str, limit: int) -> str:
    """The first `limit` characters of `text` and at least `REDACT_MARGIN` more, redacted
    (more is taken when redaction shrank them, so what a cut keeps was redacted in context)."""
    size = limit + REDACT_MARGIN
    while True:
        head = redact_text(text[:size])
        if size >= len(text) or len(head) >= limit + REDACT_MARGIN // 2:
            return head
        size *= 2


def cite(session_id: str, seq: int) -> str:
    """The citation of one message: `session_id#seq`."""
    return f"{session_id}#{seq}"


def cut(text: str, limit: int) -> str:
    """`text` whole when it fits in `limit` characters, else its redacted head and a marker of
    the cut."""
    if len(text) <= limit:
        return text
    return _redacted_head(text, limit)[:limit] + f" [… {len(text) - limit:,} more chars cut]"


def one_line(text: str | None, limit: int = 200) -> str:
    """A field (title, project, snippet) as one short line, redacted before it is joined."""
    if not text:
        return ""
    text = str(text)
    size = limit
    while True:  # a head that is mostly whitespace collapses short: read on
        flat = " ".join(_redacted_head(text, size).split())
        if len(flat) > limit or size >= len(text):
            break
        size *= 4
    if len(flat) <= limit:
        return flat
    return flat[:limit] + f" [… {len(' '.join(text.split())) - limit:,} more chars cut]"


def finish(text: str, max_chars: int) -> str:
    """The answer as sent: redacted, inert, and at most `max_chars` characters plus a marker."""
    text = redact_text(clean(text))  # cleaned first: a zero-width space must not hide a token
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


def _shortened(value: Any, size: int) -> Any:
    """`value` with every string cut to `size` characters (the store nests at most 100 deep)."""
    if isinstance(value, str):
        return value[:size]
    if isinstance(value, dict):
        return {k: _shortened(v, size) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shortened(v, size) for v in value]
    return value


def _json_short(value: Any, limit: int) -> str:
    try:  # redacted as a structure (`{"password": …}`), and no string longer than can show
        value = redact(_shortened(value, limit + REDACT_MARGIN))
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


def search_text(message: Any) -> str:
    """A message's text as the search index sees it (prose, then tool names, inputs, outputs)."""
    return "\n".join(part for part in project(message.blocks) if part)


def snippet(hit: Any, message: Any | None, width: int = SNIPPET_CHARS) -> str:
    """The hit's message around its first match, redacted before it is cut and joined onto one
    line, the matches in «» (the store's snippet is cut from the text as written). A message
    gone since the search shows the store's snippet, redacted."""
    terms = sorted({hit.snippet[a:b] for a, b in hit.highlights if b > a}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    if message is None:
        return one_line(hit.snippet, width)
    text = search_text(message)
    found = pattern.search(text) if pattern else None
    at = found.start() if found else 0
    begin, end = max(0, at - REDACT_MARGIN), at + REDACT_MARGIN
    region = redact_text(text[begin:end])
    found = pattern.search(region) if pattern else None  # none when the match was a secret
    start = max(0, (found.start() if found else min(at - begin, len(region))) - width // 4)
    line = " ".join(region[start : start + width].split())
    if pattern:  # matches marked, but not inside a redaction's own mark
        marks = re.compile(rf"\[REDACTED:\w+\]|{pattern.pattern}", re.IGNORECASE)
        line = marks.sub(lambda m: m[0] if m[0].startswith(MARK) else f"«{m[0]}»", line)
    head = "…" if begin + start > 0 else ""
    tail = "…" if end < len(text) or start + width < len(region) else ""
    return head + line + tail


def hit_text(hit: Any, message: Any | None = None) -> str:
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
    return f"[{cite(hit.session_id, hit.seq)}] {where}\n  {snippet(hit, message)}"
