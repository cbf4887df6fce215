"""`--since` / `--until`: one meaning and one error for every command that takes them, and
`stats` counts the period it is given, with `--by` or without."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.store.timeutil import now_iso


@pytest.fixture
def old_and_new(store_path: Path) -> None:
    """Three sessions: two with messages years ago, one with messages now."""
    with store.open() as db:
        for source in ("codex", "codex"):
            old = db.start_session(title="old", source=source)
            db.append(old, "user", "hello", created_at="2024-01-01T10:00:00Z")
            db.append(old, "assistant", "hi", created_at="2024-01-01T10:00:01Z", cost_usd=2.0)
        new = db.start_session(title="new", source="claude-code")
        db.append(new, "user", "hello", created_at=now_iso())
        db.append(new, "assistant", "hi", created_at=now_iso(), input_tokens=7, cost_usd=0.5)


def _stats(*args: str) -> str:
    result = CliRunner().invoke(cli, ["stats", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_stats_counts_the_period_without_by_too(old_and_new: None) -> None:
    assert "sessions     3 " in _stats()
    recent = _stats("--since", "1d")
    assert "sessions     1  claude-code: 1" in recent and "codex" not in recent
    assert "messages     2 " in recent and "cost         $0.50" in recent
    assert "\nperiod       " in recent and "\nperiod" not in _stats()
    (by_source,) = json.loads(_stats("--by", "source", "--since", "1d", "--json"))
    (summary,) = json.loads(_stats("--since", "1d", "--json"))
    assert summary["sessions"] == by_source["sessions"] == 1
    assert summary["messages"] == by_source["messages"] == 2
    old = json.loads(_stats("--since", "2023-12-01", "--until", "2024-01-01", "--json"))[0]
    assert (old["sessions"], old["by_source"], old["cost_usd"]) == (2, {"codex": 2}, 4.0)
    assert (old["since"], old["until"]) == ("2023-12-01", "2024-01-01")


BAD = [
    ["stats", "--since", "banana"],
    ["stats", "--until", "banana"],
    ["stats", "--json", "--since", "banana"],
    ["stats", "--by", "day", "--since", "banana"],
    ["stats", "--by", "day", "--until", "banana"],
    ["sessions", "--since", "banana"],
    ["sessions", "--until", "banana"],
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) for a in BAD])
def test_a_bad_period_is_the_same_one_line_error_everywhere(
    old_and_new: None, args: list[str]
) -> None:
    result = CliRunner().invoke(cli, args)
    name = args[args.index("banana") - 1]
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"sessionscope: error: {name} 'banana' is not a date "
        "(use 7d, 12h, yesterday or 2026-10-01).\n"
    )
