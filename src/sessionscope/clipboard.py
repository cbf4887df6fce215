"""Copy text to the clipboard and say honestly what happened.

The system's own tool is tried first, where one can work: `pbcopy` on macOS, `clip.exe` on
Windows and WSL, `wl-copy` on Wayland, `xclip` or `xsel` on X11. Each runs with a timeout, its
output discarded (xclip and wl-copy stay in the background to serve the selection). Then the
text goes to the terminal's clipboard by OSC 52 when a sender is given (Textual's
`App.copy_to_clipboard`): over SSH that is the only way, and a terminal may ignore it, which no
program can tell. `pyperclip` was considered: it picks GTK or Qt bindings before the tools when
they are importable, never says which way it used, and runs its tools without a timeout.

Textual-free: the CLI and the browser can both use it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

TIMEOUT = 2.0  # seconds a clipboard tool may take


@dataclass(frozen=True, slots=True)
class Tool:
    """A clipboard command, and how it wants the text encoded."""

    name: str
    argv: tuple[str, ...]
    encoding: str = "utf-8"

    def payload(self, text: str) -> bytes:
        if self.encoding == "utf-16-le":  # clip.exe reads UTF-16 (with a BOM) as Unicode
            return ("\ufeff" + text).encode("utf-16-le")
        return text.encode("utf-8", errors="replace")


WL_COPY = Tool("wl-copy", ("wl-copy",))
XCLIP = Tool("xclip", ("xclip", "-selection", "clipboard"))
XSEL = Tool("xsel", ("xsel", "--clipboard", "--input"))
PBCOPY = Tool("pbcopy", ("pbcopy",))
CLIP_EXE = Tool("clip.exe", ("clip.exe",), "utf-16-le")


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What became of the text: `ok` when a tool took it or it was sent by OSC 52."""

    ok: bool
    via: str  # the tool's name, "osc52" or "" (nothing)
    message: str  # one sentence for the person


def _is_wsl(platform: str, env: Mapping[str, str]) -> bool:
    if platform != "linux":
        return False
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    try:
        with open("/proc/version", encoding="utf-8", errors="replace") as handle:
            return "microsoft" in handle.read().lower()
    except OSError:
        return False


def candidates(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Tool]:
    """The tools worth trying here, best first (those that can reach a clipboard)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return [PBCOPY]
    if platform.startswith("win"):
        return [CLIP_EXE]
    tools: list[Tool] = []
    if _is_wsl(platform, env):
        tools.append(CLIP_EXE)
    if env.get("WAYLAND_DISPLAY"):
        tools.append(WL_COPY)
    if env.get("DISPLAY"):  # X11, or XWayland beside Wayland
        tools += [XCLIP, XSEL]
    return tools


def _run(tool: Tool, text: str, path: str | None) -> str | None:
    """None when `tool` took the text, else why not (a few words)."""
    found = shutil.which(tool.argv[0], path=path)
    if found is None:
        return f"{tool.name} is not installed"
    try:
        done = subprocess.run(
            [found, *tool.argv[1:]],
            input=tool.payload(text),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{tool.name} did not answer in {TIMEOUT:g} s"
    except OSError as exc:
        return f"{tool.name} did not start ({exc.strerror or exc})"
    if done.returncode:
        return f"{tool.name} failed (status {done.returncode})"
    return None


def _chars(text: str, what: str) -> str:
    count = f"{len(text):,} character{'s' if len(text) != 1 else ''}"
    return f"{what} ({count})" if what else count


def copy(
    text: str,
    *,
    what: str = "",
    osc52: Callable[[str], None] | None = None,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> CopyResult:
    """Put `text` on the clipboard: the first system tool that takes it, and OSC 52 through
    `osc52` when given (a terminal). The result says which, or why nothing was copied;
    `what` names the text in it ("the session id")."""
    env = os.environ if env is None else env
    tools = candidates(env, platform)
    failures: list[str] = []
    used: Tool | None = None
    for tool in tools:
        why = _run(tool, text, env.get("PATH"))
        if why is None:
            used = tool
            break
        failures.append(why)
    if osc52 is not None:
        try:
            osc52(text)
        except Exception as exc:  # a terminal that cannot be written to is not worth a crash
            failures.append(f"the terminal refused it ({exc})")
            osc52 = None
    if used is not None:
        return CopyResult(True, used.name, f"Copied {_chars(text, what)} with {used.name}.")
    reason = "; ".join(failures) if failures else "no display here for wl-copy, xclip or xsel"
    if osc52 is not None:
        return CopyResult(
            True,
            "osc52",
            f"Sent {_chars(text, what)} to the terminal's clipboard (OSC 52); your terminal may "
            f"ignore it ({reason}).",
        )
    return CopyResult(False, "", f"Nothing copied: {reason}.")
