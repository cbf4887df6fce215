"""Make untrusted transcript text inert before it reaches a terminal.

Strips ANSI/VT escape sequences (CSI, OSC such as window titles and OSC 52 clipboard writes, DCS,
PM, APC, SOS), C0 and C1 control characters (newline and tab are kept), DEL, bidirectional
overrides and zero-width characters. Markup is not this module's business: render text through
`rich.text.Text` / `markup=False`, never as a markup string.
"""

from __future__ import annotations

import re

# ESC-introduced sequences and their 8-bit C1 twins.
_ESCAPES = re.compile(
    r"""
      (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?            # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])       # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)          # ... up to BEL or ST; unterminated, only
                                                     # the introducer goes (text after it stays)
    | \x1b[ -/]*[0-~]?                               # other ESC sequences (charset, keypad...)
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff]"
)


def clean(text: str) -> str:
    """`text` with escape sequences and control characters removed (newlines and tabs kept)."""
    if not text:
        return ""
    if text.isprintable():
        return text
    text = _ESCAPES.sub("", text.replace("\r\n", "\n"))
    return _CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """`clean`, with newlines and tabs turned into spaces (for one-line displays)."""
    return " ".join(clean(text).split()) if text else ""


def is_inert(text: str) -> bool:
    """True when `text` holds nothing a terminal would interpret (newline and tab allowed)."""
    return _CONTROLS.search(text) is None and "\x1b" not in text
