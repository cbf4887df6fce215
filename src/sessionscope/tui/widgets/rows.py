"""A line-API list of fixed-height rows with a cursor: the base of the session and hit lists.

Only the rows on screen are drawn, so a list of 50,000 rows costs what a list of 50 does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...sanitize import clean_line, is_clean
from ..contrast import readable_segments
from ..scrollsize import set_virtual_size


def text_strip(text: Text, width: int, console) -> Strip:  # type: ignore[no-untyped-def]
    """One line of `text`, cut with an ellipsis or padded to `width` cells.

    A last guard: a segment that is not printable (a row built without `sanitize`) is cleaned."""
    line = text.copy()
    line.no_wrap = True
    if len(line) > width * 4:  # never measure more than could be shown
        line = line[: width * 4]
    if line.cell_len > width:
        line.truncate(width, overflow="ellipsis")
    segments = [
        s if is_clean(s.text) else Segment(clean_line(s.text), s.style)
        for s in line.render(console, end="")
        if s.text
    ]
    return Strip(segments).adjust_cell_length(width)


class RowList(ScrollView, can_focus=True):
    """Rows of `ROW_HEIGHT` lines; subclasses give `row_count()` and `render_row()`."""

    ROW_HEIGHT = 2

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="move down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="move up"),
        Binding("g,home", "cursor_first", "Top", show=False, tooltip="first row"),
        Binding("G,end", "cursor_last", "End", show=False, tooltip="last row"),
        Binding("pagedown", "page_down", "Page down", show=False, tooltip="page down"),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="page up"),
        Binding("enter", "select", "Open", tooltip="open it"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"rows--cursor", "rows--cursor-blur"}

    @dataclass
    class Highlighted(Message):
        """The cursor moved to row `index`."""

        rows: RowList
        index: int

    @dataclass
    class Selected(Message):
        """Row `index` was chosen (Enter or a click)."""

        rows: RowList
        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.cursor = 0

    # -- for subclasses ------------------------------------------------------------------------

    def row_count(self) -> int:
        raise NotImplementedError

    def render_row(self, index: int, line: int, width: int) -> Strip:
        raise NotImplementedError

    # -- geometry ------------------------------------------------------------------------------

    def update_size(self) -> None:
        """Call when the number of rows changed."""
        set_virtual_size(self, Size(0, self.row_count() * self.ROW_HEIGHT))
        if self.cursor >= self.row_count():
            self.cursor = max(0, self.row_count() - 1)
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self.update_size()
        self.scroll_to_cursor()  # shown again (one pane at a time) or resized: the cursor too

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        absolute = round(self.scroll_y) + y
        index, line = divmod(absolute, self.ROW_HEIGHT)
        if index >= self.row_count() or width <= 0:
            return Strip.blank(width, self.rich_style)
        strip = self.render_row(index, line, width)
        if index == self.cursor:
            name = "rows--cursor" if self.has_focus else "rows--cursor-blur"
            strip = self.cursor_strip(strip, self.get_component_rich_style(name))
        strip = strip.apply_style(self.rich_style)
        return Strip(readable_segments(list(strip)), strip.cell_length)

    def cursor_strip(self, strip: Strip, style: Style) -> Strip:
        """The cursor row: `style` under the row's own colours (lists whose rows carry no
        background of their own, such as the hits)."""
        return strip.apply_style(style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- cursor --------------------------------------------------------------------------------

    def move_cursor(self, index: int, *, announce: bool = True) -> None:
        count = self.row_count()
        if count == 0:
            self.cursor = 0
            self.refresh()
            return
        index = max(0, min(count - 1, index))
        changed = index != self.cursor
        self.cursor = index
        self.scroll_to_cursor()
        self.refresh()
        if changed and announce:
            self.post_message(self.Highlighted(self, index))

    def scroll_to_cursor(self) -> None:
        top = self.cursor * self.ROW_HEIGHT
        height = self.scrollable_content_region.height
        if height <= 0:
            return  # hidden: scrolled when it is shown (on_resize), not to past the cursor
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + self.ROW_HEIGHT > self.scroll_y + height:
            self.scroll_to(y=top + self.ROW_HEIGHT - height, animate=False, immediate=True)

    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // self.ROW_HEIGHT)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.move_cursor(self.row_count() - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self.page_rows)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self.page_rows)

    def action_select(self) -> None:
        if self.row_count():
            self.post_message(self.Selected(self, self.cursor))

    def row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = (round(self.scroll_y) + offset.y) // self.ROW_HEIGHT
        return index if 0 <= index < self.row_count() else None

    def on_click(self, event: events.Click) -> None:
        index = self.row_at(event)
        if index is None:
            return
        event.stop()
        self.focus()
        self.move_cursor(index)
        self.click_row(index, event)

    def click_row(self, index: int, event: events.Click) -> None:
        self.post_message(self.Selected(self, index))
