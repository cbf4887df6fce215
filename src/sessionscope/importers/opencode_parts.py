"""OpenCode's messages and their parts as store messages.

Format: sst/opencode `packages/opencode/src/session/message-v2.ts`; facts in
tests/fixtures/README.md.

- the content of a message is its parts in id order: `text` -> text, `reasoning` -> thinking,
  `tool` -> tool_use (`callID`, `tool`, `state.input`) and, once it has run, a tool message with
  a tool_result (`state.output`, or `state.error` with is_error), `file` -> a text line naming
  it; step-start/step-finish/snapshot/patch parts carry no text and are left out.
"""

from __future__ import annotations

import json
from typing import Any

from ..store.spec import MessageSpec
from .common import count, ts


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def convert(info: dict[str, Any], parts: list[dict[str, Any]], mid: str) -> list[MessageSpec]:
    """The store messages of one OpenCode message (its info and its parts, in order)."""
    role = info.get("role")
    time = _dict(info.get("time"))
    created = ts(time.get("created"))
    blocks: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for part in parts:
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str) and part["text"]:
            blocks.append({"type": "text", "text": part["text"]})
        elif kind == "reasoning" and isinstance(part.get("text"), str) and part["text"]:
            blocks.append({"type": "thinking", "thinking": part["text"]})
        elif kind == "file":
            name = part.get("filename") or part.get("url") or "file"
            blocks.append({"type": "text", "text": f"[file: {name}]"})
        elif kind == "tool":
            state = _dict(part.get("state"))
            call_id = str(part.get("callID") or part.get("id") or f"{mid}/{len(blocks)}")
            args = state.get("input")
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call_id,
                    "name": str(part.get("tool") or "tool"),
                    "input": args if isinstance(args, dict) else {},
                }
            )
            status = state.get("status")
            if status in ("completed", "error"):
                output = state.get("output") if status == "completed" else state.get("error")
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": call_id,
                        "content": output if isinstance(output, str) else json.dumps(output),
                        "is_error": status == "error",
                    }
                )
    if role != "user" and role != "assistant":
        return []
    msg: MessageSpec = {
        "role": role,
        "content": blocks,
        "created_at": created,
        "external_id": mid,
    }
    if role == "assistant":
        tokens = _dict(info.get("tokens"))
        cache = _dict(tokens.get("cache"))
        model, cost = info.get("modelID"), info.get("cost")
        msg["model"] = model if isinstance(model, str) else None
        msg["input_tokens"] = count(tokens.get("input"))
        msg["output_tokens"] = count(tokens.get("output")) + count(tokens.get("reasoning"))
        msg["cache_read_tokens"] = count(cache.get("read"))
        msg["cache_creation_tokens"] = count(cache.get("write"))
        msg["cost_usd"] = cost if isinstance(cost, (int, float)) else 0.0
    out = [msg]
    if results:
        out.append(
            {"role": "tool", "content": results, "created_at": created, "external_id": mid + "/r"}
        )
    return out
