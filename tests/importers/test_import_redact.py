"""Item 1 (the redactor's part): under `--redact`, no text can fail the import. `paſſword=` was a
KeyError in the redactor's lookup, which rolled back the whole transaction on every run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli

SID = "22222222-3333-4444-8555-666666666666"
TRAPS = [
    "paſſword=hunter2x",
    "PAſſWORD: 'hunter2x'",
    "\u212aEY_SECRET=hunter2x",
    "\u0130_TOKEN=hunter2x",
    "ﬀ_password=hunter2x",
    "straße_password=hunter2x",
    "[" * 5000,
    "a_" * 20000,
    "eyJ" * 10000,
    "ΣΑΣ_ΤΟΚΕΝ=ok",  # Greek look-alikes: not a key name, must not fail either
]


def test_case_folding_traps_import_under_redact(tmp_path: Path) -> None:
    project = tmp_path / "claude" / "-home-dev-traps"
    project.mkdir(parents=True)
    lines = []
    for n, text in enumerate(TRAPS):
        lines.append(
            {
                "type": "user",
                "uuid": f"u-{n}",
                "parentUuid": f"u-{n - 1}" if n else None,
                "sessionId": SID,
                "cwd": "/home/dev/traps",
                "timestamp": f"2026-10-09T10:00:{n:02d}.000Z",
                "message": {"role": "user", "content": text},
            }
        )
    (project / f"{SID}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    result = CliRunner().invoke(cli, ["import", "claude-code", str(project), "--redact"])
    assert result.exit_code == 0, result.output
    with store.open() as db:
        session = db.load(SID)
        assert session is not None and len(session.messages) == len(TRAPS)
        assert "hunter2x" not in repr(session)
    again = CliRunner().invoke(cli, ["import", "claude-code", str(project)])
    assert again.exit_code == 0, again.output
