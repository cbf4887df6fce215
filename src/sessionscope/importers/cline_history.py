"""The messages of a Cline or Roo Code `api_conversation_history.json` (see `cline.py`).

Rules (format: cline/cline `src/core/prompts/responses.ts` and the task's `pushToolResult`;
RooCodeInc/Roo-Code `src/core/task-persistence/apiMessages.ts`, `rooMessage.ts`,
`src/core/condense/index.ts`, `src/core/context-management/index.ts`; facts in
tests/fixtures/README.md):
- the file is a list of Anthropic messages, or (Roo Code's RooMessage storage) `{version: 2,
  messages}` whose parts are the AI SDK's (`tool-call`, `tool-result`, `reasoning`) and whose
  tool results are `role: "tool"` messages;
- a user message is mostly what the extension wrote: tool results (`tool_result` blocks, or with
  XML tool calls a `[<tool> for '<arg>'] Result:` text followed by the output), the
  `<environment_details>` it appends, `[ERROR] …`/`[TASK RESUMPTION] …` notices. Results are a
  `tool` message, the rest a `system` message of kind `context`; what the user typed is the
  text of `<feedback>`, `<answer>` and `<user_message>` (and of the first message's `<task>`);
- Roo Code: a top-level `{type: "reasoning", summary}` item (OpenAI reasoning) and an assistant's
  `reasoning_content` or `{type: "reasoning", text}` blocks are thinking of the next reply; a
  condense summary (`isSummary`, an assistant message made by a call of its own) is kind
  `compact_summary` after a `compaction` marker and takes no `api_req_started` row; a sliding
  window marker (`isTruncationMarker`) is a `system` message of kind `truncation`.
"""

from __future__ import annotations

import json
from typing import Any

from ..store.blocks import normalize
from ..store.spec import MessageSpec
from .common import system_message, tag_text

ENVIRONMENT = "<environment_details>"
TYPED_TAGS = ("feedback", "answer", "user_message")


def history_items(data: Any) -> list[Any] | None:
    """The messages of the file: a list, or Roo Code's `{version, messages}` (None else)."""
    if isinstance(data, dict):
        data = data.get("messages")
    return list(data) if isinstance(data, list) else None


def _output_text(output: Any) -> tuple[Any, bool]:
    """An AI SDK tool result's output as (content, is_error)."""
    if isinstance(output, dict):
        kind, value = output.get("type"), output.get("value")
        error = isinstance(kind, str) and kind.startswith("error")
        if isinstance(value, str):
            return value, error
        if kind == "content" and isinstance(value, list):
            parts = [v.get("text") for v in value if isinstance(v, dict)]
            return "\n".join(p for p in parts if isinstance(p, str)), error
        return json.dumps(value, ensure_ascii=False, default=str), error
    if isinstance(output, str):
        return output, output.lstrip().startswith("[ERROR]")
    return json.dumps(output, ensure_ascii=False, default=str), False


def blocks_of(content: Any) -> list[dict[str, Any]]:
    """Anthropic-shaped blocks of a message's content, AI SDK parts converted."""
    out: list[dict[str, Any]] = []
    for block in normalize(content, lenient=True):
        kind = block.get("type")
        if kind == "reasoning" and isinstance(block.get("text"), str):
            out.append({"type": "thinking", "thinking": block["text"]})
        elif kind == "tool-call":
            args = block.get("input", block.get("args"))
            out.append(
                {
                    "type": "tool_use",
                    "id": str(block.get("toolCallId") or ""),
                    "name": str(block.get("toolName") or "tool"),
                    "input": args if isinstance(args, dict) else {},
                }
            )
        elif kind == "tool-result":
            text, error = _output_text(block.get("output"))
            out.append(
                {
                    "type": "tool_result",
                    "tool_use_id": str(block.get("toolCallId") or ""),
                    "content": text,
                    "is_error": error,
                }
            )
        else:
            out.append(block)
    return out


def reasoning_text(item: dict[str, Any]) -> str:
    """The readable part of a top-level reasoning item (its summary, else its text)."""
    texts = [
        s.get("text")
        for s in item.get("summary") or []
        if isinstance(s, dict) and isinstance(s.get("text"), str)
    ]
    if not texts and isinstance(item.get("text"), str):
        texts = [item["text"]]
    return "\n".join(t for t in texts if t)


def _only_tags(text: str) -> bool:
    """Whether `text` is nothing but `<feedback>…</feedback>`-style wrappers of typed text."""
    rest = text.strip()
    for tag in TYPED_TAGS:
        inner = tag_text(rest, tag)
        if inner is not None and rest.startswith(f"<{tag}>") and rest.endswith(f"</{tag}>"):
            return True
    return False


def _is_environment(block: dict[str, Any]) -> bool:
    text = block.get("text")
    return isinstance(text, str) and text.lstrip().startswith(ENVIRONMENT)


def _is_header(text: str) -> bool:
    """`[read_file for 'src/a.ts'] Result:`: the line an XML tool call's result starts with."""
    line = text.strip()
    return line.startswith("[") and line.endswith("] Result:") and "\n" not in line


