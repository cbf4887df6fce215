"""`sessionscope metrics`: Prometheus metrics read from the store (printed, or served over HTTP).

The server is built for hostile clients: a thread per connection (daemon threads), a client idle for
`IDLE_TIMEOUT` or slower than `REQUEST_TIMEOUT` to send its request is dropped, scrapes share one
store read per second (the collector's cache), and SIGINT/SIGTERM close the listening socket and
every open connection at once, without waiting for scrapes still queued.
"""

from __future__ import annotations

import io
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from typing import Any, cast
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

from ..store import StoreError
from .options import db_option, host_port, open_from_context

IDLE_TIMEOUT = 5.0  # seconds a client may stay silent (or not read the answer)
REQUEST_TIMEOUT = 10.0  # seconds a client has to send its whole request
POLL_INTERVAL = 0.1  # how often the accept loop and the main thread look for a stop


def parse_address(value: str) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` (127.0.0.1) or `[v6]:PORT` as (host, port); port 0 picks one."""
    return host_port(value, "--serve", "127.0.0.1:9464", bare_port=False, port_zero=True)


@click.command("metrics")
@db_option
@click.option(
    "--serve",
    "serve",
    metavar="HOST:PORT",
    default=None,
    help="Serve /metrics over HTTP on this address until interrupted (port 0 picks a free one).",
)
@click.option(
    "--label-limit",
    type=click.IntRange(1, 10_000),
    default=50,
    show_default=True,
    help="Distinct values kept per label (tool, model, source, role); the rest sum into 'other'.",
)
def metrics_cmd(serve: str | None, label_limit: int) -> None:
    """Print Prometheus metrics read from the store, or serve them with --serve HOST:PORT.

    Sessions by source, messages by role, tokens by direction and model, tool calls by tool and
    outcome, cost in US dollars by model, and active sessions (written to in the last 15 minutes
    and not ended). Served scrapes within a second of each other share one read of the store.
    """
    from prometheus_client import generate_latest

    from ..store.metrics import registry_for

    address = parse_address(serve) if serve else None
    with open_from_context(must_exist=address is None) as db:
        if address is None:
            registry = registry_for(db, label_limit=label_limit, cache_seconds=0)
            click.echo(generate_latest(registry).decode("utf-8"), nl=False)
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="metrics-store")
        try:
            _serve(registry_for(db, executor=pool, label_limit=label_limit), *address)
        finally:
            # Scrapes still queued are dropped; one already reading finishes before the store closes.
            pool.shutdown(wait=False, cancel_futures=True)


class _DeadlineReader(io.RawIOBase):
    """Reads a socket with a timeout per read and a deadline for the whole request."""

    def __init__(self, sock: socket.socket, idle: float, total: float) -> None:
        self._sock = sock
        self._idle = idle
        self._deadline = time.monotonic() + total

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request not received in time")
        self._sock.settimeout(min(self._idle, remaining))
        try:
            return self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(self._idle)  # the answer gets the full idle timeout


class _Handler(WSGIRequestHandler):
    """One request per connection, silent, with timeouts; the socket timeout bounds the answer."""

    timeout = IDLE_TIMEOUT
    request_timeout = REQUEST_TIMEOUT

    def setup(self) -> None:
        super().setup()
        reader = _DeadlineReader(self.connection, self.timeout, self.request_timeout)
        self.rfile = io.BufferedReader(reader)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # timed out, reset or shut down: the client is gone
            self.close_connection = True

    def get_stderr(self) -> io.StringIO:
        """wsgiref prints a traceback when writing the answer fails (a client that stopped
        reading): the app already answers its own errors, so the rest is dropped."""
        return io.StringIO()

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


class _Server(ThreadingMixIn, WSGIServer):
    """Thread-per-connection server that drops every open connection when closed."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # a burst of connections is queued, not refused or retried

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self.closing = False
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        self.closing = True
        super().server_close()
        with self._open_lock:
            pending = list(self._open)
        for conn in pending:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for a failure that is not a client going away; nothing while closing."""
        exc = sys.exc_info()[1]
        if not self.closing and not isinstance(exc, OSError):
            click.echo(f"metrics: request failed: {exc}", err=True)


def _app(registry: Any) -> Callable[..., Iterable[bytes]]:
    """The prometheus_client WSGI app; a failed scrape answers 503 with one line."""
    from prometheus_client import make_wsgi_app

    inner = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return cast(Iterable[bytes], inner(environ, start_response))
        except Exception as exc:  # a scrape never prints a traceback
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [f"metrics unavailable: {exc}\n".encode()]

    return app


def start_server(registry: Any, host: str, port: int) -> tuple[_Server, threading.Thread]:
    """Listens on host:port and serves /metrics from `registry` on a daemon thread."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    server_class = type("_BoundServer", (_Server,), {"address_family": family})
    server = cast(_Server, make_server(host, port, _app(registry), server_class, _Handler))
    thread = threading.Thread(
        target=server.serve_forever, args=(POLL_INTERVAL,), name="metrics-http", daemon=True
    )
    thread.start()
    return server, thread


def _serve(registry: Any, host: str, port: int) -> None:
    try:
        server, thread = start_server(registry, host, port)
    except OSError as exc:
        raise StoreError(f"cannot listen on {host}:{port} ({exc.strerror or exc}).") from None
    bound_host, bound_port = server.socket.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"Serving metrics on http://{shown}:{bound_port}/metrics (Ctrl-C stops).", err=True)
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(POLL_INTERVAL):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        server.shutdown()
        server.server_close()
        thread.join(timeout=1)
    click.echo("Stopped.", err=True)
