"""The key bar: Textual's Footer, recomposed only when what it shows changes.

Textual's Footer rebuilds all its keys on every `refresh_bindings` (each focus change, each
screen that opens or closes, each `check_action` refresh), even when the bindings it shows are
the same: at start-up and on Escape, `/` or Enter that was half of the frame's time (issue 17,
issue 12 item 9). This one compares what it would show with what it shows and skips the rest.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that skips recomposing when its keys, their state and its options are unchanged."""

    _shown: Any = None

    def _signature(self) -> tuple[Any, ...]:
        if not self._bindings_ready or not self.is_attached:
            return (False,)
        keys = tuple(
            (key, b.action, b.description, b.key_display, b.group, enabled, tooltip)
            for key, (_node, b, enabled, tooltip) in self.screen.active_bindings.items()
            if b.show
        )
        return (True, keys, self.compact, self.show_command_palette, self.combine_groups)

    async def recompose(self) -> None:
        signature = self._signature()
        if signature == self._shown:
            return
        self._shown = signature
        await super().recompose()
