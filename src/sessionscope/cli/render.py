"""How search hits print (shared by the click command and the lean search path; no click)."""

from __future__ import annotations

from ..sanitize import inert

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any


def no_matches(words: str) -> str:
    """What a search that found nothing says, naming a word that looks like a mistyped filter."""
    if ":" in words:
        from ..store.query import near_filters

        near = near_filters(words)
        if near:
            return f"No matches. ({'; '.join(inert(n, 200) for n in near)})"
    return "No matches."


def hit_dict(hit: Any) -> dict[str, Any]:
    """A hit as the stable JSON object `sessionscope search --json` prints."""
    return {
        "session_id": hit.session_id,
        "seq": hit.seq,
        "role": hit.role,
        "created_at": hit.created_at,
        "session_title": hit.session_title,
        "project": hit.project,
        "source": hit.source,
        "snippet": hit.snippet,
        "highlights": [list(span) for span in hit.highlights],
        "score": hit.score,
        "message_id": hit.message_id,
    }


def hits_json(hits: list[Any]) -> str:
    from ..jsonout import json_text

    return json_text([hit_dict(h) for h in hits], indent=None)


def hits_text(hits: list[Any], *, color: bool, ids: dict[str, str]) -> str:
    """Two lines a hit: where it is (dimmed: `ids` gives the prefix of its session's id that
    `show ID#SEQ` takes back), then the snippet with matches marked."""
    lines = []
    for h in hits:
        title = inert(h.session_title) or "(untitled)"
        head = (
            f"{inert(ids.get(h.session_id, h.session_id))}#{h.seq}  {inert(h.role, 9):<9} "
            f"{inert(h.created_at)[:16]}  {title}"
        )
        if color:
            lines.append(f"\x1b[2m{head}\x1b[0m")
            lines.append("    " + h.marked("\x1b[1;33m", "\x1b[0m"))
        else:
            lines.append(head)
            lines.append("    " + h.marked("[", "]"))
    return "\n".join(lines)
