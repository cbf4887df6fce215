"""One session as a self-contained HTML page to share: inline CSS, no script, no request.

Folding as in the browser (tool calls and reasoning are `<details>` closed to one line, a failed
call marked ✗), file edits as coloured unified diffs, prose as Markdown with raw HTML and remote
images turned off. Every piece of transcript text is HTML-escaped, and the finished page is
cleaned of control, bidi and zero-width characters (after Markdown has decoded its entities). A
Content-Security-Policy forbids every fetch but inline styles and `data:` images, so even a page
edited by hand cannot call home. With `redact` (the CLI's default for HTML) secrets are replaced
in every field (`export_redact`) and listed (kind and where) so a person can review them before
sharing.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from .diffs import EditDiff, edit_diff
from .export_redact import Redaction, redact_session
from .sanitize import clean
from .store.models import Message, Session, tool_result_text

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
MAX_TEXT = 200_000  # characters of one tool input or output shown; the rest is counted

STYLE = """
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--dim:#656d76;--line:#d0d7de;
--user:#0969da;--asst:#1a7f37;--tool:#8250df;--sys:#9a6700;--add:#1a7f37;--del:#cf222e;
--addbg:#dafbe1;--delbg:#ffebe9;--code:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--dim:#8d96a0;
--line:#30363d;--user:#4493f8;--asst:#3fb950;--tool:#ab7df8;--sys:#d29922;--add:#3fb950;
--del:#f85149;--addbg:#12261e;--delbg:#25171c;--code:#161b22}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:60rem;padding:1rem;font:15px/1.5 system-ui,sans-serif;
color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
h1{font-size:1.3rem;margin:.2rem 0}.meta{color:var(--dim);font-size:.85rem;margin:0 0 1rem}
article{border-left:3px solid var(--line);padding:.2rem .8rem;margin:.8rem 0}
article.user{border-color:var(--user)}article.assistant{border-color:var(--asst)}
article.tool{border-color:var(--tool)}article.system{border-color:var(--sys)}
.head{font-size:.8rem;color:var(--dim)}.head b{color:var(--fg)}
pre{background:var(--code);padding:.5rem;overflow-x:auto;white-space:pre-wrap;font-size:.85rem}
code{font-size:.9em}
details{margin:.3rem 0}summary{cursor:pointer;color:var(--dim)}
summary .name{color:var(--tool);font-weight:600}.err{color:var(--del);font-weight:700}
.reasoning{color:var(--dim);font-style:italic}
.diff .add{color:var(--add);background:var(--addbg);display:block}
.diff .del{color:var(--del);background:var(--delbg);display:block}
.diff .hunk{color:var(--dim);display:block}
img{max-width:100%}
"""


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


def _markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    rendered: str = md.render(text)
    return rendered


def _clip(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return text[:MAX_TEXT] + f"\n… {len(text) - MAX_TEXT:,} more characters"


def _pre(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<pre{attr}>{_esc(_clip(text))}</pre>"


def _result_text(block: dict[str, Any] | None) -> str:
    return tool_result_text(block) if block else ""


def _diff_html(diff: EditDiff) -> str:
    out = []
    for file in diff.files:
        rows = []
        for line in file.lines:
            cls = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
            rows.append(f'<span class="{cls}">{_esc(line)}</span>' if cls else _esc(line) + "\n")
        out.append(f"<div><code>{_esc(file.path)}</code> ({file.action})</div>")
        out.append(f'<pre class="diff">{"".join(rows)}</pre>')
    return "".join(out)


def _tool_use(block: dict[str, Any], result: dict[str, Any] | None) -> str:
    name = str(block.get("name") or "tool")
    data = block.get("input")
    failed = bool(result and result.get("is_error"))
    mark = ' <span class="err">✗</span>' if failed else ""
    diff = edit_diff(name, data)
    if diff is not None:
        summary = f'<span class="name">{_esc(diff.summary)}</span>{mark}'
        body = _diff_html(diff)
    else:
        brief = json.dumps(data, ensure_ascii=False)[:120] if data is not None else ""
        summary = f'<span class="name">{_esc(name)}</span> <code>{_esc(brief)}</code>{mark}'
        body = _pre(json.dumps(data, ensure_ascii=False, indent=2))
    if result is not None:
        body += "<div>output</div>" + _pre(_result_text(result))
    return f'<details class="call"><summary>{summary}</summary>{body}</details>'


def _image(block: dict[str, Any]) -> str:
    source = got if isinstance(got := block.get("source"), dict) else {}
    media = str(source.get("media_type") or "")
    data = source.get("data")
    if media in _IMAGE_TYPES and isinstance(data, str) and _BASE64.fullmatch(data):
        return f'<img alt="image" src="data:{media};base64,{"".join(data.split())}">'
    return "<p>[image]</p>"


def _block(block: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    kind = block.get("type")
    if kind == "text":
        return _markdown(str(block.get("text") or ""))
    if kind == "thinking":
        text = str(block.get("thinking") or block.get("text") or "")
        return (
            f'<details class="reasoning"><summary>reasoning</summary>{_markdown(text)}</details>'
            if text
            else ""
        )
    if kind == "tool_use":
        return _tool_use(block, results.get(str(block.get("id") or "")))
    if kind == "tool_result":
        return "<div>output</div>" + _pre(_result_text(block))
    if kind == "image":
        return _image(block)
    return f"<p>[{_esc(kind)} block]</p>"


def _pairing(messages: list[Message]) -> tuple[dict[str, dict[str, Any]], set[int]]:
    """Results by tool_use id, and the seqs of tool messages shown under their calls instead."""
    calls: dict[str, int] = {}
    results: dict[str, dict[str, Any]] = {}
    hidden: set[int] = set()
    for message in messages:
        for block in message.blocks:
            if block.get("type") == "tool_use" and block.get("id"):
                calls[str(block["id"])] = message.seq
    for message in messages:
        paired = [
            b
            for b in message.blocks
            if b.get("type") == "tool_result" and calls.get(str(b.get("tool_use_id"))) is not None
        ]
        for block in paired:
            results[str(block["tool_use_id"])] = block
        if message.role == "tool" and paired and len(paired) == len(message.blocks):
            hidden.add(message.seq)
    return results, hidden


def to_html(session: Session, *, redact: bool = True) -> tuple[str, list[Redaction]]:
    """The page, and what was redacted (empty without `redact`)."""
    found: list[Redaction] = []
    if redact:
        session, found = redact_session(session)  # every field the page shows, and the rest
    results, hidden = _pairing(session.messages)
    title = session.title or session.id
    meta = [
        session.source,
        session.project or session.cwd or "",
        session.model or "",
        f"{len(session.messages)} messages",
        f"{session.input_tokens + session.output_tokens:,} tokens",
        (session.started_at or "")[:16].replace("T", " "),
    ]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{_esc(title)}</h1>",
        f'<p class="meta">{_esc(" · ".join(m for m in meta if m))}</p></header><main>',
    ]
    for message in session.messages:
        if message.seq in hidden:
            continue
        head = " · ".join(p for p in (message.created_at or "", message.model or "") if p)
        body = "".join(_block(b, results) for b in message.blocks)
        parts.append(
            f'<article class="{_esc(message.role)}" id="m{message.seq}">'
            f'<div class="head"><b>{_esc(message.role)}</b> #{message.seq} {_esc(head)}</div>'
            f"{body}</article>"
        )
    parts.append("</main></body></html>\n")
    return clean("\n".join(parts)), found
