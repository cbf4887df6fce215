"""The transcript: a windowed, line-API view of one session of any length.

Only messages near the viewport are fetched (in thread workers) and rendered. Every message has
a height in a Fenwick tree (real once rendered, estimated before), so jumping to message 50,000 or
to the end of a 100,000-message session costs the same as opening a short one. The reader's place
is an anchor (message, line within it) that survives heights changing above it, and a reader at
the bottom stays pinned there while the session grows.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message as TextualMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...export import message_markdown
from ...sanitize import inert, safe_text
from ...store import SessionInfo, StoreError
from ...store.models import Message
from ...store.query import parse as parse_query
from ..format import terms_pattern
from ..heights import Heights
from ..messages import (
    MatchesLoaded,
    MessagesLoaded,
    OpenSession,
    SessionOpened,
    ToolCallsLoaded,
    TranscriptGrew,
)
from ..render import Context, Item, MessageRenderer, Rendered, Styles, message_has_term
from .rows import text_strip

if TYPE_CHECKING:
    from ...store import Store

WINDOW_BEFORE = 40
WINDOW_AFTER = 80
MAX_MESSAGES = 1500
MAX_RENDERED = 400
ESTIMATE = 4
CALLS_LIMIT = 20_000  # longer sessions load their tool calls window by window
MATCH_PAGE = 1000  # n/N fetch the matches of a session a page at a time
MAX_MATCHES = 20_000
FOLLOW_MARGIN = 10  # messages re-read above and below the viewport when the session changed


class Transcript(ScrollView, can_focus=True):
    """One session's messages, role-coloured, with folded tool calls and reasoning."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "next_item", "Next", show=False),
        Binding("k", "prev_item", "Prev", show=False),
        Binding("g,home", "go_start", "Top", show=False),
        Binding("G,end", "go_end", "End", show=False),
        Binding("enter", "activate", "Expand"),
        Binding("space", "toggle_item", "Fold", show=False),
        Binding("t", "toggle_tools", "Tools"),
        Binding("r", "toggle_reasoning", "Reasoning", show=False),
        Binding("n", "next_match", "Next match"),
        Binding("N", "prev_match", "Prev match", show=False),
        Binding("y,c", "copy_message", "Copy", show=False),
        Binding("o", "open_subagent", "Subagent", show=False),
        Binding("u", "open_parent", "Parent", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--user",
        "transcript--assistant",
        "transcript--system",
        "transcript--tool",
        "transcript--meta",
        "transcript--reasoning",
        "transcript--tool-name",
        "transcript--tool-arg",
        "transcript--error",
        "transcript--ok",
        "transcript--gutter",
        "transcript--match",
        "transcript--subagent",
        "transcript--cursor",
        "transcript--cursor-blur",
        "transcript--placeholder",
        "transcript--title",
    }

    DEFAULT_CSS = """
    Transcript {
        /* room for the scrollbar from the start: a session that outgrows the screen is not
           wrapped (and rendered) a second time at a narrower width */
        scrollbar-gutter: stable;
    }
    """

    class Back(TextualMessage):
        """Escape in the transcript: go back to where the reader came from."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._generation = 0
        self.session_id: str | None = None
        self.info: SessionInfo | None = None
        self.total = 0
        self._heights = Heights()
        self._messages: OrderedDict[int, Message] = OrderedDict()
        self._rendered: OrderedDict[int, Rendered] = OrderedDict()
        self._pending: list[tuple[int, int]] = []
        self._calls: dict[str, dict[str, Any]] = {}
        self._local_calls: dict[str, int] = {}  # tool_use id -> seq of the call
        self._local_tasks: set[str] = set()  # tool_use ids of Task/Agent calls seen
        self._results: dict[str, tuple[int, dict[str, Any]]] = {}  # tool_use id -> (seq, block)
        self._children: list[SessionInfo] = []
        self._task_children: dict[str, SessionInfo] = {}
        self._toggled: set[tuple[int, int]] = set()
        self.tools_open = False
        self.reasoning_open = False
        self.search_query: str | None = None
        self._pattern: re.Pattern[str] | None = None
        self.matches: list[int] = []
        self.current_match: int | None = None
        self._match_hits = 0
        self._matches_complete = False
        self._matches_loading = False
        self._pending_jump: int | None = None
        self.cursor: tuple[int, int] | None = None
        self._anchor: tuple[int, int] = (0, 0)
        self._pinned = False
        self._adjusting = False
        self._settle_scheduled = False
        self._ahead_scheduled = False
        self._reveal: int | None = None
        self._version = 0
        self._width = 0
        self._placeholder: list[Text] = []
        self._renderer: MessageRenderer | None = None
        self._loaded_once = False
        self._estimate = ESTIMATE

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def db(self) -> Store | None:
        return getattr(self.app, "db", None)

    @property
    def tz(self) -> tzinfo | None:
        return getattr(self.app, "tz", None)

    @property
    def content_width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    @property
    def view_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _styles(self) -> Styles:
        get = self.get_component_rich_style
        dark = getattr(getattr(self.app, "current_theme", None), "dark", True)
        return Styles(
            roles={
                "user": get("transcript--user", partial=True),
                "assistant": get("transcript--assistant", partial=True),
                "system": get("transcript--system", partial=True),
                "tool": get("transcript--tool", partial=True),
            },
            meta=get("transcript--meta", partial=True),
            reasoning=get("transcript--reasoning", partial=True),
            tool_name=get("transcript--tool-name", partial=True),
            tool_arg=get("transcript--tool-arg", partial=True),
            error=get("transcript--error", partial=True),
            ok=get("transcript--ok", partial=True),
            gutter=get("transcript--gutter", partial=True),
            match=get("transcript--match", partial=True),
            subagent=get("transcript--subagent", partial=True),
            code_theme="monokai" if dark else "default",
        )

    def renderer(self) -> MessageRenderer:
        if self._renderer is None:
            self._renderer = MessageRenderer(self.app.console, self._styles())
        return self._renderer

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._renderer is not None and self._renderer.styles == self._styles():
            return  # focus moving in or out restyles the widget, not the messages
        self._renderer = None
        self._invalidate()

    def set_placeholder(self, lines: list[Text]) -> None:
        """What to show when no session is open (the empty-store help, for instance)."""
        self._placeholder = lines
        if self.session_id is None:
            self.virtual_size = Size(0, len(lines))
            self.refresh()

    # -- opening -------------------------------------------------------------------------------

    def open(self, session_id: str, seq: int | None = None, query: str | None = None) -> None:
        """Show a session, at message `seq` (negative: from the end), with `query` highlighted."""
        self._generation += 1
        self.session_id = session_id
        self.info = None
        self.total = 0
        self._heights = Heights()
        self._drop_loaded()
        self._children = []
        self._task_children = {}
        self._toggled.clear()
        self.cursor = None
        self._loaded_once = False
        self._estimate = ESTIMATE
        self.matches = []
        self._match_hits = 0
        self._matches_complete = False
        self._matches_loading = bool(query)
        self._pending_jump = None
        self.current_match = seq if query and seq is not None and seq >= 0 else None
        self.set_query(query)
        self._pinned = seq is not None and seq < 0
        self._anchor = (max(0, seq or 0), 0)
        self._reveal = seq if seq is not None and seq >= 0 and query else None
        self.virtual_size = Size(0, 0)
        self._set_scroll(0)
        self.border_title = "Transcript"
        self.border_subtitle = ""
        self.refresh()
        generation = self._generation
        self._load_session(session_id, seq, generation)
        self._load_calls(session_id, generation)
        if self.search_query:
            self._load_matches(session_id, self.search_query, generation)

    def _drop_loaded(self) -> None:
        """Forget every message, rendered line and tool-call pairing read for the session."""
        self._messages.clear()
        self._rendered.clear()
        self._pending.clear()
        self._calls = {}
        self._local_calls.clear()
        self._local_tasks.clear()
        self._results.clear()

    def close_session(self) -> None:
        self._generation += 1
        self.session_id = None
        self.info = None
        self.total = 0
        self._drop_loaded()
        self._heights = Heights()
        self.cursor = None
        self.virtual_size = Size(0, len(self._placeholder))
        self._set_scroll(0)
        self.border_title = "Transcript"
        self.border_subtitle = ""
        self.refresh()

    def set_query(self, query: str | None) -> None:
        """Highlight the positive terms of `query` (the search language) in the transcript."""
        self.search_query = query or None
        terms = parse_query(query).terms() if query else []
        self._pattern = terms_pattern(terms)
        self._invalidate()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "prev_match"):
            return bool(self.search_query)
        return True

    @work(thread=True, group="transcript-open", exclusive=True, exit_on_error=False)
    def _load_session(self, session_id: str, seq: int | None, generation: int) -> None:
        db = self.db
        if db is None:
            return
        try:
            info = db.session(session_id)
            total = db.message_count(session_id)
            if seq is None:
                start, stop = 0, WINDOW_AFTER
            elif seq < 0:
                start, stop = max(0, total - WINDOW_AFTER), total
            else:
                start, stop = max(0, seq - WINDOW_BEFORE), seq + WINDOW_AFTER
            messages = db.messages(session_id, start, stop)
            calls = db.tool_calls(session_id, start, stop) if total > CALLS_LIMIT else None
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.post_message(SessionOpened(generation, info, total))
        self.post_message(MessagesLoaded(generation, start, stop, messages, total, calls))

    @work(thread=True, group="transcript-calls", exclusive=True, exit_on_error=False)
    def _load_calls(self, session_id: str, generation: int) -> None:
        db = self.db
        if db is None:
            return
        try:
            # the whole-session tool-call map reads every call of the session: very long sessions
            # get theirs with each window of messages instead (see _load_window)
            big = db.message_count(session_id) > CALLS_LIMIT
            calls = {} if big else db.tool_calls(session_id)
            children = db.sessions(limit=None, parent=session_id, order="started")
        except StoreError:
            return
        children.sort(key=lambda c: (c.started_at or "", c.id))
        self.post_message(ToolCallsLoaded(generation, calls, children))

    @work(thread=True, group="transcript-matches", exclusive=True, exit_on_error=False)
    def _load_matches(
        self, session_id: str, query: str, generation: int, offset: int = 0, pages: int = 1
    ) -> None:
        db = self.db
        if db is None:
            return
        seqs: list[int] = []
        complete = False
        try:
            for page in range(pages):
                hits = db.search(
                    query,
                    limit=MATCH_PAGE,
                    offset=offset + page * MATCH_PAGE,
                    order="seq",
                    session_id=session_id,
                )
                seqs.extend(h.seq for h in hits)
                if len(hits) < MATCH_PAGE:
                    complete = True
                    break
        except StoreError:
            return
        self.post_message(MatchesLoaded(generation, query, seqs, offset, complete))

    @work(thread=True, group="transcript-window", exit_on_error=False)
    def _load_window(self, session_id: str, start: int, stop: int, generation: int) -> None:
        db = self.db
        if db is None:
            return
        try:
            messages = db.messages(session_id, start, stop)
            calls = db.tool_calls(session_id, start, stop) if self.total > CALLS_LIMIT else None
        except StoreError:
            return
        self.post_message(MessagesLoaded(generation, start, stop, messages, -1, calls))

    def on_session_opened(self, message: SessionOpened) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.info = message.info
        if message.info is None:
            self.session_id = None
            self.notify("That session no longer exists.", severity="warning")
            self.close_session()
            return
        self.total = message.total
        self._heights.reset(message.total, self._estimate)
        self._update_title()
        if self._pinned:
            self._anchor = (max(0, self.total - 1), 0)
        self._update_virtual_size()
        self._restore_anchor()

    def on_messages_loaded(self, message: MessagesLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self._pending = [p for p in self._pending if p != (message.first, message.end)]
        if message.total > self.total:
            self._grow(message.total)
        for item in message.messages:
            self._store(item)
        if message.calls:
            self._calls.update(message.calls)
            self._invalidate()
        self._evict()
        self.settle()
        if not self._loaded_once and message.messages:
            self._loaded_once = True
            if self._calibrate():
                self.settle()
        if self._reveal is not None and self._reveal in self._messages:
            seq, self._reveal = self._reveal, None
            self.go_to(seq, reveal=True)
        elif self.cursor is None and message.messages:
            self._place_cursor_at_top()
        self.refresh()

    def on_tool_calls_loaded(self, message: ToolCallsLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        changed = any(self._calls.get(k) != v for k, v in message.calls.items())
        changed = changed or message.children != self._children
        self._calls.update(message.calls)  # windows may have brought theirs already
        self._set_children(message.children)
        if changed:  # a session without tool calls or subagents is not drawn twice
            self._invalidate()
            self.settle()

    def on_matches_loaded(self, message: MatchesLoaded) -> None:
        message.stop()
        if message.generation != self._generation or message.offset != self._match_hits:
            return
        self._match_hits += len(message.seqs)
        self.matches = sorted(set(self.matches).union(message.seqs))
        self._matches_complete = message.complete
        self._matches_loading = False
        self._update_title()
        if self._pending_jump is not None:
            step, self._pending_jump = self._pending_jump, None
            self._jump_match(step)

    def _more_matches(self, *, all_of_them: bool = False) -> None:
        if (
            self._matches_loading
            or self._matches_complete
            or not self.session_id
            or not self.search_query
        ):
            return
        self._matches_loading = True
        pages = MAX_MATCHES // MATCH_PAGE if all_of_them else 1
        self._load_matches(
            self.session_id, self.search_query, self._generation, self._match_hits, pages
        )

    def _set_children(self, children: list[SessionInfo]) -> None:
        self._children = children
        tasks = sorted(
            (
                (info["seq"], use_id)
                for use_id, info in self._calls.items()
                if info["name"] in ("Task", "Agent")
            ),
        )
        mapping: dict[str, SessionInfo] = {}
        unmatched = list(children)
        for _seq, use_id in tasks:
            for child in unmatched:
                meta = child.metadata or {}
                if use_id in {str(v) for v in meta.values() if isinstance(v, (str, int))}:
                    mapping[use_id] = child
                    unmatched.remove(child)
                    break
        for (_seq, use_id), child in zip(
            [t for t in tasks if t[1] not in mapping], unmatched, strict=False
        ):
            mapping[use_id] = child
        self._task_children = mapping

    # -- the message cache ---------------------------------------------------------------------

    def _store(self, message: Message) -> None:
        old = self._messages.get(message.seq)
        self._messages[message.seq] = message
        self._messages.move_to_end(message.seq)
        if old is not None and old.blocks != message.blocks:
            self._rendered.pop(message.seq, None)
        for block in message.blocks:
            kind = block.get("type")
            if kind == "tool_use" and block.get("id"):
                self._local_calls[str(block["id"])] = message.seq
                if block.get("name") in ("Task", "Agent"):
                    self._local_tasks.add(str(block["id"]))
            elif kind == "tool_result" and block.get("tool_use_id"):
                use_id = str(block["tool_use_id"])
                had = use_id in self._results
                self._results[use_id] = (message.seq, block)
                call_seq = self._call_seq(use_id)
                if call_seq is not None and not had:
                    self._rendered.pop(call_seq, None)

    def _evict(self) -> None:
        if len(self._messages) <= MAX_MESSAGES:
            return
        center = self._anchor[0]
        far = sorted(self._messages, key=lambda s: -abs(s - center))
        for seq in far[: len(self._messages) - MAX_MESSAGES]:
            message = self._messages.pop(seq)
            self._rendered.pop(seq, None)
            for block in message.blocks:
                if block.get("type") == "tool_result" and block.get("tool_use_id"):
                    self._results.pop(str(block["tool_use_id"]), None)

    def _grow(self, total: int) -> None:
        if total <= self.total:
            return
        self._heights.extend(total, self._estimate)
        self.total = total
        self._update_virtual_size()

    def _calibrate(self) -> bool:
        """Estimate unseen messages from the ones rendered so far (once per session).

        Returns True when the estimate changed (the caller settles again)."""
        heights = [r.height for r in self._rendered.values() if r.height]
        if not heights:
            return False
        estimate = max(2, min(40, round(sum(heights) / len(heights))))
        if estimate == self._estimate:
            return False
        self._estimate = estimate
        known = {seq: r.height for seq, r in self._rendered.items() if seq < self.total}
        self._heights.reset(self.total, estimate)
        for seq, height in known.items():
            self._heights.set(seq, height)
        return True

    def _request(self, seq: int) -> None:
        """Fetch the window around `seq` unless it is already on its way."""
        if self.session_id is None or seq < 0 or seq >= self.total:
            return
        for start, stop in self._pending:
            if start <= seq < stop:
                return
        start = max(0, seq - WINDOW_BEFORE)
        stop = min(self.total, seq + WINDOW_AFTER)
        self._pending.append((start, stop))
        self._load_window(self.session_id, start, stop, self._generation)

    # -- rendering -----------------------------------------------------------------------------

    def _call_seq(self, use_id: str) -> int | None:
        if use_id in self._local_calls:
            return self._local_calls[use_id]
        info = self._calls.get(use_id)
        return info["seq"] if info else None

    def _result_for(self, use_id: str) -> tuple[dict[str, Any] | None, bool | None]:
        found = self._results.get(use_id)
        info = self._calls.get(use_id)
        is_error = info.get("is_error") if info else None
        if found is not None:
            block = found[1]
            if is_error is None:
                is_error = bool(block.get("is_error"))
            return block, is_error
        if info and info.get("result_seq") is not None and self.session_id:
            result_seq = info["result_seq"]
            if result_seq not in self._messages:
                self._request(result_seq)
        return None, is_error

    def _hidden(self, message: Message) -> bool:
        """A tool message whose every result is shown under its call is not drawn on its own."""
        if message.role != "tool" or not message.blocks:
            return False
        for block in message.blocks:
            if block.get("type") != "tool_result":
                return False
            call_seq = self._call_seq(str(block.get("tool_use_id") or ""))
            if call_seq is None or call_seq >= message.seq:
                return False
        return True

    def is_open(self, seq: int, block: int, kind: str) -> bool:
        default = self.reasoning_open if kind == "reasoning" else self.tools_open
        return default != ((seq, block) in self._toggled)

    def _child_for(self, use_id: str) -> SessionInfo | None:
        child = self._task_children.get(use_id)
        if (
            child is None
            and not self._calls
            and len(self._children) == 1
            and use_id in self._local_tasks
        ):
            child = self._children[0]  # a long session without the call map: its only subagent
        return child

    def _child_title(self, use_id: str) -> str | None:
        child = self._child_for(use_id)
        return (child.title or child.id) if child else None

    def _message_context(self, width: int, seq: int) -> Context:
        return Context(
            width=width,
            tz=self.tz,
            cwd=self.info.cwd if self.info else None,
            is_open=self.is_open,
            result_for=self._result_for,
            child_for=self._child_title,
            hidden=self._hidden,
            pattern=self._pattern,
            current_match=self.current_match == seq,
        )

    def _render_message(self, seq: int, width: int | None = None) -> Rendered | None:
        """The rendered lines of message `seq` (None when it is not loaded yet)."""
        width = width or self.content_width
        key = (width, self._version, self.current_match == seq)
        cached = self._rendered.get(seq)
        if cached is not None and cached.key == key:
            self._rendered.move_to_end(seq)
            return cached
        message = self._messages.get(seq)
        if message is None:
            return None
        rendered = self.renderer().render(message, self._message_context(width, seq))
        rendered.key = key
        self._rendered[seq] = rendered
        if len(self._rendered) > MAX_RENDERED:
            self._rendered.popitem(last=False)
        if seq < len(self._heights):
            self._heights.set(seq, rendered.height)
        return rendered

    def _invalidate(self) -> None:
        self._version += 1
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(
            0, self._heights.total if self.session_id else len(self._placeholder)
        )

    def on_resize(self, _event: events.Resize) -> None:
        if self.content_width != self._width:
            self._width = self.content_width
            self._invalidate()
        self.settle()

    def settle(self, *, ahead: bool = False) -> None:
        """Render the messages in the viewport, then put the reader back at the anchor.

        The messages just above and below (a screen each way) are rendered in a second pass
        after the frame is drawn (`ahead`), so that scrolling into them does not jump."""
        if self.session_id is None or not self.total or not self.size.height:
            return
        width = self.content_width
        height = self.view_height
        margin = height if ahead else 0
        missing: list[int] = []

        def cover(seq: int, step: int, lines: int, start: int = 0) -> None:
            covered = start
            while 0 <= seq < self.total and covered < lines:
                rendered = self._render_message(seq, width)
                if rendered is None:
                    missing.append(seq)
                    covered += self._heights[seq]
                else:
                    covered += rendered.height
                seq += step

        if self._pinned:
            self._anchor = (self.total - 1, 0)
            cover(self.total - 1, -1, height + margin)
        else:
            seq, offset = self._anchor
            seq = min(seq, self.total - 1)
            cover(seq, 1, height + margin, -offset)
            if margin:
                cover(seq - 1, -1, margin)
        if missing:
            self._request(min(missing) if not self._pinned else max(missing))
            if max(missing) - min(missing) > WINDOW_AFTER:
                self._request(max(missing))
        self._update_virtual_size()
        self._restore_anchor()
        self.refresh()
        if not ahead and not self._ahead_scheduled:
            self._ahead_scheduled = True

            def run_ahead() -> None:
                self._ahead_scheduled = False
                self.settle(ahead=True)

            self.call_after_refresh(run_ahead)

    def _schedule_settle(self) -> None:
        if not self._settle_scheduled:
            self._settle_scheduled = True

            def run() -> None:
                self._settle_scheduled = False
                self.settle()

            self.call_later(run)

    def _set_scroll(self, y: float) -> None:
        self._adjusting = True
        try:
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
        finally:
            self._adjusting = False

    def _restore_anchor(self) -> None:
        if self._pinned:
            self._set_scroll(max(0, self._heights.total - self.view_height))
        else:
            seq, offset = self._anchor
            self._set_scroll(self._heights.offset(seq) + offset)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._adjusting or self.session_id is None:
            return
        self._anchor = self._heights.locate(round(new_value))
        self._pinned = round(new_value) >= self.max_scroll_y and new_value > 0
        self._schedule_settle()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width <= 0:
            return Strip.blank(0)
        absolute = round(self.scroll_y) + y
        if self.session_id is None:
            if absolute < len(self._placeholder):
                return text_strip(self._placeholder[absolute], width, self.app.console).apply_style(
                    self.rich_style
                )
            return Strip.blank(width, self.rich_style)
        if not self.total:
            if absolute == 0 and self.info is not None:
                style = self.get_component_rich_style("transcript--placeholder")
                return text_strip(
                    Text("  (no messages yet)", style), width, self.app.console
                ).apply_style(self.rich_style)
            return Strip.blank(width, self.rich_style)
        seq, line = self._heights.locate(absolute)
        if seq >= self.total:
            return Strip.blank(width, self.rich_style)
        rendered = self._rendered.get(seq)
        key = (self.content_width, self._version, self.current_match == seq)
        if rendered is None or rendered.key != key:
            if seq in self._messages:
                self._schedule_settle()
            else:
                self._request(seq)
            rendered = rendered if rendered is not None and rendered.key[0] == key[0] else None
        if rendered is None or line >= rendered.height:
            if rendered is None and line == 0:
                style = self.get_component_rich_style("transcript--placeholder")
                return text_strip(Text(f"  … #{seq}", style), width, self.app.console).apply_style(
                    self.rich_style
                )
            return Strip.blank(width, self.rich_style)
        strip = rendered.lines[line]
        if self.cursor is not None and self.cursor[0] == seq:
            items = rendered.items
            index = self.cursor[1]
            if index < len(items) and items[index].line == line:
                name = "transcript--cursor" if self.has_focus else "transcript--cursor-blur"
                strip = strip.apply_style(self.get_component_rich_style(name))
        return strip.crop_extend(0, width, None).apply_style(self.rich_style)

    # -- title ---------------------------------------------------------------------------------

    def _update_title(self) -> None:
        info = self.info
        if info is None:
            return
        # the id is as untrusted as the title (it comes from the transcript): both are made
        # inert; Text, never a str: a str border title is parsed as markup (a title like
        # `[/bold]` would crash the app, `[@click=…]` would become a live action)
        self.border_title = safe_text(inert(info.title) or inert(info.id) or "(untitled)")
        parts = [inert(info.source, 40)]
        if info.model:
            parts.append(inert(info.model, 80))
        parts.append(f"{self.total} msg")
        if info.variant:
            parts.append(f"experiment #{info.experiment_id} · {inert(info.variant, 40)}")
        if info.parent_session_id:
            parts.append("subagent · u: parent")
        if self.search_query and self.matches:
            count = len(self.matches)
            more = "" if self._matches_complete else "+"
            if self.current_match is not None and self.current_match in self.matches:
                where = self.matches.index(self.current_match) + 1
                parts.append(f"match {where}/{count}{more} · n/N")
            else:
                parts.append(f"{count}{more} match{'es' if count != 1 else ''} · n/N")
        elif self.search_query:
            parts.append("no matches here")
        self.border_subtitle = safe_text(" · ".join(parts), limit=400)

    # -- moving --------------------------------------------------------------------------------

    def _place_cursor_at_top(self) -> None:
        seq = self._anchor[0]
        for s in range(seq, min(self.total, seq + 50)):
            rendered = self._render_message(s)
            if rendered is None:
                return
            if rendered.items:
                self.cursor = (s, 0)
                return

    def item_at_cursor(self) -> tuple[int, Item, Rendered] | None:
        if self.cursor is None:
            return None
        seq, index = self.cursor
        rendered = self._render_message(seq)
        if rendered is None or index >= len(rendered.items):
            return None
        return seq, rendered.items[index], rendered

    def _move(self, step: int) -> None:
        if self.session_id is None or not self.total:
            return
        if self.cursor is None or not self._cursor_visible():
            self._place_cursor_at_top()
            self._reveal_cursor()
            self.refresh()
            return
        seq, index = self.cursor
        rendered = self._render_message(seq)
        if rendered is not None and 0 <= index + step < len(rendered.items):
            self.cursor = (seq, index + step)
        else:
            s = seq + step
            while 0 <= s < self.total:
                target = self._render_message(s)
                if target is None:
                    self._request(s)
                    return
                if target.items:
                    self.cursor = (s, 0 if step > 0 else len(target.items) - 1)
                    break
                s += step
        self._reveal_cursor()
        self.refresh()

    def _cursor_visible(self) -> bool:
        found = self.item_at_cursor()
        if found is None:
            return False
        seq, item, _rendered = found
        y = self._heights.offset(seq) + item.line
        return self.scroll_y <= y < self.scroll_y + self.view_height

    def _reveal_cursor(self) -> None:
        found = self.item_at_cursor()
        if found is None:
            return
        seq, item, _rendered = found
        y = self._heights.offset(seq) + item.line
        height = self.view_height
        if y < self.scroll_y:
            self._pinned = False
            self._anchor = (seq, item.line)
        elif y + 1 > self.scroll_y + height:
            self._pinned = False
            self._anchor = self._heights.locate(y - height + 1)
        else:
            return
        self.settle()

    def go_to(self, seq: int, *, reveal: bool = False) -> None:
        """Put message `seq` a few lines below the top, cursor on its header (or revealed item)."""
        if self.session_id is None or not self.total:
            return
        seq = max(0, min(self.total - 1, seq))
        if seq not in self._messages:
            self._reveal = seq if reveal else None
            self._anchor = (seq, 0)
            self._pinned = False
            self._request(seq)
            self.settle()
            return
        target_seq, item_index = seq, 0
        if reveal and self._pattern is not None:
            target_seq, item_index = self._reveal_match(seq)
        self._pinned = False
        self.cursor = (target_seq, item_index)
        rendered = self._render_message(target_seq)
        line = (
            rendered.items[item_index].line if rendered and item_index < len(rendered.items) else 0
        )
        if reveal and rendered is not None and self._pattern is not None:
            # put the first highlighted line in view, not only the top of the message
            for number in range(line, rendered.height):
                if self._pattern.search(rendered.lines[number].text):
                    if number - line > self.view_height // 2:
                        line = number - self.view_height // 3
                    break
        y = self._heights.offset(target_seq) + line
        self._anchor = self._heights.locate(max(0, y - 2))
        self.settle()

    def _reveal_match(self, seq: int) -> tuple[int, int]:
        """Unfold what holds the match in message `seq`; (seq, item) to put the cursor on."""
        message = self._messages[seq]
        assert self._pattern is not None
        found = message_has_term(message, self._pattern)
        target = (seq, -1)
        if self._hidden(message):
            for block in message.blocks:
                use_id = str(block.get("tool_use_id") or "")
                call_seq = self._call_seq(use_id)
                if call_seq is None:
                    continue
                call = self._messages.get(call_seq)
                if call is None:
                    self._request(call_seq)
                    continue
                for index, candidate in enumerate(call.blocks):
                    if candidate.get("type") == "tool_use" and str(candidate.get("id")) == use_id:
                        if not self.is_open(call_seq, index, "tool"):
                            self._toggled ^= {(call_seq, index)}
                        self._rendered.pop(call_seq, None)
                        if target[1] == -1:
                            target = (call_seq, index)
            if target[1] == -1:
                return seq, 0
        else:
            for index, kind in sorted(found):
                if not self.is_open(seq, index, kind):
                    self._toggled ^= {(seq, index)}
                if target[1] == -1:
                    target = (seq, index)
            self._rendered.pop(seq, None)
        target_seq, block = target
        rendered = self._render_message(target_seq)
        if rendered is None:
            return target_seq, 0
        if block >= 0:
            for i, item in enumerate(rendered.items):
                if item.block == block:
                    return target_seq, i
        return target_seq, 0

    # -- actions -------------------------------------------------------------------------------

    def action_next_item(self) -> None:
        self._move(1)

    def action_prev_item(self) -> None:
        self._move(-1)

    def action_go_start(self) -> None:
        if self.session_id is None:
            return
        self._pinned = False
        self._anchor = (0, 0)
        self.cursor = None
        self.settle()
        self._place_cursor_at_top()
        self.refresh()

    def action_go_end(self) -> None:
        if self.session_id is None:
            return
        self._pinned = True
        self.settle()
        last = self.total - 1
        rendered = self._render_message(last)
        if rendered is not None:
            s = last
            while s >= 0:
                r = self._render_message(s)
                if r is None:
                    break
                if r.items:
                    self.cursor = (s, 0)
                    break
                s -= 1
        self.refresh()

    def action_activate(self) -> None:
        """Enter: open a subagent from its `Task` line, else fold/unfold what is under the cursor."""
        found = self.item_at_cursor()
        if found is None:
            self._move(1)
            return
        _seq, item, _rendered = found
        if (
            item.kind == "tool"
            and item.tool_use_id
            and self._child_for(item.tool_use_id) is not None
        ):
            self.action_open_subagent()
            return
        self.action_toggle_item()

    def action_toggle_item(self) -> None:
        found = self.item_at_cursor()
        if found is None:
            return
        seq, item, _rendered = found
        if item.kind == "header":
            return
        self._toggled ^= {(seq, item.block)}
        self._rendered.pop(seq, None)
        self.settle()
        self._reveal_cursor()
        if self.is_open(seq, item.block, item.kind):
            self._show_item_body()

    def _show_item_body(self) -> None:
        """After unfolding: scroll so the unfolded lines are in view (the item line first)."""
        found = self.item_at_cursor()
        if found is None:
            return
        seq, item, _rendered = found
        top = self._heights.offset(seq) + item.line
        bottom = top + item.height
        height = self.view_height
        if bottom <= self.scroll_y + height:
            return
        self._pinned = False
        target = top if item.height >= height else bottom - height
        self._anchor = self._heights.locate(max(0, target))
        self.settle()

    def action_toggle_tools(self) -> None:
        self.tools_open = not self.tools_open
        self._toggled = {k for k in self._toggled if not self._is_kind(k, "tool", "result")}
        self._invalidate()
        self.settle()
        self.notify(
            "Tool calls expanded." if self.tools_open else "Tool calls folded.", timeout=1.5
        )

    def action_toggle_reasoning(self) -> None:
        self.reasoning_open = not self.reasoning_open
        self._toggled = {k for k in self._toggled if not self._is_kind(k, "reasoning")}
        self._invalidate()
        self.settle()
        self.notify("Reasoning shown." if self.reasoning_open else "Reasoning folded.", timeout=1.5)

    def _is_kind(self, key: tuple[int, int], *kinds: str) -> bool:
        message = self._messages.get(key[0])
        if message is None or key[1] >= len(message.blocks):
            return True
        kind = message.blocks[key[1]].get("type")
        mapping = {"tool_use": "tool", "tool_result": "result", "thinking": "reasoning"}
        return mapping.get(str(kind), "") in kinds

    def action_next_match(self) -> None:
        self._jump_match(1)

    def action_prev_match(self) -> None:
        self._jump_match(-1)

    def _jump_match(self, step: int) -> None:
        if not self.search_query:
            self.notify("No search yet: press / to search.", timeout=2)
            return
        if not self.matches:
            if self._matches_loading:
                self._pending_jump = step
                return
            self.notify("No match in this session.", timeout=2)
            return
        here = self.cursor[0] if self.cursor else self._anchor[0]
        if self.current_match is not None:
            here = self.current_match
        if step > 0:
            after = [s for s in self.matches if s > here]
            if not after and not self._matches_complete:
                self._pending_jump = step
                self._more_matches()
                return
            target = after[0] if after else self.matches[0]
            wrapped = not after
        else:
            before = [s for s in self.matches if s < here]
            if not before and not self._matches_complete:
                self._pending_jump = step  # wrapping to the last match: fetch the rest first
                self._more_matches(all_of_them=True)
                return
            target = before[-1] if before else self.matches[-1]
            wrapped = not before
        self.current_match = target
        if wrapped and len(self.matches) > 1:
            self.notify("Search wrapped.", timeout=1.5)
        self._update_title()
        self.go_to(target, reveal=True)

    def focused_message(self) -> Message | None:
        if self.cursor is not None:
            return self._messages.get(self.cursor[0])
        return self._messages.get(self._anchor[0])

    def action_copy_message(self) -> None:
        message = self.focused_message()
        if message is None:
            self.notify("No message to copy.", timeout=2)
            return
        self.app.copy_to_clipboard(message_markdown(message))
        self.notify(f"Copied message #{message.seq} to the clipboard.", timeout=2)

    def child_at_cursor(self) -> SessionInfo | None:
        found = self.item_at_cursor()
        if found is not None and found[1].tool_use_id:
            return self._child_for(found[1].tool_use_id)
        return None

    def action_open_subagent(self) -> None:
        child = self.child_at_cursor()
        if child is None and len(self._children) == 1:
            child = self._children[0]
        if child is None:
            self.notify("Put the cursor on a Task line to open its subagent.", timeout=2)
            return
        self.post_message(OpenSession(child.id))

    def action_open_parent(self) -> None:
        if self.info is not None and self.info.parent_session_id:
            self.post_message(OpenSession(self.info.parent_session_id))

    def key_escape(self) -> None:
        self.post_message(self.Back())

    # -- mouse ---------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if self.session_id is None:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.focus()
        seq, line = self._heights.locate(round(self.scroll_y) + offset.y)
        rendered = self._render_message(seq)
        if rendered is None:
            return
        for index, item in enumerate(rendered.items):
            if item.line <= line < item.line + max(1, item.height):
                self.cursor = (seq, index)
                if item.line == line and item.kind != "header":
                    self.action_activate()
                self.refresh()
                return

    # -- live follow ---------------------------------------------------------------------------

    def follow(self) -> None:
        """The store changed: fetch what grew (new messages, a replaced last message), and when
        the session's row changed, re-read the messages around the reader to catch rewrites."""
        if self.session_id is None:
            return
        first, stop = self._visible_range()
        self._follow(self.session_id, self.total, first, stop, self._generation)

    def _visible_range(self) -> tuple[int, int]:
        """Seqs [first, stop) on screen, with a margin each way."""
        if not self.total:
            return 0, 0
        y = round(self.scroll_y)
        top = self._heights.locate(y)[0]
        bottom = self._heights.locate(y + self.view_height)[0]
        return max(0, min(top, self.total - 1) - FOLLOW_MARGIN), min(
            self.total, bottom + 1 + FOLLOW_MARGIN
        )

    @work(thread=True, group="transcript-follow", exclusive=True, exit_on_error=False)
    def _follow(self, session_id: str, known: int, first: int, stop: int, generation: int) -> None:
        db = self.db
        if db is None:
            return
        window: list[Message] | None = None
        try:
            info = db.session(session_id)
            total = db.message_count(session_id)
            start = max(0, known - 1, total - WINDOW_AFTER)  # a burst: the tail is what matters
            messages = db.messages(session_id, start, total) if total > start else []
            if info is not None:
                # a rewrite (db.save with other or fewer messages) need not move the session's
                # row or count: read what the reader sees again (a screenful), so the UI can
                # compare it with what it shows
                span = stop - first
                stop = min(stop, total)
                first = max(0, min(first, stop - span))
                window = db.messages(session_id, first, stop) if stop > first else []
            children = db.sessions(limit=None, parent=session_id, order="started") if info else []
        except StoreError:
            return
        children.sort(key=lambda c: (c.started_at or "", c.id))
        self.post_message(
            TranscriptGrew(
                generation,
                info,
                total,
                start,
                messages,
                known=known,
                window_start=first,
                window_stop=stop,
                window=window,
            )
        )
        if info is not None and len(children) != len(self._children):
            self._load_calls(session_id, generation)

    def on_transcript_grew(self, message: TranscriptGrew) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if message.info is None:
            self.notify("The open session was deleted.", severity="warning")
            self.close_session()
            return
        self.info = message.info
        if message.total < self.total or self._rewritten(message):
            self._reload(message)
            return
        was_pinned = self._pinned or self.scroll_y >= self.max_scroll_y
        self._grow(message.total)
        tail_known = message.start in self._messages or message.start == 0
        for item in message.messages:
            if tail_known or item.seq in self._messages:
                self._store(item)
        self._pinned = was_pinned
        self._update_title()
        self.settle()

    def _rewritten(self, message: TranscriptGrew) -> bool:
        """True when a message the reader has loaded (other than the last, which may be
        replaced while it streams) differs from what the store holds now, or is gone."""
        if message.window is None:
            return False
        fetched = {m.seq: m for m in message.window}
        for seq in range(message.window_start, min(message.window_stop, message.known - 1)):
            old = self._messages.get(seq)
            if old is None:
                continue
            new = fetched.get(seq)
            if new is None or new.id != old.id or new.blocks != old.blocks:
                return True
        return False

    def _reload(self, message: TranscriptGrew) -> None:
        """The session was rewritten: drop every cached message and read the place again,
        keeping the reader at the same message (or the last one, if the session shrank)."""
        was_pinned = self._pinned or self.scroll_y >= self.max_scroll_y
        self._generation += 1  # windows on their way hold the old content
        generation = self._generation
        self._drop_loaded()
        total = message.total
        if total < self.total:
            self._heights.reset(total, self._estimate)
        else:
            self._heights.extend(total, self._estimate)
        self.total = total
        seq, offset = self._anchor
        if seq >= total:
            self._anchor = (max(0, total - 1), 0)
        else:
            self._anchor = (seq, offset)
        self._pinned = was_pinned
        if self.cursor is not None and self.cursor[0] >= total:
            self.cursor = None
        if self.current_match is not None and self.current_match >= total:
            self.current_match = None
        for item in (message.window or []) + message.messages:
            if item.seq < total:
                self._store(item)
        self._update_virtual_size()
        assert self.session_id is not None
        self._load_calls(self.session_id, generation)
        if self.search_query:
            self.matches = []
            self._match_hits = 0
            self._matches_complete = False
            self._matches_loading = True
            self._load_matches(self.session_id, self.search_query, generation)
        self._update_title()
        self._invalidate()
        self.settle()
        if self.cursor is None and self.total:
            self._place_cursor_at_top()
        self._restore_anchor()
