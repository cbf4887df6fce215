"""The one-line set-up of `sessionscope mcp` in each MCP client (`--print-config CLIENT`)."""

from __future__ import annotations

import json
import shlex

CLIENTS = ("claude-code", "codex", "gemini")


def snippet(client: str, args: list[str] | None = None) -> str:
    """What to run (Claude Code) or paste (Codex, Gemini CLI) to add the server to `client`.

    `args` are the server's arguments after `sessionscope` (default: `mcp`).
    """
    args = args or ["mcp"]
    if client == "claude-code":
        return "claude mcp add sessionscope -- sessionscope " + shlex.join(args)
    if client == "codex":
        return (
            "# ~/.codex/config.toml\n"
            "[mcp_servers.sessionscope]\n"
            'command = "sessionscope"\n'
            f"args = {json.dumps(args)}"
        )
    if client == "gemini":
        config = {"mcpServers": {"sessionscope": {"command": "sessionscope", "args": args}}}
        return json.dumps(config, indent=2)  # for ~/.gemini/settings.json (strict JSON)
    raise ValueError(f"unknown client {client!r}; one of {', '.join(CLIENTS)}.")
