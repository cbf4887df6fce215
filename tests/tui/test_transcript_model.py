"""The transcript's model (TranscriptWindow, MatchCursor) without Textual, and the loader's
promise: one store call to open a session, load a window or follow growth."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_support import make_app, wait_for_workers, wait_until, widget_lines

from sessionscope import store
from sessionscope.store import Message, SessionInfo, Store
from sessionscope.tui.transcript.matches import MATCH_PAGE, MAX_MATCHES, Jump, MatchCursor
from sessionscope.tui.transcript.window import (
    ESTIMATE,
    MAX_MESSAGES,
    MAX_RENDERED,
    WINDOW_AFTER,
    WINDOW_BEFORE,
    TranscriptWindow,
    open_range,
)


@dataclass
class Lines:
    """A stand-in for a rendered message: only its height and cache key matter to the model."""

    height: int
    key: tuple[Any, ...] = field(default=())


def _message(seq: int, role: str = "user", blocks: list[dict[str, Any]] | None = None) -> Message:
    blocks = blocks if blocks is not None else [{"type": "text", "text": f"message {seq}"}]
    return Message(id=seq + 1, session_id="s", seq=seq, role=role, blocks=blocks)


def _call(seq: int, use_id: str, name: str = "Bash") -> Message:
    return _message(seq, "assistant", [{"type": "tool_use", "id": use_id, "name": name}])


def _result(seq: int, use_id: str, **extra: Any) -> Message:
    return _message(seq, "tool", [{"type": "tool_result", "tool_use_id": use_id, **extra}])


def _opened(total: int) -> TranscriptWindow[Lines]:
    window = TranscriptWindow[Lines]("s")
    window.opened(SessionInfo(id="s", source="api"), total)
    return window


# -- the window model -----------------------------------------------------------------------------


def test_the_model_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, sessionscope.tui.transcript.window, sessionscope.tui.transcript.matches;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_open_range_reads_around_the_place_asked_for() -> None:
    assert open_range(None) == (0, WINDOW_AFTER)
    assert open_range(-1) == (-WINDOW_AFTER, None)  # the end, whatever the length
    assert open_range(500) == (500 - WINDOW_BEFORE, 500 + WINDOW_AFTER)
    assert open_range(3) == (0, 3 + WINDOW_AFTER)


def test_heights_grow_and_shrink_with_the_session() -> None:
    window = _opened(10)
    assert window.heights.total == 10 * ESTIMATE
    assert not window.grow(10) and window.grow(12)
    assert window.total == 12 and len(window.heights) == 12
    window.resize(5)
    assert window.total == 5 and window.heights.total == 5 * ESTIMATE


def test_requests_are_windows_around_the_seq_and_never_twice() -> None:
    window = _opened(1000)
    assert window.request(500) == (500 - WINDOW_BEFORE, 500 + WINDOW_AFTER)
    assert window.request(510) is None  # already on its way
    assert window.request(1000) is None and window.request(-1) is None
    window.arrived(500 - WINDOW_BEFORE, 500 + WINDOW_AFTER)
    assert window.pending == [] and window.request(510) is not None
    assert TranscriptWindow[Lines]().request(0) is None  # no session open


def test_results_pair_with_their_calls_and_hide_their_tool_message() -> None:
    window = _opened(4)
    window.store(_call(0, "t1"))
    window.remember(0, Lines(3))
    result = _result(1, "t1", content="ok", is_error=True)
    window.store(result)
    assert 0 not in window.rendered  # the call is drawn again, now with its result
    assert window.call_seq("t1") == 0
    block, is_error, wanted = window.result_for("t1")
    assert block is not None and block["content"] == "ok" and is_error and wanted is None
    assert window.hidden(result)
    assert not window.hidden(_result(2, "elsewhere"))  # a call never seen: drawn on its own


def test_a_result_not_loaded_yet_is_asked_for_not_fetched() -> None:
    window = _opened(100)
    window.take_calls({"t9": {"name": "Bash", "is_error": False, "seq": 10, "result_seq": 60}})
    assert window.result_for("t9") == (None, False, 60)
    window.store(_result(60, "t9"))
    assert window.result_for("t9")[2] is None


def test_eviction_keeps_the_messages_nearest_the_reader() -> None:
    window = _opened(MAX_MESSAGES + 100)
    for seq in range(MAX_MESSAGES + 100):
        window.store(_message(seq))
    window.store(_result(MAX_MESSAGES + 99, "far"))  # replaces the last message
    window.evict(center=0)
    assert len(window.messages) == MAX_MESSAGES
    assert 0 in window.messages and MAX_MESSAGES + 99 not in window.messages
    assert "far" not in window.results


def test_rendered_lines_are_an_lru_and_set_the_heights() -> None:
    window = _opened(MAX_RENDERED + 10)
    for seq in range(MAX_RENDERED + 1):
        window.remember(seq, Lines(7, key=("w", seq)))
    assert len(window.rendered) == MAX_RENDERED and 0 not in window.rendered
    assert window.heights[5] == 7
    assert window.cached(5, ("w", 5)) is not None and window.cached(5, ("other",)) is None
    assert list(window.rendered)[-1] == 5  # used last: evicted last
    window.forget(5)
    assert window.cached(5, ("w", 5)) is None


def test_calibration_estimates_unseen_messages_from_rendered_ones() -> None:
    window = _opened(100)
    assert not window.calibrate()  # nothing rendered yet
    window.remember(0, Lines(10))
    window.remember(1, Lines(20))
    assert window.calibrate()
    assert window.estimate == 15 and window.heights[50] == 15
    assert window.heights[0] == 10 and window.heights[1] == 20
    assert not window.calibrate()


def test_rewritten_tells_a_rewrite_from_a_streaming_last_message() -> None:
    window = _opened(3)
    for seq in range(3):
        window.store(_message(seq))
    same = [_message(0), _message(1), _message(2, blocks=[{"type": "text", "text": "more"}])]
    assert not window.rewritten(same, 0, 3, known=3)  # only the last one changed
    edited = [_message(0, blocks=[{"type": "text", "text": "edited"}]), _message(1)]
    assert window.rewritten(edited, 0, 3, known=3)
    assert window.rewritten([_message(0)], 0, 3, known=3)  # message 1 is gone


def test_subagents_match_their_task_calls() -> None:
    window = _opened(10)
    calls = {
        "a": {"name": "Task", "is_error": None, "seq": 2, "result_seq": None},
        "b": {"name": "Agent", "is_error": None, "seq": 5, "result_seq": None},
        "c": {"name": "Bash", "is_error": None, "seq": 6, "result_seq": None},
    }
    first = SessionInfo(id="k1", source="api", title="first")
    named = SessionInfo(id="k2", source="api", metadata={"tool_use_id": "b"})
    assert window.take_calls(calls, [first, named])
    assert window.child_for("b") is named  # by the id the child recorded
    assert window.child_for("a") is first  # the rest in order
    assert window.child_title("a") == "first" and window.child_for("c") is None
    assert not window.take_calls(calls, [first, named])  # nothing new: nothing to redraw


def test_a_long_session_without_the_call_map_opens_its_only_subagent() -> None:
    window = _opened(10)
    window.store(_call(0, "t1", name="Task"))
    only = SessionInfo(id="k", source="api")
    window.set_children([only])
    assert window.child_for("t1") is only and window.child_for("t2") is None


# -- the match cursor -----------------------------------------------------------------------------


def test_match_cursor_pages_and_jumps() -> None:
    cursor = MatchCursor("login -draft")
    assert cursor.pattern is not None and cursor.pattern.search("the Login form")
    assert not cursor.pattern.search("draft only")
    assert cursor.title() == "no matches here"
    assert cursor.more() == 0 and cursor.loading and cursor.more() is None  # one page at a time
    assert not cursor.arrived(5, [1], complete=False)  # not the page awaited
    assert cursor.arrived(0, [10, 20, 30], complete=False)
    assert cursor.title() == "3+ matches · n/N"
    assert cursor.jump(1, here=0) == Jump(target=10)
    assert cursor.jump(1, here=0) == Jump(target=20)  # from the current match on
    assert cursor.title() == "match 2/3+ · n/N"
    cursor.current = 30
    assert cursor.jump(1, here=0) == Jump(fetch=1) and cursor.pending_jump == 1
    assert cursor.more() == 3
    assert cursor.arrived(3, [40], complete=True)
    assert cursor.take_pending() == 1 and cursor.take_pending() is None
    assert cursor.jump(1, here=0) == Jump(target=40)
    assert cursor.jump(1, here=0) == Jump(target=10, wrapped=True)


def test_match_cursor_going_back_past_the_first_fetches_them_all() -> None:
    cursor = MatchCursor("x")
    cursor.more()
    cursor.arrived(0, [5, 9], complete=False)
    assert cursor.jump(-1, here=5) == Jump(fetch=MAX_MATCHES // MATCH_PAGE)
    cursor.arrived(2, [12], complete=True)
    assert cursor.jump(-1, here=5) == Jump(target=12, wrapped=True)


def test_match_cursor_without_search_or_matches_says_so() -> None:
    assert MatchCursor().jump(1, 0).notice == "No search yet: press / to search."
    assert MatchCursor().title() is None
    waiting = MatchCursor("x")
    waiting.loading = True
    assert waiting.jump(-1, 0) == Jump() and waiting.pending_jump == -1
    none = MatchCursor("x")
    none.arrived(0, [], complete=True)
    assert none.jump(1, 0).notice == "No match in this session."
    single = MatchCursor("x")
    single.arrived(0, [4], complete=True)
    assert single.jump(1, here=9) == Jump(target=4)  # round the end, but nothing to announce
    assert single.title() == "match 1/1 · n/N"
    single.restart()
    assert (single.matches, single.hits, single.loading) == ([], 0, True)


# -- one store call per read ----------------------------------------------------------------------


class CountingStore:
    """A store that records the name of every method called on it."""

    def __init__(self, db: Store) -> None:
        self.db = db
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.db, name)
        if not callable(value):
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            if name != "cancellable":  # the cancel scope of a read, not a read
                self.calls.append(name)
            return value(*args, **kwargs)

        return counted


async def test_opening_loading_and_following_make_one_store_call_each(tmp_path: Path) -> None:
    from sessionscope.tui.widgets.transcript import Transcript

    path = tmp_path / "count.db"
    with store.open(path) as db:
        sid = db.start_session(title="counted", source="api")
        child = db.start_session(title="helper", source="api", parent_session_id=sid)
        db.append(child, "user", "a subagent")
        for i in range(0, 400, 2):
            db.append(
                sid,
                "assistant",
                [
                    {"type": "text", "text": f"message {i}"},
                    {"type": "tool_use", "id": f"t{i}", "name": "Bash", "input": {"n": i}},
                ],
            )
            db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": f"t{i}"}])
    app = make_app(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_workers(pilot)
        assert app.main.db is not None
        counting = CountingStore(app.main.db)
        transcript = app.screen.query_one(Transcript)
        transcript.set_store(counting)  # type: ignore[arg-type]
        transcript.open(sid)
        await wait_for_workers(pilot)
        assert counting.calls == ["window"]
        assert transcript.total == 400 and "message 0" in "\n".join(widget_lines(transcript))
        assert len(transcript.window.calls) == 200 and len(transcript.window.children) == 1

        counting.calls.clear()
        transcript.go_to(300)
        await wait_for_workers(pilot)
        assert counting.calls and set(counting.calls) == {"window"}
        assert "message 300" in "\n".join(widget_lines(transcript))

        counting.calls.clear()
        with store.open(path) as other:
            other.append(sid, "user", "one more")
        assert await wait_until(pilot, lambda: transcript.total == 401)
        await wait_for_workers(pilot)
        assert counting.calls and set(counting.calls) == {"window"}
