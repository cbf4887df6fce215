"""The format-neutral steps of a synthetic session, which the format writers serialise.

A session script (see `script.py`) yields these in order; `claude_code.py` and `codex.py` turn them
into the records each agent writes on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Prompt:
    """A real user prompt (optionally with images: `(media_type, base64)` pairs)."""

    text: str
    images: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Command:
    """A slash command the user ran (`/model`, `/cost`, ...), with what it printed."""

    name: str
    args: str = ""
    stdout: str | None = None


@dataclass(slots=True)
class Meta:
    """A meta record the agent injects (the local-command caveat)."""

    text: str


@dataclass(slots=True)
class Interrupt:
    """The user interrupted the agent (Claude Code writes a user text record)."""

    text: str = "[Request interrupted by user for tool use]"


@dataclass(slots=True)
class Call:
    """One tool call and its result, already in the target format's tool vocabulary.

    `input` is the call's arguments (a string for Codex custom tools), `output` the result text,
    `result` the Claude Code `toolUseResult` sidecar (None for Codex), `exit_code` for shells.
    """

    name: str
    input: Any
    output: Any
    is_error: bool = False
    result: Any = None
    duration: float = 0.5
    exit_code: int = 0
    custom: bool = False
    sub: SubRun | None = None


@dataclass(slots=True)
class Reply:
    """One assistant API response: optional reasoning, optional text, then tool calls."""

    thinking: str | None = None
    text: str | None = None
    calls: list[Call] = field(default_factory=list)


@dataclass(slots=True)
class SubRun:
    """A subagent run started by a Task call: its prompt, its replies and its final answer."""

    agent_type: str
    description: str
    prompt: str
    replies: list[Reply]
    result: str
    model: str


@dataclass(slots=True)
class Compact:
    """An automatic context compaction: a boundary, then a summary the agent continues from."""

    summary: str
    pre_tokens: int
    trigger: str = "auto"


Step = Prompt | Command | Meta | Interrupt | Reply | Compact
