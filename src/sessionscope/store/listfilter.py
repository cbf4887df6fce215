"""The session-list filter: the search language (`query.py`'s tokens) applied to sessions.

`source:` `project:` `model:` `since:` `until:` filter the session row (values are
case-insensitive), `tag:` and `is:pinned` what a person added to it (`marks.py`), bare words
and "phrases" must appear in the title, `-word` / `-field:` exclude. What the list cannot apply (message filters such as `role:`, an unreadable date, an
unknown `name:`) is an error, never silently ignored. The browser (`f`) and the CLI
(`sessions --since 7d`) parse here; `Store.sessions(match=...)` applies the result.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .errors import InvalidInput
from .query import FIELDS, PINNED, PINNED_SQL, TAG_SQL, _tokens, like_escape, tag_value
from .timeutil import parse_when

LIST_FIELDS = ("source", "project", "model", "since", "until", "tag", "is")
HELP = "use source:, project:, model:, since:, until:, tag:, is:pinned and words of the title"
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAMED = re.compile(r"^[A-Za-z_]+:")


def when_value(name: str, value: str, *, now: datetime | None = None) -> str | None:
    """A `since`/`until` value as a stored timestamp (ISO date or time, `7d`, `12h`,
    `yesterday`); an `until` date means the end of that day. None: not understood."""
    moment = parse_when(value, now=now)
    if moment is not None and name == "until" and _DATE_ONLY.match(value.strip()):
        return value.strip() + "T23:59:59.999Z"
    return moment


class ListFilter:
    """A parsed list filter: SQL conditions on the session row `s`, the chips that show it,
    and the errors (a filter with errors is not applied)."""

    __slots__ = ("chips", "clauses", "errors", "params", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.clauses: list[str] = []
        self.params: list[object] = []
        self.chips: list[str] = []
        self.errors: list[str] = []

    @property
    def active(self) -> bool:
        return bool(self.clauses)

    def __repr__(self) -> str:
        return f"ListFilter({self.text!r}, chips={self.chips}, errors={self.errors})"


def parse_list_filter(text: str, *, now: datetime | None = None) -> ListFilter:
    """Parse what a person typed into the list filter (never raises)."""
    result = ListFilter(text or "")
    for kind, value, negated, quoted in _tokens(text or ""):
        value = value.strip()
        sign = "-" if negated else ""
        if kind == "or":
            result.errors.append(f"OR is for search, not the list filter ({HELP}).")
            continue
        if kind.startswith("field:"):
            name = kind[6:]
            if name not in LIST_FIELDS:
                result.errors.append(f"{name}: filters messages, not sessions ({HELP}).")
                continue
            if not value:
                result.errors.append(f"{name}: needs a value.")
                continue
            if name == "is" and value.lower() not in PINNED:
                result.errors.append(f"is:{value} filters messages, not sessions ({HELP}).")
                continue
            clause, param = _field(name, value, now)
            if clause is None:
                result.errors.append(
                    f"{name}:{value} is not a date (use 7d, 12h, yesterday or 2026-10-01)."
                )
                continue
            shown = {"is": "pinned", "tag": tag_value(value)}.get(name, value)
            chip = f"{sign}{name}:{shown}"
        else:
            if not value:
                continue
            if not quoted and _NAMED.match(value) and value.split(":")[0].lower() not in FIELDS:
                result.errors.append(f"unknown filter {value.split(':')[0]}: ({HELP}).")
                continue
            clause, param = "s.title LIKE ? ESCAPE '\\'", "%" + like_escape(value) + "%"
            chip = f'{sign}title:"{value}"' if quoted or " " in value else f"{sign}title:{value}"
        if negated:
            clause = f"NOT coalesce(({clause}), 0)"
        result.clauses.append(clause)
        if param is not None:
            result.params.append(param)
        result.chips.append(chip)
    return result


def _field(name: str, value: str, now: datetime | None) -> tuple[str | None, object]:
    if name == "source":
        return "s.source = ? COLLATE NOCASE", value
    if name == "project":
        return "s.project LIKE ? ESCAPE '\\'", "%" + like_escape(value) + "%"
    if name == "model":
        return "s.model LIKE ? ESCAPE '\\'", "%" + like_escape(value) + "%"
    if name == "tag":
        return TAG_SQL, tag_value(value)
    if name == "is":
        return PINNED_SQL, None
    moment = when_value(name, value, now=now)
    if moment is None:
        return None, None
    return ("s.updated_at >= ?" if name == "since" else "s.started_at <= ?"), moment


def with_match(
    where: str, params: list[Any], match: str | ListFilter | None
) -> tuple[str, list[Any]]:
    """`where` and `params` with a list filter's conditions added (an invalid one refused)."""
    if match is None:
        return where, params
    if isinstance(match, str):
        match = parse_list_filter(match)
    elif not isinstance(match, ListFilter):
        raise InvalidInput(f"match must be a string, not {type(match).__name__}.")
    if match.errors:
        raise InvalidInput(match.errors[0])
    if not match.clauses:
        return where, params
    joined = " AND ".join(match.clauses)
    return (f"{where} AND {joined}" if where else f"WHERE {joined}"), [*params, *match.params]
