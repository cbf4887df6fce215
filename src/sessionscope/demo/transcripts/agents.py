"""A few demo sessions of each other agent, in its real on-disk layout: Gemini CLI, OpenCode,
Cursor (IDE database and agent transcripts), GitHub Copilot CLI, Cline, Roo Code and Aider.

    agents = write_agents(root, seed=7, now_ms=..., per_agent=3)
    import_roots(db, agents.pairs)   # [("gemini", root/.gemini/tmp), ("opencode", ...), ...]
    relocate(db, agents)

The conversations come from the same script as the Claude Code and Codex sessions (`script.py`:
prompts, replies, tool calls with plausible outputs), with each agent's own tool names, models and
file shapes (the rules each importer's docstring states), so the demo imports them through the
real importers. Same seed and `now_ms`, same files (the database writers in `agents_db.py`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...store import Store
from .agent_turns import Conversation, Exchange, Turn, call_input, output_text, tool_name, touch
from .agents_db import write_cursor_db, write_opencode_db
from .projects import PROJECTS
from .prose import Filler
from .records import iso, tokens, uuid4
from .script import Plan, session_script
from .steps import Prompt, Reply

DAY_MS = 86_400_000

MODELS: dict[str, tuple[str, ...]] = {
    "gemini": ("gemini-2.5-pro", "gemini-2.5-flash"),
    "opencode": ("claude-sonnet-4-5", "gpt-5"),
    "cline": ("claude-sonnet-4-5-20250929",),
    "roo-code": ("gpt-5", "claude-sonnet-4-5-20250929"),
    "copilot": ("claude-sonnet-4.5", "gpt-5"),
    "cursor": ("claude-4.5-sonnet", "gpt-5"),
    "aider": ("claude-sonnet-4-5", "gpt-5"),
}


def conversation(rng: random.Random, agent: str, now_ms: int, days: int) -> Conversation:
    """A short coding session (1 to 4 prompts) in a random project, in the last `days`."""
    project = rng.choices(PROJECTS, weights=[p.weight for p in PROJECTS])[0]
    branch = rng.choice(project.branches)
    fill = Filler(rng, project, branch)
    plan = Plan(
        "claude-code",
        project,
        branch,
        rng.randint(1, 4),
        subagents="none",
        big_outputs=0.0,
        first_prompt=fill.first_prompt(),
    )
    day = rng.randint(0, days - 1)
    start = (now_ms - day * DAY_MS) // DAY_MS * DAY_MS + int(rng.uniform(8, 19) * 3_600_000)
    start = min(start, now_ms - 3_600_000)
    at = start
    context = 2000 + rng.randint(0, 6000)
    exchanges: list[Exchange] = []
    for step in session_script(rng, plan, sub_model=MODELS[agent][0]):
        if isinstance(step, Prompt):
            at += rng.randint(20_000, 300_000) if exchanges else 0
            exchanges.append(Exchange(at, step.text))
            context += tokens(len(step.text))
        elif isinstance(step, Reply) and exchanges:
            at += rng.randint(2_000, 40_000)
            out = tokens(len(step.text or "") + len(step.thinking or "")) + 30 * len(step.calls)
            cached = int(context * rng.uniform(0.5, 0.9))
            exchanges[-1].turns.append(
                Turn(at, step.text, step.thinking, step.calls, context - cached, out, cached)
            )
            context += out + sum(tokens(len(output_text(c))) for c in step.calls)
    exchanges = [e for e in exchanges if e.turns] or exchanges[:1]
    model = rng.choice(MODELS[agent])
    return Conversation(uuid4(rng), project, branch, model, start, exchanges)


# -- Gemini CLI ------------------------------------------------------------------------------


def _gemini_records(c: Conversation) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    n = 0
    for ex in c.exchanges:
        n += 1
        records.append(
            {
                "id": f"u{n}",
                "timestamp": iso(ex.at),
                "type": "user",
                "content": [{"text": ex.prompt}],
            }
        )
        for turn in ex.turns:
            n += 1
            rec: dict[str, Any] = {
                "id": f"g{n}",
                "timestamp": iso(turn.at),
                "type": "gemini",
                "content": [{"text": turn.text}] if turn.text else [],
                "tokens": {
                    "input": turn.input_tokens + turn.cached,
                    "output": turn.output_tokens,
                    "cached": turn.cached,
                    "thoughts": 0,
                    "tool": 0,
                    "total": turn.input_tokens + turn.cached + turn.output_tokens,
                },
                "model": c.model,
            }
            if turn.thinking:
                subject = turn.thinking.split(".")[0][:60]
                rec["thoughts"] = [
                    {"subject": subject, "description": turn.thinking, "timestamp": iso(turn.at)}
                ]
            if turn.calls:
                rec["toolCalls"] = []
                for k, call in enumerate(turn.calls):
                    name = tool_name("gemini", call.name)
                    cid = f"{name}-{turn.at}-{k}"
                    rec["toolCalls"].append(
                        {
                            "id": cid,
                            "name": name,
                            "args": call_input(call),
                            "status": "error" if call.is_error else "success",
                            "timestamp": iso(turn.at),
                            "result": [
                                {
                                    "functionResponse": {
                                        "id": cid,
                                        "name": name,
                                        "response": {"output": output_text(call)},
                                    }
                                }
                            ],
                        }
                    )
            records.append(rec)
    return records


def write_gemini(root: Path, convs: list[Conversation]) -> Path:
    """`.gemini/tmp/<project slug>/chats/`: JSON documents, the last one as a JSONL log."""
    home = root / ".gemini"
    projects: dict[str, str] = {}
    for index, c in enumerate(convs):
        slug = c.project.name
        projects[c.project.cwd] = slug
        chats = home / "tmp" / slug / "chats"
        chats.mkdir(parents=True, exist_ok=True)
        stamp = iso(c.start)[:16].replace(":", "-")
        records = _gemini_records(c)
        head = {
            "sessionId": c.id,
            "projectHash": slug,
            "startTime": iso(c.start),
            "lastUpdated": iso(c.end),
            "kind": "main",
        }
        if index == len(convs) - 1 and index > 0:  # the JSONL form, written since v0.39
            path = chats / f"session-{stamp}-{c.id[:8]}.jsonl"
            lines = [head, *records, {"$set": {"lastUpdated": iso(c.end)}}]
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines))
        else:
            path = chats / f"session-{stamp}-{c.id[:8]}.json"
            path.write_text(json.dumps({**head, "messages": records}, ensure_ascii=False))
        touch(path, c.end)
    (home / "projects.json").write_text(json.dumps({"projects": projects}, indent=2))
    return home / "tmp"


# -- Cline and Roo Code ----------------------------------------------------------------------


def write_cline(root: Path, convs: list[Conversation], extension: str, agent: str) -> Path:
    """`<editor>/User/globalStorage/<extension>/tasks/<task id>/` (three JSON files)."""
    tasks = root / ".config" / "Code" / "User" / "globalStorage" / extension / "tasks"
    for c in convs:
        task_id = str(c.start) if agent == "cline" else c.id
        folder = tasks / task_id
        folder.mkdir(parents=True, exist_ok=True)
        history: list[dict[str, Any]] = []
        ui: list[dict[str, Any]] = []
        for n, ex in enumerate(c.exchanges):
            text = (
                f"<task>\n{ex.prompt}\n</task>"
                if n == 0
                else f"<feedback>\n{ex.prompt}\n</feedback>"
            )
            env = (
                f"<environment_details>\n# Current Working Directory ({c.project.cwd}) Files\n"
                + "\n".join(c.project.files[:6])
                + "\n</environment_details>"
            )
            history.append(
                {
                    "role": "user",
                    "content": [{"type": "text", "text": text}, {"type": "text", "text": env}],
                }
            )
            ui.append(
                {
                    "ts": ex.at,
                    "type": "say",
                    "say": "task" if n == 0 else "user_feedback",
                    "text": ex.prompt,
                }
            )
            for turn in ex.turns:
                blocks: list[dict[str, Any]] = []
                if turn.text:
                    blocks.append({"type": "text", "text": turn.text})
                results: list[dict[str, Any]] = []
                for k, call in enumerate(turn.calls):
                    cid = f"toolu_{turn.at}_{k}"
                    blocks.append(
                        {
                            "type": "tool_use",
                            "id": cid,
                            "name": tool_name("cline", call.name),
                            "input": call_input(call),
                        }
                    )
                    results.append(
                        {
                            "type": "tool_result",
                            "tool_use_id": cid,
                            "content": output_text(call),
                            "is_error": call.is_error,
                        }
                    )
                cost = round(
                    (turn.input_tokens * 3 + turn.output_tokens * 15 + turn.cached * 0.3) / 1e6, 6
                )
                ui.append(
                    {
                        "ts": turn.at,
                        "type": "say",
                        "say": "api_req_started",
                        "text": json.dumps(
                            {
                                "request": "[demo]",
                                "tokensIn": turn.input_tokens,
                                "tokensOut": turn.output_tokens,
                                "cacheReads": turn.cached,
                                "cacheWrites": 0,
                                "cost": cost,
                            }
                        ),
                    }
                )
                if turn.text:
                    ui.append({"ts": turn.at + 1, "type": "say", "say": "text", "text": turn.text})
                history.append(
                    {"role": "assistant", "content": blocks or [{"type": "text", "text": "…"}]}
                )
                if results:
                    history.append({"role": "user", "content": results})
        (folder / "api_conversation_history.json").write_text(
            json.dumps(history, ensure_ascii=False)
        )
        (folder / "ui_messages.json").write_text(json.dumps(ui, ensure_ascii=False))
        meta = {
            "files_in_context": [],
            "model_usage": [{"ts": c.start, "model_id": c.model, "mode": "act"}],
        }
        (folder / "task_metadata.json").write_text(json.dumps(meta))
        for name in ("api_conversation_history.json", "ui_messages.json", "task_metadata.json"):
            touch(folder / name, c.end)
    return tasks


# -- GitHub Copilot CLI ----------------------------------------------------------------------


class _EventLog:
    """Copilot events in order, each linked to the one before it (`parentId`)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, kind: str, at: int, data: dict[str, Any]) -> None:
        parent = self.events[-1]["id"] if self.events else None
        self.events.append(
            {
                "type": kind,
                "data": data,
                "id": f"e{len(self.events) + 1}",
                "timestamp": iso(at),
                "parentId": parent,
            }
        )


