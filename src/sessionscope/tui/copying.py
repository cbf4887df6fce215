"""Copy from the browser: OSC 52 through Textual at once, the system's clipboard tool in a thread
(a tool that hangs must not freeze the screen), then a toast saying what really happened."""

from __future__ import annotations

from textual.widget import Widget

from .. import clipboard


def copy_text(widget: Widget, text: str, what: str) -> None:
    """Put `text` on the clipboard and tell the person how (`what`: "the session id", ...)."""
    app = widget.app
    # Textual keeps it for pasting into its inputs and, in a terminal, sends OSC 52
    app.copy_to_clipboard(text)
    in_terminal = not app.is_headless

    def run() -> None:
        result = clipboard.copy(
            text, what=what, osc52=(lambda _text: None) if in_terminal else None
        )
        app.call_from_thread(
            widget.notify,
            result.message,
            severity="information" if result.ok else "warning",
            timeout=4 if result.ok else 8,
            markup=False,
        )

    widget.run_worker(run, thread=True, group="copy", exit_on_error=False)
