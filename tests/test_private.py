"""The one owner-only writer (exports from the CLI and the browser, the browser's settings)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sessionscope.private import write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        target = write_private(tmp_path / "out.md", "secret")
    finally:
        os.umask(old)
    assert target == tmp_path / "out.md" and _mode(target) == 0o600
    assert target.read_text() == "secret"


def test_an_old_world_readable_file_is_replaced_by_a_0600_one(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, "new")
    assert _mode(target) == 0o600 and target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]  # no temporary file left


def test_a_link_is_followed_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_private(link, "through the link")
    assert link.is_symlink() and real.read_text() == "through the link"
    try:
        write_private(tmp_path / "no-such-dir" / "x.md", "x")
    except OSError:
        pass
    else:
        raise AssertionError("writing into a missing directory must fail")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]
