"""A parsed query resolved against the store: what drives the search and what filters it."""

from __future__ import annotations


class TermSample:
    """The newest messages' text, read once per query to judge typed prefixes, and what it told
    about how common each term it expanded to is. (A plain class: no dataclasses on the search
    path, see tests/cli/test_startup_imports.py.)"""

    __slots__ = ("known", "texts")

    def __init__(
        self, texts: list[str] | None = None, known: dict[str, bool] | None = None
    ) -> None:
        self.texts = texts
        self.known: dict[str, bool] = {} if known is None else known  # term -> is it common


class Plan:
    """A parsed query resolved against the store: the text to match, per-row conditions, and
    what narrows the candidates (session id spans, message ids, a time range)."""

    def __init__(self) -> None:
        self.empty = False
        self.table: str | None = None  # the text index driving the search
        self.expr = ""  # its MATCH expression
        self.cond: list[str] = []  # per-row conditions on m (messages) and s (sessions)
        self.params: list[object] = []
        self.needs_session = False  # cond reads s
        self.spans: list[tuple[int, int]] | None = None  # message id ranges, newest first
        self.session_ids: list[str] | None = None
        self.ids: list[int] | None = None  # candidate message ids (a selective tool filter)
        self.highlight: list[str] = []
        self.words: list[tuple[str, bool]] = []  # positive words (and if a prefix), re-ranking
        self.rank_expr: str | None = None  # the phrases bm25 ranks by (the uncommon ones)
        self.absent: str | None = None  # no positive text: the excluded words' expression
        self.approximate = False  # a prefix was expanded from a sample
        self.top = 0  # the highest message id
        self.sample = TermSample()
        self.glued: list[int] = []  # matches of a Latin word glued to CJK text (Reactの)
        self.marks: list[tuple[str, bool]] = []  # words to mark in snippets (and if prefixes)
        self.rerank = False  # ids hold the best hits of a ranked window, to re-rank and page

    def where(self) -> str:
        return " AND ".join(self.cond) if self.cond else "1"

    def joins(self, alias: str = "m") -> str:
        return f" JOIN sessions s ON s.id = {alias}.session_id" if self.needs_session else ""
