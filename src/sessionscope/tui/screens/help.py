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

# key names as a person reads them
_KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "enter": "Enter",
    "space": "Space",
    "escape": "Esc",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "number_sign": "#",
}

Row = tuple[str, str]


def _keys(binding: Binding) -> str:
    return " / ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))


def binding_rows(*classes: type) -> list[Row]:
    """(keys, what they do) for every binding of `classes` and their bases, one row an action
    (a subclass's binding replaces its base's for the same action)."""
    rows: dict[str, Row] = {}
    for cls in classes:
        for klass in reversed(cls.__mro__):
            if not klass.__module__.startswith("sessionscope."):
                continue  # Textual's own keys (scrolling, editing) are not ours to list
            for binding in vars(klass).get("BINDINGS", []):
                if isinstance(binding, Binding):
                    what = binding.tooltip or binding.description
                    rows[f"{cls.__name__}.{binding.action}"] = (_keys(binding), what)
    return list(dict.fromkeys(rows.values()))  # the same keys doing the same thing: once


def sections(screen: type | None = None) -> list[tuple[str, list[Row]]]:
    """The help's sections: the bindings of `screen` (keys that work everywhere) and of each
    pane, plus what no binding says."""
    from ..widgets.search_pane import HitList, SearchInput
    from ..widgets.session_list import SessionList
    from ..widgets.transcript import Transcript

    return [
        (
            "Everywhere",
            [
                *(binding_rows(screen) if screen is not None else []),
                ("ctrl+p", "palette: every action, any session, themes"),
            ],
        ),
        ("Session list", binding_rows(SessionList)),
        (
            "Transcript",
            [
                *binding_rows(Transcript),
                ("↓ / ↑  PgDn / PgUp", "scroll"),
                ("Esc", "back to the list or the hits"),
            ],
        ),
        (
            "Search",
            [
                ("typing", 'words (all must match), "phrase", -word, a OR b'),
                ("filters", "role: tool: project: source: since: in:tools is:error"),
                ("", "tag:NAME is:pinned (also in the list filter, f)"),
                *binding_rows(SearchInput, HitList),
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


TWO_COLUMNS = 100  # terminal width from which the help stands in two columns


def help_table(screen: type | None = None, *, columns: int = 2) -> Table:
    """The keys in two columns (everywhere + list on the left, transcript + search right), or in
    one on a narrow terminal, where two would wrap every description."""
    by_title = dict(sections(screen))
    left = [(t, by_title[t]) for t in ("Everywhere", "Session list")]
    right = [(t, by_title[t]) for t in ("Transcript", "Search")]
    if columns == 1:
        return _section_table(left + right)
    outer = Table.grid(padding=(0, 3), expand=True)
    outer.add_column(ratio=1)
    outer.add_column(ratio=1)
    outer.add_row(_section_table(left), _section_table(right))
    return outer


class HelpScreen(ModalScreen[None]):
    """Keys and the search language; Esc, q or ? closes."""

    # here, not in styles/app.tcss: parsed when the help is first opened
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }

    #help-body {
        width: 116;
        max-width: 96%;
        height: auto;
        max-height: 92%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
        # the browser's own moves, as in the list and the transcript (arrows and PgUp/PgDn
        # are the scroll view's)
        Binding("j", "body('scroll_down')", show=False),
        Binding("k", "body('scroll_up')", show=False),
        Binding("g", "body('scroll_home')", show=False),
        Binding("G", "body('scroll_end')", show=False),
        Binding("space", "body('page_down')", show=False),
        Binding("b", "body('page_up')", show=False),
    ]

    def __init__(self, screen: type | None = None) -> None:
        """`screen`: the screen whose bindings work everywhere (the main screen)."""
        super().__init__()
        self.keys_screen = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "Esc closes"
            self.columns = self._columns()
            yield Static(help_table(self.keys_screen, columns=self.columns), id="help-text")

    def action_body(self, move: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        getattr(body, f"action_{move}")()

    def _columns(self) -> int:
        return 2 if self.app.size.width >= TWO_COLUMNS else 1

    def on_resize(self) -> None:
        """Lay the keys out again when the terminal crosses TWO_COLUMNS (a screen is also
        resized when it opens: then the table composed is already the right one)."""
        columns = self._columns()
        if columns != self.columns:
            self.columns = columns
            self.query_one("#help-text", Static).update(
                help_table(self.keys_screen, columns=columns)
            )
