"""OpenCode's messages and their parts as store messages.

Format: sst/opencode `packages/opencode/src/session/message-v2.ts` (the part and error shapes);
where OpenCode writes them: `session/prompt.ts` (synthetic text, subtasks, an aborted turn's
error), `session/compaction.ts` (compaction parts, the summary, the continue prompt),
`session/processor.ts` (patch and retry parts, a failed turn's error), `tool/task.ts` (the
child session a `task` call ran). Facts in tests/fixtures/README.md.

- the content of a message is its parts in id order: `text` -> text, `reasoning` -> thinking,
  `tool` -> tool_use (`callID`, `tool`, `state.input`) and, once it has run, a tool message with
  a tool_result (`state.output`, or `state.error` with is_error; a `task` call's
  `state.metadata.sessionId`, the subagent's session, is the tool message's
  `subagent_session_id`), `file` -> a text line naming it; step-start/step-finish/snapshot/agent
  parts carry no text of their own and are left out;
- a user message's `text` part with `synthetic: true` is text OpenCode added (a file read for an
  @-mention, the prompt after a subtask or a compaction): a `system` message of kind `context`
  (`synthetic` in its metadata), never the user's prompt; consecutive ones are one message;
- `compaction` {auto, overflow?}: a `system` marker of kind `compaction` (`trigger` auto or
  manual, as Claude Code's compact boundary); the assistant message with `summary: true` that
  the compaction writes is of kind `compact_summary`;
- `subtask` {prompt, description, agent, command?, model?} (a command run by a subagent): a
  `system` message of kind `subtask`;
- `retry` {attempt, error (an APIError), time.created}: a `system` message of kind `api_error`
  at its own time (`is:error` finds it), as Claude Code's API error records;
- `patch` {hash, files}: a `system` message of kind `patch` listing the files changed;
- an assistant message's `error` ({name, data}): `MessageAbortedError` is a `system` marker of
  kind `interrupt` (as Codex's `turn_aborted`), any other a `system` message of kind
  `api_error`; a failed reply with no content, tokens or cost is not kept beside it;
- the system messages parts imply go before the message when no content came before them, else
  after it (and after its tool results); a message's error comes last;
- a malformed part (a patch whose files are not a list of paths ...) is reported and skipped;
  the rest of its message is kept.
"""

from __future__ import annotations

import json
from typing import Any

from ..store.spec import MessageSpec
from .common import count, dollars, system_message, ts
from .contract import Problem

