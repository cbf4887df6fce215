"""Reusable click options and the error handling every command shares."""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from ..sanitize import inert
from ..store import ENV_VAR, InvalidInput, Store, StoreError, default_path
from ..store import open as open_store
from .errors import INTERRUPTED, fail, os_failure

F = TypeVar("F", bound=Callable[..., Any])


def db_option(fn: F) -> F:
    """`--db PATH`: the store file (overrides $SESSIONSCOPE_DB and the default location)."""
    return store_option(f"Store file (default: ${ENV_VAR} or {default_path_hint()}).")(fn)


def store_option(help_text: str) -> Callable[[F], F]:
    """`--db PATH` said with `help_text` (the demo's store has a default of its own)."""
    return lambda fn: _db_option(fn, help_text)


def _db_option(fn: F, help_text: str) -> F:
    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value:
            root = ctx.find_root()
            root.ensure_object(dict)
            root.obj["db"] = value
        return value

    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        default=None,
        expose_value=False,
        callback=remember,
        is_eager=True,
        help=help_text,
    )(fn)


def default_path_hint() -> str:
    return "sessions.db in the user data directory"


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")(fn)


def limit_option(default: int = 50) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        return click.option(
            "--limit",
            "-n",
            type=click.IntRange(min=1),
            default=default,
            show_default=True,
            help="How many rows at most.",
        )(fn)

    return wrap


def when_option(name: str, help_text: str) -> Callable[[F], F]:
    """`--since` / `--until` (`name`): a date or an age (7d, 12h, yesterday, 2026-10-01), given
    to the command as a stored timestamp (an `until` date: the end of that day); a value that is
    neither fails with one sentence, the same for every command."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        return when_or_fail(name, value)

    def wrap(fn: F) -> F:
        return click.option(f"--{name}", name, default=None, callback=check, help=help_text)(fn)

    return wrap


def when_or_fail(name: str, value: str) -> str:
    """`value` of `--name` as a stored timestamp, or the one error every command gives."""
    from ..store.listfilter import when_value

    moment = when_value(name, value)
    if moment is None:
        fail(f"--{name} {value!r} is not a date (use 7d, 12h, yesterday or 2026-10-01).")
    return moment


def store_path(ctx: click.Context | None = None) -> str:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    db = (root.obj or {}).get("db")
    return str(db) if db else str(default_path())


def open_from_context(*, readonly: bool = False, must_exist: bool = False, **options: Any) -> Store:
    """Open the store chosen by --db / $SESSIONSCOPE_DB / the default location.

    `options` go to `store.open` (redact=, mmap_mb=).
    """
    path = store_path()
    if must_exist and not os.path.exists(path):
        fail(no_store(path))
    return open_store(path, readonly=readonly, **options)


def no_store(path: str) -> str:
    """What to do when the store at `path` does not exist: import into that very store (with
    the --db that chose it, if one did), or build the demo store, which lives elsewhere, and
    give its path to commands."""
    from ..demo import default_demo_path

    chosen = (click.get_current_context().find_root().obj or {}).get("db")
    where = f" --db {shlex.quote(path)}" if chosen else ""
    demo = str(default_demo_path())
    if os.path.abspath(os.path.expanduser(path)) == os.path.abspath(demo):
        return f"no store at {path}; run `sessionscope{where} demo` to build the demo store there."
    return (
        f"no store at {path}; run `sessionscope{where} import all` to import your agents' "
        f"sessions into it, or `sessionscope demo` to build a demo store at {demo} and give "
        f"this command `--db {shlex.quote(demo)}` to look at it."
    )


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Turn store errors, a command's own `ClickException` and unexpected failures into one
    sentence (`errors.fail`) and exit status 1."""
    try:
        yield
    except StoreError as exc:
        fail(exc)
    except (click.exceptions.Exit, click.UsageError, click.Abort):
        raise  # click prints these itself: a usage error, a bad parameter, Ctrl-C
    except click.ClickException as exc:  # one a command (or a library) raised: our format
        fail(exc.format_message(), exc.exit_code or 1)
    except KeyboardInterrupt:
        click.echo(INTERRUPTED, err=True)
        sys.exit(130)
    except BrokenPipeError:
        with contextlib.suppress(Exception):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        sys.exit(0)
    except OSError as exc:
        fail(os_failure(exc))
    except Exception as exc:  # never a traceback for a user
        if os.environ.get("SESSIONSCOPE_DEBUG"):
            raise
        fail(
            f"internal error ({type(exc).__name__}: {inert(str(exc), 1000)}); "
            "set SESSIONSCOPE_DEBUG=1 for details."
        )


def host_port(
    value: str, option: str, example: str, *, bare_port: bool, port_zero: bool
) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` (127.0.0.1) or `[v6]:PORT` as (host, port); with `bare_port` a
    PORT alone too, with `port_zero` port 0 (the system picks a free one). InvalidInput else."""
    host, sep, port = value.rpartition(":")
    lowest = 0 if port_zero else 1
    if (not sep and not bare_port) or not port.isdecimal() or not lowest <= int(port) <= 65535:
        raise InvalidInput(f"{option} expects HOST:PORT (e.g. {example}), not {value!r}.")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "127.0.0.1", int(port)
