"""The one JSON writer: every `--json` output and JSON export goes through `json_text`."""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

# Escaped in JSON output: lone surrogates (UTF-8 cannot carry them) and characters a terminal
# would act on or that hide text: DEL, C1 controls, every bidi control (U+061C, U+200E/F,
# U+202A-202E, U+2066-2069), zero-width and joiners, line separators, U+2060-206F, U+180E, the BOM,
# interlinear annotations, the tag block U+E0000-E007F and the blank Hangul and Khmer fillers: the
# characters `sanitize` removes (a test holds them equal). json.dumps already escapes C0; the
# escapes read back exactly.
_ESCAPE_IN_JSON = (  # a pattern string: `re` caches it once compiled, on the first non-ASCII text
    "[\ud800-\udfff\x7f-\x9f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def _escape(match: re.Match[str]) -> str:
    """One character as a JSON `\\uXXXX` escape (a surrogate pair past U+FFFF)."""
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: Any, indent: int | None = 2) -> str:
    """JSON that is valid UTF-8 and inert on a terminal: readable non-ASCII text, with lone
    surrogates and terminal-active or invisible characters written as `\\uXXXX` escapes (which
    read back exactly)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if text.isascii():
        return text
    return re.sub(_ESCAPE_IN_JSON, _escape, text)


def echo_json(value: Any) -> None:
    """Print `value` as inert JSON on stdout: a list on one line, an object indented."""
    import click

    click.echo(json_text(value, indent=None if isinstance(value, list) else 2))
