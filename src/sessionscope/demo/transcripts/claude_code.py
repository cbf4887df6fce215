"""Serialise session steps as Claude Code writes them: `~/.claude/projects/<slug>/<uuid>.jsonl`.

Every record carries the session envelope (parentUuid chain, cwd, sessionId, version, gitBranch,
uuid, timestamp). One assistant API message is written as one record per content block, all
sharing `message.id` and `usage`; each tool result is a user record with a `toolUseResult`
sidecar. Subagents go to `<uuid>/subagents/agent-<id>.jsonl` (2.x) or inline as `isSidechain`
records (1.x); compactions are a `compact_boundary` system record and an `isCompactSummary` user.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .records import ByteSink, b62, encode, iso, tokens, uuid4
from .steps import Call, Command, Compact, Interrupt, Meta, Prompt, Reply, Step, SubRun


def project_slug(cwd: str) -> str:
    """Claude Code's directory name for a working directory: `/home/dev/webapp` -> `-home-dev-webapp`."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


@dataclass
class SessionInfo:
    """What a writer produced (for callers that count)."""

    session_id: str
    path: str
    records: int
    bytes: int
    subagent_files: int
    sidechains: int


class ClaudeWriter:
    """Writes one Claude Code transcript (or one subagent's records) to a sink."""

    def __init__(
        self,
        sink: ByteSink,
        rng: random.Random,
        *,
        session_id: str,
        cwd: str,
        branch: str,
        version: str,
        model: str,
        clock_ms: int,
        sidechain: bool = False,
        agent_id: str | None = None,
        subagent_dir: str | None = None,
    ) -> None:
        self.sink = sink
        self.rng = rng
        self.session_id = session_id
        self.cwd, self.branch, self.version, self.model = cwd, branch, version, model
        self.clock = clock_ms
        self.sidechain = sidechain
        self.subagent_dir = subagent_dir  # None: subagents are written inline
        self.parent: str | None = None
        self.context = rng.randint(9000, 16000)  # system prompt + tools, cached
        self.pending = 0
        self.snapshots = not version.startswith("1.") and not sidechain
        self.subagent_files = 0
        self.sub_bytes = 0  # written to subagent files
        self.sub_lines = 0
        self.sidechains = 0
        self._prefix = (
            f',"isSidechain":{"true" if sidechain else "false"},"userType":"external",'
            f'"cwd":{encode(cwd)},"sessionId":"{session_id}","version":"{version}",'
            f'"gitBranch":{encode(branch)}' + (f',"agentId":"{agent_id}"' if agent_id else "")
        )

    # -- low level ---------------------------------------------------------------------------------

    def _record(
        self, body: str, *, uuid: str | None = None, parent: str | bool | None = True
    ) -> str:
        uuid = uuid or uuid4(self.rng)
        if parent is True:
            parent = self.parent
        head = "null" if parent is None or parent is False else f'"{parent}"'
        self.sink.write(
            f'{{"parentUuid":{head}{self._prefix},"uuid":"{uuid}",'
            f'"timestamp":"{iso(self.clock)}"{body}}}\n'
        )
        self.parent = uuid
        return uuid

    def _tick(self, lo: float, hi: float) -> None:
        self.clock += int(self.rng.uniform(lo, hi) * 1000)

    def _user(self, content: object, extra: str = "", *, uuid: str | None = None) -> str:
        encoded = encode(content)
        self.pending += tokens(len(encoded))
        return self._record(
            f'{extra},"type":"user","message":{{"role":"user","content":{encoded}}}', uuid=uuid
        )

    # -- steps ---------------------------------------------------------------------------------------

    def write(self, step: Step, *, first: bool = False, uuid: str | None = None) -> None:
        if isinstance(step, Reply):
            self._reply(step)
        elif isinstance(step, Prompt):
            self._prompt(step, first, uuid)
        elif isinstance(step, Meta):
            self._tick(0.01, 0.5)
            self._record(
                f',"isMeta":true,"type":"user","message":{{"role":"user","content":{encode(step.text)}}}'
            )
        elif isinstance(step, Command):
            self._tick(1, 30)
            name = step.name.lstrip("/")
            self._user(
                f"<command-name>{step.name}</command-name>\n<command-message>{name}"
                f"</command-message>\n<command-args>{step.args}</command-args>"
            )
            if step.stdout is not None:
                self._tick(0.05, 1)
                self._user(f"<local-command-stdout>{step.stdout}</local-command-stdout>")
        elif isinstance(step, Interrupt):
            self._tick(0.05, 0.5)
            self._user([{"type": "text", "text": step.text}])
        elif isinstance(step, Compact):
            self._compact(step)

    def _prompt(self, step: Prompt, first: bool, uuid: str | None) -> None:
        if not first:
            self._tick(15, 600)
        uuid = uuid or uuid4(self.rng)
        if self.snapshots:
            snap = {"messageId": uuid, "trackedFileBackups": {}, "timestamp": iso(self.clock)}
            data = encode(
                {
                    "type": "file-history-snapshot",
                    "messageId": uuid,
                    "snapshot": snap,
                    "isSnapshotUpdate": False,
                }
            )
            self.sink.write(data + "\n")
        self.clock += self.rng.randint(5, 40)
        if step.images:
            content: object = [{"type": "text", "text": step.text}] + [
                {"type": "image", "source": {"type": "base64", "media_type": mt, "data": data}}
                for mt, data in step.images
            ]
        else:
            content = step.text
        self._user(content, uuid=uuid)

    def _reply(self, reply: Reply) -> None:
        rng = self.rng
        self._tick(1.5, 25)
        msg_id = "msg_01" + b62(rng, 22)
        req_id = "req_011C" + b62(rng, 18)
        blocks: list[dict[str, object]] = []
        if reply.thinking:
            blocks.append(
                {
                    "type": "thinking",
                    "thinking": reply.thinking,
                    "signature": b62(rng, rng.randint(200, 600)),
                }
            )
        if reply.text:
            blocks.append({"type": "text", "text": reply.text})
        ids = []
        for call in reply.calls:
            ids.append("toolu_01" + b62(rng, 22))
            blocks.append(
                {"type": "tool_use", "id": ids[-1], "name": call.name, "input": call.input}
            )
        encoded = [encode(b) for b in blocks]
        out_tokens = sum(tokens(len(e)) for e in encoded) + rng.randint(5, 60)
        usage = {
            "input_tokens": rng.randint(3, 12),
            "cache_creation_input_tokens": self.pending,
            "cache_read_input_tokens": self.context,
            "output_tokens": out_tokens,
            "service_tier": "standard",
        }
        if self.snapshots:
            usage["cache_creation"] = {
                "ephemeral_5m_input_tokens": self.pending,
                "ephemeral_1h_input_tokens": 0,
            }
        self.context += self.pending + out_tokens
        self.pending = 0
        head = (
            f',"type":"assistant","requestId":"{req_id}","message":{{"id":"{msg_id}",'
            f'"type":"message","role":"assistant","model":"{self.model}","content":['
        )
        tail = f'],"stop_reason":null,"stop_sequence":null,"usage":{encode(usage)}}}'
        for i, block in enumerate(encoded):
            if i:
                self.clock += rng.randint(150, 2500)
            self._record(head + block + tail)
        for call, tool_id in zip(reply.calls, ids, strict=True):
            self._result(call, tool_id)

    def _result(self, call: Call, tool_id: str) -> None:
        rng = self.rng
        start = self.clock
        agent_id = None
        if call.sub is not None:
            agent_id = self._subagent(call.sub)
        self.clock = max(self.clock, start + int(call.duration * 1000) + rng.randint(20, 400))
        block: dict[str, object] = {
            "tool_use_id": tool_id,
            "type": "tool_result",
            "content": call.output,
        }
        if call.is_error:
            block["is_error"] = True
        elif rng.random() < 0.5:
            block["is_error"] = False
        result = call.result
        if isinstance(result, dict) and "agentId" in result:
            result = dict(result, agentId=agent_id or b62(rng, 8).lower())
        extra = "" if result is None else f',"toolUseResult":{encode(result)}'
        self._user([block], extra)

    def _subagent(self, sub: SubRun) -> str | None:
        rng = self.rng
        if self.subagent_dir is not None:
            agent_id = f"{rng.getrandbits(32):08x}"
            os.makedirs(self.subagent_dir, exist_ok=True)
            sink = ByteSink(os.path.join(self.subagent_dir, f"agent-{agent_id}.jsonl"))
            try:
                child = ClaudeWriter(
                    sink,
                    rng,
                    session_id=self.session_id,
                    cwd=self.cwd,
                    branch=self.branch,
                    version=self.version,
                    model=sub.model,
                    clock_ms=self.clock + rng.randint(200, 2000),
                    sidechain=True,
                    agent_id=agent_id,
                )
                child.run([Prompt(sub.prompt), *sub.replies])
            finally:
                sink.close()
            self.subagent_files += 1
            self.sub_bytes += sink.bytes
            self.sub_lines += sink.lines
            self.clock = max(self.clock, child.clock)
            return agent_id
        # 1.x: the sidechain's records go inline, in the parent's file, before the Task result
        child = ClaudeWriter(
            self.sink,
            rng,
            session_id=self.session_id,
            cwd=self.cwd,
            branch=self.branch,
            version=self.version,
            model=sub.model,
            clock_ms=self.clock + rng.randint(200, 2000),
            sidechain=True,
        )
        child.run([Prompt(sub.prompt), *sub.replies])
        self.sidechains += 1
        self.clock = max(self.clock, child.clock)
        return None

    def _compact(self, step: Compact) -> None:
        self._tick(1, 20)
        logical = self.parent
        meta = encode({"trigger": step.trigger, "preTokens": step.pre_tokens})
        self._record(
            f',"logicalParentUuid":{encode(logical)},"type":"system","subtype":"compact_boundary",'
            f'"content":"Conversation compacted","isMeta":false,"level":"info",'
            f'"compactMetadata":{meta}',
            parent=None,
        )
        self.clock += self.rng.randint(200, 900)
        self._record(
            f',"isCompactSummary":true,"isVisibleInTranscriptOnly":true,"type":"user",'
            f'"message":{{"role":"user","content":{encode(step.summary)}}}'
        )
        self.context = self.rng.randint(9000, 16000) + tokens(len(step.summary))
        self.pending = 0

    def run(self, steps: Iterable[Step], *, limit_bytes: int | None = None) -> None:
        """Write every step (stopping at a prompt once `limit_bytes` were written)."""
        first = True
        for step in steps:
            if (
                limit_bytes is not None
                and isinstance(step, Prompt)
                and self.sink.bytes >= limit_bytes
            ):
                break
            self.write(step, first=first)
            first = False


