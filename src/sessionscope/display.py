"""How the CLI and the browser show numbers, ages and text in a column: one implementation, so
`sessionscope sessions` and the session list say the same `2mo` and `27k` for one session.

Plain functions (no Textual, no Rich): ages (`now 3m 5h 2d 7w 2mo 1y`), counts
(`950 1.2k 12k 1.3M`), costs (`$0.42`, `—` when unpriced), sizes (`68 B 12.5 KB`) and text
fitted to a number of terminal cells (`…` marks a cut).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from .sanitize import inert


def parse_ts(value: str | None) -> datetime | None:
    """A stored ISO timestamp as an aware datetime (None when missing or odd)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def age(value: str | None, now: datetime | None = None) -> str:
    """How long before `now` (default: this moment) `value` was, in the shortest useful unit:
    `now`, `5m`, `3h`, `3d`, `2w`, `4mo`, `2y`; empty when unknown or unreadable."""
    moment = parse_ts(value)
    if moment is None:
        return ""
    try:
        seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    except (OverflowError, TypeError):  # out of the calendar's range, or a naive `now`
        return ""
    if seconds < 60:
        return "now"
    minutes = seconds / 60
    if minutes < 60:
        return f"{int(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{int(hours)}h"
    days = hours / 24
    if days < 14:
        return f"{int(days)}d"
    if days < 60:
        return f"{int(days // 7)}w"
    if days < 365:
        return f"{int(days // 30)}mo"
    return f"{int(days // 365)}y"


def short_count(n: int | None) -> str:
    """`950`, `1.2k`, `12k`, `1.3M`, `12M` (whole thousands and millions rounded down)."""
    n = int(n or 0)
    if n < 1000:
        return str(n)
    if n < 10_000:
        return f"{n / 1000:.1f}k"
    if n < 1_000_000:
        return f"{n // 1000}k"
    if n < 10_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n // 1_000_000}M"


def money(usd: float | None) -> str:
    """A cost in US dollars: `$0.42`, `$12.34`, `$1,234`; `<$0.01` for a priced fraction of a
    cent; `—` when nothing was priced (None or 0: an unpriced session costs an unknown amount,
    never `$0.00`)."""
    if usd is None or usd != usd or usd <= 0:  # None, NaN, zero: nothing was priced
        return "—"
    if usd < 0.01:
        return "<$0.01"
    if usd < 1000:
        return f"${usd:,.2f}"
    return f"${usd:,.0f}"


def human_bytes(n: int) -> str:
    """`68 B`, `12.5 KB`, `3.1 MB`."""
    size = float(max(0, n))
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def cells(text: str) -> int:
    """How many terminal cells `text` takes (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
        for c in text
    )


def fit(value: object, width: int, *, pad: bool = False) -> str:
    """Any value as one inert line of at most `width` terminal cells, `…` marking a cut; with
    `pad`, filled with spaces to exactly `width` cells (a column)."""
    width = max(0, width)
    text = inert(value, width)
    if cells(text) > width:
        cut, used = [], 0
        for c in text:
            size = cells(c)
            if used + size > width - 1:
                break
            cut.append(c)
            used += size
        text = "".join(cut) + "…"
    return text + " " * (width - cells(text)) if pad else text


# -- what a person added to a session (tags, pin, note): the same marks in the CLI and browser --

PIN_MARK = "★"
NOTE_MARK = "✎"


def tag_list(tags: tuple[str, ...] | list[str]) -> str:
    """`#ci #flaky`: a session's tags as shown (made inert: a tag is checked when stored, but a
    store written by something else may hold anything)."""
    return " ".join("#" + inert(tag, 40) for tag in tags)


def note_line(note: str | None, limit: int = 200) -> str:
    """A note on one line (its line breaks shown as ` ⏎ `), inert and cut to `limit` characters."""
    if not note:
        return ""
    return inert(" ⏎ ".join(part.strip() for part in note[: limit * 2].splitlines()), limit)


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 file`, `2 files` (or the given plural)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def nothing_new(files: int, seconds: float) -> str:
    """What an import that found every file unchanged says (the full and the lean path)."""
    return f"Nothing new: {plural(files, 'file')} unchanged (checked in {seconds:.1f} s)"
