"""Claude Code transcripts: `~/.claude/projects/<slug>/<session>.jsonl`.

Rules (see tests/fixtures/README.md):
- one assistant API message written as several records sharing `message.id` is ONE message, its
  blocks in order and its usage counted once (the largest value each counter reached);
- a user record holding only tool results is a `tool` message (the store pairs results with
  calls by tool_use id); `isMeta` records, `compact_boundary` system records, `isCompactSummary`
  summaries and local command output are `system` messages, never user prompts;
- subagents become child sessions (`parent_session_id`): `<session>/subagents/agent-*.jsonl` files
  (and the older `agent-*.jsonl` beside the sessions) and inline `isSidechain` runs. A subagent
  whose parent is not in the store stays a session of its own; it is linked when the parent is
  imported;
- titles, strongest first: `custom-title` (/rename), `ai-title`, `summary` (matched to the session by
  `leafUuid`, in this file or another, imported before or after it: see `claude_leaves`), the
  first real prompt or a first slash command with arguments (`/cmd args`); a bare slash command
  (`/model`) titles a session only until a prompt comes; the latest of a kind wins;
- prompts typed while the agent worked (`queue-operation` `enqueue`, `attachment` `queued_command`)
  are user messages at their time unless a later `user` record holds the same text;
- `<task-notification>` / `<bash-notification>` user records are `system` notices, not prompts;
  `system` `api_error` / `error` records (no content, an `error` object) are `system` messages
  saying what failed (`is:error` finds them);
- a session with no timestamp at all starts at the file's mtime;
- records are keyed by their `uuid` (assistant messages by `message.id`), so records replayed by a
  resumed session, or written twice, are stored once. A record carrying another session's
  `sessionId` (history a resumed session copied) goes to that session;
- `pr-link` and `agent-name` session-state records are session metadata (`pr_url`, `pr_number`,
  `pr_repository`, `agent_name`; the latest wins);
- `file-history-snapshot`, `progress`, the 2.1 session-state records (`mode`, `permission-mode`,
  `bridge-session`, ...) and the other `NOISE` types are skipped and counted as noise; other
  record types are counted as unknown (format drift; see `importers.report`).
"""

from __future__ import annotations

import os
import re
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ..store.blocks import normalize
from ..store.spec import Role
from ..transcript_files import claude_code_file
from .claude_code_errors import api_error_text
from .claude_code_records import NOISE, STATE_META, state_meta
from .claude_leaves import ConversationEnds
from .common import (
    count,
    derived_id,
    plain_text,
    safe_id,
    session_id,
    tag_text,
    text_field,
    title_from,
    ts,
)
from .incremental import Format, walk_files
from .sink import Msg, SessionBuffer, Sink, merge_blocks

SOURCE = "claude-code"

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_OUTPUT_PREFIXES = (
    "<local-command-stdout>",
    "<local-command-stderr>",
    "<bash-stdout>",
    "<bash-stderr>",
)
_NOT_A_TITLE = ("<command-", "<local-command", "<bash-", "Caveat:", "[Request interrupted")
_NOTICES = {"<task-notification>": "task_notification", "<bash-notification>": "bash_notification"}
# Title sources, weakest first: a later title replaces one of the same or a weaker kind.
_TITLE_RANK = {"command": 0, "prompt": 1, "summary": 2, "ai": 3, "custom": 4}
_QUEUED_MAX = 256
_CHAIN_MAX = 256
_SUMMARY_MAX = 64
_UUIDS_MAX = 4096
# The ids a record links by: made storable where they enter (a lone surrogate, which UTF-8 cannot
# carry, as U+FFFD, as every id from a transcript), so no later write can refuse them.
_ID_KEYS = ("uuid", "parentUuid", "leafUuid", "agentId")


def discover(root: Path) -> list[Path]:
    """Transcript files under `root`: sessions first, then subagent files (so parents exist)."""
    files = walk_files(root, claude_code_file)
    return sorted(files, key=lambda p: (p.name.startswith("agent-"), str(p)))


