"""Small, fast helpers shared by the format writers: JSON, ids, timestamps, token estimates."""

from __future__ import annotations

import json
import random
import string
from datetime import UTC, datetime

encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

_B62 = string.ascii_letters + string.digits
_DAYS: dict[int, str] = {}


def b62(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_B62, k=n))


def uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def uuid7(rng: random.Random, ms: int) -> str:
    """A UUIDv7 (time-ordered), as Codex CLI uses for session ids."""
    h = f"{ms & (2**48 - 1):012x}{rng.getrandbits(80):020x}"
    return f"{h[:8]}-{h[8:12]}-7{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def iso(ms: int) -> str:
    """Epoch milliseconds as `2026-10-02T09:14:00.020Z` (cached per day: this runs per record)."""
    s, milli = divmod(ms, 1000)
    d, rem = divmod(s, 86400)
    day = _DAYS.get(d)
    if day is None:
        day = _DAYS[d] = datetime.fromtimestamp(d * 86400, UTC).strftime("%Y-%m-%d")
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    return f"{day}T{h:02d}:{m:02d}:{sec:02d}.{milli:03d}Z"


def tokens(text_len: int) -> int:
    """A rough token count for `text_len` characters."""
    return text_len // 4 + 1


class ByteSink:
    """A binary file that counts what is written through it."""

    def __init__(self, path: str) -> None:
        self._fh = open(path, "wb", buffering=1 << 20)  # noqa: SIM115
        self.bytes = 0
        self.lines = 0

    def write(self, line: str) -> None:
        data = line.encode("utf-8")
        self._fh.write(data)
        self.bytes += len(data)
        self.lines += 1

    def close(self) -> None:
        self._fh.close()
