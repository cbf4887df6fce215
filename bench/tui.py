"""Browser benchmarks (issue 4): first frame, opening huge sessions, keystroke-to-hits, RSS.

    python bench/tui.py                      # everything (stores are cached under bench/out/)
    python bench/tui.py --only frame,open    # some of it

- first frame: `sessionscope browse` on a 10,000-session store in a pseudo-terminal (120x36),
  from spawning the process (Python start-up and the Textual import included) to the first frame
  on the terminal, and to the first frame that shows the newest session's title.
- open: a 100,000-message session opened at its start, at message 50,000 and at its end (`G`),
  from the call to the frame that shows the target message (Pilot, in process).
- hits: keystroke to updated hits with 1,000,000 messages (Pilot: press a key in the search
  input, wait until the hits for that exact query are on screen); debounce included.
- rss: RSS growth from opening the 100,000-message session and moving around in it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import pty
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import time
from fcntl import ioctl
from pathlib import Path
from typing import Any

from corpus import Corpus

from sessionscope import store

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]


# -- stores ------------------------------------------------------------------------------------


def _checkpoint(db: store.Store) -> None:
    db._db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")


def sessions_store(count: int, seed: int = 7) -> Path:
    """`count` top-level sessions of 4-24 messages (a tenth with a subagent)."""
    path = OUT / f"tui-sessions-{count}.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for stale in OUT.glob(building.name + "*"):
        stale.unlink()
    corpus = Corpus(seed)
    started = time.perf_counter()
    with store.open(building) as db:
        for first in range(0, count, 250):
            with db.transaction():
                for number in range(first, min(count, first + 250)):
                    day = 1 + number * 28 // count
                    stamp = f"2026-09-{day:02d}T{number % 24:02d}:{number % 60:02d}:00Z"
                    sid = db.start_session(
                        id=f"s-{number:06d}",
                        title=corpus.vocab.sentence(corpus.rng.randint(3, 9))[:70],
                        source=corpus.rng.choice(("claude-code", "codex", "api")),
                        project=f"/home/dev/{corpus.rng.choice(('webapp', 'api', 'infra', 'ml'))}",
                        started_at=stamp,
                        updated_at=stamp,
                    )
                    db.append_many(sid, list(corpus.messages(corpus.rng.randint(4, 24))))
                    if number % 10 == 0:
                        child = db.start_session(
                            title="subagent of " + sid,
                            source="claude-code",
                            parent_session_id=sid,
                            started_at=stamp,
                            updated_at=stamp,
                        )
                        db.append_many(child, list(corpus.messages(4)))
        _checkpoint(db)
    building.rename(path)
    print(f"built {count:,} sessions in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def long_store(messages: int, seed: int = 11) -> tuple[Path, str]:
    """One session of `messages` messages (plus a small one beside it)."""
    path = OUT / f"tui-long-{messages}.db"
    sid = "long-session"
    if path.exists():
        return path, sid
    OUT.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for stale in OUT.glob(building.name + "*"):
        stale.unlink()
    corpus = Corpus(seed)
    started = time.perf_counter()
    with store.open(building) as db:
        db.start_session(id=sid, title="a very long session", source="api", project="/home/dev/big")
        batch: list[dict[str, Any]] = []
        for message in corpus.messages(messages):
            batch.append(message)
            if len(batch) == 5000:
                db.append_many(sid, batch)
                batch = []
        if batch:
            db.append_many(sid, batch)
        small = db.start_session(title="a short one", source="api")
        db.append_many(small, list(corpus.messages(10)))
        _checkpoint(db)
    building.rename(path)
    print(
        f"built a {messages:,}-message session in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return path, sid


def million_store(messages: int, seed: int = 42) -> Path:
    """The search benchmark's store when it is there (same corpus), else one built here."""
    shared = OUT / f"search-{messages}.db"
    if shared.exists():
        return shared
    path = OUT / f"tui-search-{messages}.db"
    if path.exists():
        return path
    building = path.with_suffix(".building")
    for stale in OUT.glob(building.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    with store.open(building) as db:
        for fields, batch in Corpus(seed).sessions(messages):
            sid = db.start_session(
                id=fields["id"],
                title=fields["title"],
                source=fields["source"],
                project=fields["project"],
            )
            for offset in range(0, len(batch), 5000):
                db.append_many(sid, batch[offset : offset + 5000])
        _checkpoint(db)
    building.rename(path)
    print(f"built {messages:,} messages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


# -- helpers -----------------------------------------------------------------------------------


def rss_mb() -> dict[str, float]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile"):
            values[name] = int(rest.split()[0]) / 1024
    return values


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def next_frame(widget: Any) -> None:
    """Wait until the screen has been refreshed (a frame drawn) after this point."""
    future = asyncio.get_running_loop().create_future()
    widget.call_after_refresh(lambda: future.done() or future.set_result(None))
    await future


async def until(pilot: Any, predicate: Any, timeout: float = 30.0) -> float:
    """Seconds until `predicate()` holds, polling the event loop every millisecond."""
    started = time.perf_counter()
    while not predicate():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("condition never held")
        await asyncio.sleep(0.001)
    return time.perf_counter() - started


# -- first frame -------------------------------------------------------------------------------


BARE_APP = """
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("Bare label drawn")

Bare().run()
"""


def _spawn_until(cmd: list[str], env: dict[str, str], needles: list[bytes]) -> list[float]:
    """Run `cmd` in a 120x36 pseudo-terminal: seconds until each of `needles` has appeared."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    started = time.perf_counter()
    child = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(slave)
    seen = b""
    found: list[float | None] = [None] * len(needles)
    try:
        while found[-1] is None and time.perf_counter() - started < 30:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            seen += chunk
            now = time.perf_counter() - started
            for i in range(len(needles)):
                if found[i] is None and all(n in seen for n in needles[: i + 1]):
                    found[i] = now
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=10)
        os.close(master)
    if any(t is None for t in found):
        raise RuntimeError("no frame seen: " + seen[-400:].decode(errors="replace"))
    return [t for t in found if t is not None]


def first_frame(path: Path, runs: int) -> dict[str, Any]:
    """Spawn `sessionscope browse` in a 120x36 pseudo-terminal; time the first frames, against
    a bare Textual app drawing one label, spawned alternately in the same run.

    Bytecode is compiled first (PYTHONPYCACHEPREFIX in a temporary directory, compileall of the
    package, one warm-up run of each with bytecode writing on), as a user's install has it."""
    import tempfile

    with store.open(path, readonly=True) as db:
        newest = db.sessions(limit=1, top_level=True)[0].title or ""
    needle = newest[:20].encode()
    browse = [sys.executable, "-m", "sessionscope", "--db", str(path), "browse"]
    bare = [sys.executable, "-c", BARE_APP]
    shell_times, data_times, bare_times = [], [], []
    with tempfile.TemporaryDirectory(prefix="tui-pyc-") as pyc:
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        env.pop("NO_COLOR", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pyc
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "sessionscope")],
            env=env,
            check=True,
        )
        _spawn_until(browse, env, [b"Sessions", needle])  # warm-up: compiles the rest
        _spawn_until(bare, env, [b"Bare label drawn"])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        load_before = os.getloadavg()
        for _ in range(runs):
            shell, data = _spawn_until(browse, env, [b"Sessions", needle])
            shell_times.append(shell)
            data_times.append(data)
            bare_times.append(_spawn_until(bare, env, [b"Bare label drawn"])[0])
        load_after = os.getloadavg()
    base = statistics.median(bare_times)
    return {
        "first frame (median s)": round(statistics.median(shell_times), 3),
        "first frame with the newest session (median s)": round(statistics.median(data_times), 3),
        "bare Textual app, one label (median s)": round(base, 3),
        "ratio: newest session / bare app": round(statistics.median(data_times) / base, 2),
        "runs": runs,
        "all (s)": [round(t, 3) for t in data_times],
        "bare (s)": [round(t, 3) for t in bare_times],
        "load before/after": [round(load_before[0], 2), round(load_after[0], 2)],
        "bytecode": "compiled first (PYTHONPYCACHEPREFIX temp dir + compileall + warm-up)",
    }


