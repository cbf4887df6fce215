"""`sessionscope mcp` driven by the MCP SDK's own client, over stdio and streamable HTTP."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_support import build

pytest.importorskip("mcp")

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

TOOLS = {"search", "list_sessions", "read_session", "recent_prompts", "usage"}


def _text(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "text", None))


async def exercise(client: ClientSession, ids: dict[str, str], *, writes: bool) -> None:
    """List the tools, call each one, and check what a model would read."""
    await client.initialize()
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS | ({"record_signal"} if writes else set())
    schema = tools["search"].input_schema
    assert schema["required"] == ["query"]
    assert {"query", "limit", "project", "source", "since", "exclude_session"} <= set(
        schema["properties"]
    )
    assert "session_id#seq" in (tools["search"].description or "")

    found = await client.call_tool(
        "search", {"query": "timezone error", "exclude_session": ids["current"]}
    )
    assert not found.is_error
    text = _text(found)
    assert f"[{ids['flaky']}#0]" in text and ids["current"] not in text

    secret_hit = _text(await client.call_tool("search", {"query": "ANTHROPIC_API_KEY"}))
    assert f"{ids['flaky']}#3" in secret_hit and "sk-ant-api03" not in secret_hit

    window = await client.call_tool(
        "read_session", {"session_id": ids["flaky"], "around": 2, "before": 1, "after": 1}
    )
    body = _text(window)
    assert "messages 1–3 of 4" in body and "→ tool call Bash" in body
    assert "more chars cut]" in body and "sk-ant-api03" not in body

    capped = _text(
        await client.call_tool(
            "read_session", {"session_id": ids["flaky"], "after": 5, "max_chars": 400}
        )
    )
    assert "answer cut at max_chars=400" in capped and len(capped) < 600

    hostile = await client.call_tool("search", {"query": '"NEAR( * OR \x1b[31m -)'})
    assert not hostile.is_error and "\x1b" not in _text(hostile)

    missing = await client.call_tool("read_session", {"session_id": "no-such-session"})
    assert missing.is_error and "no session has id" in _text(missing)
    bad_type = await client.call_tool("search", {"query": "x", "limit": "many"})
    assert bad_type.is_error

    listed = _text(await client.call_tool("list_sessions", {"project": "billing"}))
    assert f"[{ids['billing']}#0]" in listed and ids["flaky"] not in listed
    prompts = _text(await client.call_tool("recent_prompts", {"limit": 5}))
    assert "add a refund webhook" in prompts
    assert "1,200/120" in _text(await client.call_tool("usage", {"by": "model"}))

    resource = await client.read_resource(f"sessionscope://session/{ids['billing']}")
    assert "refund webhook now verifies" in resource.contents[0].text  # type: ignore[union-attr]

    if writes:
        done = await client.call_tool(
            "record_signal", {"session_id": ids["billing"], "value": 1.0, "source": "test"}
        )
        assert not done.is_error and "Recorded signal" in _text(done)
        out_of_range = await client.call_tool(
            "record_signal", {"session_id": ids["billing"], "value": 7}
        )
        assert out_of_range.is_error
    # after the errors the server still answers
    assert "hit(s)" in _text(await client.call_tool("search", {"query": "refund"}))


def _env() -> dict[str, str]:
    return {"PYTHONUNBUFFERED": "1", "SESSIONSCOPE_DEBUG": ""}


async def test_stdio_client_calls_every_tool(tmp_path: Path) -> None:
    db = tmp_path / "mcp.db"
    ids = build(db)
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "sessionscope", "--db", str(db), "mcp", "--allow-writes"],
        env=_env(),
    )
    with anyio.fail_after(120):
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write) as client,
        ):
            await exercise(client, ids, writes=True)


async def test_stdio_server_is_read_only_by_default(tmp_path: Path) -> None:
    db = tmp_path / "mcp.db"
    ids = build(db)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "sessionscope", "--db", str(db), "mcp"], env=_env()
    )
    with anyio.fail_after(120):
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write) as client,
        ):
            await exercise(client, ids, writes=False)
            refused = await client.call_tool(
                "record_signal", {"session_id": ids["billing"], "value": 1.0}
            )
            assert refused.is_error


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


async def test_streamable_http_client_calls_every_tool(tmp_path: Path) -> None:
    db = tmp_path / "mcp.db"
    ids = build(db)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionscope", "--db", str(db), "mcp", "--http", str(port)],
        env={**os.environ, **_env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(port, proc)
        with anyio.fail_after(120):
            async with (
                streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write),
                ClientSession(read, write) as client,
            ):
                await exercise(client, ids, writes=False)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        if proc.stderr is not None:
            proc.stderr.close()
