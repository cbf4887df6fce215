"""Identifiers with secrets in them, in a store that redacts: session ids (and the parent ids
and other rows naming them), project names and tags.

An identifier cannot become `[REDACTED:<kind>]` like free text: two ids that differ only in
their secret would collide, the same id written twice must land on the same row, and the
result must still work where ids are typed and parsed (`show ID#SEQ`, a citation
`session_id#seq`, a shell). So each secret in it is replaced by `redacted-<kind>-<digest>`,
the digest being the first hex digits of the sha256 of the whole original identifier:
`sess-ghp_…` becomes `sess-redacted-github_token-3f9a…`. The same id always gives the same key
(callers may keep passing the original: the store maps it), different ids give different keys,
an id without a secret is itself, and a key is its own key. (The digest of a 36-character random
token cannot be turned back into it.) Message external ids keep their older form
(`redact.redact_id`: the redacted text, `#` and a digest): they are never typed.
"""

from __future__ import annotations

import functools
import re

from .redact import kinds_in, may_hold_secret, redact_text

_MARKS = re.compile(r"\[REDACTED:([a-z0-9_]{1,40})\]")


def _digest(value: str, chars: int) -> str:
    import hashlib  # on use: the store opens without it

    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:chars]


def redact_key(value: str) -> str:
    """An identifier (a session id, a project name) with each secret in it replaced by
    `redacted-<kind>-<digest>`: unique and stable (see the module's docstring)."""
    return _cached_key(value) if len(value) <= 256 else _key(value)  # the cache holds ids


@functools.lru_cache(maxsize=4096)
def _cached_key(value: str) -> str:
    return _key(value)


def _key(value: str) -> str:
    if not may_hold_secret(value):
        return value  # without loading the rules: an import into a plain store never needs them
    out = redact_text(value)
    if out == value:
        return value
    digest = _digest(value, 16)
    return _MARKS.sub(lambda m: f"redacted-{m.group(1)}-{digest}", out)


def redact_tag(tag: str) -> str:
    """A tag (case-folded, see `marks.clean_tag`) with a secret in it as a tag still:
    `redacted-<kind>-<digest>` in place of the secret, letters, digits, `-` and `_` only. A key
    that case-folding hid from its rule (an AWS key id is upper case) is caught too."""
    out = redact_key(tag)
    if out != tag:
        return out
    upper = tag.upper()
    kinds = kinds_in([redact_text(upper)]) if redact_text(upper) != upper else {}
    if not kinds:
        return tag
    return f"redacted-{min(kinds)}-{_digest(tag, 16)}"
