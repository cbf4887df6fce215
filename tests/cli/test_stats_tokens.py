"""`stats` shows the four token columns (input excluding cache reads) and the priced cost, with
unpriced messages counted apart (issue 11 items 12, 13)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sessionscope.cli import cli


def test_stats_shows_cache_tokens_and_cost(fixture_tree: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["import", "codex", str(fixture_tree / "codex")]).exit_code == 0
    (data,) = json.loads(runner.invoke(cli, ["stats", "--json"]).stdout)
    # session D: Codex's 9120 input tokens include 8192 cached ones
    assert (data["input_tokens"], data["cache_read_tokens"], data["output_tokens"]) == (
        928,
        8192,
        611,
    )
    # gpt-5-codex: $1.25 / M input, $0.125 / M cached input, $10 / M output
    assert abs(data["cost_usd"] - (928 * 1.25e-6 + 8192 * 0.125e-6 + 611 * 10e-6)) < 1e-9
    assert data["unpriced_messages"] == 0
    text = runner.invoke(cli, ["stats"]).stdout
    # thousands separated, as the browser's header writes figures (571487701 read badly)
    assert "tokens       928 in, 611 out, 8,192 cache read, 0 cache write" in text.splitlines()
