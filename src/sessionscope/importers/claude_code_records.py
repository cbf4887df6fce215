"""Claude Code record types that are not the conversation: the ones skipped as known noise,
and the session-state records kept as session metadata (see `importers.claude_code`)."""

from __future__ import annotations

from typing import Any

from .common import text_field

# Record types that carry nothing to store (counted as noise, not as unknown). Besides the
# conversation, Claude Code 2.1 re-appends small session-state records whenever a value changes
# (permission mode, Remote Control cursor, worktree, ...): known, never drift.
NOISE = frozenset(
    {
        "progress",
        "file-history-snapshot",
        "file-history-delta",
        "queue-operation",
        "attachment",
        "last-prompt",
        "tag",
        "mode",
        "permission-mode",
        "agent-color",
        "agent-setting",
        "bridge-session",
        "atis-latch",
        "worktree-state",
        "relocated",
        "frame-link",
        "fork-context-ref",
        "cost-state",
    }
)
# Session-state records kept as session metadata: type -> ((record key, metadata key), ...)
STATE_META = {
    "pr-link": (("prUrl", "pr_url"), ("prNumber", "pr_number"), ("prRepository", "pr_repository")),
    "agent-name": (("agentName", "agent_name"),),
}


def state_meta(record: dict[str, Any]) -> dict[str, Any]:
    """The metadata a session-state record gives (the latest record of a kind wins: Claude Code
    appends the record again whenever its value changes)."""
    values: dict[str, Any] = {}
    kind = record.get("type")
    for source, target in STATE_META.get(kind, ()) if isinstance(kind, str) else ():
        value = record.get(source)
        if isinstance(value, str):
            values[target] = text_field(value)
        elif type(value) is int:
            values[target] = value
    return values
