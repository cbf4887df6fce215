"""Whole-process re-import of an unchanged tree against the whole-process first import.

    python bench/reimport.py --mb 100 --runs 11
    python bench/reimport.py --mb 500 --runs 11

What a hook or the bare `sessionscope` command pays when nothing changed: the installed
`sessionscope` console script in a fresh process, `import claude-code TREE`, on the Claude Code
tree `bench/import.py` generates (the same cache in bench/out/). The first import of the tree
into a fresh store is timed once per round, whole process, then `--runs` re-imports of the
unchanged tree (median); each round alternates with `python -c "import sqlite3"` for scale.
Bytecode is compiled first (PYTHONPYCACHEPREFIX in a temporary directory, compileall, one
warm-up run with bytecode writing on), as a user's install has it. Target (issue 17): the
re-import at most 1% of the first import.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from startup import print_setting, timed_run

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PACKAGE = HERE.parent / "src" / "sessionscope"


def _tree(mb: int, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location("import_bench", HERE / "import.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root, _made = module.tree(mb, seed)
    return Path(root)


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=11, help="re-imports per round")
    parser.add_argument("--rounds", type=int, default=2, help="first imports")
    args = parser.parse_args()
    root = _tree(args.mb, args.seed)
    files = sum(1 for _ in root.rglob("*.jsonl"))
    size = sum(p.stat().st_size for p in root.rglob("*.jsonl"))
    with tempfile.TemporaryDirectory(prefix="reimport-") as work:
        db = Path(work) / "store.db"
        pyc = Path(work) / "pyc"
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(pyc))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("SESSIONSCOPE_DB", None)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(PACKAGE)], env=env, check=True
        )
        command = [str(BIN / "sessionscope"), "--db", str(db), "import", "claude-code", str(root)]
        baseline = [sys.executable, "-c", "import sqlite3"]
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)  # warm-up
        subprocess.run(baseline, env=env, check=True)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        load_before = os.getloadavg()
        firsts: list[float] = []
        agains: list[float] = []
        bases: list[float] = []
        for _ in range(max(1, args.rounds)):
            _fresh(db)
            firsts.append(timed_run(command, env))
            for _ in range(args.runs):
                agains.append(timed_run(command, env))
                bases.append(timed_run(baseline, env))
        load_after = os.getloadavg()
    first = statistics.median(firsts)
    again = statistics.median(agains)
    base = statistics.median(bases)
    print_setting(
        f"tree: {files:,} files, {size / 1e6:,.0f} MB (bench/import.py --mb {args.mb})",
        load_before,
        load_after,
    )
    print(f"first import, whole process: {first:.2f} s (each: {[round(f, 2) for f in firsts]})")
    print(f"re-import, unchanged, whole process: {again * 1000:.1f} ms (median of {len(agains)})")
    print(f"python -c 'import sqlite3' (alternating): {base * 1000:.1f} ms")
    print(f"re-import / first import: {again / first:.2%} (target <= 1%)")


if __name__ == "__main__":
    main()
