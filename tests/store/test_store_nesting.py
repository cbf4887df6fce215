"""Issue 9 item 1 (store side): over-deep content is a typed InvalidInput, never RecursionError,
whatever the write path, the redaction setting or the caller's stack depth."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sessionscope import store
from sessionscope.store.blocks import MAX_DEPTH


def _deep(depth: int) -> Any:
    value: Any = "secret password=hunter2"
    for _ in range(depth):
        value = {"k": [value]}
    return value


def _writes(db: store.Store, sid: str, value: Any) -> list[Callable[[], Any]]:
    return [
        lambda: db.append(sid, "assistant", [{"type": "tool_use", "id": "t", "input": value}]),
        lambda: db.append(sid, "user", {"type": "text", "text": "x", "extra": value}),
        lambda: db.append_many(sid, [{"role": "user", "content": "x", "metadata": {"v": value}}]),
        lambda: db.save(sid, [{"role": "user", "content": [{"type": "x", "v": value}]}]),
        lambda: db.start_session(metadata={"v": value}),
        lambda: db.update_session(sid, metadata={"v": value}),
    ]


@pytest.mark.parametrize("redact", [False, True])
@pytest.mark.parametrize("depth", [MAX_DEPTH, 400, 990, 100_000])
def test_over_deep_content_is_invalid_input(tmp_path: Path, redact: bool, depth: int) -> None:
    with store.open(tmp_path / "s.db", redact=redact) as db:
        sid = db.start_session(title="t")
        for write in _writes(db, sid, _deep(depth)):
            with pytest.raises(store.InvalidInput, match="nested more than"):
                write()
        assert db.load(sid) is not None and db.message_count(sid) == 0


def test_circular_content_is_invalid_input(db: store.Store) -> None:
    sid = db.start_session(title="t")
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(store.InvalidInput):
        db.append(sid, "assistant", [{"type": "tool_use", "id": "t", "input": {"a": loop}}])


def test_content_at_the_limit_is_stored_and_reads_back_from_a_deep_stack(db: store.Store) -> None:
    sid = db.start_session(title="t")
    shallow = _deep((MAX_DEPTH - 4) // 2)  # list, block, input dict, then the pairs
    db.append(sid, "assistant", [{"type": "tool_use", "id": "t", "input": {"v": shallow}}])
    results: list[Any] = []

    def read(depth: int) -> None:  # a reader already several hundred frames deep
        if depth:
            read(depth - 1)
        else:
            results.append(db.load(sid))

    thread = threading.Thread(target=read, args=(700,))
    thread.start()
    thread.join()
    assert results[0].messages[0].blocks[0]["input"] == {"v": shallow}
