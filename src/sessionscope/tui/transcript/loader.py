"""The transcript's store reads: each runs in a thread worker, makes one store call
(`Store.window`; `Store.search` for a page of matches) and posts its result back to the
transcript, tagged with the generation it answers so that a stale result is dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...store import CancelToken, Interrupted, StoreError
from ..messages import MatchesLoaded, MessagesLoaded, SessionOpened, ToolCallsLoaded, TranscriptGrew
from .matches import MATCH_PAGE
from .window import CALLS_LIMIT, WINDOW_AFTER, open_range

if TYPE_CHECKING:
    from textual.widget import Widget

    from ...store import Store


class TranscriptLoader:
    """Reads for the transcript `node`, in its thread workers (the same groups as before: a new
    open, follow, tool-call or match read cancels the one still running; windows pile up)."""

    calls_limit = CALLS_LIMIT
    """Sessions longer than this get their tool calls window by window, not as one map."""

    def __init__(self, node: Widget) -> None:
        self.node = node
        self.db: Store | None = None
        # the running read of each group: a newer read of the group cancels it (its SQLite
        # statement stops); windows share one token, which a newer `open` cancels
        self._tokens: dict[str, CancelToken] = {}

    def _token(self, name: str, exclusive: bool) -> CancelToken:
        stale = [name, "window"] if name == "open" else [name] if exclusive else []
        for group in stale:
            old = self._tokens.pop(group, None)
            if old is not None:
                old.cancel()
        return self._tokens.setdefault(name, CancelToken())

    def _run(self, work: Callable[[Store], None], name: str, *, exclusive: bool = True) -> None:
        db = self.db
        if db is None:
            return
        token = self._token(name, exclusive)

        def run() -> None:
            try:
                with db.cancellable(token):
                    work(db)
            except Interrupted:
                pass  # superseded: a newer read of the same group is running

        self.node.run_worker(
            run,
            name=name,
            group=f"transcript-{name}",
            exclusive=exclusive,
            thread=True,
            exit_on_error=False,
        )

    def open(self, session_id: str, seq: int | None, generation: int) -> None:
        """The first window of a session, at `seq` (negative: the end), with its row, tool
        calls and subagents."""
        start, stop = open_range(seq)

        def read(db: Store) -> None:
            try:
                window = db.window(
                    session_id,
                    start,
                    stop,
                    info=True,
                    calls=True,
                    session_calls_limit=self.calls_limit,
                    children=True,
                )
            except Interrupted:
                raise
            except StoreError as exc:
                self.node.app.call_from_thread(
                    self.node.notify, str(exc), severity="error", markup=False
                )
                return
            self.node.post_message(SessionOpened(generation, window))

        self._run(read, "open")

    def window(self, session_id: str, start: int, stop: int, total: int, generation: int) -> None:
        """Messages `start`..`stop` of the `total` (and their tool calls, for sessions too long
        to map whole)."""
        calls = total > self.calls_limit

        def read(db: Store) -> None:
            try:
                window = db.window(session_id, start, stop, calls=calls)
            except StoreError:
                return
            self.node.post_message(MessagesLoaded(generation, start, stop, window))

        self._run(read, "window", exclusive=False)

    def calls(self, session_id: str, generation: int) -> None:
        """The session's tool calls (none for a very long one) and subagents, read again."""

        def read(db: Store) -> None:
            try:
                window = db.window(
                    session_id,
                    0,
                    0,
                    calls=True,
                    session_calls_limit=self.calls_limit,
                    children=True,
                )
            except StoreError:
                return
            self.node.post_message(ToolCallsLoaded(generation, window))

        self._run(read, "calls")

    def follow(self, session_id: str, known: int, first: int, stop: int, generation: int) -> None:
        """What changed: the row, the count, what grew after the `known` messages (a burst:
        the tail is what matters) and the messages `first`..`stop` around the reader again (a
        rewrite need not move the row or the count: the view compares them with its own)."""

        def read(db: Store) -> None:
            try:
                window = db.window(
                    session_id,
                    first,
                    stop,
                    info=True,
                    children=True,
                    tail=max(0, known - 1),
                    tail_limit=WINDOW_AFTER,
                )
            except StoreError:
                return
            self.node.post_message(TranscriptGrew(generation, window, known))

        self._run(read, "follow")

    def matches(
        self, session_id: str, query: str, generation: int, offset: int = 0, pages: int = 1
    ) -> None:
        """Seqs of the messages matching `query`, from hit `offset` on, `pages` pages of them."""

        def read(db: Store) -> None:
            seqs: list[int] = []
            complete = False
            try:
                for page in range(pages):
                    # every match, however long the walk (not a search's time budget, whose
                    # partial page read as the last): a newer read cancels this one
                    found = db.match_seqs(
                        session_id, query, limit=MATCH_PAGE, offset=offset + page * MATCH_PAGE
                    )
                    seqs.extend(found)
                    if len(found) < MATCH_PAGE:
                        complete = True
                        break
            except StoreError:
                return
            self.node.post_message(MatchesLoaded(generation, query, seqs, offset, complete))

        self._run(read, "matches")
