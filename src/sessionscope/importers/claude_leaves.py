"""The ends of Claude Code conversations, for `summary` records in other files.

A `summary` record names its conversation by the uuid of the conversation's last record
(`leafUuid`), and Claude Code writes it into whichever session's file was active. So each import
of a file records the records no later record names as parent (uuid -> session) in the store
(`store.links`), where a summary imported later finds them; a summary imported first waits there
for its leaf. A `system` or `attachment` record ends a conversation only as well as its parent
does (a summary may name either) until a user or assistant record follows.
"""

from __future__ import annotations

from typing import Any

from .sink import Sink

LEAVES_MAX = 64  # conversation ends kept in a file's import state (branches, sidechains)
_STRONG = ("user", "assistant")


class ConversationEnds:
    """The conversation ends of one file: `tips` met in this run, `leaves` recorded by earlier
    runs, `via` a weak record's parent (see the module docstring)."""

    def __init__(self, sink: Sink, state: dict[str, Any]) -> None:
        self.sink = sink
        # plain dicts keep insertion order: `_bound` drops the oldest (a few dozen at most, so
        # finding the first one past the deleted ones stays cheap)
        self.tips: dict[str, str] = dict(state.get("tips") or {})
        self.leaves: dict[str, str] = dict(state.get("leaves") or {})
        self.via: dict[str, str] = dict(state.get("via") or {})

    def state(self) -> dict[str, Any]:
        return {"tips": dict(self.tips), "leaves": dict(self.leaves), "via": dict(self.via)}

    def follow(self, record: dict[str, Any], sid: str | None) -> None:
        """Take a record of session `sid` into the tree: its parent is no end any more."""
        parent = record.get("parentUuid")
        uuid = record.get("uuid")
        if not isinstance(uuid, str) or not uuid:
            uuid = None
        if isinstance(parent, str):
            if record.get("type") in _STRONG:
                while parent is not None:
                    self._has_child(parent)
                    parent = self.via.pop(parent, None)
            elif uuid is not None:
                self.via[uuid] = parent
                if len(self.via) > LEAVES_MAX:
                    _bound(self.via)
        if sid is not None and uuid is not None:
            tips = self.tips
            tips[uuid] = sid
            if len(tips) > LEAVES_MAX:
                _bound(tips)

    def _has_child(self, uuid: str) -> None:
        if self.tips.pop(uuid, None) is None and self.leaves.pop(uuid, None) is not None:
            self.sink.leaves_dropped.add(uuid)  # recorded by an earlier run: forget it

    def finish(self) -> None:
        """End of what the file holds now: record the ends met (with the last batch)."""
        if self.tips:
            self.sink.leaves.update(self.tips)
            self.leaves.update(self.tips)
            self.tips.clear()
            _bound(self.leaves)


def _bound(table: dict[str, str]) -> None:
    while len(table) > LEAVES_MAX:
        del table[next(iter(table))]
