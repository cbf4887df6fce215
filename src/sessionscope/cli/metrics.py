"""`sessionscope metrics`: Prometheus metrics read from the store (printed, or served over HTTP)."""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import click

from ..store import InvalidInput, StoreError
from .options import open_from_context


def parse_address(value: str) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` (127.0.0.1) or `[v6]:PORT` as (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise InvalidInput(f"--serve expects HOST:PORT (e.g. 127.0.0.1:9464), not {value!r}.")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "127.0.0.1", int(port)


@click.command("metrics")
@click.option(
    "--serve",
    "serve",
    metavar="HOST:PORT",
    default=None,
    help="Serve /metrics over HTTP on this address until interrupted (port 0 picks a free one).",
)
def metrics_cmd(serve: str | None) -> None:
    """Print Prometheus metrics read from the store, or serve them with --serve HOST:PORT.

    Sessions by source, messages by role, tokens by direction and model, tool calls by tool and
    outcome, cost in US dollars by model, and active sessions (written to in the last 15 minutes
    and not ended).
    """
    from prometheus_client import generate_latest

    from ..store.metrics import registry_for

    address = parse_address(serve) if serve else None
    with open_from_context(must_exist=address is None) as db:
        if address is None:
            click.echo(generate_latest(registry_for(db)).decode("utf-8"), nl=False)
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="metrics-store") as pool:
            _serve(registry_for(db, executor=pool), *address)


def _serve(registry: Any, host: str, port: int) -> None:
    from prometheus_client import start_http_server

    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise StoreError(f"cannot listen on {host}:{port} ({exc.strerror or exc}).") from None
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    click.echo(f"Serving metrics on http://{shown}:{bound_port}/metrics (Ctrl-C stops).", err=True)
    stop = threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    click.echo("Stopped.", err=True)
