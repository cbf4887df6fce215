"""MCP answers are redacted on the way out: attacks on the places a cut or a snippet hides a secret.

The store here does not redact (a plain import), so every secret must be caught by the tools'
redaction. Each secret sits where the text is cut: a search snippet (the query's marks inside the
key name, a private key joined onto one line), a `read_session` output, prose or tool input cut at
its limit, a prompt cut in `recent_prompts`, a note joined onto one line, a token split by a
zero-width space (removed by the sanitiser after redaction had passed it by).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.mcp import format as fmt
from sessionscope.mcp.tools import Recall

PASSWORD = "Hunter2Secret99xq"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY_LINES = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0",
    "IzW7yWR7QkrmBL7jTKEn5uqKhbwKfBstIsbMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWa",
    "oLcyehkd3qqGElvWVDL5AaWTg0nLVkjRo9z40RQzuVaE8AkAFmxZzow3xVJYKdjykkJ0iT9wCS0DRT",
    "Xu269V264Vf3jvredZiKRkgwlL9xNAwxXFg0xXFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC9aGVdGyn1",
]
KEY = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(KEY_LINES)
# the parts that must never be shown: the password, most of the AWS key, any line of key body
LEAKS = [
    PASSWORD[:6],
    AWS_SECRET[:8],
    *(line[:12] for line in KEY_LINES),
    *(line[-12:] for line in KEY_LINES),
]


def _assert_no_leak(out: str) -> None:
    for piece in LEAKS:
        assert piece not in out, (piece, out)


@pytest.fixture
def recall(tmp_path: Path) -> tuple[Recall, str]:
    path = tmp_path / "plain.db"
    with store.open(path) as db:
        sid = db.start_session(title="deploy notes", source="claude-code", project="/src/app")
        db.append(sid, "user", f"please set the DB password={PASSWORD} in the prod config")
        db.append(
            sid,
            "assistant",
            [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"cmd": "cat id_rsa"}}],
        )
        db.append(
            sid,
            "tool",
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": KEY + "\n-----END RSA PRIVATE KEY-----\n",
                }
            ],
        )
        db.append(sid, "user", f"my key, no END line:\n{KEY}\nwhat is wrong with it?")
        # secrets straddling read_session's cuts: prose at 2,400, a tool output at 600,
        # a tool call's input at 200 characters
        pad = "x" * (fmt.OUTPUT_CHARS * 4 - 30)
        db.append(sid, "assistant", f'{pad} aws_secret_access_key="{AWS_SECRET}" is set')
        db.append(
            sid,
            "assistant",
            [
                {
                    "type": "tool_use",
                    "id": "t2",
                    "name": "Bash",
                    "input": {"cmd": "y" * 170 + f' --password="{PASSWORD}"'},
                }
            ],
        )
        pad = "z" * (fmt.OUTPUT_CHARS - 20)
        db.append(
            sid,
            "tool",
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "t2",
                    "content": f'{pad} PASSWORD="{PASSWORD}"\n',
                }
            ],
        )
        db.append(sid, "user", "q" * 280 + f' DB_PASSWORD="{PASSWORD}" please')
        db.set_note(sid, f"old key:\n{KEY}")
    db = store.open(path, readonly=True)
    yield Recall(db, max_chars=200_000), sid
    db.close()


def test_search_snippets_never_show_a_secret_the_marks_or_the_one_line_form_would_hide(
    recall,
) -> None:
    tools, _sid = recall
    for query in (
        "password",
        "DB password",
        "RSA",
        "PRIVATE KEY",
        KEY_LINES[0],
        KEY_LINES[2],
        "BEGIN",
        "aws_secret_access_key",
        "key",
    ):
        out = tools.search(query, limit=50)
        _assert_no_leak(out.split("\n", 1)[1])  # past the line that repeats the query
    assert "«password»" in tools.search("password")  # the match is still marked
    assert "[REDACTED:password]" in tools.search("password")


def test_read_session_cuts_never_leave_part_of_a_secret(recall) -> None:
    tools, sid = recall
    out = tools.read_session(sid, around=0, before=0, after=50)
    _assert_no_leak(out)
    assert "more chars cut" in out  # the cuts are still there
    _assert_no_leak(tools.session_resource(sid))


def test_recent_prompts_and_notes_never_show_a_secret(recall) -> None:
    tools, _sid = recall
    _assert_no_leak(tools.recent_prompts(limit=50))
    _assert_no_leak(tools.list_sessions())


def test_a_token_split_by_an_invisible_character_is_not_joined_back_unredacted(
    tmp_path: Path,
) -> None:
    token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    with store.open(tmp_path / "zw.db") as db:
        sid = db.start_session(title="tokens", source="codex")
        db.append(sid, "user", f"my deploy token {token[:20]}\u200b{token[20:]} works")
        recall = Recall(db)
        for out in (
            recall.read_session(sid),
            recall.search("deploy token"),
            recall.recent_prompts(),
        ):
            assert token not in out and token[4:24] not in out, out
