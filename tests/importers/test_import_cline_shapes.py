"""Cline and Roo Code history shapes (cline/cline `src/core/prompts/responses.ts` and the task's
`pushToolResult`; RooCodeInc/Roo-Code `task-persistence/apiMessages.ts`, `rooMessage.ts`,
`condense/index.ts`, `context-management/index.ts`): XML tool results, extension notices and
typed feedback in user messages, OpenAI reasoning items, condense summaries, sliding-window
markers and the `{version: 2}` history. Fixture: tests/importers/fixtures/cline-shapes (facts in
tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.store.models import Message

FIXTURE = Path(__file__).parent / "fixtures" / "cline-shapes"
XML = "1791300000000"
ROO = "5d4c3b2a-7777-4a8b-9c0d-000000000007"
V2 = "6e5d4c3b-8888-4b9c-8d0e-000000000008"


@pytest.fixture
def tasks(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "storage")
    return tmp_path / "storage"


def _kinds(msgs: list[Message]) -> list[tuple[str, Any]]:
    return [(m.role, m.metadata.get("kind")) for m in msgs]


def test_xml_tool_results_notices_and_typed_feedback(db: store.Store, tasks: Path) -> None:
    import_source(db, "cline", tasks / "saoudrizwan.claude-dev")
    msgs = db.messages(XML)
    assert _kinds(msgs) == [
        ("user", None),
        ("system", "context"),  # the <environment_details>
        ("assistant", None),
        ("tool", None),  # [read_file for 'src/date.ts'] Result:
        ("assistant", None),
        ("tool", None),  # [attempt_completion] Result: …
        ("user", None),  # … and the <feedback> typed in it
        ("assistant", None),
        ("system", "error"),  # ui_messages.json `say: error`, after the request's reply
        ("system", "context"),  # [ERROR] You did not use a tool …
        ("assistant", None),
        ("system", "api_error"),  # ui_messages.json `ask: api_req_failed`
        ("system", "context"),  # [TASK RESUMPTION] …
        ("user", None),  # … <user_message>
        ("assistant", None),
    ]
    read = msgs[3].blocks[0]
    assert read["type"] == "tool_result"
    assert read["content"] == (
        "[read_file for 'src/date.ts'] Result:\nexport const fmt = (d) => d.toLocaleDateString();"
    )
    assert msgs[3].blocks[1]["text"].startswith("<environment_details>")
    assert "<feedback>" in msgs[5].blocks[0]["content"]  # the result keeps what the model got
    assert [msgs[i].text for i in (0, 6, 13)] == [
        "Fix the failing date test",
        "Also handle time zones",
        "Use UTC everywhere",
    ]
    assert msgs[9].text.startswith("[ERROR] You did not use a tool")
    assert msgs[8].text.startswith("Cline tried to use replace_in_file without value")
    assert msgs[11].text == "429 Too Many Requests: rate limit exceeded, retry later"
    assert {(h.session_id, h.seq) for h in db.search("is:error")} == {(XML, msgs[11].seq)}
    assert db.recent_inputs(10) == [
        "Use UTC everywhere",
        "Also handle time zones",
        "Fix the failing date test",
    ]
    s = db.session(XML)
    assert s is not None and (s.title, s.cwd) == ("Fix the failing date test", "/home/dev/calendar")
    replies = [m for m in msgs if m.role == "assistant"]
    assert [m.output_tokens for m in replies] == [50, 60, 20, 70, 30]


def test_roo_reasoning_condense_and_truncation(db: store.Store, tasks: Path) -> None:
    import_source(db, "roo-code", tasks / "rooveterinaryinc.roo-cline")
    msgs = db.messages(ROO)
    assert _kinds(msgs) == [
        ("user", None),
        ("system", "context"),
        ("assistant", None),
        ("tool", None),
        ("assistant", None),
        ("system", "interrupt"),  # the request's cancelReason: user_cancelled
        ("system", "compaction"),
        ("assistant", "compact_summary"),
        ("system", "truncation"),
        ("user", None),
        ("assistant", None),
    ]
    # the reasoning item is the thinking of the reply after it, not a malformed message
    assert msgs[2].blocks[0] == {
        "type": "thinking",
        "thinking": "Check how the loader merges sources.",
    }
    assert msgs[10].blocks[0] == {
        "type": "thinking",
        "thinking": "Spread process.env after the file.",
    }
    assert msgs[5].text == "Request cancelled by the user"
    assert msgs[7].blocks[1]["text"].startswith("1. Previous Conversation:")
    assert msgs[8].text == "[Sliding window truncation: 2 messages hidden to reduce context]"
    assert msgs[9].text == "Read env vars last so they win"
    # the summary was made by a call of its own: the requests stay with their replies
    assert [(m.input_tokens, m.output_tokens) for m in msgs if m.role == "assistant"] == [
        (3000, 80),
        (3500, 40),
        (0, 0),
        (9000, 25),
    ]
    assert msgs[6].created_at == msgs[7].created_at == "2026-10-06T18:07:39.999Z"
    assert db.recent_inputs(10) == [
        "List the TODO comments",  # the {version: 2} task, newer
        "Read env vars last so they win",
        "Why does the config loader ignore env vars?",
    ]


def test_roo_versioned_history(db: store.Store, tasks: Path) -> None:
    report = import_source(db, "roo-code", tasks / "rooveterinaryinc.roo-cline")
    assert report.files_unread == 0 and not report.skipped_lines
    msgs = db.messages(V2)
    assert [m.role for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert msgs[1].blocks == [
        {"type": "thinking", "thinking": "Search the sources."},
        {
            "type": "tool_use",
            "id": "call_s1",
            "name": "search_files",
            "input": {"path": ".", "regex": "TODO"},
        },
    ]
    assert msgs[2].blocks[0]["tool_use_id"] == "call_s1"
    assert msgs[2].blocks[0]["content"] == "src/app.ts:7: // TODO: retry"
    s = db.session(V2)
    assert s is not None and (s.title, s.input_tokens, s.output_tokens) == (
        "List the TODO comments",
        1500,
        45,
    )


def test_tasks_imported_before_these_rules_are_read_again_once(
    db: store.Store, tasks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that imported the task with the old conversion gets the new messages from the
    unchanged files, once, without duplicates."""
    from sessionscope.importers import cline

    def old(blocks: list[dict[str, Any]], key: str, created: str | None) -> list[Any]:
        return [{"role": "user", "content": blocks, "created_at": created, "external_id": key}]

    root = tasks / "saoudrizwan.claude-dev"
    with monkeypatch.context() as patch:
        patch.setattr(cline, "user_messages", old)
        patch.setattr(cline.ClineSource, "rules", 0)
        import_source(db, "cline", root)
    assert "[ERROR] You did not use a tool" in db.recent_inputs(10)[1]

    assert import_source(db, "cline", root).messages > 0  # the files are unchanged
    clean = store.open(tasks / "clean.db")
    import_source(clean, "cline", root)
    assert _kinds(db.messages(XML)) == _kinds(clean.messages(XML))
    assert [m.text for m in db.messages(XML)] == [m.text for m in clean.messages(XML)]
    assert import_source(db, "cline", root).messages == 0  # once


