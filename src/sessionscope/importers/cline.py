"""Cline and Roo Code: VS Code global storage `<extension>/tasks/<task id>/`.

Rules (format: cline/cline `src/core/task` and `src/core/storage/disk.ts`; facts in
tests/fixtures/README.md):
- `api_conversation_history.json` is the transcript: a list of Anthropic messages
  `{role, content}` (content a string or blocks: text, image, tool_use, tool_result), or Roo
  Code's `{version: 2, messages}`; a user message is split into tool results, the context the
  extension wrote and what the user typed (`cline_history.py`);
- `ui_messages.json` lists what the panel showed; each `say: api_req_started` row's `text` is
  JSON with the request's `tokensIn`, `tokensOut`, `cacheReads`, `cacheWrites` and `cost`: the
  n-th such row gives the tokens (and, when the message has no `ts` of its own, the time) of
  the n-th assistant message; other messages without a `ts` take the time of the one before
  (the task's start for the first), never the time of the import;
- the errors only ui_messages.json holds (`ask: api_req_failed`, `say: error`) are system
  messages (kinds `api_error`, `error`) after the reply of the request they follow; a request's
  `cancelReason` is a marker after its reply (`user_cancelled`: kind `interrupt`, else
  `api_error`);
- `task_metadata.json` `model_usage[].model_id` gives the model (the last one used);
- title: the first prompt's `<task>` text (else its first line; a first prompt with no text: the
  first text typed after it); the task id is the session id;
  the first and last ui messages' `ts` are its start and end; the cwd (and project) is the
  folder `<environment_details>` names (`# Current Working Directory (<path>) Files`);
- a task's files are rewritten as it goes, not appended: the task is parsed whole and saved by
  content hash (only changed rows are written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from ..store.spec import MessageSpec
from ..transcript_files import path_text
from .cline_history import (
    blocks_of,
    cancel_notice,
    first_prompt,
    history_items,
    notice,
    reasoning_text,
    user_messages,
)
from .common import count, dollars, plain_text, system_message, tag_text, title_from, ts
from .contract import MACOS, ParsedSession, Problem, SnapshotSource, Unit, UnitError, this_system
from .incremental import file_key
from .wholefile import read_whole, side_file

CLINE = "saoudrizwan.claude-dev"
ROO = "rooveterinaryinc.roo-cline"
EDITORS = ("Code", "Code - Insiders", "Cursor", "VSCodium")
_FILES = ("api_conversation_history.json", "ui_messages.json", "task_metadata.json")


def task_roots(extension: str, system: str) -> list[Path]:
    """`<editor>/User/globalStorage/<extension>/tasks` for each editor, on Linux or macOS."""
    base = (
        Path.home() / "Library" / "Application Support"
        if system == MACOS
        else Path.home() / ".config"
    )
    return [base / editor / "User" / "globalStorage" / extension / "tasks" for editor in EDITORS]


def _read_json(path: Path, problems: list[Problem] | None = None) -> Any:
    """A task file's JSON (None when it does not exist). The conversation itself (no
    `problems`) must be read: anything else costs the task. A side file (with `problems`) that is
    not a regular file, too large or unreadable is passed over there (`wholefile.side_file`)."""
    try:
        data = read_whole(path) if problems is None else side_file(path, problems)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnitError(f"could not read {path.name} ({exc.strerror or exc})") from exc
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise UnitError(f"{path.name} is not valid JSON") from exc


class _Request(NamedTuple):
    """An API request (an `api_req_started` row): its time, tokens (input, output, cache read,
    cache write), cost, the row's JSON and the errors shown after it (`notice`)."""

    when: str | None
    tokens: tuple[int, int, int, int]
    cost: float
    info: dict[str, Any]
    notices: list[MessageSpec]


def _usage(ui: Any, problems: list[Problem]) -> tuple[list[_Request], list[MessageSpec]]:
    """The API requests of ui_messages.json in order, and the errors shown before the first."""
    usage: list[_Request] = []
    early: list[MessageSpec] = []
    for index, row in enumerate(ui if isinstance(ui, list) else [], 1):
        if not isinstance(row, dict):
            continue
        if row.get("say") != "api_req_started":
            found = notice(row, index - 1, ts(row.get("ts")))
            if found is not None:
                (usage[-1].notices if usage else early).append(found)
            continue
        try:
            info = json.loads(row.get("text") or "{}")
        except (ValueError, RecursionError, TypeError):
            problems.append(Problem(index, "ui_messages.json: an api_req_started without JSON"))
            continue
        if not isinstance(info, dict):
            continue
        tokens = (
            count(info.get("tokensIn")),
            count(info.get("tokensOut")),
            count(info.get("cacheReads")),
            count(info.get("cacheWrites")),
        )
        usage.append(
            _Request(
                ts(row.get("ts")),
                tokens,
                dollars(info.get("cost")),
                info,
                [],
            )
        )
    return usage, early


