"""The Textual browser. `create_app(db_path)` builds it; `sessionscope browse` runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import SessionscopeApp


def create_app(db_path: str | None = None, **opts: Any) -> SessionscopeApp:
    """The browser app on the store at `db_path` (see `sessionscope.tui.app.create_app`)."""
    from .app import create_app as _create_app

    return _create_app(db_path, **opts)


__all__ = ["create_app"]
