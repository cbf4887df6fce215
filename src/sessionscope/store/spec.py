"""The message spec: the one shape of a message on its way into the store.

`Store.append_many` and `Store.save` take plain dicts; `MessageSpec` describes them for the type
checker (a TypedDict is a plain dict at run time: building one costs nothing). Every importer
builds its messages as `MessageSpec`s, and the store's write path (`validate`, `rows`) reads them,
so a misspelt key or a wrong type is found by mypy, not at import time.
"""

# no `from __future__ import annotations`: TypedDict reads `Required` from evaluated annotations
from datetime import datetime
from typing import Any, Literal, Required, TypedDict

Role = Literal["user", "assistant", "system", "tool"]
"""Who a message is from; `tool` holds tool results."""
ROLES: tuple[Role, ...] = ("user", "assistant", "system", "tool")

Block = dict[str, Any]
"""One Anthropic-shaped content block: `{"type": "text", "text": ...}`, `tool_use`,
`tool_result`, `thinking`, `image`, or any other dict with a string `type`."""

Content = str | list[Block]
"""Message content: a string (one text block) or a list of blocks."""


class MessageSpec(TypedDict, total=False):
    """A message to write: `role` and `content`, the rest optional (None is the default)."""

    role: Required[Role]
    content: Required[Content]
    created_at: str | datetime | float | None  # ISO 8601, a datetime, or epoch seconds / ms
    model: str | None
    input_tokens: int | None  # prompt tokens beyond cache reads and writes
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_creation_tokens: int | None
    cost_usd: float | None
    external_id: str | None  # the source's own id: a message already stored is not added again
    metadata: dict[str, Any] | None


MESSAGE_KEYS = frozenset(MessageSpec.__annotations__)