def write_session(
    path: str,
    rng: random.Random,
    steps: Iterable[Step],
    *,
    session_id: str,
    cwd: str,
    branch: str,
    version: str,
    model: str,
    start_ms: int,
    title: str | None,
    subagents_in_files: bool,
    limit_bytes: int | None = None,
) -> SessionInfo:
    """Write one top-level transcript (and its subagent files) at `path`."""
    sink = ByteSink(path)
    sub_dir = os.path.join(path[: -len(".jsonl")], "subagents") if subagents_in_files else None
    writer = ClaudeWriter(
        sink,
        rng,
        session_id=session_id,
        cwd=cwd,
        branch=branch,
        version=version,
        model=model,
        clock_ms=start_ms,
        subagent_dir=sub_dir,
    )
    try:
        leaf: str | None = uuid4(rng)
        if title:
            sink.write(encode({"type": "summary", "summary": title, "leafUuid": leaf}) + "\n")
        first = True
        for step in steps:
            if limit_bytes is not None and isinstance(step, Prompt) and sink.bytes >= limit_bytes:
                break
            if leaf is not None and isinstance(step, Prompt):
                # the first prompt gets the id the summary points at
                writer.write(step, first=first, uuid=leaf)
                leaf = None
            else:
                writer.write(step, first=first)
            first = False
    finally:
        sink.close()
    return SessionInfo(
        session_id,
        path,
        sink.lines + writer.sub_lines,
        sink.bytes + writer.sub_bytes,
        writer.subagent_files,
        writer.sidechains,
    )