def write_copilot(root: Path, convs: list[Conversation]) -> Path:
    """`.copilot/session-state/<id>/events.jsonl` with its `workspace.yaml`."""
    base = root / ".copilot" / "session-state"
    for c in convs:
        folder = base / c.id
        folder.mkdir(parents=True, exist_ok=True)
        log = _EventLog()
        event = log.add
        context = {"cwd": c.project.cwd, "gitRoot": c.project.cwd, "branch": c.branch}
        event(
            "session.start",
            c.start,
            {
                "sessionId": c.id,
                "version": 1,
                "producer": "copilot-agent",
                "copilotVersion": "1.0.12",
                "startTime": iso(c.start),
                "context": context,
            },
        )
        event("session.model_change", c.start, {"newModel": c.model})
        for n, ex in enumerate(c.exchanges):
            event(
                "user.message", ex.at, {"content": ex.prompt, "attachments": [], "source": "user"}
            )
            event("assistant.turn_start", ex.at, {"turnId": str(n)})
            for turn in ex.turns:
                requests = [
                    {
                        "toolCallId": f"call_{turn.at}_{k}",
                        "name": tool_name("copilot", call.name),
                        "arguments": call_input(call),
                        "type": "function",
                    }
                    for k, call in enumerate(turn.calls)
                ]
                data: dict[str, Any] = {
                    "messageId": f"am{turn.at}",
                    "content": turn.text or "",
                    "toolRequests": requests,
                    "outputTokens": turn.output_tokens,
                }
                if turn.thinking:
                    data["reasoningText"] = turn.thinking
                event("assistant.message", turn.at, data)
                event(
                    "assistant.usage",
                    turn.at,
                    {
                        "model": c.model,
                        "inputTokens": turn.input_tokens,
                        "outputTokens": turn.output_tokens,
                        "cacheReadTokens": turn.cached,
                        "cacheWriteTokens": 0,
                        "cost": 1,
                    },
                )
                for request, call in zip(requests, turn.calls, strict=True):
                    cid = request["toolCallId"]
                    event(
                        "tool.execution_start",
                        turn.at,
                        {"toolCallId": cid, "toolName": request["name"]},
                    )
                    done: dict[str, Any] = {"toolCallId": cid, "success": not call.is_error}
                    if call.is_error:
                        done["error"] = {"message": output_text(call)}
                    else:
                        done["result"] = {"content": output_text(call)}
                    event("tool.execution_complete", turn.at + 500, done)
            event(
                "assistant.turn_end",
                c.end if n == len(c.exchanges) - 1 else ex.at,
                {"turnId": str(n)},
            )
        path = folder / "events.jsonl"
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in log.events))
        summary = c.exchanges[0].prompt.splitlines()[0][:80].replace(":", " -")
        (folder / "workspace.yaml").write_text(
            f"id: {c.id}\ncwd: {c.project.cwd}\ngit_root: {c.project.cwd}\nbranch: {c.branch}\n"
            f"summary: {summary}\ncreated_at: {iso(c.start)}\nupdated_at: {iso(c.end)}\n"
        )
        touch(path, c.end)
    return base


