"""The Textual app (styles and the main screen) and its one factory, `create_app`, used by the
CLI, the tests and the scripts. The main screen owns the browsing: see `screens/main.py`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen

from ..sanitize import inert
from . import gcpause, settings
from .escapekey import ESCAPE_SETTLES, after_escape
from .options import BrowserOptions
from .screens.main import MainScreen

STYLE_FILES = ("app.tcss", "transcript.tcss")


def styles_dir() -> Path:
    """Where the .tcss files are: inside the installed package, else the repo's `styles/`.
    (The package's folder itself, not `importlib.resources`: that loads zipfile and more at
    start, and the styles are read as files anyway.)"""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "styles"
    return packaged if packaged.is_dir() else here.parents[3] / "styles"


def style_paths() -> list[Path]:
    base = styles_dir()
    return [base / name for name in STYLE_FILES]


class SessionscopeApp(App[None]):
    """Browse, live-search and follow a sessionscope store."""

    TITLE = "sessionscope"
    CSS_PATH = style_paths()  # type: ignore[assignment]
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, options: BrowserOptions) -> None:
        super().__init__()
        self.options = options
        self._keep_theme = False  # set once the saved theme is applied
        self._behind_escape: list[events.Key] | None = None  # keys held while an Escape settles

    def on_mount(self) -> None:
        gcpause.start()
        # paused by the command line until the first frame is drawn
        self.call_after_refresh(gcpause.resume, freeze_first=True)
        path = self.options.config_path
        if path:
            theme = settings.load(path).get("theme")
            if isinstance(theme, str) and theme in self.available_themes:
                self.theme = theme
        self._keep_theme = True

    def on_unmount(self) -> None:
        gcpause.stop()

    def watch_theme(self, theme: str) -> None:
        """Keep the chosen theme for the next run (when there is a settings file)."""
        path = self.options.config_path
        if path and self._keep_theme and settings.load(path).get("theme") != theme:
            settings.save(path, theme=theme)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._behind_escape is not None:  # typed while an Escape settles: in order, after
                self._behind_escape.append(event)
                return
            typed = after_escape(event)
            if typed is not None:  # Escape then a key within ESCDELAY (see escapekey)
                await super().on_event(events.Key("escape", "\x1b"))
                # the key waits for what the Escape set off (a search closing, the focus moving)
                self._behind_escape = [typed]
                self.set_timer(ESCAPE_SETTLES, self._release_keys)
                return
        await super().on_event(event)

    def _release_keys(self) -> None:
        keys, self._behind_escape = self._behind_escape or [], None
        for key in keys:
            self.post_message(key)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.options)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (widgets and screens call this one) is inert, bounded and never
        markup: messages carry paths, ids and error texts that came from transcripts."""
        super().notify(
            inert(message, 1000),
            title=inert(title, 200),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    @property
    def main(self) -> MainScreen:
        """The main screen (under any screen pushed over it)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("no main screen")


def create_app(
    db_path: str | None = None, *, clock: Callable[[], datetime] | None = None, **opts: Any
) -> SessionscopeApp:
    """The browser on the store at `db_path` (None: $SESSIONSCOPE_DB or the default location).

    `clock` returns "now" (ages such as `3d` are computed from it); other options: `tz` (time
    zone for message times), `poll_interval` (seconds between change checks), `readonly`,
    `session` (an id to open at start), `seq` (message to open it at), `query` (a search)
    and `demo_sessions` (size of the demo store the empty screen offers to build). They are
    the fields of `BrowserOptions`; an unknown one is a TypeError.
    """
    path = str(db_path) if db_path is not None else None
    return SessionscopeApp(BrowserOptions(db_path=path, clock=clock, **opts))
