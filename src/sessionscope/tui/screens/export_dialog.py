"""`x`: where to export the open session, asked in a small modal with a proposed path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..safe import safe_text

FORMATS = {".html": "HTML", ".htm": "HTML", ".json": "JSON"}  # anything else: Markdown


def default_export_dir() -> Path:
    """The user's downloads directory when there is one, else sessionscope's data directory."""
    import platformdirs

    downloads = Path(platformdirs.user_downloads_dir())
    if downloads.is_dir():
        return downloads
    return Path(platformdirs.user_data_dir("sessionscope", appauthor=False))


def export_name(session_id: str) -> str:
    """A file name safe on every system, from the session id."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", session_id).strip(".-")[:80]
    return f"sessionscope-{safe or 'session'}.md"


def export_format(path: Path) -> str:
    """ "Markdown", "HTML" or "JSON", from the file name's suffix."""
    return FORMATS.get(path.suffix.lower(), "Markdown")


class ExportDialog(ModalScreen[str | None]):
    """The path to write, proposed and editable; Enter writes, Escape cancels."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 90%; max-width: 110; height: auto;
        border: round $accent; background: $panel; padding: 1 2;
    }
    ExportDialog #export-hint { color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="close without writing")
    ]

    def __init__(self, proposed: str, title: str) -> None:
        super().__init__()
        self.proposed = proposed
        self.session_title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(f"Export {self.session_title} to:", limit=200))
            yield Input(value=self.proposed, id="export-path")
            yield Static(
                "Enter writes it, readable by you only (.md Markdown, .html a page to share "
                "with secrets redacted, .json); Escape cancels.",
                id="export-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
