"""Codex CLI rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`.

Rules (see tests/fixtures/README.md):
- `session_meta` gives the session id, cwd, git branch and start; `turn_context` the model;
- `response_item`s are the transcript: `message` (user / assistant; the `<environment_context>`
  and instruction messages are `system` context), `reasoning` (its summary text becomes a
  `thinking` block; encrypted content is not text and is not kept), `function_call` /
  `custom_tool_call` / `local_shell_call` (-> `tool_use`) and their `*_output` (-> a `tool`
  message with a `tool_result`), paired by `call_id`. Consecutive assistant-side items
  (reasoning, calls, reply) form one assistant message;
- `event_msg` `user_message` / `agent_message` / `agent_reasoning` repeat response items and are
  not stored again; `token_count` is cumulative: the session's totals are the last one. Each
  count's increase over the previous one is added to the latest assistant message, so the
  per-message tokens sum exactly to the last `token_count` (input includes cached input, as
  Codex counts it; cached input is also in `cache_read_tokens`);
- the older layout without the `{timestamp, type, payload}` envelope: the first line holds the
  session id and timestamp, the items follow bare, `record_type: state` lines are skipped;
- unknown record, item and event types are skipped silently.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any

from .common import (
    blocks_of,
    count,
    plain_text,
    session_id,
    tag_text,
    text_field,
    title_from,
    ts,
)
from .incremental import Format, walk_files
from .sink import Msg, SessionBuffer, Sink, merge_blocks

SOURCE = "codex"

_ENVELOPE = {"session_meta", "response_item", "event_msg", "turn_context", "compacted"}
_CONTEXT = {
    "<environment_context>": "environment_context",
    "<user_instructions>": "instructions",
    "# AGENTS.md instructions": "instructions",
    "<INSTRUCTIONS>": "instructions",
}
_ROLLOUT_ID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
_CWD_LINE = "Current working directory:"
_EXIT_CODE = re.compile(r"^\s*Exit code:\s*(-?\d+)")
_CALLS = {"function_call", "custom_tool_call", "local_shell_call", "web_search_call"}
_OUTPUTS = {"function_call_output", "custom_tool_call_output", "local_shell_call_output"}


def discover(root: Path) -> list[Path]:
    """Rollout files under `root` (any .jsonl when `root` is a single file)."""
    return walk_files(root, lambda n: n.startswith("rollout-") and n.endswith(".jsonl"))


def _context_cwd(text: str) -> str | None:
    """The cwd an `<environment_context>` message names: its `<cwd>` tag, else a line
    `Current working directory: …` (string searches only: linear on any text)."""
    cwd = tag_text(text, "cwd")
    if cwd is not None:
        return cwd
    at = text.find(_CWD_LINE)
    while at > 0 and text[at - 1] != "\n":
        at = text.find(_CWD_LINE, at + 1)
    if at < 0:
        return None
    rest = text[at + len(_CWD_LINE) :].lstrip()
    return rest.split("\n", 1)[0].strip() or None


def _digest(text: str) -> str:
    return format(zlib.crc32(text.encode("utf-8", "surrogatepass")), "08x")


def _content_blocks(content: Any) -> list[dict[str, Any]]:
    """Codex content items (input_text, output_text, input_image) as Anthropic blocks."""
    if not isinstance(content, list):
        return blocks_of(content)
    blocks: list[dict[str, Any]] = []
    for item in content:
        if not isinstance(item, dict):
            blocks.extend(blocks_of(item))
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


def _tool_output(output: Any) -> tuple[Any, bool, dict[str, Any]]:
    """(content, is_error, metadata) of a call's output, whichever shape Codex wrote."""
    meta: dict[str, Any] = {}
    if isinstance(output, str):
        try:
            parsed = json.loads(output)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than it can read
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("output"), str):
            info = got if isinstance(got := parsed.get("metadata"), dict) else {}
            code = info.get("exit_code")
            if isinstance(code, int) and not isinstance(code, bool):
                meta["exit_code"] = code
            if isinstance(info.get("duration_seconds"), (int, float)):
                meta["duration_seconds"] = info["duration_seconds"]
            return parsed["output"], meta.get("exit_code", 0) != 0, meta
        match = _EXIT_CODE.match(output)
        if match:
            meta["exit_code"] = int(match.group(1))
        return output, meta.get("exit_code", 0) != 0, meta
    if isinstance(output, dict):
        content = output.get("content", output.get("output"))
        failed = output.get("success") is False
        if isinstance(content, list):
            content = plain_text(_content_blocks(content))
        return content if isinstance(content, str) else json.dumps(output), failed, meta
    if isinstance(output, list):
        return plain_text(_content_blocks(output)), False, meta
    return "" if output is None else str(output), False, meta


