"""Rewrite the command reference in README.md from the click commands (`--check`: only compare)."""

from __future__ import annotations

import sys
from pathlib import Path

from sessionscope.cli.reference import rewrite

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    current = README.read_text(encoding="utf-8")
    wanted = rewrite(current)
    if "--check" in sys.argv[1:]:
        if wanted != current:
            print("README.md's command reference is out of date: run scripts/cli_reference.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
