"""Import throughput of every source: Claude Code and Codex CLI (the JSONL line engine), Gemini
CLI, OpenCode, Cline, Roo Code, GitHub Copilot CLI, Cursor (IDE database and agent transcripts)
and Aider (the snapshot engine).

    python bench/import_sources.py [--mb 20] [--only copilot,cursor] [--no-results]

Generates, for each format, a tree of about --mb MB in the real on-disk layout (Claude Code and
Codex by the demo's `generate_tree`; Copilot and Cursor by the demo's `transcripts.agents`
writers; the others by the generators here; cached in bench/out/sources/), imports it into a
fresh store with `import_source` and reports MB/s and messages/s, their ratio to Claude Code's in
the same run (the machine is shared: ratios are what compare), then the re-import of the
unchanged tree. Prints a Markdown table and (unless --no-results) replaces the
`## Import of the other agents (issue 13)` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sessionscope import store
from sessionscope.demo.transcripts import generate_tree
from sessionscope.demo.transcripts.agent_turns import Conversation
from sessionscope.demo.transcripts.agents import (
    conversation,
    write_copilot,
    write_cursor_transcripts,
)
from sessionscope.demo.transcripts.agents_db import write_cursor_db
from sessionscope.importers import import_source

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "sources"
RESULTS = HERE / "RESULTS.md"
SECTION = "## Import of the other agents (issue 13)"
MB = 1_000_000
WORDS = (
    "the import reads each file once and writes only what changed since the last run while the "
    "browser shows sessions rate limiter login test handler pagination cursor token refactor"
).split()


def prose(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def size_of(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def gen_gemini(root: Path, mb: int, rng: random.Random) -> None:
    chats = root / "tmp" / "proj" / "chats"
    chats.mkdir(parents=True)
    n = 0
    while size_of(root) < mb * MB:
        msgs: list[dict[str, Any]] = []
        for t in range(40):
            msgs.append(
                {
                    "id": f"u{t}",
                    "timestamp": "2026-10-06T09:14:00.000Z",
                    "type": "user",
                    "content": [{"text": prose(rng, 30)}],
                }
            )
            msgs.append(
                {
                    "id": f"g{t}",
                    "timestamp": "2026-10-06T09:14:05.000Z",
                    "type": "gemini",
                    "content": [{"text": prose(rng, 120)}],
                    "thoughts": [
                        {
                            "subject": "Plan",
                            "description": prose(rng, 40),
                            "timestamp": "2026-10-06T09:14:04.000Z",
                        }
                    ],
                    "toolCalls": [
                        {
                            "id": f"c{t}",
                            "name": "run_shell_command",
                            "args": {"command": "npm test"},
                            "status": "success",
                            "timestamp": "2026-10-06T09:14:06.000Z",
                            "result": [
                                {
                                    "functionResponse": {
                                        "id": f"c{t}",
                                        "name": "run_shell_command",
                                        "response": {"output": prose(rng, 200)},
                                    }
                                }
                            ],
                        }
                    ],
                    "tokens": {
                        "input": 1000,
                        "output": 80,
                        "cached": 200,
                        "thoughts": 20,
                        "total": 1300,
                    },
                    "model": "gemini-2.5-pro",
                }
            )
        doc = {
            "sessionId": f"gem-{n:06d}",
            "projectHash": "proj",
            "startTime": "2026-10-06T09:14:00.000Z",
            "lastUpdated": "2026-10-06T09:20:00.000Z",
            "messages": msgs,
        }
        (chats / f"session-{n:06d}.json").write_text(json.dumps(doc))
        n += 1


def gen_opencode(root: Path, mb: int, rng: random.Random) -> None:
    root.mkdir(parents=True)
    conn = sqlite3.connect(root / "opencode.db")
    conn.executescript((HERE.parent / "tests/importers/importer_fixtures/opencode.sql").read_text())
    conn.execute("DELETE FROM session")
    conn.execute("DELETE FROM message")
    conn.execute("DELETE FROM part")
    n = 0
    while (root / "opencode.db").stat().st_size < mb * MB:
        sid = f"ses_{n:06d}"
        conn.execute(
            "INSERT INTO session VALUES (?, 'prj_webapp', NULL, 's', '/home/dev/webapp', ?,"
            " '1', NULL, 1791277200000, 1791277260000, NULL, NULL)",
            (sid, prose(rng, 6)),
        )
        for t in range(40):
            for role in ("user", "assistant"):
                mid = f"msg_{n:06d}_{t:03d}_{role[0]}"
                info: dict[str, Any] = {"role": role, "time": {"created": 1791277200000 + t}}
                if role == "assistant":
                    info.update(
                        modelID="claude-sonnet-4-5",
                        cost=0.01,
                        tokens={
                            "input": 1000,
                            "output": 100,
                            "reasoning": 10,
                            "cache": {"read": 500, "write": 0},
                        },
                    )
                conn.execute(
                    "INSERT INTO message VALUES (?, ?, 1, 1, ?)", (mid, sid, json.dumps(info))
                )
                parts: list[dict[str, Any]] = [
                    {"type": "text", "text": prose(rng, 30 if role == "user" else 120)}
                ]
                if role == "assistant":
                    parts.append(
                        {
                            "type": "tool",
                            "callID": f"call{t}",
                            "tool": "bash",
                            "state": {
                                "status": "completed",
                                "input": {"command": "ls"},
                                "output": prose(rng, 200),
                            },
                        }
                    )
                for k, part in enumerate(parts):
                    conn.execute(
                        "INSERT INTO part VALUES (?, ?, ?, 1, 1, ?)",
                        (f"prt_{mid}_{k}", mid, sid, json.dumps(part)),
                    )
        conn.commit()
        n += 1
    conn.close()


def gen_cline(root: Path, mb: int, rng: random.Random) -> None:
    tasks = root / "tasks"
    n = 0
    while n == 0 or size_of(root) < mb * MB:
        folder = tasks / str(1791277200000 + n)
        folder.mkdir(parents=True)
        history: list[dict[str, object]] = []
        ui: list[dict[str, object]] = [
            {"ts": 1791277200000, "type": "say", "say": "task", "text": "t"}
        ]
        for t in range(40):
            history.append({"role": "user", "content": [{"type": "text", "text": prose(rng, 30)}]})
            history.append(
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": prose(rng, 120)},
                        {
                            "type": "tool_use",
                            "id": f"toolu_{t}",
                            "name": "execute_command",
                            "input": {"command": "ls"},
                        },
                    ],
                }
            )
            history.append(
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": f"toolu_{t}",
                            "content": prose(rng, 200),
                        }
                    ],
                }
            )
            ui.append(
                {
                    "ts": 1791277200000 + t,
                    "type": "say",
                    "say": "api_req_started",
                    "text": json.dumps({"tokensIn": 1000, "tokensOut": 90, "cost": 0.01}),
                }
            )
        (folder / "api_conversation_history.json").write_text(json.dumps(history))
        (folder / "ui_messages.json").write_text(json.dumps(ui))
        (folder / "task_metadata.json").write_text('{"model_usage": [{"model_id": "m"}]}')
        n += 1


def gen_aider(root: Path, mb: int, rng: random.Random) -> None:
    n = 0
    while n == 0 or size_of(root) < mb * MB:
        repo = root / f"repo{n:04d}"
        repo.mkdir(parents=True)
        lines = []
        for r in range(20):
            lines += [
                f"\n# aider chat started at 2026-10-{1 + r % 28:02d} 14:00:00\n",
                "> Model: claude-sonnet-4-5 with diff edit format\n",
            ]
            for _ in range(10):
                lines += [
                    f"#### {prose(rng, 20)}\n",
                    "",
                    prose(rng, 120),
                    "",
                    "> Tokens: 2.1k sent, 150 received. Cost: $0.01 message, $0.05 session.",
                    "> Applied edit to app.py",
                    "",
                ]
        (repo / ".aider.chat.history.md").write_text("\n".join(lines))
        n += 1


def gen_claude(root: Path, mb: int, rng: random.Random) -> None:
    generate_tree(
        root, seed=7, sessions=None, target_bytes=mb * MB, now=1_790_000_000, codex_share=0
    )


def gen_codex(root: Path, mb: int, rng: random.Random) -> None:
    generate_tree(
        root, seed=7, sessions=None, target_bytes=mb * MB, now=1_790_000_000, codex_share=1
    )


def _conversations(
    agent: str, mb: int, rng: random.Random, bytes_each: float
) -> list[Conversation]:
    count = max(1, round(mb * MB / bytes_each))
    return [conversation(rng, agent, 1_790_000_000_000, 28) for _ in range(count)]


def _sized(write: Callable[[Path, list[Conversation]], Path], agent: str):  # type: ignore[no-untyped-def]
    """A generator writing demo conversations with `write` until about `mb` MB (the size of a
    conversation in this format measured on a sample first)."""

    def gen(root: Path, mb: int, rng: random.Random) -> None:
        sample = root.parent / f".sample-{root.name}"
        shutil.rmtree(sample, ignore_errors=True)
        sample.mkdir(parents=True)
        write(sample, _conversations(agent, 1, random.Random(1), MB / 20))
        each = size_of(sample) / 20
        shutil.rmtree(sample)
        root.mkdir(parents=True)
        write(root, _conversations(agent, mb, rng, each))

    return gen


# label -> (source, generator, where the source's root is in the generated tree)
GENERATORS: dict[str, tuple[str, Callable[[Path, int, random.Random], None], str]] = {
    "claude-code": ("claude-code", gen_claude, "claude-code/projects"),
    "codex": ("codex", gen_codex, "codex/sessions"),
    "gemini": ("gemini", gen_gemini, ""),
    "opencode": ("opencode", gen_opencode, ""),
    "cline": ("cline", gen_cline, ""),
    "roo-code": ("roo-code", gen_cline, ""),
    "copilot": ("copilot", _sized(write_copilot, "copilot"), ".copilot/session-state"),
    "cursor (IDE database)": (
        "cursor",
        _sized(write_cursor_db, "cursor"),
        ".config/Cursor/User/globalStorage/state.vscdb",
    ),
    "cursor (agent transcripts)": (
        "cursor",
        _sized(write_cursor_transcripts, "cursor"),
        ".cursor/projects",
    ),
    "aider": ("aider", gen_aider, ""),
}


def tree(label: str, mb: int) -> Path:
    _source, generate, inner = GENERATORS[label]
    name = label.replace(" ", "-").replace("(", "").replace(")", "")
    root = OUT / f"{name}-{mb}mb"
    marker = root / ".done"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, mb, random.Random(7))
        marker.write_text("ok")
    return root / inner if inner else root


def measure(source: str, root: Path, db_path: Path) -> dict[str, float]:
    with store.open(db_path, mmap_mb=0) as db:
        started = time.perf_counter()
        report = import_source(db, source, root)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_source(db, source, root)
        second = time.perf_counter() - started
    assert not report.skipped_count and not again.messages, report.skipped_lines[:3]
    size = root.stat().st_size if root.is_file() else size_of(root)
    size -= marker.stat().st_size if (marker := root / ".done").exists() else 0
    return {
        "mb": size / MB,
        "seconds": first,
        "messages": report.messages,
        "sessions": report.sessions,
        "reimport": second,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated labels (default: all)")
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    work = OUT / "stores"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    wanted = [label for label in GENERATORS if not args.only or label in args.only.split(",")]
    roots = {label: tree(label, args.mb) for label in wanted}  # generated before timing
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    results = {}
    for label in wanted:
        source = GENERATORS[label][0]
        db_path = work / (label.replace(" ", "-").replace("(", "").replace(")", "") + ".db")
        results[label] = measure(source, roots[label], db_path)
    load_after = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    base = results.get("claude-code")
    rows = []
    for label, r in results.items():
        mbs, mps = r["mb"] / r["seconds"], r["messages"] / r["seconds"]
        ratio = (
            f"{mbs / (base['mb'] / base['seconds']):.2f}x / "
            f"{mps / (base['messages'] / base['seconds']):.2f}x"
            if base
            else "–"
        )
        rows.append(
            f"| {label} | {r['mb']:.1f} MB, {r['sessions']:,} sessions, {r['messages']:,} messages "
            f"| {r['seconds']:.1f} s: **{mbs:.1f} MB/s**, **{mps:,.0f} messages/s** | {ratio} "
            f"| {r['reimport'] * 1000:.0f} ms |"
        )
    text = "\n".join(
        [
            SECTION,
            "",
            f"Command: `python bench/import_sources.py --mb {args.mb}` (from the repository root). "
            f"Machine: {os.cpu_count()} cores, `{platform.platform()}`, Python "
            f"{sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; load average "
            f"{load_before} before, {load_after} after (shared machine: absolute figures are "
            "noisy, the ratios to Claude Code in the same run are what compare).",
            "",
            "Each tree is generated in the format's real layout and imported into a fresh store "
            "with `import_source`: Claude Code and Codex by the demo's `generate_tree` (read by the "
            "JSONL line engine, incrementally); Copilot and Cursor by the demo's "
            "`transcripts.agents` writers (short coding sessions: prompts, replies, tool calls "
            "with their outputs); Gemini, OpenCode, Cline/Roo Code and Aider by this script (40 "
            "turns a session, text, a tool call and its output a turn). A snapshot unit is parsed "
            "whole (a database one session at a time) and saved with `Store.save()`.",
            "",
            "| source | tree | import | MB/s, messages/s vs Claude Code | re-import, unchanged |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(text)
    if not args.no_results:
        body = RESULTS.read_text() if RESULTS.exists() else ""
        if SECTION in body:
            start = body.index(SECTION)
            end = body.find("\n## ", start + len(SECTION))
            body = body[:start] + text + (body[end + 1 :] if end >= 0 else "")
        else:
            body = body.rstrip("\n") + "\n\n" + text
        RESULTS.write_text(body)


if __name__ == "__main__":
    main()
