"""Cursor (the IDE's agent and chat): `<Cursor user dir>/globalStorage/state.vscdb`.

Rules (facts in tests/fixtures/README.md):
- the database's `cursorDiskKV` table holds one `composerData:<composer id>` JSON value per
  conversation (`name`, `createdAt`, `lastUpdatedAt`, `fullConversationHeadersOnly`: the bubble
  ids in order; older versions keep the bubbles inline in `conversation`) and one
  `bubbleId:<composer id>:<bubble id>` JSON value per message;
- a bubble of `type` 1 is the user's, 2 the assistant's: `text` is the text, `thinking.text`
  reasoning, `toolFormerData` a tool call (`toolCallId`, `name`, `params`/`rawArgs` JSON text)
  with its `result` (`status` `error` marks it failed), `tokenCount` {inputTokens,
  outputTokens}, `modelInfo.modelName` the model;
- values that are not JSON (older protobuf blobs) are skipped, counted and reported, never
  silently; the database is opened as OpenCode's is: never modified (immutable, or a copy of it
  and its WAL while the WAL holds data);
- incremental by `lastUpdatedAt`: a conversation that did not change is not read again.
The agent CLI's transcripts (`~/.cursor/projects/<p>/agent-transcripts/`) are this source's
second location, read by `cursor_transcripts` (a conversation the IDE database holds is read
from there only).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..store.spec import MessageSpec
from .common import count, text_field, title_from, ts
from .contract import MACOS, ParsedSession, Problem, SnapshotSource, Unit, UnitError, this_system
from .cursor_transcripts import TRANSCRIPTS, cursor_home, parse_transcript, transcript_files
from .opencode import open_readonly
from .snapshot import file_unit
from .wholefile import max_unit_bytes

SOURCE = "cursor"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json(value: Any) -> Any:
    if isinstance(value, bytes):  # a BLOB: bytes that are not UTF-8 as U+FFFD, as in text
        value = value.decode("utf-8", "replace")
    return json.loads(value) if isinstance(value, str) else None


def bubble_messages(bubble: dict[str, Any], bid: str) -> list[MessageSpec]:
    """The store messages of one bubble (an assistant bubble with a tool call adds its result)."""
    kind = bubble.get("type")
    created = ts(bubble.get("createdAt"))
    text: str = bubble["text"] if isinstance(bubble.get("text"), str) else ""
    if kind == 1:
        return [{"role": "user", "content": text, "created_at": created, "external_id": bid}]
    if kind != 2:
        return []
    blocks: list[dict[str, Any]] = []
    thinking = _dict(bubble.get("thinking")).get("text")
    if isinstance(thinking, str) and thinking:
        blocks.append({"type": "thinking", "thinking": thinking})
    if text:
        blocks.append({"type": "text", "text": text})
    out: list[MessageSpec] = []
    tool = _dict(bubble.get("toolFormerData"))
    result_msg: MessageSpec | None = None
    if tool:
        call_id = str(tool.get("toolCallId") or bid)
        raw = tool.get("params") or tool.get("rawArgs")
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except (ValueError, RecursionError):
            args = {"arguments": raw}
        blocks.append(
            {
                "type": "tool_use",
                "id": call_id,
                "name": str(tool.get("name") or "tool"),
                "input": args if isinstance(args, dict) else {},
            }
        )
        if tool.get("result") is not None:
            result = tool["result"]
            result_msg = {
                "role": "tool",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": call_id,
                        "content": result if isinstance(result, str) else json.dumps(result),
                        "is_error": tool.get("status") == "error",
                    }
                ],
                "created_at": created,
                "external_id": bid + "/r",
            }
    if not blocks:
        return []
    tokens = _dict(bubble.get("tokenCount"))
    model = text_field(_dict(bubble.get("modelInfo")).get("modelName"))
    out.append(
        {
            "role": "assistant",
            "content": blocks,
            "created_at": created,
            "external_id": bid,
            "model": model,
            "input_tokens": count(tokens.get("inputTokens")),
            "output_tokens": count(tokens.get("outputTokens")),
        }
    )
    if result_msg is not None:
        out.append(result_msg)
    return out


def read_state_db(
    path: Path, problems: list[Problem], versions: dict[str, Any]
) -> Iterator[ParsedSession]:
    """The database's changed conversations, one at a time (the database is often a GB: its
    keys are listed first, then each conversation's values are read as it is parsed)."""
    limit = max_unit_bytes()
    with open_readonly(path, "Cursor") as conn:
        try:
            keys = conn.execute(
                "SELECT rowid, key, length(value) FROM cursorDiskKV"
                " WHERE key >= 'composerData:' AND key < 'composerData;'"
            ).fetchall()
        except sqlite3.Error as exc:
            raise UnitError(f"not a Cursor state database ({exc!s:.80})") from exc
        for rowid, key, size in keys:
            cid = str(key).split(":", 1)[1]
            if (size or 0) > limit:
                problems.append(Problem(0, f"composer {cid}: too large to read ({size:,} bytes)"))
                continue
            # by rowid: a key read with U+FFFD for bytes that are not UTF-8 would match nothing
            row = conn.execute(
                "SELECT value FROM cursorDiskKV WHERE rowid = ?", (rowid,)
            ).fetchone()
            try:
                composer = _json(row[0] if row else None)
            except (ValueError, UnicodeDecodeError, RecursionError):
                problems.append(Problem(0, f"composer {cid}: not JSON (an older binary value)"))
                continue
            if not isinstance(composer, dict):
                continue
            version = composer.get("lastUpdatedAt")
            if version is not None and versions.get(cid) == version:
                continue
            bubbles = _bubbles(conn, cid, composer, problems, limit)
            messages = [m for bid, b in bubbles for m in bubble_messages(b, bid)]
            if not messages:
                continue
            prompt = next((m["content"] for m in messages if m["role"] == "user"), None)
            title = text_field(composer.get("name")) or (
                title_from(prompt) if isinstance(prompt, str) and prompt else None
            )
            models = [m.get("model") for m in messages if m.get("model")]
            fields = {
                "started_at": ts(composer.get("createdAt")),
                "ended_at": ts(version),
                "model": models[-1] if models else None,
            }
            yield ParsedSession(cid, messages, title, fields, version)


