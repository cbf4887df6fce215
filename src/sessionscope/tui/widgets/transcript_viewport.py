"""The transcript's drawing: a line-API scroll view over the loaded window of a session.

The reader's place is an anchor (message, line within it) that survives heights changing above
it, and a reader at the bottom stays pinned there while the session grows. Messages are
rendered when they come into view (`settle`), and `render_line` only reads what is rendered.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...display import NOTE_MARK, PIN_MARK, money, note_line, tag_list
from ...sanitize import inert
from ..contrast import readable_segments
from ..format import import_issues, short_count
from ..render import Context, MessageRenderer, Rendered, Styles
from ..safe import safe_text
from ..scrollsize import set_virtual_size
from ..transcript.loader import TranscriptLoader
from ..transcript.matches import MatchCursor
from ..transcript.window import WINDOW_AFTER, TranscriptWindow
from .rows import text_strip

if TYPE_CHECKING:
    from ...store import SessionInfo, Store


class TranscriptViewport(ScrollView):
    """Draws the loaded window of one session and keeps the reader's place in it."""

    tools_open: var[bool] = var(False, init=False)
    """Tool calls unfolded by default (`t`)."""
    reasoning_open: var[bool] = var(False, init=False)
    """Reasoning unfolded by default (`r`)."""

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.tz = tz
        self.loader = TranscriptLoader(self)
        self.window: TranscriptWindow[Rendered] = TranscriptWindow()
        self.match_cursor = MatchCursor()
        self._generation = 0  # bumped on every open, close and reload: older results drop
        self.cursor: tuple[int, int] | None = None  # (seq, item) under the cursor
        self._toggled: set[tuple[int, int]] = set()  # (seq, block) folded against the default
        self._anchor: tuple[int, int] = (0, 0)
        self._pinned = False
        self._adjusting = False
        self._settle_scheduled = False
        self._ahead_scheduled = False
        self._reveal: int | None = None  # the match to reveal once its window arrives
        self._version = 0
        self._width = 0
        self._placeholder: list[Text] = []
        self._renderer: MessageRenderer | None = None

    # -- plumbing ------------------------------------------------------------------------------

    def set_store(self, db: Store | None) -> None:
        """The store to read sessions from (None: closed)."""
        self.loader.db = db

    @property
    def session_id(self) -> str | None:
        return self.window.session_id

    @property
    def info(self) -> SessionInfo | None:
        return self.window.info

    @property
    def total(self) -> int:
        return self.window.total

    @property
    def search_query(self) -> str | None:
        return self.match_cursor.query

    @property
    def matches(self) -> list[int]:
        return self.match_cursor.matches

    @property
    def current_match(self) -> int | None:
        return self.match_cursor.current

    @property
    def content_width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    @property
    def view_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _style(self, name: str) -> Style:
        """A component's own style (no background: the cursor's shows through), its colour
        resolved against the transcript's background: `$text-muted` is `auto 60%`, which the
        partial style alone leaves as plain white, undimmed and unreadable in light themes."""
        partial = self.get_component_rich_style(name, partial=True)
        if partial.color is None:
            return partial
        return partial + Style(color=self.get_component_rich_style(name).color)

    def _styles(self) -> Styles:
        get = self._style
        dark = self.app.current_theme.dark
        return Styles(
            roles={
                "user": get("transcript--user"),
                "assistant": get("transcript--assistant"),
                "system": get("transcript--system"),
                "tool": get("transcript--tool"),
            },
            meta=get("transcript--meta"),
            reasoning=get("transcript--reasoning"),
            tool_name=get("transcript--tool-name"),
            tool_arg=get("transcript--tool-arg"),
            error=get("transcript--error"),
            ok=get("transcript--ok"),
            gutter=get("transcript--gutter"),
            match=get("transcript--match"),
            subagent=get("transcript--subagent"),
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
            set_virtual_size(self, Size(0, len(lines)))
            self.refresh()

    def _request(self, seq: int) -> None:
        """Fetch the window around `seq` unless it is already on its way."""
        wanted = self.window.request(seq)
        if wanted is not None and self.session_id is not None:
            start, stop = wanted
            self.loader.window(self.session_id, start, stop, self.total, self._generation)

    # -- rendering -----------------------------------------------------------------------------

    def _result_for(self, use_id: str) -> tuple[dict[str, Any] | None, bool | None]:
        block, is_error, wanted = self.window.result_for(use_id)
        if wanted is not None:
            self._request(wanted)
        return block, is_error

    def is_open(self, seq: int, block: int, kind: str) -> bool:
        if kind == "context":  # injected context stays folded unless opened on purpose
            return (seq, block) in self._toggled
        default = self.reasoning_open if kind == "reasoning" else self.tools_open
        return default != ((seq, block) in self._toggled)

    def _message_context(self, width: int, seq: int) -> Context:
        return Context(
            width=width,
            tz=self.tz,
            cwd=self.info.cwd if self.info else None,
            is_open=self.is_open,
            result_for=self._result_for,
            child_for=self.window.child_title,
            hidden=self.window.hidden,
            pattern=self.match_cursor.pattern,
            current_match=self.current_match == seq,
        )

    def render_message(self, seq: int, width: int | None = None) -> Rendered | None:
        """The rendered lines of message `seq` (None when it is not loaded yet)."""
        width = width or self.content_width
        key = (width, self._version, self.current_match == seq)
        cached = self.window.cached(seq, key)
        if cached is not None:
            return cached
        message = self.window.messages.get(seq)
        if message is None:
            return None
        rendered = self.renderer().render(message, self._message_context(width, seq))
        rendered.key = key
        self.window.remember(seq, rendered)
        return rendered

    def _invalidate(self) -> None:
        self._version += 1
        self.refresh()

    def _update_virtual_size(self) -> None:
        set_virtual_size(
            self,
            Size(0, self.window.heights.total if self.session_id else len(self._placeholder)),
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
        heights = self.window.heights

        def cover(seq: int, step: int, lines: int, start: int = 0) -> None:
            covered = start
            while 0 <= seq < self.total and covered < lines:
                rendered = self.render_message(seq, width)
                if rendered is None:
                    missing.append(seq)
                    covered += heights[seq]
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
        if self.app.animator.is_being_animated(self, "scroll_y"):
            # a keyboard scroll in flight (animations on): its steps move the anchor, and a
            # restore here would cancel it (PageDown moved once, then stuck)
            return
        if self._pinned:
            self._set_scroll(max(0, self.window.heights.total - self.view_height))
        else:
            seq, offset = self._anchor
            self._set_scroll(self.window.heights.offset(seq) + offset)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._adjusting or self.session_id is None:
            return
        self._anchor = self.window.heights.locate(round(new_value))
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
        seq, line = self.window.heights.locate(absolute)
        if seq >= self.total:
            return Strip.blank(width, self.rich_style)
        rendered = self.window.rendered.get(seq)
        key = (self.content_width, self._version, self.current_match == seq)
        if rendered is None or rendered.key != key:
            if seq in self.window.messages:
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
                cursor = self.get_component_rich_style(name)
                if items[index].kind == "code":
                    # a code block draws its own background: mark its first line in the margin
                    strip = Strip.join([Strip([Segment("▶ ", cursor)]), strip.crop(2)])
                else:
                    strip = strip.apply_style(cursor)
        # every colour readable on its background, the cursor's too, in every theme (as the
        # lists do): a theme's success green or the cursor's blue under a role's colour
        strip = strip.crop_extend(0, width, None).apply_style(self.rich_style)
        return Strip(readable_segments(list(strip)), strip.cell_length)

    # -- title ---------------------------------------------------------------------------------

    def _update_title(self) -> None:
        info = self.info
        if info is None:
            return
        # the id is as untrusted as the title (it comes from the transcript): both are made
        # inert; Text, never a str: a str border title is parsed as markup (a title like
        # `[/bold]` would crash the app, `[@click=…]` would become a live action)
        title = inert(info.title) or inert(info.id) or "(untitled)"
        issues = import_issues(info.metadata)
        if issues:  # its import skipped something: said here, what it was said below first
            title += " · ⚠ skipped on import"
        self.border_title = safe_text((f"{PIN_MARK} " if info.pinned else "") + title)
        parts = [inert(info.source, 40)]
        if info.note:  # what the person added first: the subtitle is cut at the pane's width
            parts.insert(0, f"{NOTE_MARK} {note_line(info.note, 60)}")
        if info.tags:
            parts.insert(0, tag_list(info.tags[:20]))
        if issues:
            parts.insert(0, f"⚠ {issues}")
        if info.model:
            parts.append(inert(info.model, 80))
        parts.append(f"{self.total} msg")
        if info.input_tokens or info.output_tokens or info.cache_read_tokens:
            tokens = f"{short_count(info.input_tokens)} in / {short_count(info.output_tokens)} out"
            if info.cache_read_tokens or info.cache_creation_tokens:
                tokens += (
                    f" / cache {short_count(info.cache_read_tokens)} read"
                    f" {short_count(info.cache_creation_tokens)} write"
                )
            parts.append(tokens)
        if info.cost_usd > 0:  # unpriced: no figure rather than `$0.00`
            parts.append(money(info.cost_usd))
        if info.variant:
            parts.append(f"experiment #{info.experiment_id} · {inert(info.variant, 40)}")
        if info.parent_session_id:
            parts.append("subagent · u: parent")
        matches = self.match_cursor.title()
        if matches is not None:
            parts.append(matches)

        self.border_subtitle = safe_text(" · ".join(parts), limit=400)
