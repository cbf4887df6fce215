"""Typed results returned by the store's read API."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .hit import Hit as Hit  # its own module: `sessionscope search` builds hits without the rest

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

    from .spec import Role


def blocks_text(blocks: list[dict[str, Any]], *, thinking: bool = True) -> str:
    """The prose of a message: its text blocks (and thinking blocks), joined by newlines."""
    parts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif thinking and kind == "thinking" and isinstance(block.get("thinking"), str):
            parts.append(block["thinking"])
    return "\n".join(parts)


def tool_result_text(block: dict[str, Any]) -> str:
    """The text a tool_result block carries, one rule for every reader (the transcript, the
    HTML export, the MCP server): a string content is itself; in a list of parts, each part's
    `text` and, for a part without text (an image, a file), its type in brackets (`[image]`);
    any other content as compact JSON."""
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict):
                parts.append(f"[{part.get('type') or 'part'}]")
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    if content is None:
        return ""
    return json.dumps(content, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a session, with its content blocks as stored."""

    id: int
    session_id: str
    seq: int
    role: Role
    blocks: list[dict[str, Any]]
    created_at: str | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    cost_usd: float = 0.0
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Prose of the message (text and thinking blocks)."""
        return blocks_text(self.blocks)

    @property
    def tool_uses(self) -> list[dict[str, Any]]:
        return [b for b in self.blocks if b.get("type") == "tool_use"]

    @property
    def tool_results(self) -> list[dict[str, Any]]:
        return [b for b in self.blocks if b.get("type") == "tool_result"]

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session's row: identity, provenance and running totals, without its messages."""

    id: str
    source: str
    source_ref: str | None = None
    title: str | None = None
    status: str = "active"
    project: str | None = None
    project_id: int | None = None
    cwd: str | None = None
    git_branch: str | None = None
    model: str | None = None
    parent_session_id: str | None = None
    experiment_id: int | None = None
    variant: str | None = None
    config_id: int | None = None
    started_at: str | None = None
    updated_at: str | None = None
    ended_at: str | None = None
    message_count: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    cost_usd: float = 0.0
    child_count: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    # what a person added (`Store.tag`, `pin`, `set_note`): sorted tags, pinned, the note
    tags: tuple[str, ...] = ()
    pinned: bool = False
    note: str | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class Session(SessionInfo):
    """A session with its whole transcript (what `Store.load` returns)."""

    messages: list[Message] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What `Store.save` wrote: rows inserted, updated and deleted, and rows left alone."""

    inserted: int
    updated: int
    deleted: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ImportState:
    """What an importer already took from one source file."""

    path: str
    source: str
    size: int
    mtime: float
    offset: int
    line_no: int
    state: dict[str, Any]
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class Stats:
    """Whole-store counts, or a period's (what `sessionscope stats` prints)."""

    sessions: int
    messages: int
    by_source: dict[str, int]
    by_role: dict[str, int]
    input_tokens: int
    output_tokens: int
    cost_usd: float
    tool_calls: int
    failed_tool_calls: int
    first_at: str | None
    last_at: str | None
    schema_version: int
    path: str
    file_bytes: int
    # issue 11: cache columns (input excludes cache reads) and messages the price table could
    # not price (their cost is unknown, not in `cost_usd`)
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    unpriced_messages: int = 0
    # the period's first and last day (UTC), when the figures are a period's (`stats(since=)`)
    since: str | None = None
    until: str | None = None