# An assistant message's error name -> what the message says (message-v2.ts's NamedErrors)
_ERRORS = {
    "APIError": "API error",
    "ProviderAuthError": "Provider auth error",
    "MessageOutputLengthError": "Output length limit reached",
    "ContextOverflowError": "Context overflow",
    "StructuredOutputError": "Structured output error",
    "UnknownError": "Error",
}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def error_text(error: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """(text, kind, metadata) of a NamedError object `{name, data}`: `API error 529: Overloaded`
    of kind `api_error`, or `Turn aborted: ...` of kind `interrupt`."""
    name = _str(error.get("name")) or "UnknownError"
    data = _dict(error.get("data"))
    message = _str(data.get("message")) or _str(error.get("message"))
    meta: dict[str, Any] = {"error": name}
    if name == "MessageAbortedError":
        return "Turn aborted" + (f": {message}" if message else ""), "interrupt", meta
    text = _ERRORS.get(name, name)
    status = data.get("statusCode")
    if isinstance(status, int) and not isinstance(status, bool):
        text += f" {status}"
        meta["status"] = status
    provider = _str(data.get("providerID"))
    if provider:
        text += f" ({provider})"
    if message:
        text += f": {message}"
    return text, "api_error", meta


class _Message:
    """One OpenCode message being converted: its content, tool results and implied messages."""

    def __init__(self, role: str, mid: str, created: str | None) -> None:
        self.role, self.mid, self.created = role, mid, created
        self.blocks: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []
        self.subagents: list[str] = []
        self.before: list[MessageSpec] = []
        self.after: list[MessageSpec] = []
        self.context: MessageSpec | None = None  # the synthetic text message still open

    def system(
        self, text: str, key: str, kind: str, meta: dict[str, Any], at: str | None = None
    ) -> MessageSpec:
        metadata = {"kind": kind, **meta}
        msg = system_message(text, f"{self.mid}/{key}", metadata, created_at=at or self.created)
        (self.after if self.blocks else self.before).append(msg)
        return msg

    def add(self, part: dict[str, Any], key: str) -> None:
        kind = part.get("type")
        synthetic = kind == "text" and part.get("synthetic") is True and self.role == "user"
        context, self.context = self.context, None
        if kind == "text" or kind == "reasoning":
            text = part.get("text")
            if not isinstance(text, str) or not text:
                self.context = context
            elif synthetic and context is not None:
                blocks = context["content"]
                assert isinstance(blocks, list)
                blocks.append({"type": "text", "text": text})
                self.context = context
            elif synthetic:
                self.context = self.system(text, key, "context", {"synthetic": True})
            elif kind == "text":
                self.blocks.append({"type": "text", "text": text})
            else:
                self.blocks.append({"type": "thinking", "thinking": text})
        elif kind == "file":
            name = part.get("filename") or part.get("url") or "file"
            self.blocks.append({"type": "text", "text": f"[file: {name}]"})
        elif kind == "tool":
            self.tool(part)
        elif kind == "compaction":
            trigger = "auto" if part.get("auto") is True else "manual"
            text = f"Conversation compacted ({trigger})"
            overflow = part.get("overflow") is True
            if overflow:
                text += "; the context overflowed"
            self.system(text, key, "compaction", {"trigger": trigger, "overflow": overflow or None})
        elif kind == "subtask":
            self.subtask(part, key)
        elif kind == "retry":
            self.retry(part, key)
        elif kind == "patch":
            self.patch(part, key)

    def tool(self, part: dict[str, Any]) -> None:
        state = _dict(part.get("state"))
        call_id = str(part.get("callID") or part.get("id") or f"{self.mid}/{len(self.blocks)}")
        args = state.get("input")
        self.blocks.append(
            {
                "type": "tool_use",
                "id": call_id,
                "name": str(part.get("tool") or "tool"),
                "input": args if isinstance(args, dict) else {},
            }
        )
        status = state.get("status")
        if status not in ("completed", "error"):
            return
        output = state.get("output") if status == "completed" else state.get("error")
        self.results.append(
            {
                "type": "tool_result",
                "tool_use_id": call_id,
                "content": output if isinstance(output, str) else json.dumps(output),
                "is_error": status == "error",
            }
        )
        child = _dict(state.get("metadata")).get("sessionId")
        if part.get("tool") == "task" and isinstance(child, str) and child:
            self.subagents.append(child)

    def subtask(self, part: dict[str, Any], key: str) -> None:
        prompt, agent = part.get("prompt"), part.get("agent")
        if not isinstance(prompt, str) or not isinstance(agent, str):
            raise ValueError("a subtask without its prompt or agent")
        command, description = _str(part.get("command")), _str(part.get("description"))
        text = f"Subtask for @{agent}" + (f" (/{command})" if command else "")
        text += (f": {description}" if description else "") + (f"\n\n{prompt}" if prompt else "")
        model = _dict(part.get("model")).get("modelID")
        meta = {
            "agent": agent,
            "description": description or None,
            "command": command or None,
            "model": model if isinstance(model, str) else None,
        }
        self.system(text, key, "subtask", meta)

    def retry(self, part: dict[str, Any], key: str) -> None:
        error = part.get("error")
        if not isinstance(error, dict):
            raise ValueError("a retry without its error")
        text, _kind, meta = error_text(error)
        attempt = part.get("attempt")
        if isinstance(attempt, int) and not isinstance(attempt, bool):
            text += f"; retry {attempt}"
            meta["retry_attempt"] = attempt
        at = ts(_dict(part.get("time")).get("created"))
        self.system(text, key, "api_error", meta, at)

    def patch(self, part: dict[str, Any], key: str) -> None:
        files, digest = part.get("files"), _str(part.get("hash"))
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ValueError("a patch whose files are not a list of paths")
        if files:
            head = "Files changed" + (f" (snapshot {digest})" if digest else "") + ":\n"
            self.system(
                head + "\n".join(files), key, "patch", {"hash": digest or None, "files": files}
            )

    def specs(self, info: dict[str, Any]) -> list[MessageSpec]:
        time = _dict(info.get("time"))
        out = list(self.before)
        msg: MessageSpec = {
            "role": "user" if self.role == "user" else "assistant",
            "content": self.blocks,
            "created_at": self.created,
            "external_id": self.mid,
        }
        error = info.get("error")
        keep = bool(self.blocks)
        if self.role == "assistant":
            tokens = _dict(info.get("tokens"))
            cache = _dict(tokens.get("cache"))
            model, cost = info.get("modelID"), info.get("cost")
            msg["model"] = model if isinstance(model, str) else None
            msg["input_tokens"] = count(tokens.get("input"))
            msg["output_tokens"] = count(tokens.get("output")) + count(tokens.get("reasoning"))
            msg["cache_read_tokens"] = count(cache.get("read"))
            msg["cache_creation_tokens"] = count(cache.get("write"))
            msg["cost_usd"] = dollars(cost)
            if info.get("summary") is True:  # the summary a compaction wrote
                msg["metadata"] = {"kind": "compact_summary"}
            spent = msg["input_tokens"] or msg["output_tokens"] or msg["cache_read_tokens"]
            keep = keep or not isinstance(error, dict) or bool(spent or msg["cost_usd"])
        if keep:
            out.append(msg)
        if self.results:
            meta: dict[str, Any] = {}
            if len(self.subagents) == 1:
                meta["subagent_session_id"] = self.subagents[0]
            elif self.subagents:
                meta["subagent_session_ids"] = self.subagents
            result: MessageSpec = {
                "role": "tool",
                "content": self.results,
                "created_at": self.created,
                "external_id": self.mid + "/r",
            }
            if meta:
                result["metadata"] = meta
            out.append(result)
        out += self.after
        if isinstance(error, dict) and self.role == "assistant":
            text, kind, meta = error_text(error)
            at = ts(time.get("completed")) or self.created
            out.append(
                system_message(text, self.mid + "/error", {"kind": kind, **meta}, created_at=at)
            )
        return out


def convert(
    info: dict[str, Any],
    parts: list[dict[str, Any]],
    mid: str,
    problems: list[Problem] | None = None,
) -> list[MessageSpec]:
    """The store messages of one OpenCode message (its info and its parts, in order); a
    malformed part is said in `problems` and left out."""
    role = info.get("role")
    if role != "user" and role != "assistant":
        return []
    message = _Message(role, mid, ts(_dict(info.get("time")).get("created")))
    for index, part in enumerate(parts):
        key = part.get("id")
        key = key if isinstance(key, str) and key else f"part-{index}"
        try:
            message.add(part, key)
        except (TypeError, ValueError) as exc:
            if problems is not None:
                problems.append(Problem(0, f"part {key} of message {mid}: {exc!s:.80}"))
    return message.specs(info)
