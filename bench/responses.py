"""Response times of the browser's everyday actions on the demo store (issue 12 item 9).

    python bench/responses.py                          # 7 runs of each, this tree
    python bench/responses.py --runs 7 --baseline-src /tmp/base/src   # and another tree's
                                                       # `src/`, alternating, in the same run

Each action runs in a fresh app (Pilot, 120x36, animations at Textual's default, the demo
store), after the state it needs has settled; the time is from the key press to the screen
settled: the condition the action is for holds (the pane open, the list reloaded, the hit's
session opened...), no worker is pending or running and the message queues are empty. `q to
the shell` is the real console command in a pseudo-terminal: from writing `q` to the process
having exited (the terminal restored), against a bare Textual app that quits on `q`.

The runs alternate between the trees (and the bare app), so load changes hit both alike. Each
tree runs in its own process with `PYTHONPATH` set to its `src/`; bytecode is compiled first
(PYTHONPYCACHEPREFIX in a temporary directory, compileall, one warm-up run with bytecode writing
on). Prints medians, p90 and the load average before and after.

Each in-app action is also given `-- to the last frame`: from the key press to the end of the
last screen update before the screen settled, which is when a person sees the result. The gap
between the two is the Pilot's own waiting (each `press` waits for two idle 20 ms windows, the
settle check for one more); `a key bound to nothing` measures that floor alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent

ACTIONS = [
    "search pane, first time (/)",
    "Enter on a hit",
    "Escape from the hits to the list",
    "f project:webapp since:7d (Enter)",
    "sort by tokens (s)",
    "ctrl+p palette, one more keystroke",
    "a key bound to nothing (f9): the Pilot's own wait",
]
QUIT = "q to the shell prompt"
FRAME = " -- to the last frame"
_frames: list[float] = []  # when each screen update (a frame) finished, in this process


# -- in the child process: one run of every action ------------------------------------------------


async def _settled(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    """Until `condition()` holds, no worker is pending or running, and the queues are empty."""
    from textual.worker import WorkerState

    app = pilot.app
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        if not busy and condition():
            await pilot.pause()
            if condition():
                return
        await asyncio.sleep(0.002)
    raise TimeoutError("the screen did not settle")


def _track_frames() -> None:
    """Note when each screen update ends: the last one before the screen settled is the frame
    a person sees the action's result in (the Pilot's idle detection after it is not)."""
    from textual.screen import Screen

    original = Screen._compositor_refresh
    if getattr(original, "tracked", False):
        return

    def tracked(self: Any) -> None:
        original(self)
        _frames.append(time.perf_counter())

    tracked.tracked = True  # type: ignore[attr-defined]
    Screen._compositor_refresh = tracked  # type: ignore[method-assign]


async def _timed(pilot: Any, keys: list[str], condition: Any) -> tuple[float, float]:
    """Seconds from the key press to the screen settled, and to the last frame drawn."""
    _frames.clear()
    started = time.perf_counter()
    await pilot.press(*keys)
    await _settled(pilot, condition)
    settled = time.perf_counter()
    last = max((t for t in _frames if t <= settled), default=started)
    return settled - started, last - started


async def _one(db: str, action: str) -> tuple[float, float]:
    from sessionscope.tui import create_app
    from sessionscope.tui.widgets.search_pane import HitList, SearchPane
    from sessionscope.tui.widgets.session_list import SessionList
    from sessionscope.tui.widgets.transcript import Transcript

    _track_frames()
    app = create_app(db, config_path=None)
    async with app.run_test(size=(120, 36)) as pilot:
        sessions = app.screen.query_one(SessionList)

        def listed() -> bool:
            return bool(
                sessions.loaded
                and not sessions._pending
                and sessions._pages_generation == sessions._generation
            )

        await _settled(pilot, listed)
        pane = app.screen.query_one(SearchPane)
        hits = app.screen.query_one(HitList)

        async def search_hits() -> None:
            await pilot.press("slash")
            await _settled(pilot, lambda: pane.display)
            await pilot.press(*"error")
            await _settled(pilot, lambda: bool(hits.hits))
            await pilot.press("down")
            await _settled(pilot, lambda: app.focused is hits)

        if action == ACTIONS[0]:
            return await _timed(
                pilot, ["slash"], lambda: pane.display and app.focused is not sessions
            )
        if action == ACTIONS[1]:
            await search_hits()
            transcript = app.screen.query_one(Transcript)
            want = hits.hits[hits.cursor].session_id
            return await _timed(
                pilot, ["enter"], lambda: transcript.session_id == want and transcript.total > 0
            )
        if action == ACTIONS[2]:
            await search_hits()
            return await _timed(
                pilot, ["escape"], lambda: not pane.display and app.focused is sessions
            )
        if action == ACTIONS[3]:
            await pilot.press("f", *"project:webapp since:7d")
            await _settled(pilot, lambda: True)
            before = sessions._generation
            return await _timed(
                pilot, ["enter"], lambda: sessions._generation > before and listed()
            )
        if action == ACTIONS[4]:
            return await _timed(pilot, ["s"], lambda: sessions.order == "tokens" and listed())
        if action == ACTIONS[5]:
            from textual.command import CommandList, CommandPalette

            await pilot.press("ctrl+p")
            await _settled(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*"webap")
            await _settled(pilot, lambda: True)
            palette = app.screen
            return await _timed(
                pilot,
                ["p"],
                lambda: palette.query_one(CommandList).option_count > 0 and not palette._show_busy,  # type: ignore[attr-defined]
            )
        if action == ACTIONS[6]:
            return await _timed(pilot, ["f9"], lambda: True)
    raise ValueError(action)


def child(db: str, actions: list[str]) -> None:
    """One run of each action, as JSON on stdout."""
    out = {}
    for action in actions:
        out[action], out[action + FRAME] = asyncio.run(_one(db, action))
    print(json.dumps(out))


# -- q to the shell prompt: a real terminal --------------------------------------------------------

BARE_QUIT = """
from textual.app import App
from textual.widgets import Label

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]
    def compose(self):
        yield Label("Bare label drawn")

