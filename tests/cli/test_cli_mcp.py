"""`sessionscope mcp`: the one-line set-up snippets and the errors a user can meet."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope.cli import cli
from sessionscope.cli import mcp as mcp_cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_print_config_claude_code() -> None:
    code, out, _ = _run("mcp", "--print-config", "claude-code")
    assert code == 0
    assert out == "claude mcp add sessionscope -- sessionscope mcp\n"


def test_print_config_codex_is_toml_for_config_toml() -> None:
    code, out, _ = _run("mcp", "--print-config", "codex")
    assert code == 0
    assert tomllib.loads(out) == {
        "mcp_servers": {"sessionscope": {"command": "sessionscope", "args": ["mcp"]}}
    }


def test_print_config_gemini_is_json_with_the_db_path(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    code, out, _ = _run("--db", str(db), "mcp", "--print-config", "gemini")
    assert code == 0
    assert json.loads(out) == {
        "mcpServers": {
            "sessionscope": {"command": "sessionscope", "args": ["--db", str(db), "mcp"]}
        }
    }


def test_unknown_client_and_bad_address_are_one_line_errors(tmp_path: Path) -> None:
    code, _, err = _run("mcp", "--print-config", "cursor")
    assert code == 2 and "cursor" in err
    code, _, err = _run("mcp", "--http", "localhost:http")
    assert code == 1
    assert err.strip().splitlines() == [
        "sessionscope: error: --http expects HOST:PORT (e.g. 127.0.0.1:8765), not 'localhost:http'."
    ]


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    code, _, err = _run("--db", str(tmp_path / "none.db"), "mcp")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "no store at" in err


def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        mcp_cli.importlib.util,
        "find_spec",
        lambda name, *a: None if name.split(".")[0] == "mcp" else real(name, *a),
    )
    code, _, err = _run("mcp")
    assert code == 1
    assert err.strip().splitlines() == [
        "sessionscope: error: sessionscope mcp needs the MCP SDK: pip install 'sessionscope[mcp]'"
        " (or: pip install mcp)."
    ]


def test_parse_http() -> None:
    assert mcp_cli.parse_http("8765") == ("127.0.0.1", 8765)
    assert mcp_cli.parse_http(":8765") == ("127.0.0.1", 8765)
    assert mcp_cli.parse_http("0.0.0.0:80") == ("0.0.0.0", 80)
    assert mcp_cli.parse_http("[::1]:9") == ("::1", 9)
