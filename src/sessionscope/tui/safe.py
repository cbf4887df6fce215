"""Store text as Rich `Text` for the screen: made inert by `sanitize.inert`, never markup."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text

from ..sanitize import DISPLAY_CHARS, inert


def safe_text(value: Any, style: str | Style = "", limit: int | None = DISPLAY_CHARS) -> Text:
    """`inert(value, limit)` as a Rich `Text` (never parsed as markup)."""
    return Text(inert(value, limit), style=style, no_wrap=True)