Bare().run()
"""


def _quit_time(cmd: list[str], env: dict[str, str], needle: bytes) -> float:
    """Start `cmd` in a 120x36 pseudo-terminal, wait for `needle`, type q: seconds to exit."""
    import pty
    import struct
    import termios
    from fcntl import ioctl

    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    child_proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        start = time.perf_counter()
        while needle not in seen and time.perf_counter() - start < 30:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                seen += os.read(master, 1 << 16)
        if needle not in seen:
            raise RuntimeError("no frame: " + seen[-300:].decode(errors="replace"))
        time.sleep(0.3)  # let the start-up work finish (the stats, the watcher's first poll)
        while select.select([master], [], [], 0.05)[0]:
            os.read(master, 1 << 16)
        started = time.perf_counter()
        os.write(master, b"q")
        while child_proc.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                try:
                    os.read(master, 1 << 16)
                except OSError:
                    pass
        return time.perf_counter() - started
    finally:
        if child_proc.poll() is None:
            os.killpg(child_proc.pid, signal.SIGTERM)
            child_proc.wait(timeout=10)
        os.close(master)


# -- the parent: alternate trees, report ---------------------------------------------------------


def _demo_store() -> Path:
    path = OUT / "responses-demo.db"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [BIN / "sessionscope", "demo", "--db", path, "--no-open"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-src", default="", help="another tree's src/ to compare")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--only", default="", help="comma-separated action numbers (1-8)")
    args = parser.parse_args()
    if args.child:
        child(args.child, json.loads(os.environ["RESPONSES_ACTIONS"]))
        return
    chosen = [*ACTIONS, QUIT]
    if args.only:
        chosen = [chosen[int(i) - 1] for i in args.only.split(",")]
    db = _demo_store()
    trees = {"this tree": str(ROOT / "src")}
    if args.baseline_src:
        trees = {"baseline": str(Path(args.baseline_src).resolve()), **trees}
    times: dict[str, dict[str, list[float]]] = {t: {a: [] for a in chosen} for t in trees}
    bare_quit: list[float] = []
    in_app = [a for a in chosen if a != QUIT]
    with tempfile.TemporaryDirectory(prefix="responses-pyc-") as pyc:
        base_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        base_env.pop("TEXTUAL_ANIMATIONS", None)
        base_env["PYTHONPYCACHEPREFIX"] = pyc
        base_env["RESPONSES_ACTIONS"] = json.dumps(in_app)
        envs = {}
        for tree, src in trees.items():
            env = {**base_env, "PYTHONPATH": src, "SESSIONSCOPE_DB": str(db)}
            subprocess.run([sys.executable, "-m", "compileall", "-q", src], env=env, check=True)
            envs[tree] = env
        browse = [sys.executable, "-m", "sessionscope", "--db", str(db), "browse"]
        bare = [sys.executable, "-c", BARE_QUIT]
        for env in envs.values():  # warm-up, writing bytecode
            if in_app:
                subprocess.run(
                    [sys.executable, __file__, "--child", str(db)],
                    env=env,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            if QUIT in chosen:
                _quit_time(browse, env, b"Sessions")
        if QUIT in chosen:
            _quit_time(bare, base_env, b"Bare label drawn")
        for env in envs.values():
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        base_env["PYTHONDONTWRITEBYTECODE"] = "1"
        load_before = os.getloadavg()
        for _ in range(args.runs):
            for tree, env in envs.items():
                if in_app:
                    result = subprocess.run(
                        [sys.executable, __file__, "--child", str(db)],
                        env=env,
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    for action, value in json.loads(result.stdout.splitlines()[-1]).items():
                        times[tree].setdefault(action, []).append(value)
                if QUIT in chosen:
                    times[tree][QUIT].append(_quit_time(browse, env, b"Sessions"))
            if QUIT in chosen:
                bare_quit.append(_quit_time(bare, base_env, b"Bare label drawn"))
        load_after = os.getloadavg()
    import sqlite3

    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "store": f"{db.name} ({db.stat().st_size / 1e6:.0f} MB)",
        "runs": args.runs,
        "load average before": [round(x, 2) for x in load_before],
        "load average after": [round(x, 2) for x in load_after],
        "trees": trees,
    }
    for tree in trees:
        report[tree] = {action: _summary(values) for action, values in times[tree].items()}
    if bare_quit:
        report["bare Textual app, q to the shell"] = _summary(bare_quit)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
