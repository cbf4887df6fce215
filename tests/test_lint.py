"""The code base stays `ruff check` and `ruff format` clean and keeps its import contracts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_check_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    proc = subprocess.run(
        [ruff, "check", "src", "tests", "bench", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    proc = subprocess.run(
        [ruff, "format", "--check", "src", "tests", "bench", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_contracts_hold() -> None:
    """The `[tool.importlinter]` contracts in pyproject.toml: the store and the importers never
    import the browser, the CLI, Textual or Rich; the browser never imports the CLI; inside the
    browser the app is above its screens, above their widgets; no import cycle anywhere."""
    beside = Path(sys.executable).parent / "lint-imports"  # the one that sees this install
    lint = str(beside) if beside.exists() else shutil.which("lint-imports") or str(beside)
    proc = subprocess.run(
        [lint, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    """`mypy` with the pyproject configuration (all of src/, strict for the store) finds nothing."""
    beside = Path(sys.executable).parent / "mypy"  # the one that sees this install
    mypy = str(beside) if beside.exists() else shutil.which("mypy") or str(beside)
    proc = subprocess.run([mypy], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
