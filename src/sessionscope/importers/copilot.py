"""GitHub Copilot CLI: `~/.copilot/session-state/<id>/events.jsonl` (with `workspace.yaml`, since
v1.0.11) and the older flat `~/.copilot/session-state/<id>.jsonl` (0.0.x).

Rules (format: the events' own `type` fields, as github/copilot-sdk's generated
`session-events.ts` describes them; facts in tests/fixtures/README.md):
- each line is an event `{type, data, id, timestamp, parentId, agentId?}`;
- `session.start` / `session.resume`: the session id (`data.sessionId`), start time and
  `data.context` (cwd, branch); `session.model_change` the model; `session.title_changed` the
  title; `workspace.yaml` (`cwd`, `branch`, `summary`) fills what the events do not say
  (title: the last `session.title_changed`, else the summary, else the first prompt);
- `user.message` -> a user prompt (`data.content`); `assistant.message` -> an assistant message
  (`reasoningText` as thinking, `content` as text, each `toolRequests[]` as tool_use with its
  `arguments`, an object or JSON text); `tool.execution_complete` -> a tool message with the
  tool_result (`result.content`, or `error.message` with is_error when `success` is false);
- `assistant.usage` (model, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cost)
  is one model call: added to the latest assistant message. Its `cost` is "the model multiplier
  cost for billing" (premium requests), not dollars: kept as `premium_requests` in the message's
  metadata; the dollar cost is priced from the tokens, as for every agent;
- `session.info` / `session.warning` -> system messages (`data.message`); `session.error`
  (`errorType`, `message`, `statusCode`) one of kind `api_error`; `abort` (`reason`) a marker of
  kind `interrupt`; `session.compaction_complete` a marker of kind `compaction` (`success`,
  `error`, `messagesRemoved`, `preCompactionTokens`) and its `summaryContent` an assistant
  message of kind `compact_summary` with the `compactionTokensUsed` of that call;
- `user.message` with `isAutopilotContinuation` was injected, not typed: kind `context`;
  `assistant.message`'s own `model` (when given) is the reply's;
- `assistant.usage` is marked ephemeral in current releases (not in the file): then a reply has
  only its `outputTokens`;
- events of a subagent (`agentId`, or the older `data.parentToolCallId`) form a child session
  of the main one, named from the session and the agent;
- other event types (turn start/end, deltas, hooks, permissions) carry no transcript text;
- the log is re-read whole when it changes and saved by content hash (only changed rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..store.spec import MessageSpec
from .common import count, derived_id, system_message, text_field, title_from, ts
from .contract import ParsedSession, Problem, SnapshotSource, Unit
from .incremental import walk_files
from .snapshot import file_unit
from .wholefile import side_file, text_lines

SOURCE = "copilot"
_LEVELS = {"session.info": "info", "session.warning": "warning"}


def _workspace(folder: Path, problems: list[Problem]) -> dict[str, str]:
    """The flat `key: value` lines of a session's workspace.yaml (no YAML library needed)."""
    out: dict[str, str] = {}
    data = side_file(folder / "workspace.yaml", problems)
    if data is None:
        return out
    for line in data.decode("utf-8", "replace").splitlines():
        if ":" in line and not line.startswith((" ", "\t", "#", "-")):
            key, value = line.split(":", 1)
            value = value.strip().strip("'\"")
            if value:
                out[key.strip()] = value
    return out


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _arguments(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {"arguments": value}
    return value if isinstance(value, dict) else {}


class _Session:
    def __init__(self, sid: str) -> None:
        self.id = sid
        self.messages: list[MessageSpec] = []
        self.fields: dict[str, Any] = {}
        self.title: str | None = None
        self.first_prompt: str | None = None

    def add_system(self, text: str, when: str | None, key: str, meta: dict[str, Any]) -> None:
        """A system message the log implies (an error, a marker), None fields left out."""
        self.messages.append(system_message(text, key, meta, created_at=when))

    def last_assistant(self) -> MessageSpec | None:
        """The last assistant message (the dict itself: usage events update it in place)."""
        for msg in self.messages[::-1]:
            if msg["role"] == "assistant":
                return msg
        return None


def parse_events(
    lines: Iterable[str], fallback_id: str, problems: list[Problem], summary: str | None = None
) -> list[ParsedSession]:
    """The main session and its subagents' sessions a log holds (title: the last
    `session.title_changed`, else `summary`, else the first prompt)."""
    main = _Session(fallback_id)
    subs: dict[str, _Session] = {}
    model: str | None = None
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            problems.append(Problem(line_no, "not valid JSON"))
            continue
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            problems.append(Problem(line_no, "not an event (no type)"))
            continue
        data = _dict(event.get("data"))
        kind, when = event["type"], ts(event.get("timestamp"))
        eid = str(event.get("id") or line_no)
        agent = event.get("agentId") or data.get("parentToolCallId")
        target = main
        if isinstance(agent, str) and agent:
            target = subs.get(agent) or subs.setdefault(agent, _Session(agent))
        if kind in ("session.start", "session.resume"):
            sid = text_field(data.get("sessionId"))
            if sid and kind == "session.start":
                main.id = sid
            context = _dict(data.get("context"))
            main.fields.setdefault("started_at", ts(data.get("startTime")) or when)
            main.fields.setdefault("cwd", text_field(context.get("cwd")))
            main.fields.setdefault("git_branch", text_field(context.get("branch")))
        elif kind == "session.model_change":
            model = text_field(data.get("newModel") or data.get("model")) or model
        elif kind == "session.title_changed":
            main.title = text_field(data.get("title")) or main.title
        elif kind == "user.message" and data.get("isAutopilotContinuation") is True:
            content = data.get("content")
            if isinstance(content, str) and content:  # injected by autopilot, not typed
                target.add_system(content, when, eid, {"kind": "context", "source": "autopilot"})
        elif kind == "user.message":
            content = data.get("content")
            if isinstance(content, str) and content:
                target.messages.append(
                    {"role": "user", "content": content, "created_at": when, "external_id": eid}
                )
                target.first_prompt = target.first_prompt or content
        elif kind == "assistant.message":
            blocks: list[dict[str, Any]] = []
            if isinstance(data.get("reasoningText"), str) and data["reasoningText"]:
                blocks.append({"type": "thinking", "thinking": data["reasoningText"]})
            if isinstance(data.get("content"), str) and data["content"]:
                blocks.append({"type": "text", "text": data["content"]})
            for request in data.get("toolRequests") or []:
                if isinstance(request, dict) and request.get("toolCallId"):
                    blocks.append(
                        {
                            "type": "tool_use",
                            "id": str(request["toolCallId"]),
                            "name": str(request.get("name") or "tool"),
                            "input": _arguments(request.get("arguments")),
                        }
                    )
            if blocks:
                target.messages.append(
                    {
                        "role": "assistant",
                        "content": blocks,
                        "created_at": when,
                        "external_id": str(data.get("messageId") or eid),
                        "model": text_field(data.get("model")) or model,
                        "output_tokens": count(data.get("outputTokens")),
                    }
                )
        elif kind == "assistant.usage":
            last = target.last_assistant()
            used = text_field(data.get("model"))
            model = used or model
            if last is not None:
                last["model"] = used or last.get("model")
                last["input_tokens"] = (last.get("input_tokens") or 0) + count(
                    data.get("inputTokens")
                )
                # outputTokens of the message itself are replaced by the call's own count
                last["output_tokens"] = count(data.get("outputTokens")) or last.get("output_tokens")
                last["cache_read_tokens"] = (last.get("cache_read_tokens") or 0) + count(
                    data.get("cacheReadTokens")
                )
                last["cache_creation_tokens"] = (last.get("cache_creation_tokens") or 0) + count(
                    data.get("cacheWriteTokens")
                )
                # `cost` is the model's premium-request multiplier, not dollars: kept as it is,
                # while the cost comes from the tokens like every agent's
                multiplier = data.get("cost")
                if isinstance(multiplier, (int, float)) and multiplier >= 0:
                    meta = dict(last.get("metadata") or {})
                    meta["premium_requests"] = meta.get("premium_requests", 0) + multiplier
                    last["metadata"] = meta
        elif kind == "tool.execution_complete":
            call_id = data.get("toolCallId")
            if not isinstance(call_id, str):
                problems.append(Problem(line_no, "a tool completion without toolCallId"))
                continue
            ok = data.get("success") is not False
            result = _dict(data.get("result"))
            error = _dict(data.get("error"))
            output = result.get("content") if ok else error.get("message")
            target.messages.append(
                {
                    "role": "tool",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": call_id,
                            "content": output if isinstance(output, str) else "",
                            "is_error": not ok,
                        }
                    ],
                    "created_at": when,
                    "external_id": eid,
                }
            )
        elif kind == "session.error":
            _error(target, data, when, eid)
        elif kind in _LEVELS:
            message = data.get("message")
            if isinstance(message, str) and message:
                target.add_system(message, when, eid, {"level": _LEVELS[kind]})
        elif kind == "abort":
            reason = text_field(data.get("reason"))
            text = "Turn aborted" + (f" ({reason})" if reason else "")
            target.add_system(text, when, eid, {"kind": "interrupt", "reason": reason})
        elif kind == "session.compaction_complete":
            _compaction(target, data, when, eid)
        if when:
            main.fields["ended_at"] = when
    main.fields["model"] = model
    out = []
    if main.messages:
        title = (
            main.title or summary or (title_from(main.first_prompt) if main.first_prompt else None)
        )
        out.append(ParsedSession(main.id, main.messages, title, main.fields))
    for agent, sub in subs.items():
        if sub.messages:
            out.append(
                ParsedSession(
                    derived_id(main.id, "agent-" + agent),
                    sub.messages,
                    title_from(sub.first_prompt) if sub.first_prompt else None,
                    {"parent_session_id": main.id, "cwd": main.fields.get("cwd")},
                )
            )
    return out


