"""Append latency under contention: 8 writer processes, an importer and a reader on one store.

    python bench/contention.py [--writers 8] [--messages 1000] [--sessions 60] [--big-mb 40]
                               [--no-results]

The load is the one tests/test_reliability_concurrency.py runs: each writer appends `--messages`
messages (about half to one shared session, half to its own; 60% single `append` calls, the rest
`append_many` batches of 2-25), while one process imports a generated transcript tree
(`--sessions` sessions, both formats) and one searches and reads in a loop. The baseline is the
very same calls, writer after writer, on a fresh store with nothing else running. A third run
repeats the load with the importer reading one big transcript (`--big-mb`, 0 to skip) instead of
the tree: how long agents wait while one large file is imported.

Reports p50 / p95 / p99 / max latency of one call (each is one transaction, retries included)
for `append` and `append_many`, under load and alone, and replaces the `## Contention (issue 6)`
section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import random
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sessionscope import store
from sessionscope.demo.transcripts import generate_tree, write_big_session
from sessionscope.importers import import_all

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SECTION = "## Contention (issue 6)"
SHARED = "shared-session"
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def plan_calls(n: int, messages: int) -> list[tuple[bool, list[dict[str, Any]]]]:
    """Writer n's calls: (to the shared session?, message specs); the same for both runs."""
    rng = random.Random(1000 + n)
    calls: list[tuple[bool, list[dict[str, Any]]]] = []
    i = 0
    while i < messages:
        shared = rng.random() < 0.5
        size = min(1 if rng.random() < 0.6 else rng.randint(2, 25), messages - i)
        specs = []
        for k in range(i, i + size):
            spec: dict[str, Any] = {
                "role": ("user", "assistant", "tool", "system")[k % 4],
                "content": f"writer{n} message{k} {WORDS[(n + k) % len(WORDS)]} "
                f"payload {'x' * (k % 40)}",
                "output_tokens": k % 7,
            }
            if k % 2 == 0:
                spec["external_id"] = f"w{n}-{k}"
            specs.append(spec)
        calls.append((shared, specs))
        i += size
    return calls


def run_writer(db: store.Store, n: int, messages: int) -> list[tuple[str, float]]:
    """Make writer n's calls; return (kind, seconds) per call."""
    own = db.start_session(title=f"writer {n}", source="bench", id=f"own-{n}", exist_ok=True)
    timings: list[tuple[str, float]] = []
    for shared, specs in plan_calls(n, messages):
        sid = SHARED if shared else own
        if len(specs) == 1:
            spec = specs[0]
            fields = {k: v for k, v in spec.items() if k not in ("role", "content")}
            start = time.perf_counter()
            db.append(sid, spec["role"], spec["content"], **fields)
            timings.append(("append", time.perf_counter() - start))
        else:
            start = time.perf_counter()
            db.append_many(sid, specs)
            timings.append(("append_many", time.perf_counter() - start))
    return timings


def writer(path: str, n: int, messages: int, barrier: Any, results: Any) -> None:
    db = store.open(path)
    barrier.wait(timeout=120)
    timings = run_writer(db, n, messages)
    db.close()
    results.put(("writer", n, timings))


def importer(path: str, roots: dict[str, str], barrier: Any, results: Any) -> None:
    db = store.open(path)
    barrier.wait(timeout=120)
    start = time.perf_counter()
    report = import_all(db, roots)
    db.close()
    results.put(("importer", report.messages, report.bytes_read, time.perf_counter() - start))


def reader(path: str, barrier: Any, stop: Any, results: Any) -> None:
    rng = random.Random(7)
    db = store.open(path)
    barrier.wait(timeout=120)
    rounds = 0
    while not stop.is_set():
        db.search(
            rng.choice(["writer3 message", "payload", rng.choice(WORDS), "role:tool"]), limit=20
        )
        db.messages(SHARED, max(0, db.message_count(SHARED) - 50))
        db.sessions(limit=20)
        rounds += 1
    db.close()
    results.put(("reader", rounds))


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cuts = (
        statistics.quantiles(ordered, n=100, method="inclusive")
        if len(ordered) > 1
        else [ordered[0]] * 99
    )
    return {
        "n": len(ordered),
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": ordered[-1],
    }


