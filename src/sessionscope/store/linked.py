"""The `Store` methods for links that cross transcript files (see `links`): leaves and summaries
of Claude Code conversations, and subagents adopted by a parent imported after them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from . import links
from .base import StoreBase


class LinkedStore(StoreBase):
    """Cross-file links, for importers: part of `Store`."""

    def leaf_owner(self, leaf: str) -> str | None:
        """The session holding the record `leaf` (a conversation's last record), or None."""
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
        with self.writing() as conn:
            redacting = self._redacts(conn)
            links.save_leaves(conn, leaves, summaries or {}, dropped, redacting=redacting)

    def adopt_children(self, parent_id: str) -> int:
        """Link the sessions that named `parent_id` as their parent before it existed."""
        with self.writing() as conn:
            return links.adopt_children(conn, parent_id)