def _tool_use(item: dict[str, Any], key: str) -> dict[str, Any]:
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
    elif kind == "local_shell_call":
        action = item.get("action")
        tool_input = action if isinstance(action, dict) else {"action": action}
        name = "local_shell"
    else:
        action = item.get("action")
        tool_input = action if isinstance(action, dict) else {}
        name = "web_search"
    return {"type": "tool_use", "id": str(call_id), "name": str(name or kind), "input": tool_input}


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
                if payload.get("type") == "token_count":
                    self._tokens(payload)
            else:
                self._compacted(payload, stamp or self.last_ts, f"{stamp}:compacted")
            return
        if "record_type" in record:
            return  # older layout: state snapshots
        if kind is None and self.sid is None and isinstance(record.get("id"), str):
            self._meta(record, ts(record.get("timestamp")))  # older layout: the header line
            return
        if isinstance(kind, str):
            self._item(record, self.last_ts or self.base_ts, self._key(record, None, line_no))

    # -- session -----------------------------------------------------------------------------

    def _session(self) -> SessionBuffer:
        if self.sid is None:
            match = _ROLLOUT_ID.search(self.path.stem)
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
            if kind in _CALLS:
                return f"call:{call_id}"
            if kind in _OUTPUTS:
                return f"result:{call_id}"
        if stamp is None:
            return f"line-{line_no}"
        if kind == "message":
            body = plain_text(_content_blocks(item.get("content")))
            return f"{stamp}:{item.get('role')}:{_digest(body)}"
        if kind == "reasoning":
            return f"{stamp}:reasoning:{_digest(json.dumps(item.get('summary'), sort_keys=True))}"
        return f"{stamp}:{kind}:{line_no}"

    # -- items -------------------------------------------------------------------------------

    def _item(self, item: dict[str, Any], stamp: str | None, key: str) -> None:
        kind = item.get("type")
        if kind == "message":
            blocks = _content_blocks(item.get("content"))
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
        elif kind in _CALLS:
            self._assistant([_tool_use(item, key)], stamp, key)
        elif kind in _OUTPUTS:
            call_id = item.get("call_id")
            content, failed, meta = _tool_output(item.get("output"))
            block = {
                "type": "tool_result",
                "tool_use_id": str(call_id or ""),
                "content": content,
                "is_error": failed,
            }
            self.open = None
            self._session().add(
                Msg("tool", [block], external_id=key, created_at=stamp, metadata=meta)
            )

    def _prompt(self, role: Any, blocks: list[dict[str, Any]], stamp: str | None, key: str) -> None:
        buf = self._session()
        self.open = None
        text = plain_text(blocks).lstrip()
        meta: dict[str, Any] = {}
        if role != "user":
            meta["kind"] = str(role)
        else:
            for prefix, kind in _CONTEXT.items():
                if text.startswith(prefix):
                    meta["kind"] = kind
                    break
        if meta:
            if meta["kind"] == "environment_context":
                cwd = text_field(_context_cwd(text))
                buf.set_default(cwd=cwd, project=cwd)
            buf.add(Msg("system", blocks, external_id=key, created_at=stamp, metadata=meta))
            return
        buf.add(Msg("user", blocks, external_id=key, created_at=stamp))
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
        text = payload.get("message")
        if isinstance(text, str) and text.strip():
            self.open = None
            self._session().add(
                Msg(
                    "system",
                    [{"type": "text", "text": text}],
                    external_id=key,
                    created_at=stamp,
                    metadata={"kind": "compaction"},
                )
            )

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
        msg.input_tokens += delta[0]
        msg.cache_read_tokens += delta[1]
        msg.output_tokens += delta[2]
        buf.touch(msg)


FORMAT = Format(SOURCE, discover, CodexParser)
