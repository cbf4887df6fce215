"""The main screen's panes hidden at start: the filter input (`f`), the filter's chips and the
search pane (`/`). When the store came open with the screen (`options.opening`: `sessionscope
browse`), they are left out of the first frame (their styles, compose and layout cost it ~10%)
and mounted just after it, or at once when a key asks for them (issue 17 item 3); otherwise
they are composed with the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.widget import AwaitMount, Widget
from textual.widgets import Input, Static

from ..options import BrowserOptions
from ..widgets.session_list import SessionList
from .panes import OnePane

if TYPE_CHECKING:
    from ..widgets.search_pane import SearchPane  # loaded once the first frame is drawn


class FilterInput(Input):
    """The filter bar over the session list (`f`)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def action_cancel(self) -> None:
        """Escape clears every filter (the experiment's too) and goes back to the list."""
        self.screen.clear_filter()  # type: ignore[attr-defined]


class LaterPanes(OnePane):
    """The main screen's base: its hidden panes, mounted when first needed."""

    options: BrowserOptions
    _panes: tuple[FilterInput, Static, SearchPane] | None = None
    _panes_mounting: AwaitMount | None = None

    def _hidden_panes(self) -> list[Widget]:
        """The filter input, the filter's chips and the search pane, hidden until asked for.
        When the store came open with the screen (`options.opening`), they are left out of the
        first frame (their styles, compose and layout cost it ~10%) and mounted just after it
        (`mount_panes`), or at once when a key asks for them."""
        field = FilterInput(
            placeholder="filter: words of the title, source:codex project:webapp "
            "model:gpt since:7d tag:flaky is:pinned (Enter; Esc clears)",
            id="filter-input",
        )
        field.display = False
        from ..widgets.search_pane import SearchPane  # with the first frame drawn

        search = SearchPane(id="search", clock=self.options.clock)
        search.display = False
        search.set_store(self.db)
        self._panes = (field, Static(id="filter-chips", markup=False), search)
        return list(self._panes)

    def mount_panes(self) -> AwaitMount | None:
        """Mount the hidden panes (see `_hidden_panes`) unless they are; await the result
        before using what they compose (the inputs, the hits)."""
        if self._panes_mounting is None:
            if self._panes is not None:  # composed with the screen
                return None
            self._panes_mounting = self.query_one("#left").mount(
                *self._hidden_panes(), before=self.query_one(SessionList)
            )
        return self._panes_mounting

    @property
    def search_pane(self) -> SearchPane | None:
        """The search pane, once mounted (None before: then it is not shown either)."""
        return self._panes[2] if self._panes is not None else None

    def _filter_parts(self) -> tuple[FilterInput, Static]:
        """The filter input and its chips (mounted now if they were not)."""
        self.mount_panes()
        assert self._panes is not None
        return self._panes[0], self._panes[1]
