"""Gemini CLI: `~/.gemini/tmp/<project>/chats/session-*.json` and `*.jsonl`.

Rules (format: google-gemini/gemini-cli `packages/core/src/services/chatRecordingTypes.ts` and
`chatRecordingService.ts`; facts in tests/fixtures/README.md):
- a `.json` file is one ConversationRecord `{sessionId, projectHash, startTime, lastUpdated,
  summary?, kind?, messages: [...]}`, rewritten as the session goes;
- a `.jsonl` file (since v0.39) is a log to replay: a `{sessionId, projectHash, ...}` line starts
  it, a record with an `id` upserts that message (a later one with the same id replaces it in
  place), `{"$set": {...}}` updates the session's fields, `{"$rewindTo": id}` drops that message
  and every later one (all of them when the id is unknown);
- a `.json` session resumed by a JSONL release goes on in `<name>.jsonl` (a copy): only that is
  read, also when the `.json` is the path named;
- messages: `user` (prompt: `displayContent`, what was typed, when present, else `content` up to
  the `--- Content from referenced files ---` line; the files `@path` added are a system message
  of kind `context`), `gemini` (reply: `thoughts` as thinking blocks, `content` as text,
  `toolCalls` as tool_use, each call's `result` as a tool message with a tool_result; status
  `error`/`cancelled` marks it an error), `info`/`warning`/`error` as system messages;
- `tokens` are per API response: input_tokens = input - cached, cache_read_tokens = cached,
  output_tokens = output + thoughts (thinking is billed as output); `model` per reply;
- the project folder is a slug registered in `~/.gemini/projects.json` (current releases) or the
  SHA-256 of the project path (older ones): a slug maps back through projects.json, a hash
  through the SHA-256 of every path projects.json or `trustedFolders.json` names, else the
  record's `directories`; the path is the session's project and cwd (an unknown folder is kept
  in the session's metadata as `gemini_project`); a subagent's log lives in `chats/<parent session id>/<id>.jsonl` (parent link);
- title: the record's `summary`, else the first prompt's first line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..store.blocks import normalize
from ..store.spec import MessageSpec
from .common import count, derived_id, system_message, text_field, title_from, ts
from .contract import ParsedSession, Problem, SnapshotSource, Unit, UnitError, json_objects
from .incremental import walk_files
from .snapshot import file_unit
from .wholefile import read_whole, side_file, text_lines

SOURCE = "gemini"
_LEVELS = {"info", "warning", "error"}


def gemini_home() -> Path:
    home = os.environ.get("GEMINI_CLI_HOME")
    return (Path(home).expanduser() if home else Path.home()) / ".gemini"


def _settings(path: Path, problems: list[Problem]) -> Any:
    """A Gemini settings file's JSON (None when it is missing or not JSON; one that is not a
    regular file, too large or unreadable is passed over in `problems`)."""
    data = side_file(path, problems)
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None


def project_paths(gemini_dir: Path, problems: list[Problem]) -> dict[str, str]:
    """Project folder name -> project path: the slugs `projects.json` registers, and the SHA-256
    of every path it or `trustedFolders.json` names (what older releases named folders by)."""
    mapping: dict[str, str] = {}
    data = _settings(gemini_dir / "projects.json", problems)
    projects = data.get("projects", data) if isinstance(data, dict) else None
    trusted = _settings(gemini_dir / "trustedFolders.json", problems)
    paths = [p for p in trusted if isinstance(p, str)] if isinstance(trusted, dict) else []
    if isinstance(projects, dict):
        for path, slug in projects.items():
            if isinstance(path, str) and isinstance(slug, str):
                mapping[slug] = path
        paths.extend(p for p in projects if isinstance(p, str))
    for path in paths:
        mapping.setdefault(hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest(), path)
    return mapping


class Projects:
    """The project paths of one `.gemini` folder (`project_paths`), read when the first changed
    unit needs them (an unchanged tree never reads them), once a run; a settings file passed
    over is told with the first unit that reads them."""

    def __init__(self, gemini_dir: Path) -> None:
        self.gemini_dir = gemini_dir
        self.mapping: dict[str, str] | None = None

    def get(self, problems: list[Problem]) -> dict[str, str]:
        if self.mapping is None:
            self.mapping = project_paths(self.gemini_dir, problems)
        return self.mapping


def _parts_text(content: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(text blocks, functionResponse parts) of a Gemini PartListUnion."""
    if isinstance(content, str):
        return normalize(content, lenient=True), []
    parts = content if isinstance(content, list) else [content] if isinstance(content, dict) else []
    texts: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, str):
            texts.extend(normalize(part, lenient=True))
        elif isinstance(part, dict):
            if isinstance(part.get("text"), str) and not part.get("thought"):
                if part["text"]:
                    texts.append({"type": "text", "text": part["text"]})
            elif isinstance(part.get("functionResponse"), dict):
                responses.append(part["functionResponse"])
    return texts, responses


# `@path` in a prompt: the CLI sends the files' text after this line (atCommandProcessor.ts)
REFERENCED = "--- Content from referenced files ---"


