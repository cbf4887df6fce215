"""Search latency at scale, in process and as a whole `sessionscope search` process vs grep/ripgrep.

    python bench/search.py [--messages 1000000] [--queries 500] [--out DIR]
    python bench/search.py --adversarial [--baseline REV] [--out DIR]

Builds (once, cached in --out, default bench/out/ or $SESSIONSCOPE_BENCH_OUT) a store of N
generated messages and the same corpus as JSONL. A cached store written by an older schema is
copied once (`search-N.vK.db`) and migrated there, so the shared cache stays readable by others.

`--adversarial` times the hard queries of issue 16 (`ADVERSARIAL` below: filters alone and
combined, filters matching nothing, phrases and ORs of the commonest words, exclusions,
three-letter prefixes as typed, CJK) and reports the median, p99, max and worst/median ratio
of their median times; `--baseline REV` also times the search code of git revision REV on the
same store (each query capped at 10 s).

Otherwise it measures:
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

OUT = Path(os.environ.get("SESSIONSCOPE_BENCH_OUT") or Path(__file__).resolve().parent / "out")


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


def current(db_path: Path) -> Path:
    """The cached store at this checkout's schema: itself, or a migrated copy next to it."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    if version == store.SCHEMA_VERSION:
        return db_path
    copy = db_path.with_name(f"{db_path.stem}.v{store.SCHEMA_VERSION}.db")
    if not copy.exists():
        building = copy.with_name(copy.name + ".building")
        shutil.copyfile(db_path, building)
        start = time.perf_counter()
        store.open(building).close()  # migrates
        building.rename(copy)
        print(f"migrated a copy in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return copy


STOP12 = " OR ".join(f'"{w}"' for w in COMMON[:12])
# (query, order, typing): typing=True is the browser's as-you-type path (last word a prefix)
ADVERSARIAL: list[tuple[str, str, bool]] = [
    # the table of issue 16
    ("since:2020-01-01", "rank", False),
    ("the project:nonexistent", "rank", False),
    ("the model:nomatch", "rank", False),
    ("the session:{session}", "rank", False),
    ("tool:Bash", "rank", False),
    ('"the to"', "rank", False),
    ("is:error", "rank", False),
    ("the", "rank", True),
    (STOP12, "rank", False),
    ("-the", "rank", False),
    ("tes", "rank", True),
    # filters alone
    ("until:2020-01-01", "rank", False),
    ("since:7d", "rank", False),
    ("until:2099-01-01", "rank", False),
    ("project:webapp", "rank", False),
    ("source:codex", "rank", False),
    ("model:sonnet", "rank", False),
    ("session:{session}", "rank", False),
    ("tool:Read", "rank", False),
    ("role:user", "rank", False),
    ("role:tool", "rank", False),
    # filters that match nothing
    ("project:nonexistent", "rank", False),
    ("model:nomatch", "rank", False),
    ("tool:NoSuchTool", "rank", False),
    ("role:system", "rank", False),
    ("session:nosuchsession", "rank", False),
    ("the tool:NoSuchTool", "rank", False),
    ("source:nowhere role:user", "rank", False),
    # filters combined
    ("project:webapp role:user", "rank", False),
    ("source:codex tool:Bash", "rank", False),
    ("is:error tool:Bash", "rank", False),
    ("role:user tool:Bash", "rank", False),
    ("project:infra since:2020-01-01 role:assistant", "rank", False),
    ("-role:user is:error", "rank", False),
    ("model:sonnet project:docs", "rank", False),
    ("session:{session} role:user", "rank", False),
    ("the is:error", "rank", False),
    ("the tool:Bash", "rank", False),
    ("the role:user since:2020-01-01", "rank", False),
    ("error project:webapp -role:tool", "rank", False),
    ("the source:codex", "rank", False),
    # phrases, ORs and words of the commonest words
    ('"of the"', "rank", False),
    ('"the the"', "rank", False),
    ('"the to of and a"', "rank", False),
    ("the to of", "rank", False),
    ("the OR to OR of", "rank", False),
    ("the", "rank", False),
    ("error", "rank", False),
    ("test", "rank", False),
    # exclusions
    ("-the -to", "rank", False),
    ("the -to", "rank", False),
    ("error -the", "rank", False),
    ("-the -to -of -and -a", "rank", False),
    # three-letter prefixes of common words, as typed
    ("con", "rank", True),
    ("err", "rank", True),
    ("pas", "rank", True),
    ("fil", "rank", True),
    ("the tes", "rank", True),
    ("fix the", "rank", True),
    ("-the tes", "rank", True),
    # newest first (every match, page by page)
    ("the", "time", False),
    ('"the to"', "time", False),
    ("error", "time", False),
    ("zocunireHandler", "time", False),
    ("tes", "time", True),
    ("-the", "time", False),
    # rare words (the common case stays fast)
    ("zocunireHandler", "rank", False),
    ("behotesa dezicufa", "rank", False),
    # CJK
    ("顧客データの重複を削除してください", "rank", False),
    ("重複を削除してください the", "rank", False),
    ("重複", "rank", False),
    ("Reactのコンポーネント", "rank", False),
    ("データ -the", "rank", False),
]


def adversarial(db_path: Path, search=None, runs: int = 3, cap_s: float | None = None):
    """(query, order, typing, hits, partial, median ms) for each adversarial query."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
    session = conn.execute(
        "SELECT id FROM sessions WHERE message_count > 1000 ORDER BY id LIMIT 1 OFFSET 3"
    ).fetchone()[0]
    conn.close()
    if search is None:
        db = store.open(db_path, readonly=True)
        conn = db._db.connection()
        from sessionscope.store.search import search_messages as search
    else:  # an older revision's search, on the store as that revision wrote it
        db = None
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        conn.text_factory = lambda b: b.decode("utf-8", "replace")
        conn.execute("PRAGMA cache_size = -32000")
        conn.execute("PRAGMA mmap_size = 1073741824")
    out = []
    for text, order, typing in ADVERSARIAL:
        q = text.format(session=session) + ("" if typing else " ")
        times = []
        hits: list = []
        for _ in range(runs):
            if cap_s is not None:
                deadline = time.perf_counter() + cap_s
                conn.set_progress_handler(lambda d=deadline: int(time.perf_counter() > d), 10_000)
            start = time.perf_counter()
            hits = search(conn, q, limit=50, order=order)
            times.append((time.perf_counter() - start) * 1000)
            conn.set_progress_handler(None, 0)
            if cap_s is not None and times[-1] > cap_s * 1000:
                break
        partial = getattr(hits, "partial", False)
        out.append(
            (
                text.format(session=session),
                order,
                typing,
                len(hits),
                partial,
                statistics.median(times),
            )
        )
    if db is not None:
        db.close()
    else:
        conn.close()
    return out


def baseline_search(rev: str):
    """search_messages as it was at git revision `rev` (its search.py and query.py)."""
    import importlib.util
    import types

    root = Path(__file__).resolve().parent.parent
    package = "sessionscope.store"
    modules = {}
    for name in ("query", "search"):
        source = subprocess.run(
            ["git", "show", f"{rev}:src/sessionscope/store/{name}.py"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        source = source.replace("from .query import", "from ._baseline_query import")
        full = f"{package}._baseline_{name}"
        module = types.ModuleType(full)
        module.__package__ = package
        sys.modules[full] = module
        exec(compile(source, f"{rev}:{name}.py", "exec"), module.__dict__)
        modules[name] = module
    del importlib
    return modules["search"].search_messages


def report_adversarial(rows, label: str) -> None:
    times = [r[5] for r in rows]
    median = statistics.median(times)
    print(f"\n### {label}\n")
    print("| query | order | as typed | hits | partial | median of 3 |\n|---|---|---|---|---|---|")
    for text, order, typing, hits, partial, ms in rows:
        shown = text if len(text) < 60 else text[:57] + "..."
        print(
            f"| `{shown}` | {order} | {'yes' if typing else ''} | {hits} | {'yes' if partial else ''} | {ms:.1f} ms |"
        )
    print(
        f"\n{len(rows)} queries: median {median:.1f} ms, p99 {percentile(times, 0.99):.1f} ms, "
        f"max {max(times):.1f} ms, worst/median {max(times) / median:.1f}x"
    )


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
    parser.add_argument("--out", type=Path, help="cache directory (default bench/out/)")
    parser.add_argument("--adversarial", action="store_true", help="time the hard queries")
    parser.add_argument("--baseline", help="with --adversarial: also time this git revision")
    args = parser.parse_args()
    if args.out is not None:
        global OUT
        OUT = args.out
    db_path, jsonl = build(args.messages, args.seed)
    if args.adversarial:
        print(f"load average before: {os.getloadavg()}")
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        )
        if args.baseline:
            rows = adversarial(db_path, baseline_search(args.baseline), runs=1, cap_s=10.0)
            report_adversarial(rows, f"baseline {args.baseline} (1 run, capped at 10 s)")
        rows = adversarial(current(db_path))
        report_adversarial(rows, "this checkout")
        print(f"\nload average after: {os.getloadavg()}")
        return
    queries = sample_queries(args.queries, args.seed)
    db_path = current(db_path)  # a store of an older schema: its migrated copy
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
