"""The search language: parse what a person types into safe SQL pieces. Never raises.

Plain words must all match (the last word, from three characters on, is a prefix while typing), `"quoted phrase"`,
`-word` excludes, `OR` between two terms, and filters: `role:` `tool:` `project:` `source:`
`model:` `since:` `until:` `session:` `in:tools|text` `is:error`, and what a person added to
sessions: `tag:` and `is:pinned` (see `marks.py`). FTS5 syntax is never passed
through: every term is quoted. Terms in scripts written without spaces (CJK, Thai) are matched
as substrings through the trigram index.
"""

from __future__ import annotations

import re

from .blocks import has_no_space_script
from .timeutil import parse_when

# A shorter last word is matched whole: a one- or two-letter prefix would expand to a large
# share of the vocabulary, and FTS5 merges every expanded term's postings.
MIN_PREFIX = 3
FIELDS = (
    "role",
    "tool",
    "project",
    "source",
    "model",
    "since",
    "until",
    "session",
    "in",
    "is",
    "tag",
)
SESSION_FIELDS = ("project", "source", "session", "tag")  # filters reading only the session row
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# An imported API error (a `system` message of kind `api_error`): `is:error` finds it too; the
# partial index `messages_api_error` (migration 10) holds exactly these rows.
API_ERROR_SQL = "(m.role = 'system' AND json_extract(m.metadata, '$.kind') = 'api_error')"
# Session marks (migration 11) on the session row `s`: its tag, its pin.
TAG_SQL = "EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = s.id AND t.tag = ?)"
PINNED_SQL = (
    "EXISTS (SELECT 1 FROM session_marks k WHERE k.session_id = s.id AND k.pinned_at IS NOT NULL)"
)
PINNED = ("pinned", "pin")


