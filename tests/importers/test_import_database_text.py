"""Text that is not UTF-8 in a foreign database (OpenCode's `opencode.db`, Cursor's
`state.vscdb`) costs at most its own bytes: one such record stopped the rest of its database on
every run ("could not read the OpenCode database (Could not decode to UTF-8 column 'title')").
Bad bytes are read as U+FFFD; the record and every other one are imported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sources_support import OPENCODE_SQL

from sessionscope import store
from sessionscope.importers import import_source

BAD = "CAST(X'41FF42' AS TEXT)"  # 'A', a byte that is never UTF-8, 'B'


def _opencode(root: Path) -> Path:
    root.mkdir(parents=True)
    conn = sqlite3.connect(root / "opencode.db")
    conn.executescript(OPENCODE_SQL.read_text())
    for table in ("session", "message", "part"):
        conn.execute(f"DELETE FROM {table}")
    # the bad session's id, title and part text hold the bad byte; it sorts first
    conn.execute(
        f"INSERT INTO session VALUES (CAST(X'7365735FFF' AS TEXT), 'prj_webapp', NULL, 's',"
        f" '/w', {BAD}, '1', NULL, 1, 2, NULL, NULL)"
    )
    conn.execute(
        "INSERT INTO message VALUES ('msg_bad', CAST(X'7365735FFF' AS TEXT), 1, 2, ?)",
        (json.dumps({"role": "user", "time": {"created": 1791277200000}}),),
    )
    conn.execute(
        "INSERT INTO part VALUES ('prt_bad', 'msg_bad', CAST(X'7365735FFF' AS TEXT), 1, 2,"
        " CAST(X'7B2274797065223A2274657874222C2274657874223A2248FF6921227D' AS TEXT))"
    )  # {"type":"text","text":"H\xffi!"}
    for n in range(3):
        sid, mid = f"ses_good{n}", f"msg_good{n}"
        conn.execute(
            "INSERT INTO session VALUES (?, 'prj_webapp', NULL, 's', '/w', ?, '1', NULL, 1, 2,"
            " NULL, NULL)",
            (sid, f"good {n}"),
        )
        info = json.dumps({"role": "user", "time": {"created": 1791277200000 + n}})
        conn.execute("INSERT INTO message VALUES (?, ?, 1, 2, ?)", (mid, sid, info))
        part = json.dumps({"type": "text", "text": f"prompt {n}"})
        conn.execute("INSERT INTO part VALUES (?, ?, ?, 1, 2, ?)", (f"prt_{n}", mid, sid, part))
    conn.commit()
    conn.close()
    return root


def test_bad_bytes_in_opencode_cost_nothing_but_themselves(db: store.Store, tmp_path: Path) -> None:
    root = _opencode(tmp_path / "oc")
    report = import_source(db, "opencode", root)
    assert report.files_unread == 0 and report.skipped_lines == []
    for n in range(3):
        assert [m.blocks[0]["text"] for m in db.messages(f"ses_good{n}")] == [f"prompt {n}"]
    bad = db.session("ses_\ufffd")
    assert bad is not None and bad.title == "A\ufffdB"
    assert [m.blocks[0]["text"] for m in db.messages(bad.id)] == ["H\ufffdi!"]
    assert import_source(db, "opencode", root).files_skipped == 1  # and later runs go on


def _cursor(root: Path) -> Path:
    path = root / "User" / "globalStorage" / "state.vscdb"
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    composers = {
        "c0": b'{"name":"A\xffB","lastUpdatedAt":2,"fullConversationHeadersOnly":'
        b'[{"bubbleId":"b0","type":1}]}',
        "c1": json.dumps(
            {
                "name": "good",
                "lastUpdatedAt": 2,
                "fullConversationHeadersOnly": [{"bubbleId": "b0"}],
            }
        ).encode(),
    }
    composers["c2"] = composers["c1"]
    for cid, value in composers.items():
        # stored as TEXT (what Cursor writes), so the bytes come back through the text decoder;
        # c2's as BLOBs
        cast = "?" if cid == "c2" else "CAST(? AS TEXT)"
        conn.execute(f"INSERT INTO cursorDiskKV VALUES (?, {cast})", (f"composerData:{cid}", value))
        bubble = b'{"type":1,"text":"hi \xfe from ' + cid.encode() + b'"}'
        conn.execute(f"INSERT INTO cursorDiskKV VALUES (?, {cast})", (f"bubbleId:{cid}:b0", bubble))
    conn.commit()
    conn.close()
    return path


def test_bad_bytes_in_cursor_cost_nothing_but_themselves(db: store.Store, tmp_path: Path) -> None:
    path = _cursor(tmp_path / "Cursor")
    report = import_source(db, "cursor", path)
    assert report.files_unread == 0 and report.skipped_lines == []
    bad, good = db.session("c0"), db.session("c1")
    assert bad is not None and good is not None and bad.title == "A\ufffdB"
    assert [m.blocks[0]["text"] for m in db.messages("c0")] == ["hi \ufffd from c0"]
    assert [m.blocks[0]["text"] for m in db.messages("c1")] == ["hi \ufffd from c1"]
    assert [m.blocks[0]["text"] for m in db.messages("c2")] == ["hi \ufffd from c2"]


def test_a_cursor_database_that_cannot_be_read_is_called_so(
    db: store.Store, tmp_path: Path
) -> None:
    """The warning named the OpenCode database for Cursor's too."""
    path = _cursor(tmp_path / "Cursor")
    Path(f"{path}-wal").mkdir()  # a WAL that cannot be copied
    report = import_source(db, "cursor", path)
    ((_where, _line, reason),) = report.skipped_lines
    assert "could not read the Cursor database" in reason and "OpenCode" not in reason
