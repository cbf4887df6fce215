"""The `search` tool of `sessionscope mcp` at scale: in process and through a stdio client.

    python bench/mcp.py [--db /work/bench-out/search-1000000.v4.db] [--work /tmp/mcp-bench.db]
                        [--queries 30] [--runs 3]

Opens a COPY of the store (`--work`; opening migrates, and the shared cache must stay as it is),
then times, for the same queries (1-3 code words of `corpus.CODE`, plus filters):
1. the tool function in process (`Recall.search`, limit 20: search, formatting, redaction, cap);
2. a `tools/call search` round trip from the MCP SDK's own client to `sessionscope mcp` started
   as a subprocess over stdio (JSON-RPC, validation, the thread hop, the pipe).
Target: a search call within 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import anyio

# this file is named mcp.py: keep its folder off the path while the SDK is imported
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
from mcp import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

sys.path.append(str(_HERE))
from corpus import CODE  # noqa: E402

from sessionscope import store  # noqa: E402
from sessionscope.mcp.tools import Recall  # noqa: E402

DEFAULT_DB = Path("/work/bench-out/search-1000000.v4.db")
FILTERED = ["tool:Bash error", "timeout retry since:30d", "role:user deploy", '"parse error"']


def queries(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = [" ".join(rng.sample(CODE, rng.randint(1, 3))) for _ in range(count)]
    return out + FILTERED


def work_copy(source: Path, work: Path) -> Path:
    """`work`, copied from `source` unless an equally sized copy is already there."""
    if not work.exists() or work.stat().st_size < source.stat().st_size:
        started = time.perf_counter()
        for suffix in ("-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        shutil.copyfile(source, work)
        print(f"copied {source} to {work} in {time.perf_counter() - started:.1f} s")
    with store.open(work) as db:  # migrate once, outside the timings
        print(f"store: {db.counts()['messages']:,} messages, schema {db.schema_version()}")
    return work


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    print(
        f"{name}: n={len(ms)} median {statistics.median(ms):.1f} ms, p90 {pct(ms, 0.9):.1f} ms,"
        f" p99 {pct(ms, 0.99):.1f} ms, max {max(ms):.1f} ms, over 50 ms: {sum(m > 50 for m in ms)}"
    )


def in_process(path: Path, qs: list[str], runs: int) -> list[float]:
    times: list[float] = []
    with store.open(path, readonly=True) as db:
        recall = Recall(db)
        for q in qs:  # warm the page cache and the connection
            recall.search(q)
        for _ in range(runs):
            for q in qs:
                started = time.perf_counter()
                recall.search(q, limit=20)
                times.append(time.perf_counter() - started)
    return times


async def over_stdio(path: Path, qs: list[str], runs: int) -> list[float]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "sessionscope", "--db", str(path), "mcp"]
    )
    times: list[float] = []
    with anyio.fail_after(600):
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            for q in qs:
                await client.call_tool("search", {"query": q})
            for _ in range(runs):
                for q in qs:
                    started = time.perf_counter()
                    result = await client.call_tool("search", {"query": q, "limit": 20})
                    times.append(time.perf_counter() - started)
                    assert not result.is_error, result
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mcp-bench-1m.db"))
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"no store at {args.db}: build one with bench/search.py, or pass --db")
        return 1
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python"
        f" {platform.python_version()}, SQLite {sqlite3.sqlite_version};"
        f" load before {os.getloadavg()}"
    )
    path = work_copy(args.db, args.work)
    qs = queries(args.queries)
    report("search tool, in process", in_process(path, qs, args.runs))
    report("search tool, stdio round trip", anyio.run(over_stdio, path, qs, args.runs))
    print(f"load after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
