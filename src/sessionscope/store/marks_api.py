"""The `Store` methods for tags, pins and notes (`store.marks`), beside `core.py` to keep it
small: each checks its arguments, opens one transaction and calls one function of `marks`."""

from __future__ import annotations

from collections.abc import Iterable

from . import marks
from .base import StoreBase
from .errors import InvalidInput
from .redact_keys import redact_tag
from .timeutil import now_iso


class MarksAPI(StoreBase):
    """Tags, pins and notes on sessions; they survive re-imports and `save()` rewrites."""

    def tag(self, session_id: str, *tags: str | Iterable[str]) -> list[str]:
        """Add tags (case-folded; see `marks.clean_tag`); return the session's tags, sorted."""
        cleaned = marks.clean_tags(_flat(tags))
        with self.writing() as conn:
            if self._redacts(conn):
                cleaned = [redact_tag(tag) for tag in cleaned]
            return marks.add_tags(conn, self._key(conn, session_id), cleaned, now_iso())

    def untag(self, session_id: str, *tags: str | Iterable[str]) -> list[str]:
        """Remove tags (absent ones are ignored); return the session's tags, sorted."""
        cleaned = marks.clean_tags(_flat(tags), strict=False)
        with self.writing() as conn:
            if self._redacts(conn):  # the tag as stored (and as given, stored before)
                cleaned = [*cleaned, *(redact_tag(tag) for tag in cleaned)]
            return marks.remove_tags(conn, self._key(conn, session_id), cleaned)

    def tags(self, session_id: str) -> list[str]:
        """A session's tags, sorted (empty for an unknown session)."""
        with self.reading() as conn:
            return marks.tags_of(conn, self._key(conn, session_id))

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use and how many sessions carry it, most used first."""
        with self.reading() as conn:
            return marks.all_tags(conn)

    def pin(self, session_id: str, pinned: bool = True) -> bool:
        """Pin (or with `pinned=False` unpin) a session; return whether it was pinned before."""
        if not isinstance(pinned, bool):
            raise InvalidInput(f"pinned must be True or False, not {pinned!r}.")
        with self.writing() as conn:
            return marks.pin(conn, self._key(conn, session_id), pinned, now_iso())

    def set_note(self, session_id: str, text: str | None) -> str | None:
        """Attach a note to a session (None or blank removes it); return the note as stored
        (redacted when the store redacts)."""
        note = marks.clean_note(text)
        with self.writing() as conn:
            sid, redacting = self._key(conn, session_id), self._redacts(conn)
            return marks.set_note(conn, sid, note, now_iso(), redacting=redacting)


def _flat(values: tuple[str | Iterable[str], ...]) -> list[object]:
    """`tag(id, "a", "b")` and `tag(id, ["a", "b"])` alike."""
    out: list[object] = []
    for value in values:
        if isinstance(value, str) or not isinstance(value, Iterable):
            out.append(value)
        else:
            out.extend(value)
    return out
