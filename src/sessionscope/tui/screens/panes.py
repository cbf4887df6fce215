"""One pane at a time on a small screen: under `NARROW_BELOW` columns the main screen shows the
list (or the search) or the transcript, full width, never both squeezed side by side; on a wider
screen `z` asks for the same (and `z` again for both panes).

Opening a session (Enter on a row or a hit) shows the transcript; Escape in the transcript goes
back to the list or the search it came from. The screen carries the class `-narrow` while it is
narrow, `-single` after `z`, and `-reading` while the transcript is the pane shown in one-pane
mode; `styles/app.tcss` does the rest. `-reading` is only set while one pane is shown (on a wide
screen it would change nothing): a class on the screen restyles every widget, which cost a
frame's worth of work on each Enter and Escape between the panes (issue 12 item 9).
"""

from __future__ import annotations

from textual import events

from ..widgets.transcript import Transcript
from .resuming import ResumeActions

NARROW_BELOW = 100  # columns


class OnePane(ResumeActions):
    """The main screen's base: which pane a narrow screen shows."""

    _pane = "left"  # the pane shown (or to show, once the screen is narrow)

    @property
    def narrow(self) -> bool:
        """One pane at a time: a narrow screen, or `z`."""
        return self.has_class("-narrow") or self.has_class("-single")

    def action_one_pane(self) -> None:
        """`z`: one pane at a time, full width (the focused one), or both panes again."""
        if self.has_class("-narrow"):  # a narrow screen shows one pane anyway
            self.notify(
                f"Under {NARROW_BELOW} columns the browser shows one pane at a time "
                "(Tab: the other one; Escape in the transcript goes back).",
                timeout=3,
            )
            return
        single = not self.has_class("-single")
        self.set_class(single, "-single")
        self._show_reading()
        self.notify(
            "One pane at a time (Escape in the transcript goes back; z: both panes)."
            if single
            else "Both panes.",
            timeout=2,
        )

    @property
    def pane(self) -> str:
        """`transcript` or `left` (the list or the search): what a narrow screen shows."""
        return self._pane

    def show_pane(self, pane: str) -> None:
        """Show `left` or `transcript` when narrow (and remember it for when it becomes so)."""
        self._pane = pane
        self._show_reading()

    def _show_reading(self) -> None:
        self.set_class(self.narrow and self._pane == "transcript", "-reading")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_BELOW, "-narrow")
        self._show_reading()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A click or a key moved the focus: show the pane that holds it."""
        widget = event.widget
        transcript = self.query_one(Transcript)
        self.show_pane(
            "transcript" if widget is transcript or transcript in widget.ancestors else "left"
        )
