"""Usage screen benchmark (issue 14): from pressing `u` to the chart and tables on screen, and
the three `Store.usage` queries behind it, on a big store.

    python bench/usage.py --db /work/bench-out/search-1000000.v8.db --runs 5

Open the store once with this version first (its migration adds the usage index); the runs then
open it read-only. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sessionscope import store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def queries(path: Path, runs: int, period: str) -> dict[str, float]:
    """Median ms of each usage query the screen makes."""
    out: dict[str, list[float]] = {"day": [], "model": [], "day+model+project": []}
    with store.open(path, readonly=True) as db:
        for _ in range(runs):
            for by in out:
                started = time.perf_counter()
                if "+" in by:
                    db.usage_report(tuple(by.split("+")), since=period)
                else:
                    db.usage(by=by, since=period)
                out[by].append((time.perf_counter() - started) * 1000)
    return {f"usage by {k} (ms, median)": round(statistics.median(v), 1) for k, v in out.items()}


async def screen(path: Path, runs: int) -> dict[str, float]:
    """Median ms from `u` to the usage screen showing its figures (Pilot, in process)."""
    from tui_support import make_app, wait_for_workers

    from sessionscope.tui.screens.usage import UsageScreen

    times: list[float] = []
    for _ in range(runs):
        app = make_app(path, readonly=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for_workers(pilot)
            started = time.perf_counter()
            await pilot.press("u")
            while not (isinstance(app.screen, UsageScreen) and app.screen.days):
                await asyncio.sleep(0.005)
            await pilot.pause()
            times.append((time.perf_counter() - started) * 1000)
    return {"u to the usage screen with figures (ms, median)": round(statistics.median(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--period", default="30d")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with store.open(args.db, readonly=True) as db:
        counts = db.counts()
    result: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}",
        "store": {"path": str(args.db), **counts},
        **queries(args.db, args.runs, args.period),
        **asyncio.run(screen(args.db, args.runs)),
        "load average before / after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
