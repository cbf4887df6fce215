"""Render a stored session as Markdown, plain text or JSON (used by the CLI and the browser).

Every output is inert on a terminal, also when written to a file and `cat`ed: bodies go through
`sanitize.clean` (text kept exact but for control sequences), every label (ids, titles, roles,
tool and model names, media types, block types, paths, times) through `label` (one clean line,
not cut: an export keeps the whole value). JSON escapes what a terminal would act on.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from .jsonout import json_text
from .sanitize import clean, inert
from .store.models import Message, Session, tool_result_text

# each format's file suffix (an export to a directory is named `export_name(id, suffix)`)
SUFFIXES = {"markdown": ".md", "json": ".json", "html": ".html"}


def export_name(session_id: str, suffix: str = ".md") -> str:
    """The file name a session's export gets in a directory (the browser's `x` proposes it,
    `sessionscope export -o DIR` writes it): safe on every system, from the session id."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", session_id).strip(".-")[:80]
    return f"sessionscope-{safe or 'session'}{suffix}"


def format_for(name: str) -> str:
    """The format a file name asks for by its suffix: "html" (.html, .htm), "json", else
    "markdown" (what the browser's `x` writes, and `export -o NAME` without --format)."""
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    return {"html": "html", "htm": "html", "json": "json"}.get(suffix, "markdown")


def session_dict(session: Session) -> dict[str, Any]:
    """A JSON-ready dict of the session and its messages (stable keys)."""
    data = dataclasses.asdict(session)
    return data


def to_json(session: Session) -> str:
    return json_text(session_dict(session))


def _fence(text: str, lang: str = "") -> str:
    longest = 2
    run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    ticks = "`" * (longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def label(value: Any) -> str:
    """A store field as one inert line, whole (an export keeps every character it can)."""
    return inert(value, None)


def _code(text: str) -> str:
    """`text` as a Markdown code span that its own backticks cannot close."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _input_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def message_markdown(message: Message) -> str:
    """One message as Markdown: prose as is, tool calls and results fenced."""
    head = f"### {label(message.role)}"
    details = [label(d) for d in (message.created_at, message.model) if d]
    if message.output_tokens or message.input_tokens:
        details.append(f"{message.input_tokens} in / {message.output_tokens} out tokens")
    if details:
        head += f"  \n<sub>{' · '.join(details)}</sub>"
    parts = [head]
    for block in message.blocks:
        kind = block.get("type")
        if kind == "text":
            parts.append(clean(str(block.get("text", ""))))
        elif kind == "thinking":
            thinking = clean(str(block.get("thinking", "")))
            parts.append("<details><summary>reasoning</summary>\n\n" + thinking + "\n\n</details>")
        elif kind == "tool_use":
            parts.append(
                f"**tool call** {_code(label(block.get('name', '?')) or '?')}\n\n"
                + _fence(clean(_input_text(block.get("input", {}))), "json")
            )
        elif kind == "tool_result":
            heading = "**tool error**" if block.get("is_error") else "**tool result**"
            parts.append(heading + "\n\n" + _fence(clean(tool_result_text(block))))
        elif kind == "image":
            source = block.get("source")
            source = source if isinstance(source, dict) else {}
            size = len(str(source.get("data", ""))) * 3 // 4
            parts.append(f"*[image {label(source.get('media_type', '?'))}, {size} bytes]*")
        else:
            parts.append(f"*[{label(kind)} block]*")
    return "\n\n".join(parts)


def to_markdown(session: Session) -> str:
    """The whole session as a Markdown document."""
    title = label(session.title) or label(session.id) or "(untitled)"
    meta = [
        ("session", session.id),
        ("source", session.source),
        ("project", session.project),
        ("cwd", session.cwd),
        ("branch", session.git_branch),
        ("model", session.model),
        ("started", session.started_at),
        ("status", session.status),
        ("messages", str(session.message_count)),
        ("tokens", f"{session.input_tokens} in / {session.output_tokens} out"),
    ]
    if session.parent_session_id:
        meta.append(("parent session", session.parent_session_id))
    lines = [f"# {title}", ""]
    lines += [f"- **{k}**: {label(v)}" for k, v in meta if v]
    lines.append("")
    body = "\n\n".join(message_markdown(m) for m in session.messages)
    return "\n".join(lines) + "\n" + body + "\n"


def to_text(session: Session) -> str:
    """A plain-text transcript for a terminal (inert: control sequences removed)."""
    title = label(session.title) or label(session.id) or "(untitled)"
    out = [title, "=" * min(80, len(title))]
    for message in session.messages:
        stamp = f"  {label(message.created_at)}" if message.created_at else ""
        model = f"  {label(message.model)}" if message.model else ""
        out.append(f"\n[{message.seq}] {label(message.role)}{stamp}{model}")
        for block in message.blocks:
            kind = block.get("type")
            if kind == "text":
                out.append(clean(str(block.get("text", ""))))
            elif kind == "thinking":
                out.append("(reasoning) " + clean(str(block.get("thinking", ""))))
            elif kind == "tool_use":
                out.append(
                    f"-> {label(block.get('name', '?'))} {clean(json.dumps(block.get('input', {}), ensure_ascii=False))}"
                )
            elif kind == "tool_result":
                mark = "<- error: " if block.get("is_error") else "<- "
                out.append(mark + clean(tool_result_text(block)))
            elif kind == "image":
                source = block.get("source") or {}
                media = label(source.get("media_type")) if isinstance(source, dict) else ""
                out.append(f"[image {media}]" if media else "[image]")
            else:
                out.append(f"[{label(kind)} block]")
    return "\n".join(out) + "\n"