def parse_task(folder: Path, problems: list[Problem]) -> ParsedSession | None:
    """One task folder as a session (None when it holds no conversation)."""
    history = _read_json(folder / "api_conversation_history.json")
    if history is None:
        return None
    items = history_items(history)
    if items is None:
        raise UnitError("api_conversation_history.json is not a list of messages")
    ui = _read_json(folder / "ui_messages.json", problems)
    meta = _read_json(folder / "task_metadata.json", problems)
    requests, early = _usage(ui, problems)
    usage = iter(requests)
    models = [
        u.get("model_id")
        for u in (meta.get("model_usage") if isinstance(meta, dict) else None) or []
        if isinstance(u, dict) and isinstance(u.get("model_id"), str)
    ]
    model = models[-1] if models else None
    started = None
    if isinstance(ui, list) and ui and isinstance(ui[0], dict):
        started = ts(ui[0].get("ts"))
    started = started or (ts(int(folder.name)) if folder.name.isdigit() else None)
    ended = None
    if isinstance(ui, list) and ui and isinstance(ui[-1], dict):
        ended = ts(ui[-1].get("ts"))
    cwd = None
    messages: list[MessageSpec] = []
    title = None
    prompted = False  # the task's first message met (an image alone gives no title)
    last_time = started
    thinking: list[dict[str, Any]] = []  # reasoning items waiting for their reply
    for index, item in enumerate(items, 1):
        if isinstance(item, dict) and item.get("type") == "reasoning" and "role" not in item:
            text = reasoning_text(item)
            if text:
                thinking.append({"type": "thinking", "thinking": text})
            continue
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant", "tool"):
            problems.append(Problem(index, f"message {index} is not a user or assistant message"))
            continue
        blocks = blocks_of(item.get("content"))
        key = f"{index - 1}"
        created = ts(item["ts"]) if isinstance(item.get("ts"), (int, float)) else None
        got: list[MessageSpec]
        if item.get("isTruncationMarker"):
            got = [system_message(blocks, key, {"kind": "truncation"})]
        elif item["role"] == "tool":
            got = [{"role": "tool", "content": blocks, "external_id": key}]
        elif item["role"] == "user":
            if cwd is None:
                cwd = _cwd(plain_text(blocks))
            if not prompted and not any(b.get("type") == "tool_result" for b in blocks):
                prompted = True
                got, text = first_prompt(blocks, key, created)
                got, early = got + early, []
                text = tag_text(text, "task") or text
            else:
                got = user_messages(blocks, key, created)
                said = [m["content"] for m in got if m["role"] == "user"]
                text = "\n".join(plain_text(c) for c in said if isinstance(c, list))
            if title is None and text.strip():
                title = title_from(text)
        else:
            reasoning = item.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning.strip():
                thinking.append({"type": "thinking", "thinking": reasoning})
            msg: MessageSpec = {
                "role": "assistant",
                "content": thinking + blocks,
                "external_id": key,
                "model": model,
            }
            thinking = []
            got = [msg]
            if item.get("isSummary"):  # a condense summary: made by a call of its own
                msg["metadata"] = {"kind": "compact_summary"}
                marker = system_message(
                    "Conversation condensed", f"{key}/compaction", {"kind": "compaction"}
                )
                got.insert(0, marker)
            else:
                taken = next(usage, None)
                if taken is not None:
                    (
                        msg["input_tokens"],
                        msg["output_tokens"],
                        msg["cache_read_tokens"],
                        msg["cache_creation_tokens"],
                    ) = taken.tokens
                    msg["cost_usd"] = taken.cost
                    created = created or taken.when
                    cut = cancel_notice(taken.info, key)  # the reply was cut short
                    got.extend(([cut] if cut is not None else []) + taken.notices)
        # without a time of its own: its request's (assistant), else the one before it
        last_time = created or last_time
        for one in got:
            one["created_at"] = one.get("created_at") or last_time
        messages.extend(got)
    if not messages:
        return None
    for request in usage:  # requests no reply took (failed ones): their errors at the end
        messages.extend(request.notices)
    fields = {"started_at": started, "ended_at": ended, "model": model, "cwd": cwd, "project": cwd}
    return ParsedSession(folder.name, messages, title, fields)


def _cwd(text: str) -> str | None:
    """The folder `<environment_details>` names: `# Current Working Directory (<path>) Files`
    (string searches only: linear on any text)."""
    marker = "Current Working Directory ("
    at = text.find(marker)
    if at < 0:
        return None
    end = text.find(") Files", at)
    if end < 0:
        end = text.find(")", at)
    path = text[at + len(marker) : end].strip() if end > at else ""
    return path or None


class ClineSource(SnapshotSource):
    """Cline tasks in VS Code, VS Code Insiders, Cursor and VSCodium."""

    name = "cline"
    title = "Cline"
    extension = CLINE
    # 1: a user message split into tool results, context and what was typed; Roo Code's
    # reasoning items, condense summaries, truncation markers and `{version: 2}` history; the
    # errors and aborts of ui_messages.json; 2: after a first prompt with no text (an image
    # alone), the next user message is read as any other, not as the task's first
    rules = 2

    def default_locations(self, system: str | None = None) -> list[Path]:
        return task_roots(self.extension, system or this_system())

    def units(self, root: Path) -> list[Unit]:
        if root.is_file():
            root = root.parent
        if (root / _FILES[0]).is_file():
            folders = [root]
        else:
            tasks = root / "tasks" if (root / "tasks").is_dir() else root
            try:
                folders = sorted(p for p in tasks.iterdir() if (p / _FILES[0]).is_file())
            except OSError:
                return []
        units = []
        for folder in folders:
            size, mtime = 0, 0.0
            for name in _FILES:
                try:
                    st = (folder / name).stat()
                except OSError:
                    continue
                size, mtime = size + st.st_size, max(mtime, st.st_mtime)
            units.append(Unit(file_key(folder / _FILES[0]), path_text(str(folder)), size, mtime))
        return units

    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> list[ParsedSession]:
        session = parse_task(unit.path, problems)
        return [] if session is None else [session]


class RooCodeSource(ClineSource):
    """Roo Code tasks (the same layout as Cline's, another extension folder)."""

    name = "roo-code"
    title = "Roo Code"
    extension = ROO


__all__ = ["CLINE", "ROO", "ClineSource", "RooCodeSource"]
