"""The preview under the search hits on a narrow screen (one pane at a time, so the transcript
is not beside them): the hit under the cursor with its whole title, where and when it was
written, and its message around the first match, the search words marked.

The hit's own snippet shows at once; its message is read in a thread worker (one small read,
the newest cursor position wins) and replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.message import Message
from textual.widgets import Static

from ...sanitize import inert
from ...store import Hit, StoreError
from ...store.models import blocks_text, tool_result_text
from ...store.query import parse
from ..format import age, short_project, terms_pattern
from ..safe import safe_text

if TYPE_CHECKING:
    from ...store import Store

BEFORE_MATCH = 60  # characters of the message shown before its first match
EXCERPT = 600


@dataclass
class HitMessageLoaded(Message):
    """The text of the message hit `message_id` points at."""

    message_id: int
    text: str


class HitPreview(Static):
    """The hit under the cursor, in more room than its row has."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "hit-preview--title",
        "hit-preview--meta",
        "hit-preview--match",
    }

    def __init__(
        self, *, clock: Callable[[], datetime] | None = None, id: str | None = None
    ) -> None:
        super().__init__("", id=id, markup=False)
        self.clock = clock
        self.db: Store | None = None
        self.hit: Hit | None = None
        self.search_query = ""
        self.text: str | None = None  # the hit's message, once read

    def set_store(self, db: Store | None) -> None:
        self.db = db

    def show_hit(self, hit: Hit | None, query: str) -> None:
        """Preview `hit` (None: nothing to preview) found by `query`."""
        if hit is not None and self.hit is not None and hit.message_id == self.hit.message_id:
            return
        self.hit, self.search_query, self.text = hit, query, None
        self._draw()
        if hit is not None and self.display:
            self._load(hit)

    def on_resize(self, _event: events.Resize) -> None:
        if self.hit is not None and self.text is None and self.display:
            self._load(self.hit)  # shown for the first time (the screen became narrow)
        self._draw()

    @work(thread=True, exclusive=True, group="hit-preview", exit_on_error=False)
    def _load(self, hit: Hit) -> None:
        db = self.db
        if db is None:
            return
        try:
            found = db.messages(hit.session_id, hit.seq, hit.seq + 1)
        except StoreError:
            return
        text = ""
        if found:
            blocks = found[0].blocks
            text = blocks_text(blocks) or "\n".join(
                tool_result_text(b) for b in blocks if b.get("type") == "tool_result"
            )
        self.post_message(HitMessageLoaded(hit.message_id, text))

    def on_hit_message_loaded(self, message: HitMessageLoaded) -> None:
        message.stop()
        if self.hit is not None and message.message_id == self.hit.message_id:
            self.text = message.text
            self._draw()

    def _draw(self) -> None:
        hit = self.hit
        if hit is None:
            self.update("")
            return
        title_style = self.get_component_rich_style("hit-preview--title")
        meta_style = self.get_component_rich_style("hit-preview--meta")
        match_style = self.get_component_rich_style("hit-preview--match")
        title = inert(hit.session_title) or inert(hit.session_id)[:8] or "(untitled)"
        now = self.clock() if self.clock else datetime.now(UTC)
        where = [short_project(hit.project), hit.source, hit.role, age(hit.created_at, now)]
        where.append(f"#{hit.seq}")
        text = Text()  # no base style: each part carries its own
        text.append_text(safe_text(title, title_style, limit=400))
        text.append("\n")
        text.append_text(safe_text(" · ".join(w for w in where if w), meta_style, limit=300))
        text.append("\n")
        pattern = terms_pattern(parse(self.search_query).terms())
        if self.text:  # the message, from a little before its first match
            body = inert(self.text, 20_000)
            first = pattern.search(body) if pattern else None
            start = max(0, first.start() - BEFORE_MATCH) if first else 0
            excerpt = ("…" if start else "") + body[start : start + EXCERPT]
            shown = Text(excerpt)
            if pattern:
                for found in pattern.finditer(excerpt):
                    shown.stylize(match_style, found.start(), found.end())
        else:
            shown = safe_text(hit.snippet, limit=EXCERPT)
            if shown.plain == hit.snippet:
                for start, end in hit.highlights:
                    shown.stylize(match_style, start, end)
        text.append_text(shown)
        text.no_wrap = False
        self.update(text)
