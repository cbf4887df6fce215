"""Codex CLI rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`.

Rules (see tests/fixtures/README.md):
- `session_meta` gives the session id, cwd, git branch and start; `turn_context` the model;
- `response_item`s are the transcript: `message` (user / assistant; the `<environment_context>`
  and instruction messages are `system` context), `reasoning` (its summary text becomes a
  `thinking` block; encrypted content is not text and is not kept), `function_call` /
  `custom_tool_call` / `local_shell_call` (-> `tool_use`) and their `*_output` (-> a `tool`
  message with a `tool_result`), paired by `call_id`. Consecutive assistant-side items
  (reasoning, calls, reply) form one assistant message;
- `event_msg` `user_message` is what the user typed: a prompt written only as this event is the
  user message, and a `response_item` user message of the same turn that no `user_message` event
  repeats is injected context (`system`, kind `context`); `agent_message` / `agent_reasoning`
  repeat response items and are not stored again;
- a failed command is `is_error`: an `Exit code: N` or unified-exec `Process exited with code N`
  line in its output, or an `exec_command_end` / `patch_apply_end` event saying so;
- `compacted` (with its `replacement_history`) and `context_compacted` are `system` markers of
  kind `compaction`; `turn_aborted` one of kind `interrupt`, `thread_rolled_back` one of kind
  `rollback` (the rolled-back messages stay), `undo_completed` one of kind `undo`, a persisted
  `error` one of kind `api_error`, an `inter_agent_communication` item one of kind `inter_agent`;
  `thread_name_updated` titles the session; a rollout with token counts and no items is kept with
  its tokens;
- a subagent thread (`session_meta.payload.source.subagent.thread_spawn.parent_thread_id`, or
  `forked_from_id`) is a child of its parent session; imported before its parent, it names it
  (`parent_session_hint`) and the parent adopts it when it arrives (`Store.adopt_children`);
- `token_count` is cumulative: the session's totals are the last one. Each
  count's increase over the previous one is added to the latest assistant message, so the
  per-message tokens sum exactly to the last `token_count` (input EXCLUDES cached input, one
  meaning for every source: Codex's `input_tokens` minus `cached_input_tokens`; cached input is
  in `cache_read_tokens`);
- the older layout without the `{timestamp, type, payload}` envelope: the first line holds the
  session id and timestamp, the items follow bare, `record_type: state` lines are skipped;
- other record, item and event types are counted (noise or unknown; see `importers.report`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..transcript_files import codex_file
from .codex_items import (
    CALLS,
    CONTEXT,
    NOISE,
    OUTPUTS,
    ROLLOUT_ID,
    content_blocks,
    context_cwd,
    digest,
    tool_output,
    tool_use,
)
from .common import (
    count,
    plain_text,
    session_id,
    text_field,
    title_from,
    ts,
)
from .incremental import Format, walk_files
from .sink import Msg, SessionBuffer, Sink, merge_blocks

SOURCE = "codex"

_ENVELOPE = {"session_meta", "response_item", "event_msg", "turn_context", "compacted"}
_FAILED_MAX = 512


def discover(root: Path) -> list[Path]:
    """Rollout files under `root` (any .jsonl when `root` is a single file)."""
    return walk_files(root, codex_file)


class CodexParser:
    """Records of one Codex rollout -> one session and its messages in a `Sink`."""

    def __init__(self, sink: Sink, path: Path, state: dict[str, Any]) -> None:
        self.sink = sink
        self.path = path
        self.sid: str | None = state.get("sid")
        self.model: str | None = state.get("model")
        self.totals: list[int] = list(state.get("totals") or [0, 0, 0])
        self.pending: list[int] = list(state.get("pending") or [0, 0, 0])
        self.open: str | None = state.get("open")
        self.last: str | None = state.get("last")
        self.base_ts: str | None = state.get("ts")
        self.last_ts: str | None = state.get("last_ts")
        self.failed: dict[str, int] = dict(state.get("failed") or {})  # call id -> exit code
        # [key, text digest] of this turn's `response_item` user messages no `user_message`
        # event confirmed yet
        self.unconfirmed: list[list[str]] = list(state.get("unconfirmed") or [])
        self.prompts: int = state.get("prompts") or 0  # `user_message` events seen

    def state(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "model": self.model,
            "totals": self.totals,
            "pending": self.pending,
            "open": self.open,
            "last": self.last,
            "ts": self.base_ts,
            "last_ts": self.last_ts,
            "failed": self.failed,
            "unconfirmed": self.unconfirmed,
            "prompts": self.prompts,
        }

    def feed(self, record: dict[str, Any], line_no: int) -> None:
        kind = record.get("type")
        payload = record.get("payload")
        if kind in _ENVELOPE and isinstance(payload, dict):
            stamp = ts(record.get("timestamp"))
            if stamp:
                self.last_ts = stamp
            if kind == "session_meta":
                self._meta(payload, stamp)
            elif kind == "turn_context":
                self._turn(payload)
            elif kind == "response_item":
                self._item(payload, stamp or self.last_ts, self._key(payload, stamp, line_no))
            elif kind == "event_msg":
                self._event(payload, stamp or self.last_ts, line_no)
            else:
                self._compacted(payload, stamp or self.last_ts, f"compacted:{line_no}")
            return
        if kind == "inter_agent_communication" and isinstance(payload, dict):
            self._inter_agent(payload, ts(record.get("timestamp")) or self.last_ts, line_no)
            return
        if "record_type" in record:
            return  # older layout: state snapshots
        if kind is None and self.sid is None and isinstance(record.get("id"), str):
            self._meta(record, ts(record.get("timestamp")))  # older layout: the header line
            return
        if isinstance(kind, str):
            self._item(record, self.last_ts or self.base_ts, self._key(record, None, line_no))
        else:
            self.sink.skipped("(no type)", noise=False)

    def finish(self) -> None:
        """End of what the rollout holds now: token counts with no message to carry them (a
        rollout with no items) are kept on a marker, so the session exists with its tokens."""
        if not any(self.pending) or self.sid is None:
            return
        buf = self._session()
        if buf.created or buf.new:
            return
        msg = buf.add(
            Msg(
                "system",
                [{"type": "text", "text": "Token counts only: the rollout holds no items"}],
                external_id="token-counts",
                created_at=self.last_ts or self.base_ts,
                model=self.model,
                metadata={"kind": "token_usage"},
            ),
            extendable=True,
        )
        self._add_tokens(buf, msg, self.pending)
        self.pending = [0, 0, 0]
        self.last = msg.external_id

    # -- session -----------------------------------------------------------------------------

    def _session(self) -> SessionBuffer:
        if self.sid is None:
            match = ROLLOUT_ID.search(self.path.stem)
            self.sid = match.group(1) if match else self.path.stem
        return self.sink.session(self.sid)

    def _meta(self, payload: dict[str, Any], stamp: str | None) -> None:
        meta_id = session_id(payload.get("id"))  # None when missing; inert when hostile
        if self.sid is not None and meta_id not in (None, self.sid):
            return  # a later session's meta (a fork's history): keep the first
        if self.sid is None and meta_id is not None:
            self.sid = meta_id
        buf = self._session()
        started = ts(payload.get("timestamp")) or stamp
        self.base_ts = self.base_ts or started
        cwd = text_field(payload.get("cwd"))
        buf.set_default(cwd=cwd, project=cwd, started_at=started)
        git = payload.get("git")
        if isinstance(git, dict):
            buf.set(git_branch=text_field(git.get("branch")))
        buf.set_meta(
            cli_version=text_field(payload.get("cli_version")),
            originator=text_field(payload.get("originator")),
        )
        spawn = payload.get("source")
        spawn = spawn.get("subagent") if isinstance(spawn, dict) else None
        spawn = spawn.get("thread_spawn") if isinstance(spawn, dict) else None
        parent = session_id(spawn.get("parent_thread_id")) if isinstance(spawn, dict) else None
        forked = session_id(payload.get("forked_from_id"))
        if forked is not None:
            buf.set_meta(forked_from=forked)
        parent = parent or forked
        if parent is not None and parent != buf.id and buf.get("parent_session_id") is None:
            if self.sink.db.session(parent) is not None:
                buf.set(parent_session_id=parent)
            else:
                buf.set_meta(parent_session_hint=parent)

    def _turn(self, payload: dict[str, Any]) -> None:
        model = text_field(payload.get("model"))
        if model:
            self.model = model
        cwd = text_field(payload.get("cwd"))
        self._session().set_default(cwd=cwd, project=cwd)

    @staticmethod
    def _key(item: dict[str, Any], stamp: str | None, line_no: int) -> str:
        """The message's external id: call ids for calls and outputs, else time + content."""
        kind = item.get("type")
        call_id = item.get("call_id")
        if isinstance(call_id, str) and call_id:
            if kind in CALLS:
                return f"call:{call_id}"
            if kind in OUTPUTS:
                return f"result:{call_id}"
        if stamp is None:
            return f"line-{line_no}"
        if kind == "message":
            body = plain_text(content_blocks(item.get("content")))
            return f"{stamp}:{item.get('role')}:{digest(body)}"
        if kind == "reasoning":
            return f"{stamp}:reasoning:{digest(json.dumps(item.get('summary'), sort_keys=True))}"
        return f"{stamp}:{kind}:{line_no}"

    # -- items -------------------------------------------------------------------------------

    def _item(self, item: dict[str, Any], stamp: str | None, key: str) -> None:
        kind = item.get("type")
        if kind == "message":
            blocks = content_blocks(item.get("content"))
            if not blocks:
                return
            role = item.get("role")
            if role == "assistant":
                self._assistant(blocks, stamp, key)
            else:
                self._prompt(role, blocks, stamp, key)
        elif kind == "reasoning":
            texts = [
                s["text"]
                for s in item.get("summary") or []
                if isinstance(s, dict) and isinstance(s.get("text"), str) and s["text"]
            ]
            if not texts:
                texts = [
                    c["text"]
                    for c in item.get("content") or []
                    if isinstance(c, dict) and isinstance(c.get("text"), str) and c["text"]
                ]
            if texts:
                self._assistant([{"type": "thinking", "thinking": "\n\n".join(texts)}], stamp, key)
        elif kind in CALLS:
            self._assistant([tool_use(item, key)], stamp, key)
        elif kind == "image_generation_call":
            self._image(item, stamp, key)
        elif kind == "agent_message":
            text = item.get("message", item.get("content"))
            blocks = content_blocks(text)
            if blocks:
                self._assistant(blocks, stamp, key)
        elif kind in OUTPUTS:
            call_id = item.get("call_id")
            raw = item.get("output", item.get("tools"))
            content, failed, meta = tool_output(raw)
            if call_id in self.failed:
                meta["exit_code"] = self.failed.pop(str(call_id))
                failed = failed or meta["exit_code"] != 0
            block = {
                "type": "tool_result",
                "tool_use_id": str(call_id or ""),
                "content": content,
                "is_error": failed,
            }
            self.open = None
            self._session().add(
                Msg("tool", [block], external_id=key, created_at=stamp, metadata=meta),
                extendable=True,  # an `exec_command_end` after it may mark it failed
            )
        else:
            name = kind if isinstance(kind, str) else "(no type)"
            self.sink.skipped(name, noise=name in NOISE)

    def _image(self, item: dict[str, Any], stamp: str | None, key: str) -> None:
        """An `image_generation_call`: its prompt, and the image when it has one."""
        blocks: list[dict[str, Any]] = []
        prompt = item.get("revised_prompt") or item.get("prompt")
        blocks.append({"type": "text", "text": f"Generated image: {prompt or '(no prompt)'}"})
        result = item.get("result")
        if isinstance(result, str) and result:
            blocks.append(
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": result},
                }
            )
        self._assistant(blocks, stamp, key)

    # -- events ------------------------------------------------------------------------------

    def _event(self, payload: dict[str, Any], stamp: str | None, line_no: int) -> None:
        kind = payload.get("type")
        if kind == "token_count":
            self._tokens(payload)
        elif kind == "user_message":
            self._user_event(payload, stamp, line_no)
        elif kind in ("exec_command_end", "patch_apply_end"):
            self._command_end(payload)
        elif kind == "context_compacted":
            self._marker(
                "Conversation compacted", stamp, f"compacted:{line_no}", {"kind": "compaction"}
            )
        elif kind == "turn_aborted":
            reason = payload.get("reason")
            text = "Turn aborted" + (f" ({reason})" if isinstance(reason, str) else "")
            self._marker(text, stamp, f"aborted:{line_no}", {"kind": "interrupt"})
        elif kind == "thread_name_updated":
            name = payload.get("thread_name", payload.get("name"))
            title = title_from(name) if isinstance(name, str) else None
            if title:
                buf = self._session()
                buf.set(title=title)
                buf.set_meta(title_source="thread_name")
        elif kind == "thread_rolled_back":
            turns = payload.get("num_turns")
            turns = turns if type(turns) is int else 0
            text = f"Rolled back the last {turns} turn{'s' if turns != 1 else ''}"
            meta = {"kind": "rollback", "turns": turns}
            self._marker(text, stamp, f"rollback:{line_no}", meta)
        elif kind == "undo_completed":
            note = payload.get("message")
            text = "Undo" + (" failed" if payload.get("success") is False else "")
            text += f": {note}" if isinstance(note, str) and note else ""
            self._marker(text, stamp, f"undo:{line_no}", {"kind": "undo"})
        elif kind == "error":
            note = payload.get("message")
            info = payload.get("codex_error_info")
            meta = {"kind": "api_error"}
            if isinstance(info, (str, dict)):
                meta["codex_error_info"] = info
            text = "Error" + (f": {note}" if isinstance(note, str) and note else "")
            self._marker(text, stamp, f"error:{line_no}", meta)
        elif kind == "web_search_end":
            call_id = payload.get("call_id")
            query = payload.get("query")
            block = {
                "type": "tool_use",
                "id": str(call_id or f"web-search-{line_no}"),
                "name": "web_search",
                "input": {"query": query} if isinstance(query, str) else {},
            }
            self._assistant([block], stamp, f"call:{block['id']}")
        else:
            name = kind if isinstance(kind, str) else "(no type)"
            self.sink.skipped(name, noise=name in NOISE)

    def _inter_agent(self, payload: dict[str, Any], stamp: str | None, line_no: int) -> None:
        """A message another agent of a multi-agent run sent (or this one sent): its text."""
        content = payload.get("content")
        if not isinstance(content, str) or not content.strip():
            return
        meta: dict[str, Any] = {"kind": "inter_agent"}
        for key in ("author", "recipient"):
            value = payload.get(key)
            if isinstance(value, str):
                meta[key] = text_field(value)
        self._marker(content, stamp, f"inter-agent:{line_no}", meta)

    def _marker(self, text: str, stamp: str | None, key: str, metadata: dict[str, Any]) -> None:
        """A system message the rollout implies (a compaction, an interrupted turn)."""
        self.open = None
        self._session().add(
            Msg(
                "system",
                [{"type": "text", "text": text}],
                external_id=key,
                created_at=stamp,
                metadata=metadata,
            )
        )

    def _command_end(self, payload: dict[str, Any]) -> None:
        """A command's end event: a non-zero exit (or a failed patch) makes its result an error."""
        call_id = payload.get("call_id")
        code = payload.get("exit_code")
        if payload.get("type") == "patch_apply_end":
            code = 1 if payload.get("success") is False else 0
        if not isinstance(call_id, str) or not isinstance(code, int) or isinstance(code, bool):
            return
        if code == 0:
            return
        buf = self._session()
        msg = buf.find(f"result:{call_id}")
        if msg is None:
            self.failed[call_id] = code  # the output comes later
            while len(self.failed) > _FAILED_MAX:
                self.failed.pop(next(iter(self.failed)))
            return
        changed = False
        for block in msg.blocks:
            if block.get("type") == "tool_result" and block.get("is_error") is not True:
                block["is_error"] = True
                changed = True
        if changed or msg.metadata.get("exit_code") != code:
            msg.metadata = {**msg.metadata, "exit_code": code}
            buf.touch(msg)

    def _user_event(self, payload: dict[str, Any], stamp: str | None, line_no: int) -> None:
        """What the user typed: confirms this turn's prompt (the other user items of the turn
        were injected context), or is the prompt when no response item holds it."""
        text = payload.get("message")
        if not isinstance(text, str):
            return
        kind = payload.get("kind")
        if isinstance(kind, str) and kind != "plain":
            return  # older versions: context announced as a user message of another kind
        self.prompts += 1
        buf = self._session()
        typed = digest(text.strip())
        confirmed = None
        for key, seen in self.unconfirmed:
            if seen == typed:
                confirmed = key
        for key, _seen in self.unconfirmed:
            if key != confirmed:
                self._as_context(buf, key)
        self.unconfirmed = []
        if confirmed is not None or not text.strip():
            return
        images = payload.get("images")
        blocks: list[dict[str, Any]] = [{"type": "text", "text": text}]
        if isinstance(images, list):
            blocks += content_blocks([{"type": "input_image", "image_url": u} for u in images])
        self.open = None
        buf.add(
            Msg(
                "user",
                blocks,
                external_id=f"{stamp}:user:{typed}" if stamp else f"line-{line_no}",
                created_at=stamp,
            )
        )
        if buf.get("title") is None or (buf.get("metadata") or {}).get("title_source") == "context":
            buf.set(title=title_from(text))

    def _as_context(self, buf: SessionBuffer, key: str) -> None:
        """A user item the `user_message` events did not repeat: injected context."""
        msg = buf.find(key)
        if msg is None or msg.role != "user":
            return
        msg.role = "system"
        msg.metadata = {**msg.metadata, "kind": "context"}
        buf.touch(msg)
        if buf.get("title") == title_from(plain_text(msg.blocks).lstrip()):
            buf.set_meta(title_source="context")  # the next typed prompt titles the session

    def _prompt(self, role: Any, blocks: list[dict[str, Any]], stamp: str | None, key: str) -> None:
        buf = self._session()
        self.open = None
        text = plain_text(blocks).lstrip()
        meta: dict[str, Any] = {}
        if role != "user":
            meta["kind"] = str(role)
        else:
            for prefix, kind in CONTEXT.items():
                if text.startswith(prefix):
                    meta["kind"] = kind
                    break
        if meta:
            if meta["kind"] == "environment_context":
                cwd = text_field(context_cwd(text))
                buf.set_default(cwd=cwd, project=cwd)
            buf.add(Msg("system", blocks, external_id=key, created_at=stamp, metadata=meta))
            return
        buf.add(Msg("user", blocks, external_id=key, created_at=stamp), extendable=True)
        self.unconfirmed.append([key, digest(text.strip())])
        if buf.get("title") is None:
            buf.set(title=title_from(text))

    def _assistant(self, blocks: list[dict[str, Any]], stamp: str | None, key: str) -> None:
        buf = self._session()
        msg = buf.find(self.open) if self.open else None
        if msg is not None and msg.role == "assistant":
            if merge_blocks(msg.blocks, blocks):
                buf.touch(msg)
        else:
            msg = buf.add(
                Msg("assistant", blocks, external_id=key, created_at=stamp, model=self.model),
                extendable=True,
            )
            self.open = key
            if any(self.pending):
                self._add_tokens(buf, msg, self.pending)
                self.pending = [0, 0, 0]
        self.last = msg.external_id

    def _compacted(self, payload: dict[str, Any], stamp: str | None, key: str) -> None:
        """A compaction: its summary message, or what its replacement history kept."""
        text = payload.get("message")
        history = payload.get("replacement_history")
        meta: dict[str, Any] = {"kind": "compaction"}
        if not (isinstance(text, str) and text.strip()):
            kept = []
            if isinstance(history, list):
                meta["replacement_items"] = len(history)
                for item in history:
                    if isinstance(item, dict) and item.get("type") == "message":
                        body = plain_text(content_blocks(item.get("content"))).strip()
                        if body:
                            kept.append(f"{item.get('role')}: {body}")
            text = "Conversation compacted"
            if kept:
                text += "; kept:\n" + "\n\n".join(kept)
        self._marker(text, stamp, key, meta)

    # -- tokens ------------------------------------------------------------------------------

    def _tokens(self, payload: dict[str, Any]) -> None:
        info = payload.get("info")
        total = info.get("total_token_usage") if isinstance(info, dict) else None
        if not isinstance(total, dict):
            return
        new = [
            count(total.get("input_tokens")),
            count(total.get("cached_input_tokens")),
            count(total.get("output_tokens")),
        ]
        delta = [max(0, n - o) for n, o in zip(new, self.totals, strict=True)]
        self.totals = new
        if not any(delta):
            return
        buf = self._session()
        msg = buf.find(self.last) if self.last else None
        if msg is None:
            self.pending = [p + d for p, d in zip(self.pending, delta, strict=True)]
            return
        self._add_tokens(buf, msg, delta)

    @staticmethod
    def _add_tokens(buf: SessionBuffer, msg: Msg, delta: list[int]) -> None:
        # Codex's input counts cached input; the store's input excludes cache reads
        msg.input_tokens += max(0, delta[0] - delta[1])
        msg.cache_read_tokens += delta[1]
        msg.output_tokens += delta[2]
        buf.touch(msg)


FORMAT = Format(SOURCE, discover, CodexParser)
