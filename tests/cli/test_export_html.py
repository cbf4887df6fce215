"""`sessionscope export --format html`: a self-contained page, inert, redacted by default, and,
opened in a real headless Chromium, it renders and never makes a request."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import stat
import subprocess
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from tui_support import SESSION_A, SESSION_B

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.diffs import edit_diff, parse_patch
from sessionscope.export_html import to_html
from sessionscope.importers import import_all

KEY = "sk-ant-api03-" + "Q" * 40 + "-abcdEFGH1234"


@pytest.fixture
def imported(db: store.Store, fixture_tree: Path) -> store.Store:
    import_all(db, roots={"claude-code": fixture_tree / "claude-code" / "projects"})
    return db


def test_fixture_session_renders_folded_calls_diffs_and_failures(imported: store.Store) -> None:
    session = imported.load(SESSION_A)
    assert session is not None
    page, found = to_html(session, redact=False)
    assert found == []
    assert page.count("<article") >= 10
    assert "Content-Security-Policy" in page and "<script" not in page
    assert '<details class="call">' in page  # tool calls fold to one line
    assert re.search(r'<span class="name">Edit \S+ \+\d+ -\d+</span>', page)  # edits as diffs
    assert '<span class="add">' in page and '<span class="del">' in page
    assert "[red]ERROR[/red]" in page  # markup-looking text shown as written
    assert "\x1b" not in page and "\x9d" not in page
    failed = imported.load(SESSION_B)
    assert failed is not None
    assert '<span class="err">✗</span>' in to_html(failed, redact=False)[0]


def test_hostile_text_is_escaped_and_cleaned(db: store.Store) -> None:
    sid = db.start_session(title="<script>alert(1)</script>\u202e", source="api")
    db.append(sid, "user", 'hi <img src=x onerror="alert(1)"> &#x202E; `x`')
    db.append(
        sid,
        "assistant",
        [{"type": "tool_use", "id": "t", "name": "<b>Bash</b>", "input": {"c": "</pre><script>"}}],
    )
    session = db.load(sid)
    assert session is not None
    page, _ = to_html(session, redact=False)
    assert "<script" not in page and "<img src=x" not in page and "<b>Bash" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page  # bidi override gone even after Markdown decoded the entity


def test_diffs_of_claude_edits_and_codex_patches() -> None:
    edit = edit_diff(
        "Edit", {"file_path": "a.py", "old_string": "x = 1\n", "new_string": "x = 2\n"}
    )
    assert edit is not None and edit.summary == "Edit a.py +1 -1"
    write = edit_diff("Write", {"file_path": "b.py", "content": "a\nb\n"})
    assert write is not None and write.summary == "Write b.py +2 -0"
    multi = edit_diff(
        "MultiEdit",
        {"file_path": "c.py", "edits": [{"old_string": "a", "new_string": "b"}] * 2},
    )
    assert multi is not None and (multi.files[0].added, multi.files[0].removed) == (2, 2)
    patch = "*** Begin Patch\n*** Update File: s.ts\n@@\n-old\n+new\n+more\n*** Add File: n.ts\n+hi\n*** End Patch"
    files = parse_patch(patch)
    assert [(f.path, f.action, f.added, f.removed) for f in files] == [
        ("s.ts", "update", 2, 1),
        ("n.ts", "add", 1, 0),
    ]
    shell = edit_diff("shell", {"command": ["apply_patch", patch]})
    assert shell is not None and shell.summary == "apply_patch 2 files +3 -1"
    assert edit_diff("Bash", {"command": "ls"}) is None
    assert edit_diff("Edit", "not a dict") is None


def test_cli_redacts_by_default_lists_what_and_writes_owner_only(
    db: store.Store, tmp_path: Path
) -> None:
    sid = db.start_session(title="deploy", source="api")
    db.append(sid, "user", f"use the key {KEY} please")
    db.close()
    out = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["export", sid, "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Redacted 1 secret" in result.stderr and "#0 user: anthropic_key x1" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert KEY not in page and "[REDACTED:anthropic_key]" in page
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    raw = CliRunner().invoke(cli, ["export", sid, "--format", "html", "--no-redact"])
    assert KEY in raw.stdout and "Redacted" not in raw.stderr


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(
    _chromium() is None and not os.environ.get("CI"), reason="chromium not installed"
)
def test_page_renders_in_chromium_with_no_request_and_inert_markup(
    db: store.Store, tmp_path: Path
) -> None:
    chromium = _chromium()
    assert chromium, "CI installs chromium (.ci/run)"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        sid = db.start_session(title="hostile page", source="api")
        db.append(
            sid,
            "user",
            f'<img src="{base}/img"> ![m]({base}/md.png) <script>document.title="pwned"</script>'
            f'<iframe src="{base}/frame"></iframe><link rel="stylesheet" href="{base}/css">',
        )
        db.append(
            sid,
            "assistant",
            [
                {"type": "text", "text": f"<style>@import url({base}/style);</style> done"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
                },
                {
                    "type": "image",
                    "source": {"type": "url", "media_type": "image/svg+xml", "url": f"{base}/svg"},
                },
            ],
        )
        db.close()
        page = tmp_path / "hostile.html"
        result = CliRunner().invoke(cli, ["export", sid, "--format", "html", "-o", str(page)])
        assert result.exit_code == 0, result.output
        proc = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=3000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    dom = proc.stdout
    assert "<article" in dom and "hostile page" in dom, proc.stderr[-2000:]  # it rendered
    assert _Recorder.hits == []  # nothing left the page
    assert "<title>hostile page</title>" in dom  # no script ran
    assert "<script" not in dom.split("<body", 1)[1] and "<iframe" not in dom
    assert "&lt;script&gt;" in dom  # the markup is text


def test_html_export_of_ordinary_code_redacts_nothing(db: store.Store) -> None:
    """The demo's code came out as `const sessionToken = [REDACTED:token] Intl.NumberFormat(`:
    34 "secrets" in one session, all of them code."""
    code = (
        "const sessionToken = new Intl.NumberFormat(locale).format(total);\n"
        "const sessionToken = await fetchSessionToken(opts);\n"
        "const sessionToken = useMemo(() => items.filter((row) => row.ok), [items]);\n"
        "sessionToken = buildSessionToken(items)\n"
        "[Bar] progress_bar: progress_bar token=4096 ok\n"
    )
    sid = db.start_session(title="code", source="api")
    db.append(sid, "assistant", f"```tsx\n{code}```")
    db.append(
        sid,
        "assistant",
        [
            {
                "type": "tool_use",
                "id": "t",
                "name": "Write",
                "input": {"file_path": "a.tsx", "content": code},
            }
        ],
    )
    session = db.load(sid)
    assert session is not None
    page, found = to_html(session, redact=True)
    assert found == [] and "REDACTED" not in page
    assert "const sessionToken = new Intl.NumberFormat" in page
