"""What `y` and `o` take from a message (code blocks, commands, file paths), the editor command
for a line, and the one-sentence reasons a file cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionscope.editor import EditorError, editor_argv, plan_edit
from sessionscope.pieces import FileRef, code_blocks, input_refs, text_refs, tool_command
from sessionscope.tui.format import tool_summary


def test_code_blocks_are_the_fenced_blocks_in_order() -> None:
    text = "Try:\n\n```python\nprint(1)\n```\n\nthen\n\n~~~\nls -l\n~~~\n"
    assert code_blocks(text) == ("print(1)", "ls -l")
    assert code_blocks("no code here") == ()


def test_tool_command_is_the_shell_command_as_typed() -> None:
    assert tool_command({"command": "pytest -q", "description": "run"}) == "pytest -q"
    assert tool_command({"command": ["bash", "-lc", "ls | wc -l"]}) == "ls | wc -l"
    assert tool_command({"command": ["git", "commit", "-m", "a b"]}) == "git commit -m 'a b'"
    assert tool_command({"pattern": "x"}) == '{\n  "pattern": "x"\n}'


@pytest.mark.parametrize(
    ("command", "typed"),
    [
        (["bash", "-lc", "ls | wc -l"], "ls | wc -l"),
        (["/bin/zsh", "-c", "make test", "zsh"], "make test"),  # $0 after the script
        (["sh", "-c", "echo $HOME"], "echo $HOME"),
        (["bash", "script.sh", "a b"], "bash script.sh 'a b'"),
        (["fish", "-c", "ls"], "fish -c ls"),  # not a shell whose -c we read
    ],
)
def test_one_rule_for_shell_wrappers_copy_and_summary(command: list[str], typed: str) -> None:
    """What `y` copies and the one-line summary in the transcript read a command alike."""
    assert tool_command({"command": command}) == typed
    assert tool_summary("shell", {"command": command}) == typed


def test_paths_in_tool_inputs_and_in_text() -> None:
    assert input_refs("Read", {"file_path": "/w/src/x.py", "offset": 40}) == [
        FileRef("/w/src/x.py", 40, named=True)
    ]
    edit = input_refs("Edit", {"file_path": "src/y.py", "old_string": "a", "new_string": "b"})
    assert edit[0].path == "src/y.py" and edit[0].named
    found = text_refs(
        "see src/x.py:42, README.md and https://example.com/a/b.py; e.g. done.\n"
        '  File "/w/app.py", line 7, in main'
    )
    paths = [(r.path, r.line) for r in found]
    assert paths[0] == ("/w/app.py", 7)
    assert ("src/x.py", 42) in paths and ("README.md", None) in paths
    assert not any("example.com" in p for p, _ in paths)


@pytest.mark.parametrize(
    ("editor", "argv"),
    [
        ("vim", ["vim", "+42", "f.py"]),
        ("/usr/bin/nvim -u NONE", ["/usr/bin/nvim", "-u", "NONE", "+42", "f.py"]),
        ("emacsclient -t", ["emacsclient", "-t", "+42", "f.py"]),
        ("nano", ["nano", "+42", "f.py"]),
        ("code --wait", ["code", "--wait", "--goto", "f.py:42"]),
        ("hx", ["hx", "f.py:42"]),
        ("someeditor", ["someeditor", "f.py"]),
    ],
)
def test_the_editor_is_asked_for_the_line_its_own_way(editor: str, argv: list[str]) -> None:
    assert editor_argv(editor, "f.py", 42) == argv


def _work(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    (work / "src" / "x.py").write_text("x = 1\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "vim").write_text("#!/bin/sh\n")
    (bin_dir / "vim").chmod(0o755)
    return work, {"EDITOR": "vim", "PATH": str(bin_dir)}


def test_the_first_file_that_exists_opens_relative_to_the_cwd(tmp_path: Path) -> None:
    work, env = _work(tmp_path)
    plan = plan_edit([FileRef("e.g"), FileRef("src/x.py", 3)], str(work), env)
    assert plan.argv == ["vim", "+3", str(work / "src" / "x.py")] and plan.cwd == str(work)


@pytest.mark.parametrize(
    ("refs", "cwd", "env", "said"),
    [
        ([FileRef("src/gone.py")], "WORK", None, "src/gone.py does not exist."),
        ([FileRef("src", named=True)], "WORK", None, "src is a directory, not a file."),
        ([FileRef("src/x.py")], "MISSING", None, "the session's directory"),
        ([FileRef("src/x.py")], None, None, "relative and the session has no working directory"),
        ([FileRef("src/x.py")], "WORK", {"PATH": ""}, "no editor: set $VISUAL or $EDITOR."),
        ([FileRef("src/x.py")], "WORK", {"EDITOR": "nope", "PATH": ""}, "nope"),
        ([], "WORK", None, "no file path under the cursor."),
    ],
)
def test_what_cannot_be_opened_is_one_sentence(
    tmp_path: Path,
    refs: list[FileRef],
    cwd: str | None,
    env: dict[str, str] | None,
    said: str,
) -> None:
    work, default_env = _work(tmp_path)
    where = {"WORK": str(work), "MISSING": str(tmp_path / "gone")}.get(cwd or "")
    with pytest.raises(EditorError) as caught:
        plan_edit(refs, where, env if env is not None else default_env)
    assert said in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("editor", "path", "line", "argv"),
    [
        ("vim", "-c", 3, ["vim", "+3", "./-c"]),
        ("vim", "+!sh", 3, ["vim", "+3", "./+!sh"]),
        ("vim", "--cmd", None, ["vim", "./--cmd"]),
        ("code", "-n", 3, ["code", "--goto", "./-n:3"]),
        ("hx", "-c", 3, ["hx", "./-c:3"]),
        ("someeditor", "--help", 3, ["someeditor", "./--help"]),
        ("vim", "/abs/-c", 3, ["vim", "+3", "/abs/-c"]),
    ],
)
def test_a_path_is_never_an_option_or_a_command_to_the_editor(
    editor: str, path: str, line: int | None, argv: list[str]
) -> None:
    assert editor_argv(editor, path, line) == argv


def test_a_relative_working_directory_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transcript's cwd `-work` (relative; a directory of that name where the browser runs)
    would put `-work/src/x.py` on the editor's command line."""
    work, env = _work(tmp_path)
    monkeypatch.chdir(tmp_path)
    work.rename(tmp_path / "-work")
    with pytest.raises(EditorError, match="is not an absolute path"):
        plan_edit([FileRef("src/x.py", 3)], "-work", env)
    absolute = plan_edit([FileRef(str(tmp_path / "-work" / "src" / "x.py"), 3)], "-work", env)
    assert absolute.argv == ["vim", "+3", str(tmp_path / "-work" / "src" / "x.py")]
    assert absolute.cwd == str(tmp_path / "-work" / "src")
