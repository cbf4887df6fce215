"""The clipboard module with fake tool binaries on PATH: which tool, fallbacks, honest messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sessionscope import clipboard


def fake_tool(bin_dir: Path, name: str, *, status: int = 0, sleep: float = 0) -> Path:
    """A script named `name` that records its arguments and stdin beside itself."""
    bin_dir.mkdir(exist_ok=True)
    record = bin_dir / f"{name}.got"
    script = bin_dir / name
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{record}.args"\n'
        f'/bin/cat > "{record}"\n' + (f"/bin/sleep {sleep}\n" if sleep else "") + f"exit {status}\n"
    )
    script.chmod(0o755)
    return record


def x11(bin_dir: Path) -> dict[str, str]:
    return {"DISPLAY": ":0", "PATH": str(bin_dir)}


def test_xclip_takes_the_text_and_the_message_names_it(tmp_path: Path) -> None:
    record = fake_tool(tmp_path / "bin", "xclip")
    result = clipboard.copy("héllo", env=x11(tmp_path / "bin"), platform="linux")
    assert result.ok and result.via == "xclip"
    assert result.message == "Copied 5 characters with xclip."
    assert record.read_text(encoding="utf-8") == "héllo"
    assert Path(f"{record}.args").read_text().split() == ["-selection", "clipboard"]


def test_a_failing_xclip_falls_back_to_xsel(tmp_path: Path) -> None:
    fake_tool(tmp_path / "bin", "xclip", status=1)
    record = fake_tool(tmp_path / "bin", "xsel")
    result = clipboard.copy("abc", what="the session id", env=x11(tmp_path / "bin"))
    assert result.via == "xsel" and record.read_text() == "abc"
    assert result.message == "Copied the session id (3 characters) with xsel."


def test_wayland_prefers_wl_copy(tmp_path: Path) -> None:
    fake_tool(tmp_path / "bin", "xclip")
    record = fake_tool(tmp_path / "bin", "wl-copy")
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "PATH": str(tmp_path / "bin")}
    assert clipboard.copy("w", env=env, platform="linux").via == "wl-copy"
    assert record.read_text() == "w"


def test_macos_uses_pbcopy_and_wsl_clip_exe_in_utf16(tmp_path: Path) -> None:
    record = fake_tool(tmp_path / "bin", "pbcopy")
    env = {"PATH": str(tmp_path / "bin")}
    assert clipboard.copy("mac", env=env, platform="darwin").via == "pbcopy"
    assert record.read_text() == "mac"
    record = fake_tool(tmp_path / "bin", "clip.exe")
    env = {"PATH": str(tmp_path / "bin"), "WSL_DISTRO_NAME": "Debian"}
    assert clipboard.copy("wsl é", env=env, platform="linux").via == "clip.exe"
    assert record.read_bytes().decode("utf-16") == "wsl é"


def test_no_tool_but_a_terminal_is_osc52_said_honestly(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    sent: list[str] = []
    result = clipboard.copy("abc", osc52=sent.append, env=x11(tmp_path / "bin"))
    assert sent == ["abc"] and result.ok and result.via == "osc52"
    assert "OSC 52" in result.message and "may ignore it" in result.message
    assert "xclip is not installed" in result.message


def test_nothing_copied_says_why(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    result = clipboard.copy("abc", env=x11(tmp_path / "bin"), platform="linux")
    assert not result.ok and result.via == ""
    assert result.message == ("Nothing copied: xclip is not installed; xsel is not installed.")
    headless = clipboard.copy("abc", env={"PATH": str(tmp_path / "bin")}, platform="linux")
    assert not headless.ok and headless.message.startswith("Nothing copied: no display")


def test_a_hanging_tool_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "TIMEOUT", 0.3)
    fake_tool(tmp_path / "bin", "xclip", sleep=5)
    record = fake_tool(tmp_path / "bin", "xsel")
    result = clipboard.copy("abc", env=x11(tmp_path / "bin"), platform="linux")
    assert result.via == "xsel" and record.read_text() == "abc"


def test_the_real_environment_never_raises() -> None:
    result = clipboard.copy("x", env=dict(os.environ, PATH=""))
    assert isinstance(result.message, str) and result.message
