"""Issue 6.3: hostile input never crashes sessionscope, never loses or damages the store.

- Any text (all of Unicode, lone surrogates, NUL, controls, 10 MB) given to `append` is stored and
  read back equal, or refused with `InvalidInput`; `search` never raises on any query.
- Arbitrary bytes as transcript lines: the importers never crash, report each bad line, and import
  everything else exactly as without them.
- A corrupt store file (random bytes, a truncated store, a text file, someone else's SQLite file)
  gives a one-line error and a non-zero exit from every CLI command, and stays byte-for-byte as it
  was.
- A store on a read-only path opens for reading; writes raise `StoreReadOnly`.
- Disk-full and permission errors in the middle of an import report clearly and leave the store
  exactly as it was before the failing transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reliability_support import ROOT, cli, diff_dumps, dump

from sessionscope import store
from sessionscope.cli import cli as cli_group
from sessionscope.importers import import_all, import_source, incremental

FIXTURES = Path(__file__).parents[1] / "fixtures"
CLAUDE_FILE = "claude-code/projects/-home-dev-webapp/0e9d4c7a-61b2-4c3e-8f5a-2b6d8e1f4a02.jsonl"
CLAUDE_FILE_C = (
    "claude-code/projects/-home-dev-data-pipeline/c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03.jsonl"
)
CODEX_FILE = "codex/sessions/2026/10/05/rollout-2026-10-05T14-02-11-0199b1c2-7d4e-7a10-9f3b-5c8e2d1a6b04.jsonl"

# -- strategies -----------------------------------------------------------------------------------

# every code point, surrogates included, with the nastiest ones drawn often
NASTY = [
    "\x00",
    "\ud800",
    "\udfff",
    "\ud83d",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\x85",
    "\u2028",
    "\U0010ffff",
    "\ufffd",
    '"',
    "\\",
    "*",
    "NEAR(",
    "顧客",
    "😀",
    "e\u0301",
    "[@click=app.quit]",
]
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.lists(st.sampled_from(NASTY) | st.text(ANY_CHAR, max_size=12), max_size=12).map(
    "".join
)
SHORT_TEXT = st.text(ANY_CHAR, max_size=10) | st.sampled_from(NASTY)
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | SHORT_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT_TEXT, inner, max_size=3),
    max_leaves=8,
)
BLOCK = st.one_of(
    st.builds(lambda t: {"type": "text", "text": t}, ANY_TEXT),
    st.builds(lambda t: {"type": "thinking", "thinking": t, "signature": "s"}, ANY_TEXT),
    st.builds(
        lambda i, n, inp: {"type": "tool_use", "id": i, "name": n, "input": inp},
        SHORT_TEXT,
        SHORT_TEXT,
        st.dictionaries(SHORT_TEXT, JSON_VALUE, max_size=3),
    ),
    st.builds(
        lambda i, c, e: {"type": "tool_result", "tool_use_id": i, "content": c, "is_error": e},
        SHORT_TEXT,
        ANY_TEXT | st.lists(st.builds(lambda t: {"type": "text", "text": t}, ANY_TEXT), max_size=2),
        st.booleans(),
    ),
    st.builds(
        lambda d: {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": d},
        },
        SHORT_TEXT,
    ),
    st.builds(
        lambda k, extra: {**extra, "type": k},
        SHORT_TEXT,
        st.dictionaries(SHORT_TEXT, JSON_VALUE, max_size=2),
    ),
)
CONTENT = ANY_TEXT | st.lists(BLOCK, max_size=4)
QUERY_PARTS = st.sampled_from(
    [
        '"',
        "'",
        "(",
        ")",
        "*",
        "-",
        "^",
        ":",
        "OR",
        "AND",
        "NOT",
        "NEAR",
        "role:",
        "tool:",
        "since:",
        "until:2026",
        "session:",
        "in:tools",
        "is:error",
        "project:",
        "source:codex",
        "{text}",
        "\\",
        "%",
        "_",
    ]
)
QUERY = st.lists(QUERY_PARTS | ANY_TEXT, max_size=8).map(" ".join) | ANY_TEXT
ROLES = st.sampled_from(["user", "assistant", "system", "tool"])

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _no_controls(text: str) -> bool:
    return not _CONTROL.search(text) and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


# -- append and search ----------------------------------------------------------------------------


def test_append_stores_any_content_exactly_or_refuses_it(db: store.Store) -> None:
    sid = db.start_session(title="hostile", source="api")
    stored = refused = 0

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        role=ROLES,
        content=CONTENT,
        model=st.none() | SHORT_TEXT,
        external_id=st.none() | SHORT_TEXT,
        metadata=st.none() | st.dictionaries(SHORT_TEXT, JSON_VALUE, max_size=3),
    )
    def check(
        role: str,
        content: Any,
        model: str | None,
        external_id: str | None,
        metadata: dict[str, Any] | None,
    ) -> None:
        nonlocal stored, refused
        before = db.message_count(sid)
        if external_id is not None:
            external_id = f"{before}:{external_id}"  # unique: this test is not about dedup
        try:
            seq = db.append(
                sid, role, content, model=model, external_id=external_id, metadata=metadata
            )
        except store.InvalidInput as exc:
            assert str(exc)
            assert db.message_count(sid) == before  # nothing half-written
            refused += 1
            return
        assert seq == before
        (message,) = db.messages(sid, seq, seq + 1)
        want = [{"type": "text", "text": content}] if isinstance(content, str) else content
        assert message.blocks == want
        assert message.role == role
        assert message.model == model
        assert message.external_id == external_id
        assert message.metadata == (metadata or {})
        stored += 1

    check()
    assert stored > 100 and refused > 0  # surrogates in ids/models are refused, content is kept
    session = db.load(sid)
    assert session is not None and session.message_count == stored
    assert [m.seq for m in session.messages] == list(range(stored))
    assert db.check(full=True) == []


def test_search_never_raises_and_finds_words_among_hostile_text(db: store.Store) -> None:
    sid = db.start_session(title="hostile \x1b[2J title \u202e", project="/p\x00q")
    markers = 0

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        before=ANY_TEXT,
        after=ANY_TEXT,
        query=QUERY,
        order=st.sampled_from(["rank", "time", "seq"]),
        limit=st.integers(-5, 100_000),
        offset=st.integers(-5, 100),
        session=st.none() | st.just(sid) | SHORT_TEXT,
    )
    def check(
        before: str,
        after: str,
        query: str,
        order: str,
        limit: int,
        offset: int,
        session: str | None,
    ) -> None:
        nonlocal markers
        marker = f"zq{markers}marker"
        try:
            seq = db.append(sid, "user", f"{before} {marker} {after}")
        except store.InvalidInput:  # a surrogate pair split in two code points is refused
            assume(False)
        markers += 1
        found = db.search(marker, limit=5)
        assert [(h.session_id, h.seq) for h in found] == [(sid, seq)]
        hits = db.search(query, limit=limit, offset=offset, order=order, session_id=session)
        assert isinstance(hits, list)
        for hit in hits[:20]:
            assert isinstance(hit, store.Hit)
            assert "\n" not in hit.snippet and _no_controls(hit.snippet)
            assert all(0 <= a <= b <= len(hit.snippet) for a, b in hit.highlights)

    check()
    assert db.check(full=True) == []


def _ten_mb(rng: random.Random, marker: str) -> str:
    palette = [
        "lorem",
        "ipsum",
        "顧客データ",
        "مرحبا",
        "😀",
        "\x00",
        "\ud800",
        "\udc00",
        "\x1b[0m",
        "\u202e",
        "\u200b",
        "e\u0301",
        "\t",
        "\n",
        "{}",
        '"',
        "\\",
    ]
    chunk = " ".join(rng.choice(palette) for _ in range(4000))
    parts: list[str] = []
    size = 0
    while size < 10_000_000:
        piece = chunk[rng.randrange(len(chunk) // 2) :]
        parts.append(piece)
        size += len(piece)
    parts.insert(len(parts) // 2, f" {marker} ")
    return "".join(parts)


def test_ten_megabyte_messages_round_trip_and_are_searchable(db: store.Store) -> None:
    rng = random.Random(10)
    text = _ten_mb(rng, "needle10mb")
    assert len(text) > 10_000_000
    sid = db.start_session(title="big")
    seq = db.append(sid, "assistant", text)
    seqs = db.append_many(
        sid,
        [
            {
                "role": "tool",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": text.replace("needle10mb", "haystack10mb"),
                    }
                ],
            },
            {"role": "user", "content": "small one after"},
        ],
    )
    assert [seq, *seqs] == [0, 1, 2]
    messages = db.messages(sid)
    assert messages[0].blocks == [{"type": "text", "text": text}]
    assert messages[1].blocks[0]["content"] == text.replace("needle10mb", "haystack10mb")
    assert [(h.seq, h.role) for h in db.search("needle10mb")] == [(0, "assistant")]
    assert [h.seq for h in db.search("haystack10mb")] == [1]
    assert db.search(text[:1000]) is not None  # a huge query is just a query
    assert db.check(full=True) == []


# -- importers: arbitrary bytes as transcript lines -----------------------------------------------

GARBAGE_LINE = st.binary(min_size=1, max_size=120).filter(lambda b: b"\n" not in b)


def _is_bad(raw: bytes) -> bool:
    """A line the importer must report: not blank and not a JSON object."""
    body = raw.removesuffix(b"\r").removeprefix(b"\xef\xbb\xbf")
    if not body.strip():
        return False
    try:
        return not isinstance(json.loads(body.decode("utf-8", "replace")), dict)
    except (ValueError, RecursionError):
        return True


def _import_one(path: Path, source: str) -> tuple[dict[str, Any], Any]:
    with store.open(":memory:") as mem:
        report = import_source(mem, source, path)
        return dump(mem), report


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        (CLAUDE_FILE, "claude-code"),
        (CLAUDE_FILE_C, "claude-code"),
        (CODEX_FILE, "codex"),
    ],
)
def test_garbage_lines_are_reported_and_everything_else_imported(
    fixture_tree: Path, relative: str, source: str
) -> None:
    path = fixture_tree / relative
    original = path.read_bytes()
    lines = original.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    want, clean_report = _import_one(path, source)
    known_bad = [n for _, n, _ in clean_report.skipped_lines]
    assert want["sessions"]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        inserts=st.lists(
            st.tuples(st.integers(0, len(lines)), GARBAGE_LINE), min_size=1, max_size=4
        )
    )
    def check(inserts: list[tuple[int, bytes]]) -> None:
        assume(all(_is_bad(raw) for _, raw in inserts))
        mixed = [(line, False) for line in lines]
        for position, raw in sorted(inserts, key=lambda p: p[0], reverse=True):
            mixed.insert(position, (raw, True))
        path.write_bytes(b"\n".join(line for line, _ in mixed) + b"\n")
        got, report = _import_one(path, source)
        garbage_at = [n for n, (_, bad) in enumerate(mixed, 1) if bad]
        reported = sorted(n for p, n, _ in report.skipped_lines if p == str(path))
        assert reported == sorted(garbage_at + _shift(known_bad, garbage_at))
        assert report.skipped_count == len(garbage_at) + len(known_bad)
        # what was skipped is recorded on the file's sessions (the browser marks them): the
        # only difference from the clean import
        marks = [s["info"]["metadata"].pop("import_issues", {}) for s in got["sessions"].values()]
        assert report.skipped_count in [m.get("malformed_lines") for m in marks]
        for session in want["sessions"].values():
            session["info"]["metadata"].pop("import_issues", None)
        got_sessions = {"sessions": got["sessions"], "import_state": {}}
        assert diff_dumps(got_sessions, {"sessions": want["sessions"], "import_state": {}}) == []

    try:
        check()
    finally:
        path.write_bytes(original)


def _shift(original_numbers: list[int], garbage_at: list[int]) -> list[int]:
    """Where the original file's line numbers moved once garbage lines were inserted."""
    out: list[int] = []
    for n in original_numbers:
        new = n
        for g in sorted(garbage_at):
            if g <= new:
                new += 1
        out.append(new)
    return out


