"""The session list: newest first, sortable, filterable, subagents under their parent.

Rows are fetched a page at a time in thread workers; the widget keeps small `SessionRow`s for
the pages near the viewport only, so 50,000 sessions scroll like 50.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.message import Message as TextualMessage
from textual.strip import Strip

from ...display import NOTE_MARK, PIN_MARK
from ...sanitize import inert
from ...store import CancelToken, Interrupted, StoreError
from ..format import SessionFilter, age, money, short_count, source_colour
from ..messages import ListCost, SessionChildren, SessionRow, SessionsPage
from ..opening import PAGE
from ..safe import safe_text
from .rows import RowList, text_strip

if TYPE_CHECKING:
    from ...store import Store

SORTS = ("recent", "tokens", "messages")
HIDDEN_KINDS = frozenset({"warmup", "compaction_agent"})  # session metadata kinds not listed
SORT_LABELS = {"recent": "newest", "tokens": "most tokens", "messages": "most messages"}


def read_page(
    db: Store, order: str = "recent", listing: SessionFilter | None = None, page: int = 0
) -> tuple[list[SessionRow], int]:
    """(In a worker thread.) One page of the list in `order` under `listing`, and how many
    sessions the listing holds (an experiment's listing comes whole)."""
    f = listing or SessionFilter()
    rows = db.sessions(
        limit=None if f.experiment_id is not None else PAGE,
        offset=0 if f.experiment_id is not None else page * PAGE,
        order=order,
        top_level=True,
        pinned_first=True,
        experiment_id=f.experiment_id,
        variant=f.variant,
        match=f.match,
    )
    if f.experiment_id is not None:
        total = len(rows)
    else:
        total = db.count_sessions(top_level=True, match=f.match)
    return [SessionRow.from_info(i) for i in rows], total


class SessionList(RowList):
    """Every top-level session, newest first; a parent's subagents open beneath it."""

    ROW_HEIGHT = 2

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", tooltip="open the session (or click it)"),
        Binding(
            "space,right,l",
            "toggle_children",
            "Subagents",
            show=False,
            tooltip="show or hide its subagents",
        ),
        Binding(
            "left,h",
            "collapse",
            "Collapse",
            show=False,
            tooltip="fold subagents, back to the parent",
        ),
        Binding("s", "cycle_sort", "Sort", tooltip="sort: newest, most tokens, most messages"),
        Binding(
            "f",
            "filter",
            "Filter",
            tooltip="filter: title words, source:, project:, model:, since:, tag:, is:pinned",
        ),
        Binding(
            "escape", "clear_filters", "Clear filters", show=False, tooltip="clear every filter"
        ),
        Binding(
            "b",
            "screen.pin",
            "Pin",
            show=False,
            tooltip="pin or unpin the session (pinned come first)",
        ),
        Binding(
            "N", "screen.note", "Note", show=False, tooltip="attach or edit the session's note"
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "session-list--title",
        "session-list--meta",
        "session-list--age",
        "session-list--open",
        "session-list--child",
        "session-list--loading",
        "session-list--pin",
        "session-list--tag",
        "session-list--warn",
    }

    @dataclass
    class Listed(TextualMessage):
        """A page arrived: how many sessions the list holds now."""

        total: int

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self.db: Store | None = None
        self.order = "recent"
        self.filter = SessionFilter()
        self.total = 0
        self.total_cost = 0.0  # of the listed sessions and their subagents (0: none priced)
        self.loaded = False
        self.open_id: str | None = None
        self._generation = 0
        self._token = CancelToken()  # the current listing's reads: a reload cancels them
        self._pages: dict[int, list[SessionRow]] = {}
        self._pending: set[int] = set()
        self._expanded: dict[str, list[SessionRow] | None] = {}
        self._layout: list[tuple[int, str]] = []  # (top-level index, parent id), ascending
        self._select_after_load: str | None = None
        self._pages_generation = -1

    # -- data ----------------------------------------------------------------------------------

    def set_store(self, db: Store | None) -> None:
        """The store to list (None while there is none); `reload` fetches from it."""
        self.db = db

    def now(self) -> datetime:
        return self.clock() if self.clock else datetime.now(UTC)

    def reload(
        self,
        *,
        keep_place: bool = False,
        first: tuple[list[SessionRow], int] | None = None,
        cost_after_frame: bool = False,
    ) -> None:
        """Fetch the list again: from the top after a sort/filter change, or keeping the
        reader's place (same session under the cursor) when the store changed. `first` is the
        default listing's first page when it was already read (see `read_page`);
        `cost_after_frame`: the cost is read once the next frame is drawn (the screen's first:
        its thread would share the interpreter with drawing it)."""
        current = self.row(self.cursor) if keep_place else None
        self._select_after_load = current.id if current else None
        self._generation += 1
        self._token.cancel()  # a listing still being read is stale: stop its statement
        self._token = CancelToken()
        self._pending.clear()
        if keep_place:
            page = self.cursor_page()
            for parent_id in self._expanded:
                self._fetch_children(parent_id, self._generation)
        else:
            page = 0
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
            self._pages = {}
            self._expanded = {}
            self._layout = []
        if (
            first is not None
            and not keep_place
            and self.order == "recent"
            and not self.filter.active
        ):
            self.on_sessions_page(SessionsPage(self._generation, 0, *first))
        else:
            self._pending.add(page)
            self._fetch(page, self._generation)
        if cost_after_frame:
            self.call_after_refresh(self._fetch_cost, self._generation, self._token)
        else:
            self._fetch_cost(self._generation, self._token)
        self.update_header()

    def cursor_page(self) -> int:
        top = self.top_index(self.cursor)
        return max(0, top // PAGE)

    def _fetch(self, page: int, generation: int) -> None:
        self._fetch_under(page, generation, self._token)

    @work(thread=True, group="session-pages", exit_on_error=False)
    def _fetch_under(self, page: int, generation: int, token: CancelToken) -> None:
        """(In a worker thread.) One page, read under the listing's cancel token."""
        db = self.db
        if db is None:
            return
        try:
            with db.cancellable(token):
                self._fetch_page(db, page, generation)
        except Interrupted:
            return  # superseded by a newer sort or filter: its result would be stale

    def _fetch_page(self, db: Store, page: int, generation: int) -> None:
        try:
            rows, total = read_page(db, self.order, self.filter, page)
        except Interrupted:
            raise
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.post_message(SessionsPage(generation, page * PAGE, rows, total))

    @work(thread=True, exclusive=True, group="session-cost", exit_on_error=False)
    def _fetch_cost(self, generation: int, token: CancelToken) -> None:
        """(In a worker thread.) What the listing's sessions and their subagents cost: once a
        listing (a reload), not on every page."""
        db, f = self.db, self.filter
        if db is None:
            return
        try:
            with db.cancellable(token):
                _count, cost = db.session_totals(
                    experiment_id=f.experiment_id, variant=f.variant, match=f.match
                )
        except (Interrupted, StoreError):
            return  # superseded, or unreadable: the title shows no cost rather than a wrong one
        self.post_message(ListCost(generation, cost))

    def on_list_cost(self, message: ListCost) -> None:
        message.stop()
        if message.generation == self._generation:
            self.total_cost = message.cost_usd
            self.update_header()

    def on_sessions_page(self, message: SessionsPage) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        page = message.offset // PAGE
        self._pending.discard(page)
        if self._pages_generation != message.generation:
            # first page of a fresh listing: pages fetched before may be shifted, drop them
            self._pages = {}
            self._pages_generation = message.generation
        if self.filter.experiment_id is not None:
            self._pages = {
                i // PAGE: message.rows[i : i + PAGE] for i in range(0, len(message.rows), PAGE)
            }
        else:
            self._pages[page] = message.rows
        self.total = message.total
        self.loaded = True
        self._rebuild_layout()
        self.update_size()
        if self._select_after_load:
            target = self._select_after_load
            self._select_after_load = None
            index = self.index_of(target)
            if index is not None and index != self.cursor:
                self.move_cursor(index, announce=False)
        self.refresh()
        self.update_header()
        self.post_message(self.Listed(self.total))

    @work(thread=True, group="session-children", exit_on_error=False)
    def _fetch_children(self, parent_id: str, generation: int) -> None:
        db = self.db
        if db is None:
            return
        try:
            rows = db.sessions(limit=None, parent=parent_id, order="started")
        except StoreError:
            return
        # prewarm and compaction agents (issue 11) are not subagent work: folded away
        rows = [i for i in rows if i.metadata.get("kind") not in HIDDEN_KINDS]
        rows.sort(key=lambda i: (i.started_at or "", i.id))
        self.post_message(
            SessionChildren(generation, parent_id, [SessionRow.from_info(i) for i in rows])
        )

    def on_session_children(self, message: SessionChildren) -> None:
        message.stop()
        if message.parent_id not in self._expanded:
            return
        current = self.row(self.cursor)
        self._expanded[message.parent_id] = message.rows
        self._rebuild_layout()
        self.update_size()
        target = self._select_after_load or (current.id if current is not None else None)
        if target is not None:
            index = self.index_of(target)
            if index is not None:
                if target == self._select_after_load:
                    self._select_after_load = None
                self.move_cursor(index, announce=False)
        self.refresh()

    # -- layout: top-level rows with expanded children spliced in ------------------------------

    def _top_row(self, top: int) -> SessionRow | None:
        page = self._pages.get(top // PAGE)
        if page is None:
            return None
        offset = top % PAGE
        return page[offset] if offset < len(page) else None

    def _rebuild_layout(self) -> None:
        positions: list[tuple[int, str]] = []
        if self._expanded:
            for page_no, rows in self._pages.items():
                for offset, row in enumerate(rows):
                    if self._expanded.get(row.id):
                        positions.append((page_no * PAGE + offset, row.id))
        positions.sort()
        self._layout = positions

    def row_count(self) -> int:
        extra = sum(len(self._expanded[pid] or []) for _top, pid in self._layout)
        return self.total + extra

    def locate(self, index: int) -> tuple[int, int]:
        """(top-level index, child index or -1) of display row `index`."""
        shift = 0
        for top, pid in self._layout:
            children = self._expanded[pid] or []
            if index <= top + shift:
                break
            if index <= top + shift + len(children):
                return top, index - top - shift - 1
            shift += len(children)
        return index - shift, -1

    def top_index(self, index: int) -> int:
        return self.locate(index)[0]

    def row(self, index: int) -> SessionRow | None:
        if index < 0 or index >= self.row_count():
            return None
        top, child = self.locate(index)
        parent = self._top_row(top)
        if parent is None:
            self._request(top // PAGE)
            return None
        if child < 0:
            return parent
        children = self._expanded.get(parent.id) or []
        return children[child] if child < len(children) else None

    def display_index(self, top: int) -> int:
        """Display row of top-level row `top` (children of expanded parents above shift it)."""
        shift = 0
        for position, pid in self._layout:
            if position >= top:
                break
            shift += len(self._expanded[pid] or [])
        return top + shift

    def index_of(self, session_id: str) -> int | None:
        """Display row of a loaded session, or None."""
        for page_no, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if row.id == session_id:
                    return self.display_index(page_no * PAGE + offset)
        for position, pid in self._layout:
            for k, child in enumerate(self._expanded[pid] or []):
                if child.id == session_id:
                    return self.display_index(position) + 1 + k
        return None

    def _request(self, page: int) -> None:
        if page in self._pending or page in self._pages or page < 0:
            return
        self._pending.add(page)
        self.call_later(self._fetch, page, self._generation)

    # -- drawing -------------------------------------------------------------------------------

    def render_row(self, index: int, line: int, width: int) -> Strip:
        row = self.row(index)
        console = self.app.console
        if row is None:
            text = Text(
                "  …" if line == 0 else "", self.get_component_rich_style("session-list--loading")
            )
            return text_strip(text, width, console)
        child = row.parent_id is not None
        meta_style = self.get_component_rich_style("session-list--meta")
        marker = Text(
            "▌" if row.id == self.open_id else " ",
            self.get_component_rich_style("session-list--open"),
        )
        indent = "   " if child else ""
        if line == 0:
            title_style = self.get_component_rich_style(
                "session-list--child" if child else "session-list--title"
            )
            when = age(row.updated_at, self.now())
            right = Text(f" {when:>3}", self.get_component_rich_style("session-list--age"))
            text = marker + Text(indent)
            if child:
                text.append("↳ ", meta_style)
            elif row.child_count:
                expanded = row.id in self._expanded
                text.append("▾ " if expanded else "▸ ", meta_style)
            else:
                text.append("  ")
            if row.pinned:
                text.append(PIN_MARK + " ", self.get_component_rich_style("session-list--pin"))
            if row.issues:  # its import skipped something: see the transcript's header
                text.append("⚠ ", self.get_component_rich_style("session-list--warn"))
            title = Text(row.title, title_style)
            room = width - text.cell_len - right.cell_len
            if title.cell_len > room:
                title.truncate(max(1, room), overflow="ellipsis")
            text.append_text(title)
            text.append(" " * max(0, width - text.cell_len - right.cell_len))
            text.append_text(right)
            return text_strip(text, width, console)
        parts = [p for p in (row.project, row.source, row.variant) if p]
        parts.append(f"{short_count(row.message_count)} msg")
        if row.tokens:
            parts.append(f"{short_count(row.tokens)} tok")
        if row.cached:
            parts.append(f"+{short_count(row.cached)} cache")
        if row.child_count:
            parts.append(f"{row.child_count} sub")
        meta = Text(" · ".join(parts), meta_style)
        colour = source_colour(row.source)
        if colour is not None and row.source:
            # the source in its colour (strings here are already inert: see SessionRow)
            at = len(f"{row.project} · ") if row.project else 0
            meta.stylize(Style(color=colour), at, at + len(row.source))
        text = marker + Text(indent + "  ")
        if row.issues:  # first: the line is cut at the pane's width
            text.append(f"⚠ {row.issues}", self.get_component_rich_style("session-list--warn"))
            text.append(" · ", meta_style)
        # what the person added comes first: the meta line is cut at the list's width
        if row.tags:
            text.append(row.tags, self.get_component_rich_style("session-list--tag"))
            text.append(" · ", meta_style)
        if row.note:
            text.append(
                f"{NOTE_MARK} {row.note}", self.get_component_rich_style("session-list--tag")
            )
            text.append(" · ", meta_style)
        text.append_text(meta)
        if row.cost_usd > 0:  # under the age, a column of costs; unpriced rows show none
            cost = Text(
                f" {money(row.cost_usd)}", self.get_component_rich_style("session-list--age")
            )
            room = width - cost.cell_len
            if text.cell_len > room:
                text.truncate(max(1, room), overflow="ellipsis")
            text.append(" " * max(0, room - text.cell_len))
            text.append_text(cost)
        return text_strip(text, width, console)

    def cursor_strip(self, strip: Strip, style: Style) -> Strip:
        """The cursor row in the cursor's own colours, every cell of both lines: the rows' cells
        carry the list's background, so the cursor goes over them (bold and the like are kept)."""
        return Strip(Segment.apply_style(iter(strip), post_style=style), strip.cell_length)

    def update_header(self) -> None:
        label = SORT_LABELS.get(self.order, self.order)
        title = f"Sessions · {short_count(self.total)}" if self.loaded else "Sessions"
        if self.loaded and self.total_cost > 0:  # what the listed sessions (and subagents) cost
            title += f" · {money(self.total_cost)}"
        self.border_title = Text(title)
        described = inert(self.filter.describe())
        # Text, never a str: the filter is user input and a str subtitle is parsed as markup
        self.border_subtitle = safe_text(f"{label}" + (f" · {described}" if described else ""))

    # -- actions -------------------------------------------------------------------------------

    def action_cycle_sort(self) -> None:
        self.order = (
            SORTS[(SORTS.index(self.order) + 1) % len(SORTS)] if self.order in SORTS else SORTS[0]
        )
        self.reload()
        self.notify(f"Sorted by {SORT_LABELS[self.order]}.", timeout=2)

    def set_order(self, order: str) -> None:
        self.order = order
        self.reload()

    def set_filter(self, new: SessionFilter) -> None:
        self.filter = new
        self.reload()

    def action_filter(self) -> None:
        self.screen.action_filter()  # type: ignore[attr-defined]

    def action_clear_filters(self) -> None:
        if self.filter.active or self.filter.text:
            self.screen.clear_filter()  # type: ignore[attr-defined]

    def action_toggle_children(self) -> None:
        row = self.row(self.cursor)
        if row is None:
            return
        if row.parent_id is not None:
            return
        if row.id in self._expanded:
            self.collapse(row.id)
        elif row.child_count:
            self.expand_parent(row.id)

    def expand_parent(self, parent_id: str) -> None:
        if parent_id in self._expanded:
            return
        self._expanded[parent_id] = None
        self._fetch_children(parent_id, self._generation)

    def collapse(self, parent_id: str) -> None:
        current = self.row(self.cursor)
        self._expanded.pop(parent_id, None)
        self._rebuild_layout()
        self.update_size()
        target = parent_id if current is None or current.parent_id == parent_id else current.id
        index = self.index_of(target)
        if index is not None:
            self.move_cursor(index, announce=False)
        self.refresh()

    def action_collapse(self) -> None:
        row = self.row(self.cursor)
        if row is None:
            return
        if row.parent_id is not None:
            self.collapse(row.parent_id)
        elif row.id in self._expanded:
            self.collapse(row.id)

    def selected_row(self) -> SessionRow | None:
        return self.row(self.cursor)

    def select_session(self, session_id: str, parent_id: str | None = None) -> None:
        """Move the cursor to a session (expanding its parent) when it is among the loaded rows."""
        if parent_id:
            self.expand_parent(parent_id)
        index = self.index_of(session_id)
        if index is not None:
            self.move_cursor(index, announce=False)
        else:
            self._select_after_load = session_id

    def click_row(self, index: int, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        row = self.row(index)
        if (
            row is not None
            and offset is not None
            and offset.x <= 3
            and row.child_count
            and row.parent_id is None
        ):
            self.action_toggle_children()
            return
        super().click_row(index, event)