def _error(target: _Session, data: dict[str, Any], when: str | None, key: str) -> None:
    """`session.error` (`errorType`, `message`, `statusCode`, `errorCode`): an API error."""
    message = text_field(data.get("message")) or "Error"
    status = data.get("statusCode")
    meta = {
        "kind": "api_error",
        "level": "error",
        "error_type": text_field(data.get("errorType")),
        "error_code": text_field(data.get("errorCode")),
        "status": status if type(status) is int else None,
    }
    target.add_system(message, when, key, meta)


def _compaction(target: _Session, data: dict[str, Any], when: str | None, key: str) -> None:
    """`session.compaction_complete`: a marker, and the summary the compaction call wrote (an
    assistant message of kind `compact_summary` with that call's tokens)."""
    ok = data.get("success") is not False
    error = text_field(data.get("error"))
    text = "Conversation compacted" if ok else "Compaction failed" + (f": {error}" if error else "")
    removed, before = data.get("messagesRemoved"), data.get("preCompactionTokens")
    meta = {
        "kind": "compaction",
        "messages_removed": removed if type(removed) is int else None,
        "pre_tokens": before if type(before) is int else None,
    }
    target.add_system(text, when, key, meta)
    summary = data.get("summaryContent")
    if not ok or not isinstance(summary, str) or not summary.strip():
        return
    used = _dict(data.get("compactionTokensUsed"))
    target.messages.append(
        {
            "role": "assistant",
            "content": [{"type": "text", "text": summary}],
            "created_at": when,
            "external_id": key + "/summary",
            "model": text_field(used.get("model")),
            "input_tokens": count(used.get("inputTokens")),
            "output_tokens": count(used.get("outputTokens")),
            "cache_read_tokens": count(used.get("cacheReadTokens")),
            "cache_creation_tokens": count(used.get("cacheWriteTokens")),
            "metadata": {"kind": "compact_summary"},
        }
    )


