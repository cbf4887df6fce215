"""Set a line-API ScrollView's scrollable size without a whole-screen layout pass when it can.

Textual's `virtual_size` is a reactive with `layout=True`: every change (the list reloaded with
another number of rows, the transcript's heights measured) lays out the whole screen again in
the next frame, although only the widget's scrollbar depends on it. When the scrollbars stay as
they are (shown or hidden), `set_virtual_size` updates the scrollbar's thumb and the scroll
offset's bounds and repaints the widget, which is what the layout pass would have changed. When
a scrollbar comes or goes (the other widgets' room changes), it sets the reactive as before.
Issue 12 item 9: each pass cost 15-20 ms, one to three times per `f`, Enter on a hit or `s`.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def _scrollbars(widget: ScrollView, size: Size) -> tuple[bool, bool] | None:
    """Which scrollbars (vertical, horizontal) `size` would show, None if it depends on both."""
    styles = widget.styles
    width, height = widget.container_size
    if styles.overflow_x == "scroll" or (styles.overflow_x == "auto" and size.width > width):
        return None  # a horizontal scrollbar changes the height left: let Textual work it out
    if styles.overflow_y == "scroll":
        return True, False
    if styles.overflow_y == "auto":
        return size.height > height, False
    return False, False


def set_virtual_size(widget: ScrollView, size: Size) -> None:
    """`widget.virtual_size = size`, without a layout pass when no scrollbar comes or goes."""
    if size == widget.virtual_size:
        return
    if not widget.is_mounted or not widget.container_size:
        widget.virtual_size = size
        return
    shown = (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar)
    if widget.show_horizontal_scrollbar or _scrollbars(widget, size) != shown:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # the scrollbar's thumb, the scroll offsets clamped
    widget.refresh()
