"""Issue 12: the browser as a person sees it (colours, animated scrolling, type-ahead, filters).

These run with animations ON (Textual's default: `make_app` does not turn them off)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.color import Color
from rich.style import Style
from textual import events
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES
from textual.widgets import Input, Static
from tui_support import (
    SESSION_A,
    border_text,
    import_fixtures,
    make_app,
    open_session,
    wait_for_workers,
    widget_strips,
)

from sessionscope import store
from sessionscope.tui.widgets.session_list import SessionList
from sessionscope.tui.widgets.transcript import Transcript

THEMES = sorted(BUILTIN_THEMES)


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


def _luminance(color: Color) -> float:
    r, g, b = color.get_truecolor()

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: Color, bg: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _colours(style: Style | None) -> tuple[Color, Color]:
    assert style is not None and style.color is not None and style.bgcolor is not None, style
    fg, bg = style.color, style.bgcolor
    return (bg, fg) if style.reverse else (fg, bg)


@pytest.mark.parametrize("theme", THEMES)
async def test_list_cursor_row_is_visible_and_every_row_readable(
    fixture_db: Path, theme: str
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.animation_level == "full"
        app.theme = theme
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        sessions.focus()
        await pilot.press("j", "j")
        await pilot.pause()
        assert sessions.cursor == 2
        cursor_bg = sessions.get_component_rich_style("rows--cursor").bgcolor
        assert cursor_bg is not None
        strips = widget_strips(sessions)
        for y, strip in enumerate(strips):
            row = (round(sessions.scroll_y) + y) // sessions.ROW_HEIGHT
            if row >= sessions.row_count():
                continue
            for segment in strip:
                fg, bg = _colours(segment.style)
                if row == sessions.cursor:
                    assert bg == cursor_bg, (theme, y, segment)
                else:
                    assert bg != cursor_bg, (theme, y, segment)
                if segment.text.strip():
                    ratio = contrast(fg, bg)
                    assert ratio >= 4.5, (theme, y, segment.text, ratio)


def _long_session(path: Path, count: int = 600) -> str:
    with store.open(path) as db:
        sid = db.start_session(title="a long session", source="api")
        for i in range(count):
            db.append(sid, "user" if i % 2 else "assistant", f"message {i}\nsecond line of {i}")
    return sid


async def _settled(pilot: Pilot) -> None:
    """Let a scroll animation finish and the transcript settle after it."""
    for _ in range(3):
        await pilot.app.animator.wait_until_complete()
        await wait_for_workers(pilot)
        await pilot.pause(0.05)


@pytest.mark.parametrize("animations", ["full", "none"])
async def test_keyboard_scrolling_moves_the_transcript_every_time(
    tmp_path: Path, animations: str
) -> None:
    path = tmp_path / "long.db"
    sid = _long_session(path)
    app = make_app(path, session=sid)
    async with app.run_test(size=(120, 36)) as pilot:
        app.animation_level = animations  # type: ignore[assignment]
        await wait_for_workers(pilot)
        transcript = app.screen.query_one(Transcript)
        transcript.focus()
        await _settled(pilot)
        assert transcript.session_id == sid and transcript.scroll_y == 0
        positions = [transcript.scroll_y]
        for _ in range(3):
            await pilot.press("pagedown")
            await _settled(pilot)
            positions.append(transcript.scroll_y)
        assert positions[0] < positions[1] < positions[2] < positions[3], positions
        assert positions[3] - positions[0] >= 3 * (transcript.view_height - 2), positions
        for key, forward in (
            ("down", True),
            ("down", True),
            ("up", False),
            ("pageup", False),
            ("end", True),
            ("up", False),
            ("b", False),
            ("home", False),
            ("pagedown", True),
        ):
            before = transcript.scroll_y
            await pilot.press(key)
            await _settled(pilot)
            after = transcript.scroll_y
            assert (after > before) if forward else (after < before), (key, before, after)


async def _burst(pilot: Pilot, keys: str | list[str]) -> None:
    """`keys` as a terminal delivers a fast typist's burst: all queued before any is handled
    (`pilot.press` waits for the app to go idle between keys)."""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for char in keys:
        key = {"/": "slash", " ": "space", ":": "colon"}.get(char, char)
        event = events.Key(key, char if len(char) == 1 else None)
        event.set_sender(app)
        driver.send_message(event)
    await wait_for_workers(pilot)
    await pilot.pause()


@pytest.mark.parametrize("how", ["press", "burst"])
@pytest.mark.parametrize(
    ("opener", "field"),
    [("/", "#search-input"), ("f", "#filter-input")],
)
async def test_type_ahead_lands_in_the_input_the_key_opened(
    fixture_db: Path, how: str, opener: str, field: str
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.animation_level == "full"
        await wait_for_workers(pilot)
        app.screen.query_one(SessionList).focus()
        await pilot.pause()
        if how == "press":
            await pilot.press(*(opener + "ZEBRA"))
        else:
            await _burst(pilot, opener + "ZEBRA")
        value = app.screen.query_one(field, Input)
        assert value.value == "ZEBRA"
        assert app.focused is value


async def test_type_ahead_keeps_its_order_and_slash_f_are_text_in_an_input(
    fixture_db: Path,
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        app.screen.query_one(SessionList).focus()
        await _burst(pilot, "fsource:codex")
        await pilot.press("enter")
        await wait_for_workers(pilot)
        # the filter reopens with its text selected: what is typed in the same burst
        # replaces it, `/` and `f` included (text in an input, not keys that open one)
        await _burst(pilot, "fsince:7d /f")
        field = app.screen.query_one("#filter-input", Input)
        assert field.value == "since:7d /f"
        await pilot.press("escape")
        await _burst(pilot, "/fix a/b")
        assert app.screen.query_one("#search-input", Input).value == "fix a/b"


@pytest.mark.parametrize("how", ["press", "burst"])
async def test_type_ahead_after_ctrl_p_lands_in_the_command_palette(
    fixture_db: Path, how: str
) -> None:
    from textual.command import CommandInput

    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        app.screen.query_one(SessionList).focus()
        await pilot.pause()
        if how == "press":
            await pilot.press("ctrl+p", *"ZEBRA")
        else:
            await _burst(pilot, ["ctrl+p", *"ZEBRA"])
        await pilot.pause()
        assert app.screen.query_one(CommandInput).value == "ZEBRA"
        # the palette's search runs on: let it end and close the palette before the app
        # exits (on a loaded machine its last update could meet the screen being taken down)
        await pilot.pause(0.3)
        await pilot.press("escape")
        await pilot.pause()


def _chips(app: Any) -> str:
    chips = app.screen.query_one("#filter-chips", Static)
    return str(chips.render()) if chips.display else ""


async def _filter(pilot: Pilot, text: str) -> None:
    await pilot.press("f")
    field = pilot.app.screen.query_one("#filter-input", Input)
    field.value = text
    await pilot.press("enter")
    await wait_for_workers(pilot)


async def test_list_filter_speaks_the_search_language_with_chips_and_inline_errors(
    fixture_db: Path,
) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        sessions.focus()
        await _filter(pilot, "source:CODEX")  # values are case-insensitive
        assert sessions.total == 1 and sessions.row(0).source == "codex"
        assert "source:CODEX" in _chips(app) and "Esc clears" in _chips(app)
        await _filter(pilot, "login")  # a bare word matches titles, not a project
        titles = [sessions.row(i).title for i in range(sessions.row_count())]
        assert titles and all("login" in t.lower() for t in titles), titles
        assert "title:login" in _chips(app)
        await _filter(pilot, "since:banana")  # refused, inline, the list keeps its filter
        field = app.screen.query_one("#filter-input", Input)
        assert field.display and "since:banana is not a date" in _chips(app)
        assert "since:banana" not in border_text(sessions, "subtitle")
        assert all("login" in sessions.row(i).title.lower() for i in range(sessions.row_count()))
        await pilot.press("escape")  # Escape clears every filter
        await wait_for_workers(pilot)
        assert sessions.total == 4 and _chips(app) == "" and app.focused is sessions
        with store.open(fixture_db) as db:
            infos = db.sessions(limit=None, top_level=True)
        model = next(i.model for i in infos if i.model)
        wanted = sum(1 for i in infos if i.model and model.lower() in i.model.lower())
        await _filter(pilot, f"model:{model.upper()}")
        assert sessions.total == wanted > 0
        assert f"model:{model.upper()}" in _chips(app)


async def test_escape_and_an_empty_filter_clear_the_experiment_filter(tmp_path: Path) -> None:
    from test_tui_experiments import build

    path = tmp_path / "exp.db"
    with store.open(path) as db:
        build(db)
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_workers(pilot)
        sessions = app.screen.query_one(SessionList)
        everything = sessions.total
        for leave in ("escape", "empty f", "e escape"):
            sessions.focus()
            await pilot.press("e")
            await wait_for_workers(pilot)
            await pilot.press("enter")  # the webapp project: its arms
            await wait_for_workers(pilot)
            await pilot.press("enter")  # an arm: filters the list
            await wait_for_workers(pilot)
            assert sessions.filter.experiment_id is not None, leave
            assert sessions.total < everything
            assert "experiment #" in _chips(app)
            if leave == "escape":
                await pilot.press("escape")
            elif leave == "empty f":
                await pilot.press("f")
                app.screen.query_one("#filter-input", Input).value = ""
                await pilot.press("enter")
            else:
                await pilot.press("e")
                await wait_for_workers(pilot)
                await pilot.press("escape")
            await wait_for_workers(pilot)
            assert sessions.filter.experiment_id is None, leave
            assert sessions.total == everything and _chips(app) == "", leave


async def test_the_chosen_theme_is_kept_across_restarts(fixture_db: Path, tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.json"
    app = make_app(fixture_db, config_path=str(config))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_workers(pilot)
        app.theme = "textual-light"
        await pilot.pause()
    assert json.loads(config.read_text())["theme"] == "textual-light"
    assert config.stat().st_mode & 0o777 == 0o600
    again = make_app(fixture_db, config_path=str(config))
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for_workers(pilot)
        assert again.theme == "textual-light"
    config.write_text("{not json")
    third = make_app(fixture_db, config_path=str(config))
    async with third.run_test(size=(100, 30)) as pilot:  # an odd file is ignored
        await wait_for_workers(pilot)
        assert third.theme == "textual-dark"


def test_the_theme_is_kept_beside_the_config_file_sessionscope_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with $SESSIONSCOPE_CONFIG set (to keep a session away from the real config), choosing a
    # theme wrote ~/.config/sessionscope/config.json all the same
    from sessionscope.tui.settings import default_config_path

    monkeypatch.setenv("SESSIONSCOPE_CONFIG", str(tmp_path / "mine.toml"))
    assert default_config_path() == tmp_path / "mine.json"
    monkeypatch.setenv("SESSIONSCOPE_CONFIG", str(tmp_path / "odd.json"))  # never the file itself
    assert default_config_path() == tmp_path / "odd.json.json"
    monkeypatch.delenv("SESSIONSCOPE_CONFIG")
    assert default_config_path().name == "config.json"
    # one rule for where the config file is (`config.config_path`): the settings go beside it
    elsewhere = tmp_path / "elsewhere" / "c.toml"
    monkeypatch.setattr("sessionscope.tui.settings.config_path", lambda: elsewhere, raising=False)
    assert default_config_path() == tmp_path / "elsewhere" / "c.json"


@pytest.mark.parametrize("theme", [t for t in THEMES if not t.startswith("ansi-")])
async def test_every_transcript_line_reads_in_every_theme(fixture_db: Path, theme: str) -> None:
    # times, #seq, reasoning and the fold marks are `$text-muted` (`auto 60%`): resolved
    # against the transcript's background, not left plain white (invisible on a light theme);
    # every colour reads on its background, the cursor's row too, as in the lists (the ANSI
    # themes have no RGB to measure)
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = theme
        transcript = await open_session(pilot, SESSION_A)
        transcript.focus()
        await pilot.press("j")
        await wait_for_workers(pilot)
        assert transcript.cursor is not None
        seen = ""
        for y, strip in enumerate(widget_strips(transcript)):
            seen += strip.text
            for segment in strip:
                if segment.text.strip() and segment.style is not None:
                    fg, bg = _colours(segment.style)
                    ratio = contrast(fg, bg)
                    assert ratio >= 4.5, (theme, y, segment.text, ratio)
        assert "reasoning" in seen and "#1" in seen
