"""No dead code comes back: `vulture` (configured in pyproject.toml's `[tool.vulture]`, with the
false positives in tests/vulture_whitelist.py) finds nothing unused in src/, scripts/ or bench/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _vulture() -> str:
    beside = Path(sys.executable).parent / "vulture"  # the one that sees this install
    return str(beside) if beside.exists() else shutil.which("vulture") or str(beside)


def test_vulture_finds_no_dead_code() -> None:
    proc = subprocess.run([_vulture()], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, (
        "unused code (delete it, or list a real false positive with its reason in "
        "tests/vulture_whitelist.py):\n" + proc.stdout + proc.stderr
    )


def test_vulture_sees_a_dead_function(tmp_path: Path) -> None:
    """The check itself: with the project's configuration, an unused function is reported."""
    dead = tmp_path / "dead.py"
    dead.write_text("def used():\n    return 1\n\n\ndef never_called():\n    return used()\n")
    proc = subprocess.run(
        [_vulture(), str(dead), "--min-confidence", "60"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 3 and "never_called" in proc.stdout, proc.stdout + proc.stderr
