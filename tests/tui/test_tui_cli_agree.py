"""The CLI and the browser show one session's age and token count the same way (both through
`sessionscope.display`): they used to print `10w` and `28k` where the browser said `2mo` and `27k`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from tui_support import wait_for_workers, widget_lines

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.tui import create_app
from sessionscope.tui.widgets.session_list import SessionList


async def test_sessions_line_and_browser_row_show_the_same_age_and_tokens(tmp_path: Path) -> None:
    path = tmp_path / "agree.db"
    when = (datetime.now(UTC) - timedelta(days=75)).isoformat().replace("+00:00", "Z")
    with store.open(path) as db:
        sid = db.start_session("agreeing session", source="claude-code", started_at=when)
        db.append(sid, "user", "hello", created_at=when, input_tokens=20_000)
        db.append(sid, "assistant", "hi", created_at=when, output_tokens=7_600)

    result = CliRunner().invoke(cli, ["sessions", "--db", str(path)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "agreeing session" in x)
    assert " 2mo " in line and " 27k " in line, line

    app = create_app(str(path), clock=lambda: datetime.now(UTC), poll_interval=0.05)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_workers(pilot)
        rows = widget_lines(app.screen.query_one(SessionList))
    title = next(x for x in rows if "agreeing session" in x)
    meta = rows[rows.index(title) + 1]
    assert title.rstrip().endswith(" 2mo"), title
    assert "27k tok" in meta, meta