# -- opening a huge session ----------------------------------------------------------------------


async def open_long(path: Path, sid: str, runs: int) -> dict[str, Any]:
    from sessionscope.tui import create_app
    from sessionscope.tui.widgets.transcript import Transcript

    app = create_app(str(path))
    results: dict[str, list[float]] = {"start": [], "message 50,000": [], "end (G)": []}
    rss: dict[str, Any] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        transcript = app.screen.query_one(Transcript)
        gc.collect()
        before = rss_mb()

        def shows(seq: int) -> Any:
            def check() -> bool:
                rendered = transcript.window.rendered.get(seq)
                if rendered is None or transcript.session_id != sid:
                    return False
                top, _line = transcript.window.heights.locate(round(transcript.scroll_y))
                bottom, _ = transcript.window.heights.locate(
                    round(transcript.scroll_y) + transcript.view_height - 1
                )
                return top <= seq <= bottom and not app._batch_count

            return check

        for _ in range(runs):
            await settle(pilot)
            transcript.close_session()
            await settle(pilot)
            started = time.perf_counter()
            transcript.open(sid)
            await until(pilot, shows(0))
            await next_frame(transcript)
            results["start"].append(time.perf_counter() - started)

            transcript.close_session()
            await settle(pilot)
            started = time.perf_counter()
            transcript.open(sid, seq=50_000)
            await until(pilot, shows(50_000))
            await next_frame(transcript)
            results["message 50,000"].append(time.perf_counter() - started)

            transcript.focus()
            await settle(pilot)
            started = time.perf_counter()
            transcript.action_go_end()  # what the G key runs (Pilot's own key dispatch not timed)
            await until(pilot, shows(transcript.total - 1))
            await next_frame(transcript)
            results["end (G)"].append(time.perf_counter() - started)
        # move around like a reader, then measure memory
        for seq in (10_000, 20_000, 75_000, 99_000, 0):
            transcript.go_to(seq)
            await settle(pilot)
            await pilot.press("pagedown", "pagedown", "t", "pagedown", "t")
            await settle(pilot)
        gc.collect()
        after = rss_mb()
        rss = {
            "VmRSS before (MB)": round(before["VmRSS"], 1),
            "VmRSS after (MB)": round(after["VmRSS"], 1),
            "growth (MB)": round(after["VmRSS"] - before["VmRSS"], 1),
            "anonymous growth (MB)": round(after["RssAnon"] - before["RssAnon"], 1),
            "file-backed growth (MB, SQLite mmap of the store)": round(
                after["RssFile"] - before["RssFile"], 1
            ),
            "messages held": len(transcript.window.messages),
            "messages rendered": len(transcript.window.rendered),
        }
    return {
        "open (median s)": {k: round(statistics.median(v), 4) for k, v in results.items()},
        "open (max s)": {k: round(max(v), 4) for k, v in results.items()},
        "runs": runs,
        "rss": rss,
    }


