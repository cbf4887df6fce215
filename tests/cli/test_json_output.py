"""Every `--json` output goes through one writer: valid JSON, inert on a terminal, exact when read."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_support import INVISIBLE

from sessionscope import store
from sessionscope.cli import cli

# what a terminal would act on, or what hides text, if it reached it raw
ACTIVE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f]"
)
HOSTILE = "evil\x1b]0;pwned\x07\x9b31m\u202eflipped\u200bzw\x9d52;c;Y3VybA==\x07"


@pytest.fixture
def hostile_store(db: store.Store) -> dict[str, object]:
    """A store whose every free-text field carries escape sequences, C1 and bidi characters."""
    sid = db.start_session(
        title=f"title {HOSTILE}",
        source=f"src{HOSTILE}",
        project=f"/p/{HOSTILE}",
        model=f"model{HOSTILE}",
    )
    db.append(sid, "user", f"needle prompt {HOSTILE}")
    db.append(
        sid,
        "assistant",
        [
            {"type": "text", "text": f"needle reply {HOSTILE}"},
            {"type": "tool_use", "id": "t1", "name": f"Bash{HOSTILE}", "input": {"c": HOSTILE}},
        ],
        output_tokens=3,
    )
    pid = db.create_project(f"proj{HOSTILE}", root_path=f"/r/{HOSTILE}")
    db.add_config(pid, {"system_prompt_prefix": HOSTILE}, role="champion")
    chall = db.add_config(pid, {"system_prompt_prefix": HOSTILE + "2"})
    eid = db.start_experiment(pid, challenger_config_id=chall)
    return {"session": sid, "experiment": eid}


def _strings(value: object) -> list[str]:
    """Every string in a parsed JSON value (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _commands(ids: dict[str, object]) -> list[list[str]]:
    sid, eid = str(ids["session"]), str(ids["experiment"])
    return [
        ["sessions", "--json"],
        ["search", "needle", "--json"],
        ["show", sid, "--format", "json"],
        ["export", sid, "--format", "json"],
        ["stats", "--json"],
        ["doctor", "--json"],
        ["experiments", "list", "--json"],
        ["experiments", "show", eid, "--json"],
        ["experiments", "decide", eid, "--json"],
    ]


def test_every_json_command_is_inert_and_exact(hostile_store: dict[str, object]) -> None:
    for args in _commands(hostile_store):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), (args, result.output)
        out = result.stdout
        assert out.strip(), args
        assert not ACTIVE.search(out.replace("\n", "")), (args, out)
        data = json.loads(out)
        # escapes read back exactly: the hostile text survives whole somewhere in the output
        if args[0] != "doctor" and args[:2] != ["experiments", "decide"]:
            assert any(HOSTILE in text for text in _strings(data)), args


def test_lean_search_path_is_inert(
    hostile_store: dict[str, object], store_path: Path, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sessionscope", "search", "needle", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert not ACTIVE.search(proc.stdout.replace("\n", ""))
    assert any(HOSTILE in text for text in _strings(json.loads(proc.stdout)))


def test_bidi_format_and_tag_characters_are_escaped_in_json_and_gone_from_text(
    db: store.Store,
) -> None:
    """`start_session(id="ab\u061ccd", title="x\u061cy")` and friends: `sessions` printed the
    raw U+061C, and every `--json` command the tag characters, U+206A-206F and U+180E. Now the
    text shows none of them, and JSON writes each as an escape (a surrogate pair past U+FFFF)
    that reads back exactly."""
    sid = db.start_session(id="ab\u061ccd", title=f"x\u061cy needle {INVISIBLE}", source="api")
    db.append(sid, "user", f"needle {INVISIBLE}")
    db.close()
    text = CliRunner().invoke(cli, ["sessions"]).stdout
    assert "abcd" in text and "xy needle" in text
    assert not ACTIVE.search(text.replace("\n", "")), text
    for args in _commands({"session": sid, "experiment": "none"})[:4]:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
        assert not ACTIVE.search(result.stdout.replace("\n", "")), args
        assert "\\u061c" in result.stdout and "\\udb40\\udc41" in result.stdout, args
        strings = _strings(json.loads(result.stdout))
        assert "ab\u061ccd" in strings or args[0] == "search", args
        assert any(INVISIBLE in s for s in strings), args
