"""A small store for the MCP tests: two projects, a planted secret, a long tool output."""

from __future__ import annotations

from pathlib import Path

from sessionscope import store

SECRET = "sk-ant-api03-" + "Zq7xW2vK9pL4mN8bR3tY6uI1oP5aS0dF" * 3 + "-AbCdEfGh"
LONG_OUTPUT = "line of build output\n" * 2000  # 42,000 characters


def build(path: Path) -> dict[str, str]:
    """Write the fixture store at `path` (redaction off, as a plain import leaves it)."""
    ids: dict[str, str] = {}
    with store.open(path) as db:
        ids["flaky"] = db.start_session(
            title="fix flaky login test", source="claude-code", project="/src/webapp"
        )
        db.append(ids["flaky"], "user", "why does test_login fail with a timezone error?")
        db.append(
            ids["flaky"],
            "assistant",
            [
                {"type": "text", "text": "Let me run the tests."},
                {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"cmd": "pytest -x"}},
            ],
            input_tokens=1200,
            output_tokens=80,
            model="claude-sonnet-4-5",
        )
        db.append(
            ids["flaky"],
            "tool",
            [{"type": "tool_result", "tool_use_id": "t1", "content": LONG_OUTPUT}],
        )
        db.append(
            ids["flaky"],
            "assistant",
            f"The timezone comes from the server. I set ANTHROPIC_API_KEY={SECRET} in .env.",
            output_tokens=40,
        )
        ids["billing"] = db.start_session(
            title="refund webhook", source="codex", project="/src/billing"
        )
        db.append(ids["billing"], "user", "add a refund webhook to the orders API")
        db.append(ids["billing"], "assistant", "The refund webhook now verifies signatures.")
        ids["current"] = db.start_session(title="the agent asking", source="claude-code")
        db.append(ids["current"], "user", "have I fixed the timezone error before?")
    return ids