# -- Cursor's agent transcripts --------------------------------------------------------------


def write_cursor_transcripts(root: Path, convs: list[Conversation]) -> Path:
    """`.cursor/projects/<slug>/agent-transcripts/<id>/<id>.jsonl` (no times, tokens or model:
    the importer dates a new transcript by its mtime)."""
    projects = root / ".cursor" / "projects"
    for c in convs:
        slug = c.project.cwd.strip("/").replace("/", "-")
        folder = projects / slug / "agent-transcripts" / c.id
        folder.mkdir(parents=True, exist_ok=True)
        lines: list[dict[str, Any]] = []
        for ex in c.exchanges:
            query = f"<user_query>\n{ex.prompt}\n</user_query>"
            lines.append(
                {"role": "user", "message": {"content": [{"type": "text", "text": query}]}}
            )
            for turn in ex.turns:
                blocks: list[dict[str, Any]] = []
                if turn.thinking:
                    blocks.append({"type": "thinking", "thinking": turn.thinking})
                if turn.text:
                    blocks.append({"type": "text", "text": turn.text})
                results = []
                for k, call in enumerate(turn.calls):
                    cid = f"tool_{turn.at}_{k}"
                    name = tool_name("cursor", call.name)
                    blocks.append(
                        {"type": "tool_use", "id": cid, "name": name, "input": call_input(call)}
                    )
                    results.append(
                        {"type": "tool_result", "tool_use_id": cid, "content": output_text(call)}
                    )
                lines.append({"role": "assistant", "message": {"content": blocks}})
                if results:
                    lines.append({"role": "user", "message": {"content": results}})
            lines.append({"type": "turn_ended"})
        path = folder / f"{c.id}.jsonl"
        path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        touch(path, c.end)
    return projects


