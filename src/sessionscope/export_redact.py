"""Redact a session before it is exported (`export --redact`, the HTML export's default): one
walk over every string an export can write, for Markdown, JSON and HTML alike.

The walk is over the dataclass fields themselves, not a list of names: every field of the
session (id, source, title, paths, model, status, times, metadata at any depth, tags, the note)
and of each message (its session id, role, model, external id, metadata and every block), so a
field added later is redacted without anyone remembering to. What it replaced is counted, per
place and kind: only marks the text did not hold before (a store that redacts already holds
some), so the count is what this export replaced. A string whose secret shows only once it is
cleaned (a zero-width space inside a token: the export's cleaning would join it back) is
redacted cleaned.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .sanitize import clean, is_clean
from .store.models import Message, Session
from .store.redact import kinds_in, redact, redact_text


@dataclass(frozen=True, slots=True)
class Redaction:
    """Secrets of one kind replaced in one place: a session field (`title`, `metadata`, ...) or
    a message (`#3 user` for its blocks, `#3 user metadata` for another field)."""

    where: str
    kind: str
    count: int = 1


def _strings(value: Any) -> list[str]:
    """Every string in `value` (dict keys too), at any depth, without recursion."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return out


def _unhidden(value: Any) -> Any:
    """`value` with each string that shows a secret only once cleaned (a token split by a
    zero-width space, which every export's cleaning removes) replaced by its cleaned form; the
    rest as it is (the store nests at most 100 deep)."""
    if isinstance(value, str):
        if is_clean(value):
            return value
        cleaned = clean(value)
        hidden = kinds_in([redact_text(cleaned)]) != kinds_in([redact_text(value)])
        return cleaned if hidden else value
    if isinstance(value, dict):
        return {_unhidden(k): _unhidden(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unhidden(v) for v in value]
    return value


def _redact_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(redact(_unhidden(list(value))))
    if isinstance(value, (str, list, dict)):
        return redact(_unhidden(value))
    return value  # numbers, booleans, None: nothing to redact


def _replaced(where: str, old: Any, new: Any) -> list[Redaction]:
    """The marks `new` holds beyond those `old` held, by kind."""
    if old == new:
        return []
    before = kinds_in(_strings(old))
    return [
        Redaction(where, kind, count - before.get(kind, 0))
        for kind, count in kinds_in(_strings(new)).items()
        if count > before.get(kind, 0)
    ]


def _redact_fields(
    record: Any, where: str, skip: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Redaction]]:
    """The changed fields of a dataclass `record`, redacted, and what was replaced."""
    changes: dict[str, Any] = {}
    found: list[Redaction] = []
    for field in dataclasses.fields(record):
        if field.name in skip:
            continue
        old = getattr(record, field.name)
        new = _redact_value(old)
        if new != old:
            changes[field.name] = new
            found += _replaced(where.format(field=field.name), old, new)
    return changes, found


def redact_message(message: Message) -> tuple[Message, list[Redaction]]:
    """A message with secrets redacted in every field, and what was replaced."""
    head = f"#{message.seq} {message.role}"
    changes, found = _redact_fields(message, head + " {field}")
    found = [
        dataclasses.replace(r, where=head) if r.where == f"{head} blocks" else r for r in found
    ]
    return (dataclasses.replace(message, **changes) if changes else message), found


def redact_session(session: Session) -> tuple[Session, list[Redaction]]:
    """`session` with secrets redacted in every string an export writes (its fields, metadata,
    tags, note and every message's fields and blocks), and what was replaced, where."""
    changes, found = _redact_fields(session, "{field}", skip=("messages",))
    messages = []
    for message in session.messages:
        redacted, in_message = redact_message(message)
        messages.append(redacted)
        found += in_message
    return dataclasses.replace(session, messages=messages, **changes), found