# -- keystroke to hits -------------------------------------------------------------------------


async def keystroke_to_hits(path: Path, queries: list[str]) -> dict[str, Any]:
    """Type each query a key at a time; for every key, the time from the key event to the
    frame that shows the hits of the text typed so far (the debounce included)."""
    from sessionscope.tui import create_app
    from sessionscope.tui.widgets.search_pane import DEBOUNCE, HitList, SearchPane

    drawn: dict[int, float] = {}  # generation -> when the frame showing its hits was drawn
    original = SearchPane.on_hits_loaded

    def on_hits_loaded(self: SearchPane, message: Any) -> None:
        original(self, message)
        if message.offset == 0 and self._shown == message.generation:
            generation = message.generation
            self.query_one(HitList).call_after_refresh(
                lambda: drawn.setdefault(generation, time.perf_counter())
            )

    SearchPane.on_hits_loaded = on_hits_loaded  # type: ignore[method-assign]
    app = create_app(str(path), readonly=True)
    latencies: list[float] = []
    searches: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        pane = app.screen.query_one(SearchPane)
        for q in queries[:3]:  # warm the page cache
            app.main.db.search(q, limit=50)
        for query in queries:
            pane.query_one("#search-input").value = ""
            await settle(pilot)
            for char in query:
                started = time.perf_counter()
                await pilot.press(char if char != " " else "space")
                generation = pane._generation
                await until(pilot, lambda g=generation: g in drawn)
                latencies.append(drawn[generation] - started)
                if pane.last_elapsed is not None:
                    searches.append(pane.last_elapsed)
                await asyncio.sleep(0.15)  # a person types about 6 keys a second
    SearchPane.on_hits_loaded = original  # type: ignore[method-assign]
    return {
        "keystrokes": len(latencies),
        "keystroke to hits on screen, median (ms)": round(statistics.median(latencies) * 1000, 1),
        "p90 (ms)": round(percentile(latencies, 0.9) * 1000, 1),
        "max (ms)": round(max(latencies) * 1000, 1),
        "of which the query (worker thread), median (ms)": round(
            statistics.median(searches) * 1000, 1
        ),
        "query p90 (ms)": round(percentile(searches, 0.9) * 1000, 1),
        "debounce (ms)": round(DEBOUNCE * 1000),
    }


# -- main --------------------------------------------------------------------------------------


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, `{platform.platform()}`, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f} at the start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", default="frame,open,hits", help="frame, open, hits (comma-separated)"
    )
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--long", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chosen = set(args.only.split(","))
    report: dict[str, Any] = {"machine": machine()}
    if "frame" in chosen:
        path = sessions_store(args.sessions)
        report[f"first frame, {args.sessions:,} sessions"] = first_frame(path, args.runs)
        print(json.dumps(report, indent=2), file=sys.stderr)
    if "open" in chosen:
        path, sid = long_store(args.long)
        report[f"open a {args.long:,}-message session"] = asyncio.run(
            open_long(path, sid, args.runs)
        )
        print(json.dumps(report, indent=2), file=sys.stderr)
    if "hits" in chosen:
        path = million_store(args.messages)
        queries = [
            "rate limit",
            "timeout error",
            "database migration",
            "login password",
            "traceback assert",
        ]
        report[f"keystroke to hits, {args.messages:,} messages"] = asyncio.run(
            keystroke_to_hits(path, queries)
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
