"""The one JSON writer: every `--json` output and JSON export goes through `json_text`."""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

# Escaped in JSON output: lone surrogates (UTF-8 cannot carry them) and characters a terminal
# would act on or that hide text (DEL, C1 controls, bidi overrides, zero-width, line separators).
# json.dumps already escapes C0; the escapes read back exactly.
_ESCAPE_IN_JSON = (  # a pattern string: `re` caches it once compiled, on the first non-ASCII text
    "[\ud800-\udfff\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def json_text(value: Any, indent: int | None = 2) -> str:
    """JSON that is valid UTF-8 and inert on a terminal: readable non-ASCII text, with lone
    surrogates and terminal-active or invisible characters written as `\\uXXXX` escapes (which
    read back exactly)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if text.isascii():
        return text
    return re.sub(_ESCAPE_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text)


def echo_json(value: Any) -> None:
    """Print `value` as inert JSON on stdout: a list on one line, an object indented."""
    import click

    click.echo(json_text(value, indent=None if isinstance(value, list) else 2))
