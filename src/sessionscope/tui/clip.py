"""Bound what one block of a message renders, so that no message can freeze the browser.

Rendering runs on the UI thread and costs time per character and per line, so a block shows at
most `MAX_LINES` lines and about `MAX_CHARS` characters, and each line at most `MAX_LINE_CHARS`
characters (before wrapping). What is left out is counted and shown as a dim marker; the whole
text stays in the store (`x` exports the session). When a search match lies past the cut, the
window moves to show the lines (and the part of a long line) around the first match instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text

MAX_LINES = 2_000
MAX_CHARS = 100_000
MAX_LINE_CHARS = 2_000
MATCH_CONTEXT = 20  # lines shown above a match that moved the window

MORE_HINT = "x exports the whole session"


@dataclass(slots=True)
class Clipped:
    """The part of a text a block shows, and what was left out around it."""

    lines: list[str]
    above: int = 0  # lines left out before `lines`
    below: int = 0  # lines left out after `lines`
    cut_before: dict[int, int] = field(default_factory=dict)  # line index -> chars left out before
    cut_after: dict[int, int] = field(default_factory=dict)  # line index -> chars left out after

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def clipped(self) -> bool:
        return bool(self.above or self.below or self.cut_before or self.cut_after)


def clip(
    text: str,
    pattern: re.Pattern[str] | None = None,
    *,
    max_lines: int = MAX_LINES,
    max_chars: int = MAX_CHARS,
    line_chars: int = MAX_LINE_CHARS,
) -> Clipped:
    """The first `max_lines` lines / ~`max_chars` characters of `text`, each line at most
    `line_chars` long; around the first match of `pattern` instead when that lies past the cut."""
    if (
        len(text) <= max_chars
        and text.count("\n") < max_lines
        and (len(text) <= line_chars or max(map(len, text.split("\n"))) <= line_chars)
    ):
        return Clipped(text.split("\n"))
    lines = text.split("\n")
    start, match_line, match_col = 0, -1, -1
    if pattern is not None:
        found = pattern.search(text)
        if found is not None:
            match_line = text.count("\n", 0, found.start())
            match_col = found.start() - (text.rfind("\n", 0, found.start()) + 1)
    end = _end(lines, 0, max_lines, max_chars, line_chars)
    if match_line >= end:
        start = max(0, match_line - MATCH_CONTEXT)
        end = max(_end(lines, start, max_lines, max_chars, line_chars), match_line + 1)
    shown: list[str] = []
    result = Clipped(shown, above=start, below=len(lines) - end)
    for number in range(start, end):
        line = lines[number]
        if len(line) > line_chars:
            first = 0
            if number == match_line and match_col > line_chars - 200:
                first = max(0, min(match_col - line_chars // 2, len(line) - line_chars))
            if first:
                result.cut_before[len(shown)] = first
            if first + line_chars < len(line):
                result.cut_after[len(shown)] = len(line) - first - line_chars
            line = line[first : first + line_chars]
        shown.append(line)
    return result


def _end(lines: list[str], start: int, max_lines: int, max_chars: int, line_chars: int) -> int:
    """One past the last line shown from `start` (at least one line)."""
    chars = 0
    end = start
    limit = min(len(lines), start + max_lines)
    while end < limit:
        chars += min(len(lines[end]), line_chars) + 1
        if chars > max_chars and end > start:
            break
        end += 1
    return end


def clipped_text(
    clipped: Clipped,
    style: Style | str = "",
    meta: Style | str = "",
    highlighter: Highlighter | None = None,
) -> Text:
    """`clipped` as Rich Text, with dim markers where something was left out."""
    parts: list[Text] = []
    if clipped.above:
        parts.append(Text(f"… {clipped.above:,} lines above", meta))
    for index, line in enumerate(clipped.lines):
        piece = Text(line, style)
        if highlighter is not None:
            highlighter.highlight(piece)
        before = clipped.cut_before.get(index)
        if before:
            piece = Text(f"…{before:,} chars… ", meta) + piece
        after = clipped.cut_after.get(index)
        if after:
            piece.append(f" …{after:,} more chars", meta)
        parts.append(piece)
    if clipped.below:
        parts.append(Text(more_marker(clipped.below), meta))
    return Text("\n").join(parts)


def more_marker(lines: int) -> str:
    return f"… {lines:,} more line{'s' if lines != 1 else ''} · {MORE_HINT}"
