"""The demo's foreign databases: OpenCode's `opencode.db` (tables `project`, `session`,
`message`, `part`, as sst/opencode's drizzle schema creates them, trimmed) and Cursor's
`state.vscdb` (`cursorDiskKV`: `composerData:<id>` and `bubbleId:<id>:<bubble>` JSON values)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from .agent_turns import Conversation, call_input, output_text, tool_name, touch
from .steps import Call

OPENCODE_SCHEMA = """
CREATE TABLE project (
  id TEXT PRIMARY KEY, worktree TEXT NOT NULL, vcs TEXT, name TEXT,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, sandboxes TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE session (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL, parent_id TEXT, slug TEXT NOT NULL,
  directory TEXT NOT NULL, title TEXT NOT NULL, version TEXT NOT NULL, share_url TEXT,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, time_compacting INTEGER,
  time_archived INTEGER
);
CREATE TABLE message (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL,
  time_updated INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE part (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL,
  time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX message_session_idx ON message (session_id);
CREATE INDEX part_message_idx ON part (message_id);
CREATE INDEX part_session_idx ON part (session_id);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _add_message(
    conn: sqlite3.Connection, sid: str, seq: int, info: dict[str, Any], parts: list[dict[str, Any]]
) -> int:
    """Insert one message and its parts (ids sort in time order, as OpenCode's do)."""
    seq += 1
    at = int(info["time"]["created"])
    mid = f"msg_{at:013d}{seq:03d}"
    conn.execute("INSERT INTO message VALUES (?, ?, ?, ?, ?)", (mid, sid, at, at, _dumps(info)))
    for k, part in enumerate(parts):
        conn.execute(
            "INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)",
            (f"prt_{at:013d}{seq:03d}{k:02d}", mid, sid, at, at, _dumps(part)),
        )
    return seq


def write_opencode_db(root: Path, convs: list[Conversation]) -> Path:
    """`.local/share/opencode/opencode.db` holding `convs` (ids in time order, as OpenCode's
    are); returns the data folder."""
    folder = root / ".local" / "share" / "opencode"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "opencode.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(OPENCODE_SCHEMA)
    seen: set[str] = set()
    for n, c in enumerate(sorted(convs, key=lambda c: c.start)):
        pid = f"prj_{c.project.name}"
        if pid not in seen:
            seen.add(pid)
            conn.execute(
                "INSERT INTO project VALUES (?, ?, 'git', ?, ?, ?, '[]')",
                (pid, c.project.cwd, c.project.name, c.start, c.start),
            )
        sid = f"ses_{c.start:013d}{n:02d}"
        title = c.exchanges[0].prompt.splitlines()[0][:80]
        conn.execute(
            "INSERT INTO session VALUES (?, ?, NULL, ?, ?, ?, '1.0.0', NULL, ?, ?, NULL, NULL)",
            (sid, pid, f"demo-{n}", c.project.cwd, title, c.start, c.end),
        )
        seq = 0
        provider = "anthropic" if "claude" in c.model else "openai"
        for ex in c.exchanges:
            seq = _add_message(
                conn,
                sid,
                seq,
                {"role": "user", "time": {"created": ex.at}, "agent": "build"},
                [{"type": "text", "text": ex.prompt}],
            )
            for turn in ex.turns:
                parts: list[dict[str, Any]] = [{"type": "step-start"}]
                if turn.thinking:
                    parts.append({"type": "reasoning", "text": turn.thinking})
                if turn.text:
                    parts.append({"type": "text", "text": turn.text})
                for k, call in enumerate(turn.calls):
                    state: dict[str, Any] = {
                        "status": "error" if call.is_error else "completed",
                        "input": call_input(call),
                        "time": {"start": turn.at, "end": turn.at + 400},
                    }
                    state["error" if call.is_error else "output"] = output_text(call)
                    parts.append(
                        {
                            "type": "tool",
                            "callID": f"call_{turn.at}_{k}",
                            "tool": tool_name("opencode", call.name),
                            "state": state,
                        }
                    )
                parts.append({"type": "step-finish", "reason": "stop"})
                info = {
                    "role": "assistant",
                    "time": {"created": turn.at, "completed": turn.at + 900},
                    "modelID": c.model,
                    "providerID": provider,
                    "cost": round((turn.input_tokens * 3 + turn.output_tokens * 15) / 1e6, 6),
                    "tokens": {
                        "input": turn.input_tokens,
                        "output": turn.output_tokens,
                        "reasoning": 0,
                        "cache": {"read": turn.cached, "write": 0},
                    },
                }
                seq = _add_message(conn, sid, seq, info, parts)
    conn.commit()
    conn.close()
    touch(path, max(c.end for c in convs))
    return folder


def write_cursor_db(root: Path, convs: list[Conversation]) -> Path:
    """Cursor's `User/globalStorage/state.vscdb` holding `convs` as composers and bubbles."""
    folder = root / ".config" / "Cursor" / "User" / "globalStorage"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "state.vscdb"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    conn.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    for c in convs:
        heads: list[dict[str, Any]] = []

        def bubble(value: dict[str, Any], cid: str = c.id, heads: list[Any] = heads) -> None:
            bid = f"b{len(heads) + 1:03d}"
            heads.append({"bubbleId": bid, "type": value["type"]})
            conn.execute(
                "INSERT INTO cursorDiskKV VALUES (?, ?)",
                (f"bubbleId:{cid}:{bid}", _dumps({"_v": 2, "bubbleId": bid, **value})),
            )

        for ex in c.exchanges:
            bubble({"type": 1, "text": ex.prompt, "createdAt": ex.at})
            for turn in ex.turns:
                calls: list[Call | None] = [*turn.calls] or [None]
                for k, call in enumerate(calls):
                    value: dict[str, Any] = {"type": 2, "createdAt": turn.at}
                    if k == 0:
                        value["text"] = turn.text or ""
                        if turn.thinking:
                            value["thinking"] = {"text": turn.thinking}
                        value["tokenCount"] = {
                            "inputTokens": turn.input_tokens + turn.cached,
                            "outputTokens": turn.output_tokens,
                        }
                        value["modelInfo"] = {"modelName": c.model}
                    if call is not None:
                        value["toolFormerData"] = {
                            "toolCallId": f"toolu_{turn.at}_{k}",
                            "name": tool_name("cursor", call.name).lower(),
                            "params": _dumps(call_input(call)),
                            "status": "error" if call.is_error else "completed",
                            "result": output_text(call),
                        }
                    bubble(value)
        composer = {
            "_v": 3,
            "composerId": c.id,
            "name": c.exchanges[0].prompt.splitlines()[0][:60],
            "createdAt": c.start,
            "lastUpdatedAt": c.end,
            "fullConversationHeadersOnly": heads,
        }
        conn.execute(
            "INSERT INTO cursorDiskKV VALUES (?, ?)", (f"composerData:{c.id}", _dumps(composer))
        )
    conn.commit()
    conn.close()
    touch(path, max(c.end for c in convs))
    return path
