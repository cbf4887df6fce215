"""Write throughput and per-append cost of the store, against raw sqlite3 in the same run.

    python bench/write.py [--messages 100000]

1. Bulk: `append_many` (batches of 1,000) vs a raw `sqlite3` `executemany` of the same rows into a
   fresh store with the same schema and the same FTS index (triggers included). Target >= 0.5x.
2. Growth: appending message 10,000 of a session vs appending message 10 (median of 200 appends
   around each point, each its own transaction). Target <= 1.5x.
3. Size: store bytes per byte of raw text held. Target <= 2.5x.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Corpus, raw_text_bytes

from sessionscope import store
from sessionscope.store import blocks

INSERT = (
    "INSERT INTO messages (id, session_id, seq, role, created_at, model, input_tokens,"
    " output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, external_id, blocks,"
    " metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_FTS = "INSERT INTO messages_fts (rowid, text, tools) VALUES (?, ?, ?)"


def store_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def bulk(sessions, workdir: Path) -> dict[str, float]:
    total = sum(len(m) for _, m in sessions)
    raw = sum(raw_text_bytes(m) for _, m in sessions)

    # raw sqlite3 executemany of the same rows into the same schema and FTS index; the JSON
    # and the searchable text are prepared before the clock starts (the most generous baseline)
    path = workdir / "raw.db"
    store.open(path).close()
    stamp = "2026-10-01T00:00:00.000Z"
    prepared = []
    next_id = 1
    for fields, messages in sessions:
        rows, fts = [], []
        for seq, m in enumerate(messages):
            content = blocks.normalize(m["content"])
            rows.append(
                (
                    next_id,
                    fields["id"],
                    seq,
                    m["role"],
                    stamp,
                    m.get("model"),
                    m.get("input_tokens", 0),
                    m.get("output_tokens", 0),
                    0,
                    0,
                    0.0,
                    None,
                    json.dumps(content, ensure_ascii=False, separators=(",", ":")),
                    None,
                )
            )
            fts.append((next_id, *blocks.project(content)))
            next_id += 1
        prepared.append((fields, rows, fts))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")
    start = time.perf_counter()
    for fields, rows, fts in prepared:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO sessions (id, source, title, project, started_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (fields["id"], fields["source"], fields["title"], fields["project"], stamp, stamp),
        )
        for offset in range(0, len(rows), 1000):
            conn.executemany(INSERT, rows[offset : offset + 1000])
            conn.executemany(INSERT_FTS, fts[offset : offset + 1000])
        conn.execute("COMMIT")
    raw_seconds = time.perf_counter() - start
    conn.close()

    path = workdir / "api.db"
    db = store.open(path)
    start = time.perf_counter()
    for fields, messages in sessions:
        sid = db.start_session(
            title=fields["title"],
            source=fields["source"],
            project=fields["project"],
            id=fields["id"],
        )
        for offset in range(0, len(messages), 1000):
            db.append_many(sid, messages[offset : offset + 1000])
    api_seconds = time.perf_counter() - start
    db._db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = store_bytes(path)
    db.close()
    return {
        "messages": total,
        "raw_mb": raw / 1e6,
        "raw_rate": total / raw_seconds,
        "api_rate": total / api_seconds,
        "ratio": raw_seconds / api_seconds,
        "store_mb": size / 1e6,
        "size_ratio": size / raw,
    }


def growth(workdir: Path, corpus: Corpus) -> dict[str, float]:
    db = store.open(workdir / "growth.db")
    sid = db.start_session(title="growth")
    messages = list(corpus.messages(10_210))
    times: list[float] = []
    for message in messages:
        start = time.perf_counter()
        db.append(
            sid, message["role"], message["content"], output_tokens=message.get("output_tokens", 0)
        )
        times.append(time.perf_counter() - start)
    db.close()
    early = statistics.median(times[0:210])  # the appends around message 10 (first 200)
    late = statistics.median(times[9_900:10_110])  # around message 10,000
    return {"early_ms": early * 1000, "late_ms": late * 1000, "ratio": late / early}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    corpus = Corpus(args.seed)
    sessions = list(corpus.sessions(args.messages))
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as tmp:
        b = bulk(sessions, Path(tmp))
        g = growth(Path(tmp), corpus)
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print("| metric | value | target |\n|---|---|---|")
    print(f"| messages written | {b['messages']:,} ({b['raw_mb']:.0f} MB of text) | |")
    print(f"| raw sqlite3 executemany | {b['raw_rate']:,.0f} msg/s | baseline |")
    print(f"| store.append_many | {b['api_rate']:,.0f} msg/s | |")
    print(f"| append_many / raw | {b['ratio']:.2f}x | >= 0.5x |")
    print(f"| append at message ~10 (median) | {g['early_ms']:.3f} ms | |")
    print(f"| append at message ~10,000 (median) | {g['late_ms']:.3f} ms | |")
    print(f"| append 10,000 / append 10 | {g['ratio']:.2f}x | <= 1.5x |")
    print(
        f"| store size / raw text | {b['store_mb']:.0f} MB / {b['raw_mb']:.0f} MB = {b['size_ratio']:.2f}x | <= 2.5x |"
    )


if __name__ == "__main__":
    main()
