"""Import throughput of the snapshot sources (Gemini CLI, OpenCode, Cline, Aider).

    python bench/import_sources.py [--mb 20] [--no-results]

Generates, for each format, a tree of about --mb MB in the real on-disk layout (the shapes of
tests/importers/importer_fixtures/home, with realistic text and tool calls; cached in
bench/out/sources/), imports it into a fresh store with `import_source` and reports MB/s and
messages/s, then the re-import of the unchanged tree. Prints a Markdown table and (unless
--no-results) replaces the `## Import of the other agents (issue 13)` section of bench/RESULTS.md.
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


GENERATORS: dict[str, Callable[[Path, int, random.Random], None]] = {
    "gemini": gen_gemini,
    "opencode": gen_opencode,
    "cline": gen_cline,
    "aider": gen_aider,
}


def tree(source: str, mb: int) -> Path:
    root = OUT / f"{source}-{mb}mb"
    marker = root / ".done"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        GENERATORS[source](root, mb, random.Random(7))
        marker.write_text("ok")
    return root


def measure(source: str, root: Path, work: Path) -> dict[str, float]:
    db_path = work / f"{source}.db"
    with store.open(db_path, mmap_mb=0) as db:
        started = time.perf_counter()
        report = import_source(db, source, root)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_source(db, source, root)
        second = time.perf_counter() - started
    assert not report.skipped_count and not again.messages
    size = size_of(root) - (marker.stat().st_size if (marker := root / ".done").exists() else 0)
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
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    work = OUT / "stores"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = []
    for source in GENERATORS:
        r = measure(source, tree(source, args.mb), work)
        rows.append(
            f"| {source} | {r['mb']:.1f} MB, {r['sessions']:,} sessions, {r['messages']:,} messages "
            f"| {r['seconds']:.1f} s: **{r['mb'] / r['seconds']:.1f} MB/s**, "
            f"**{r['messages'] / r['seconds']:,.0f} messages/s** | {r['reimport'] * 1000:.0f} ms |"
        )
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    text = "\n".join(
        [
            SECTION,
            "",
            f"Command: `python bench/import_sources.py --mb {args.mb}` (from the repository root). "
            f"Machine: {os.cpu_count()} cores, `{platform.platform()}`, Python "
            f"{sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}; load average {load} at the end "
            "(shared machine: absolute figures are noisy).",
            "",
            "Each tree is generated in the format's real layout (40 turns a session, text, a tool call "
            "and its output a turn) and imported into a fresh store with `import_source`; a unit is "
            "parsed whole and saved with `Store.save()`. (`bench/import.py` measures the Claude Code "
            "tree; the JSONL line engine is unchanged.)",
            "",
            "| source | tree | import | re-import, unchanged |",
            "|---|---|---|---|",
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