def test_a_task_started_with_an_image_alone_reads_its_later_messages_as_any_other(
    db: store.Store, tmp_path: Path
) -> None:
    """A first prompt with no text (a screenshot sent alone) gives no title; the next user
    message was then read as the task's first one: an XML tool result and the `<answer>` in it
    a prompt, titled `[ask_followup_question for '…'] Result:`."""
    import json

    task = tmp_path / "tasks" / "1791400000000"
    task.mkdir(parents=True)
    env = {
        "type": "text",
        "text": "<environment_details>\n# Current Working Directory (/home/dev/app) Files\n"
        "</environment_details>",
    }
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
    }
    history = [
        {"role": "user", "content": [{"type": "text", "text": "<task>\n</task>"}, image, env]},
        {"role": "assistant", "content": [{"type": "text", "text": "What should I change?"}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "[ask_followup_question for 'What?'] Result:"},
                {"type": "text", "text": "<answer>\nMake the bars blue\n</answer>"},
                env,
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
    ]
    (task / "api_conversation_history.json").write_text(json.dumps(history))
    import_source(db, "cline", tmp_path / "tasks")
    msgs = db.messages(task.name)
    assert _kinds(msgs) == [
        ("user", None),
        ("system", "context"),
        ("assistant", None),
        ("tool", None),
        ("user", None),
        ("assistant", None),
    ]
    assert msgs[4].text == "Make the bars blue"
    session = db.session(task.name)
    assert session is not None and session.title == "Make the bars blue"