def _typed_and_added(
    texts: list[dict[str, Any]], display: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """(the prompt as typed, the text the CLI added to it) of a user message: `displayContent`
    is what was typed when it differs from `content` (what the model got); without it, the
    referenced files' text starts at the `REFERENCED` line."""
    sent = "".join(b["text"] for b in texts)
    shown, _ = _parts_text(display) if display else ([], [])
    typed = "".join(b["text"] for b in shown)
    if typed.strip():
        if sent.strip() == typed.strip():
            return texts, None
        rest = sent[len(typed) :] if sent.startswith(typed) else sent
        return [{"type": "text", "text": typed}], rest.strip() or None
    at = sent.find(REFERENCED)
    if at < 0 or not sent[:at].strip():
        return texts, None
    return [{"type": "text", "text": sent[:at].rstrip()}], sent[at:].strip()


def _response_text(response: Any) -> str:
    """The output a functionResponse carries (`response.output`, `.error`, else its JSON)."""
    body = response.get("response") if isinstance(response, dict) else response
    if isinstance(body, dict):
        for key in ("output", "error", "content"):
            value = body.get(key)
            if isinstance(value, str):
                return value
    if isinstance(body, str):
        return body
    return json.dumps(body, ensure_ascii=False, default=str)


def _result_text(call: dict[str, Any]) -> str | None:
    result = call.get("result")
    if result is None:
        display = call.get("resultDisplay")
        return display if isinstance(display, str) else None
    texts, responses = _parts_text(result)
    if responses:
        return "\n".join(_response_text(r) for r in responses)
    if texts:
        return "\n".join(b["text"] for b in texts)
    return json.dumps(result, ensure_ascii=False, default=str)


def _add_tokens(message: MessageSpec, tokens: Any) -> None:
    """A reply's token counts (input beyond cache reads, cache reads, output with thoughts)."""
    if not isinstance(tokens, dict):
        return
    cached = count(tokens.get("cached"))
    message["input_tokens"] = max(0, count(tokens.get("input")) - cached)
    message["cache_read_tokens"] = cached
    message["output_tokens"] = count(tokens.get("output")) + count(tokens.get("thoughts"))


def messages_of(record: dict[str, Any]) -> list[MessageSpec]:
    """The store messages one Gemini message record gives (a reply may add tool messages)."""
    if not isinstance(record, dict):
        raise TypeError("a message that is not a JSON object")
    mid = record["id"]
    if not isinstance(mid, str):
        raise TypeError("a message id that is not a string")
    kind = record.get("type")
    created = ts(record.get("timestamp"))
    texts, responses = _parts_text(record.get("content"))
    if kind == "user":
        out: list[MessageSpec] = []
        typed, added = _typed_and_added(texts, record.get("displayContent"))
        if typed:
            out.append(
                {"role": "user", "content": typed, "created_at": created, "external_id": mid}
            )
        if added:  # what the CLI sent beside the typed text: the files `@path` named
            out.append(
                system_message(added, mid + "/context", {"kind": "context"}, created_at=created)
            )
        if responses:  # older logs sent tool results back as user parts
            answers: list[dict[str, Any]] = [
                {
                    "type": "tool_result",
                    "tool_use_id": str(r.get("id") or r.get("name") or mid),
                    "content": _response_text(r),
                }
                for r in responses
            ]
            out.append(
                {
                    "role": "tool",
                    "content": answers,
                    "created_at": created,
                    "external_id": mid + "/r",
                }
            )
        return out
    if kind in _LEVELS:
        return [system_message(texts, mid, {"level": kind}, created_at=created)]
    if kind != "gemini":
        return []
    blocks: list[dict[str, Any]] = []
    for thought in record.get("thoughts") or []:
        if isinstance(thought, dict):
            subject, desc = thought.get("subject"), thought.get("description")
            text = "\n".join(s for s in (subject, desc) if isinstance(s, str) and s)
            if text:
                blocks.append({"type": "thinking", "thinking": text})
    blocks.extend(texts)
    results: list[dict[str, Any]] = []
    for call in record.get("toolCalls") or []:
        if not isinstance(call, dict):
            continue
        call_id = str(call.get("id") or f"{mid}/{len(blocks)}")
        args = call.get("args")
        blocks.append(
            {
                "type": "tool_use",
                "id": call_id,
                "name": str(call.get("name") or "tool"),
                "input": args if isinstance(args, dict) else {},
            }
        )
        output = _result_text(call)
        if output is not None:
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": call_id,
                    "content": output,
                    "is_error": call.get("status") in ("error", "cancelled"),
                }
            )
    model = record.get("model") if isinstance(record.get("model"), str) else None
    reply: MessageSpec = {
        "role": "assistant",
        "content": blocks,
        "created_at": created,
        "external_id": mid,
        "model": model,
    }
    _add_tokens(reply, record.get("tokens"))
    out = [reply]
    if results:
        out.append(
            {"role": "tool", "content": results, "created_at": created, "external_id": mid + "/r"}
        )
    return out