# -- Aider -----------------------------------------------------------------------------------


def write_aider(root: Path, convs: list[Conversation]) -> Path:
    """`<repository>/.aider.chat.history.md`, one run per conversation, appended by project."""
    repos = root / "repos"
    by_project: dict[str, list[Conversation]] = {}
    for c in sorted(convs, key=lambda c: c.start):
        by_project.setdefault(c.project.name, []).append(c)
    for name, runs in by_project.items():
        folder = repos / name
        folder.mkdir(parents=True, exist_ok=True)
        out: list[str] = []
        for c in runs:
            stamp = iso(c.start)[:19].replace("T", " ")
            out += [
                "",
                f"# aider chat started at {stamp}",
                "",
                f"> /home/dev/.local/bin/aider --model {c.model}",
                "> Aider v0.86.1",
                f"> Main model: {c.model} with diff edit format",
                f"> Git repo: .git with {len(c.project.files) * 9} files",
                "> Repo-map: using 4096 tokens",
                "",
            ]
            for ex in c.exchanges:
                out += [f"#### {line}" for line in ex.prompt.splitlines() if line.strip()]
                out.append("")
                text = "\n\n".join(t.text for t in ex.turns if t.text) or "Done."
                out += [text, ""]
                sent = sum(t.input_tokens + t.cached for t in ex.turns)
                got = sum(t.output_tokens for t in ex.turns)
                cost = (sent * 3 + got * 15) / 1e6
                out.append(
                    f"> Tokens: {sent / 1000:.1f}k sent, {got:,} received. "
                    f"Cost: ${cost:.4f} message, ${cost:.4f} session."
                )
                edits = [c2 for t in ex.turns for c2 in t.calls if c2.name in ("Edit", "Write")]
                for call in edits[:3]:
                    path = call_input(call).get("file_path", "file")
                    out.append(f"> Applied edit to {str(path).removeprefix(c.project.cwd + '/')}")
                out.append("")
        path = folder / ".aider.chat.history.md"
        path.write_text("\n".join(out) + "\n")
        touch(path, runs[-1].end)
    return repos


