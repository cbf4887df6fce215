"""The small editor `#` and `N` open over the browser: one session's tags, or its note.

One line, prefilled with what the session holds; Enter saves, Escape leaves everything as it
was. What is typed is checked before the editor closes (`check`): a refused value keeps the
editor open with the reason under the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...store import StoreError
from ..safe import safe_text


class MarkEditor(ModalScreen[str | None]):
    """Edit one line about a session; dismissed with the text (Enter) or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="close without saving"),
    ]

    DEFAULT_CSS = """
    MarkEditor {
        align: center middle;
        background: $background 60%;
    }
    #mark-box {
        width: 90;
        max-width: 96%;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    #mark-hint { color: $text-muted; }
    #mark-hint.-error { color: $error; }
    """

    def __init__(
        self,
        title: str,
        value: str,
        hint: str,
        *,
        max_length: int = 0,
        check: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.box_title = title
        self.value = value
        self.hint = hint
        self.max_length = max_length
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="mark-box") as box:
            box.border_title = safe_text(self.box_title, limit=80)
            box.border_subtitle = Text("Enter saves · Esc cancels")
            yield Input(
                value=self.value, id="mark-input", max_length=self.max_length, select_on_focus=False
            )
            yield Static(safe_text(self.hint, limit=300), id="mark-hint")

    def on_mount(self) -> None:
        field = self.query_one("#mark-input", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#mark-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.check is not None:
            try:
                self.check(event.value)
            except StoreError as exc:
                hint = self.query_one("#mark-hint", Static)
                hint.add_class("-error")
                hint.update(safe_text(f"✗ {exc}", limit=300))
                return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
