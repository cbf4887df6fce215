"""Imports the first frame does not need, done in the background once it is drawn."""

from __future__ import annotations

import contextlib
import importlib
import threading

# What opening a session needs and the first frame does not: Markdown (markdown-it, Rich's
# Markdown, Pygments behind its code blocks), ~180 ms of imports.
LATER = ("sessionscope.tui.markdown",)


def warm_up_imports() -> threading.Thread:
    """Import `LATER` in a daemon thread (called once the list's first page is drawn, so that
    the first Enter on a session does not wait for them); returns the thread."""

    def load() -> None:
        for name in LATER:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="sessionscope-warm-up", daemon=True)
    thread.start()
    return thread
