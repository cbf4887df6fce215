"""Every public Store method, called with odd values, raises only the store's typed exceptions.

None, huge and negative integers, floats (nan, inf, 1e20), bytes, lone surrogates, wrong types
and dicts whose keys collide once JSON-encoded: each is either accepted or refused with a
`StoreError` (usually `InvalidInput`), never a plain Python error, and never silently altered.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.store.core import Store
from sessionscope.store.validate import MESSAGE_KEYS as _MESSAGE_KEYS
from sessionscope.store.validate import SESSION_FIELDS as _SESSION_FIELDS

SKIP = {"close", "transaction", "check", "health"}  # no arguments worth fuzzing, or closes
METHODS = sorted(
    name
    for name, fn in inspect.getmembers(Store, callable)
    if not name.startswith("_") and name not in SKIP
)

ODD: list[Any] = [
    None,
    0,
    -1,
    2**63,
    -(2**63) - 1,
    2**64,
    10**30,
    -(10**30),
    10**400,  # past what a float holds: its division by 1,000 overflows
    1e20,
    -1e20,
    float("nan"),
    float("inf"),
    float("-inf"),
    0.5,
    True,
    b"bytes",
    bytearray(b"x"),
    "",
    "\ud800",
    "x\x00y",
    "s1",
    "2026-01-01T00:00:00Z",
    # values that get past the first check, so later ones are reached too
    1,
    2,
    "user",
    "explicit",
    "champion",
    "p",
    [],
    {},
    [{"type": "text", "text": "\ud800"}],
    [{"type": "tool_use", "id": "t", "name": "n", "input": {1: "a", "1": "b"}}],
    {1: "a", "1": "b"},
    {True: 1, "true": 2},
    {None: 1},
    (1, 2),
    object(),
]
odd = st.sampled_from(ODD)
keys = st.sampled_from([k for k in ODD if not isinstance(k, (list, dict, bytearray))])
nested = st.recursive(
    odd,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=6,
)


def _fields(names: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.sampled_from(sorted(names)) | st.sampled_from(["bogus"]), odd | nested, max_size=3
    )


@pytest.fixture
def seeded(store_path: Path) -> Store:
    db = store.open()
    db.start_session(id="s1", title="seed")
    db.append("s1", "user", "hello")
    db.append("s1", "assistant", [{"type": "tool_use", "id": "t", "name": "Bash", "input": {}}])
    pid = db.create_project("p", root_path="/src/p")
    db.add_config(pid, {"a": 1}, role="champion")
    chall = db.add_config(pid, {"a": 2})
    db.start_experiment(pid, challenger_config_id=chall)
    yield db
    db.close()


def _call(db: Store, name: str, data: st.DataObject) -> None:
    method = getattr(db, name)
    args: dict[str, Any] = {}
    for param in inspect.signature(method).parameters.values():
        if param.kind is param.VAR_KEYWORD:
            keys = _SESSION_FIELDS if "session" in param.name else _MESSAGE_KEYS | _SESSION_FIELDS
            args.update(data.draw(_fields(keys), label=param.name))
        elif param.kind is not param.VAR_POSITIONAL:
            if param.default is not param.empty and data.draw(st.booleans()):
                continue
            args[param.name] = data.draw(odd | nested, label=param.name)
    if name == "append_many" and isinstance(args.get("messages"), list):
        args["messages"] = [
            data.draw(_fields(_MESSAGE_KEYS), label="message") for _ in args["messages"]
        ]
    try:
        method(**args)
    except store.StoreError:
        pass
    except TypeError as exc:
        # a keyword the method does not take is Python's own refusal, not the store's
        if "unexpected keyword argument" not in str(exc) and "missing" not in str(exc):
            raise


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(METHODS), st.data())
def test_public_methods_raise_only_typed_errors(seeded: Store, name: str, data) -> None:
    _call(seeded, name, data)


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.append("s1", "user", "x", created_at=1e20),
        lambda db: db.append("s1", "user", "x", created_at=float("nan")),
        lambda db: db.append("s1", "user", "x", created_at=-1e20),
        lambda db: db.start_session(started_at=10**30),
        lambda db: db.sessions(limit=2**64),
        lambda db: db.sessions(offset=-(2**70)),
        lambda db: db.scroll("s1", around=2**64),
        lambda db: db.scroll("s1", before=2**64),
        lambda db: db.messages("s1", start=2**70),
        lambda db: db.search(None),
        lambda db: db.search(b"bytes"),
        lambda db: db.search("x", limit=2**64),
        lambda db: db.append("s1", "tool", [{"type": "tool_use", "input": {1: "a", "1": "b"}}]),
        lambda db: db.append("s1", "user", "x", metadata={1: "a", "1": "b"}),
        lambda db: db.append("s1", "user", "x", metadata={True: 1, "true": 2}),
        lambda db: db.record_signal("s1", "explicit", "thumbs", 1.0, payload={1: 0, "1": 1}),
        lambda db: db.load(["s1"]),
        lambda db: db.sessions(project=5),
        lambda db: db.resolve_session(None),
        lambda db: db.append_many("s1", None),
        lambda db: db.save("s1", [1]),
    ],
)
def test_named_odd_values_are_invalid_input(seeded: Store, call) -> None:
    before = seeded.load("s1")
    with pytest.raises(store.InvalidInput):
        call(seeded)
    assert seeded.load("s1") == before


def test_non_string_keys_that_do_not_collide_are_kept(seeded: Store) -> None:
    seq = seeded.append("s1", "user", "x", metadata={1: "a", "2": "b"})
    assert seeded.messages("s1", seq, seq + 1)[0].metadata == {"1": "a", "2": "b"}


# A good value for each parameter name, so that one odd value at a time reaches its own check.
GOOD: dict[str, Any] = {
    "session_id": "s1",
    "role": "user",
    "content": "words",
    "messages": [{"role": "user", "content": "words"}],
    "replace": False,
    "experiment_id": 1,
    "project_id": 1,
    "config_id": 1,
    "challenger_config_id": 2,
    "payload": {"a": 3},
    "session_key": "k",
    "full": False,
    "name": "p2",
    "ref": "s1",
    "external_id": "e",
    "path": "/x.jsonl",
    "source": "api",
    "kind": "explicit",
    "value": 0.5,
    "query": "hello",
    "title": "t",
    "status": "completed",
    "order": None,
}


def _good(param: inspect.Parameter) -> Any:
    if param.name in GOOD and GOOD[param.name] is not None:
        return GOOD[param.name]
    if param.default is not param.empty:
        return param.default
    return {"size": 1, "mtime": 1.0, "offset": 0}.get(param.name, "s1")


@pytest.mark.parametrize("name", METHODS)
def test_each_parameter_with_each_odd_value(seeded: Store, name: str) -> None:
    method = getattr(seeded, name)
    params = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    extra = sorted(_SESSION_FIELDS if name in ("start_session", "update_session", "save") else ())
    if name == "append":
        extra = sorted(_MESSAGE_KEYS - {"role", "content"})
    for target in [p.name for p in params] + extra:
        for value in ODD:
            args = {p.name: _good(p) for p in params}
            args[target] = value
            try:
                method(**args)
            except store.StoreError:
                pass
            except Exception as exc:
                raise AssertionError(f"{name}({target}={value!r}) raised {exc!r}") from exc
