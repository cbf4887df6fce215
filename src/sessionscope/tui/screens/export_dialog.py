"""`x`: where to export a session, asked in a small modal with a proposed path (an existing
file is replaced only on a second Enter)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from ...export import export_name as export_name  # the name `export -o DIR` writes too
from ...export import format_for
from ..safe import safe_text

TITLE_SHOWN = 60  # characters of the session's title in the question
FORMATS = {"html": "HTML", "json": "JSON", "markdown": "Markdown"}  # by export.format_for


def default_export_dir() -> Path:
    """The user's downloads directory when there is one, else the directory the browser was
    started from."""
    import platformdirs

    downloads = Path(platformdirs.user_downloads_dir())
    return downloads if downloads.is_dir() else Path.cwd()


def export_format(path: Path) -> str:
    """ "Markdown", "HTML" or "JSON", from the file name's suffix."""
    return FORMATS[format_for(path.name)]


def export_target(typed: str, session_id: str, folder: Path) -> Path:
    """The file `typed` names: `~` expanded, a relative path taken from `folder` (the one the
    dialog proposed), a directory given the proposed file name."""
    target = folder / Path(typed).expanduser()  # (an absolute path replaces `folder`)
    if target.is_dir():
        target = target / export_name(session_id)
    return target


class ExportDialog(ModalScreen[Path | None]):
    """The file to write, proposed (and selected, so typing replaces it) and editable; Enter
    writes it, once more when it would replace a file; Escape cancels."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 90%; max-width: 110; height: auto;
        border: round $accent; background: $panel; padding: 1 2;
    }
    ExportDialog #export-hint { color: $text-muted; margin-top: 1; }
    ExportDialog #export-problem { color: $text-warning; margin-top: 1; display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="close without writing")
    ]

    def __init__(self, folder: Path, session_id: str, title: str) -> None:
        super().__init__()
        self.folder = folder
        self.session_id = session_id
        self.session_title = title
        self._replace: Path | None = None  # the existing file a second Enter replaces

    def compose(self) -> ComposeResult:
        with Vertical():
            title = " ".join(self.session_title.split())
            short = title if len(title) <= TITLE_SHOWN else title[: TITLE_SHOWN - 1] + "…"
            yield Static(safe_text(f"Export “{short}” to:", limit=200))
            yield Input(value=str(self.folder / export_name(self.session_id)), id="export-path")
            yield Static(
                "Enter writes it, readable by you only (.md Markdown, .html a page to share "
                "with secrets redacted, .json); a name alone goes in "
                f"{self.folder}; Escape cancels.",
                id="export-hint",
                markup=False,
            )
            yield Static("", id="export-problem", markup=False)

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        field.focus()
        field.selection = Selection(0, len(field.value))

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if not typed:
            return
        target = export_target(typed, self.session_id, self.folder)
        problem = None
        if not target.parent.is_dir():
            problem = f"✗ There is no directory {target.parent}."
        elif target.exists() or target.is_symlink():
            if not target.is_file():
                problem = f"✗ {target} is not a regular file."
            elif target != self._replace:
                self._replace = target
                problem = f"{target} already exists: Enter again replaces it."
        if problem is not None:
            shown = self.query_one("#export-problem", Static)
            shown.update(safe_text(problem, limit=500))
            shown.display = True
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
