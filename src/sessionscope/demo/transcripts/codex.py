"""Serialise session steps as Codex CLI rollouts: `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`.

Current layout: `{timestamp, type, payload}` lines: `session_meta`, `turn_context` (the model),
`response_item` (message / reasoning / function_call / function_call_output / custom_tool_call /
custom_tool_call_output) and `event_msg` (user_message and agent_message repeat the messages;
`token_count` is cumulative). The older layout has no envelope: a first line with the id and
timestamp, bare response items, and `record_type: state` lines.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from .records import ByteSink, b62, encode, iso, tokens
from .steps import Call, Compact, Interrupt, Prompt, Reply, Step

ENV_CONTEXT = (
    "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>{approval}</approval_policy>\n"
    "  <sandbox_mode>{sandbox}</sandbox_mode>\n  <network_access>{network}</network_access>\n"
    "  <shell>{shell}</shell>\n</environment_context>"
)
USER_INSTRUCTIONS = (
    "<user_instructions>\n\n# AGENTS.md\n\n- Run `{test}` before you say you're done.\n"
    "- Keep diffs small; never reformat files you didn't change.\n"
    "- Prefer the existing helpers in `{file}`.\n\n</user_instructions>"
)


@dataclass
class RolloutInfo:
    session_id: str
    path: str
    records: int
    bytes: int


class CodexWriter:
    """Writes one Codex CLI rollout."""

    def __init__(
        self,
        sink: ByteSink,
        rng: random.Random,
        *,
        session_id: str,
        cwd: str,
        branch: str,
        model: str,
        clock_ms: int,
        remote: str,
        legacy: bool = False,
    ) -> None:
        self.sink = sink
        self.rng = rng
        self.session_id = session_id
        self.cwd, self.branch, self.model, self.remote = cwd, branch, model, remote
        self.clock = clock_ms
        self.legacy = legacy
        self.totals = {
            "input_tokens": 0,
            "cached_input_tokens": 0,
            "output_tokens": 0,
            "reasoning_output_tokens": 0,
            "total_tokens": 0,
        }
        self.context = rng.randint(6000, 11000)
        self.pending = 0
        self.effort = rng.choice(("low", "medium", "medium", "high"))

    def _line(self, kind: str, payload: dict[str, object]) -> None:
        if self.legacy:
            self.sink.write(encode(payload) + "\n")
        else:
            self.sink.write(
                f'{{"timestamp":"{iso(self.clock)}","type":"{kind}","payload":{encode(payload)}}}\n'
            )

    def _tick(self, lo: float, hi: float) -> None:
        self.clock += int(self.rng.uniform(lo, hi) * 1000)

    def header(self, test: str, file: str) -> None:
        rng = self.rng
        git = {
            "commit_hash": f"{rng.getrandbits(160):040x}",
            "branch": self.branch,
            "repository_url": self.remote,
        }
        if self.legacy:
            self.sink.write(
                encode(
                    {
                        "id": self.session_id,
                        "timestamp": iso(self.clock),
                        "instructions": None,
                        "git": git,
                    }
                )
                + "\n"
            )
            self.sink.write('{"record_type":"state"}\n')
        else:
            self._line(
                "session_meta",
                {
                    "id": self.session_id,
                    "timestamp": iso(self.clock),
                    "cwd": self.cwd,
                    "originator": "codex_cli_rs",
                    "cli_version": rng.choice(("0.46.0", "0.47.0", "0.50.0")),
                    "instructions": None,
                    "source": "cli",
                    "model_provider": "openai",
                    "git": git,
                },
            )
        self.clock += rng.randint(10, 80)
        env = ENV_CONTEXT.format(
            cwd=self.cwd,
            approval=rng.choice(("on-request", "never", "untrusted")),
            sandbox=rng.choice(("workspace-write", "read-only")),
            network=rng.choice(("restricted", "enabled")),
            shell=rng.choice(("bash", "zsh")),
        )
        if rng.random() < 0.4:
            self._message("user", USER_INSTRUCTIONS.format(test=test, file=file))
        self._message("user", env)

    def _message(self, role: str, text: str, images: list[tuple[str, str]] | None = None) -> None:
        kind = "input_text" if role == "user" else "output_text"
        content: list[dict[str, object]] = [{"type": kind, "text": text}]
        for media_type, data in images or ():
            content.append({"type": "input_image", "image_url": f"data:{media_type};base64,{data}"})
        item: dict[str, object] = {"type": "message", "role": role, "content": content}
        if self.legacy:
            item = {"type": "message", "id": None, "role": role, "content": content}
        self._line("response_item", item)
        self.pending += tokens(len(text))

    def write(self, step: Step, *, first: bool = False) -> None:
        rng = self.rng
        if isinstance(step, Prompt):
            if not first:
                self._tick(15, 600)
            self._message("user", step.text, step.images)
            if not self.legacy:
                self.clock += 1
                self._line(
                    "event_msg",
                    {
                        "type": "user_message",
                        "message": step.text,
                        "images": [f"data:{m};base64,{d}" for m, d in step.images],
                    },
                )
                self.clock += rng.randint(3, 12)
                self._line(
                    "turn_context",
                    {
                        "cwd": self.cwd,
                        "approval_policy": "on-request",
                        "sandbox_policy": {"mode": "workspace-write", "network_access": False},
                        "model": self.model,
                        "effort": self.effort,
                        "summary": "auto",
                    },
                )
        elif isinstance(step, Reply):
            self._reply(step)
        elif isinstance(step, Interrupt):
            if not self.legacy:
                self._line("event_msg", {"type": "turn_aborted", "reason": "interrupted"})
        elif isinstance(step, Compact):
            self._tick(1, 20)
            if not self.legacy:
                self._line("compacted", {"message": step.summary})
            self.context = rng.randint(6000, 11000) + tokens(len(step.summary))
        # slash commands and meta records have no rollout form

    def _reply(self, reply: Reply) -> None:
        rng = self.rng
        self._tick(1.5, 25)
        out = 0
        reasoning = 0
        if reply.thinking:
            title = reply.thinking.split(". ")[0].rstrip(".")[:60].strip()
            summary = f"**{title}**\n\n{reply.thinking}" if rng.random() < 0.5 else f"**{title}**"
            item: dict[str, object] = {
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": summary}],
                "content": None,
                "encrypted_content": "gAAAAAB" + b62(rng, rng.randint(300, 1400)),
            }
            if self.legacy:
                item = {
                    "type": "reasoning",
                    "id": "rs_" + b62(rng, 32),
                    **{k: v for k, v in item.items() if k != "type"},
                }
            self._line("response_item", item)
            if not self.legacy:
                self._line("event_msg", {"type": "agent_reasoning", "text": summary})
            reasoning = tokens(len(reply.thinking)) * 3
        if reply.text:
            self.clock += rng.randint(100, 1500)
            self._message("assistant", reply.text)
            if not self.legacy:
                self._line("event_msg", {"type": "agent_message", "message": reply.text})
            out += tokens(len(reply.text))
        ids = []
        for call in reply.calls:
            self.clock += rng.randint(50, 900)
            call_id = "call_" + b62(rng, 24)
            ids.append(call_id)
            out += tokens(len(call.input) if isinstance(call.input, str) else 50)
            self._call(call, call_id)
        for call, call_id in zip(reply.calls, ids, strict=True):
            self._output(call, call_id)
        self._count(out, reasoning)

    def _call(self, call: Call, call_id: str) -> None:
        if call.custom and self.legacy:  # older CLIs ran apply_patch through the shell tool
            args = encode({"command": ["apply_patch", call.input]})
            self._line(
                "response_item",
                {
                    "type": "function_call",
                    "id": "fc_" + b62(self.rng, 32),
                    "name": "shell",
                    "arguments": args,
                    "call_id": call_id,
                },
            )
        elif call.custom:
            self._line(
                "response_item",
                {
                    "type": "custom_tool_call",
                    "status": "completed",
                    "call_id": call_id,
                    "name": call.name,
                    "input": call.input,
                },
            )
        else:
            item: dict[str, object] = {
                "type": "function_call",
                "name": call.name,
                "arguments": call.input,
                "call_id": call_id,
            }
            if self.legacy:
                item = {
                    "type": "function_call",
                    "id": "fc_" + b62(self.rng, 32),
                    "name": call.name,
                    "arguments": call.input,
                    "call_id": call_id,
                }
            self._line("response_item", item)

    def _output(self, call: Call, call_id: str) -> None:
        self.clock += int(call.duration * 1000) + self.rng.randint(20, 300)
        kind = (
            "custom_tool_call_output" if call.custom and not self.legacy else "function_call_output"
        )
        self._line("response_item", {"type": kind, "call_id": call_id, "output": call.output})
        self.pending += tokens(len(call.output))

    def _count(self, out: int, reasoning: int) -> None:
        if self.legacy:
            return
        rng = self.rng
        fresh = self.pending + rng.randint(20, 200)
        last = {
            "input_tokens": self.context + fresh,
            "cached_input_tokens": self.context // 1024 * 1024,
            "output_tokens": out + reasoning,
            "reasoning_output_tokens": reasoning,
        }
        last["total_tokens"] = last["input_tokens"] + last["output_tokens"]
        for key, value in last.items():
            self.totals[key] += value
        self.context += fresh + out
        self.pending = 0
        self.clock += rng.randint(5, 60)
        self._line(
            "event_msg",
            {
                "type": "token_count",
                "info": {
                    "total_token_usage": dict(self.totals),
                    "last_token_usage": last,
                    "model_context_window": 272000,
                },
                "rate_limits": None,
            },
        )

    def finish(self, last_text: str | None) -> None:
        if not self.legacy and last_text is not None:
            self._line("event_msg", {"type": "task_complete", "last_agent_message": last_text})


def rollout_name(start_ms: int, session_id: str) -> tuple[str, str]:
    """(`YYYY/MM/DD`, `rollout-YYYY-MM-DDTHH-MM-SS-<id>.jsonl`) for a session start."""
    stamp = iso(start_ms)
    day = stamp[:10]
    name = f"rollout-{day}T{stamp[11:19].replace(':', '-')}-{session_id}.jsonl"
    return day.replace("-", "/"), name


def write_rollout(
    path: str,
    rng: random.Random,
    steps: Iterable[Step],
    *,
    session_id: str,
    cwd: str,
    branch: str,
    model: str,
    start_ms: int,
    remote: str,
    test: str,
    file: str,
    legacy: bool = False,
    limit_bytes: int | None = None,
) -> RolloutInfo:
    """Write one rollout file at `path`."""
    sink = ByteSink(path)
    writer = CodexWriter(
        sink,
        rng,
        session_id=session_id,
        cwd=cwd,
        branch=branch,
        model=model,
        clock_ms=start_ms,
        remote=remote,
        legacy=legacy,
    )
    try:
        writer.header(test, file)
        first = True
        last_text = None
        for step in steps:
            if isinstance(step, Prompt):
                if limit_bytes is not None and sink.bytes >= limit_bytes:
                    break
                if not first:
                    writer.finish(last_text)
                if legacy and not first:
                    sink.write('{"record_type":"state"}\n')
            elif isinstance(step, Reply) and step.text and not step.calls:
                last_text = step.text
            writer.write(step, first=first)
            first = False
        writer.finish(last_text)
    finally:
        sink.close()
    return RolloutInfo(session_id, path, sink.lines, sink.bytes)