def decode_slug(name: str) -> str | None:
    """`-home-dev-webapp` -> `/home/dev/webapp` (best effort: dashes in names are ambiguous)."""
    if name.startswith("-") and len(name) > 1:
        return name.replace("-", "/")
    return None


def _agent_id_of(path: Path) -> str:
    stem = path.stem
    return stem[len("agent-") :] if stem.startswith("agent-") else stem


class ClaudeCodeParser:
    """Records of one Claude Code file -> sessions and messages in a `Sink`."""

    def __init__(self, sink: Sink, path: Path, state: dict[str, Any]) -> None:
        self.sink = sink
        self.path = path
        self.is_agent = path.name.startswith("agent-")
        self.main: str | None = state.get("sid")
        self.parent: str | None = state.get("parent")
        self.chains: OrderedDict[str, str] = OrderedDict(state.get("chains") or {})
        self.last_chain: str | None = state.get("last_chain")
        self.summaries: OrderedDict[str, str] = OrderedDict(state.get("summaries") or {})
        self.ends = ConversationEnds(sink, state)  # for summaries in other files
        # summaries other files hold whose leaf no import met yet: leaf uuid -> summary
        self.waiting = {} if self.is_agent else sink.db.pending_summaries()
        self.uuids: OrderedDict[str, str] = OrderedDict()
        self.last_fields: dict[str, tuple[Any, Any, Any]] = {}
        # queued prompts stored as messages: digest -> sid (a later `user` record with the
        # same text is the same prompt, sent: not stored again)
        self.queued_done: OrderedDict[str, str] = OrderedDict(state.get("queued_done") or {})
        self.mtime: float | None = None
        self._raw_sid: Any = None  # the last record's sessionId, and `session_id()` of it
        self._sid: str | None = None
        in_subagents = path.parent.name == "subagents"
        slug_dir = path.parent.parent.parent if in_subagents else path.parent
        self.project_hint = decode_slug(safe_id(slug_dir.name))

    def state(self) -> dict[str, Any]:
        return {
            "sid": self.main,
            "parent": self.parent,
            "chains": dict(self.chains),
            "last_chain": self.last_chain,
            "summaries": dict(self.summaries),
            **self.ends.state(),
            "queued_done": dict(self.queued_done),
        }

    # -- records ---------------------------------------------------------------------------

    def feed(self, record: dict[str, Any], line_no: int) -> None:
        for key in _ID_KEYS:
            value = record.get(key)
            if type(value) is str and not value.isascii():
                record[key] = safe_id(value)
        kind = record.get("type")
        if kind == "summary":
            self._summary(record)
        elif kind == "custom-title" or kind == "ai-title":
            self._named_title(record, kind)
        elif kind == "queue-operation" or kind == "attachment":
            if not self._queued(record, line_no):
                self.sink.skipped(str(kind), noise=True)
            if kind == "attachment":
                self.ends.follow(record, self.main)
        elif kind in ("user", "assistant", "system"):
            buf = self._target(record, line_no)
            if buf is None:
                return
            uuid = record.get("uuid")
            if kind == "user":
                self._user(buf, record, line_no)
            elif kind == "assistant":
                self._assistant(buf, record, line_no)
            else:
                self._system(buf, record, line_no)
            if isinstance(uuid, str):
                self._seen(uuid, buf)
            self.ends.follow(record, buf.id)
        elif kind in STATE_META:
            self._state_meta(record)
        else:
            name = kind if isinstance(kind, str) else "(no type)"
            self.sink.skipped(name, noise=name in NOISE)

    def finish(self) -> None:
        """End of what the file holds now: a session with no timestamp starts at the file's
        mtime."""
        for buf in list(self.sink.sessions.values()):
            if buf.get("started_at") is None and (buf.new or buf.created):
                buf.set(started_at=self._mtime())
        self.ends.finish()

    def _mtime(self) -> str | None:
        try:
            return ts(self.path.stat().st_mtime)
        except OSError:
            return None

    # -- titles and queued prompts -----------------------------------------------------------

    @staticmethod
    def _title(buf: SessionBuffer, text: str | None, kind: str) -> None:
        """Set the title from a source of `kind` unless a stronger source titled it."""
        if text and _titles(buf, kind):
            buf.set(title=text)
            buf.set_meta(title_source=kind)

    def _named_title(self, record: dict[str, Any], kind: str) -> None:
        value = record.get("customTitle" if kind == "custom-title" else "aiTitle")
        text = title_from(value) if isinstance(value, str) else None
        if not text:
            return
        sid = session_id(record.get("sessionId"))
        if self.is_agent:
            return
        buf = self._main_session(sid) if sid in (None, self.main) else self.sink.session(sid)
        self._title(buf, text, "custom" if kind == "custom-title" else "ai")

    def _state_meta(self, record: dict[str, Any]) -> None:
        """A session-state record (`pr-link`, `agent-name`): its values as session metadata."""
        values = state_meta(record)
        if values and not self.is_agent:
            sid = session_id(record.get("sessionId"))
            buf = self._main_session(sid) if sid in (None, self.main) else self.sink.session(sid)
            buf.set_meta(**values)

    def _queued(self, record: dict[str, Any], line_no: int) -> bool:
        """A prompt typed while the agent worked; False when the record holds none."""
        if record.get("type") == "queue-operation":
            if record.get("operation") != "enqueue":
                return False
            value = record.get("content")
        else:
            att = record.get("attachment")
            if not isinstance(att, dict) or att.get("type") != "queued_command":
                return False
            value = att.get("prompt", att.get("content"))
        text = plain_text(normalize(value, lenient=True)).strip()
        if not text or self.is_agent:
            return False
        sid = session_id(record.get("sessionId"))
        buf = self._main_session(sid) if sid in (None, self.main) else self.sink.session(sid)
        key = _queue_digest(buf.id, text)
        if key in self.queued_done:
            return True  # the same prompt again (its enqueue, then its attachment)
        buf.add(
            Msg(
                "user",
                [{"type": "text", "text": text}],
                # keyed by text and time, not line: a line number moves when lines are inserted
                external_id=f"queued:{key}:{record.get('timestamp')}",
                created_at=ts(record.get("timestamp")),
                metadata={"queued": True},
            )
        )
        self._title(buf, title_from(text), "prompt")
        self.queued_done[key] = buf.id
        while len(self.queued_done) > _QUEUED_MAX:
            self.queued_done.popitem(last=False)
        return True

    def _summary(self, record: dict[str, Any]) -> None:
        summary = record.get("summary")
        text = title_from(summary) if isinstance(summary, str) else None
        if not text:
            return
        leaf = record.get("leafUuid")
        if not isinstance(leaf, str) or not leaf:
            leaf = ""
        owner = self.uuids.get(leaf) if leaf else self.main
        if owner is None and leaf:
            owner = self._stored_owner(leaf) or self.sink.db.leaf_owner(leaf)
        if owner is not None:
            self._title(self.sink.session(owner), text, "summary")
            return
        if leaf:  # (usually) another session's: its file may come later, in any run
            self.sink.leaf_summaries[leaf] = text
        self.summaries[leaf] = text
        self.summaries.move_to_end(leaf)
        while len(self.summaries) > _SUMMARY_MAX:
            self.summaries.popitem(last=False)

    def _stored_owner(self, leaf: str) -> str | None:
        """The session of this file that an earlier run stored `leaf` in (summary records are
        appended to old transcripts, long after the messages they name were imported)."""
        candidates = dict.fromkeys(
            [sid for sid in (self.main, self.last_chain) if sid] + list(self.chains.values())
        )
        for sid in candidates:
            if self.sink.db.find_message(sid, leaf) is not None:
                return sid
        return None

    def _seen(self, uuid: str, buf: SessionBuffer) -> None:
        self.uuids[uuid] = buf.id
        if len(self.uuids) > _UUIDS_MAX:
            self.uuids.popitem(last=False)
        title = None
        if self.summaries:
            title = self.summaries.pop(uuid, None)
            if title is None and buf.id == self.main:
                title = self.summaries.pop("", None)
        if title is None and uuid in self.waiting:
            title = self.waiting.pop(uuid)  # a summary another file holds names this record
        if title is not None:
            self._title(buf, title, "summary")
            self.sink.leaves[uuid] = buf.id  # its summary is no longer waiting

    # -- which session a record belongs to ---------------------------------------------------

    def _target(self, record: dict[str, Any], line_no: int) -> SessionBuffer | None:
        raw = record.get("sessionId")
        if raw != self._raw_sid:  # most records repeat the previous one's
            self._raw_sid, self._sid = raw, session_id(raw)  # None when missing; inert if hostile
        sid = self._sid
        if self.is_agent:
            buf = self._agent_session(record, sid)
        else:
            main = self._main_session(sid)
            if record.get("isSidechain"):
                buf = self._sidechain(record, sid or main.id, line_no)
            elif sid is not None and sid != main.id:
                buf = self.sink.session(sid)  # history a resumed session copied
                main.set_meta(continues=sid)
            else:
                buf = main
        seen = (record.get("cwd"), record.get("gitBranch"), record.get("version"))
        if self.last_fields.get(buf.id) != seen:  # most records repeat the previous ones
            self.last_fields[buf.id] = seen
            cwd = text_field(seen[0])
            buf.set_default(cwd=cwd, project=cwd or self.project_hint)
            buf.set(git_branch=text_field(seen[1]))
            if isinstance(seen[2], str):
                buf.set_meta(claude_code_version=seen[2])
        return buf

    def _main_session(self, sid: str | None) -> SessionBuffer:
        if self.main is None:
            stem = self.path.stem
            self.main = stem if _UUID.match(stem) else (sid or stem)
            buf = self.sink.session(self.main)
            if not buf.existed:
                self._adopt_subagents(buf)
            return buf
        return self.sink.session(self.main)

    def _adopt_subagents(self, buf: SessionBuffer) -> None:
        """Link subagent sessions imported before their parent (parent file came later): the
        nested `<session>/subagents/agent-*.jsonl` and the older flat `agent-*.jsonl` beside."""
        names = _agent_files(self.path.with_suffix("") / "subagents")
        names += _agent_files(self.path.parent)
        for name in names:
            if name.startswith("agent-") and name.endswith(".jsonl"):
                child = derived_id(buf.id, "agent-" + _agent_id_of(Path(name)))
                info = self.sink.db.session(child)
                if info is not None and info.parent_session_id is None:
                    self.sink.session(child).set(parent_session_id=buf.id)

    def _agent_session(self, record: dict[str, Any], sid: str | None) -> SessionBuffer:
        if self.main is None:
            parent = sid
            if parent is not None and parent.startswith("agent-"):
                parent = None  # the agent's own id (beside an `agent-*.meta.json`), not its parent
            if parent is None and self.path.parent.name == "subagents":
                parent = session_id(self.path.parent.parent.name)
            agent = record.get("agentId")
            agent = agent if isinstance(agent, str) and agent else _agent_id_of(self.path)
            self.main = derived_id(parent or "", "agent-" + agent)
            buf = self.sink.session(self.main)
            buf.set_meta(agent_id=agent)
            if agent.startswith("acompact"):
                buf.set_meta(kind="compaction_agent")  # folded away in the list
            if parent is not None:
                if buf.get("parent_session_id") is None and self.sink.db.session(parent):
                    buf.set(parent_session_id=parent)
                    self.parent = parent
                elif buf.get("parent_session_id") is None:
                    buf.set_meta(parent_session_hint=parent)
            return buf
        return self.sink.session(self.main)

    def _sidechain(self, record: dict[str, Any], owner: str, line_no: int) -> SessionBuffer:
        agent = record.get("agentId")
        uuid = record.get("uuid")
        parent_uuid = record.get("parentUuid")
        if isinstance(agent, str) and agent:
            child = derived_id(owner, "agent-" + agent)
        elif isinstance(parent_uuid, str) and parent_uuid in self.chains:
            child = self.chains[parent_uuid]
        elif parent_uuid is not None and self.last_chain is not None:
            child = self.last_chain
        else:
            child = derived_id(
                owner, "sidechain-" + (uuid if isinstance(uuid, str) else str(line_no))
            )
        if isinstance(uuid, str):
            self.chains[uuid] = child
            self.chains.move_to_end(uuid)
            while len(self.chains) > _CHAIN_MAX:
                self.chains.popitem(last=False)
        self.last_chain = child
        buf = self.sink.session(child)
        buf.set_default(parent_session_id=owner)
        if isinstance(agent, str) and agent:
            buf.set_meta(agent_id=agent)
        return buf

    # -- messages ------------------------------------------------------------------------------

    def _user(self, buf: SessionBuffer, record: dict[str, Any], line_no: int) -> None:
        message = record.get("message")
        blocks = normalize(
            message.get("content") if isinstance(message, dict) else None, lenient=True
        )
        if not blocks:
            return
        meta: dict[str, Any] = {}
        text = ""
        role: Role
        if record.get("isCompactSummary"):
            role = "system"
            meta["kind"] = "compact_summary"
        elif record.get("isMeta"):
            role = "system"
            meta["kind"] = "meta"
        elif all(b.get("type") == "tool_result" for b in blocks):
            role = "tool"
            result = record.get("toolUseResult")
            if isinstance(result, dict) and isinstance(result.get("agentId"), str):
                meta["agent_id"] = result["agentId"]
                meta["subagent_session_id"] = derived_id(buf.id, "agent-" + result["agentId"])
        else:
            text = plain_text(blocks).lstrip()
            notice = next((k for p, k in _NOTICES.items() if text.startswith(p)), None)
            if text.startswith(_OUTPUT_PREFIXES):
                role = "system"
                meta["kind"] = "command_output"
            elif notice is not None:
                role = "system"
                meta["kind"] = notice  # injected by the agent, not typed
            else:
                role = "user"
                command = tag_text(text, "command-name") if text.startswith("<command-") else None
                if command is not None:
                    meta["kind"] = "command"
                    meta["command"] = command
                    args = tag_text(text, "command-args")
                    if args:
                        meta["command_args"] = args
                elif text.startswith("[Request interrupted"):
                    meta["kind"] = "interrupt"  # Claude Code's marker, not something typed
                elif self._repeats_queued(buf, text.strip()):
                    uuid = record.get("uuid")
                    if isinstance(uuid, str):
                        self._seen(uuid, buf)
                    return
        uuid = record.get("uuid")
        buf.add(
            Msg(
                role,
                blocks,
                external_id=uuid if isinstance(uuid, str) and uuid else f"line-{line_no}",
                created_at=ts(record.get("timestamp")),
                metadata=meta,
            )
        )
        if role == "user" and text.strip() == "Warmup" and (self.is_agent or buf.id != self.main):
            buf.set_meta(kind="warmup")  # a 2.0.x prewarm sidechain, not subagent work
        if role == "user" and not meta and _titles(buf, "prompt"):
            if not text.startswith(_NOT_A_TITLE):
                self._title(buf, title_from(text), "prompt")
        elif meta.get("kind") == "command" and isinstance(meta.get("command"), str):
            args = meta.get("command_args")
            name = meta["command"]
            self._title(
                buf,
                title_from(f"{name} {args}" if args else name),
                ("prompt" if args else "command"),
            )

    def _repeats_queued(self, buf: SessionBuffer, text: str) -> bool:
        """True when `text` is a queued prompt already stored: this record repeats it."""
        if not self.queued_done:
            return False
        return self.queued_done.pop(_queue_digest(buf.id, text), None) is not None

    def _assistant(self, buf: SessionBuffer, record: dict[str, Any], line_no: int) -> None:
        message = record.get("message")
        if not isinstance(message, dict):
            return
        blocks = normalize(message.get("content"), lenient=True)
        usage = message.get("usage")
        tokens = (
            (
                count(usage.get("input_tokens")),
                count(usage.get("output_tokens")),
                count(usage.get("cache_read_input_tokens")),
                count(usage.get("cache_creation_input_tokens")),
            )
            if isinstance(usage, dict)
            else (0, 0, 0, 0)
        )
        key = message.get("id") or record.get("uuid") or f"line-{line_no}"
        key = str(key)
        existing = buf.find(key)
        if existing is not None and existing.role == "assistant":
            changed = merge_blocks(existing.blocks, blocks)
            merged = (
                max(existing.input_tokens, tokens[0]),
                max(existing.output_tokens, tokens[1]),
                max(existing.cache_read_tokens, tokens[2]),
                max(existing.cache_creation_tokens, tokens[3]),
            )
            if merged != (
                existing.input_tokens,
                existing.output_tokens,
                existing.cache_read_tokens,
                existing.cache_creation_tokens,
            ):
                (
                    existing.input_tokens,
                    existing.output_tokens,
                    existing.cache_read_tokens,
                    existing.cache_creation_tokens,
                ) = merged
                changed = True
            if changed:
                buf.touch(existing)
            return
        if not blocks:
            return
        model = message.get("model") if isinstance(message.get("model"), str) else None
        meta: dict[str, Any] = {}
        if model == "<synthetic>":
            model = None
            meta["synthetic"] = True
        if record.get("isApiErrorMessage"):
            meta["api_error"] = True
        buf.add(
            Msg(
                "assistant",
                blocks,
                external_id=key,
                created_at=ts(record.get("timestamp")),
                model=model,
                input_tokens=tokens[0],
                output_tokens=tokens[1],
                cache_read_tokens=tokens[2],
                cache_creation_tokens=tokens[3],
                metadata=meta,
            ),
            extendable=True,
        )

    def _system(self, buf: SessionBuffer, record: dict[str, Any], line_no: int) -> None:
        subtype = record.get("subtype")
        content = record.get("content")
        meta: dict[str, Any] = {"kind": subtype if isinstance(subtype, str) else "system"}
        if subtype == "compact_boundary":
            text = content if isinstance(content, str) and content else "Conversation compacted"
            info = record.get("compactMetadata")
            if isinstance(info, dict):
                meta["trigger"] = info.get("trigger")
                meta["pre_tokens"] = info.get("preTokens")
        elif isinstance(content, str) and content.strip():
            text = content
            if isinstance(record.get("level"), str):
                meta["level"] = record["level"]
        elif subtype in ("api_error", "error") or isinstance(record.get("error"), dict):
            meta["kind"] = "api_error"
            text = api_error_text(record, meta)
        else:
            return
        uuid = record.get("uuid")
        buf.add(
            Msg(
                "system",
                [{"type": "text", "text": text}],
                external_id=uuid if isinstance(uuid, str) and uuid else f"line-{line_no}",
                created_at=ts(record.get("timestamp")),
                metadata={k: v for k, v in meta.items() if v is not None},
            )
        )


