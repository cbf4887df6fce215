"""The MCP tools as plain functions over a store: what `server` registers, testable without the SDK.

Each method returns the text a model reads (see `format.finish`: capped, redacted, inert) and
raises `ToolFailure` for what the caller can fix (a missing session, a bad argument); the server
turns that into an MCP tool error, never a crashed server.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from ..store import InvalidInput, NotFound, SessionNotFound, Store, StoreError
from ..store.query import MAX_QUERY_CHARS, problems
from . import format as fmt

MAX_LIMIT = 200
MAX_WINDOW = 200
_RELATIVE = re.compile(r"^\s*(\d{1,6})\s*([hdw])\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
USAGE_BY = ("day", "project", "model")


class ToolFailure(Exception):
    """A tool call the caller can correct; its message is what the model reads."""


def since_iso(since: str | None) -> str | None:
    """`7d`, `12h`, `2w` or an ISO date/time, as the store's `since` (None: no bound)."""
    if since is None or not str(since).strip():
        return None
    match = _RELATIVE.match(str(since))
    if match:
        try:
            delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
            return (datetime.now(UTC) - delta).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        except OverflowError:  # 999999w: before year 1
            raise ToolFailure(f"since {since!r} is too far back; give an ISO date.") from None
    return str(since).strip()


def _bounded(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ToolFailure(f"{name} must be an integer, not {value!r}.")
    return max(low, min(high, value))


def _quoted(value: str) -> str:
    """A filter value the search language reads as one token whatever it holds."""
    return '"' + " ".join(value.replace('"', " ").split()) + '"'


class Recall:
    """The tools over one open store. `exclude_session` is left out of every answer by default."""

    def __init__(
        self,
        db: Store,
        *,
        max_chars: int = fmt.DEFAULT_MAX_CHARS,
        exclude_session: str | None = None,
        allow_writes: bool = False,
    ) -> None:
        self.db = db
        self.max_chars = _bounded(max_chars, "max_chars", fmt.MIN_MAX_CHARS, fmt.MAX_MAX_CHARS)
        self.exclude_session = exclude_session or None
        self.allow_writes = allow_writes

    # -- helpers -------------------------------------------------------------------------------

    def _budget(self, max_chars: int | None) -> int:
        if max_chars is None:
            return self.max_chars
        return _bounded(max_chars, "max_chars", fmt.MIN_MAX_CHARS, fmt.MAX_MAX_CHARS)

    def _excluded(self, exclude_session: str | None) -> str | None:
        return exclude_session or self.exclude_session

    def _resolve(self, session_id: str) -> str:
        if not isinstance(session_id, str) or not session_id.strip():
            raise ToolFailure("session_id must be a non-empty string (a citation's part before #).")
        ref = session_id.strip().split("#", 1)[0]  # a whole citation works too
        try:
            return self.db.resolve_session(ref)
        except (SessionNotFound, NotFound):
            raise ToolFailure(
                f"no session has id {fmt.one_line(ref, 80)!r}; use search or list_sessions"
                " to find one."
            ) from None
        except StoreError as exc:
            raise ToolFailure(str(exc)) from None

    def _message(self, hit: Any) -> Any | None:
        """The message a hit is in (None when it is gone since the search)."""
        found = self.db.messages(hit.session_id, hit.seq, hit.seq + 1)
        return found[0] if found else None

    # -- tools ---------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 20,
        project: str | None = None,
        source: str | None = None,
        since: str | None = None,
        exclude_session: str | None = None,
        max_chars: int | None = None,
    ) -> str:
        """Ranked hits for `query` in the search language, each cited `session_id#seq`."""
        if not isinstance(query, str):
            raise ToolFailure("query must be a string.")
        limit = _bounded(limit, "limit", 1, MAX_LIMIT)
        budget = self._budget(max_chars)
        if len(query) > MAX_QUERY_CHARS:
            raise ToolFailure(problems(query)[0])
        text = query.strip()
        for name, value in (("project", project), ("source", source)):
            if value:
                text += f" {name}:{_quoted(str(value))}"
        when = since_iso(since)
        if when:
            text += f" since:{_quoted(when)}"
        excluded = self._excluded(exclude_session)
        if excluded:
            text += f" -session:{_quoted(excluded)}"
        if not text.strip():
            raise ToolFailure("query is empty: give words, a phrase or filters such as tool:Bash.")
        if len(text) > MAX_QUERY_CHARS:  # the filters added above count: the store searches all
            raise ToolFailure(
                f"the query with its filters (project, source, since, the session left out) is"
                f" {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are searched"
                " (narrow it)."
            )
        try:
            hits = self.db.search(text + " ", limit=limit)
        except InvalidInput as exc:
            raise ToolFailure(str(exc)) from None
        partial = getattr(hits, "partial", False)
        hits = [h for h in hits if h.session_id != excluded]
        if not hits:
            why = " (partial: the search hit its time budget; narrow the query)" if partial else ""
            return fmt.finish(f"No hits for {fmt.one_line(query, 200)!r}{why}.", budget)
        lines = [f"{len(hits)} hit(s) for {fmt.one_line(query, 200)!r}, best first:"]
        if partial:
            lines[0] += " (partial: the search hit its time budget; narrow the query)"
        size = 0
        for hit in hits:  # each snippet is cut from its message; none past the budget
            lines.append(fmt.hit_text(hit, self._message(hit)))
            size += len(lines[-1])
            if size > budget:
                break
        lines.append("Read one with read_session(session_id, around=seq).")
        return fmt.finish("\n".join(lines), budget)

    def list_sessions(
        self,
        project: str | None = None,
        source: str | None = None,
        since: str | None = None,
        limit: int = 20,
        exclude_session: str | None = None,
        max_chars: int | None = None,
    ) -> str:
        """Sessions, newest activity first: id, time, source, project, size, title."""
        limit = _bounded(limit, "limit", 1, MAX_LIMIT)
        excluded = self._excluded(exclude_session)
        try:
            rows = self.db.sessions(
                limit=limit + 1, project=project or None, source=source or None,
                since=since_iso(since), top_level=True,
            )  # fmt: skip
        except InvalidInput as exc:
            raise ToolFailure(str(exc)) from None
        rows = [r for r in rows if r.id != excluded][:limit]
        if not rows:
            return fmt.finish("No sessions match.", self._budget(max_chars))
        lines = [
            f"{len(rows)} session(s), newest first ([id#0] updated | source | project | size, then the title):"
        ]
        lines += [fmt.session_line(r) for r in rows]
        return fmt.finish("\n".join(lines), self._budget(max_chars))

    def read_session(
        self,
        session_id: str,
        around: int | None = None,
        before: int = 10,
        after: int = 10,
        max_chars: int | None = None,
    ) -> str:
        """A window of one session's messages around seq `around` (None: from the start)."""
        sid = self._resolve(session_id)
        before = _bounded(before, "before", 0, MAX_WINDOW)
        after = _bounded(after, "after", 0, MAX_WINDOW)
        if around is None:
            around, before = 0, 0
        else:
            around = _bounded(around, "around", -(2**31), 2**31)
        info = self.db.session(sid)
        if info is None:
            raise ToolFailure(f"session {fmt.one_line(sid, 80)!r} was deleted.")
        messages = self.db.scroll(sid, around=around, before=before, after=after)
        total = info.message_count
        lines = [fmt.session_line(info, cited=False)]
        if messages:
            first, last = messages[0].seq, messages[-1].seq
            lines.append(f"messages {first}–{last} of {total} (seq starts at 0):")
        else:
            lines.append(f"no messages in that window (the session holds {total}).")
        lines += [fmt.message_text(m) for m in messages]
        if messages and messages[-1].seq + 1 < total:
            lines.append(
                f"More after: read_session({sid!r}, around={messages[-1].seq + 1 + after})"
            )
        return fmt.finish("\n\n".join(lines), self._budget(max_chars))

    def recent_prompts(
        self, limit: int = 20, exclude_session: str | None = None, max_chars: int | None = None
    ) -> str:
        """What the user typed lately (distinct prompts, newest first), each cited."""
        limit = _bounded(limit, "limit", 1, MAX_LIMIT)
        excluded = self._excluded(exclude_session)
        query = "role:user in:text"
        if excluded:
            query += f" -session:{_quoted(excluded)}"
        seen: set[str] = set()
        lines: list[str] = []
        for hit in self.db.search(query, limit=limit * 4, order="time"):
            text = fmt.snippet(hit, self._message(hit), 300)
            if not text or text in seen or hit.session_id == excluded:
                continue
            seen.add(text)
            lines.append(
                f"[{fmt.cite(hit.session_id, hit.seq)}] {(hit.created_at or '')[:16]}  {text}"
            )
            if len(lines) >= limit:
                break
        if not lines:
            return fmt.finish("No prompts stored yet.", self._budget(max_chars))
        return fmt.finish(
            f"{len(lines)} recent prompt(s), newest first:\n" + "\n".join(lines),
            self._budget(max_chars),
        )

    def usage(self, since: str = "30d", by: str = "day", max_chars: int | None = None) -> str:
        """Tokens, cost and sessions since `since`, grouped by day, project or model."""
        if by not in USAGE_BY:
            raise ToolFailure(f"by must be one of {', '.join(USAGE_BY)}, not {by!r}.")
        try:
            rows = self.db.sessions(limit=None, since=since_iso(since))
        except InvalidInput as exc:
            raise ToolFailure(str(exc)) from None
        groups: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0])
        for r in rows:
            if by == "day":
                key = (r.updated_at or r.started_at or "")[:10] or "?"
            elif by == "project":
                key = fmt.one_line(r.project, 80) or "(none)"
            else:
                key = fmt.one_line(r.model, 60) or "(unknown)"
            g = groups[key]
            g[0] += 1
            g[1] += r.input_tokens
            g[2] += r.output_tokens
            g[3] += r.cost_usd
            g[4] += r.message_count
        if not groups:
            return fmt.finish(f"No sessions since {since}.", self._budget(max_chars))
        order = sorted(groups, reverse=True) if by == "day" else sorted(
            groups, key=lambda k: -(groups[k][1] + groups[k][2])
        )  # fmt: skip
        lines = [
            f"Usage since {since} by {by} ({by} | sessions | messages | in/out tokens | cost):"
        ]
        for key in order:
            n, tin, tout, cost, msgs = groups[key]
            lines.append(
                f"{key} | {int(n)} | {int(msgs):,} | {int(tin):,}/{int(tout):,} | ${cost:,.2f}"
            )
        return fmt.finish("\n".join(lines), self._budget(max_chars))

    def record_signal(
        self, session_id: str, value: float, kind: str = "explicit", source: str = "agent"
    ) -> str:
        """Score a session's outcome in [0, 1] for the experiments layer (needs --allow-writes)."""
        if not self.allow_writes:
            raise ToolFailure("this server is read-only; start it with --allow-writes.")
        sid = self._resolve(session_id)
        try:
            signal = self.db.record_signal(sid, kind=kind, source=source, value=value)
        except InvalidInput as exc:
            raise ToolFailure(str(exc)) from None
        return fmt.finish(f"Recorded signal {signal} on {sid}: {kind} {value} from {source}.", 500)

    def session_resource(self, session_id: str) -> str:
        """A session's opening messages, as the resource `sessionscope://session/<id>` shows."""
        return self.read_session(session_id, around=None, before=0, after=MAX_WINDOW)