def tag_value(value: str) -> str:
    """A `tag:` value as tags are stored (NFKC, case-folded, without a leading `#`)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", value.strip()).casefold()
    return text[1:] if text.startswith("#") else text


class Term:
    """One word or phrase of a query (a plain class: this module is on the CLI's start-up path)."""

    __slots__ = ("phrase", "prefix", "text")

    def __init__(self, text: str, phrase: bool = False, prefix: bool = False) -> None:
        self.text = text
        self.phrase = phrase
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"Term({self.text!r}, phrase={self.phrase}, prefix={self.prefix})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Term) and (self.text, self.phrase, self.prefix) == (
            other.text,
            other.phrase,
            other.prefix,
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def no_space(self) -> bool:
        return has_no_space_script(self.text)

    def fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + "*" if self.prefix else quoted


class Filter:
    """One field filter: its name and value, and the SQL condition on a message row `m` joined
    to its session `s` (already negated for `-field:`)."""

    __slots__ = ("clause", "name", "negated", "params", "value")

    def __init__(
        self, name: str, value: object, negated: bool, clause: str, params: list[object]
    ) -> None:
        self.name = name
        self.value = value
        self.negated = negated
        self.clause = clause
        self.params = params

    def __repr__(self) -> str:
        return f"Filter({self.name!r}, {self.value!r}, negated={self.negated})"

    @property
    def on_session(self) -> bool:
        """Whether the condition reads only the session row (`s`)."""
        return self.name in SESSION_FIELDS or (self.name == "is" and self.value == "pinned")


class Query:
    """A parsed query: positive term groups (AND of ORs), exclusions, and SQL filters."""

    __slots__ = ("column", "excluded", "filters", "groups", "params", "where")

    def __init__(self) -> None:
        self.groups: list[list[Term]] = []
        self.excluded: list[Term] = []
        self.column: str | None = None  # "text" or "tools"
        self.filters: list[Filter] = []
        self.where: list[str] = []
        self.params: list[object] = []

    def terms(self) -> list[str]:
        """The positive words and phrases, for highlighting matches in a transcript."""
        return [t.text for group in self.groups for t in group]


def _searchable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _tokens(text: str) -> list[tuple[str, str, bool, bool]]:
    """Split into (kind, value, negated, quoted); kind is 'word', 'or' or 'field:<name>'."""
    out: list[tuple[str, str, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end == -1 else end
            out.append(("word", text[i + 1 : end], negated, True))
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        word = text[i:j]
        name, colon, value = word.partition(":")
        if colon and name.lower() in FIELDS:
            if value.startswith('"'):
                end = text.find('"', i + len(name) + 2)
                end = n if end == -1 else end
                value = text[i + len(name) + 2 : end]
                j = end + 1
            out.append((f"field:{name.lower()}", value, negated, False))
        elif word == "OR" and not negated:
            out.append(("or", word, False, False))
        else:
            out.append(("word", word, negated, False))
        i = j
    return out


MAX_QUERY_CHARS = 4_000
"""A longer query is not searched (its words' look-ups, the FTS expression and a prefix's pattern
grow with it: 42 s for 200,000 words): it finds nothing at once, marked partial."""


def problems(text: str) -> list[str]:
    """What a typed-out query asks that cannot mean anything: more than `MAX_QUERY_CHARS`, an
    unreadable `since:`/`until:` date, an `is:` other than `is:error` or `is:pinned`, an `in:`
    other than tools or text. (Search itself never raises: such a query or filter matches
    nothing; the CLI, the browser and MCP say these instead.)"""
    if len(text or "") > MAX_QUERY_CHARS:
        return [
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are"
            " searched (narrow it)."
        ]
    found: list[str] = []
    for kind, value, _negated, _quoted in _tokens(text or ""):
        name, value = kind[6:], value.strip()
        if not kind.startswith("field:") or not value:
            continue
        if name in ("since", "until") and parse_when(value) is None:
            found.append(f"{name}:{value} is not a date (use 7d, 12h, yesterday or 2026-10-01).")
        elif name == "is" and value.lower() not in ("error", "failed", *PINNED):
            found.append(f"is:{value} is not a filter (use is:error or is:pinned).")
        elif name == "in" and value.lower() not in ("tools", "tool", "text", "prose"):
            found.append(f"in:{value} is not a filter (use in:tools or in:text).")
    return found


def near_filters(text: str) -> list[str]:
    """Words that look like a mistyped filter (`projet:webapp`, `tools:Bash`), with the filter
    they may mean. Said when a search finds nothing, never an error: such a word is searched as
    text, as `localhost:8080` is."""
    from difflib import get_close_matches

    found: list[str] = []
    for kind, value, _negated, quoted in _tokens(text or ""):
        name, colon, rest = value.partition(":")
        if kind != "word" or quoted or not colon or not rest or not name.isalpha():
            continue
        close = get_close_matches(name.lower(), FIELDS, n=1, cutoff=0.75)
        if close:
            found.append(f"{name}: is not a filter; did you mean {close[0]}:{rest}?")
    return found


def like_escape(value: str) -> str:
    """`value` with LIKE's wildcards escaped (use with `ESCAPE '\\'`)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(value: str) -> str:
    return "%" + like_escape(value) + "%"


def parse(text: str, *, typing: bool = True) -> Query:
    """Parse `text`. With `typing`, a last bare word not followed by a space is a prefix."""
    query = Query()
    tokens = _tokens(text or "")
    ends_open = typing and bool(text) and not text[-1].isspace() and not text.endswith('"')
    last_word = max((k for k, tok in enumerate(tokens) if tok[0] == "word"), default=-1)
    pending_or = False
    for k, (kind, value, negated, quoted) in enumerate(tokens):
        if kind == "or":
            pending_or = bool(query.groups)
            continue
        if kind.startswith("field:"):
            _add_filter(query, kind[6:], value, negated)
            pending_or = False
            continue
        if not _searchable(value):
            pending_or = False
            continue
        prefix = ends_open and k == last_word and not quoted and len(value) >= MIN_PREFIX
        term = Term(value, phrase=quoted, prefix=prefix)
        if term.no_space:
            term.prefix = False
        if negated:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    return query


def _add_filter(query: Query, name: str, value: str, negated: bool) -> None:
    value = value.strip()
    clause: str | None = None
    params: list[object] = []
    if name == "in":
        if value.lower() in ("tools", "tool"):
            query.column = "tools"
        elif value.lower() in ("text", "prose"):
            query.column = "text"
        return
    if not value:
        return
    if name == "role":
        clause, params = "m.role = ?", [value.lower()]
    elif name == "tool":
        # EXISTS through the call and result indexes: a walk checks a few rows, never the set
        clause = (
            "(EXISTS (SELECT 1 FROM tool_calls tc WHERE tc.message_id = m.id"
            " AND tc.name = ? COLLATE NOCASE) OR EXISTS (SELECT 1 FROM tool_calls tc"
            " WHERE tc.result_message_id = m.id AND tc.name = ? COLLATE NOCASE))"
        )
        params = [value, value]
    elif name == "tag":
        clause, params = TAG_SQL, [tag_value(value)]
    elif name == "is":
        if value.lower() in PINNED:
            clause, params = PINNED_SQL, []
            value = "pinned"
        elif value.lower() in ("error", "failed"):
            value = "error"
            clause = (
                "(EXISTS (SELECT 1 FROM tool_calls tc WHERE tc.message_id = m.id"
                " AND tc.is_error = 1) OR EXISTS (SELECT 1 FROM tool_calls tc"
                " WHERE tc.result_message_id = m.id AND tc.is_error = 1) OR " + API_ERROR_SQL + ")"
            )
        else:
            clause = "0"
    elif name == "project":
        clause, params = "s.project LIKE ? ESCAPE '\\'", [_like(value)]
    elif name == "source":
        clause, params = "s.source = ? COLLATE NOCASE", [value]
    elif name == "model":
        clause, params = "coalesce(m.model, s.model) LIKE ? ESCAPE '\\'", [_like(value)]
    elif name == "session":
        clause = "s.id LIKE ? ESCAPE '\\'"
        params = [like_escape(value) + "%"]
    elif name in ("since", "until"):
        moment = parse_when(value)
        if moment is None:
            clause = "0"  # an unreadable date matches nothing rather than everything
        elif name == "since":
            clause, params = "m.created_at >= ?", [moment]
        else:
            if _DATE_ONLY.match(value):
                moment = value + "T23:59:59.999Z"
            clause, params = "m.created_at <= ?", [moment]
    if clause is None:
        return
    if negated:
        clause = f"NOT coalesce(({clause}), 0)"
    shown = params[0] if params else (value if name == "is" else None)
    query.filters.append(Filter(name, shown, negated, clause, params))
    query.where.append(clause)
    query.params.extend(params)


def fts_expression(terms: list[list[Term]]) -> str:
    """AND of OR-groups as an FTS5 expression of quoted phrases."""
    parts = []
    for group in terms:
        inner = " OR ".join(t.fts() for t in group)
        parts.append(f"({inner})" if len(group) > 1 else inner)
    return " AND ".join(parts)
