"""Make untrusted transcript text inert before it reaches a terminal: the one sanitiser.

Strips ANSI/VT escape sequences (CSI, OSC such as window titles and OSC 52 clipboard writes, DCS,
PM, APC, SOS), C0 and C1 control characters (newline and tab are kept), DEL, every bidirectional
control, zero-width and other invisible format characters, and Unicode tag characters. Every
function runs in linear time on any input.

Every string from the store that is shown (ids, titles, paths, tool and model names, media types,
block types, roles, error messages) goes through this module: `clean` for multi-line bodies
(bounded by the caller), `inert` for a one-line label of any field (cut before it is cleaned or
measured, so a 2 MB path costs what a short one does), `safe_text` for the same as a Rich `Text`.
Markup is not this module's business: render text through `rich.text.Text` / `markup=False`,
never as a markup string.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

# ESC-introduced sequences and their 8-bit C1 twins. Linear: every quantifier is possessive and
# the payload of a string sequence stops at the next ESC or C1 byte, so an unterminated OSC is
# scanned only up to the next introducer (never to the end of the text once per introducer).
_ESCAPES_PATTERN = r"""
      (?:\x1b\[|\x9b)[0-?]*+[ -/]*+[@-~]?             # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])         # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x80-\x9f]*+(?:\x07|\x1b\\|\x9c)      # ... up to BEL or ST; unterminated, only
                                                      # the introducer goes (text after it stays)
    | \x1b[ -/]*+[0-~]?                                # other ESC sequences (charset, keypad...)
    """
# C0 (but newline and tab), DEL, C1; every bidi control (U+061C ARABIC LETTER MARK, U+200E/F,
# U+202A-202E, U+2066-2069), zero-width characters and joiners, line and paragraph separators,
# the invisible operators and the deprecated format characters (U+2060-206F), U+180E MONGOLIAN
# VOWEL SEPARATOR, the BOM, interlinear annotations, the tag block U+E0000-E007F (invisible ASCII
# look-alikes: "ASCII smuggling"), the blank fillers that draw as nothing (Hangul U+115F, U+1160,
# U+3164, U+FFA0; Khmer U+17B4/5: look-alike names) and lone surrogates. `jsonout` escapes the
# same characters.
_INVISIBLE = (
    "\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
    "\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f"
)
_CONTROLS_PATTERN = f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}\ud800-\udfff]"
_compiled: list[re.Pattern[str]] = []  # compiled on first use: most text needs no cleaning


def _patterns() -> list[re.Pattern[str]]:
    if not _compiled:
        _compiled[:] = [re.compile(_ESCAPES_PATTERN, re.VERBOSE), re.compile(_CONTROLS_PATTERN)]
    return _compiled


DISPLAY_CHARS = 300
"""What a one-line label shows of any store field (a title, an id, a path, a name)."""


_FILLERS = frozenset("\u115f\u1160\u17b4\u17b5\u3164\uffa0")  # printable to Python, yet blank


def is_clean(text: str) -> bool:
    """True when `text` needs no cleaning: printable, with none of the blank fillers (which
    `str.isprintable` counts as printable)."""
    return text.isprintable() and (text.isascii() or _FILLERS.isdisjoint(text))


def clean(text: str) -> str:
    """`text` with escape sequences and control characters removed (newlines and tabs kept)."""
    if not text:
        return ""
    if is_clean(text):
        return text
    escapes, controls = _patterns()
    text = escapes.sub("", text.replace("\r\n", "\n"))
    return controls.sub("", text)


def clean_line(text: str) -> str:
    """`clean`, with newlines and tabs turned into spaces (for one-line displays)."""
    return " ".join(clean(text).split()) if text else ""


def inert(value: Any, limit: int | None = DISPLAY_CHARS) -> str:
    """Any store value as one inert line of at most `limit` characters (`…` marks a cut).

    The value is cut before it is cleaned, so the cost is bounded by `limit` whatever its size;
    `limit=None` keeps it whole (exports, which must not lose text).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if limit is None or len(text) <= limit:
        return clean_line(text)
    shown = clean_line(text[: limit * 4])  # room for sequences that cleaning drops
    if len(text) <= limit * 4 and len(shown) <= limit:
        return shown  # the whole value, once its sequences are gone
    return (shown if len(shown) < limit else shown[: max(0, limit - 1)]) + "…"


def is_inert(text: str) -> bool:
    """True when `text` holds nothing a terminal would interpret (newline and tab allowed)."""
    return _patterns()[1].search(text) is None and "\x1b" not in text
