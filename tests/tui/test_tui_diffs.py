"""Edits show as diffs in the browser: folded to `Edit <file> +N -M`, expanded to coloured lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import (
    SESSION_A,
    import_fixtures,
    make_app,
    open_session,
    wait_for_workers,
    widget_lines,
    widget_strips,
)


@pytest.fixture
def fixture_db(tmp_path: Path, fixture_tree: Path) -> Path:
    return import_fixtures(tmp_path / "fixtures.db", fixture_tree)


async def test_edit_folds_to_a_summary_and_expands_to_a_diff(fixture_db: Path) -> None:
    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        text = "\n".join(widget_lines(transcript))
        assert "▸ Edit  src/components/LoginForm.tsx +" in text
        await pilot.press("t")
        await wait_for_workers(pilot)
        # scroll to the first expanded edit and look at its lines and their colours
        ok = transcript.get_component_rich_style("transcript--ok", partial=True)
        error = transcript.get_component_rich_style("transcript--error", partial=True)
        found_add = found_del = False
        for _ in range(30):
            for strip in widget_strips(transcript):
                for segment in strip:
                    body = segment.text.strip()
                    if (
                        body.startswith("+")
                        and len(body) > 1
                        and segment.style
                        and segment.style.color == ok.color
                    ):
                        found_add = True
                    if (
                        body.startswith("-")
                        and len(body) > 1
                        and segment.style
                        and segment.style.color == error.color
                    ):
                        found_del = True
            if found_add and found_del:
                break
            await pilot.press("pagedown")
            await wait_for_workers(pilot)
        assert found_add and found_del


async def test_injected_context_folds_to_one_line_until_opened(fixture_db: Path) -> None:
    from tui_support import SESSION_A

    app = make_app(fixture_db)
    async with app.run_test(size=(120, 36)) as pilot:
        transcript = await open_session(pilot, SESSION_A)
        text = "\n".join(widget_lines(transcript))
        assert "▸ context: caveat about local commands" in text
        assert "DO NOT respond" not in text
        await pilot.press("g", "j")  # the first message header, then its folded context line
        await pilot.press("space")
        await wait_for_workers(pilot)
        text = "\n".join(widget_lines(transcript))
        assert "▾ context: caveat about local commands" in text and "DO NOT respond" in text
