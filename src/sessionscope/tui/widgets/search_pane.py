"""The search pane: a query input and live hits (debounced, newest query always wins)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message as TextualMessage
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from ...sanitize import inert
from ...store import CancelToken, Hit, Interrupted, StoreError
from ..format import age
from ..messages import HitChosen, HitsLoaded, SearchClosed
from ..safe import safe_text
from .hit_preview import HitPreview
from .rows import RowList, text_strip

if TYPE_CHECKING:
    from ...store import Store

DEBOUNCE = 0.025
PAGE = 50  # hits per query; more are fetched as the cursor nears the end of the list
MAX_HITS = 2000

HELP_LINES = [  # at most 38 columns: whole in the search pane beside a transcript at 120
    "Type to search every message. Words",
    "must all match; the last is a prefix.",
    "",
    '  "exact phrase"  -word  a OR b',
    "  role:user  role:assistant  role:tool",
    "  tool:Bash  in:tools  in:text",
    "  is:error  is:pinned  tag:flaky",
    "  project:webapp  source:codex",
    "  model:gpt-5  session:ID",
    "  since:7d  until:2026-10-01",
    "  (tags and pins are yours: #, b)",
    "",
    "↓/Tab: hits · Enter: open · Esc: back",
]


def _from_the_match(text: Text, highlights: list[tuple[int, int]], width: int) -> Text:
    """`text` cut at a word some way before its first match when the match would fall past the
    two lines a hit shows (a snippet's match can sit near its end), marked with "…"."""
    if not highlights:
        return text
    first = min(start for start, _end in highlights)
    if first + 12 <= 2 * width - width // 2:
        return text
    plain = text.plain
    cut = max(0, first - width // 2)
    before = plain.rfind(" ", 0, cut + 1)  # the word the cut falls in, whole when it fits
    after = plain.find(" ", cut, first)
    if before >= 0 and first - before < width:
        cut = before + 1
    elif after >= 0:
        cut = after + 1
    return Text("…") + text[cut:]


class HitList(RowList):
    """Search hits: session title, role and time, then the snippet with the match marked."""

    ROW_HEIGHT = 3

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", tooltip="open at that message, matches marked"),
        # (the screen's `/` is a priority binding: from here it returns to the query, unselected)
        Binding("slash", "screen.search", "Edit query", show=False, tooltip="edit the query"),
        Binding("escape", "close", "Back", show=False, tooltip="close the search"),
        Binding("b", "screen.pin", "Pin", show=False, tooltip="pin or unpin the hit's session"),
        Binding("N", "screen.note", "Note", show=False, tooltip="attach or edit its note"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "hits--title",
        "hits--meta",
        "hits--snippet",
        "hits--match",
        "hits--user",
        "hits--assistant",
        "hits--tool",
        "hits--system",
        "hits--empty",
    }

    class NeedMore(TextualMessage):
        """The cursor or the viewport reached the last loaded hits."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self.more = False
        self.hits: list[Hit] = []
        self.empty: list[Text] = []
        self._wrapped: dict[tuple[int, int], list[Text]] = {}

    def set_hits(self, hits: list[Hit], more: bool = False) -> None:
        self.hits = hits
        self.more = more
        self._wrapped.clear()
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self.update_size()

    def add_hits(self, hits: list[Hit], more: bool) -> None:
        self.hits = self.hits + hits
        self.more = more
        self.update_size()

    def row_count(self) -> int:
        return len(self.hits)

    def render_line(self, y: int) -> Strip:
        if not self.hits and self.empty:
            width = self.scrollable_content_region.width
            line = round(self.scroll_y) + y
            if line < len(self.empty):
                text = Text("  ") + self.empty[line]
                text.stylize(self.get_component_rich_style("hits--empty", partial=True))
                return text_strip(text, width, self.app.console).apply_style(self.rich_style)
            return Strip.blank(width, self.rich_style)
        return super().render_line(y)

    def now(self) -> datetime:
        return self.clock() if self.clock else datetime.now(UTC)

    def _snippet_lines(self, index: int, width: int) -> list[Text]:
        key = (index, width)
        if key not in self._wrapped:
            hit = self.hits[index]
            text = Text(hit.snippet, self.get_component_rich_style("hits--snippet", partial=True))
            match = self.get_component_rich_style("hits--match", partial=True)
            for start, end in hit.highlights:
                text.stylize(match, start, end)
            text = _from_the_match(text, hit.highlights, max(1, width - 2))
            lines = list(text.wrap(self.app.console, max(1, width - 2), overflow="fold"))
            if len(lines) > 2:
                lines = lines[:2]
                last = lines[1]
                if last.cell_len >= width - 3:
                    last.truncate(max(1, width - 3))
                last.append("…")
            self._wrapped[key] = lines
        return self._wrapped[key]

    def render_row(self, index: int, line: int, width: int) -> Strip:
        if self.more and index >= len(self.hits) - 3:
            self.more = False  # asked once; the pane says whether there is more after that
            self.post_message(self.NeedMore())
        hit = self.hits[index]
        console = self.app.console
        if line == 0:
            meta = self.get_component_rich_style("hits--meta", partial=True)
            role_style = (
                self.get_component_rich_style(f"hits--{hit.role}", partial=True)
                if hit.role in ("user", "assistant", "tool", "system")
                else Style()
            )
            right = Text(f" {age(hit.created_at, self.now())}", meta)
            # the id stands in for an empty title: it comes from a transcript, so it is made
            # inert like the title (never drawn raw, never `id[:8]` of the raw string)
            head = safe_text(
                inert(hit.session_title) or inert(hit.session_id)[:8] or "(untitled)",
                self.get_component_rich_style("hits--title", partial=True),
            )
            tail = Text(" · ", meta) + safe_text(hit.role, role_style, limit=40)
            room = width - right.cell_len - tail.cell_len
            if head.cell_len > room:
                head.truncate(max(1, room), overflow="ellipsis")
            text = head + tail
            text.append(" " * max(0, width - text.cell_len - right.cell_len))
            text.append_text(right)
            return text_strip(text, width, console)
        lines = self._snippet_lines(index, width)
        if line - 1 < len(lines):
            return text_strip(Text("  ") + lines[line - 1], width, console)
        return Strip.blank(width)

    def action_close(self) -> None:
        self.post_message(SearchClosed())


class SearchInput(Input):
    """The query input: ↓ moves to the hits, Esc closes the pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "to_hits", "Hits", show=False, tooltip="to the hits"),
        Binding("escape", "close", "Back", show=False, tooltip="close the search"),
    ]

    def action_to_hits(self) -> None:
        hits = self.screen.query_one(HitList)
        if hits.hits:
            hits.focus()

    def action_close(self) -> None:
        self.post_message(SearchClosed())


