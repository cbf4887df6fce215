"""Tool calls with plausible inputs and outputs, in Claude Code's or Codex CLI's vocabulary.

Claude Code calls `Bash`, `Read`, `Edit`, `Write`, `Grep`, `Glob`, `TodoWrite`, `Task`, `WebFetch`
and keeps a `toolUseResult` sidecar next to each result; Codex calls `shell` (a function call whose
output is a JSON string with an exit code), `apply_patch` (a custom tool) and `update_plan`.
"""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
from typing import Any

from . import codegen, command_output
from .projects import Project
from .prose import Filler
from .steps import Call, SubRun

REJECTED = (
    "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it "
    "was a file edit, the new_string was NOT written to the file). STOP what you are doing and "
    "wait for the user to tell you how to proceed."
)
TODO_OK = (
    "Todos have been modified successfully. Ensure that you continue to use the todo list to "
    "track your progress. Please proceed with the current tasks if applicable"
)
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def png(rng: random.Random, width: int, height: int) -> str:
    """A valid PNG (flat colour bands with a noisy strip), base64-encoded."""
    rows = []
    band = [bytes((rng.randrange(256), rng.randrange(256), rng.randrange(256))) for _ in range(4)]
    noise_row = rng.randrange(height)
    for y in range(height):
        if abs(y - noise_row) < 3:
            row = bytes(rng.getrandbits(8) for _ in range(width * 3))
        else:
            row = band[y * 4 // height] * width
        rows.append(b"\x00" + row)
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode("ascii")


class Toolbox:
    """Builds tool calls for one session, in one format (`claude-code` or `codex`)."""

    def __init__(self, rng: random.Random, fill: Filler, fmt: str) -> None:
        self.rng = rng
        self.fill = fill
        self.project: Project = fill.project
        self.fmt = fmt
        self.cwd = self.project.cwd

    @property
    def claude(self) -> bool:
        return self.fmt == "claude-code"

    def _abs(self, path: str) -> str:
        return f"{self.cwd}/{path}"

    # -- Codex helpers -----------------------------------------------------------------------------

    def _shell(
        self, command: str, output: str, exit_code: int = 0, duration: float | None = None
    ) -> Call:
        duration = duration if duration is not None else round(self.rng.uniform(0.05, 12), 1)
        args: dict[str, Any] = {"command": ["bash", "-lc", command], "workdir": self.cwd}
        if self.rng.random() < 0.3:
            args["timeout_ms"] = 120000
        out = _DUMPS(
            {"output": output, "metadata": {"exit_code": exit_code, "duration_seconds": duration}}
        )
        return Call(
            "shell",
            _DUMPS(args),
            out,
            is_error=exit_code != 0,
            duration=duration,
            exit_code=exit_code,
        )

    # -- the tools ---------------------------------------------------------------------------------

    def read(self, path: str | None = None) -> Call:
        rng, p = self.rng, self.project
        path = path or rng.choice(codegen.code_files(p))
        text = codegen.source_file(rng, p)
        if not self.claude:
            return self._shell(f"sed -n '1,200p' {path}", text, duration=0.1)
        if rng.random() < 0.03:
            return Call(
                "Read",
                {"file_path": self._abs(path) + ".bak"},
                "<tool_use_error>File does not exist.</tool_use_error>",
                is_error=True,
                result="Error: File does not exist.",
                duration=0.01,
            )
        lines = text.count("\n")
        return Call(
            "Read",
            {"file_path": self._abs(path)},
            codegen.numbered(text.rstrip("\n")),
            result={
                "type": "text",
                "file": {
                    "filePath": self._abs(path),
                    "content": text,
                    "numLines": lines,
                    "startLine": 1,
                    "totalLines": lines,
                },
            },
            duration=0.02,
        )

    def search_pattern(self) -> str:
        idn = self.fill.ident()
        return self.rng.choice((idn.fn, idn.prop, idn.type, self.rng.choice(codegen.MESSAGES)))

    def grep(self, pattern: str | None = None) -> Call:
        rng, p = self.rng, self.project
        idn = self.fill.ident()
        pattern = pattern or self.search_pattern()
        hits = rng.sample(list(p.files), k=min(len(p.files), rng.randint(0, 6)))
        if not self.claude:
            out = "".join(
                f"{f}:{rng.randint(1, 300)}:{codegen.statement(rng, p.lang, idn).splitlines()[0]}\n"
                for f in hits
            )
            return self._shell(
                f'rg -n "{pattern}" {rng.choice((".", ".", p.files[0].split("/")[0]))}',
                out,
                exit_code=0 if hits else 1,
                duration=0.1,
            )
        if rng.random() < 0.5:
            body = (
                (
                    f"Found {len(hits)} file{'s' if len(hits) != 1 else ''}\n"
                    + "\n".join(self._abs(f) for f in hits)
                )
                if hits
                else "No files found"
            )
            return Call(
                "Grep",
                {"pattern": pattern, "path": self.cwd, "output_mode": "files_with_matches"},
                body,
                result={
                    "mode": "files_with_matches",
                    "filenames": [self._abs(f) for f in hits],
                    "numFiles": len(hits),
                },
                duration=0.05,
            )
        content = "\n".join(
            f"{self._abs(f)}:{rng.randint(1, 300)}:{codegen.statement(rng, p.lang, idn).splitlines()[0]}"
            for f in hits
        )
        return Call(
            "Grep",
            {"pattern": pattern, "output_mode": "content", "-n": True},
            content or "No matches found",
            result={
                "mode": "content",
                "numFiles": 0,
                "filenames": [],
                "content": content,
                "numLines": len(hits),
            },
            duration=0.05,
        )

    def glob(self) -> Call:
        rng, p = self.rng, self.project
        ext = rng.choice(p.files).rsplit(".", 1)[-1]
        hits = [f for f in p.files if f.endswith("." + ext)]
        if not self.claude:
            return self._shell(f"rg --files -g '*.{ext}'", "\n".join(hits) + "\n", duration=0.1)
        return Call(
            "Glob",
            {"pattern": f"**/*.{ext}"},
            "\n".join(self._abs(f) for f in hits),
            result={
                "filenames": [self._abs(f) for f in hits],
                "durationMs": rng.randint(3, 90),
                "numFiles": len(hits),
                "truncated": False,
            },
            duration=0.03,
        )

    def edit(self, fail: bool = False) -> Call:
        rng, p = self.rng, self.project
        path = rng.choice(codegen.code_files(p))
        old, new = codegen.edit_pair(rng, p)
        if not self.claude:
            patch = codegen.apply_patch_text(path, old, new)
            if fail:
                out = _DUMPS(
                    {
                        "output": f"Failed to find expected lines in {path}:\n{old}",
                        "metadata": {"exit_code": 1, "duration_seconds": 0.0},
                    }
                )
                return Call("apply_patch", patch, out, is_error=True, custom=True, exit_code=1)
            out = _DUMPS(
                {
                    "output": f"Success. Updated the following files:\nM {path}\n",
                    "metadata": {"exit_code": 0, "duration_seconds": 0.0},
                }
            )
            return Call("apply_patch", patch, out, custom=True, duration=0.05)
        inp = {"file_path": self._abs(path), "old_string": old, "new_string": new}
        if fail:
            msg = f"String to replace not found in file.\nString: {old}"
            return Call(
                "Edit",
                inp,
                f"<tool_use_error>{msg}</tool_use_error>",
                is_error=True,
                result=f"Error: {msg}",
                duration=0.01,
            )
        line = rng.randint(3, 180)
        snippet = codegen.numbered(new, start=line)
        original = codegen.source_file(rng, p) if rng.random() < 0.5 else None
        result = {
            "filePath": self._abs(path),
            "oldString": old,
            "newString": new,
            "originalFile": original,
            "structuredPatch": [
                {
                    "oldStart": line,
                    "oldLines": old.count("\n") + 1,
                    "newStart": line,
                    "newLines": new.count("\n") + 1,
                    "lines": ["-" + s for s in old.split("\n")]
                    + ["+" + s for s in new.split("\n")],
                }
            ],
            "userModified": False,
            "replaceAll": False,
        }
        return Call(
            "Edit",
            inp,
            f"The file {self._abs(path)} has been updated. Here's the result of "
            f"running `cat -n` on a snippet of the edited file:\n{snippet}",
            result=result,
            duration=0.05,
        )

    def write(self) -> Call:
        rng, p = self.rng, self.project
        base = rng.choice(codegen.code_files(p))
        stem, _, ext = base.rpartition(".")
        path = f"{stem}_{rng.choice(('helpers', 'types', 'fixtures', 'v2'))}.{ext}"
        text = codegen.source_file(rng, p)
        if not self.claude:
            patch = (
                f"*** Begin Patch\n*** Add File: {path}\n"
                + "".join("+" + s + "\n" for s in text.rstrip("\n").split("\n"))
                + "*** End Patch\n"
            )
            out = _DUMPS(
                {
                    "output": f"Success. Updated the following files:\nA {path}\n",
                    "metadata": {"exit_code": 0, "duration_seconds": 0.0},
                }
            )
            return Call("apply_patch", patch, out, custom=True, duration=0.05)
        return Call(
            "Write",
            {"file_path": self._abs(path), "content": text},
            f"File created successfully at: {self._abs(path)}",
            result={
                "type": "create",
                "filePath": self._abs(path),
                "content": text,
                "structuredPatch": [],
            },
            duration=0.02,
        )

    def bash(
        self,
        command: str,
        output: str,
        exit_code: int = 0,
        description: str | None = None,
        duration: float | None = None,
    ) -> Call:
        rng = self.rng
        duration = duration if duration is not None else round(rng.uniform(0.05, 40), 2)
        if not self.claude:
            return self._shell(command, output, exit_code, duration=round(duration, 1))
        inp: dict[str, object] = {"command": command}
        if description or rng.random() < 0.7:
            inp["description"] = description or rng.choice(
                ("Run the command", "Check the result", "Inspect output", "Run it")
            )
        if exit_code:
            body = f"Exit code {exit_code}\n{output}".rstrip("\n")
            return Call(
                "Bash",
                inp,
                body,
                is_error=True,
                result=f"Error: {body}",
                duration=duration,
                exit_code=exit_code,
            )
        return Call(
            "Bash",
            inp,
            output.rstrip("\n"),
            result={
                "stdout": output.rstrip("\n"),
                "stderr": "",
                "interrupted": False,
                "isImage": False,
            },
            duration=duration,
        )

    def test(self, fail: bool) -> Call:
        rng, p = self.rng, self.project
        cmd = rng.choice(p.tests)
        out = command_output.test_run(rng, p, cmd, fail, ansi=self.claude and rng.random() < 0.3)
        return self.bash(
            cmd,
            out,
            exit_code=1 if fail else 0,
            description="Run the tests",
            duration=round(rng.uniform(1, 90), 2),
        )

    def check(self, fail: bool) -> Call:
        rng, p = self.rng, self.project
        cmd = rng.choice(p.checks)
        return self.bash(
            cmd,
            command_output.check_run(rng, p, cmd, fail),
            exit_code=2 if fail else 0,
            description=rng.choice(
                (
                    "Type-check and lint",
                    "Run static checks",
                    "Build the project",
                    "Check for warnings",
                )
            ),
        )

    def logs(self, lines: int) -> Call:
        rng, p = self.rng, self.project
        cmd = rng.choice(
            (
                f"tail -n {lines} logs/{p.name}.log",
                f"kubectl -n prod logs deploy/{p.name} --tail={lines}",
                f"journalctl -u {p.name} -n {lines} --no-pager",
                f"cat runs/latest/train.log | tail -{lines}",
            )
        )
        return self.bash(
            cmd, command_output.long_log(rng, p, lines), description="Show recent logs"
        )

    def git(self, sub: str, message: str = "") -> Call:
        p, branch = self.project, self.fill.branch
        if sub == "diff":
            old, new = codegen.edit_pair(self.rng, p)
            return self.bash(
                "git diff",
                codegen.unified_diff(self.rng.choice(p.files), old, new, self.rng.randint(3, 200)),
            )
        cmd = {
            "status": "git status",
            "log": "git log --oneline -10",
            "push": f"git push origin {branch}",
            "commit": f"git add -A && git commit -m {json.dumps(message, ensure_ascii=False)}",
        }[sub]
        return self.bash(
            cmd,
            command_output.git_output(self.rng, p, sub, branch, message),
            description=f"git {sub}",
        )

    def rejected(self) -> Call:
        call = self.edit()
        if not self.claude:
            return call
        return Call(
            call.name,
            call.input,
            REJECTED,
            is_error=True,
            result="User rejected tool use",
            duration=3.0,
        )

    def todo(self, items: list[str], done: int) -> Call:
        todos = [
            {
                "content": t,
                "status": "completed" if i < done else ("in_progress" if i == done else "pending"),
                "activeForm": t[:1].upper() + t[1:],
            }
            for i, t in enumerate(items)
        ]
        if not self.claude:
            plan = {"plan": [{"step": t["content"], "status": t["status"]} for t in todos]}
            return Call("update_plan", _DUMPS(plan), "Plan updated", duration=0.01)
        return Call(
            "TodoWrite",
            {"todos": todos},
            TODO_OK,
            result={"oldTodos": [], "newTodos": todos},
            duration=0.01,
        )

    def web(self) -> Call:
        rng = self.rng
        dep = rng.choice(self.project.deps)
        name = dep.split("@")[0]
        url = rng.choice(
            (
                f"https://github.com/{name.strip('@')}/releases",
                f"https://docs.example.dev/{name.strip('@').replace('/', '-')}/migration",
            )
        )
        text = self.fill.fill(
            "The migration guide for {dep} says: the default for `{prop}` changed, "
            "`{fn}` was removed in favour of a hook, and {noun} handling is now async.",
            dep=dep,
        )
        return Call(
            "WebFetch",
            {"url": url, "prompt": f"What changed in {dep}?"},
            text,
            result={
                "bytes": rng.randint(20000, 400000),
                "code": 200,
                "codeText": "OK",
                "result": text,
                "durationMs": rng.randint(300, 6000),
                "url": url,
            },
            duration=round(rng.uniform(1, 8), 2),
        )

    def task(self, sub: SubRun) -> Call:
        rng = self.rng
        tokens = rng.randint(4000, 60000)
        result: dict[str, Any] = {
            "status": "completed",
            "prompt": sub.prompt,
            "agentId": None,
            "content": [{"type": "text", "text": sub.result}],
            "totalDurationMs": rng.randint(8000, 300000),
            "totalTokens": tokens,
            "totalToolUseCount": sum(len(r.calls) for r in sub.replies),
            "usage": {"input_tokens": rng.randint(5, 900), "output_tokens": rng.randint(200, 3000)},
        }
        return Call(
            "Task",
            {"description": sub.description, "prompt": sub.prompt, "subagent_type": sub.agent_type},
            [{"type": "text", "text": sub.result}],
            result=result,
            duration=result["totalDurationMs"] / 1000,
            sub=sub,
        )
