"""The one-line header: app name, store path, counts, and a read-only notice."""

from __future__ import annotations

import os
from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from ...sanitize import inert
from ..format import money, short_count


def display_path(path: str) -> str:
    """`path` with the home directory shortened to `~`."""
    home = os.path.expanduser("~")
    if home and home != "/" and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


class AppHeader(Static):
    """`sessionscope  ~/…/sessions.db · 1,234 sessions · 56,789 messages · 1.2M tokens · $12.34`
    (the whole store's figures; the session list's title has those of its filter)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "app-header--name",
        "app-header--path",
        "app-header--warn",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.path = ""
        self.stats: dict[str, float] | None = None
        self.readonly = False
        self.redacted = False
        self.state = "opening"

    def show(
        self,
        path: str | None = None,
        stats: dict[str, float] | None = None,
        readonly: bool | None = None,
        state: str | None = None,
        redacted: bool | None = None,
    ) -> None:
        if path is not None:
            self.path = path
        if stats is not None:
            self.stats = stats
        if readonly is not None:
            self.readonly = readonly
        if state is not None:
            self.state = state
        if redacted is not None:
            self.redacted = redacted
        self.update(self._text())

    def on_mount(self) -> None:
        self.update(self._text())

    def _text(self) -> Text:
        text = Text()
        text.append(
            " sessionscope ", self.get_component_rich_style("app-header--name", partial=True)
        )
        text.append(" ")
        if self.readonly:
            text.append(
                " read-only ", self.get_component_rich_style("app-header--warn", partial=True)
            )
            text.append(" ")
        if self.redacted:
            text.append("redacted ", self.get_component_rich_style("app-header--path"))
        figures = self._figures()
        path = inert(display_path(self.path))
        width = self.size.width or 10_000  # before the first layout: no limit yet
        # a narrow screen drops the messages, then the tokens; then cuts the path's start
        while len(figures) > 2 and text.cell_len + len(path) + len(" · ".join(figures)) + 3 > width:
            figures.pop(1)
        shown = " · ".join(figures)
        room = width - text.cell_len - (len(shown) + 3 if shown else 0)
        if len(path) > room:
            path = "…" + path[len(path) - max(0, room - 1) :] if room > 1 else ""
        text.append(path, self.get_component_rich_style("app-header--path"))
        if shown:
            text.append(" · " + shown)
        return text

    def on_resize(self) -> None:
        self.update(self._text())

    def _figures(self) -> list[str]:
        """The store's figures, most wanted first and last (the middle ones go first)."""
        if self.stats is None:
            return ["opening…"] if self.state == "opening" else []
        s = self.stats
        figures = [
            f"{int(s['sessions']):,} sessions",
            f"{int(s['messages']):,} messages",
            f"{short_count(int(s['input_tokens'] + s['output_tokens']))} tokens",
        ]
        cached = int(s.get("cache_read_tokens", 0) + s.get("cache_creation_tokens", 0))
        if cached:  # one meaning for every source: input excludes what the cache served
            figures[-1] += f" (+{short_count(cached)} cache)"
        if s.get("cost_usd", 0) > 0:  # nothing priced: no figure rather than `$0.00`
            figures.append(money(s["cost_usd"]))
        return figures