def under_load(path: Path, roots: dict[str, str], writers: int, messages: int) -> dict[str, Any]:
    db = store.open(path)
    db.start_session(title="shared", source="bench", id=SHARED)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers + 2)
    stop = ctx.Event()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=writer, args=(str(path), n, messages, barrier, results))
        for n in range(writers)
    ]
    procs.append(ctx.Process(target=importer, args=(str(path), roots, barrier, results)))
    read_proc = ctx.Process(target=reader, args=(str(path), barrier, stop, results))
    for proc in [*procs, read_proc]:
        proc.start()
    start = time.perf_counter()
    reports = [results.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - start
    stop.set()
    reports.append(results.get(timeout=120))
    for proc in [*procs, read_proc]:
        proc.join(timeout=120)
        if proc.exitcode != 0:
            raise SystemExit(f"a {proc.name} process failed (exit {proc.exitcode})")
    problems = db.check(full=True)
    db.close()
    if problems:
        raise SystemExit(f"integrity check failed after the load: {problems}")
    timings = [t for r in reports if r[0] == "writer" for t in r[2]]
    ((_k, imported, imported_bytes, import_s),) = [r for r in reports if r[0] == "importer"]
    ((_k, rounds),) = [r for r in reports if r[0] == "reader"]
    return {
        "timings": timings,
        "wall": wall,
        "imported": imported,
        "imported_mb": imported_bytes / 1e6,
        "import_s": import_s,
        "reads": rounds,
    }


def alone(path: Path, writers: int, messages: int) -> dict[str, Any]:
    db = store.open(path)
    db.start_session(title="shared", source="bench", id=SHARED)
    timings: list[tuple[str, float]] = []
    start = time.perf_counter()
    for n in range(writers):
        timings.extend(run_writer(db, n, messages))
    wall = time.perf_counter() - start
    db.close()
    return {"timings": timings, "wall": wall}


def table(runs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    rows = ["| call | run | calls | p50 | p95 | p99 | max |", "|---|---|---|---|---|---|---|"]
    for kind in ("append", "append_many"):
        for label, run in runs:
            p = percentiles([s for k, s in run["timings"] if k == kind])
            rows.append(
                f"| `{kind}` | {label} | {p['n']:,} | {p['p50'] * 1e3:.2f} ms | "
                f"{p['p95'] * 1e3:.2f} ms | {p['p99'] * 1e3:.2f} ms | {p['max'] * 1e3:.1f} ms |"
            )
    return rows


def write_section(body: str) -> None:
    """Replace (or append) this benchmark's section of RESULTS.md, leaving the others alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    lines = text.split("\n")
    begin = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    section = [SECTION, "", *body.rstrip("\n").split("\n"), ""]
    if begin is None:
        if lines and lines[-1] != "":
            lines.append("")
        lines += section
    else:
        end = next(
            (i for i in range(begin + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[begin:end] = section
    RESULTS.write_text("\n".join(lines).rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--messages", type=int, default=1000, help="messages per writer")
    parser.add_argument(
        "--sessions",
        type=int,
        default=60,
        help="sessions in the transcript tree the importer imports",
    )
    parser.add_argument(
        "--big-mb",
        type=int,
        default=40,
        help="size of the one transcript of the third run (0: skip that run)",
    )
    parser.add_argument("--no-results", action="store_true", help="don't update RESULTS.md")
    args = parser.parse_args()
    command = "python bench/contention.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="contention-") as tmp:
        work = Path(tmp)
        corpus = generate_tree(work / "tree", seed=61, sessions=args.sessions, now=1_790_000_000)
        roots = {k: str(v) for k, v in corpus.roots.items()}
        quiet = alone(work / "alone.db", args.writers, args.messages)
        loaded = under_load(work / "load.db", roots, args.writers, args.messages)
        big = None
        if args.big_mb:
            (work / "big").mkdir()
            write_big_session(work / "big" / "big.jsonl", target_bytes=args.big_mb * 1_000_000)
            big = under_load(
                work / "big.db", {"claude-code": str(work / "big")}, args.writers, args.messages
            )
    total = args.writers * args.messages
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"load average {load:.1f} at the start (the machine is shared)"
    )
    runs = [("alone", quiet), ("under load", loaded)]
    if big is not None:
        runs.append((f"one {big['imported_mb']:.0f} MB transcript importing", big))
    lines = [
        f"Command: `{command.strip()}`  ",
        f"Machine: {machine}",
        "",
        f"{args.writers} writer processes x {args.messages:,} messages (about half to one "
        "shared session), while one process imports "
        f"{loaded['imported']:,} messages ({loaded['imported_mb']:.1f} MB of transcripts, "
        f"{loaded['import_s']:.1f} s) and one searches and reads in a loop "
        f"({loaded['reads']:,} rounds). Alone: the same calls, one writer after another, "
        "nothing else running. One call is one transaction, busy retries included.",
        "",
        *table(runs),
        "",
        f"Throughput: {total / loaded['wall']:,.0f} messages/s under load "
        f"({loaded['wall']:.1f} s for {total:,}), {total / quiet['wall']:,.0f} messages/s alone "
        f"({quiet['wall']:.1f} s). No call failed; `db.check(full=True)` was clean after each run.",
    ]
    if big is not None:
        lines += [
            "",
            f"With one {big['imported_mb']:.0f} MB transcript importing instead "
            f"({big['imported']:,} messages in {big['import_s']:.1f} s), the slowest call waited "
            f"{max(s for _, s in big['timings']):.2f} s. The importer holds the write lock for "
            "one transaction at a time: a group of files and batches (committed every 0.5 s, "
            "5,000 messages or 32 MB read), never a whole transcript. SQLite's lock is not fair, "
            "though: a writer sleeping in the busy "
            "handler can miss several commits in a row, which is where the tail above comes "
            "from (no call failed).",
        ]
    body = "\n".join(lines)
    print(body)
    if not args.no_results:
        write_section(body)


if __name__ == "__main__":
    main()
