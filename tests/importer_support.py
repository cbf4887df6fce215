"""Builders for hostile transcripts shared by the importer tests (issue 9)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

CLAUDE_SID = "aaaaaaaa-1111-4222-8333-444444444444"
CODEX_SID = "bbbbbbbb-1111-4222-8333-444444444444"


def stamp(second: int) -> str:
    return f"2026-01-01T00:{second // 60 % 60:02d}:{second % 60:02d}.000Z"


def dumps(record: Any) -> str:
    """JSON for a record however deep it nests (json.dumps recurses once per level)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        return json.dumps(record)
    finally:
        sys.setrecursionlimit(limit)


def nested(depth: int, leaf: Any = 0) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def claude_user(uuid: str, text: str, second: int = 0, sid: str = CLAUDE_SID) -> dict[str, Any]:
    return {
        "type": "user",
        "uuid": uuid,
        "sessionId": sid,
        "cwd": "/src/app",
        "timestamp": stamp(second),
        "message": {"role": "user", "content": text},
    }


def claude_tool_use(
    uuid: str, msg_id: str, tool_id: str, tool_input: Any, second: int = 0, sid: str = CLAUDE_SID
) -> dict[str, Any]:
    return {
        "type": "assistant",
        "uuid": uuid,
        "sessionId": sid,
        "timestamp": stamp(second),
        "message": {
            "id": msg_id,
            "role": "assistant",
            "model": "claude-x",
            "content": [{"type": "tool_use", "id": tool_id, "name": "Bash", "input": tool_input}],
        },
    }


def claude_text(
    uuid: str, msg_id: str, text: str, second: int = 0, sid: str = CLAUDE_SID
) -> dict[str, Any]:
    return {
        "type": "assistant",
        "uuid": uuid,
        "sessionId": sid,
        "timestamp": stamp(second),
        "message": {
            "id": msg_id,
            "role": "assistant",
            "model": "claude-x",
            "content": [{"type": "text", "text": text}],
        },
    }


def codex_meta(sid: str = CODEX_SID, cwd: str = "/src/app") -> dict[str, Any]:
    return {
        "timestamp": stamp(0),
        "type": "session_meta",
        "payload": {"id": sid, "timestamp": stamp(0), "cwd": cwd},
    }


def codex_user(text: str, second: int) -> dict[str, Any]:
    return {
        "timestamp": stamp(second),
        "type": "response_item",
        "payload": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        },
    }


def codex_call(call_id: str, second: int, arguments: str = "{}") -> dict[str, Any]:
    return {
        "timestamp": stamp(second),
        "type": "response_item",
        "payload": {
            "type": "function_call",
            "name": "shell",
            "call_id": call_id,
            "arguments": arguments,
        },
    }


def codex_output(call_id: str, output: Any, second: int) -> dict[str, Any]:
    return {
        "timestamp": stamp(second),
        "type": "response_item",
        "payload": {"type": "function_call_output", "call_id": call_id, "output": output},
    }


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r if isinstance(r, str) else dumps(r) + "\n" for r in records))
    return path


def claude_path(root: Path, sid: str = CLAUDE_SID) -> Path:
    return root / "claude" / "-src-app" / f"{sid}.jsonl"


def codex_path(root: Path, sid: str = CODEX_SID) -> Path:
    return root / "codex" / "2026" / "01" / "01" / f"rollout-2026-01-01T00-00-00-{sid}.jsonl"


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """`fn()` run in a thread, failing (instead of hanging the suite) if it takes too long."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if errors:
        raise errors[0]
    return result[0]
