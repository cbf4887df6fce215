"""Codex CLI rollout items: content, calls and outputs as Anthropic-style blocks, and the
constants the parser classifies records by (see `importers.codex`)."""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

from ..store.blocks import normalize
from .common import plain_text, tag_text

# User-role messages Codex writes itself (core's contextual user fragments, the review exit
# template): `system` messages of these kinds, never prompts.
CONTEXT = {
    "<environment_context>": "environment_context",
    "<user_instructions>": "instructions",
    "# AGENTS.md instructions": "instructions",
    "<INSTRUCTIONS>": "instructions",
    "<skill>": "instructions",
    "<user_shell_command>": "user_shell_command",
    "<turn_aborted>": "context",
    "<subagents>": "context",
    "<subagent_notification>": "subagent_notification",
    "<SUBAGENT_NOTIFICATION>": "subagent_notification",
    "<user_action>": "review",
}
ROLLOUT_ID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
CWD_LINE = "Current working directory:"
EXIT_CODE = re.compile(r"^\s*Exit code:\s*(-?\d+)")
PROCESS_EXIT = re.compile(r"^Process exited with code (-?\d+)", re.M)
EXIT_SCAN = 4096  # unified exec writes its header lines first: only these bytes are searched
CALLS = {
    "function_call",
    "custom_tool_call",
    "local_shell_call",
    "web_search_call",
    "tool_search_call",
}
OUTPUTS = {
    "function_call_output",
    "custom_tool_call_output",
    "local_shell_call_output",
    "tool_search_output",
}
# Events and items that repeat what is stored, or carry nothing to store (counted as noise).
NOISE = frozenset(
    {
        "agent_message",
        "agent_reasoning",
        "agent_reasoning_raw_content",
        "agent_reasoning_section_break",
        "exec_command_begin",
        "exec_command_output_delta",
        "patch_apply_begin",
        "mcp_tool_call_begin",
        "mcp_tool_call_end",
        "web_search_begin",
        "task_started",
        "task_complete",
        "turn_diff",
        "turn_context",
        "ghost_snapshot",
        "compaction",
        "background_event",
        "plan_update",
        "get_history_entry_response",
        "mcp_list_tools_response",
        "list_custom_prompts_response",
        "session_configured",
        "shutdown_complete",
        "entered_review_mode",
        "exited_review_mode",
        "view_image_tool_call",
        "stream_error",
        "warning",
        "reasoning_content_delta",
        "agent_message_delta",
        "item_started",
        "item_completed",
        "deprecation_notice",
        "undo_started",
        "collab_agent_spawn_begin",
        "collab_agent_spawn_end",
        # persisted by newer rollouts, repeating what the items hold (or holding nothing to read)
        "turn_started",
        "turn_complete",
        "image_generation_begin",
        "image_generation_end",
        "context_compaction",
        "additional_tools",
        "collab_agent_interaction_end",
        "collab_waiting_end",
        "collab_close_end",
        "collab_resume_end",
        "sub_agent_activity",
        "thread_goal_updated",
        "guardian_assessment",
        "dynamic_tool_call_request",
        "dynamic_tool_call_response",
    }
)


def context_cwd(text: str) -> str | None:
    """The cwd an `<environment_context>` message names: its `<cwd>` tag, else a line
    `Current working directory: …` (string searches only: linear on any text)."""
    cwd = tag_text(text, "cwd")
    if cwd is not None:
        return cwd
    at = text.find(CWD_LINE)
    while at > 0 and text[at - 1] != "\n":
        at = text.find(CWD_LINE, at + 1)
    if at < 0:
        return None
    rest = text[at + len(CWD_LINE) :].lstrip()
    return rest.split("\n", 1)[0].strip() or None


def digest(text: str) -> str:
    return format(zlib.crc32(text.encode("utf-8", "surrogatepass")), "08x")


def content_blocks(content: Any) -> list[dict[str, Any]]:
    """Codex content items (input_text, output_text, input_image) as Anthropic blocks."""
    if not isinstance(content, list):
        return normalize(content, lenient=True)
    blocks: list[dict[str, Any]] = []
    for item in content:
        if not isinstance(item, dict):
            blocks.extend(normalize(item, lenient=True))
            continue
        kind = item.get("type")
        if kind in ("input_text", "output_text", "text") and isinstance(item.get("text"), str):
            blocks.append({"type": "text", "text": item["text"]})
        elif kind == "input_image" and isinstance(item.get("image_url"), str):
            url = item["image_url"]
            if url.startswith("data:") and ";base64," in url:
                media, data = url[5:].split(";base64,", 1)
                blocks.append(
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": media, "data": data},
                    }
                )
            else:
                blocks.append({"type": "image", "source": {"type": "url", "url": url}})
        elif isinstance(item.get("text"), str):
            blocks.append({"type": "text", "text": item["text"]})
    return blocks


def tool_output(output: Any) -> tuple[Any, bool, dict[str, Any]]:
    """(content, is_error, metadata) of a call's output, whichever shape Codex wrote."""
    meta: dict[str, Any] = {}
    if isinstance(output, str):
        try:
            parsed = json.loads(output)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than it can read
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("output"), str):
            info: dict[str, Any] = (
                parsed["metadata"] if isinstance(parsed.get("metadata"), dict) else {}
            )
            code = info.get("exit_code")
            if isinstance(code, int) and not isinstance(code, bool):
                meta["exit_code"] = code
            if isinstance(info.get("duration_seconds"), (int, float)):
                meta["duration_seconds"] = info["duration_seconds"]
            return parsed["output"], meta.get("exit_code", 0) != 0, meta
        match = EXIT_CODE.match(output) or PROCESS_EXIT.search(output, 0, EXIT_SCAN)
        if match:
            meta["exit_code"] = int(match.group(1))
        return output, meta.get("exit_code", 0) != 0, meta
    if isinstance(output, dict):
        content = output.get("content", output.get("output"))
        failed = output.get("success") is False
        if isinstance(content, list):
            content = plain_text(content_blocks(content))
        return content if isinstance(content, str) else json.dumps(output), failed, meta
    if isinstance(output, list):
        return plain_text(content_blocks(output)), False, meta
    return "" if output is None else str(output), False, meta


def tool_use(item: dict[str, Any], key: str) -> dict[str, Any]:
    kind = item.get("type")
    call_id = item.get("call_id") or item.get("id") or key
    if kind == "function_call":
        raw = item.get("arguments")
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except (ValueError, RecursionError):
            value = None
        tool_input = value if isinstance(value, dict) else {"arguments": raw}
        name = item.get("name")
    elif kind == "custom_tool_call":
        tool_input = {"input": item.get("input")}
        name = item.get("name")
    elif kind == "tool_search_call":
        tool_input = {k: v for k, v in item.items() if k not in ("type", "call_id", "id")}
        name = "tool_search"
    elif kind == "local_shell_call":
        action = item.get("action")
        tool_input = action if isinstance(action, dict) else {"action": action}
        name = "local_shell"
    else:
        action = item.get("action")
        tool_input = action if isinstance(action, dict) else {}
        name = "web_search"
    return {"type": "tool_use", "id": str(call_id), "name": str(name or kind), "input": tool_input}
