"""The format-neutral demo conversation the other agents' writers serialise (`agents.py`,
`agents_db.py`), and the helpers they share: each agent's tool names, call inputs and outputs."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .projects import Project
from .steps import Call

# Claude Code's tool names (what the script writes) -> each agent's own.
TOOL_NAMES: dict[str, dict[str, str]] = {
    "gemini": {
        "Read": "read_file",
        "Edit": "replace",
        "Write": "write_file",
        "Bash": "run_shell_command",
        "Grep": "search_file_content",
        "Glob": "glob",
        "TodoWrite": "write_todos",
        "WebFetch": "web_fetch",
    },
    "opencode": {"TodoWrite": "todowrite", "WebFetch": "webfetch"},
    "cline": {
        "Read": "read_file",
        "Edit": "replace_in_file",
        "Write": "write_to_file",
        "Bash": "execute_command",
        "Grep": "search_files",
        "Glob": "list_files",
        "TodoWrite": "focus_chain",
        "WebFetch": "web_fetch",
    },
    "copilot": {"Read": "view", "Write": "create", "TodoWrite": "update_todo"},
    "cursor": {"Read": "ReadFile", "Edit": "StrReplace", "Bash": "Shell"},
    "aider": {},
}


@dataclass(slots=True)
class Turn:
    """One reply as every writer needs it: times, text, thinking, calls and token counts."""

    at: int  # epoch ms
    text: str | None
    thinking: str | None
    calls: list[Call]
    input_tokens: int
    output_tokens: int
    cached: int


@dataclass(slots=True)
class Exchange:
    """A prompt and the replies that answered it."""

    at: int
    prompt: str
    turns: list[Turn] = field(default_factory=list)


@dataclass(slots=True)
class Conversation:
    """One demo session, format-neutral."""

    id: str
    project: Project
    branch: str
    model: str
    start: int
    exchanges: list[Exchange]

    @property
    def end(self) -> int:
        last = self.exchanges[-1]
        return last.turns[-1].at if last.turns else last.at


def tool_name(agent: str, name: str) -> str:
    names = TOOL_NAMES.get(agent, {})
    return names.get(name, name.lower() if agent in ("opencode", "copilot") else name)


def output_text(call: Call) -> str:
    out = call.output
    return out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)


def call_input(call: Call) -> dict[str, Any]:
    if isinstance(call.input, dict):
        return call.input
    return {"input": call.input}


def touch(path: Path, ms: int) -> None:
    """Set `path`'s mtime to `ms` (epoch ms): importers that date by mtime stay deterministic."""
    os.utime(path, (ms / 1000, ms / 1000))
