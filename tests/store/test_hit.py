"""`Hit` is a plain class (no dataclasses on the search path) that behaves like the frozen
dataclass it replaced: keyword or positional construction, value equality, immutability."""

from __future__ import annotations

import pytest

from sessionscope.store import Hit


def _hit(**changes: object) -> Hit:
    fields: dict[str, object] = {
        "message_id": 7,
        "session_id": "s1",
        "seq": 3,
        "role": "user",
        "created_at": None,
        "snippet": "a needle here",
        "highlights": [(2, 8)],
        "session_title": "t",
        "project": None,
        "source": "api",
        "score": -1.5,
    }
    fields.update(changes)
    return Hit(**fields)  # type: ignore[arg-type]


def test_hit_compares_by_value_and_is_immutable() -> None:
    hit = _hit()
    assert hit == _hit()
    assert hit != _hit(seq=4)
    assert hit.marked("[", "]") == "a [needle] here"
    with pytest.raises(AttributeError):
        hit.seq = 9  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del hit.role
    with pytest.raises(TypeError):
        hash(hit)
    assert repr(hit).startswith("Hit(message_id=7, session_id='s1'")


def test_hit_positional_matches_keyword() -> None:
    hit = _hit()
    positional = Hit(7, "s1", 3, "user", None, "a needle here", [(2, 8)], "t", None, "api", -1.5)
    assert positional == hit
    match hit:
        case Hit(message_id, session_id):
            assert (message_id, session_id) == (7, "s1")
