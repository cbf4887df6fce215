"""Cost in the browser: the header (whole store), the list's title (its filter, subagents
included), each row, and the transcript's header line; unpriced sessions show no `$0.00`.

The store is built by hand and every expected figure is worked out here from its messages."""

from __future__ import annotations

from pathlib import Path

from tui_support import border_text, make_app, open_session, wait_for_workers, widget_lines

from sessionscope import store
from sessionscope.tui.widgets.header import AppHeader
from sessionscope.tui.widgets.session_list import SessionList

WEB, API, SUB, FREE = "sess-web", "sess-api", "sess-web-sub", "sess-unpriced"


def _cost_store(path: Path) -> Path:
    """web: $0.50 + $0.75 = $1.25 and a subagent of $0.10; api: $2.00; unpriced: tokens, no
    price (an unknown model). Store total $3.35; `project:webapp` lists web = $1.35."""
    with store.open(path) as db:
        db.start_session(id=WEB, title="web work", source="claude-code", project="/p/webapp")
        db.append(WEB, "user", "fix it", created_at="2026-10-12T09:00:00Z")
        for n, cost in enumerate((0.50, 0.75)):
            db.append(
                WEB,
                "assistant",
                f"done {n}",
                created_at=f"2026-10-12T09:0{n + 1}:00Z",
                model="claude-sonnet-4-5",
                input_tokens=1000,
                output_tokens=100,
                cost_usd=cost,
            )
        db.start_session(
            id=SUB, title="sub", source="claude-code", project="/p/webapp", parent_session_id=WEB
        )
        db.append(SUB, "assistant", "sub", created_at="2026-10-12T09:05:00Z", cost_usd=0.10)
        db.start_session(id=API, title="api work", source="codex", project="/p/api")
        db.append(API, "assistant", "x", created_at="2026-10-12T08:00:00Z", cost_usd=2.00)
        db.start_session(id=FREE, title="unpriced work", source="codex", project="/p/api")
        db.append(
            FREE,
            "assistant",
            "y",
            created_at="2026-10-12T07:00:00Z",
            model="mystery-model",
            input_tokens=5000,
            metadata={"unpriced": True},
        )
    return path


def test_store_totals_add_up_by_hand(tmp_path: Path) -> None:
    with store.open(_cost_store(tmp_path / "c.db")) as db:
        assert round(db.counts()["cost_usd"], 6) == 3.35
        count, cost = db.session_totals()
        assert count == 3 and round(cost, 6) == 3.35  # the subagent's $0.10 with its parent
        count, cost = db.session_totals(match="project:webapp")  # the subagent matches too
        assert count == 1 and round(cost, 6) == 1.35  # ... and is counted once
        assert db.session_totals(match="project:nothing") == (0, 0.0)
        count, cost = db.session_totals(match="source:codex")
        assert count == 2 and round(cost, 6) == 2.00  # api's $2.00; unpriced adds nothing


async def test_cost_in_header_rows_and_transcript(tmp_path: Path) -> None:
    app = make_app(_cost_store(tmp_path / "c.db"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        header = str(app.screen.query_one(AppHeader).render())
        assert "4 sessions" in header and "$3.35" in header
        sessions = app.screen.query_one(SessionList)
        assert border_text(sessions) == "Sessions · 3 · $3.35"
        lines = widget_lines(sessions)
        meta = {lines[i].strip(" ▸").split("  ")[0]: lines[i + 1].rstrip() for i in (0, 2, 4)}
        # the cost is the meta line's right end, under the age; an unpriced row shows none
        assert meta["web work"].endswith(" $1.25") and meta["api work"].endswith(" $2.00")
        assert "5.0k tok" in meta["unpriced work"] and "$" not in meta["unpriced work"]

        await pilot.press("f", *"project:webapp", "enter")
        await wait_for_workers(pilot)
        assert border_text(sessions).startswith("Sessions · 1 · $1.35")
        assert "$3.35" in str(app.screen.query_one(AppHeader).render())  # the store's, still

        transcript = await open_session(pilot, WEB)
        subtitle = border_text(transcript, "subtitle")
        assert "3 msg ·" in subtitle and subtitle.endswith(" · $1.25")
        await pilot.press("escape")
        await pilot.press("escape")  # clear the filter
        await wait_for_workers(pilot)
        transcript = await open_session(pilot, FREE)
        subtitle = border_text(transcript, "subtitle")
        assert "1 msg" in subtitle and "$" not in subtitle
