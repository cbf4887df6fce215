"""The price cache (`$XDG_CACHE_HOME/sessionscope/prices-*.json`), the one file an import writes
outside the store: owner-only under a umask of 000 (it was created 0666 in a 0777 folder), and a
cache file nested 100,000 deep (a RecursionError that failed every import) is ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, sys
os.umask(0)
from sessionscope.importers import pricing
print(pricing.rates("claude-sonnet-4-5"))
"""


def _run(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        timeout=120,
    )


def test_the_price_cache_is_owner_only_under_umask_000(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0, done
    files = list((tmp_path / "cache" / "sessionscope").iterdir())
    assert [f.name for f in files if f.name.endswith(".json")], files
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o600, (f, oct(f.stat().st_mode))
    assert (tmp_path / "cache" / "sessionscope").stat().st_mode & 0o777 == 0o700


def test_a_cache_file_nested_too_deep_is_ignored(tmp_path: Path) -> None:
    assert _run(tmp_path).returncode == 0
    (cache,) = (tmp_path / "cache" / "sessionscope").glob("prices-*.json")
    cache.write_text("[" * 100_000)
    done = _run(tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done
    assert done.stdout.strip() != "None"  # priced again from the table
