"""Search latency at scale, in process and as a whole `sessionscope search` process vs grep/ripgrep.

    python bench/search.py [--messages 1000000] [--queries 500]

Builds (once, cached in bench/out/) a store of N generated messages and the same corpus as JSONL,
then measures:
1. In-process `Store.search` for 1-3 word queries with snippets, limit 50: median and p99.
   Targets at 1,000,000 messages: median <= 5 ms, p99 <= 50 ms.
2. Whole-process `sessionscope search QUERY --json` against `grep -c` and `rg -c` over the JSONL
   (ripgrep from Debian's package, installed here if missing). Target: >= 5x faster than both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import COMMON, Corpus, raw_text_bytes

from sessionscope import store

OUT = Path(__file__).resolve().parent / "out"


def build(messages: int, seed: int) -> tuple[Path, Path]:
    db_path = OUT / f"search-{messages}.db"
    jsonl = OUT / f"search-{messages}.jsonl"
    if db_path.exists() and jsonl.exists():
        return db_path, jsonl
    OUT.mkdir(parents=True, exist_ok=True)
    for p in OUT.glob(db_path.name + "*"):
        p.unlink()
    db = store.open(db_path)
    start = time.perf_counter()
    raw = 0
    with jsonl.open("w", encoding="utf-8") as out:
        for fields, batch in Corpus(seed).sessions(messages):
            sid = db.start_session(
                id=fields["id"],
                title=fields["title"],
                source=fields["source"],
                project=fields["project"],
            )
            for offset in range(0, len(batch), 2000):
                db.append_many(sid, batch[offset : offset + 2000])
            raw += raw_text_bytes(batch)
            for message in batch:
                out.write(json.dumps({"session": sid, **message}, ensure_ascii=False) + "\n")
    db._db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(
        f"built {messages:,} messages ({raw / 1e6:.0f} MB text) in {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    return db_path, jsonl


def sample_queries(count: int, seed: int) -> list[str]:
    """1-3 word queries drawn by word frequency (Zipf), leaving out English function words."""
    vocab = Corpus(seed).vocab
    rng = random.Random(seed + 1)
    skip = set(COMMON)
    queries = []
    while len(queries) < count:
        words = [w for w in vocab.sample(rng.randint(1, 3) * 3) if w not in skip][
            : rng.randint(1, 3)
        ]
        if words:
            queries.append(" ".join(words))
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def in_process(db_path: Path, queries: list[str], typing: bool = False) -> dict[str, float]:
    """Whole-word queries (a trailing space, as the CLI sends them), or as typed in the browser
    (the last word a prefix)."""
    db = store.open(db_path, readonly=True)
    queries = [q if typing else q + " " for q in queries]
    for q in queries[:20]:  # warm the page cache
        db.search(q, limit=50)
    times = []
    for q in queries:
        start = time.perf_counter()
        db.search(q, limit=50)
        times.append((time.perf_counter() - start) * 1000)
    db.close()
    return {"median": statistics.median(times), "p99": percentile(times, 0.99), "max": max(times)}


def ensure_ripgrep() -> str | None:
    found = shutil.which("rg")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "ripgrep"], capture_output=True)
    return shutil.which("rg")


def timed(cmd: list[str], env: dict[str, str] | None = None, runs: int = 5) -> float:
    """Best wall time of `runs` runs. Output goes to a pipe, never /dev/null: GNU grep stops at
    the first match when its output is /dev/null, which would make it look instant."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def whole_process(db_path: Path, jsonl: Path, queries: list[str]) -> list[dict[str, float | str]]:
    exe = shutil.which("sessionscope") or str(Path(sys.executable).parent / "sessionscope")
    rg = ensure_ripgrep()
    # byte-compile the package as a wheel install would (editable installs may not have .pyc)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(store.__file__).parent.parent)],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    env = {**os.environ, "SESSIONSCOPE_DB": str(db_path)}
    subprocess.run(["cat", str(jsonl)], stdout=subprocess.DEVNULL, check=False)  # warm cache
    rows = []
    for q in queries:
        ours = timed([exe, "search", q, "--json", "--limit", "50"], env=env)
        grep = timed(["grep", "-c", "-F", q, str(jsonl)])
        row: dict[str, float | str] = {"query": q, "sessionscope": ours, "grep": grep}
        if rg:
            row["rg"] = timed([rg, "-c", "-F", q, str(jsonl)])
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    db_path, jsonl = build(args.messages, args.seed)
    queries = sample_queries(args.queries, args.seed)
    inproc = in_process(db_path, queries)
    typed = in_process(db_path, queries, typing=True)
    cli_queries = ["rate limiting", "traceback", queries[0], queries[1], queries[2]]
    procs = whole_process(db_path, jsonl, cli_queries)
    size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"store: {args.messages:,} messages, {size / 1e9:.2f} GB; JSONL corpus {jsonl.stat().st_size / 1e9:.2f} GB"
    )
    print("\n| in-process search, limit 50, snippets | value | target |\n|---|---|---|")
    print(f"| median ({len(queries)} queries of 1-3 words) | {inproc['median']:.2f} ms | <= 5 ms |")
    print(f"| p99 | {inproc['p99']:.2f} ms | <= 50 ms |")
    print(f"| max | {inproc['max']:.2f} ms | |")
    print(f"| as typed (last word a prefix): median | {typed['median']:.2f} ms | |")
    print(f"| as typed: p99 | {typed['p99']:.2f} ms | |")
    print(
        "\n| query | sessionscope search --json | grep -c | rg -c | vs grep | vs rg |\n|---|---|---|---|---|---|"
    )
    for row in procs:
        ours, grep, rg = row["sessionscope"], row["grep"], row.get("rg")
        rg_time = f"{rg:.3f} s" if rg else "n/a"
        rg_ratio = f"{rg / ours:.1f}x" if rg else "n/a"
        print(
            f"| `{row['query']}` | {ours:.3f} s | {grep:.3f} s | {rg_time} | "
            f"{grep / ours:.1f}x | {rg_ratio} |"
        )


if __name__ == "__main__":
    main()
