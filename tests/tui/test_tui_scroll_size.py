"""`set_virtual_size`: a scrollable size changed without a layout pass keeps what one gives."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sessionscope.tui.scrollsize import set_virtual_size


class Lines(ScrollView):
    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width, self.rich_style)


class LinesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Lines()


async def test_the_scrollbar_and_scroll_bounds_follow_the_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passes: list[int] = []
    original = Screen._refresh_layout

    def counting(self: Screen[object], *args: object, **kwargs: object) -> None:
        passes.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    app = LinesApp()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(Lines)
        height = view.container_size.height
        set_virtual_size(view, Size(0, 100))  # a scrollbar comes: laid out the usual way
        await pilot.pause()
        assert view.show_vertical_scrollbar
        assert view.max_scroll_y == 100 - view.scrollable_content_region.height
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0
        before = len(passes)
        set_virtual_size(view, Size(0, 50))  # the scrollbar stays: no layout pass
        await pilot.pause()
        assert len(passes) == before
        assert view.virtual_size == Size(0, 50)
        assert view.scroll_y == view.max_scroll_y == 50 - view.scrollable_content_region.height
        assert view.vertical_scrollbar.window_virtual_size == 50
        set_virtual_size(view, Size(0, height - 2))  # the scrollbar goes
        await pilot.pause()
        assert not view.show_vertical_scrollbar and view.scroll_y == 0
        assert len(passes) > before
