"""Buffered writes of parsed sessions and messages into the store (public API only).

A parser hands the sink new messages (`SessionBuffer.add`), finds recent ones again to extend them
(`find` + `touch`: a split assistant message completed by a later record, tokens added by a later
token count) and sets session fields. `write()` puts everything buffered into the store; the
engine calls it inside the transaction that also records the file's import state, then
`committed()`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from ..store import Store
from ..store.errors import InvalidInput
from ..store.models import Message, SessionInfo
from ..store.redact import redact_text
from ..store.spec import Block, MessageSpec, Role
from ..transcript_files import path_key, text_path
from .common import cut_nesting, safe_blocks, safe_id
from .common import session_id as normal_session_id
from .pricing import price_message

# Messages a parser may still extend, kept in memory for one file's import (beyond these bounds,
# the store is asked): at most this many, weighing at most this many bytes of source lines.
RECENT_MAX = 256
RECENT_BYTES = 32 << 20

_SESSION_KEYS = (
    "title",
    "project",
    "cwd",
    "git_branch",
    "model",
    "parent_session_id",
    "started_at",
    "ended_at",
    "source_ref",
    "status",
    "metadata",
)


# Fields an import may change on a session that exists. Each one is set only while it still holds
# what the import itself wrote last (the sink keeps a digest of that in the file's import state):
# a title or branch someone changed afterwards (`update_session`) is theirs and stays.
GUARDED = ("title", "project", "cwd", "git_branch", "model", "parent_session_id", "status")


def digest(value: Any) -> str:
    """A short digest of a field's value, for the import state."""
    text = str(value).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


class Msg:
    """A message being imported: the fields of its `MessageSpec`, plus write bookkeeping (kept
    as a class: parsers extend a message after adding it, and `spec()` prices it)."""

    __slots__ = (
        "blocks",
        "cache_creation_tokens",
        "cache_read_tokens",
        "created_at",
        "dirty",
        "external_id",
        "input_tokens",
        "line_no",
        "metadata",
        "model",
        "output_tokens",
        "role",
        "weight",
        "written",
    )

    def __init__(
        self,
        role: Role,
        blocks: list[Block],
        *,
        external_id: str,
        created_at: str | None = None,
        model: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cache_read_tokens: int = 0,
        cache_creation_tokens: int = 0,
        metadata: dict[str, Any] | None = None,
        weight: int = 0,
    ) -> None:
        self.role = role
        self.blocks = blocks
        self.external_id = external_id
        self.created_at = created_at
        self.model = model
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.cache_read_tokens = cache_read_tokens
        self.cache_creation_tokens = cache_creation_tokens
        self.metadata = metadata or {}
        self.weight = weight
        self.line_no = 0
        self.written = False
        self.dirty = False

    @classmethod
    def from_stored(cls, message: Message) -> Msg:
        msg = cls(
            message.role,
            list(message.blocks),
            external_id=message.external_id or "",
            created_at=message.created_at,
            model=message.model,
            input_tokens=message.input_tokens,
            output_tokens=message.output_tokens,
            cache_read_tokens=message.cache_read_tokens,
            cache_creation_tokens=message.cache_creation_tokens,
            metadata=dict(message.metadata),
        )
        msg.written = True
        return msg

    def spec(self) -> MessageSpec:
        spec: MessageSpec = {
            "role": self.role,
            "content": self.blocks,
            "external_id": self.external_id,
            "created_at": self.created_at,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_creation_tokens": self.cache_creation_tokens,
        }
        if self.metadata:
            spec["metadata"] = self.metadata
        price_message(spec)
        return spec


def fit_nesting(msg: Msg) -> bool:
    """Cut content and metadata nested past the store's limit, marking the message
    `nesting_cut`; True when anything was cut.

    Not run on every message: the store's own walk finds such content (`InvalidInput`), and the
    engine then fits the batch and writes it again (`Sink.fit_nesting`).
    """
    blocks, cut = cut_nesting(msg.blocks)
    metadata, cut_meta = cut_nesting(msg.metadata)
    if not (cut or cut_meta):
        return False
    msg.blocks = safe_blocks(blocks)
    msg.metadata = {**metadata, "nesting_cut": True}
    return True


def merge_blocks(target: list[Block], blocks: list[Block]) -> bool:
    """Append the blocks `target` does not hold yet (tool_use by id, others by value)."""
    changed = False
    use_ids = {b.get("id") for b in target if b.get("type") == "tool_use"}
    blocks, _cut = cut_nesting(blocks)  # compared by value below: never deeper than the limit
    blocks = safe_blocks(blocks)
    for block in blocks:
        if block.get("type") == "tool_use" and block.get("id") in use_ids:
            continue
        if block in target:
            continue
        target.append(block)
        changed = True
    return changed


