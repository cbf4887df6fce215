"""A session store for the OpenAI Agents SDK: pass `Session` where you would pass `SQLiteSession`.

    from sessionscope.integrations.openai_agents import Session
    session = Session("support-chat-42", title="support chat")
    result = await Runner.run(agent, "Where is my refund?", session=session)

Each item the SDK adds becomes one message with the right role and blocks (user and assistant
text, `function_call` -> tool_use, `function_call_output` -> tool_result, `reasoning` ->
thinking), so runs appear in the browser and in search; the item itself is kept in the
message's metadata, so `get_items` returns exactly what was added (in a store that redacts, with
its secrets redacted field by field: kept as JSON text, the redaction of that text as prose could
take the backslash escaping a quote and leave JSON that no longer parsed). The SDK itself is not imported
here (the session protocol is structural); install it with `pip install sessionscope[openai-agents]`.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from .. import store
from ..store.spec import MessageSpec, Role

SOURCE = "openai-agents"
ITEM_KEY = "openai_agents_item"
"""Message metadata key holding the item as it was added (JSON text in earlier versions)."""

_ROLES: dict[str, Role] = {
    "user": "user",
    "assistant": "assistant",
    "system": "system",
    "developer": "system",
}
_TEXT_PARTS = ("input_text", "output_text", "text", "summary_text", "reasoning_text")


def _part_block(part: Any) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    if not isinstance(part, dict):
        return {"type": "text", "text": str(part)}
    kind = part.get("type")
    if kind in _TEXT_PARTS and isinstance(part.get("text"), str):
        return {"type": "text", "text": part["text"]}
    if kind == "refusal":
        return {"type": "text", "text": str(part.get("refusal", ""))}
    if kind == "input_image":
        return {"type": "text", "text": "[image]"}
    if kind == "input_file":
        return {"type": "text", "text": f"[file {part.get('filename') or ''}]".replace(" ]", "]")}
    return {"type": "text", "text": f"[{kind or 'part'}]"}


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [_part_block(part) for part in content]
    return [] if content is None else [{"type": "text", "text": str(content)}]


def _arguments(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return {"arguments": raw}
        return value if isinstance(value, dict) else {"arguments": value}
    return raw if isinstance(raw, dict) else {"arguments": raw}


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return "\n".join(b["text"] for b in _content_blocks(output) if b.get("text"))
    return json.dumps(output, ensure_ascii=False, default=str)


def to_message(item: dict[str, Any]) -> MessageSpec:
    """The store message for one SDK item (role, blocks, tokens when present, the item's JSON)."""
    if not isinstance(item, dict):
        raise store.InvalidInput(f"a session item must be a dict, not {type(item).__name__}.")
    kind = item.get("type")
    role: Role = "assistant"
    blocks: list[dict[str, Any]] = []
    if kind in (None, "message") and item.get("role") in _ROLES:
        role = _ROLES[item["role"]]
        blocks = _content_blocks(item.get("content"))
    elif kind in ("function_call", "custom_tool_call"):
        blocks = [
            {
                "type": "tool_use",
                "id": str(item.get("call_id") or item.get("id") or ""),
                "name": str(item.get("name") or kind),
                "input": _arguments(item.get("arguments", item.get("input"))),
            }
        ]
    elif kind in ("function_call_output", "custom_tool_call_output"):
        role = "tool"
        blocks = [
            {
                "type": "tool_result",
                "tool_use_id": str(item.get("call_id") or ""),
                "content": _output_text(item.get("output")),
            }
        ]
    elif kind == "reasoning":
        parts = [*(item.get("summary") or []), *(item.get("content") or [])]
        text = "\n".join(b["text"] for b in _content_blocks(parts) if b.get("text"))
        blocks = [{"type": "thinking", "thinking": text}]
    elif isinstance(kind, str) and kind.endswith("_output"):
        role = "tool"
        blocks = [
            {
                "type": "tool_result",
                "tool_use_id": str(item.get("call_id") or item.get("id") or ""),
                "content": _output_text(item.get("output")),
            }
        ]
    elif isinstance(kind, str):  # web_search_call, file_search_call, computer_call, mcp_call...
        details = {k: v for k, v in item.items() if k not in ("type", "id", "status")}
        blocks = [
            {
                "type": "tool_use",
                "id": str(item.get("call_id") or item.get("id") or ""),
                "name": kind,
                "input": details,
            }
        ]
    message: MessageSpec = {
        "role": role,
        "content": blocks,
        "metadata": {ITEM_KEY: json.loads(json.dumps(item, ensure_ascii=False))},
    }
    usage = item.get("usage")
    if isinstance(usage, dict):
        for key in ("input_tokens", "output_tokens"):
            if isinstance(usage.get(key), int) and usage[key] >= 0:
                message[key] = usage[key]
    if isinstance(item.get("model"), str):
        message["model"] = item["model"]
    return message


def from_message(message: store.Message) -> dict[str, Any] | None:
    """The item a message was made from (None for a message the adapter did not write)."""
    raw = message.metadata.get(ITEM_KEY)
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):  # written by an earlier version
        try:
            item = json.loads(raw)
        except ValueError:
            return None
        return item if isinstance(item, dict) else None
    if message.role in ("user", "assistant") and message.text:
        return {"role": message.role, "content": message.text}
    return None


