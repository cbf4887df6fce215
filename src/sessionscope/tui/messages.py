"""Typed messages the browser's thread workers post back to the UI (and a few UI requests).

Every database call runs in a thread worker; its result comes back as one of these, tagged with
the generation it answers so that a stale result never overwrites a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from ..store import Hit, SessionInfo, Store
from ..store import Message as StoredMessage

# -- the store ---------------------------------------------------------------------------------


class StoreOpened(Message):
    """The store file is open (and migrated); `readonly` when it could only be read."""

    def __init__(self, db: Store, readonly: bool) -> None:
        super().__init__()
        self.db = db
        self.readonly = readonly


class StoreFailed(Message):
    """The store could not be opened; `error` is one sentence for the person."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class StoreChanged(Message):
    """Another connection committed to the store (seen through `PRAGMA data_version`)."""

    def __init__(self, version: int) -> None:
        super().__init__()
        self.version = version


class StatsLoaded(Message):
    """Whole-store counts for the header (`Store.counts`)."""

    def __init__(self, stats: dict[str, int]) -> None:
        super().__init__()
        self.stats = stats


class DemoBuilt(Message):
    """The demo store was written to `path`."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


# -- the session list --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionRow:
    """What the session list keeps per session: small, no messages."""

    id: str
    title: str
    project: str
    source: str
    updated_at: str | None
    message_count: int
    tokens: int
    child_count: int
    parent_id: str | None
    status: str
    variant: str | None = None  # champion / challenger when the session ran in an experiment
    experiment_id: int | None = None

    @classmethod
    def from_info(cls, info: SessionInfo) -> SessionRow:
        from ..sanitize import inert
        from .format import short_project

        # every shown field is made inert and cut here, off the UI thread: a 2 MB title or cwd
        # is never cleaned, measured or wrapped again on each key press
        return cls(
            id=info.id,
            title=inert(info.title) or "(untitled)",
            project=short_project(info.project or info.cwd),
            source=inert(info.source, 40),
            updated_at=info.updated_at or info.started_at,
            message_count=info.message_count,
            tokens=info.input_tokens + info.output_tokens,
            child_count=info.child_count,
            parent_id=info.parent_session_id,
            status=info.status,
            variant=inert(info.variant, 40) or None,
            experiment_id=info.experiment_id,
        )


class SessionsPage(Message):
    """One page of top-level sessions (rows `offset`..) and the total the filter matches."""

    def __init__(self, generation: int, offset: int, rows: list[SessionRow], total: int) -> None:
        super().__init__()
        self.generation = generation
        self.offset = offset
        self.rows = rows
        self.total = total


class SessionChildren(Message):
    """The subagent sessions of `parent_id`."""

    def __init__(self, generation: int, parent_id: str, rows: list[SessionRow]) -> None:
        super().__init__()
        self.generation = generation
        self.parent_id = parent_id
        self.rows = rows


class OpenSession(Message):
    """Ask the screen to open a session, optionally at a message and with search terms."""

    def __init__(
        self,
        session_id: str,
        seq: int | None = None,
        query: str | None = None,
        *,
        focus: bool = True,
    ) -> None:
        super().__init__()
        self.session_id = session_id
        self.seq = seq
        self.query = query
        self.focus = focus


# -- the transcript ----------------------------------------------------------------------------


class SessionOpened(Message):
    """A session's row and message count, fetched when it is opened (or refreshed)."""

    def __init__(self, generation: int, info: SessionInfo | None, total: int) -> None:
        super().__init__()
        self.generation = generation
        self.info = info
        self.total = total


class MessagesLoaded(Message):
    """A window of messages (seqs `first` <= seq < `end`) of the open session."""

    def __init__(
        self,
        generation: int,
        first: int,
        end: int,
        messages: list[StoredMessage],
        total: int,
        calls: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.first = first
        self.end = end
        self.messages = messages
        self.total = total
        self.calls = calls or {}  # the window's tool calls, for sessions too long to map whole


class ToolCallsLoaded(Message):
    """The open session's tool calls (`Store.tool_calls`) and its subagent sessions."""

    def __init__(
        self,
        generation: int,
        calls: dict[str, dict[str, Any]],
        children: list[SessionInfo],
    ) -> None:
        super().__init__()
        self.generation = generation
        self.calls = calls
        self.children = children


class MatchesLoaded(Message):
    """Seqs of the open session's messages that match the active search, from hit `offset` on
    (in session order); `complete` when there are no more."""

    def __init__(
        self, generation: int, query: str, seqs: list[int], offset: int = 0, complete: bool = True
    ) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.seqs = seqs
        self.offset = offset
        self.complete = complete


class TranscriptGrew(Message):
    """The open session changed on disk: its new row, total, and the tail that changed.

    `window` (messages `window_start`..`window_stop`, around the reader) is read again on every
    change, so that the transcript can tell a rewrite from an append."""

    def __init__(
        self,
        generation: int,
        info: SessionInfo | None,
        total: int,
        start: int,
        messages: list[StoredMessage],
        *,
        known: int = 0,
        window_start: int = 0,
        window_stop: int = 0,
        window: list[StoredMessage] | None = None,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.info = info
        self.total = total
        self.start = start
        self.messages = messages
        self.known = known
        self.window_start = window_start
        self.window_stop = window_stop
        self.window = window


# -- search ------------------------------------------------------------------------------------


class HitsLoaded(Message):
    """Hits `offset`.. for the query of generation `generation`."""

    def __init__(
        self,
        generation: int,
        query: str,
        hits: list[Hit],
        elapsed: float,
        error: str | None = None,
        offset: int = 0,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.hits = hits
        self.elapsed = elapsed
        self.error = error
        self.offset = offset


class HitChosen(Message):
    """The person picked a hit to open."""

    def __init__(self, hit: Hit, query: str) -> None:
        super().__init__()
        self.hit = hit
        self.query = query


class SearchClosed(Message):
    """The search pane was dismissed (Escape)."""
