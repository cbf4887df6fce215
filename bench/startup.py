"""Whole-process start-up of the CLI's common commands against `python -c "import sqlite3"`.

    python bench/startup.py                 # 21 alternating runs of each, on a small demo store
    python bench/startup.py --runs 41 --word error

Measured as users run it: every command is the installed `sessionscope` console script in a
fresh process, with bytecode compiled first: PYTHONPYCACHEPREFIX points at a temporary directory,
`python -m compileall` compiles the package into it, and one warm-up run of each command (with
bytecode writing on) compiles the standard-library and third-party modules it imports. The
baseline runs in the same loop, alternating with the commands, so load changes hit both alike.
Prints the median (and p90) of each, its ratio to the baseline, and the load average before
and after. Target (issue 17): `search WORD --json` at most 1.5x the baseline.

`floor` is the least any Python search can do on the same store: a script that connects, runs
one FTS5 query for WORD (bm25 order, 50 rows with FTS5's own snippets and the session columns,
no planning, re-ranking, sanitising or budget) and prints the rows with the standard `json`. No
`import re` either (the console script pip writes imports it before any of our code runs).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
PACKAGE = ROOT / "src" / "sessionscope"


def _store(sessions: int) -> Path:
    path = OUT / f"startup-{sessions}.db"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [BIN / "sessionscope", "demo", "--db", path, "--no-open", "--sessions", f"{sessions}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


FLOOR = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows = conn.execute(
    "SELECT m.id, m.session_id, m.seq, m.role, m.created_at, s.title, s.project, s.source,"
    " snippet(messages_fts, -1, '[', ']', '...', 14), f.rank FROM messages_fts f"
    " JOIN messages m ON m.id = f.rowid JOIN sessions s ON s.id = m.session_id"
    " WHERE messages_fts MATCH ? ORDER BY f.rank LIMIT 50",
    ('"' + sys.argv[2] + '"',),
).fetchall()
sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\\n")
"""


def print_setting(
    subject: str, load_before: tuple[float, ...], load_after: tuple[float, ...]
) -> None:
    """The machine, what was measured, how bytecode was compiled and the load around the runs."""
    import sqlite3

    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(subject)
    print("bytecode: compiled first (PYTHONPYCACHEPREFIX temp dir + compileall + warm-up run)")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*load_before))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*load_after))


def timed_run(cmd: list[str], env: dict[str, str]) -> float:
    """Seconds one run of `cmd` took, output discarded (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--word", default="error")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--only", default="", help="comma-separated command names")
    args = parser.parse_args()

    db = _store(args.sessions)
    tree = OUT / "startup-tree"  # an unchanged tree for `import`: the test fixtures, imported once
    if not tree.exists():
        shutil.copytree(ROOT / "tests" / "fixtures", tree)
    import sqlite3

    conn = sqlite3.connect(db)
    session_id = conn.execute("SELECT id FROM sessions ORDER BY started_at DESC LIMIT 1").fetchone()
    conn.close()
    import_db = OUT / "startup-import.db"

    sessionscope = str(BIN / "sessionscope")
    commands: dict[str, list[str]] = {
        "python -c 'import sqlite3'": [sys.executable, "-c", "import sqlite3"],
        f"search {args.word} --json": [
            sessionscope,
            "--db",
            str(db),
            "search",
            args.word,
            "--json",
        ],
        "floor (bare FTS5 query)": [
            sys.executable,
            "-c",
            FLOOR,
            str(db),
            args.word,
        ],
        "sessions --json": [sessionscope, "--db", str(db), "sessions", "--json"],
        "show ID": [sessionscope, "--db", str(db), "show", session_id[0]],
        "stats": [sessionscope, "--db", str(db), "stats"],
        "import (unchanged tree)": [
            sessionscope,
            "--db",
            str(import_db),
            "import",
            "claude-code",
            str(tree / "claude-code" / "projects"),
        ],
    }
    baseline = next(iter(commands))
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        if "search" in wanted:
            wanted.add("floor")  # the search's floor is measured beside it
        commands = {k: v for k, v in commands.items() if k == baseline or k.split()[0] in wanted}

    with tempfile.TemporaryDirectory(prefix="startup-pyc-") as pyc:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=pyc)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(PACKAGE)], env=env, check=True
        )
        for cmd in commands.values():  # warm-up: compiles what each imports, imports the tree
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # as on these machines: nothing more is written
        load_before = os.getloadavg()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed_run(cmd, env))
        load_after = os.getloadavg()

    print_setting(
        f"store: {db.name} ({db.stat().st_size / 1e6:.0f} MB), runs: {args.runs}, alternating",
        load_before,
        load_after,
    )
    base = statistics.median(times[baseline])
    print(f"{'command':32} {'median':>9} {'p90':>9} {'ratio':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        print(f"{name:32} {median * 1000:7.1f}ms {p90 * 1000:7.1f}ms {median / base:6.2f}x")


if __name__ == "__main__":
    main()
