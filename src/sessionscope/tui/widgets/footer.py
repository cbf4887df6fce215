"""The key bar: Textual's Footer, rebuilt only when what it shows changes, and then in place.

Textual's Footer rebuilds all its keys on every `refresh_bindings` (each focus change, each
screen that opens or closes, each `check_action` refresh), even when the bindings it shows are
the same: at start-up and on Escape, `/` or Enter that was half of the frame's time (issue 17,
issue 12 item 9). This one compares what it would show with what it shows and skips the rest.

When the keys do change (the focus moved to a widget with other keys), Textual's Footer waits
for the next screen refresh, then removes every key and mounts new ones: two more layout
passes, a frame or two after the focus change. This one relabels the keys it already has,
hides the ones it no longer needs (kept for later), mounts only the keys it never had, and
does it at once, so the new keys are laid out with
the focus change (issue 12 item 9: `/`, Escape and Enter each spent ~40 ms on it).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE = "-command-palette"


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

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._relabel():
            self.call_after_refresh(self.recompose)

    def _wanted(self) -> list[FooterKey] | None:
        """The keys `compose` would yield, or None when it would yield anything else (groups)."""
        shown = [b for _node, b, _on, _tip in self.screen.active_bindings.values() if b.show]
        if any(b.group is not None for b in shown):
            return None
        with self._context():  # `compose` binds the keys' `compact` to the active widget's
            wanted = list(self.compose())
        if not all(type(key) is FooterKey for key in wanted):
            return None
        return wanted  # type: ignore[return-value]

    def _relabel(self) -> bool:
        """Show the current keys by changing the keys already shown; False if it cannot."""
        signature = self._signature()
        if signature == self._shown:
            return True
        if self._shown is None or self._shown == (False,):
            return False  # the first keys: composed the ordinary way
        current = [key for key in self.children if type(key) is FooterKey]
        if len(current) != len(self.children):
            return False
        wanted = self._wanted()
        if wanted is None:
            return False
        old_palette = [key for key in current if key.has_class(PALETTE)]
        new_palette = [key for key in wanted if key.has_class(PALETTE)]
        if len(old_palette) != len(new_palette) or (
            old_palette and current[-1] is not old_palette[0]
        ):
            return False
        old = [key for key in current if not key.has_class(PALETTE)]
        new = [key for key in wanted if not key.has_class(PALETTE)]
        for shown, want in zip(old + old_palette, new[: len(old)] + new_palette, strict=False):
            _relabel_key(shown, want)
            shown.display = True
        for surplus in old[len(new) :]:
            surplus.display = False  # kept for the next keys: removing costs a layout pass more
        extra = new[len(old) :]  # bound to this footer's `compact` by `compose`
        if extra:
            if old_palette:
                self.mount(*extra, before=old_palette[0])
            else:
                self.mount(*extra)
        self._shown = signature
        return True


def _relabel_key(shown: FooterKey, want: FooterKey) -> None:
    """Make `shown` show what `want` (a key composed but never mounted) would."""
    shown.key = want.key
    shown.key_display = want.key_display
    shown.description = want.description
    shown.action = want.action
    shown._disabled = want._disabled
    shown.set_class(want._disabled, "-disabled")
    shown.tooltip = want.tooltip
    shown.refresh(layout=True)
