"""n/N in a session whose matches a search cannot walk within its time budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import make_app, wait_for_workers

from sessionscope import store
from sessionscope.store.search import clock
from sessionscope.tui.widgets.transcript import Transcript


async def test_matches_past_the_search_budget_are_all_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A common word in a 300,000-message session: its matches cannot be sorted within the
    # search's 50 ms. The transcript read that partial, empty page as the last one: "no matches
    # here" and "No match in this session" for a word in a quarter of the messages.
    path = tmp_path / "long.db"
    with store.open(path) as db:
        sid = db.start_session(title="long", source="api")
        db.append_many(sid, [{"role": "user", "content": f"word {i} output"} for i in range(30)])
    real_start = clock.Clock.start

    def spent(self: clock.Clock) -> None:  # every budgeted walk is already past its budget
        real_start(self)
        if self.budget is not None:
            self.expired = True

    monkeypatch.setattr(clock.Clock, "start", spent)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_workers(pilot)
        transcript = app.screen.query_one(Transcript)
        transcript.open(sid, seq=29, query="output")
        await wait_for_workers(pilot)
        assert transcript.matches == list(range(30))
        assert "no matches here" not in str(transcript.border_subtitle)
        transcript.focus()
        await pilot.press("n")  # wraps to the first match
        await wait_for_workers(pilot)
        assert transcript.current_match == 0