class SessionBuffer:
    """What one import run has for one session and not yet written."""

    def __init__(self, sink: Sink, session_id: str, info: SessionInfo | None) -> None:
        self.sink = sink
        self.id = session_id
        self.existed = info is not None
        self.created = info is not None
        self.creating = False
        self.count = info.message_count if info else 0
        self.next_count = self.count
        self.fields: dict[str, Any] = {}
        # fields someone else set since this file's import last wrote them: never overwritten
        self.foreign: set[str] = set()
        if info is not None:
            for key in _SESSION_KEYS:
                self.fields[key] = getattr(info, key)
            self.fields["metadata"] = dict(info.metadata)
            mine = sink.written.get(session_id)
            if mine is None and info.source_ref and info.source_ref != sink.source_ref:
                mine = sink.owner_written(session_id, info.source_ref)
            if mine is not None:
                self.foreign = {
                    key
                    for key in GUARDED
                    if self.fields.get(key) is not None
                    and mine.get(key) != digest(self.fields[key])
                }
            title = self.fields.get("title")
            if title is not None and info.metadata.get("title_digest") == digest(title):
                self.foreign.discard("title")  # set by another file's import (`set`)
        self.changes: dict[str, Any] = {}
        self.new: list[Msg] = []
        self.dirty: list[Msg] = []
        self.extendable: set[str] = set()

    # -- session fields ----------------------------------------------------------------------

    def get(self, key: str) -> Any:
        return self.fields.get(key)

    def set(self, **fields: Any) -> None:
        """Set fields whose value is not None and differs from what the session has (unless
        someone else changed that field after the import wrote it)."""
        for key, value in fields.items():
            if value is not None and self.fields.get(key) != value and key not in self.foreign:
                self.fields[key] = value
                self.changes[key] = value
                if (
                    key == "title"
                    and self.existed
                    and self.get("source_ref") != self.sink.source_ref
                ):
                    # another file's import titles this session (a Claude Code summary): its
                    # own import must still take the title as the import's, not as a user's
                    self.set_meta(title_digest=digest(self.sink.stored_text(value)))

    def set_default(self, **fields: Any) -> None:
        """Set fields the session does not have yet."""
        for key, value in fields.items():
            if value is not None and self.fields.get(key) is None:
                self.fields[key] = value
                self.changes[key] = value

    def set_meta(self, **values: Any) -> None:
        """Add keys to the session's metadata (None values are ignored)."""
        meta = dict(self.fields.get("metadata") or {})
        changed = False
        for key, value in values.items():
            if value is not None and meta.get(key) != value:
                meta[key] = value
                changed = True
        if changed:
            self.fields["metadata"] = meta
            self.changes["metadata"] = meta

    def drop_meta(self, key: str) -> None:
        """Remove a key from the session's metadata."""
        meta = self.fields.get("metadata") or {}
        if key in meta:
            meta = {k: v for k, v in meta.items() if k != key}
            self.fields["metadata"] = meta
            self.changes["metadata"] = meta

    # -- messages ----------------------------------------------------------------------------

    def add(self, msg: Msg, *, extendable: bool = False) -> Msg:
        """Queue a new message; `extendable` keeps it at hand for `find`."""
        msg.external_id = safe_id(msg.external_id)
        if msg.model is not None:
            msg.model = safe_id(msg.model)
        msg.blocks = safe_blocks(msg.blocks)  # nesting: see `fit_nesting`
        msg.line_no = self.sink.line_no
        roles = self.sink.roles
        roles[msg.role] = roles.get(msg.role, 0) + 1
        self.new.append(msg)
        self.sink.pending += 1
        if not msg.weight:
            msg.weight = self.sink.line_size
        created = msg.created_at
        if created:  # `set_default(started_at=)` and `set(ended_at=)`, inlined: every message
            fields = self.fields
            if fields.get("started_at") is None:
                fields["started_at"] = self.changes["started_at"] = created
            ended = fields.get("ended_at")
            if (ended is None or created > ended) and "ended_at" not in self.foreign:
                fields["ended_at"] = self.changes["ended_at"] = created
        if extendable:
            self.sink.remember(self.id, msg)
            self.extendable.add(msg.external_id)
        return msg

    def find(self, external_id: str) -> Msg | None:
        """A message this session already has (buffered, recent or stored), to extend it."""
        msg = self._find(external_id)
        if msg is not None:  # a message read again counts as one of its role (drift checks)
            self.sink.roles.setdefault(msg.role, 0)
        return msg

    def _find(self, external_id: str) -> Msg | None:
        external_id = safe_id(external_id)
        key = (self.id, external_id)
        recent = self.sink.recent
        msg = recent.get(key)
        if msg is not None:
            recent.move_to_end(key)
            return msg
        if not self.existed and external_id not in self.extendable:
            return None
        for pending in self.new:
            if pending.external_id == external_id:
                return pending
        if not self.created:
            return None
        stored = self.sink.db.find_message(self.id, external_id)
        if stored is None:
            return None
        msg = Msg.from_stored(stored)
        self.sink.remember(self.id, msg)
        return msg

    def touch(self, msg: Msg) -> None:
        """Mark a message found with `find` as changed (written again with replace)."""
        if msg.written and not msg.dirty:
            msg.dirty = True
            self.dirty.append(msg)
            self.sink.pending += 1

    # -- writing -----------------------------------------------------------------------------

    def write(self, db: Store, refused: list[tuple[int, str]] | None = None) -> tuple[int, bool]:
        """Write what is buffered; return (new messages, whether anything was written).

        With `refused`, each message is written on its own and one the store refuses is left
        out and listed there as (line number, reason), so one line cannot fail the others.
        """
        if not self.created:
            if not self.new:
                return 0, False
            fields = {k: v for k, v in self.fields.items() if v is not None}
            fields.setdefault("status", "completed")
            metadata = fields.pop("metadata", None) or None
            db.start_session(
                id=self.id, source=self.sink.source, exist_ok=True, metadata=metadata, **fields
            )
            db.adopt_children(self.id)  # subagents imported before their parent
            self.creating = True
            self._remember_written(db)
        elif self.changes:
            db.update_session(self.id, **self.changes)
            if any(key in GUARDED for key in self.changes):
                self._remember_written(db)
        wrote = bool(self.changes) or not self.created
        if self.dirty:
            self._append(db, self.dirty, refused, replace=True)
            wrote = True
        added = 0
        self.next_count = self.count
        if self.new:
            seqs = self._append(db, self.new, refused, replace=False)
            added = len({s for s in seqs if s >= self.count})
            self.next_count = max([self.count, *(s + 1 for s in seqs)])
            wrote = True
        return added, wrote

    def _remember_written(self, db: Store) -> None:
        """Keep digests of the guarded fields as the store now holds them (after redaction)."""
        stored = db.session_fields(self.id, GUARDED)
        if stored is not None:
            self.sink.written[self.id] = {
                key: digest(value) for key, value in stored.items() if value is not None
            }

    def _append(
        self, db: Store, msgs: list[Msg], refused: list[tuple[int, str]] | None, *, replace: bool
    ) -> list[int]:
        if refused is None:
            return db.append_many(self.id, [m.spec() for m in msgs], replace=replace)
        seqs: list[int] = []
        for msg in list(msgs):
            try:
                with db.transaction():
                    seqs.extend(db.append_many(self.id, [msg.spec()], replace=replace))
            except InvalidInput as exc:
                msgs.remove(msg)
                refused.append((msg.line_no, f"the store refused its message ({exc!s:.100})"))
        return seqs

    def committed(self) -> None:
        self.created = True
        self.creating = False
        self.count = self.next_count
        self.changes = {}
        for msg in self.new:
            msg.written = True
        for msg in self.dirty:
            msg.dirty = False
        self.new = []
        self.dirty = []


