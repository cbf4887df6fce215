"""Turn one stored message into the lines the transcript shows.

Every string from the store goes through `sanitize` (`clean` for bodies, `inert` for one-line
labels: roles, tool and model names, media types, block types) and is rendered as Rich `Text` or
through a Markdown parser with raw HTML switched off and hyperlinks shown as text; Markdown is
cleaned again after it is parsed (it decodes entities such as `&#x202E;`). So transcript text is
inert: no escape sequence reaches the terminal and nothing that looks like markup (`[red]`,
`[link=…]`, `[@click=…]`) is interpreted. Every block is bounded (see `clip`):
rendering runs on the UI thread, and a 3 MB message must open as fast as a short one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.highlighter import JSONHighlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ..diffs import EditDiff, edit_diff
from ..pieces import code_blocks, input_text
from ..sanitize import clean, inert
from ..store.models import Message, tool_result_text
from .clip import Clipped, clip, clipped_text, more_marker
from .format import image_label, local_time, short_count, short_model, short_path, tool_summary

_BOLD_LINE = re.compile(r"^\*\*([^*]+)\*\*[ \t]*$")  # one line, all bold
MAX_OUTPUT_LINES = 400
MAX_INPUT_LINES = 200
MAX_MARKDOWN_CHARS = 40_000  # longer prose is shown as plain text (Markdown costs ~2 µs a char)
MAX_MARKDOWN_LINES = 600  # ... and a highlighted code line ~0.15 ms
PREVIEW_CHARS = 1_000  # what a one-line preview or summary looks at
_JSON = JSONHighlighter()


@dataclass(frozen=True, slots=True)
class Item:
    """A place the cursor can stop in a rendered message: its header or a foldable block."""

    kind: str  # "header", "tool", "output" (of an open tool), "reasoning", "result", "context",
    # "code" (a fenced code block of a text block)
    block: int  # index into message.blocks (-1 for the header)
    line: int  # first line within the message
    height: int  # lines the item covers
    tool_use_id: str | None = None
    part: int = -1  # "code": which code block of the text block


@dataclass(slots=True)
class Rendered:
    """The lines of one message at one width, and where its items are."""

    lines: list[Strip]
    items: list[Item]
    key: tuple[Any, ...] = ()

    @property
    def height(self) -> int:
        return len(self.lines)


@dataclass
class Styles:
    """Rich styles the renderer uses (taken from the transcript's component classes)."""

    roles: dict[str, Style] = field(default_factory=dict)
    meta: Style = field(default_factory=Style)
    reasoning: Style = field(default_factory=Style)
    tool_name: Style = field(default_factory=Style)
    tool_arg: Style = field(default_factory=Style)
    error: Style = field(default_factory=Style)
    ok: Style = field(default_factory=Style)
    gutter: Style = field(default_factory=Style)
    match: Style = field(default_factory=Style)
    subagent: Style = field(default_factory=Style)
    code_theme: str = "monokai"


@dataclass
class Context:
    """What the renderer needs to know beyond the message itself."""

    width: int
    tz: tzinfo | None
    cwd: str | None
    is_open: Callable[[int, int, str], bool]  # (seq, block index, kind) -> expanded?
    result_for: Callable[
        [str], tuple[dict[str, Any] | None, bool | None]
    ]  # id -> (block, is_error)
    child_for: Callable[[str], str | None]  # Task tool_use id -> child session title
    hidden: Callable[[Message], bool]
    pattern: re.Pattern[str] | None = None
    current_match: bool = False


def _lines(console: Console, renderable: RenderableType, width: int) -> list[list[Segment]]:
    options: ConsoleOptions = console.options.update(width=max(1, width), height=None)
    return console.render_lines(renderable, options, pad=False, new_lines=False)


def _strip(
    segments: Iterable[Segment], width: int, indent: int = 0, prefix: list[Segment] | None = None
) -> Strip:
    segs = list(prefix or [])
    if indent:
        segs.insert(0, Segment(" " * indent))
    segs.extend(segments)
    return Strip(segs).adjust_cell_length(width)


def highlight(strip: Strip, pattern: re.Pattern[str], style: Style) -> Strip:
    """`strip` with every match of `pattern` drawn in `style` (by character position)."""
    text = strip.text
    spans = [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]
    if not spans:
        return strip
    out: list[Segment] = []
    pos = 0
    for segment in strip:
        seg_text, seg_style, control = segment
        if control:
            out.append(segment)
            continue
        start, end = pos, pos + len(seg_text)
        cuts = {0, len(seg_text)}
        for a, b in spans:
            if a < end and b > start:
                cuts.add(max(a, start) - start)
                cuts.add(min(b, end) - start)
        ordered = sorted(cuts)
        for a, b in pairwise(ordered):
            piece = seg_text[a:b]
            inside = any(sa <= start + a and start + b <= sb for sa, sb in spans)
            out.append(
                Segment(
                    piece,
                    (seg_style + style)
                    if (inside and seg_style)
                    else style
                    if inside
                    else seg_style,
                )
            )
        pos = end
    return Strip(out, strip.cell_length)


def _input_text(tool_input: Any) -> str:
    if isinstance(tool_input, dict):
        command = tool_input.get("command")
        if isinstance(command, str) and len(tool_input) <= 3:
            return "$ " + command
        if isinstance(command, list):
            return "$ " + " ".join(str(p) for p in command)
    return input_text(tool_input)


@lru_cache(maxsize=64)
def word_count(text: str) -> int:
    """Words in `text` (cached: reasoning headers are redrawn often and may be megabytes)."""
    return len(text.split())


def _cleaned(clipped: Clipped) -> Clipped:
    """`clipped` with every shown line made inert (cleaning only what is shown keeps it cheap)."""
    clipped.lines = [clean(line) for line in clipped.lines]
    return clipped


class MessageRenderer:
    """Renders messages to strips with one console and one set of styles."""

    def __init__(self, console: Console, styles: Styles) -> None:
        self.console = console
        self.styles = styles

    # -- pieces --------------------------------------------------------------------------------

    def header(self, message: Message, ctx: Context) -> Strip:
        s = self.styles
        role_style = s.roles.get(message.role, Style(bold=True))
        left = Text()
        left.append("▍", role_style)
        left.append(
            message.role if message.role in s.roles else inert(message.role, 40), role_style
        )
        details: list[str] = []
        if message.created_at:
            details.append(local_time(message.created_at, ctx.tz))
        if message.model:
            details.append(short_model(message.model))
        if message.input_tokens or message.output_tokens:
            details.append(
                f"{short_count(message.input_tokens)} in / {short_count(message.output_tokens)} out"
            )
        if details:
            left.append("  " + " · ".join(details), s.meta)
        right = Text(f"#{message.seq}", s.meta)
        if ctx.current_match:
            right = Text("◆ match  ", s.match) + right
        room = ctx.width - right.cell_len - 1
        if left.cell_len > room:
            left.truncate(max(1, room), overflow="ellipsis")
        line = left + Text(" " * max(1, ctx.width - left.cell_len - right.cell_len)) + right
        return Strip(list(line.render(self.console, end=""))).adjust_cell_length(ctx.width)

    def prose(
        self, text: str, role: str, width: int, pattern: re.Pattern[str] | None = None
    ) -> list[Strip]:
        shown = _cleaned(clip(text.strip("\n"), pattern))
        if not any(line.strip() for line in shown.lines):
            return []
        renderable: RenderableType
        marker: list[Strip] = []
        body = shown.text
        if (
            role == "assistant"
            and not (shown.above or shown.cut_before or shown.cut_after)
            and len(body) <= MAX_MARKDOWN_CHARS
            and len(shown.lines) <= MAX_MARKDOWN_LINES
        ):
            from .markdown import SafeMarkdown  # loaded with the first prose shown, not at start

            renderable = SafeMarkdown(body, code_theme=self.styles.code_theme)
            if shown.below:
                more = Text(more_marker(shown.below), self.styles.meta)
                marker = [
                    _strip(line, width, indent=2) for line in _lines(self.console, more, width - 2)
                ]
        else:
            style = self.styles.meta if role == "system" else ""
            renderable = clipped_text(shown, style, self.styles.meta)
        lines = [
            _strip(line, width, indent=2) for line in _lines(self.console, renderable, width - 2)
        ]
        return lines + marker

    def tool_line(
        self, block: dict[str, Any], expanded: bool, ctx: Context, is_error: bool | None
    ) -> Strip:
        s = self.styles
        name = inert(block.get("name") or "tool", 80) or "tool"
        line = Text("  ")
        line.append("▾ " if expanded else "▸ ", s.gutter)
        line.append(name, s.tool_name)
        diff = edit_diff(str(block.get("name") or ""), block.get("input"))
        if diff is not None:  # an edit folds to `Edit src/x.py +3 -1`
            added = sum(f.added for f in diff.files)
            removed = sum(f.removed for f in diff.files)
            where = (
                short_path(diff.files[0].path, ctx.cwd)
                if len(diff.files) == 1
                else f"{len(diff.files)} files"
            )
            summary = f"{inert(where, 300)} +{added} -{removed}"
        else:
            summary = tool_summary(name, block.get("input"), ctx.cwd)
        tail = Text()
        if is_error:
            tail.append("  ✗", s.error)
        use_id = str(block.get("id") or "")
        child = ctx.child_for(use_id) if use_id else None
        if child is not None:
            tail.append("  ⤷ open subagent", s.subagent)
        if summary:
            line.append("  ")
            room = ctx.width - line.cell_len - tail.cell_len
            arg = Text(summary, s.tool_arg)
            if arg.cell_len > room:
                arg.truncate(max(1, room), overflow="ellipsis")
            line.append_text(arg)
        line.append_text(tail)
        return Strip(list(line.render(self.console, end=""))).adjust_cell_length(ctx.width)

    def context_line(self, label: str, expanded: bool, ctx: Context) -> Strip:
        """Injected context folded to one dimmed line (`▸ context: environment`)."""
        line = Text("  ")
        line.append("▾ " if expanded else "▸ ", self.styles.gutter)
        line.append(f"context: {label}", self.styles.meta)
        return _strip(line.render(self.console, end=""), ctx.width)

    def boxed(self, text: Text, ctx: Context, mark: str = "│") -> list[Strip]:
        gutter = [Segment("    "), Segment(mark + " ", self.styles.gutter)]
        return [
            _strip(line, ctx.width, prefix=gutter)
            for line in _lines(self.console, text, ctx.width - 6)
        ]

    def diff_body(self, diff: EditDiff, ctx: Context) -> list[Strip]:
        """An edit as a coloured unified diff: the file, then its lines (cut past a limit)."""
        s = self.styles
        text = Text()
        shown = 0
        for file in diff.files:
            text.append(
                f"{inert(short_path(file.path, ctx.cwd), 300)} ({file.action})\n", s.tool_arg
            )
            for line in file.lines:
                if shown >= MAX_INPUT_LINES:
                    break
                style = {"+": s.ok, "-": s.error, "@": s.meta}.get(line[:1], Style())
                text.append(inert(line, 2000) + "\n", style)
                shown += 1
        total = sum(len(f.lines) for f in diff.files)
        if total > shown:
            text.append(f"… {total - shown} more diff lines\n", s.meta)
        text.rstrip()
        return self.boxed(text, ctx)

    def tool_input(self, block: dict[str, Any], ctx: Context) -> list[Strip]:
        s = self.styles
        diff = edit_diff(str(block.get("name") or ""), block.get("input"))
        if diff is not None:
            return self.diff_body(diff, ctx)
        raw = _input_text(block.get("input"))
        shown = _cleaned(clip(raw, ctx.pattern, max_lines=MAX_INPUT_LINES))
        highlighter = None if raw.startswith("$ ") else _JSON
        return self.boxed(clipped_text(shown, "", s.meta, highlighter), ctx)

    def tool_output(self, block: dict[str, Any], ctx: Context) -> list[Strip]:
        """`├ output` (or `├ error`) and the result of the call, or `└ no output yet`."""
        s = self.styles
        result, is_error = ctx.result_for(str(block.get("id") or ""))
        if result is None:
            return [_strip([Segment("└ no output yet", s.meta)], ctx.width, indent=4)]
        label = Text("├ output", s.meta)
        if is_error:
            label = Text("├ error", s.error)
        lines = [_strip(label.render(self.console, end=""), ctx.width, indent=4)]
        lines.extend(self.result_body(result, ctx, bool(is_error)))
        return lines

    def result_body(self, block: dict[str, Any], ctx: Context, is_error: bool) -> list[Strip]:
        output = tool_result_text(block).rstrip("\n")
        # a search match past the cut moves the window to the lines around it
        shown = _cleaned(clip(output, ctx.pattern, max_lines=MAX_OUTPUT_LINES))
        if not output or not any(shown.lines):
            return self.boxed(Text("(no output)", self.styles.meta), ctx)
        return self.boxed(clipped_text(shown, "", self.styles.meta), ctx)

    def reasoning(self, text: str, expanded: bool, ctx: Context) -> list[Strip]:
        s = self.styles
        body = text.strip()
        head = Text("  ")
        head.append("▾ " if expanded else "▸ ", s.gutter)
        head.append(f"reasoning · {word_count(body)} words", s.reasoning)
        lines = [_strip(head.render(self.console, end=""), ctx.width)]
        if expanded and body:
            shown = _cleaned(clip(body, ctx.pattern))
            # a line that is all bold, `**Planning the tests**` (how Codex titles its reasoning
            # summaries), shows its words without the Markdown markers (shown lines only: cheap)
            shown.lines = [_BOLD_LINE.sub(r"\1", line) for line in shown.lines]
            lines.extend(self.boxed(clipped_text(shown, s.reasoning, s.meta), ctx, mark="┊"))
        return lines

    # -- a whole message -----------------------------------------------------------------------

    def render(self, message: Message, ctx: Context) -> Rendered:
        if ctx.hidden(message):
            return Rendered([], [])
        s = self.styles
        lines: list[Strip] = [self.header(message, ctx)]
        items: list[Item] = [Item("header", -1, 0, 1)]
        for index, block in enumerate(message.blocks):
            kind = block.get("type")
            start = len(lines)
            context = injected_context(message.role, block) if kind == "text" else None
            if context is not None:
                expanded = ctx.is_open(message.seq, index, "context")
                lines.append(self.context_line(context, expanded, ctx))
                if expanded:
                    text = str(block.get("text") or "")
                    lines.extend(self.prose(text, message.role, ctx.width, ctx.pattern))
                items.append(Item("context", index, start, len(lines) - start))
            elif kind == "text":
                text = str(block.get("text") or "")
                lines.extend(self.prose(text, message.role, ctx.width, ctx.pattern))
                items.extend(code_items(text, index, lines, start))
            elif kind == "thinking" or kind == "redacted_thinking":
                text = str(block.get("thinking") or block.get("text") or "")
                expanded = ctx.is_open(message.seq, index, "reasoning")
                lines.extend(self.reasoning(text, expanded, ctx))
                items.append(Item("reasoning", index, start, len(lines) - start))
            elif kind == "tool_use":
                use_id = str(block.get("id") or "")
                expanded = ctx.is_open(message.seq, index, "tool")
                result, is_error = ctx.result_for(use_id)
                lines.append(self.tool_line(block, expanded, ctx, is_error))
                output: Item | None = None
                if expanded:
                    lines.extend(self.tool_input(block, ctx))
                    below = self.tool_output(block, ctx)
                    if result is not None:
                        output = Item("output", index, len(lines), len(below), use_id or None)
                    lines.extend(below)
                items.append(Item("tool", index, start, len(lines) - start, use_id or None))
                if output is not None:
                    items.append(output)
            elif kind == "tool_result":
                expanded = ctx.is_open(message.seq, index, "result")
                is_error = bool(block.get("is_error"))
                first = inert(tool_result_text(block), PREVIEW_CHARS)
                head = Text("  ")
                head.append("▾ " if expanded else "▸ ", s.gutter)
                head.append("result", s.tool_name)
                if is_error:
                    head.append(" ✗", s.error)
                if first:
                    head.append("  ")
                    room = ctx.width - head.cell_len
                    preview = Text(first, s.meta)
                    if preview.cell_len > room:
                        preview.truncate(max(1, room), overflow="ellipsis")
                    head.append_text(preview)
                lines.append(_strip(head.render(self.console, end=""), ctx.width))
                if expanded:
                    lines.extend(self.result_body(block, ctx, is_error))
                items.append(
                    Item(
                        "result",
                        index,
                        start,
                        len(lines) - start,
                        str(block.get("tool_use_id") or "") or None,
                    )
                )
            elif kind == "image":
                label = Text("  ")
                label.append(f"▣ [image · {image_label(block)}]", s.meta)
                lines.append(_strip(label.render(self.console, end=""), ctx.width))
            else:
                label = Text("  ")
                label.append(f"[{inert(kind, 80)} block]", s.meta)
                lines.append(_strip(label.render(self.console, end=""), ctx.width))
        lines.append(Strip.blank(ctx.width))
        if ctx.pattern is not None:
            lines = [lines[0]] + [highlight(line, ctx.pattern, s.match) for line in lines[1:]]
        return Rendered(lines, items)


def code_items(text: str, block: int, lines: list[Strip], start: int) -> list[Item]:
    """An item for each fenced code block of `text`, found in its rendered `lines[start:]`
    by its first and last lines (a block cut from view gets none)."""
    items: list[Item] = []
    at = start
    for part, code in enumerate(code_blocks(text)):
        rows = [row.strip() for row in code.split("\n") if row.strip()]
        if not rows:
            continue
        first = _find_line(lines, at, rows[0])
        if first is None:
            continue
        last = _find_line(lines, first, rows[-1]) if len(rows) > 1 else first
        last = first if last is None else last
        items.append(Item("code", block, first, last - first + 1, part=part))
        at = last + 1
    return items


def _find_line(lines: list[Strip], start: int, row: str) -> int | None:
    """The first of `lines[start:]` that shows (the start of) `row`."""
    probe = clean(row[:24]).strip()
    for number in range(start, len(lines)):
        if probe in lines[number].text:
            return number
    return None


# What agents inject into a transcript that no person typed: label by how the text starts.
_CONTEXT_PREFIXES = (
    ("<user_instructions>", "AGENTS.md instructions"),
    ("# AGENTS.md instructions", "AGENTS.md instructions"),
    ("<environment_context>", "environment"),
    ("Caveat: The messages below were generated by the user", "caveat about local commands"),
    ("<system-reminder>", "system reminder"),
)


def injected_context(role: str, block: dict[str, Any]) -> str | None:
    """The label of a text block an agent injected as context (folded by default), or None."""
    if role not in ("system", "user"):
        return None
    text = str(block.get("text") or "").lstrip()[:80]
    for prefix, label in _CONTEXT_PREFIXES:
        if text.startswith(prefix):
            return label
    return None


def message_has_term(message: Message, pattern: re.Pattern[str]) -> set[tuple[int, str]]:
    """(block index, kind) of the foldable blocks of `message` that contain a match."""
    found: set[tuple[int, str]] = set()
    for index, block in enumerate(message.blocks):
        kind = block.get("type")
        if kind == "thinking" and pattern.search(str(block.get("thinking") or "")):
            found.add((index, "reasoning"))
        elif kind == "text" and pattern.search(str(block.get("text") or "")):
            if injected_context("system", block) is not None:
                found.add((index, "context"))
        elif kind == "tool_use" and pattern.search(_input_text(block.get("input"))):
            found.add((index, "tool"))
        elif kind == "tool_result" and pattern.search(tool_result_text(block)):
            found.add((index, "result"))
    return found