def test_a_file_of_pure_garbage_imports_nothing_and_reports_every_line(tmp_path: Path) -> None:
    rng = random.Random(3)
    for source, name in (("claude-code", "3f0c.jsonl"), ("codex", "rollout-2026-01-01-x.jsonl")):
        path = tmp_path / source / name
        path.parent.mkdir(parents=True)
        lines = [
            bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))).replace(b"\n", b"")
            for _ in range(200)
        ]
        lines = [line for line in lines if _is_bad(line)]
        path.write_bytes(b"\n".join(lines) + b"\n")
        with store.open(":memory:") as mem:
            report = import_source(mem, source, path)
            assert report.skipped_count == len(lines)
            assert mem.stats().messages == 0
            assert mem.check(full=True) == []


# -- a corrupt store file -------------------------------------------------------------------------

COMMANDS: list[list[str]] = [
    ["sessions"],
    ["search", "hello"],
    ["show", "5b1f0c2e"],
    ["export", "5b1f0c2e", "--format", "json"],
    ["stats"],
    ["import", "claude-code", "{tree}"],
    ["metrics"],
    ["experiments", "list"],
    ["doctor"],
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _real_store(path: Path, tree: Path) -> None:
    """A real store with the fixtures and a few hundred more messages, checkpointed."""
    with store.open(path) as db:
        import_all(db, {"claude-code": tree / "claude-code", "codex": tree / "codex"})
        sid = db.start_session(title="filler")
        db.append_many(
            sid, [{"role": "user", "content": f"filler message {i} " * 20} for i in range(600)]
        )
    assert not Path(f"{path}-wal").exists()  # the last close checkpointed everything


def _corrupt_files(tmp: Path, tree: Path) -> dict[str, Path]:
    rng = random.Random(6)
    real = tmp / "real.db"
    _real_store(real, tree)
    files = {
        "random-bytes": bytes(rng.randrange(256) for _ in range(64 * 1024)),
        "truncated-store": real.read_bytes()[: real.stat().st_size // 2],
        "text-file": b"# my notes\nthis is not a database at all\n" * 40,
        "zero-filled": bytes(32 * 1024),
    }
    out: dict[str, Path] = {}
    for name, data in files.items():
        (tmp / name).mkdir()
        out[name] = tmp / name / "sessions.db"
        out[name].write_bytes(data)
    other = tmp / "other-sqlite" / "sessions.db"
    other.parent.mkdir()
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('mine, not sessionscope''s')")
    conn.close()
    out["someone-elses-sqlite"] = other
    for path in out.values():
        path.chmod(0o600)
    return out


def test_every_command_refuses_a_corrupt_store_in_one_line_and_leaves_it_alone(
    fixture_tree: Path, tmp_path: Path
) -> None:
    files = _corrupt_files(tmp_path, fixture_tree)
    before = {name: _sha(path) for name, path in files.items()}
    jobs = [
        (name, [a.replace("{tree}", str(fixture_tree / "claude-code")) for a in command])
        for name in files
        for command in COMMANDS
    ]

    def run(job: tuple[str, list[str]]) -> tuple[str, list[str], subprocess.CompletedProcess[str]]:
        name, args = job
        return name, args, cli(*args, db=files[name])

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(run, jobs))
    for name, args, proc in results:
        what = f"{name}: sessionscope {' '.join(args)}"
        assert proc.returncode != 0, f"{what} exited 0: {proc.stdout[:300]}"
        assert "Traceback" not in proc.stderr + proc.stdout, what
        lines = proc.stderr.strip().splitlines()
        if args[0] == "doctor":  # the doctor reports a screenful; the problem is in it
            assert any(
                "not a sessionscope store" in line or "damaged" in line
                for line in proc.stdout.splitlines()
            ), f"{what}: {proc.stdout}"
            continue
        assert len(lines) == 1, f"{what}: {proc.stderr!r}"
        assert lines[0].startswith("sessionscope: error: ") and "internal error" not in lines[0]
        assert str(files[name]) in lines[0]
        assert "not a sessionscope store" in lines[0] or "damaged" in lines[0], lines[0]
    for name, path in files.items():
        assert _sha(path) == before[name], f"{name} was modified"
        assert sorted(p.name for p in path.parent.iterdir()) == ["sessions.db"], name


def test_the_api_refuses_a_corrupt_store_with_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(
        b"SQLite format 3\x00" + bytes(random.Random(1).randrange(256) for _ in range(8000))
    )
    digest = _sha(path)
    for readonly in (False, True):
        with pytest.raises(store.StoreCorrupt, match="not a sessionscope store or is damaged"):
            store.open(path, readonly=readonly)
    assert _sha(path) == digest


# -- a store on a read-only path ------------------------------------------------------------------


def _restricted() -> list[str]:
    """A command prefix under which this user cannot write files it cannot write by mode bits.

    As root, permission bits do not stop writes, so root's override capabilities are dropped.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable"]


@pytest.fixture
def readonly_store(fixture_tree: Path) -> Iterator[Path]:
    """A real store in a directory made read-only after creation (file mode 0400, dir 0500)."""
    base = Path(tempfile.mkdtemp(prefix="sessionscope-ro-"))
    base.chmod(0o755)  # reachable once root's overrides are dropped
    path = base / "store" / "sessions.db"
    path.parent.mkdir()
    with store.open(path) as db:
        import_all(
            db, {"claude-code": fixture_tree / "claude-code", "codex": fixture_tree / "codex"}
        )
    path.chmod(0o400)
    path.parent.chmod(0o500)
    try:
        yield path
    finally:
        path.parent.chmod(0o700)
        shutil.rmtree(base)


READONLY_PROBE = """
import json, sys
from sessionscope import store
from sessionscope.importers import import_source
out = {}
db = store.open(sys.argv[1])
out["readonly"] = db.readonly
out["sessions"] = len(db.sessions())
out["hits"] = [h.session_id for h in db.search("NEEDLE-7f3a9c")]
out["messages"] = len(db.load("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01").messages)
out["check"] = db.check(full=True)
def attempt(name, fn):
    try:
        fn()
        out[name] = "no error"
    except store.StoreReadOnly as exc:
        out[name] = "StoreReadOnly: " + str(exc)
    except Exception as exc:
        out[name] = type(exc).__name__ + ": " + str(exc)
attempt("append", lambda: db.append("5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01", "user", "x"))
attempt("start_session", lambda: db.start_session(title="new"))
attempt("import", lambda: import_source(db, "codex", sys.argv[2]))
db.close()
print(json.dumps(out))
"""


def test_a_store_on_a_read_only_path_opens_for_reading(
    readonly_store: Path, fixture_tree: Path
) -> None:
    digest = _sha(readonly_store)
    fresh = fixture_tree / "new-codex" / "rollout-2026-10-06T09-00-00-new.jsonl"
    fresh.parent.mkdir()
    shutil.copy(fixture_tree / CODEX_FILE, fresh)  # a file the store has not seen yet
    proc = subprocess.run(
        [
            *_restricted(),
            sys.executable,
            "-c",
            READONLY_PROBE,
            str(readonly_store),
            str(fresh.parent),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["readonly"] is True
    assert out["sessions"] >= 4 and out["messages"] > 5
    assert out["hits"] == ["c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03"]
    assert out["check"] == []
    for name in ("append", "start_session", "import"):
        assert out[name].startswith("StoreReadOnly: "), (name, out[name])
    assert _sha(readonly_store) == digest
    assert sorted(p.name for p in readonly_store.parent.iterdir()) == ["sessions.db"]


def test_cli_reads_a_read_only_store_and_refuses_to_import_into_it(
    readonly_store: Path, fixture_tree: Path
) -> None:
    digest = _sha(readonly_store)
    prefix = _restricted()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "sessionscope", "--db", str(readonly_store), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )

    for args in (
        ["sessions"],
        ["search", "NEEDLE-7f3a9c"],
        ["show", "5b1f0c2e"],
        ["stats"],
        ["doctor", "--full"],
    ):
        proc = run(*args)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert proc.stdout.strip()
    proc = run("import", "codex", str(fixture_tree / "codex"))
    assert proc.returncode == 0, proc.stderr  # nothing new: nothing to write, so no error
    assert proc.stdout.startswith("Nothing new")
    fresh = fixture_tree / "new-codex" / "rollout-2026-10-06T09-00-00-new.jsonl"
    fresh.parent.mkdir()
    shutil.copy(fixture_tree / CODEX_FILE, fresh)
    proc = run("import", "codex", str(fresh.parent))
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == f"sessionscope: error: {readonly_store} is open read-only; nothing was written."
    )
    assert _sha(readonly_store) == digest


WRITER_THEN_KILLED = """
import sys, time
from sessionscope import store
db = store.open(sys.argv[1])
sid = db.start_session(title="left mid-write", id="abcd1234-wal")
for i in range(200):
    db.append(sid, "user", f"hello {i}")
print("ready", flush=True)
time.sleep(120)
"""


def test_a_read_only_store_with_a_pending_wal_reads_or_says_why_not() -> None:
    base = Path(tempfile.mkdtemp(prefix="sessionscope-rowal-"))
    base.chmod(0o755)
    folder = base / "store"
    folder.mkdir()
    path = folder / "sessions.db"
    try:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER_THEN_KILLED, str(path)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        writer.kill()  # no checkpoint: the messages are only in sessions.db-wal
        writer.wait()
        writer.stdout.close()
        assert Path(f"{path}-wal").stat().st_size > 0
        for file in folder.iterdir():
            file.chmod(0o400)
        folder.chmod(0o500)
        digests = {p.name: _sha(p) for p in folder.iterdir()}

        def sessions() -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [
                    *_restricted(),
                    sys.executable,
                    "-m",
                    "sessionscope",
                    "--db",
                    str(path),
                    "sessions",
                    "--json",
                ],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
            )

        proc = sessions()  # the -shm index is there: SQLite reads the WAL through it
        assert proc.returncode == 0, proc.stderr
        assert [s["message_count"] for s in json.loads(proc.stdout)] == [200]
        folder.chmod(0o700)
        Path(f"{path}-shm").unlink()
        folder.chmod(0o500)
        proc = sessions()  # no index and no way to make one: a clear error, not stale data
        assert proc.returncode == 1
        assert proc.stderr.strip() == (
            f"sessionscope: error: cannot read {path}: its directory is read-only and it has "
            f"unfinished writes in {path}-wal; open it once where it can be written."
        )
        assert {p.name: _sha(p) for p in folder.iterdir()} == {
            k: v for k, v in digests.items() if not k.endswith("-shm")
        }
    finally:
        folder.chmod(0o700)
        shutil.rmtree(base)


def test_unreadable_transcripts_are_reported_and_the_rest_imported(
    fixture_tree: Path, tmp_path: Path
) -> None:
    base = Path(tempfile.mkdtemp(prefix="sessionscope-perm-"))
    try:
        base.chmod(0o777)
        tree = base / "tree"
        shutil.copytree(fixture_tree, tree)
        locked = tree / CLAUDE_FILE_C
        locked.chmod(0o000)
        db_path = base / "store.db"
        proc = subprocess.run(
            [
                *_restricted(),
                sys.executable,
                "-m",
                "sessionscope",
                "--db",
                str(db_path),
                "import",
                "claude-code",
                str(tree / "claude-code"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        assert f"{locked}: skipped: could not read the file" in proc.stderr
        with store.open(db_path) as db:
            ids = {s.id for s in db.sessions()}
        assert "5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01" in ids
        assert "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03" not in ids
    finally:
        for root, dirs, files in os.walk(base):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), stat.S_IRWXU)
        shutil.rmtree(base)


# -- disk full and permission errors in the middle of an import -----------------------------------


class _Failure:
    """Decides which statement fails: the first matching one in transaction `tx` or later."""

    def __init__(self, tx: int, pattern: str, error: str, observe: Callable[[], Any]) -> None:
        self.tx, self.pattern, self.error, self.observe = tx, pattern, error, observe
        self.transactions = 0
        self.snapshot: Any = None
        self.fired = False

    def before(self, sql: str) -> None:
        if self.fired:
            return
        if sql.lstrip().upper().startswith("BEGIN"):
            self.transactions += 1
            if self.transactions >= self.tx:
                self.snapshot = self.observe()  # what the store holds before that transaction
        elif self.transactions >= self.tx and sql.lstrip().startswith(self.pattern):
            self.fired = True
            raise sqlite3.OperationalError(self.error)


class _FailingConnection:
    """A sqlite3 connection whose statements first ask the failure plan."""

    def __init__(self, conn: sqlite3.Connection, failure: _Failure) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_failure", failure)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._conn, name, value)

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._failure.before(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._failure.before(sql)
        return self._conn.executemany(sql, *args)


FAILURES = [
    ("database or disk is full", "INSERT INTO messages (", 3),
    ("database or disk is full", "INSERT INTO messages_fts", 4),
    ("database or disk is full", "COMMIT", 2),
    ("disk I/O error", "INSERT INTO import_state", 3),
    ("attempt to write a readonly database", "INSERT INTO messages (", 2),
    ("attempt to write a readonly database", "UPDATE sessions", 3),
]


def _arm(monkeypatch: pytest.MonkeyPatch, failure: _Failure) -> None:
    """Make every store connection opened from now on fail as `failure` says; import in small
    batches so an import of the fixtures is several transactions."""
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        return _FailingConnection(real_connect(*args, **kwargs), failure)

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(incremental, "BATCH_MESSAGES", 3)
    monkeypatch.setattr(incremental, "GROUP_MESSAGES", 1, raising=False)
    monkeypatch.setattr(incremental, "GROUP_SECONDS", 0.0, raising=False)


@pytest.mark.parametrize(("error", "pattern", "tx"), FAILURES)
def test_a_write_error_mid_import_leaves_the_store_as_before_that_transaction(
    store_path: Path,
    fixture_tree: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: str,
    pattern: str,
    tx: int,
) -> None:
    roots = {"claude-code": fixture_tree / "claude-code", "codex": fixture_tree / "codex"}
    with store.open(tmp_path / "clean.db") as clean:
        import_all(clean, roots)
        want = dump(clean)
    store.open(store_path).close()
    observer = store.open(store_path)  # opened before the failures are armed
    failure = _Failure(tx, pattern, error, lambda: dump(observer))
    _arm(monkeypatch, failure)
    db = store.open(store_path)
    with pytest.raises(store.StoreError) as caught:
        import_all(db, roots)
    db.close()
    monkeypatch.undo()
    assert failure.fired and failure.snapshot is not None
    message = str(caught.value)
    assert "\n" not in message and str(store_path) in message
    if "full" in error or "I/O" in error:
        assert (
            error in message
            and "rolled back" in message
            and "committed before it is kept" in message
        )
    else:
        assert isinstance(caught.value, store.StoreReadOnly)
    assert dump(observer) == failure.snapshot  # exactly as before the failing transaction
    assert observer.check(full=True) == []
    if tx > 1:
        assert failure.snapshot["sessions"] or failure.snapshot["import_state"]  # mid-import
    # and once the disk has room again, the import completes to exactly a clean import
    import_all(observer, roots)
    assert diff_dumps(dump(observer), want) == []
    observer.close()


@pytest.mark.parametrize(("error", "pattern", "tx"), [FAILURES[0], FAILURES[4]])
def test_import_command_reports_a_write_error_in_one_line(
    store_path: Path,
    fixture_tree: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: str,
    pattern: str,
    tx: int,
) -> None:
    store.open(store_path).close()
    observer = store.open(store_path)
    failure = _Failure(tx, pattern, error, lambda: dump(observer))
    _arm(monkeypatch, failure)
    result = CliRunner().invoke(
        cli_group,
        ["--db", str(store_path), "import", "claude-code", str(fixture_tree / "claude-code")],
    )
    monkeypatch.undo()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sessionscope: error: "), result.stderr
    assert "Traceback" not in result.output
    assert dump(observer) == failure.snapshot
    observer.close()


# -- hostile content through the CLI --------------------------------------------------------------

HOSTILE_TEXT = "alpha \ud800 beta \x00 gamma \x1b]0;pwned\x07 \u202e delta \udfff"


def test_json_output_of_hostile_content_is_valid_and_reads_back_exactly(store_path: Path) -> None:
    blocks = [{"type": "tool_use", "id": "t1", "name": "Bash", "input": {"cmd": "echo \udc80"}}]
    with store.open(store_path) as db:
        sid = db.start_session(id="hostile-1", title="hostile", metadata={"note": "v\ud800"})
        db.append(sid, "user", HOSTILE_TEXT)
        db.append(sid, "assistant", blocks)
    for args in (
        ["show", "hostile-1", "--format", "json"],
        ["export", "hostile-1", "--format", "json"],
    ):
        proc = cli(*args, db=store_path)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        assert [m["blocks"] for m in data["messages"]] == [
            [{"type": "text", "text": HOSTILE_TEXT}],
            blocks,
        ]
        assert data["metadata"] == {"note": "v\ud800"}
    proc = cli("sessions", "--json", db=store_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["metadata"] == {"note": "v\ud800"}
    for args in (
        ["show", "hostile-1"],
        ["show", "hostile-1", "--format", "markdown"],
        ["search", "gamma"],
        ["search", "gamma", "--json"],
    ):
        proc = cli(*args, db=store_path)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout, args


def test_command_line_arguments_that_are_not_utf8(store_path: Path) -> None:
    """Bytes that are not UTF-8 arrive as lone surrogates (surrogateescape): never a traceback."""
    with store.open(store_path) as db:
        sid = db.start_session(id="bytes-1", title="t")
        db.append(sid, "user", "ab \ud800 cd")
    base = [sys.executable, "-m", "sessionscope", "--db", str(store_path)]
    for args, code in (
        ([b"search", b"ab\xffcd"], 0),
        ([b"search", b"\xff", b"--json"], 0),
        ([b"show", b"ab\xffcd"], 1),
        ([b"export", b"\xfe\xff"], 1),
    ):
        proc = subprocess.run([*base, *args], capture_output=True, timeout=60, cwd=ROOT)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == code, (args, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, (args, err)
    proc = subprocess.run(
        [*base, "search", "ab", "cd"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert proc.returncode == 0 and "bytes-" in proc.stdout


def test_transcripts_whose_paths_are_not_utf8_import_and_reimport_nothing(tmp_path: Path) -> None:
    """File and folder names with bytes that are not UTF-8 (possible on Linux) import normally."""
    root = tmp_path / "t"
    bad_dir = root / "claude-code" / os.fsdecode(b"-home-\xfe-proj")
    sub = bad_dir / os.fsdecode(b"sess\xff") / "subagents"
    sub.mkdir(parents=True)
    shutil.copy(FIXTURES / CLAUDE_FILE_C, bad_dir / os.fsdecode(b"x\xff.jsonl"))
    agent = FIXTURES / "claude-code/projects/-home-dev-webapp/5b1f0c2e-8d3a-4f6b-9c21-7e4d2a9b1c01"
    shutil.copy(agent / "subagents/agent-a7c91e04.jsonl", sub / os.fsdecode(b"agent-\xfa.jsonl"))
    codex_dir = root / "codex" / os.fsdecode(b"\xfd")
    codex_dir.mkdir(parents=True)
    shutil.copy(FIXTURES / CODEX_FILE, codex_dir / os.fsdecode(b"rollout-\xfc.jsonl"))
    roots = {"claude-code": root / "claude-code", "codex": root / "codex"}
    with store.open(":memory:") as db:
        first = import_all(db, roots)
        assert first.files_imported == 3 and first.messages > 10
        assert "c3a8e2f1-0b4d-47e9-a6c5-9d2e7f3b8c03" in {s.id for s in db.sessions()}
        again = import_all(db, roots)
        assert (again.files_imported, again.messages, again.files_skipped) == (0, 0, 3)
        assert db.check(full=True) == []
