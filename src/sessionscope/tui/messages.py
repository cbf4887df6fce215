"""Typed messages the browser's thread workers post back to the UI (and a few UI requests).

Every database call runs in a thread worker; its result comes back as one of these, tagged with
the generation it answers so that a stale result never overwrites a newer one. Messages are
dataclasses (Textual's `Message.__post_init__` does the base set-up) without a generated `__eq__`
(messages are compared by identity, as every Textual message; and the browser's start-up does
not pay for generating it twenty times); `can_replace` lets a newer message waiting in the queue
replace an older one of the same kind.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from textual.message import Message

from ..pieces import FileRef
from ..store import Hit, SessionInfo, Store

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..store.windows import Window  # loaded with the first transcript read

# -- the store ---------------------------------------------------------------------------------


@dataclass(eq=False)
class StoreOpened(Message):
    """The store file is open (and migrated); `readonly` when it could only be read.
    `first_page`: the list's first page in its default order (rows, total), read with it."""

    db: Store
    readonly: bool
    first_page: tuple[list[SessionRow], int] | None = None


@dataclass(eq=False)
class StoreFailed(Message):
    """The store could not be opened; `error` is one sentence for the person."""

    error: str


@dataclass(eq=False)
class StoreChanged(Message):
    """Another connection committed to the store (seen through `PRAGMA data_version`).

    Repeats coalesce: a newer change waiting in the queue replaces this one."""

    version: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


@dataclass(eq=False)
class StatsLoaded(Message):
    """Whole-store counts for the header (`Store.counts`); newer counts replace older ones."""

    stats: dict[str, float]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatsLoaded)


@dataclass(eq=False)
class ImportNotice(Message):
    """Imports another process ran since the last look skipped something (one line a file)."""

    lines: list[str]


@dataclass(eq=False)
class DemoBuilt(Message):
    """The demo store was written to `path`."""

    path: str


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
    tokens: int  # input (without cache reads) + output
    child_count: int
    parent_id: str | None
    status: str
    variant: str | None = None  # champion / challenger when the session ran in an experiment
    experiment_id: int | None = None
    pinned: bool = False
    tags: str = ""  # `#ci #flaky`, inert
    note: str = ""  # the note on one line, inert and cut
    cost_usd: float = 0.0  # what its own messages were priced at (0: none priced)
    cached: int = 0  # cache reads + cache writes
    issues: str = ""  # what its imports skipped, in a few words (malformed, unknown, drift)

    @classmethod
    def from_info(cls, info: SessionInfo) -> SessionRow:
        from ..display import note_line, tag_list
        from ..sanitize import inert
        from .format import import_issues_short, short_project

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
            pinned=info.pinned,
            tags=tag_list(info.tags[:20]),
            note=note_line(info.note, 40),
            cost_usd=info.cost_usd,
            cached=info.cache_read_tokens + info.cache_creation_tokens,
            issues=import_issues_short(info.metadata),
        )


@dataclass(eq=False)
class SessionsPage(Message):
    """One page of top-level sessions (rows `offset`..) and the total the filter matches."""

    generation: int
    offset: int
    rows: list[SessionRow]
    total: int


@dataclass(eq=False)
class ListCost(Message):
    """What the sessions the list shows (and their subagents) cost (`Store.session_totals`)."""

    generation: int
    cost_usd: float


@dataclass(eq=False)
class SessionChildren(Message):
    """The subagent sessions of `parent_id`."""

    generation: int
    parent_id: str
    rows: list[SessionRow]


@dataclass(eq=False)
class OpenSession(Message):
    """Ask the screen to open a session, optionally at a message and with search terms."""

    session_id: str
    seq: int | None = None
    query: str | None = None
    _: KW_ONLY
    focus: bool = True


@dataclass(eq=False)
class OpenFile(Message):
    """Ask the screen to open one of `refs` (the first that is a file) in the person's editor;
    relative paths are taken from `cwd` (the session's working directory)."""

    refs: list[FileRef]
    cwd: str | None


# -- the transcript ----------------------------------------------------------------------------


@dataclass(eq=False)
class SessionOpened(Message):
    """A session was opened: its first window, with its row (None: the session is gone), its
    tool calls and its subagent sessions (`Store.window`)."""

    generation: int
    window: Window


@dataclass(eq=False)
class MessagesLoaded(Message):
    """The window of messages asked for (seqs `first` <= seq < `end`) of the open session."""

    generation: int
    first: int
    end: int
    window: Window


@dataclass(eq=False)
class ToolCallsLoaded(Message):
    """The open session's tool calls and subagent sessions, read again (`window.calls`,
    `window.children`)."""

    generation: int
    window: Window


@dataclass(eq=False)
class MatchesLoaded(Message):
    """Seqs of the open session's messages that match the active search, from hit `offset` on
    (in session order); `complete` when there are no more."""

    generation: int
    query: str
    seqs: list[int]
    offset: int = 0
    complete: bool = True


@dataclass(eq=False)
class TranscriptGrew(Message):
    """The open session changed on disk: its new row and total, the messages around the reader
    (read again on every change, so that the transcript can tell a rewrite from an append) and
    the tail that grew since it knew `known` messages."""

    generation: int
    window: Window
    known: int


# -- search ------------------------------------------------------------------------------------


@dataclass(eq=False)
class HitsLoaded(Message):
    """Hits `offset`.. for the query of generation `generation`."""

    generation: int
    query: str
    hits: list[Hit]
    elapsed: float
    error: str | None = None
    offset: int = 0


@dataclass(eq=False)
class HitChosen(Message):
    """The person picked a hit to open."""

    hit: Hit
    query: str


@dataclass(eq=False)
class SearchClosed(Message):
    """The search pane was dismissed (Escape)."""
