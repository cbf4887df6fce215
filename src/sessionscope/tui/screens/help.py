"""The `?` screen: every key, grouped by pane."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("/", "search every message (live)"),
            ("Tab / Shift+Tab", "next / previous pane"),
            ("ctrl+p", "palette: every action, any session, themes"),
            ("e", "experiments (filter the list by variant)"),
            ("?", "this help"),
            ("q", "quit"),
        ],
    ),
    (
        "Session list",
        [
            ("j / k  ↓ / ↑", "move"),
            ("g / G", "first / last session"),
            ("PgUp / PgDn", "page"),
            ("Enter / click", "open the session"),
            ("Space / → / l", "show or hide its subagents"),
            ("← / h", "fold subagents, back to the parent"),
            ("s", "sort: newest, most tokens, most messages"),
            ("f", "filter: source:codex project:webapp since:7d until:2026-10-01"),
        ],
    ),
    (
        "Transcript",
        [
            ("j / k", "next / previous message, tool call or reasoning"),
            ("↓ / ↑  PgDn / PgUp", "scroll"),
            ("g / G", "start / end (instant, any length)"),
            ("Enter / click", "expand a tool call; on a Task line, open its subagent"),
            ("Space", "fold / unfold what is under the cursor"),
            ("t / r", "expand or fold every tool call / all reasoning"),
            ("n / N", "next / previous search match"),
            ("o / u", "open the subagent / go to the parent session"),
            ("y", "copy the message under the cursor"),
            ("x", "export the session to Markdown (in .)"),
            ("Esc", "back to the list or the hits"),
        ],
    ),
    (
        "Search",
        [
            ("typing", 'words (all must match), "phrase", -word, a OR b'),
            ("filters", "role: tool: project: source: since: in:tools is:error"),
            ("↓ / Tab", "to the hits"),
            ("Enter", "open at that message, matches marked"),
            ("Esc", "close the search"),
        ],
    ),
]


def _section_table(sections: list[tuple[str, list[tuple[str, str]]]]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for number, (title, rows) in enumerate(sections):
        if number:
            table.add_row("", "")
        table.add_row(Text(title, style="bold underline"), "")
        for key, what in rows:
            table.add_row(Text(key), Text(what))
    return table


def help_table() -> Table:
    """The keys in two columns: everywhere + list + search on the left, the transcript right."""
    outer = Table.grid(padding=(0, 3), expand=True)
    outer.add_column(ratio=1)
    outer.add_column(ratio=1)
    by_title = dict(KEYS)
    left = [(t, by_title[t]) for t in ("Everywhere", "Session list")]
    right = [(t, by_title[t]) for t in ("Transcript", "Search")]
    outer.add_row(_section_table(left), _section_table(right))
    return outer


class HelpScreen(ModalScreen[None]):
    """Keys and the search language; Esc, q or ? closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "Esc closes"
            yield Static(help_table(), id="help-text")
