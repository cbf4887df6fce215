"""`sessionscope.integrations.openai_agents.Session` against the real `openai-agents` package
(the session protocol and a Runner with a local fake model: no network)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

agents = pytest.importorskip("agents")

from agents import Agent, Runner, function_tool, set_tracing_disabled  # noqa: E402
from agents.items import ModelResponse  # noqa: E402
from agents.memory.session import Session as SessionProtocol  # noqa: E402
from agents.models.interface import Model  # noqa: E402
from agents.usage import Usage  # noqa: E402
from openai.types.responses import (  # noqa: E402
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from sessionscope import store  # noqa: E402
from sessionscope.integrations.openai_agents import Session  # noqa: E402

set_tracing_disabled(True)

ITEMS: list[dict[str, Any]] = [
    {"role": "developer", "content": "Be brief."},
    {"role": "user", "content": "Where is my refund? ü ✓ 日本"},
    {
        "id": "rs_1",
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": "Look the order up first."}],
    },
    {
        "type": "function_call",
        "call_id": "call_1",
        "name": "lookup_order",
        "arguments": '{"order_id": 42, "verbose": true}',
        "id": "fc_1",
        "status": "completed",
    },
    {"type": "function_call_output", "call_id": "call_1", "output": '{"status": "refunded"}'},
    {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [
            {"type": "output_text", "text": "It was refunded.", "annotations": [], "logprobs": []}
        ],
    },
    {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"query": "q"}},
    {"role": "user", "content": [{"type": "input_text", "text": "thanks"}], "score": 0.1 + 0.2},
]


@pytest.fixture
def db(tmp_path: Path) -> Any:
    opened = store.open(tmp_path / "agents.db")
    yield opened
    opened.close()


def test_implements_the_sdk_protocol(db: store.Store) -> None:
    assert isinstance(Session("s", db), SessionProtocol)


async def test_items_round_trip_exactly(db: store.Store) -> None:
    session = Session("rt", db, title="refund chat")
    await session.add_items(ITEMS[:3])
    await session.add_items(ITEMS[3:])
    got = await session.get_items()
    assert got == ITEMS
    assert [json.dumps(i) for i in got] == [json.dumps(i) for i in ITEMS]  # key order, floats
    assert await Session("rt", db).get_items() == ITEMS  # another instance, same store


async def test_each_item_is_one_message_with_the_right_role_and_blocks(db: store.Store) -> None:
    await Session("blocks", db, project="/src/shop").add_items(ITEMS)
    messages = db.messages("blocks")
    assert [(m.role, [b["type"] for b in m.blocks]) for m in messages] == [
        ("system", ["text"]),
        ("user", ["text"]),
        ("assistant", ["thinking"]),
        ("assistant", ["tool_use"]),
        ("tool", ["tool_result"]),
        ("assistant", ["text"]),
        ("assistant", ["tool_use"]),
        ("user", ["text"]),
    ]
    assert messages[3].blocks[0] == {
        "type": "tool_use",
        "id": "call_1",
        "name": "lookup_order",
        "input": {"order_id": 42, "verbose": True},
    }
    assert messages[4].blocks[0]["tool_use_id"] == "call_1"
    assert messages[2].blocks[0]["thinking"] == "Look the order up first."
    info = db.session("blocks")
    assert info is not None and (info.source, info.project) == ("openai-agents", "/src/shop")
    assert {h.seq for h in db.search("refunded")} == {4, 5}
    assert db.tool_calls("blocks")["call_1"]["result_seq"] == 4


async def test_tokens_when_an_item_carries_them(db: store.Store) -> None:
    item = {"role": "assistant", "content": "hi", "usage": {"input_tokens": 9, "output_tokens": 3}}
    await Session("tok", db).add_items([item])
    info = db.session("tok")
    assert info is not None and (info.input_tokens, info.output_tokens) == (9, 3)
    assert await Session("tok", db).get_items() == [item]


# -- the SDK's own session test cases (tests/memory/test_session.py), on this Session ----------


async def test_sdk_direct(db: store.Store) -> None:
    session = Session("direct_test", db)
    await session.add_items(
        [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi there!"}]
    )
    retrieved = await session.get_items()
    assert len(retrieved) == 2
    assert retrieved[0].get("role") == "user" and retrieved[0].get("content") == "Hello"
    assert retrieved[1].get("role") == "assistant" and retrieved[1].get("content") == "Hi there!"
    await session.clear_session()
    assert await session.get_items() == []


async def test_sdk_pop_item(db: store.Store) -> None:
    session = Session("pop_test", db)
    assert await session.pop_item() is None
    await session.add_items(
        [
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi there!"},
            {"role": "user", "content": "How are you?"},
        ]
    )
    assert len(await session.get_items()) == 3
    popped = await session.pop_item()
    assert popped == {"role": "user", "content": "How are you?"}
    after = await session.get_items()
    assert len(after) == 2 and after[-1].get("content") == "Hi there!"
    assert (await session.pop_item()) == {"role": "assistant", "content": "Hi there!"}
    assert (await session.pop_item()) == {"role": "user", "content": "Hello"}
    assert await session.pop_item() is None
    assert await session.get_items() == []
    assert db.message_count("pop_test") == 0


async def test_sdk_pop_different_sessions(db: store.Store) -> None:
    one, two = Session("session_1", db), Session("session_2", db)
    await one.add_items([{"role": "user", "content": "Session 1 message"}])
    await two.add_items(
        [
            {"role": "user", "content": "Session 2 message 1"},
            {"role": "user", "content": "Session 2 message 2"},
        ]
    )
    assert (await two.pop_item() or {}).get("content") == "Session 2 message 2"
    assert [i["content"] for i in await one.get_items()] == ["Session 1 message"]
    assert [i["content"] for i in await two.get_items()] == ["Session 2 message 1"]


async def test_sdk_get_items_with_limit(db: store.Store) -> None:
    session = Session("count_test", db)
    items = []
    for n in (1, 2, 3):
        items += [
            {"role": "user", "content": f"Message {n}"},
            {"role": "assistant", "content": f"Response {n}"},
        ]
    await session.add_items(items)
    assert len(await session.get_items()) == 6
    assert [i["content"] for i in await session.get_items(limit=2)] == ["Message 3", "Response 3"]
    assert [i["content"] for i in await session.get_items(limit=4)] == [
        "Message 2",
        "Response 2",
        "Message 3",
        "Response 3",
    ]
    assert len(await session.get_items(limit=10)) == 6
    assert await session.get_items(limit=0) == []
    limited = Session("count_test", db, session_settings={"limit": 3})
    assert [i["content"] for i in await limited.get_items()] == [
        "Response 2",
        "Message 3",
        "Response 3",
    ]


# -- a real Runner with a local model ----------------------------------------------------------


class ScriptedModel(Model):
    """Answers from a script and records the input of each turn (no network)."""

    def __init__(self) -> None:
        self.script: list[list[Any]] = []
        self.inputs: list[Any] = []

    async def get_response(self, system_instructions: Any, input: Any, *args: Any, **kw: Any):  # type: ignore[override]
        self.inputs.append(input)
        return ModelResponse(
            output=self.script.pop(0),
            usage=Usage(requests=1, input_tokens=10, output_tokens=5, total_tokens=15),
            response_id=None,
        )

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
        raise NotImplementedError


def _say(text: str, n: int) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id=f"msg_{n}",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[])],
    )


async def test_runner_keeps_history_in_the_store(db: store.Store) -> None:
    @function_tool
    def lookup_order(order_id: int) -> str:
        """Look an order up."""
        return f"order {order_id}: refunded"

    model = ScriptedModel()
    agent = Agent(name="support", model=model, tools=[lookup_order])
    session = Session("runner", db, title="support chat")
    model.script = [
        [
            ResponseFunctionToolCall(
                id="fc_1",
                call_id="call_9",
                type="function_call",
                name="lookup_order",
                arguments='{"order_id": 42}',
            )
        ],
        [_say("Order 42 was refunded.", 1)],
        [_say("You asked about order 42.", 2)],
    ]
    first = await Runner.run(agent, "Where is the refund for order 42?", session=session)
    assert first.final_output == "Order 42 was refunded."
    second = await Runner.run(agent, "What did I ask?", session=session)
    assert second.final_output == "You asked about order 42."
    history = model.inputs[-1]
    assert history[0] == {"role": "user", "content": "Where is the refund for order 42?"}
    assert history[-1] == {"role": "user", "content": "What did I ask?"}
    assert await session.get_items() == [*history, *[i.to_input_item() for i in second.new_items]]
    roles = [m.role for m in db.messages("runner")]
    assert roles == ["user", "assistant", "tool", "assistant", "user", "assistant"]
    assert "order 42: refunded" in db.messages("runner")[2].blocks[0]["content"]
    assert [h.session_id for h in db.search("refund order")][:1] == ["runner"]