class Session:
    """The Agents SDK session protocol (`get_items`, `add_items`, `pop_item`, `clear_session`)
    over the store. `db` is a path or an open `Store` (default: the default store)."""

    def __init__(
        self,
        session_id: str,
        db: str | os.PathLike[str] | store.Store | None = None,
        *,
        title: str | None = None,
        project: str | None = None,
        source: str = SOURCE,
        session_settings: Any = None,
    ) -> None:
        if not isinstance(session_id, str) or not session_id:
            raise store.InvalidInput("session_id must be a non-empty string.")
        self.session_id = session_id
        self.session_settings = session_settings
        self._owned = not isinstance(db, store.Store)
        self.db: store.Store = db if isinstance(db, store.Store) else store.open(db)
        self._title, self._project, self._source = title, project, source

    def close(self) -> None:
        """Close the store if this session opened it."""
        if self._owned:
            self.db.close()

    def _limit(self, limit: int | None) -> int | None:
        if limit is None and self.session_settings is not None:
            limit = getattr(self.session_settings, "limit", None)
            if isinstance(self.session_settings, dict):
                limit = self.session_settings.get("limit")
        return limit

    def _get(self, limit: int | None) -> list[dict[str, Any]]:
        if limit is not None and limit >= 0:
            if limit == 0:
                return []
            total = self.db.message_count(self.session_id)
            messages = self.db.messages(self.session_id, max(0, total - limit))
        else:
            messages = self.db.messages(self.session_id)
        return [item for item in map(from_message, messages) if item is not None]

    def _add(self, items: list[dict[str, Any]]) -> None:
        messages = [to_message(item) for item in items]
        with self.db.transaction():
            self.db.start_session(
                self._title, self._source, self._project, id=self.session_id, exist_ok=True
            )
            self.db.append_many(self.session_id, messages)

    def _pop(self) -> dict[str, Any] | None:
        with self.db.transaction():
            total = self.db.message_count(self.session_id)
            if total == 0:
                return None
            kept = self.db.messages(self.session_id)
            last = kept.pop()
            self.db.save(self.session_id, kept)
        return from_message(last)

    async def get_items(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The session's items in order; with `limit`, the latest `limit` of them."""
        return await asyncio.to_thread(self._get, self._limit(limit))

    async def add_items(self, items: list[dict[str, Any]]) -> None:
        """Append items, one message each, in one transaction."""
        if items:
            await asyncio.to_thread(self._add, list(items))

    async def pop_item(self) -> dict[str, Any] | None:
        """Remove and return the latest item (None when the session is empty)."""
        return await asyncio.to_thread(self._pop)

    async def clear_session(self) -> None:
        """Delete the session and everything it holds."""
        await asyncio.to_thread(self.db.delete_session, self.session_id)
