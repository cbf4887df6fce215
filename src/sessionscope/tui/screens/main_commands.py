"""The main screen's palette commands (search, filter, sort, folds, export, experiments, demo).

Registered through `MainScreen.COMMANDS`, beside Textual's own (theme, keys, quit) and the
"Open session: <title>" provider. The screen is seen through `BrowserScreen`, the few things
the commands need, so that this module does not import the screen's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches

from ..widgets.session_list import SessionList
from ..widgets.transcript import Transcript


@runtime_checkable
class BrowserScreen(Protocol):
    """What the commands call on the main screen."""

    def action_search(self) -> None: ...
    def action_help(self) -> None: ...
    def action_filter(self) -> None: ...
    def clear_filter(self) -> None: ...
    def set_sort(self, order: str) -> None: ...
    def action_export(self) -> None: ...
    def action_copy_id(self) -> None: ...
    def action_experiments(self) -> None: ...
    def clear_experiment(self) -> None: ...
    def action_demo(self) -> None: ...
    def action_usage(self) -> None: ...
    def action_resume(self) -> None: ...
    def action_fork(self) -> None: ...
    def action_pin(self) -> None: ...
    def action_tags(self) -> None: ...
    def action_note(self) -> None: ...
    def apply_filter_text(self, text: str) -> None: ...
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None: ...


def main_commands(
    main: BrowserScreen, sessions: SessionList, transcript: Transcript
) -> Iterable[SystemCommand]:
    """The commands that apply now (some only with a session open, a filter set, ...)."""
    yield SystemCommand("Search", "Search every message (/)", main.action_search)
    yield SystemCommand("Help: keys", "Every key and the search language (?)", main.action_help)
    yield SystemCommand(
        "Filter sessions", "source:, project:, since:, until: (f)", main.action_filter
    )
    if sessions.filter.active:
        yield SystemCommand("Clear the session filter", "Show every session", main.clear_filter)
    yield SystemCommand(
        "Pin or unpin the session", "Pinned sessions come first in the list (b)", main.action_pin
    )
    yield SystemCommand(
        "Edit the session's tags", "Space separated; -tag removes one (#)", main.action_tags
    )
    yield SystemCommand(
        "Attach or edit a note", "A note on the session, for yourself (N)", main.action_note
    )
    yield SystemCommand(
        "Show pinned sessions",
        "Filter the list: is:pinned",
        lambda: main.apply_filter_text("is:pinned"),
    )
    for order, label in (
        ("recent", "newest first"),
        ("tokens", "most tokens"),
        ("messages", "most messages"),
    ):
        yield SystemCommand(
            f"Sort sessions: {label}",
            "Order of the session list (s)",
            lambda o=order: main.set_sort(o),
        )
    yield SystemCommand(
        "Toggle tool calls",
        "Expand or fold every tool call (t)",
        transcript.action_toggle_tools,
    )
    yield SystemCommand(
        "Toggle reasoning", "Show or fold reasoning (r)", transcript.action_toggle_reasoning
    )
    yield SystemCommand("Go to the start of the session", "g", transcript.action_go_start)
    yield SystemCommand("Go to the end of the session", "G", transcript.action_go_end)
    yield SystemCommand("Next match", "n", transcript.action_next_match)
    yield SystemCommand("Previous match", "N", transcript.action_prev_match)
    if transcript.session_id is not None:
        yield SystemCommand(
            "Export session",
            "Asks where; Markdown, .html (redacted) or .json, readable by you only (x)",
            main.action_export,
        )
        yield SystemCommand(
            "Copy focused message",
            "Copy the whole message under the cursor as Markdown",
            transcript.action_copy_message,
        )
        yield SystemCommand(
            "Copy the block under the cursor",
            "The code block, command or tool output (else the message) (y)",
            transcript.action_copy_block,
        )
        yield SystemCommand(
            "Open the file under the cursor",
            "In $VISUAL/$EDITOR at its line; on a Task line, its subagent (o)",
            transcript.action_open,
        )
        yield SystemCommand(
            "Open subagent",
            "Open the subagent of the Task line under the cursor",
            transcript.action_open_subagent,
        )
        if transcript.info is not None and transcript.info.parent_session_id:
            yield SystemCommand("Open parent session", "u", transcript.action_open_parent)
        yield SystemCommand(
            "Resume in the agent",
            "Run the agent's resume command in the session's cwd (R)",
            main.action_resume,
        )
        yield SystemCommand(
            "Fork in the agent", "A new session from this one, in its agent (F)", main.action_fork
        )
    yield SystemCommand("Copy the session id", "Of the chosen session (c)", main.action_copy_id)
    yield SystemCommand(
        "Usage and cost", "Tokens and cost per day, model and project (u)", main.action_usage
    )
    yield SystemCommand(
        "Experiments",
        "Champion/challenger experiments; filter by variant (e)",
        main.action_experiments,
    )
    if sessions.filter.experiment_id is not None:
        yield SystemCommand(
            "Clear the experiment filter", "Show every session", main.clear_experiment
        )
    if main.check_action("demo", ()):
        yield SystemCommand(
            "Build the demo store", "A realistic store to explore (d)", main.action_demo
        )


class MainCommands(Provider):
    """The main screen's commands, matched like Textual's own system commands."""

    def _commands(self) -> list[SystemCommand]:
        screen = self.screen
        if not isinstance(screen, BrowserScreen):
            return []
        try:
            sessions = screen.query_one(SessionList)
            transcript = screen.query_one(Transcript)
        except NoMatches:
            return []
        return list(main_commands(screen, sessions, transcript))

    async def discover(self) -> Hits:
        for name, help_text, callback, discover in sorted(self._commands(), key=lambda c: c[0]):
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback, *_ in self._commands():
            if (match := matcher.match(name)) > 0:
                yield Hit(match, matcher.highlight(name), callback, help=help_text)
