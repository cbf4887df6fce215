"""Where a store file may be: checks before opening one, and creating a new one safely."""

from __future__ import annotations

import os
import stat

from .errors import StoreError, UnsafePath

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from pathlib import Path  # imported where used: `sessionscope search` opens without it


def _owner_problem(path: Path) -> str | None:
    try:
        owner = path.stat().st_uid
    except FileNotFoundError:
        return None
    if owner != os.geteuid():
        return (
            f"{path} belongs to another user (uid {owner}), who could read or change "
            "everything stored in it; refusing to use it."
        )
    return None


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_file(path: str) -> str | None:
    """Why `path` (followed through symlinks) cannot hold a store or its WAL: one sentence when
    it is there and not a regular file (a FIFO, a device, a socket: reading one can block for
    ever or never end), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # missing (or unreadable: opening it says so)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    shown = f"{path} (a link to {os.path.realpath(path)})" if os.path.islink(path) else path
    return f"{shown} is {kind}, not a store file; refusing to open it."


def check_path(target: Path) -> None:
    """Refuse a directory, a FIFO, device or socket, a symlink to nothing, and a store or WAL
    file owned by someone else."""
    if target.is_dir():
        raise StoreError(f"{target} is a directory, not a store file.")
    for name in (str(target), f"{target}-wal", f"{target}-shm"):
        problem = special_file(name)
        if problem:
            raise UnsafePath(problem)
    if target.is_symlink() and not target.exists():
        raise UnsafePath(
            f"{target} is a symbolic link to a missing file ({os.readlink(target)}); "
            "refusing to create a store through it."
        )
    from pathlib import Path

    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        problem = _owner_problem(path)
        if problem:
            raise UnsafePath(problem)


def _default_dirs() -> set[Path]:
    """The directories of the default store ($SESSIONSCOPE_DB, the user data directory): the
    only parents a store creates when missing."""
    from pathlib import Path

    import platformdirs

    dirs = {Path(platformdirs.user_data_dir("sessionscope", appauthor=False)).resolve()}
    env = os.environ.get("SESSIONSCOPE_DB")
    if env:
        dirs.add(Path(env).expanduser().resolve().parent)
    return dirs


def create_store_file(target: Path) -> None:
    """Create an empty store file readable by this user only (never through a symlink)."""
    parent = target.parent
    if not parent.is_dir() and parent.resolve() not in _default_dirs():
        # a mistyped --db path must not leave directories (and an empty store) behind
        raise StoreError(f"cannot create {target}: the directory {parent} does not exist.")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
    except FileExistsError:
        check_path(target)  # created meanwhile by another process: the same checks
    except OSError as exc:
        raise StoreError(f"cannot create {target} ({exc.strerror}).") from None


def make_owner_only(target: Path) -> None:
    """A file about to become a store (an empty file someone made, say with `touch` under a
    022 umask): it and any `-wal`/`-shm` beside it made readable by this user only, as a store
    this code creates is. SQLite gives the `-wal` and `-shm` it creates later the file's mode.
    A `-wal`/`-shm` that is not a plain file (a symlink) is left alone."""
    for path, follow in ((str(target), True), (f"{target}-wal", False), (f"{target}-shm", False)):
        try:
            if not follow and not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            os.chmod(path, 0o600)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(f"cannot make {path} readable by you only ({exc.strerror}).") from None