class SearchPane(Vertical):
    """Query input, a one-line status, and the hits."""

    # here, not in styles/app.tcss: parsed when the pane is first mounted, after the first frame
    DEFAULT_CSS = """
    SearchPane {
        height: 1fr;
    }

    #search-input {
        height: 3;
        border: round $accent;
        &:focus { border: round $primary; }
    }

    #search-status {
        height: auto;
        max-height: 3;
        color: $text-muted;
        padding: 0 1;
    }

    HitList {
        height: 1fr;
        & > .rows--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .rows--cursor-blur { background: $block-cursor-blurred-background; }
        & > .hits--title { color: $foreground; text-style: bold; }
        & > .hits--meta { color: $text-muted; }
        & > .hits--snippet { color: $foreground 85%; }
        & > .hits--match { background: $warning 40%; color: $text; text-style: bold; }
        & > .hits--user { color: $text-success; }
        & > .hits--assistant { color: $text-primary; }
        & > .hits--tool { color: $text-secondary; }
        & > .hits--system { color: $text-muted; }
        & > .hits--empty { color: $text-muted; }
    }

    #hit-preview {
        display: none;
        height: 7;
        padding: 0 1;
        border-top: solid $panel-lighten-2;
        background: $surface;
        color: $foreground;
        & > .hit-preview--title { color: $foreground; text-style: bold; }
        & > .hit-preview--meta { color: $text-muted; }
        & > .hit-preview--match { background: $warning 40%; color: $text; text-style: bold; }
    }
    """

    def __init__(
        self, *, clock: Callable[[], datetime] | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.db: Store | None = None
        self.query_text = ""
        self._generation = 0
        self._shown = 0
        self._timer: Timer | None = None
        self._token = CancelToken()  # the running query's: a newer query cancels it
        self.last_elapsed: float | None = None

    def compose(self) -> ComposeResult:
        yield SearchInput(
            placeholder='search: words, "phrase", role:user tool:Bash project:…',
            id="search-input",
            select_on_focus=False,
        )
        yield Static("", id="search-status", markup=False)
        yield HitList(id="hits", clock=self.clock)
        yield HitPreview(id="hit-preview", clock=self.clock)  # shown on narrow screens only

    def on_mount(self) -> None:
        hits = self.query_one(HitList)
        hits.empty = self._help()
        hits.update_size()
        self.query_one(HitPreview).set_store(self.db)

    def _help(self) -> list[Text]:
        return [Text(line) for line in HELP_LINES]

    def set_store(self, db: Store | None) -> None:
        """The store to search (None while there is none)."""
        self.db = db
        for preview in self.query(HitPreview):  # none yet before it is composed: see on_mount
            preview.set_store(db)

    def focus_input(self, *, select: bool = False) -> None:
        """Focus the query; `select` it (the search reopened: what is typed next replaces it, an
        arrow key or End keeps it), else put the cursor at its end (to refine it)."""
        field = self.query_one(SearchInput)
        # now, not after a refresh: keys typed right after `/` must land in the input
        self.screen.set_focus(field)
        end = len(field.value)
        field.selection = Selection(0, end) if select else Selection.cursor(end)

    def set_query(self, text: str) -> None:
        field = self.query_one(SearchInput)
        field.value = text
        field.cursor_position = len(text)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._generation += 1
        generation = self._generation
        if self._timer is not None:
            self._timer.stop()
        if not event.value.strip():
            self._shown = generation
            self.query_one(HitList).set_hits([])
            self._preview()
            self.query_one("#search-status", Static).update("")
            return
        self._timer = self.set_timer(DEBOUNCE, lambda: self._start(event.value, generation))

    def _start(self, query: str, generation: int) -> None:
        if generation != self._generation:
            return
        self._token.cancel()  # the older query's statement stops; this one starts at once
        self._token = CancelToken()
        self._search(query, generation, self._token)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str, generation: int, token: CancelToken) -> None:
        self._run_search(query, generation, 0, token)

    def _run_search(
        self, query: str, generation: int, offset: int, token: CancelToken | None = None
    ) -> None:
        """(In a worker thread.) One page of hits, posted back as HitsLoaded."""
        db = self.db
        if db is None:
            return
        started = time.perf_counter()
        try:
            with db.cancellable(token):
                hits = db.search(query, limit=PAGE, offset=offset)
            error = None
        except Interrupted:
            return  # superseded: a newer query is running
        except StoreError as exc:
            hits, error = [], str(exc)
        if not hits and error is None and offset == 0:
            from ...store.query import near_filters, problems

            # a filter that cannot match (`since:banana`) or a word that looks like a mistyped
            # one (`projet:webapp`): say why
            found = problems(query) or near_filters(query)
            error = f"✗ {found[0]}" if found else None
        self.post_message(
            HitsLoaded(generation, query, hits, time.perf_counter() - started, error, offset)
        )

    @on(HitList.NeedMore)
    def _need_more(self, event: HitList.NeedMore) -> None:
        event.stop()
        hits = self.query_one(HitList)
        if self._shown == self._generation and len(hits.hits) < MAX_HITS:
            self._search_more(self.query_text, self._generation, len(hits.hits), self._token)

    @work(thread=True, group="search-more", exit_on_error=False)
    def _search_more(self, query: str, generation: int, offset: int, token: CancelToken) -> None:
        self._run_search(query, generation, offset, token)

    def on_hits_loaded(self, message: HitsLoaded) -> None:
        message.stop()
        hits = self.query_one(HitList)
        more = len(message.hits) >= PAGE
        if message.offset:
            # a further page of the hits on screen
            if message.generation == self._shown and message.offset == len(hits.hits):
                hits.add_hits(message.hits, more)
                self._status(len(hits.hits), more, None)
            return
        if message.generation <= self._shown:
            return  # an older query finished after a newer one was shown
        self._shown = message.generation
        self.last_elapsed = message.elapsed
        hits.set_hits(message.hits, more)
        self._preview()
        self._status(
            len(message.hits), more, message.error, getattr(message.hits, "partial", False)
        )

    def _status(self, count: int, more: bool, error: str | None, partial: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        if error:
            status.update(safe_text(error, limit=500))
        elif not count:
            short = len(self.query_text.strip()) < 3
            status.update(
                "keep typing…" if short else "no hits (partial)" if partial else "no hits"
            )
        else:
            # partial: the store stopped at its time budget; keep typing to narrow the query
            more = more or partial
            noun = "hit" if count == 1 and not more else "hits"
            shown = f"{count}{'+' if more else ''} {noun}{' (partial)' if partial else ''}"
            status.update(f"{shown} · Enter opens · ↓ to the list")

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        hits = self.query_one(HitList)
        if hits.hits:
            self.post_message(HitChosen(hits.hits[hits.cursor], self.query_text))

    @on(HitList.Highlighted)
    def _highlighted(self, event: HitList.Highlighted) -> None:
        event.stop()
        self._preview()

    def _preview(self) -> None:
        hits = self.query_one(HitList)
        hit = hits.hits[hits.cursor] if 0 <= hits.cursor < len(hits.hits) else None
        self.query_one(HitPreview).show_hit(hit, self.query_text)

    @on(HitList.Selected)
    def _selected(self, event: HitList.Selected) -> None:
        event.stop()
        hits = self.query_one(HitList)
        if 0 <= event.index < len(hits.hits):
            self.post_message(HitChosen(hits.hits[event.index], self.query_text))

    def on_key(self, event: events.Key) -> None:
        if (
            event.key == "tab"
            and self.query_one(SearchInput).has_focus
            and self.query_one(HitList).hits
        ):
            event.stop()
            event.prevent_default()
            self.query_one(HitList).focus()