class CopilotSource(SnapshotSource):
    """GitHub Copilot CLI session logs."""

    name = SOURCE
    title = "GitHub Copilot CLI"
    # 1: session errors as API errors, aborts, compactions and their summaries, autopilot
    # continuations as context, each reply's own model
    rules = 1

    def default_locations(self, system: str | None = None) -> list[Path]:
        del system  # the same on Linux and macOS
        return [Path.home() / ".copilot" / "session-state"]

    def units(self, root: Path) -> list[Unit]:
        def accept(name: str) -> bool:
            return name.endswith(".jsonl")

        paths = [p for p in walk_files(root, accept) if root.is_file() or _is_log(root, p)]
        return [u for u in (file_unit(p) for p in paths) if u is not None]

    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> list[ParsedSession]:
        path = unit.path
        folder = path.parent if path.name == "events.jsonl" else None
        fallback = folder.name if folder is not None else path.stem
        workspace = _workspace(folder, problems) if folder is not None else {}
        summary = text_field(workspace.get("summary"))
        sessions = parse_events(text_lines(path), fallback, problems, summary)
        if workspace and sessions:
            main = sessions[0]
            main.fields["cwd"] = main.fields.get("cwd") or text_field(workspace.get("cwd"))
            main.fields["git_branch"] = main.fields.get("git_branch") or text_field(
                workspace.get("branch")
            )
        for session in sessions:
            session.fields.setdefault("project", session.fields.get("cwd"))
        return sessions


def _is_log(root: Path, path: Path) -> bool:
    """`<root>/<id>/events.jsonl` or the flat `<root>/<id>.jsonl`."""
    return path.name == "events.jsonl" or path.parent == root