def _written_by_extension(text: str) -> bool:
    """Text outside a tool result the extension wrote (notices, wrappers), not the user."""
    line = text.lstrip()
    return line.startswith(("[", "<", "Tool [", "The user ")) or not line


def split_user(
    blocks: list[dict[str, Any]], key: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """(tool results, extension-written blocks, typed texts) of a user message."""
    results: list[dict[str, Any]] = []
    context: list[dict[str, Any]] = []
    typed: list[str] = []
    group: list[dict[str, Any]] | None = None
    for block in blocks:
        text = block.get("text") if block.get("type") == "text" else None
        if block.get("type") == "tool_result":
            results.append(block)
            group = None
            continue
        found: list[str] = []
        if isinstance(text, str):
            found = [t for t in (tag_text(text, tag) for tag in TYPED_TAGS) if t]
            typed.extend(found)
            if text.lstrip().startswith(ENVIRONMENT):
                context.append(block)
                group = None
                continue
            if _is_header(text):
                group = [block]
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": f"{key}/{len(results)}",
                        "content": group,
                    }
                )
                continue
        if group is not None:
            group.append(block)
        elif found and _only_tags(text or ""):
            continue  # nothing but what the user typed: that is the user message
        elif isinstance(text, str) and not found and not _written_by_extension(text):
            typed.append(text.strip())
        else:
            context.append(block)
    for result in results:  # an XML result of text alone is one string
        parts = result["content"]
        if isinstance(parts, list) and all(p.get("type") == "text" for p in parts):
            result["content"] = "\n".join(p["text"] for p in parts)
    return results, context, typed


def _context(
    blocks: list[dict[str, Any]], key: str, created: str | None, *, first: bool
) -> MessageSpec:
    """The extension's context a user message carried, as a `system` message of kind `context`
    (keyed by the message itself when nothing of it came before)."""
    return system_message(
        blocks, key if first else f"{key}/context", {"kind": "context"}, created_at=created
    )


def user_messages(blocks: list[dict[str, Any]], key: str, created: str | None) -> list[MessageSpec]:
    """The messages a user message of the history gives: tool results, context, typed text."""
    results, context, typed = split_user(blocks, key)
    if results and all(_is_environment(b) for b in context):
        results, context = results + context, []  # the details sent with the results
    out: list[MessageSpec] = []
    if results:
        out.append({"role": "tool", "content": results, "created_at": created, "external_id": key})
    if context:
        out.append(_context(context, key, created, first=not out))
    if typed:
        out.append(
            {
                "role": "user",
                "content": [{"type": "text", "text": "\n\n".join(typed)}],
                "created_at": created,
                "external_id": f"{key}/user" if out else key,
            }
        )
    return out


def first_prompt(
    blocks: list[dict[str, Any]], key: str, created: str | None
) -> tuple[list[MessageSpec], str]:
    """The task's first message: the prompt (the `<task>` text) and its context; and its text."""
    typed: list[dict[str, Any]] = []
    context: list[dict[str, Any]] = []
    for block in blocks:
        text = block.get("text") if block.get("type") == "text" else None
        if isinstance(text, str) and text.lstrip().startswith(ENVIRONMENT):
            context.append(block)
        elif isinstance(text, str) and tag_text(text, "task") is not None:
            typed.append({"type": "text", "text": tag_text(text, "task")})
        else:
            typed.append(block)
    out: list[MessageSpec] = []
    if typed:
        out.append({"role": "user", "content": typed, "created_at": created, "external_id": key})
    if context:
        out.append(_context(context, key, created, first=not out))
    text = "\n".join(b["text"] for b in typed if isinstance(b.get("text"), str))
    return out, text


def notice(row: dict[str, Any], index: int, when: str | None) -> MessageSpec | None:
    """The system message a ui_messages.json row gives when it is an error the history does
    not hold: `ask: api_req_failed` (the API error shown) or `say: error`."""
    text = row.get("text") if isinstance(row.get("text"), str) else ""
    meta: dict[str, Any]
    if row.get("ask") == "api_req_failed":
        meta, text = {"kind": "api_error"}, text or "API request failed"
    elif row.get("say") == "error" and text:
        meta = {"kind": "error", "level": "error"}
    else:
        return None
    return system_message(text, f"ui/{index}", meta, created_at=when)


def cancel_notice(info: dict[str, Any], key: str) -> MessageSpec | None:
    """The marker of a request cut short (`api_req_started`'s `cancelReason`,
    `ClineApiReqInfo`): by the user (kind `interrupt`), else by a failed stream or exhausted
    retries (kind `api_error`, with `streamingFailedMessage`)."""
    reason = info.get("cancelReason")
    if not isinstance(reason, str):
        return None
    if reason == "user_cancelled":
        meta, text = {"kind": "interrupt", "reason": reason}, "Request cancelled by the user"
    else:
        failed = info.get("streamingFailedMessage")
        meta = {"kind": "api_error", "reason": reason}
        text = "API request failed" + (f": {failed}" if isinstance(failed, str) else "")
    return system_message(text, f"{key}/cancelled", meta)


__all__ = [
    "blocks_of",
    "cancel_notice",
    "first_prompt",
    "history_items",
    "notice",
    "reasoning_text",
    "user_messages",
]
