"""Import throughput, re-import cost and peak memory of the transcript importers.

    python bench/import.py [--mb 500] [--rss-mb 500] [--seed 7] [--profile] [--no-results]

Generates (once, cached in bench/out/) a Claude Code tree of about --mb MB in the real on-disk
format (`sessionscope.demo.transcripts`) and one single --rss-mb MB transcript, then measures:

1. Import of the whole tree into a fresh store with the real importer (`import_all`): MB/s and
   messages/s.
2. Baseline: a raw `sqlite3` `executemany` of the same rows (the sessions, and the messages with
   their FTS / trigram index rows, exactly as the import stored them) into a fresh store with the
   same schema (`store.open`), in the same run. Rows are read and projected before the clock
   runs; only inserts and commits (one per 5,000 messages) are timed. Target: import >= 0.4x
   (issue 11). Then, timed apart, the other rows the import stores (`EXTRA_TABLES`: tool calls,
   file states, conversation ends): import / raw of every row, target >= 0.5x (issue 17).
3. Re-import of the unchanged tree. Target: <= 2% of the first import's time.
4. Peak RSS of a fresh subprocess importing the single big transcript
   (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`). Target: <= 300 MB.

Prints a Markdown table and (unless --no-results) replaces the `## Import (issue 3)` section of
bench/RESULTS.md with it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import platform
import pstats
import resource
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sessionscope import store
from sessionscope.demo.transcripts import GENERATOR_VERSION, generate_tree, write_big_session
from sessionscope.importers import import_all
from sessionscope.store import blocks as blockcodec

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
SECTION = "## Import (issue 3)"
MB = 1_000_000
CHUNK = 5000

MESSAGE_COLUMNS = (
    "id",
    "session_id",
    "seq",
    "role",
    "created_at",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_creation_tokens",
    "cost_usd",
    "external_id",
    "blocks",
    "metadata",
)
INSERT_MESSAGE = (
    f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})"
)
# Tables the import fills besides sessions, messages and the search indexes.
EXTRA_TABLES = ("tool_calls", "import_state", "summary_leaves")
INSERT_FTS = "INSERT INTO messages_fts (rowid, text, tools) VALUES (?, ?, ?)"
INSERT_CJK = "INSERT INTO messages_cjk (rowid, body) VALUES (?, ?)"


def _manifest_ok(folder: Path, expected: dict[str, object]) -> bool:
    manifest = folder / "manifest.json"
    try:
        return json.loads(manifest.read_text()) == expected
    except (OSError, ValueError):
        return False


def tree(mb: int, seed: int) -> tuple[Path, float | None]:
    """The cached Claude Code tree of about `mb` MB (generation seconds, or None if cached)."""
    folder = OUT / f"import-tree-{mb}mb-seed{seed}"
    expected = {"mb": mb, "seed": seed, "version": GENERATOR_VERSION}
    root = folder / "claude-code" / "projects"
    if _manifest_ok(folder, expected):
        return root, None
    shutil.rmtree(folder, ignore_errors=True)
    corpus = generate_tree(
        folder, seed=seed, sessions=None, target_bytes=mb * MB, codex_share=0.0, now=1_790_000_000
    )
    (folder / "manifest.json").write_text(json.dumps(expected))
    return root, corpus.seconds


def big_file(mb: int, seed: int) -> tuple[Path, float | None]:
    """The cached single transcript of about `mb` MB."""
    path = OUT / f"import-big-{mb}mb-seed{seed}" / "-home-dev-webapp" / "big-session.jsonl"
    expected = {"mb": mb, "seed": seed, "version": GENERATOR_VERSION}
    if path.exists() and _manifest_ok(path.parent.parent, expected):
        return path, None
    shutil.rmtree(path.parent.parent, ignore_errors=True)
    path.parent.mkdir(parents=True)
    started = time.perf_counter()
    write_big_session(path, target_bytes=mb * MB, seed=seed, now=1_790_000_000)
    (path.parent.parent / "manifest.json").write_text(json.dumps(expected))
    return path, time.perf_counter() - started


def tree_bytes(root: Path) -> tuple[int, int]:
    files = list(root.rglob("*.jsonl"))
    return len(files), sum(p.stat().st_size for p in files)


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    return path


def measure_import(root: Path, db_path: Path, profile: bool) -> dict[str, float]:
    db = store.open(fresh(db_path))
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_all(db, roots={"claude-code": root})
    if profiler:
        profiler.disable()
    first = time.perf_counter() - started
    if report.skipped_count:
        print(f"warning: {report.skipped_count} malformed lines skipped", file=sys.stderr)
    started = time.perf_counter()
    again = import_all(db, roots={"claude-code": root})
    second = time.perf_counter() - started
    assert again.messages == 0, "re-import added messages"
    db.close()
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
    return {
        "seconds": first,
        "messages": report.messages,
        "sessions": report.sessions,
        "bytes": report.bytes_read,
        "files": report.files_imported,
        "again": second,
    }


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, name: str) -> float:
    """Insert every row of table `name` from `src` into `dst` in one transaction: the seconds
    the inserts and the commit took (reading them is not timed)."""
    cur = src.execute(f"SELECT * FROM {name}")
    columns = [d[0] for d in cur.description]
    rows = cur.fetchall()
    insert = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    started = time.perf_counter()
    dst.execute("BEGIN IMMEDIATE")
    dst.executemany(insert, rows)
    dst.execute("COMMIT")
    return time.perf_counter() - started


def measure_baseline(source_db: Path, raw_path: Path) -> dict[str, float]:
    """Insert the rows the import stored into a fresh store with raw sqlite3 executemany."""
    store.open(fresh(raw_path)).close()  # same schema, indexes and FTS tables
    src = sqlite3.connect(f"file:{source_db}?mode=ro", uri=True)
    dst = sqlite3.connect(raw_path, isolation_level=None)
    for pragma in (
        "foreign_keys = ON",
        "synchronous = NORMAL",
        "cache_size = -32000",
        "mmap_size = 268435456",
    ):
        dst.execute(f"PRAGMA {pragma}")
    timed = _copy_table(src, dst, "sessions")
    count = 0
    cur = src.execute(f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages ORDER BY id")
    while rows := cur.fetchmany(CHUNK):
        fts, cjk = [], []
        for row in rows:
            text, tools = blockcodec.project(json.loads(row[12]))
            fts.append((row[0], text, tools))
            if blockcodec.has_no_space_script(text) or blockcodec.has_no_space_script(tools):
                cjk.append((row[0], (text or "") + "\n" + (tools or "")))
        started = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        dst.executemany(INSERT_MESSAGE, rows)
        dst.executemany(INSERT_FTS, fts)
        dst.executemany(INSERT_CJK, cjk)
        dst.execute("COMMIT")
        timed += time.perf_counter() - started
        count += len(rows)
    # The other rows the import stores: tool calls (five indexes), file states, conversation ends.
    extra = sum(_copy_table(src, dst, name) for name in EXTRA_TABLES)
    src.close()
    dst.close()
    return {"seconds": timed, "seconds_all": timed + extra, "messages": count}


RSS_CHILD = """
import json, os, resource, sys, threading, time
from sessionscope import store
from sessionscope.importers import import_source

