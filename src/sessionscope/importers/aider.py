"""Aider: `.aider.chat.history.md` in the repositories the user names.

Rules (format: Aider-AI/aider `aider/io.py`, which appends to the file; facts in
tests/fixtures/README.md):
- each run starts with `# aider chat started at <YYYY-MM-DD HH:MM:SS>`: one session per run
  (its id derived from the file's path and the run's place, so appending never renames one);
- lines starting `#### ` are the user's prompt (consecutive ones form one prompt);
- lines starting `>` are tool output (Aider's own messages: the command line, `Model: …`, applied
  edits, commits, test output), stored as `tool` messages; `> Model: <name>` gives the model and
  `> Tokens: 2.1k sent, 150 received. Cost: $0.01 message, …` the tokens and cost of the reply
  before it;
- title: the first prompt that is not an Aider command (`/run …`); cwd and project: the folder
  holding the file;
- everything else is the assistant's reply, up to the next prompt or tool output;
- no built-in location (never a scan of the whole disk): the folders `[aider] roots` lists in
  the config file (`config.toml`, see `sessionscope.config`) are its default locations, read by
  `import all` and the bare command; `sessionscope import aider PATH...` reads others (a
  repository, a folder of them, or the file itself); a file is re-read when it grows and only
  changed runs are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import ConfigError, aider_roots
from ..store.spec import MessageSpec, Role
from .common import derived_id, title_from, ts
from .contract import ParsedSession, Problem, SnapshotSource, Unit
from .incremental import walk_files
from .snapshot import file_unit
from .wholefile import text_lines

SOURCE = "aider"
FILE_NAME = ".aider.chat.history.md"
_HEADER = "# aider chat started at "
_TOKENS = re.compile(
    r"Tokens:\s*([\d.,]+)(k?)\s+sent,\s*([\d.,]+)(k?)\s+received(?:\.\s*Cost:\s*\$([\d.]+))?"
)


def _number(digits: str, k: str) -> int:
    value = float(digits.replace(",", ""))
    return int(value * 1000) if k else int(value)


_ROLE_OF: dict[str, Role] = {"prompt": "user", "output": "tool", "reply": "assistant"}


class _Run:
    def __init__(self, start: str | None, line_no: int) -> None:
        self.start = start
        self.line_no = line_no
        self.messages: list[MessageSpec] = []
        self.texts: list[str] = []  # the text of each message
        self.kind: str | None = None
        self.lines: list[str] = []
        self.model: str | None = None

    def flush(self) -> None:
        text = "\n".join(self.lines).strip("\n")
        kind, self.kind, self.lines = self.kind, None, []
        if kind is None or not text.strip():
            return
        role = _ROLE_OF[kind]
        msg: MessageSpec = {
            "role": role,
            "content": [{"type": "text", "text": text}],
            "created_at": self.start,
            "external_id": str(len(self.messages)),
        }
        if role == "assistant":
            msg["model"] = self.model
        self.messages.append(msg)
        self.texts.append(text)

    def add(self, kind: str, text: str) -> None:
        if kind != self.kind:
            self.flush()
            self.kind = kind
        self.lines.append(text)

    def output_line(self, text: str) -> None:
        for prefix in ("Main model: ", "Model: "):
            if text.startswith(prefix):
                self.model = text[len(prefix) :].split(" with ", 1)[0].strip() or self.model
        match = _TOKENS.search(text)
        if match:
            if self.kind != "output":
                self.flush()
            for msg in reversed(self.messages):
                if msg["role"] == "assistant":
                    msg["input_tokens"] = _number(match.group(1), match.group(2))
                    msg["output_tokens"] = _number(match.group(3), match.group(4))
                    if match.group(5):
                        msg["cost_usd"] = float(match.group(5))
                    break
        self.add("output", text)


def parse_history(lines: Iterable[str], problems: list[Problem]) -> list[_Run]:
    """The runs of one chat history file, in order."""
    runs: list[_Run] = []
    run: _Run | None = None
    fence = False
    for line_no, line in enumerate(lines, 1):
        if line.startswith(_HEADER) and not fence:
            if run is not None:
                run.flush()
            stamp = line[len(_HEADER) :].strip()
            try:
                start = ts(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").isoformat())
            except ValueError:
                problems.append(Problem(line_no, "a run header without a readable time"))
                start = None
            run = _Run(start, line_no)
            runs.append(run)
            continue
        if run is None:
            if line.strip():
                run = _Run(None, line_no)
                runs.append(run)
            else:
                continue
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("####"):
            fence = False
            run.add("prompt", line[4:].removeprefix(" "))
        elif not fence and (line.startswith("> ") or line == ">"):
            run.output_line(line[2:])
        elif run.kind == "output" and not line.strip():
            run.add("output", "")
        elif run.kind == "prompt" and not line.strip():
            run.add("prompt", "")
        else:
            if run.kind != "reply" and not line.strip():
                continue
            run.add("reply", line)
    if run is not None:
        run.flush()
    return runs


class AiderSource(SnapshotSource):
    """Aider's chat history files, from the roots the config file lists and the paths the
    user names (never a scan of the disk)."""

    name = SOURCE
    title = "Aider"

    def default_locations(self, system: str | None = None) -> list[Path]:
        """The config file's `[aider] roots` (none when it lists none or cannot be read:
        `import` and `sources` report a broken config file)."""
        del system
        try:
            return aider_roots()
        except ConfigError:
            return []

    def units(self, root: Path) -> list[Unit]:
        paths = [root] if root.is_file() else walk_files(root, lambda n: n == FILE_NAME)
        if not paths and root.is_dir() and (root / FILE_NAME).is_file():
            paths = [root / FILE_NAME]
        return [u for u in (file_unit(p) for p in paths) if u is not None]

    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> list[ParsedSession]:
        path = unit.path
        folder = str(path.parent.resolve())
        out = []
        for index, run in enumerate(parse_history(text_lines(path), problems)):
            if not run.messages:
                continue
            prompts = [run.texts[i] for i, m in enumerate(run.messages) if m["role"] == "user"]
            # a prompt that is an Aider command (`/run …`, `/add …`) is not the run's subject
            words = [p for p in prompts if not p.lstrip().startswith("/")] or prompts
            title = title_from(words[0]) if words else None
            sid = derived_id(SOURCE, unit.key, str(index), run.start or "")
            fields = {
                "started_at": run.start,
                "cwd": folder,
                "project": folder,
                "model": run.model,
            }
            out.append(ParsedSession(sid, run.messages, title, fields))
        return out
