"""The search result type, alone in its module so that a search imports only it (start-up).

A plain class with `__slots__` rather than a dataclass: `dataclasses` imports `inspect`, which
costs a `sessionscope search` process more than the rest of its own modules together.
"""

from __future__ import annotations

_FIELDS = (
    "message_id",
    "session_id",
    "seq",
    "role",
    "created_at",
    "snippet",
    "highlights",
    "session_title",
    "project",
    "source",
    "score",
)


class Hit:
    """One search result: a message, where it lives, and a snippet with the matches marked.

    `snippet` is plain text; `highlights` are (start, end) character spans of the matches in it.
    Immutable, compared by value, like the frozen dataclass it replaces.
    """

    __slots__ = _FIELDS
    # written out, not `_FIELDS`: mypy checks `match` patterns only against string literals
    __match_args__ = (
        "message_id",
        "session_id",
        "seq",
        "role",
        "created_at",
        "snippet",
        "highlights",
        "session_title",
        "project",
        "source",
        "score",
    )

    message_id: int
    session_id: str
    seq: int
    role: str
    created_at: str | None
    snippet: str
    highlights: list[tuple[int, int]]
    session_title: str | None
    project: str | None
    source: str
    score: float

    def __init__(
        self,
        message_id: int,
        session_id: str,
        seq: int,
        role: str,
        created_at: str | None,
        snippet: str,
        highlights: list[tuple[int, int]],
        session_title: str | None,
        project: str | None,
        source: str,
        score: float,
    ) -> None:
        values = (
            message_id,
            session_id,
            seq,
            role,
            created_at,
            snippet,
            highlights,
            session_title,
            project,
            source,
            score,
        )
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Hit is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Hit is immutable")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hit) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # holds a list, as the dataclass did

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"Hit({inner})"

    def marked(self, open: str = "«", close: str = "»") -> str:
        """The snippet with each match wrapped in `open` ... `close`."""
        out: list[str] = []
        last = 0
        for start, end in self.highlights:
            out.append(self.snippet[last:start])
            out.append(open + self.snippet[start:end] + close)
            last = end
        out.append(self.snippet[last:])
        return "".join(out)