def _titles(buf: SessionBuffer, kind: str) -> bool:
    """Whether a title from a source of `kind` replaces the session's (none stronger titled
    it; the first prompt titles, not a later one)."""
    if buf.fields.get("title") is None:
        return True
    have = (buf.fields.get("metadata") or {}).get("title_source")
    have_rank, rank = _TITLE_RANK.get(str(have), 1), _TITLE_RANK[kind]
    return have_rank < rank if kind in ("prompt", "command") else have_rank <= rank


_DIR_CACHE: OrderedDict[tuple[str, int], list[str]] = OrderedDict()


def _agent_files(folder: Path) -> list[str]:
    """The `agent-*.jsonl` names in `folder` (a listing kept per directory version, so a full
    import lists a big project folder once, not once per session)."""
    try:
        key = (str(folder), os.stat(folder).st_mtime_ns)
    except OSError:
        return []
    names = _DIR_CACHE.get(key)
    if names is None:
        try:
            names = [
                n for n in os.listdir(folder) if n.startswith("agent-") and n.endswith(".jsonl")
            ]
        except OSError:
            names = []
        _DIR_CACHE[key] = names
        while len(_DIR_CACHE) > 64:
            _DIR_CACHE.popitem(last=False)
    return list(names)


def _queue_digest(sid: str, text: str) -> str:
    return format(zlib.crc32(f"{sid}\0{text}".encode("utf-8", "surrogatepass")), "08x")


FORMAT = Format(SOURCE, discover, ClaudeCodeParser)
