"""Argument checks shared by the store's functions: counts, costs, positions, texts, message lists.

Each check returns the value to store or raises `InvalidInput` with one sentence; none touches
the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InvalidInput
from .models import Message
from .spec import MESSAGE_KEYS as MESSAGE_KEYS
from .spec import MessageSpec

SESSION_FIELDS = frozenset(
    {
        "source",
        "source_ref",
        "title",
        "status",
        "project",
        "project_id",
        "cwd",
        "git_branch",
        "model",
        "parent_session_id",
        "experiment_id",
        "variant",
        "config_id",
        "started_at",
        "updated_at",
        "ended_at",
        "metadata",
    }
)

MAX_COUNT = 2**53  # token counts stay exact and their sums fit SQLite's 64-bit integers
MAX_ARG = 2**62  # seqs, limits and offsets: far past any store, and sums stay in 64 bits


def count(value: Any, name: str) -> int:
    """A token count from 0 to 2**53 (None is 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise InvalidInput(f"{name} must be an integer from 0 to 2**53, not {value!r}.")
    return value


def cost(value: Any) -> float:
    """A finite, non-negative cost in dollars (None is 0.0)."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise InvalidInput(f"cost_usd must be a non-negative number, not {value!r}.")
    if value == float("inf") or (isinstance(value, int) and value > MAX_COUNT):
        raise InvalidInput("cost_usd must be finite (at most 2**53 dollars).")
    return float(value)


def int_arg(value: Any, name: str) -> int:
    """An integer argument (a position, limit or offset) within +-2**62, or InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer, not {type(value).__name__}.")
    if not -MAX_ARG <= value <= MAX_ARG:
        raise InvalidInput(f"{name} must be within +-2**62, not {value}.")
    return value


def optional_int_arg(value: Any, name: str) -> int | None:
    """`int_arg`, letting None through."""
    return None if value is None else int_arg(value, name)


def utf8_safe(text: str) -> bool:
    """False when `text` holds a lone surrogate, which UTF-8 (and so SQLite) cannot store."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def session_fields(fields: Iterable[str]) -> None:
    """Refuse keyword names that are not session fields."""
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise InvalidInput(f"unknown session fields: {', '.join(sorted(unknown))}.")


def message_list(messages: Any) -> list[Any]:
    """The messages of an `append_many` or `save` call as a list, or InvalidInput."""
    if isinstance(messages, (str, bytes, bytearray, Mapping)) or not isinstance(messages, Iterable):
        raise InvalidInput(f"messages must be a list of dicts, not {type(messages).__name__}.")
    return list(messages)


def message_spec(message: MessageSpec | Message) -> MessageSpec:
    """A message to save as the spec `append_many` takes (a stored `Message` converted)."""
    if isinstance(message, Message):
        return {
            "role": message.role,
            "content": message.blocks,
            "created_at": message.created_at,
            "model": message.model,
            "input_tokens": message.input_tokens,
            "output_tokens": message.output_tokens,
            "cache_read_tokens": message.cache_read_tokens,
            "cache_creation_tokens": message.cache_creation_tokens,
            "cost_usd": message.cost_usd,
            "external_id": message.external_id,
            "metadata": message.metadata or None,
        }
    if not isinstance(message, Mapping):
        raise InvalidInput(f"a message must be a dict, not {type(message).__name__}.")
    return message
