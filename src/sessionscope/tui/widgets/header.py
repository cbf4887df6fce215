"""The one-line header: app name, store path, counts, and a read-only notice."""

from __future__ import annotations

import os
from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from ...sanitize import inert
from ..format import short_count


def display_path(path: str) -> str:
    """`path` with the home directory shortened to `~`."""
    home = os.path.expanduser("~")
    if home and home != "/" and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


class AppHeader(Static):
    """`sessionscope  ~/…/sessions.db · 1,234 sessions · 56,789 messages`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "app-header--name",
        "app-header--path",
        "app-header--warn",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.path = ""
        self.stats: dict[str, int] | None = None
        self.readonly = False
        self.redacted = False
        self.state = "opening"

    def show(
        self,
        path: str | None = None,
        stats: dict[str, int] | None = None,
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
            text.append(
                "redacted ", self.get_component_rich_style("app-header--path", partial=True)
            )
        text.append(
            inert(display_path(self.path)),
            self.get_component_rich_style("app-header--path", partial=True),
        )
        if self.stats is not None:
            s = self.stats
            text.append(
                f" · {s['sessions']:,} sessions · {s['messages']:,} messages"
                f" · {short_count(s['input_tokens'] + s['output_tokens'])} tokens"
            )
            cached = s.get("cache_read_tokens", 0) + s.get("cache_creation_tokens", 0)
            if cached:  # one meaning for every source: input excludes what the cache served
                text.append(f" (+{short_count(cached)} cache)")
        elif self.state == "opening":
            text.append(" · opening…")
        return text
