"""Pure formatting helpers for the browser: tool-call summaries, paths, models, filters (ages,
counts and sizes come from `sessionscope.display`, shared with the CLI).

Nothing here imports Textual, so these are cheap to test and reuse.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from ..display import age as age
from ..display import human_bytes as human_bytes
from ..display import money as money
from ..display import parse_ts as parse_ts
from ..display import short_count as short_count
from ..sanitize import DISPLAY_CHARS, clean_line, inert
from ..store.listfilter import ListFilter, parse_list_filter


def local_time(value: str | None, tz: tzinfo | None, *, seconds: bool = True) -> str:
    """`2026-10-02 09:14:03` in the reader's time zone (or `tz`).

    A moment the local calendar cannot hold (year 1 west of UTC, year 9999 east of it) is shown
    as stored (in the offset it was written with) instead of raising `OverflowError`."""
    moment = parse_ts(value)
    if moment is None:
        return ""
    try:
        moment = moment.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        pass  # shown in the offset it was stored with
    shown = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
    return shown + f":{moment.second:02d}" if seconds else shown


# Each source's colour in the session list (what the agents' own brands suggest, toned to read
# on dark and light backgrounds; rows pass `contrast.readable_segments`, which moves a colour
# that does not read towards black or white). Plug-ins' sources take one of PALETTE by name.
SOURCE_COLOURS: dict[str, str] = {
    "claude-code": "#d97757",
    "codex": "#10a37f",
    "gemini": "#4e86f7",
    "opencode": "#c9a227",
    "cline": "#8f6fe8",
    "roo-code": "#e0528a",
    "copilot": "#2fa7b8",
    "cursor": "#c158d6",
    "aider": "#5aa832",
}
PALETTE = ("#c9743b", "#3b8fc9", "#8cab2f", "#b15fc9", "#2fab8c", "#c94f5f")


def source_colour(source: str | None) -> str | None:
    """The colour the session list draws `source` in (None for no source)."""
    if not source:
        return None
    known = SOURCE_COLOURS.get(source)
    if known is not None:
        return known
    return PALETTE[sum(source.encode("utf-8", "replace")) % len(PALETTE)]


def _issues(metadata: dict[str, Any]) -> tuple[int, dict[str, int], list[Any]]:
    """(malformed lines, unknown record types and their counts, drift notes) of a session's
    `import_issues` metadata (nothing when it has none or they are odd)."""
    issues = metadata.get("import_issues")
    if not isinstance(issues, dict):
        return 0, {}, []
    lines = issues.get("malformed_lines")
    unknown = issues.get("unknown_types")
    drift = issues.get("drift")
    return (
        lines if isinstance(lines, int) and lines > 0 else 0,
        {str(k): n for k, n in unknown.items() if isinstance(n, int)}
        if isinstance(unknown, dict)
        else {},
        drift if isinstance(drift, list) else [],
    )


def import_issues(metadata: dict[str, Any]) -> str:
    """What a session's imports skipped, from its `import_issues` metadata, inert:
    `1 malformed line, 2 records of unknown types (mystery, odd), possible format drift: ...`
    ("" when nothing was)."""
    lines, unknown, drift = _issues(metadata)
    parts = []
    if lines:
        parts.append(f"{lines:,} malformed line{'s' if lines != 1 else ''}")
    if unknown:
        total = sum(unknown.values())
        names = ", ".join(list(unknown)[:3])
        parts.append(f"{total:,} record{'s' if total != 1 else ''} of unknown types ({names})")
    if drift:
        parts.append("possible format drift: " + "; ".join(str(d) for d in drift[:3]))
    return inert(", ".join(parts), 300)


def import_issues_short(metadata: dict[str, Any]) -> str:
    """`import_issues` in a few words for the session list: `1 malformed, 2 unknown, drift`."""
    lines, unknown, drift = _issues(metadata)
    parts = []
    if lines:
        parts.append(f"{short_count(lines)} malformed")
    if unknown:
        parts.append(f"{short_count(sum(unknown.values()))} unknown")
    if drift:
        parts.append("drift")
    return ", ".join(parts)


def short_project(project: str | None) -> str:
    """The last component of a project path (`/home/dev/webapp` -> `webapp`)."""
    if not project:
        return ""
    tail = project[-DISPLAY_CHARS * 4 :]  # only the end is shown: never clean megabytes for it
    text = clean_line(tail).rstrip("/\\")
    for sep in ("/", "\\"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return inert(text or tail)


_MODEL_DATE = re.compile(r"-20\d{6}$")


def short_model(model: str) -> str:
    """A model name without its date suffix: `claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`."""
    return _MODEL_DATE.sub("", inert(model))


def short_path(path: str, cwd: str | None) -> str:
    """`path` relative to `cwd` when it lies inside it (a cwd too long to be real is ignored)."""
    if cwd and len(cwd) <= 4096:
        base = cwd.rstrip("/") + "/"
        if path.startswith(base):
            return path[len(base) :]
    return path


_PATCH_FILE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.MULTILINE)
SUMMARY_CHARS = 1_000


def _command_text(value: Any) -> str:
    if isinstance(value, list):
        from ..pieces import command_line  # not on the first frame's import chain

        return command_line(value)
    return str(value)


def tool_summary(name: str | None, tool_input: Any, cwd: str | None = None) -> str:
    """The key argument of a tool call on one line: `npm test -- LoginForm`, `src/app.py`, ..."""
    data = tool_input
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return clean_line(data[:SUMMARY_CHARS])
    if not isinstance(data, dict):
        return (
            clean_line(json.dumps(data, ensure_ascii=False)[:SUMMARY_CHARS])
            if data is not None
            else ""
        )
    lowered = (name or "").lower()
    text: str | None = None
    if "command" in data or "cmd" in data:
        text = _command_text(data.get("command", data.get("cmd")))
    elif lowered == "apply_patch" or "patch" in data:
        patch = str(data.get("patch") or data.get("input") or "")
        files = _PATCH_FILE.findall(patch)
        text = ", ".join(short_path(f.strip(), cwd) for f in files) if files else patch
    elif lowered in ("task", "agent"):
        desc = data.get("description") or data.get("prompt") or ""
        kind = data.get("subagent_type")
        text = f"{desc} ({kind})" if kind and kind != "general-purpose" else str(desc)
    elif lowered == "todowrite" and isinstance(data.get("todos"), list):
        text = f"{len(data['todos'])} todos"
    else:
        for key in ("file_path", "notebook_path", "pattern", "path", "url", "query", "prompt"):
            value = data.get(key)
            if isinstance(value, str) and value:
                text = short_path(value, cwd) if key.endswith("path") else value
                if key == "pattern" and isinstance(data.get("path"), str):
                    text += f" in {short_path(data['path'], cwd)}"
                break
    if text is None:
        for value in data.values():
            if isinstance(value, str) and value.strip():
                text = value
                break
        else:
            text = json.dumps(data, ensure_ascii=False) if data else ""
    return clean_line(text[:SUMMARY_CHARS])  # a summary is one line: never clean megabytes for it


def image_label(block: dict[str, Any]) -> str:
    """`image/png · 68 B` for an image block (the size of the decoded payload)."""
    source = got if isinstance(got := block.get("source"), dict) else {}
    media = inert(source.get("media_type") or "image", 80)
    data = source.get("data")
    if isinstance(data, str) and data:
        padding = len(data) - len(data.rstrip("="))
        size = len(data) * 3 // 4 - padding
        return f"{media} · {human_bytes(size)}"
    url = source.get("url")
    if isinstance(url, str):
        return f"{media} · {inert(url, 60)}"
    return media


@dataclass
class SessionFilter:
    """What the session list shows: a list filter in the search language (parsed by the
    store's `parse_list_filter`) and the experiment arm picked with `e`."""

    text: str = ""
    spec: ListFilter | None = None
    experiment_id: int | None = None
    variant: str | None = None

    @classmethod
    def parse(cls, text: str, *, now: datetime | None = None) -> SessionFilter:
        cleaned = clean_line(text or "").strip()
        return cls(text=cleaned, spec=parse_list_filter(cleaned, now=now) if cleaned else None)

    @property
    def errors(self) -> list[str]:
        return list(self.spec.errors) if self.spec is not None else []

    @property
    def match(self) -> ListFilter | None:
        """What the store applies (None: no text filter, or one with errors)."""
        return self.spec if self.spec is not None and not self.spec.errors else None

    @property
    def active(self) -> bool:
        return self.match is not None or self.experiment_id is not None

    def chips(self) -> list[str]:
        """The active filters, one chip each (`source:codex`, `title:zebra`, `experiment #2`)."""
        chips = list(self.match.chips) if self.match is not None else []
        if self.experiment_id is not None:
            arm = f" · {self.variant}" if self.variant is not None else ""
            chips.append(f"experiment #{self.experiment_id}{arm}")
        return chips

    def describe(self) -> str:
        """The active filters as one line."""
        return " ".join(self.chips())


def tag_edit(text: str, current: tuple[str, ...] | list[str]) -> tuple[list[str], list[str]]:
    """What the tags field (`#`) means: (tags to add, tags to remove). Words are separated by
    spaces or commas; the words left are the session's tags, and `-tag` removes one. A word
    that is not a tag raises the store's InvalidInput (see `store.marks.clean_tag`)."""
    from ..store.marks import clean_tag

    keep: list[str] = []
    drop: list[str] = []
    for word in re.split(r"[\s,]+", text.strip()):
        if word.startswith("-"):
            drop.append(clean_tag(word[1:], strict=False))
        elif word and word not in current:
            keep.append(clean_tag(word))
        elif word:
            keep.append(word)  # held already (as the store wrote it)
    final = [t for t in dict.fromkeys(keep) if t not in drop]
    return [t for t in final if t not in current], [t for t in current if t not in final]


def terms_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """A case-insensitive regex matching any of `terms` (longest first), or None."""
    cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    return re.compile("|".join(re.escape(t) for t in cleaned), re.IGNORECASE)
