"""The search matches of the open session and n/N over them, fetched a page at a time.

No Textual here: the cursor says where n/N lead, or that a page of matches must be fetched
first, and the view does the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...store.query import parse as parse_query
from ..format import terms_pattern

MATCH_PAGE = 1000  # n/N fetch the matches of a session a page at a time
MAX_MATCHES = 20_000


@dataclass(frozen=True, slots=True)
class Jump:
    """Where n or N leads: a match, pages to fetch first (the jump waits), or a sentence."""

    target: int | None = None
    wrapped: bool = False  # went round the end (or the start) to get there
    fetch: int = 0
    notice: str | None = None


class MatchCursor:
    """The active search of the open session: its pattern, the matching seqs loaded so far
    (`hits` of them, in session order), and the match the reader is on."""

    def __init__(self, query: str | None = None, current: int | None = None) -> None:
        self.query: str | None = None
        self.pattern: re.Pattern[str] | None = None
        self.matches: list[int] = []
        self.current = current
        self.hits = 0
        self.complete = False
        self.loading = False
        self.pending_jump: int | None = None
        self.set_query(query)

    def set_query(self, query: str | None) -> None:
        """Highlight the positive terms of `query` (the search language)."""
        self.query = query or None
        terms = parse_query(query).terms() if query else []
        self.pattern = terms_pattern(terms)

    def restart(self) -> None:
        """Forget the matches found (the session changed): they are being fetched again."""
        self.matches = []
        self.hits = 0
        self.complete = False
        self.loading = True

    def more(self) -> int | None:
        """Start fetching more matches: the hit offset to fetch from, or None when every
        match is here or a page is on its way."""
        if self.loading or self.complete or not self.query:
            return None
        self.loading = True
        return self.hits

    def arrived(self, offset: int, seqs: list[int], complete: bool) -> bool:
        """A page of matching seqs from hit `offset` on; False when it is not the page awaited."""
        if offset != self.hits:
            return False
        self.hits += len(seqs)
        self.matches = sorted(set(self.matches).union(seqs))
        self.complete = complete
        self.loading = False
        return True

    def take_pending(self) -> int | None:
        """The n/N that waited for the page that just arrived, if any."""
        step, self.pending_jump = self.pending_jump, None
        return step

    def jump(self, step: int, here: int) -> Jump:
        """Where n (`step` 1) or N (-1) leads from seq `here` (or from the current match)."""
        if not self.query:
            return Jump(notice="No search yet: press / to search.")
        if not self.matches:
            if self.loading:
                self.pending_jump = step
                return Jump()
            return Jump(notice="No match in this session.")
        if self.current is not None:
            here = self.current
        if step > 0:
            after = [s for s in self.matches if s > here]
            if not after and not self.complete:
                self.pending_jump = step
                return Jump(fetch=1)
            target = after[0] if after else self.matches[0]
            wrapped = not after
        else:
            before = [s for s in self.matches if s < here]
            if not before and not self.complete:
                self.pending_jump = step  # wrapping to the last match: fetch the rest first
                return Jump(fetch=MAX_MATCHES // MATCH_PAGE)
            target = before[-1] if before else self.matches[-1]
            wrapped = not before
        self.current = target
        return Jump(target=target, wrapped=wrapped and len(self.matches) > 1)

    def title(self) -> str | None:
        """The matches' part of the transcript's subtitle (None without a search)."""
        if self.query and self.matches:
            count = len(self.matches)
            more = "" if self.complete else "+"
            if self.current is not None and self.current in self.matches:
                where = self.matches.index(self.current) + 1
                return f"match {where}/{count}{more} · n/N"
            return f"{count}{more} match{'es' if count != 1 else ''} · n/N"
        if self.query:
            return "no matches here"
        return None