class Sink:
    """The sessions one file's import touches, buffered until the engine flushes them."""

    def __init__(self, db: Store, source: str, source_ref: str) -> None:
        self.db = db
        self.source = source
        self.source_ref = source_ref
        self.sessions: dict[str, SessionBuffer] = {}
        self.pending = 0
        self.line_size = 0  # size of the line being parsed (what a new message weighs)
        self.line_no = 0  # its number (what a message the store refuses is reported with)
        self.recent: OrderedDict[tuple[str, str], Msg] = OrderedDict()
        self.recent_bytes = 0
        # session id -> field -> digest of the value this file's import last wrote
        self.written: dict[str, dict[str, str]] = {}
        # record / item / event types skipped in this run: known noise, and unknown ones
        self.noise: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.roles: dict[str, int] = {}  # messages added in this run, by role
        # links across files (see `store.links`), written with the next batch
        self.leaves: dict[str, str] = {}  # a conversation's last record: uuid -> session
        self.leaf_summaries: dict[str, str] = {}  # summaries whose leaf is not met: uuid -> text
        self.leaves_dropped: set[str] = set()  # leaves recorded earlier that have children now

    def owner_written(self, session_id: str, source_ref: str) -> dict[str, str] | None:
        """The digests of the fields another file's import wrote to `session_id` (from that
        file's import state), so this import leaves alone what someone changed since."""
        state = self.db.import_state(path_key(text_path(source_ref)))
        written = state.state.get("_written") if state is not None else None
        mine = written.get(session_id) if isinstance(written, dict) else None
        return mine if isinstance(mine, dict) else None

    def stored_text(self, value: str) -> str:
        """`value` as the store keeps it (redacted when the store redacts)."""
        return redact_text(value) if self.db.redact else value

    def skipped(self, kind: str, *, noise: bool) -> None:
        """Count a record, item or event type the parser did not store."""
        table = self.noise if noise else self.unknown
        kind = safe_id(kind[:64])
        table[kind] = table.get(kind, 0) + 1

    def remember(self, session_id: str, msg: Msg) -> None:
        """Keep a message at hand for `SessionBuffer.find` (least recently used ones go)."""
        key = (session_id, msg.external_id)
        old = self.recent.pop(key, None)
        if old is not None:
            self.recent_bytes -= old.weight
        self.recent[key] = msg
        self.recent_bytes += msg.weight
        while len(self.recent) > 1 and (
            len(self.recent) > RECENT_MAX or self.recent_bytes > RECENT_BYTES
        ):
            _key, dropped = self.recent.popitem(last=False)
            self.recent_bytes -= dropped.weight

    def session(self, session_id: str) -> SessionBuffer:
        """The buffer for a session (looked up in the store the first time)."""
        buf = self.sessions.get(session_id)  # an id already normal: the common case
        if buf is not None:
            return buf
        session_id = normal_session_id(session_id) or safe_id(session_id)
        buf = self.sessions.get(session_id)
        if buf is None:
            buf = SessionBuffer(self, session_id, self.db.session(session_id))
            buf.set_default(source_ref=self.source_ref)
            self.sessions[session_id] = buf
        return buf

    def write(self, refused: list[tuple[int, str]] | None = None) -> tuple[int, set[str]]:
        """Write every buffer (call inside a transaction); (new messages, sessions written).

        With `refused`, messages the store refuses are left out and listed there instead.
        """
        added = 0
        touched: set[str] = set()
        if self.leaves or self.leaf_summaries or self.leaves_dropped:
            self._save_leaves(refused)
        for buf in self.sessions.values():
            count, wrote = buf.write(self.db, refused)
            added += count
            if wrote:
                touched.add(buf.id)
        return added, touched

    def _save_leaves(self, refused: list[tuple[int, str]] | None) -> None:
        """Record the conversation ends met; with `refused`, ends the store refuses cost only
        themselves (a summary in another file then titles nothing), listed there."""
        if refused is None:
            self.db.save_leaves(self.leaves, self.leaf_summaries, self.leaves_dropped)
            return
        try:
            with self.db.transaction():
                self.db.save_leaves(self.leaves, self.leaf_summaries, self.leaves_dropped)
        except InvalidInput as exc:
            refused.append((0, f"the store refused its conversation ends ({exc!s:.100})"))
        self.leaves, self.leaf_summaries, self.leaves_dropped = {}, {}, set()

    def fit_nesting(self) -> bool:
        """`fit_nesting` on every message not written yet; True when any was cut."""
        cut = False
        for buf in self.sessions.values():
            for msg in (*buf.new, *buf.dirty):
                cut = fit_nesting(msg) or cut
        return cut

    def committed(self) -> None:
        for buf in self.sessions.values():
            if buf.created or buf.creating:
                buf.committed()
        self.pending = 0
        self.leaves, self.leaf_summaries, self.leaves_dropped = {}, {}, set()

    def unsaved(self) -> dict[str, dict[str, Any]]:
        """Fields of sessions not created yet (no message so far): kept in the import state,
        since the lines that gave them will not be read again. A session with new messages is
        created by this very write, so its fields are in the store, not here."""
        return {
            buf.id: dict(buf.changes)
            for buf in self.sessions.values()
            if not (buf.created or buf.creating) and not buf.new and buf.changes
        }

    def restore(self, unsaved: dict[str, dict[str, Any]], written: Any = None) -> None:
        """Take back what `unsaved` and `written_state` returned at the end of the previous run.

        Fields kept for a session that exists by now are stale (an older version also kept
        those of sessions it had just created) and are not applied again.
        """
        if isinstance(written, dict):
            self.written = {
                sid: dict(fields) for sid, fields in written.items() if isinstance(fields, dict)
            }
        for session_id, fields in (unsaved or {}).items():
            if isinstance(fields, dict):
                buf = self.session(session_id)
                if not buf.existed:
                    buf.set(**fields)

    def written_state(self) -> dict[str, dict[str, str]]:
        """The digests of what this file's import wrote, for the import state."""
        return self.written
