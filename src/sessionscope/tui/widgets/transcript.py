"""The transcript: a windowed, line-API view of one session of any length.

Three layers, one class each: `TranscriptViewport` (transcript_viewport.py) draws the loaded
window and keeps the reader's place, `TranscriptReader` (transcript_reader.py) adds the cursor,
folds and keys, and `Transcript` here opens sessions, takes in what the loader read and follows
the session live. What is loaded lives in a `TranscriptWindow` (`tui/transcript/window.py`), the
search matches in a `MatchCursor` (`tui/transcript/matches.py`); both are Textual-free.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message as TextualMessage

from ...store.models import Message
from ..messages import (
    MatchesLoaded,
    MessagesLoaded,
    SessionOpened,
    ToolCallsLoaded,
    TranscriptGrew,
)
from ..render import Rendered
from ..scrollsize import set_virtual_size
from ..transcript.matches import MatchCursor
from ..transcript.window import FOLLOW_MARGIN, TranscriptWindow
from .transcript_reader import TranscriptReader

__all__ = ["Transcript"]


class Transcript(TranscriptReader, can_focus=True):
    """One session's messages, role-coloured, with folded tool calls and reasoning."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j", "next_item", "Next", show=False, tooltip="next message, tool call or reasoning"
        ),
        Binding("k", "prev_item", "Prev", show=False, tooltip="previous item"),
        Binding("b", "page_up", "Page up", show=False, tooltip="a page up (as in less)"),
        Binding("g,home", "go_start", "Top", show=False, tooltip="start (instant, any length)"),
        Binding("G,end", "go_end", "End", show=False, tooltip="end (instant, any length)"),
        Binding(
            "enter",
            "activate",
            "Expand",
            tooltip="expand a tool call; on a Task line, open its subagent",
        ),
        Binding(
            "space",
            "toggle_item",
            "Fold",
            show=False,
            tooltip="fold / unfold what is under the cursor",
        ),
        Binding("t", "toggle_tools", "Tools", tooltip="expand or fold every tool call"),
        Binding("r", "toggle_reasoning", "Reasoning", show=False, tooltip="show or fold reasoning"),
        Binding("n", "next_match", "Next match", tooltip="next search match"),
        Binding("N", "prev_match", "Prev match", show=False, tooltip="previous search match"),
        Binding(
            "y",
            "copy_block",
            "Copy",
            show=False,
            tooltip="copy the code block, command or tool output under the cursor (else the message)",
        ),
        Binding(
            "o",
            "open",
            "Open",
            show=False,
            tooltip="open the file under the cursor in $VISUAL/$EDITOR (on a Task line: its subagent)",
        ),
        Binding(
            "u",
            "open_parent",
            "Parent",
            show=False,
            tooltip="a subagent: go to its parent session (else usage)",
        ),
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

    # -- opening -------------------------------------------------------------------------------

    def open(self, session_id: str, seq: int | None = None, query: str | None = None) -> None:
        """Show a session, at message `seq` (negative: from the end), with `query` highlighted."""
        self._generation += 1
        self.window = TranscriptWindow[Rendered](session_id)
        self._toggled.clear()
        self.cursor = None
        current = seq if query and seq is not None and seq >= 0 else None
        self.match_cursor = MatchCursor(current=current)
        self.match_cursor.loading = bool(query)
        self.set_query(query)
        self._pinned = seq is not None and seq < 0
        self._anchor = (max(0, seq or 0), 0)
        self._reveal = seq if seq is not None and seq >= 0 and query else None
        set_virtual_size(self, Size(0, 0))
        self._set_scroll(0)
        self.border_title = "Transcript"
        self.border_subtitle = ""
        self.refresh()
        generation = self._generation
        self.loader.open(session_id, seq, generation)
        if self.search_query:
            self.loader.matches(session_id, self.search_query, generation)

    def close_session(self) -> None:
        self._generation += 1
        self.window = TranscriptWindow[Rendered]()
        self.cursor = None
        set_virtual_size(self, Size(0, len(self._placeholder)))
        self._set_scroll(0)
        self.border_title = "Transcript"
        self.border_subtitle = ""
        self.refresh()

    def set_query(self, query: str | None) -> None:
        """Highlight the positive terms of `query` (the search language) in the transcript."""
        self.match_cursor.set_query(query)
        self._invalidate()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "prev_match"):
            return bool(self.search_query)
        if action == "open_parent":  # a session with no parent: `u` is the screen's usage
            return self.info is not None and bool(self.info.parent_session_id)
        return True

    def key_escape(self) -> None:
        self.post_message(self.Back())

    # -- what the loader read ------------------------------------------------------------------

    def on_session_opened(self, message: SessionOpened) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        window = message.window
        if window.info is None:
            self.window.session_id = None
            self.notify("That session no longer exists.", severity="warning")
            self.close_session()
            return
        self.window.opened(window.info, window.total)
        self._update_title()
        if self._pinned:
            self._anchor = (max(0, self.total - 1), 0)
        self._update_virtual_size()
        self._restore_anchor()
        # the tool calls first, so that the first messages are drawn once, with their results
        self.window.take_calls(window.calls or {}, window.children or [])
        self._take_messages(window.messages, None)

    def on_messages_loaded(self, message: MessagesLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.window.arrived(message.first, message.end)
        self._take_messages(message.window.messages, message.window.calls)

    def _take_messages(
        self, messages: list[Message], calls: dict[str, dict[str, Any]] | None
    ) -> None:
        for item in messages:
            self.window.store(item)
        if calls:
            self.window.calls.update(calls)
            self._invalidate()
        self.window.evict(self._anchor[0])
        self.settle()
        if not self.window.loaded_once and messages:
            self.window.loaded_once = True
            if self.window.calibrate():
                self.settle()
        if self._reveal is not None and self._reveal in self.window.messages:
            seq, self._reveal = self._reveal, None
            self.go_to(seq, reveal=True)
        elif self.cursor is None and messages:
            self._place_cursor_at_top()
        self.refresh()

    def on_tool_calls_loaded(self, message: ToolCallsLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        window = message.window
        if self.window.take_calls(window.calls or {}, window.children or []):
            # a session without tool calls or subagents is not drawn twice
            self._invalidate()
            self.settle()

    def on_matches_loaded(self, message: MatchesLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if not self.match_cursor.arrived(message.offset, message.seqs, message.complete):
            return
        self._update_title()
        step = self.match_cursor.take_pending()
        if step is not None:
            self._jump_match(step)

    # -- live follow ---------------------------------------------------------------------------

    def follow(self) -> None:
        """The store changed: fetch what grew (new messages, a replaced last message), and when
        the session's row changed, re-read the messages around the reader to catch rewrites."""
        if self.session_id is None:
            return
        first, stop = self._visible_range()
        self.loader.follow(self.session_id, self.total, first, stop, self._generation)

    def _visible_range(self) -> tuple[int, int]:
        """Seqs [first, stop) on screen, with a margin each way."""
        if not self.total:
            return 0, 0
        y = round(self.scroll_y)
        top = self.window.heights.locate(y)[0]
        bottom = self.window.heights.locate(y + self.view_height)[0]
        return max(0, min(top, self.total - 1) - FOLLOW_MARGIN), min(
            self.total, bottom + 1 + FOLLOW_MARGIN
        )

    def on_transcript_grew(self, message: TranscriptGrew) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        window = message.window
        if window.info is None:
            self.notify("The open session was deleted.", severity="warning")
            self.close_session()
            return
        self.window.info = window.info
        if window.total < self.total or self.window.rewritten(
            window.messages, window.start, window.stop, message.known
        ):
            self._reload(message)
            return
        if len(window.children or []) != len(self.window.children) and self.session_id:
            self.loader.calls(self.session_id, self._generation)  # a subagent started or went
        was_pinned = self._pinned or self.scroll_y >= self.max_scroll_y
        if self.window.grow(window.total):
            self._update_virtual_size()
        tail_known = window.tail_start in self.window.messages or window.tail_start == 0
        for item in window.tail:
            if tail_known or item.seq in self.window.messages:
                self.window.store(item)
        self._pinned = was_pinned
        self._update_title()
        self.settle()

    def _reload(self, message: TranscriptGrew) -> None:
        """The session was rewritten: drop every cached message and read the place again,
        keeping the reader at the same message (or the last one, if the session shrank)."""
        was_pinned = self._pinned or self.scroll_y >= self.max_scroll_y
        self._generation += 1  # windows on their way hold the old content
        generation = self._generation
        self.window.drop_loaded()
        total = message.window.total
        self.window.resize(total)
        seq, offset = self._anchor
        if seq >= total:
            self._anchor = (max(0, total - 1), 0)
        else:
            self._anchor = (seq, offset)
        self._pinned = was_pinned
        if self.cursor is not None and self.cursor[0] >= total:
            self.cursor = None
        if self.current_match is not None and self.current_match >= total:
            self.match_cursor.current = None
        for item in message.window.messages + message.window.tail:
            if item.seq < total:
                self.window.store(item)
        self._update_virtual_size()
        assert self.session_id is not None
        self.loader.calls(self.session_id, generation)
        if self.search_query:
            self.match_cursor.restart()
            self.loader.matches(self.session_id, self.search_query, generation)
        self._update_title()
        self._invalidate()
        self.settle()
        if self.cursor is None and self.total:
            self._place_cursor_at_top()
        self._restore_anchor()
