"""Markdown for assistant prose: raw HTML off, links as text, tokens made inert after parsing.

Its own module, imported with the first message rendered as Markdown: markdown-it and Rich's
Markdown (with Pygments behind its code blocks) are not needed for the browser's first frame.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.markdown import Markdown

from ..sanitize import clean

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


def _inert_tokens(tokens: list[Token]) -> list[Token]:
    """`tokens` with every text the renderer may show cleaned: the parser decodes entities
    (`&#x202E;`, `&#x200B;`, `&#xFEFF;`), so what was inert before parsing may not be after."""
    for token in tokens:
        token.content = clean(token.content)
        token.info = clean(token.info)
        if token.attrs:
            token.attrs = {k: clean(v) if isinstance(v, str) else v for k, v in token.attrs.items()}
        if token.children:
            _inert_tokens(token.children)
    return tokens


class SafeMarkdown(Markdown):
    """Rich Markdown with raw HTML off (shown as text, never dropped), links as plain text, and
    the parsed tokens made inert (after entities are decoded)."""

    def __init__(self, text: str, code_theme: str = "monokai") -> None:
        # Rich's `__init__` builds a new markdown-it parser for each instance (~0.5 ms, for
        # each message opened): its attributes are taken from one blank instance per theme
        blank = _BLANKS.get(code_theme)
        if blank is None:
            blank = _BLANKS[code_theme] = dict(
                vars(Markdown("", code_theme=code_theme, hyperlinks=False))
            )
        vars(self).update(blank)
        self.markup = text
        self.parsed = _inert_tokens(_PARSER.parse(text))


_BLANKS: dict[str, dict[str, object]] = {}