# -- all of them -----------------------------------------------------------------------------

WRITERS: dict[str, Callable[[Path, list[Conversation]], Path]] = {
    "gemini": write_gemini,
    "opencode": write_opencode_db,
    "cline": lambda root, convs: write_cline(root, convs, "saoudrizwan.claude-dev", "cline"),
    "roo-code": lambda root, convs: write_cline(
        root, convs, "rooveterinaryinc.roo-cline", "roo-code"
    ),
    "copilot": write_copilot,
    "cursor": write_cursor_db,
    "cursor-transcripts": write_cursor_transcripts,
    "aider": write_aider,
}


@dataclass
class DemoAgents:
    """What `write_agents` wrote: the (source, root) pairs to import, and where each project
    really lives for the sessions whose importer takes the project from the disk (Aider's
    repository folders and Cursor's workspace slugs exist only in the temporary folder here;
    Cursor's IDE database names no project)."""

    pairs: list[tuple[str, Path]]
    places: dict[str, str] = field(default_factory=dict)  # stored project -> real path
    ide_projects: dict[str, str] = field(default_factory=dict)  # Cursor composer id -> path


def write_agents(
    root: Path, *, seed: int, now_ms: int, per_agent: int = 3, days: int = 28
) -> DemoAgents:
    """`per_agent` sessions of each other agent under `root` (a fake home)."""
    out = DemoAgents([])
    for agent, writer in WRITERS.items():
        source = "cursor" if agent.startswith("cursor") else agent
        rng = random.Random(f"sessionscope-agents:{seed}:{agent}")
        convs = [conversation(rng, source, now_ms, days) for _ in range(per_agent)]
        out.pairs.append((source, writer(root, convs)))
        for c in convs:
            out.places[c.project.cwd.strip("/").replace("/", "-")] = c.project.cwd
            out.places[str((root / "repos" / c.project.name).resolve())] = c.project.cwd
            if agent == "cursor":
                out.ide_projects[c.id] = c.project.cwd
    return out


def relocate(db: Store, agents: DemoAgents) -> None:
    """Point the demo's Aider and Cursor sessions at their projects' real paths."""
    for source in ("aider", "cursor"):
        for info in db.sessions(limit=None, source=source):
            real = agents.places.get(info.project or "") or agents.ide_projects.get(info.id)
            if real is not None and info.project != real:
                db.update_session(info.id, project=real, cwd=real)
