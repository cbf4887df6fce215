"""The search result type, alone in its module so that a search imports only it (start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a message, where it lives, and a snippet with the matches marked.

    `snippet` is plain text; `highlights` are (start, end) character spans of the matches in it.
    """

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
