"""What is loaded of the open session: messages, rendered lines, heights, tool-call pairing.

Only messages near the reader are fetched and rendered. Every message has a height in a
Fenwick tree (real once rendered, estimated before), so jumping to message 50,000 or to the end
of a 100,000-message session costs the same as opening a short one.

No Textual here: the model keeps whatever the view renders a message to (anything with a
`height` and a cache `key`) in a small LRU of its own, and says which window to fetch rather
than fetching it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, Protocol, TypeVar

from ...store.models import Message, SessionInfo
from ..heights import Heights

WINDOW_BEFORE = 40
WINDOW_AFTER = 80
MAX_MESSAGES = 1500
MAX_RENDERED = 400
ESTIMATE = 4
CALLS_LIMIT = 20_000  # longer sessions load their tool calls window by window
FOLLOW_MARGIN = 10  # messages re-read above and below the viewport when the session changed
TASK_TOOLS = ("Task", "Agent")  # tool calls that start a subagent session


class Measured(Protocol):
    """A rendered message as the model sees it: how many lines, and what it was rendered for."""

    key: tuple[Any, ...]

    @property
    def height(self) -> int: ...


R = TypeVar("R", bound=Measured)


def open_range(seq: int | None) -> tuple[int, int | None]:
    """The first window to read when opening at `seq` (slice indices, as `Store.window` takes:
    None is the start, a negative seq the end)."""
    if seq is None:
        return 0, WINDOW_AFTER
    if seq < 0:
        return -WINDOW_AFTER, None
    return max(0, seq - WINDOW_BEFORE), seq + WINDOW_AFTER


class TranscriptWindow(Generic[R]):
    """The loaded part of session `session_id` (None: no session open)."""

    def __init__(self, session_id: str | None = None) -> None:
        self.session_id = session_id
        self.info: SessionInfo | None = None
        self.total = 0
        self.heights = Heights()
        self.messages: OrderedDict[int, Message] = OrderedDict()
        self.rendered: OrderedDict[int, R] = OrderedDict()  # an LRU of MAX_RENDERED
        self.pending: list[tuple[int, int]] = []  # windows asked for, not arrived yet
        self.calls: dict[str, dict[str, Any]] = {}  # tool_use id -> `Store.tool_calls` entry
        self.local_calls: dict[str, int] = {}  # tool_use id -> seq of the call
        self.local_tasks: set[str] = set()  # tool_use ids of Task/Agent calls seen
        self.results: dict[str, tuple[int, dict[str, Any]]] = {}  # tool_use id -> (seq, block)
        self.children: list[SessionInfo] = []
        self.task_children: dict[str, SessionInfo] = {}
        self.estimate = ESTIMATE
        self.loaded_once = False

    # -- size ----------------------------------------------------------------------------------

    def opened(self, info: SessionInfo, total: int) -> None:
        """The session's row and message count arrived: every message at the estimate."""
        self.info = info
        self.total = total
        self.heights.reset(total, self.estimate)

    def grow(self, total: int) -> bool:
        """The session has `total` messages now (more than before): True when it grew."""
        if total <= self.total:
            return False
        self.heights.extend(total, self.estimate)
        self.total = total
        return True

    def resize(self, total: int) -> None:
        """The session was rewritten and holds `total` messages (fewer or more)."""
        if total < self.total:
            self.heights.reset(total, self.estimate)
        else:
            self.heights.extend(total, self.estimate)
        self.total = total

    def calibrate(self) -> bool:
        """Estimate unseen messages from the ones rendered so far (once per session).

        Returns True when the estimate changed (the caller settles again)."""
        heights = [r.height for r in self.rendered.values() if r.height]
        if not heights:
            return False
        estimate = max(2, min(40, round(sum(heights) / len(heights))))
        if estimate == self.estimate:
            return False
        self.estimate = estimate
        known = {seq: r.height for seq, r in self.rendered.items() if seq < self.total}
        self.heights.reset(self.total, estimate)
        for seq, height in known.items():
            self.heights.set(seq, height)
        return True

    # -- the message cache ---------------------------------------------------------------------

    def drop_loaded(self) -> None:
        """Forget every message, rendered line and tool-call pairing read for the session."""
        self.messages.clear()
        self.rendered.clear()
        self.pending.clear()
        self.calls = {}
        self.local_calls.clear()
        self.local_tasks.clear()
        self.results.clear()

    def store(self, message: Message) -> None:
        old = self.messages.get(message.seq)
        self.messages[message.seq] = message
        self.messages.move_to_end(message.seq)
        if old is not None and old.blocks != message.blocks:
            self.rendered.pop(message.seq, None)
        for block in message.blocks:
            kind = block.get("type")
            if kind == "tool_use" and block.get("id"):
                self.local_calls[str(block["id"])] = message.seq
                if block.get("name") in TASK_TOOLS:
                    self.local_tasks.add(str(block["id"]))
            elif kind == "tool_result" and block.get("tool_use_id"):
                use_id = str(block["tool_use_id"])
                had = use_id in self.results
                self.results[use_id] = (message.seq, block)
                call_seq = self.call_seq(use_id)
                if call_seq is not None and not had:
                    self.rendered.pop(call_seq, None)

    def evict(self, center: int) -> None:
        """Keep at most MAX_MESSAGES messages, dropping those farthest from seq `center`."""
        if len(self.messages) <= MAX_MESSAGES:
            return
        far = sorted(self.messages, key=lambda s: -abs(s - center))
        for seq in far[: len(self.messages) - MAX_MESSAGES]:
            message = self.messages.pop(seq)
            self.rendered.pop(seq, None)
            for block in message.blocks:
                if block.get("type") == "tool_result" and block.get("tool_use_id"):
                    self.results.pop(str(block["tool_use_id"]), None)

    def request(self, seq: int) -> tuple[int, int] | None:
        """The window around `seq` to fetch, now pending; None when it is already on its way
        (or `seq` is out of the session)."""
        if self.session_id is None or seq < 0 or seq >= self.total:
            return None
        for start, stop in self.pending:
            if start <= seq < stop:
                return None
        start = max(0, seq - WINDOW_BEFORE)
        stop = min(self.total, seq + WINDOW_AFTER)
        self.pending.append((start, stop))
        return start, stop

    def arrived(self, start: int, stop: int) -> None:
        """The window `start`..`stop` asked for by `request` arrived."""
        self.pending = [p for p in self.pending if p != (start, stop)]

    def rewritten(self, fetched: list[Message], start: int, stop: int, known: int) -> bool:
        """True when a message loaded here (other than the last of `known`, which may be
        replaced while it streams) differs from `fetched` (seqs `start`..`stop`), or is gone."""
        by_seq = {m.seq: m for m in fetched}
        for seq in range(start, min(stop, known - 1)):
            old = self.messages.get(seq)
            if old is None:
                continue
            new = by_seq.get(seq)
            if new is None or new.id != old.id or new.blocks != old.blocks:
                return True
        return False

    def is_kind(self, key: tuple[int, int], *kinds: str) -> bool:
        """Whether block `key` = (seq, index) is one of `kinds` (True when not loaded)."""
        message = self.messages.get(key[0])
        if message is None or key[1] >= len(message.blocks):
            return True
        kind = message.blocks[key[1]].get("type")
        mapping = {"tool_use": "tool", "tool_result": "result", "thinking": "reasoning"}
        return mapping.get(str(kind), "") in kinds

    # -- rendered lines ------------------------------------------------------------------------

    def cached(self, seq: int, key: tuple[Any, ...]) -> R | None:
        """Message `seq` as rendered for `key`, if it is (and it becomes the most recent)."""
        cached = self.rendered.get(seq)
        if cached is not None and cached.key == key:
            self.rendered.move_to_end(seq)
            return cached
        return None

    def remember(self, seq: int, rendered: R) -> None:
        """Keep message `seq` as rendered, and its height."""
        self.rendered[seq] = rendered
        if len(self.rendered) > MAX_RENDERED:
            self.rendered.popitem(last=False)
        if seq < len(self.heights):
            self.heights.set(seq, rendered.height)

    def forget(self, seq: int) -> None:
        """Render message `seq` again next time (its folds or its result changed)."""
        self.rendered.pop(seq, None)

    # -- tool calls and subagents --------------------------------------------------------------

    def take_calls(
        self, calls: dict[str, dict[str, Any]], children: list[SessionInfo] | None = None
    ) -> bool:
        """Tool calls (and the subagent sessions) read for the session; True when they change
        what is drawn."""
        changed = any(self.calls.get(k) != v for k, v in calls.items())
        self.calls.update(calls)  # windows may have brought theirs already
        if children is not None:
            changed = changed or children != self.children
            self.set_children(children)
        return changed

    def call_seq(self, use_id: str) -> int | None:
        if use_id in self.local_calls:
            return self.local_calls[use_id]
        info = self.calls.get(use_id)
        return info["seq"] if info else None

    def result_for(self, use_id: str) -> tuple[dict[str, Any] | None, bool | None, int | None]:
        """The result block of a call and whether it failed, and the seq of the result's
        message when it should be fetched (not loaded yet)."""
        found = self.results.get(use_id)
        info = self.calls.get(use_id)
        is_error = info.get("is_error") if info else None
        if found is not None:
            block = found[1]
            if is_error is None:
                is_error = bool(block.get("is_error"))
            return block, is_error, None
        wanted = None
        if info and info.get("result_seq") is not None and self.session_id:
            result_seq = info["result_seq"]
            if result_seq not in self.messages:
                wanted = result_seq
        return None, is_error, wanted

    def hidden(self, message: Message) -> bool:
        """A tool message whose every result is shown under its call is not drawn on its own."""
        if message.role != "tool" or not message.blocks:
            return False
        for block in message.blocks:
            if block.get("type") != "tool_result":
                return False
            call_seq = self.call_seq(str(block.get("tool_use_id") or ""))
            if call_seq is None or call_seq >= message.seq:
                return False
        return True

    def set_children(self, children: list[SessionInfo]) -> None:
        self.children = children
        tasks = sorted(
            (
                (info["seq"], use_id)
                for use_id, info in self.calls.items()
                if info["name"] in TASK_TOOLS
            ),
        )
        mapping: dict[str, SessionInfo] = {}
        unmatched = list(children)
        for _seq, use_id in tasks:
            for child in unmatched:
                meta = child.metadata or {}
                if use_id in {str(v) for v in meta.values() if isinstance(v, (str, int))}:
                    mapping[use_id] = child
                    unmatched.remove(child)
                    break
        for (_seq, use_id), child in zip(
            [t for t in tasks if t[1] not in mapping], unmatched, strict=False
        ):
            mapping[use_id] = child
        self.task_children = mapping

    def child_for(self, use_id: str) -> SessionInfo | None:
        child = self.task_children.get(use_id)
        if (
            child is None
            and not self.calls
            and len(self.children) == 1
            and use_id in self.local_tasks
        ):
            child = self.children[0]  # a long session without the call map: its only subagent
        return child

    def child_title(self, use_id: str) -> str | None:
        child = self.child_for(use_id)
        return (child.title or child.id) if child else None