def _bubbles(
    conn: sqlite3.Connection,
    cid: str,
    composer: dict[str, Any],
    problems: list[Problem],
    limit: int,
) -> list[tuple[str, dict[str, Any]]]:
    """(bubble id, bubble) in conversation order."""
    inline = composer.get("conversation")
    if isinstance(inline, list) and inline:
        return [
            (str(b.get("bubbleId") or f"{cid}/{n}"), b)
            for n, b in enumerate(inline)
            if isinstance(b, dict)
        ]
    out: list[tuple[str, dict[str, Any]]] = []
    for header in composer.get("fullConversationHeadersOnly") or []:
        bid = _dict(header).get("bubbleId")
        if not isinstance(bid, str):
            continue
        row = conn.execute(
            "SELECT CASE WHEN length(value) > ? THEN NULL ELSE value END, length(value)"
            " FROM cursorDiskKV WHERE key = ?",
            (limit, f"bubbleId:{cid}:{bid}"),
        ).fetchone()
        if row is None:
            continue
        if (row[1] or 0) > limit:
            problems.append(Problem(0, f"bubble {cid}:{bid}: too large to read"))
            continue
        try:
            bubble = _json(row[0])
        except (ValueError, UnicodeDecodeError, RecursionError):
            problems.append(Problem(0, f"bubble {cid}:{bid}: not JSON (an older binary value)"))
            continue
        if isinstance(bubble, dict):
            out.append((bid, bubble))
    return out


def composer_ids(path: Path) -> set[str]:
    """The conversation ids the IDE database holds (empty when it cannot be read)."""
    try:
        with open_readonly(path, "Cursor") as conn:
            rows = conn.execute(
                "SELECT key FROM cursorDiskKV WHERE key >= 'composerData:'"
                " AND key < 'composerData;'"
            ).fetchall()
    except (UnitError, sqlite3.Error):
        return set()
    return {str(r[0]).split(":", 1)[1] for r in rows}


class CursorSource(SnapshotSource):
    """Cursor's conversations: the IDE's global state database and the agent's transcripts."""

    name = SOURCE
    title = "Cursor"

    def default_locations(self, system: str | None = None) -> list[Path]:
        base = (
            Path.home() / "Library" / "Application Support"
            if (system or this_system()) == MACOS
            else Path.home() / ".config"
        )
        return [
            base / "Cursor" / "User" / "globalStorage" / "state.vscdb",
            cursor_home() / "projects",
        ]

    def units(self, root: Path) -> list[Unit]:
        if _holds_transcripts(root):
            return self._transcript_units(root)
        path = root if root.is_file() else root / "state.vscdb"
        if not path.is_file():
            found = sorted(root.rglob("globalStorage/state.vscdb")) if root.is_dir() else []
            if not found:
                return []
            path = found[0]
        unit = file_unit(path)
        if unit is None:
            return []
        unit.streamed = True
        wal = Path(f"{path}-wal")
        if wal.exists():
            st = wal.stat()
            unit.size += st.st_size
            unit.mtime = max(unit.mtime, st.st_mtime)
        return [unit]

    def _transcript_units(self, root: Path) -> list[Unit]:
        # the IDE's own conversations also leave transcripts: those the IDE database (on this
        # machine, for the transcripts in their default place) holds are read from there
        in_ide: set[str] = set()
        db, projects = self.default_locations()[:2]
        under = root.resolve()
        if db.is_file() and (under == projects.resolve() or projects.resolve() in under.parents):
            in_ide = composer_ids(db)
        units = []
        for path in transcript_files(root):
            if path.stem in in_ide:
                continue
            unit = file_unit(path, "transcript")
            if unit is not None:
                units.append(unit)
        return units

    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> Iterable[ParsedSession]:
        if unit.data == "transcript":
            return parse_transcript(unit, problems, versions)
        return read_state_db(unit.path, problems, versions)


def _holds_transcripts(root: Path) -> bool:
    """True for `~/.cursor/projects`, one project, an `agent-transcripts` folder or a file
    in one (not for the IDE's database or user folder)."""
    if TRANSCRIPTS in root.parts or root.name == "projects":
        return True
    return root.is_dir() and (root / TRANSCRIPTS).is_dir()
