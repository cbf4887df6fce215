"""The `Store` methods importers use beyond the core API: links that cross transcript files (see
`links`: leaves and summaries of Claude Code conversations, subagents adopted by a parent
imported after them), and the import states written lately (what a browser tells of imports
another process ran)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import links, side
from .base import StoreBase
from .errors import InvalidInput
from .validate import utf8_safe

if TYPE_CHECKING:
    from .models import ImportState


class ImportingStore(StoreBase):
    """Cross-file links and recent import states: part of `Store`."""

    def import_states_since(self, since: str) -> list[ImportState]:
        """The import states written after `since` (an ISO time, as `updated_at` holds)."""
        _text(since, "since")
        with self.reading() as conn:
            return side.import_states_since(conn, since)

    def sessions_with_import_issues(self) -> dict[str, list[str]]:
        """The sessions whose import skipped something, by source file (see `import_issues`)."""
        with self.reading() as conn:
            return links.sessions_with_import_issues(conn)

    def leaf_owner(self, leaf: str) -> str | None:
        """The session holding the record `leaf` (a conversation's last record), or None."""
        _text(leaf, "leaf")
        with self.reading() as conn:
            return links.leaf_owner(conn, leaf)

    def pending_summaries(self) -> dict[str, str]:
        """Summaries whose leaf no import has met yet: leaf uuid -> summary."""
        with self.reading() as conn:
            return links.pending_summaries(conn)

    def save_leaves(
        self,
        leaves: Mapping[str, str],
        summaries: Mapping[str, str] | None = None,
        dropped: Iterable[str] = (),
    ) -> None:
        """Record leaves met (uuid -> session), summaries waiting for their leaf (uuid -> text),
        and forget leaves that have children by now (`dropped`) that no summary names."""
        leaves, summaries = _text_map(leaves, "leaves"), _text_map(summaries or {}, "summaries")
        if isinstance(dropped, (str, bytes)) or not isinstance(dropped, Iterable):
            raise InvalidInput("dropped must be a list of uuids.")
        dropped = [_text(leaf, "a dropped leaf") for leaf in dropped]
        with self.writing() as conn:
            redacting = self._redacts(conn)
            leaves = {leaf: self._key(conn, sid) for leaf, sid in leaves.items()}
            links.save_leaves(conn, leaves, summaries or {}, dropped, redacting=redacting)

    def adopt_children(self, parent_id: str) -> int:
        """Link the sessions that named `parent_id` as their parent before it existed."""
        _text(parent_id, "parent_id")
        with self.writing() as conn:
            return links.adopt_children(conn, self._key(conn, parent_id))


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, not {type(value).__name__}.")
    if not utf8_safe(value):
        raise InvalidInput(f"{name} holds a lone surrogate, which UTF-8 cannot store.")
    return value


def _text_map(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{name} must map strings to strings, not {type(value).__name__}.")
    return {_text(k, f"a key of {name}"): _text(v, f"a value of {name}") for k, v in value.items()}
