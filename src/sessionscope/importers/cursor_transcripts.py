"""Cursor's agent transcripts: `~/.cursor/projects/<workspace slug>/agent-transcripts/`.

Cursor is closed source and does not document these files; the rules below are what several
independent readers of real files agree on (provenance in tests/fixtures/README.md):
- `<id>/<id>.jsonl` (current agent CLI and IDE agent threads), `<id>.jsonl` (flat, CLI) and
  `<id>.txt` (older plain text); a subagent's run is `<id>/subagents/<sub id>.jsonl`, a child of
  `<id>`. The file name's stem is the conversation id (the IDE's composer id for IDE threads: one
  the IDE's state.vscdb also holds is read from there, never twice);
- a JSONL line is `{"role": "user"|"assistant", "message": {"content": [blocks]}}`, blocks in
  Anthropic's shape (`text`, `thinking`, `tool_use`, `tool_result`); lines without a role are
  lifecycle records (`turn_ended` and the like) and carry no transcript text;
- a prompt's text is wrapped in `<user_query>…</user_query>` (what sits around it, context the
  editor attached, is kept in the message's metadata);
- no timestamps, tokens or model: a new conversation's messages take the file's mtime, later
  ones the time they were first imported (what `Store.save` keeps for a position);
- the workspace slug is the workspace path with `/` turned into `-` (lossy): the project is the
  path when one on this machine spells the slug, else the slug itself;
- the `.txt` form: `user:` and `assistant:` (or `A:`) lines start turns, `[Thinking]` reasoning,
  `[Tool call] <name>` a call with indented `key: value` arguments, `[Tool result] <name>` its
  output.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from ..store.blocks import normalize
from ..store.spec import MessageSpec
from .common import derived_id, plain_text, tag_text, title_from, ts
from .contract import ParsedSession, Problem, Unit, json_objects
from .wholefile import text_lines

TRANSCRIPTS = "agent-transcripts"
SUBAGENTS = "subagents"


def cursor_home() -> Path:
    return Path.home() / ".cursor"


def transcript_files(root: Path) -> list[Path]:
    """The transcripts under `root` (a `projects` folder, one project, one `agent-transcripts`
    folder or one file); where both `<id>.jsonl` and `<id>.txt` exist, the JSONL."""
    if root.is_file():
        return [root] if root.suffix in (".jsonl", ".txt") else []
    found: dict[tuple[Path, str], Path] = {}
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda _exc: None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        if TRANSCRIPTS not in here.parts:
            continue
        for name in filenames:
            path = here / name
            if path.suffix not in (".jsonl", ".txt"):
                continue
            key = (here, path.stem)
            if path.suffix == ".jsonl" or key not in found:
                found[key] = path
    return sorted(found.values())


def conversation_ids(path: Path) -> tuple[str, str | None]:
    """(conversation id, parent conversation id) of a transcript file."""
    parent = None
    if path.parent.name == SUBAGENTS:
        parent = path.parent.parent.name
    return path.stem, parent


def workspace_of(path: Path) -> str | None:
    """The workspace slug (the folder holding `agent-transcripts`)."""
    parts = path.parts
    if TRANSCRIPTS not in parts:
        return None
    at = parts.index(TRANSCRIPTS)
    return parts[at - 1] if at > 0 else None


def project_path(slug: str) -> str | None:
    """The path on this machine the slug spells (`home-dev-my-app` -> `/home/dev/my-app` when
    that exists), found one folder at a time (a dash is a separator or part of a name)."""
    words = [w for w in slug.split("-") if w]
    if not words or len(words) > 40:
        return None

    def walk(base: Path, rest: list[str]) -> Path | None:
        if not rest:
            return base
        for take in range(1, len(rest) + 1):
            name = "-".join(rest[:take])
            candidate = base / name
            if candidate.is_dir():
                got = walk(candidate, rest[take:])
                if got is not None:
                    return got
        return None

    found = walk(Path("/"), words)
    return str(found) if found is not None else None


def _prompt(blocks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
    """(blocks with the `<user_query>` text as the prompt, the text around it or None)."""
    text = plain_text(blocks)
    query = tag_text(text, "user_query")
    if query is None:
        return blocks, None
    start = text.find("<user_query>")
    end = text.find("</user_query>", start)
    around = (text[:start] + text[end + len("</user_query>") :]).strip()
    others = [b for b in blocks if b.get("type") != "text"]
    return [{"type": "text", "text": query}, *others], around or None


def parse_jsonl(lines: Iterable[str], sid: str, problems: list[Problem]) -> list[MessageSpec]:
    """The store messages of a JSONL transcript (no times: see the module docstring)."""
    messages: list[MessageSpec] = []
    for line_no, record in json_objects(lines, problems):
        role = record.get("role")
        if role is None and isinstance(record.get("type"), str):
            continue  # a lifecycle record (turn_ended, ...)
        body = record.get("message")
        content = body.get("content") if isinstance(body, dict) else record.get("content")
        if role not in ("user", "assistant") or content is None:
            problems.append(Problem(line_no, "a record of no known kind"))
            continue
        blocks = normalize(content, lenient=True)
        for k, block in enumerate(blocks):
            if block.get("type") == "tool_use" and not block.get("id"):
                blocks[k] = {**block, "id": f"{sid}/{line_no}/{k}"}
        msg: MessageSpec = {"role": role, "content": blocks, "external_id": str(line_no)}
        if role == "user":
            if blocks and all(b.get("type") == "tool_result" for b in blocks):
                msg["role"] = "tool"
            else:
                msg["content"], around = _prompt(blocks)
                if around:
                    msg["metadata"] = {"cursor_context": around}
        if msg["content"]:
            messages.append(msg)
    return messages


_MARKERS = ("[Thinking]", "[Tool call]", "[Tool result]")


class _TextTranscript:
    """The `.txt` form, read line by line."""

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.messages: list[dict[str, Any]] = []
        self.role: str | None = None
        self.kind: str | None = None  # text, thinking, call, result
        self.lines: list[str] = []
        self.name = ""
        self.calls: list[dict[str, Any]] = []  # unanswered tool_use blocks

    def _message(self, role: str) -> dict[str, Any]:
        last = self.messages[-1] if self.messages else None
        if last is None or last["role"] != role or role == "tool":
            last = {"role": role, "content": [], "external_id": str(len(self.messages))}
            self.messages.append(last)
        return last

    def flush(self) -> None:
        kind, lines, self.kind, self.lines = self.kind, self.lines, None, []
        text = "\n".join(lines).strip("\n")
        if kind is None or self.role is None:
            return
        if kind == "call":
            args: dict[str, Any] = {}
            for line in lines:
                key, sep, value = line.strip().partition(":")
                if sep and key:
                    args[key.strip()] = value.strip()
            call: dict[str, Any] = {
                "type": "tool_use",
                "id": f"{self.sid}/call{len(self.calls)}/{len(self.messages)}",
                "name": self.name or "tool",
                "input": args,
            }
            self._message("assistant")["content"].append(call)
            self.calls.append(call)
        elif kind == "result":
            answered = next((c for c in self.calls if c["name"] == self.name), None)
            if answered is not None:
                self.calls.remove(answered)
            block = {
                "type": "tool_result",
                "tool_use_id": answered["id"] if answered else f"{self.sid}/{self.name}",
                "content": text,
            }
            self._message("tool")["content"].append(block)
        elif text.strip():
            if kind == "thinking":
                self._message("assistant")["content"].append(
                    {"type": "thinking", "thinking": text.strip()}
                )
            else:
                self._message(self.role)["content"].append({"type": "text", "text": text.strip()})

    def line(self, line: str) -> None:
        bare = line.strip()
        if bare in ("user:", "assistant:", "A:") and not line.startswith((" ", "\t")):
            self.flush()
            self.role = "user" if bare == "user:" else "assistant"
            self.kind = "text"
            return
        for marker in _MARKERS:
            if self.role == "assistant" and line.startswith(marker):
                self.flush()
                rest = line[len(marker) :].strip()
                if marker == "[Thinking]":
                    self.kind, self.lines = "thinking", [rest] if rest else []
                else:
                    self.kind = "call" if marker == "[Tool call]" else "result"
                    self.name = rest
                return
        if self.kind == "call" and bare and not line.startswith((" ", "\t")):
            self.flush()
            self.kind = "text"
        if self.kind is None and self.role is not None:
            self.kind = "text"
        if self.kind is not None:
            self.lines.append(line)


def parse_text(lines: Iterable[str], sid: str) -> list[MessageSpec]:
    """The store messages of a `.txt` transcript."""
    reader = _TextTranscript(sid)
    for line in lines:
        reader.line(line)
    reader.flush()
    out: list[MessageSpec] = []
    for msg in reader.messages:
        if msg["role"] == "user":
            msg["content"], around = _prompt(msg["content"])
            if around:
                msg["metadata"] = {"cursor_context": around}
        if msg["content"]:
            out.append(cast(MessageSpec, msg))
    return out


def parse_transcript(
    unit: Unit, problems: list[Problem], versions: dict[str, Any]
) -> list[ParsedSession]:
    """One transcript file as a session (none when it holds no message)."""
    path = unit.path
    sid, parent = conversation_ids(path)
    if not sid:
        sid = derived_id("cursor", unit.key)
    if path.suffix == ".jsonl":
        messages = parse_jsonl(text_lines(path), sid, problems)
    else:
        messages = parse_text(text_lines(path), sid)
    if not messages:
        return []
    when = ts(unit.mtime)
    if sid not in versions:  # first import: the file's time (later ones: see the docstring)
        for msg in messages:
            msg["created_at"] = when
    slug = workspace_of(path)
    project = (project_path(slug) if slug else None) or slug
    first = next((m for m in messages if m["role"] == "user"), None)
    content = first["content"] if first else ""
    title = title_from(plain_text(content) if isinstance(content, list) else content)
    fields = {
        "started_at": when,
        "ended_at": when,
        "project": project,
        "cwd": project if project and project.startswith("/") else None,
        "parent_session_id": parent,
        "metadata": {"cursor_workspace": slug} if slug else None,
    }
    return [ParsedSession(sid, messages, title, fields, "transcript")]