def replay_jsonl(
    lines: Iterable[str], problems: list[Problem]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(session fields, message records) a JSONL log leaves once replayed."""
    meta: dict[str, Any] = {}
    records: dict[str, dict[str, Any]] = {}
    for line_no, record in json_objects(lines, problems):
        if isinstance(record.get("$rewindTo"), str):
            ids = list(records)
            target = record["$rewindTo"]
            keep = ids[: ids.index(target)] if target in ids else []
            records = {k: records[k] for k in keep}
        elif isinstance(record.get("id"), str):
            record["_line"] = line_no
            records[record["id"]] = record
        elif isinstance(record.get("$set"), dict):
            meta.update(record["$set"])
        elif isinstance(record.get("sessionId"), str):
            meta.update(record)
        else:
            problems.append(Problem(line_no, "a record of no known kind"))
    return meta, list(records.values())


class GeminiSource(SnapshotSource):
    """Gemini CLI chat recordings (JSON documents and JSONL logs)."""

    name = SOURCE
    title = "Gemini CLI"
    rules = 1  # 1: the prompt as typed (displayContent) and the files `@path` added, as context

    def default_locations(self, system: str | None = None) -> list[Path]:
        del system  # the same on Linux and macOS
        return [gemini_home() / "tmp"]

    def units(self, root: Path) -> list[Unit]:
        def accept(name: str) -> bool:
            return name.endswith((".json", ".jsonl"))

        paths = [p for p in walk_files(root, accept) if root.is_file() or "chats" in p.parent.parts]
        # a `.json` session resumed by a release that writes JSONL was copied whole to
        # `<name>.jsonl` and goes on there (chatRecordingService.ts `initialize`): read that one,
        # also when the `.json` is the file named (its older copy would cut the session short)
        copy = root.with_suffix(".jsonl") if root.suffix == ".json" else None
        if root.is_file() and copy is not None and copy.is_file():
            paths = list(walk_files(copy, accept))
        found = set(paths)
        paths = [p for p in paths if not (p.suffix == ".json" and p.with_suffix(".jsonl") in found)]
        projects = Projects(root.parent if root.is_dir() else _home_of(root))
        units = []
        for path in paths:
            unit = file_unit(path, projects)
            if unit is not None:
                units.append(unit)
        return units

    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> list[ParsedSession]:
        path = unit.path
        if path.suffix == ".jsonl":
            meta, records = replay_jsonl(text_lines(path), problems)
        else:
            try:
                doc = json.loads(read_whole(path).decode("utf-8", "replace"))
            except (ValueError, RecursionError) as exc:
                raise UnitError("not a Gemini CLI session (not valid JSON)") from exc
            if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
                raise UnitError("not a Gemini CLI session (no messages list)")
            meta, records = doc, doc["messages"]
        messages: list[MessageSpec] = []
        first_prompt = model = None
        for index, record in enumerate(records, 1):
            position = record.get("_line", index) if isinstance(record, dict) else index
            try:
                got = messages_of(record)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                problems.append(Problem(position, f"unexpected message shape ({exc!s:.80})"))
                continue
            for msg in got:
                content = msg["content"]
                if msg["role"] == "user" and first_prompt is None and isinstance(content, list):
                    first_prompt = "\n".join(b["text"] for b in content if "text" in b)
                model = msg.get("model") or model
            messages.extend(got)
        sid = meta.get("sessionId")
        if not isinstance(sid, str) or not sid:
            sid = derived_id(SOURCE, unit.key)
        folder = _project_folder(path)
        known: dict[Any, str] = (
            unit.data.get(problems) if isinstance(unit.data, Projects) else unit.data or {}
        )
        dirs = meta.get("directories")
        project = (
            known.get(folder)
            or known.get(meta.get("projectHash"))
            or (dirs[0] if isinstance(dirs, list) and dirs and isinstance(dirs[0], str) else None)
        )
        parent = path.parent.name if path.parent.name != "chats" else None
        title = text_field(meta.get("summary")) or (
            title_from(first_prompt) if first_prompt else None
        )
        fields = {
            "started_at": ts(meta.get("startTime")),
            "ended_at": ts(meta.get("lastUpdated")),
            "project": project,
            "cwd": project,
            "model": model,
            "parent_session_id": parent,
            "metadata": None if project else {"gemini_project": folder},
        }
        if not messages:
            return []
        return [ParsedSession(sid, messages, title, fields)]


def _project_folder(path: Path) -> str | None:
    """The `<project>` of `.../tmp/<project>/chats/[<parent>/]file`."""
    parts = path.parts
    if "chats" not in parts:
        return None
    at = len(parts) - 1 - parts[::-1].index("chats")
    return parts[at - 1] if at > 0 else None


def _home_of(path: Path) -> Path:
    """The `.gemini` folder above a session file (for projects.json)."""
    for parent in path.parents:
        if parent.name == "tmp":
            return parent.parent
    return gemini_home()


__all__ = ["SOURCE", "GeminiSource"]