peak = {"RssAnon": 0, "RssFile": 0, "RssShmem": 0}  # Linux: heap vs mapped files (SQLite mmap)
done = threading.Event()


def sample():
    while not done.is_set():
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    key = line.split(":", 1)[0]
                    if key in peak:
                        peak[key] = max(peak[key], int(line.split()[1]))
        except OSError:
            return
        done.wait(0.05)


sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
db = store.open(sys.argv[2])
started = time.perf_counter()
report = import_source(db, "claude-code", sys.argv[1])
seconds = time.perf_counter() - started
db.close()
done.set()
sampler.join()
print(json.dumps({"seconds": seconds, "messages": report.messages, "bytes": report.bytes_read,
                  "skipped": report.skipped_count, "peak_kb": peak,
                  "self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure_rss(path: Path, db_path: Path) -> dict[str, float]:
    """Import one big file in a fresh interpreter; its peak RSS from RUSAGE_CHILDREN."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, str(path), str(fresh(db_path))],
        check=True,
        capture_output=True,
        text=True,
    )
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(out.stdout)
    result["children_maxrss_kb"] = peak_kb
    result["earlier_children_kb"] = before  # a larger earlier child would mask this one
    return result


def machine() -> str:
    try:  # after the RSS child: RUSAGE_CHILDREN is a max over all children
        uname = subprocess.run(
            ["uname", "-a"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        uname = " ".join(platform.uname()).strip()
    return (
        f"{os.cpu_count()} cores; `{uname}`; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}"
    )


def load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def table(
    mb_tree: float,
    imp: dict[str, float],
    raw: dict[str, float],
    rss: dict[str, float] | None,
    rss_mb: int,
) -> str:
    ratio = raw["seconds"] / imp["seconds"]
    ratio_all = raw["seconds_all"] / imp["seconds"]
    again_pct = 100 * imp["again"] / imp["seconds"]
    rows = [
        "| metric | value | target |",
        "|---|---|---|",
        f"| tree | {imp['files']:,} files, {mb_tree:,.0f} MB, {imp['sessions']:,} sessions, "
        f"{imp['messages']:,} messages | |",
        f"| import (`import_all`) | {imp['seconds']:.1f} s: **{mb_tree / imp['seconds']:.1f} MB/s**, "
        f"**{imp['messages'] / imp['seconds']:,.0f} messages/s** | |",
        f"| raw sqlite3 executemany: sessions, messages, FTS and trigram rows | {raw['seconds']:.1f} s: "
        f"{mb_tree / raw['seconds']:.1f} MB/s, {raw['messages'] / raw['seconds']:,.0f} messages/s "
        "| baseline |",
        f"| import / raw throughput | **{ratio:.2f}x** | >= 0.4x {'✅' if ratio >= 0.4 else '❌'} |",
        f"| raw with every other row the import stores ({', '.join(EXTRA_TABLES)}) | "
        f"{raw['seconds_all']:.1f} s | |",
        f"| import / raw of every row | **{ratio_all:.2f}x** | >= 0.5x "
        f"{'✅' if ratio_all >= 0.5 else '❌'} |",
        f"| re-import, unchanged tree | {imp['again'] * 1000:.0f} ms = **{again_pct:.2f}%** of "
        f"the first import | <= 2% {'✅' if again_pct <= 2 else '❌'} |",
    ]
    if rss is not None:
        peak = rss["children_maxrss_kb"] / 1024
        parts = rss.get("peak_kb") or {}
        split = (
            f"; of which heap (RssAnon) {parts['RssAnon'] / 1024:.0f} MB and mapped files "
            f"(RssFile: SQLite mmap, libraries) {parts['RssFile'] / 1024:.0f} MB"
            if parts.get("RssAnon")
            else ""
        )
        rows.append(
            f"| peak RSS (ru_maxrss), one {rss['bytes'] / MB:,.0f} MB transcript, fresh process | "
            f"**{peak:.0f} MB**{split}; {rss['messages']:,} messages in {rss['seconds']:.1f} s, "
            f"{rss['bytes'] / MB / rss['seconds']:.1f} MB/s | <= 300 MB "
            f"{'✅' if peak <= 300 else '❌'} |"
        )
    else:
        rows.append(
            f"| peak RSS, one {rss_mb} MB transcript | not measured (--rss-mb 0) | <= 300 MB |"
        )
    return "\n".join(rows)


def write_section(body: str) -> None:
    """Replace (or append) this benchmark's section of RESULTS.md, leaving the others alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    section = [SECTION, "", *body.rstrip("\n").split("\n"), ""]
    if start is None:
        if lines and lines[-1] != "":
            lines.append("")
        lines += section
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        # hand-written analysis (a `### ` subsection) survives a re-run
        notes = next((i for i in range(start + 1, end) if lines[i].startswith("### ")), end)
        lines[start:end] = section + lines[notes:end]
    RESULTS.write_text("\n".join(lines).rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=500, help="size of the generated tree (MB)")
    parser.add_argument(
        "--rss-mb",
        type=int,
        default=500,
        help="size of the single transcript for the RSS test (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile the import (stderr)")
    parser.add_argument("--keep", action="store_true", help="keep the stores in bench/out/")
    parser.add_argument("--no-results", action="store_true", help="don't update RESULTS.md")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="import and baseline pairs, back to back; the medians are reported",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    command = "python bench/import.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    load_before = load()

    # RSS first: RUSAGE_CHILDREN is the max over every child so far, so measure before any other
    rss = None
    if args.rss_mb:
        path, made = big_file(args.rss_mb, args.seed)
        if made is not None:
            print(
                f"generated {path.stat().st_size / MB:,.0f} MB transcript in {made:.1f} s",
                file=sys.stderr,
            )
        rss = measure_rss(path, OUT / "import-rss.db")
        print(f"rss: {rss}", file=sys.stderr)

    root, made = tree(args.mb, args.seed)
    files, size = tree_bytes(root)
    if made is not None:
        print(
            f"generated {files:,} files, {size / MB:,.0f} MB in {made:.1f} s "
            f"({size / MB / made:.1f} MB/s)",
            file=sys.stderr,
        )
    imports, raws = [], []
    for _ in range(max(1, args.repeat)):  # pairs back to back: load changes hit both alike
        imp = measure_import(root, OUT / "import.db", args.profile)
        print(f"import: {imp}", file=sys.stderr)
        raw = measure_baseline(OUT / "import.db", OUT / "import-raw.db")
        print(f"raw: {raw}", file=sys.stderr)
        assert raw["messages"] == imp["messages"], (raw, imp)
        imports.append(imp)
        raws.append(raw)
    imp = sorted(imports, key=lambda r: r["seconds"])[len(imports) // 2]
    raw = sorted(raws, key=lambda r: r["seconds"])[len(raws) // 2]
    if len(imports) > 1:
        for key in ("seconds", "seconds_all"):
            ratios = sorted(r[key] / i["seconds"] for i, r in zip(imports, raws, strict=True))
            print(f"per-pair import/raw ({key}): {[round(x, 2) for x in ratios]}", file=sys.stderr)

    result = table(size / MB, imp, raw, rss, args.rss_mb)
    print(result)
    if not args.keep:
        for name in ("import.db", "import-raw.db", "import-rss.db"):
            fresh(OUT / name)
    if not args.no_results:
        write_section(
            f"Command: `{command.strip()}` (run from the repository root, {time.strftime('%Y-%m-%d')}).\n"
            f"Machine: {machine()}; load average (1/5/15 min) {load_before} at the start and "
            f"{load()} at the end (the machine is shared, so absolute figures are noisy; the "
            "import and its baseline run back to back).\n\n"
            "The tree is generated by `sessionscope.demo.transcripts` in Claude Code's on-disk format "
            "(cached in bench/out/; generation is not timed). The baseline inserts the rows the import "
            "stored (sessions, messages, FTS and trigram rows, projected before the clock runs) with "
            "raw `sqlite3` `executemany` into a fresh store with the same schema.\n\n" + result
        )


if __name__ == "__main__":
    main()
