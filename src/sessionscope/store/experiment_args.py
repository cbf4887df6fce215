"""Checks of the experiment API's arguments, made before any transaction opens, and the
vocabulary they check against (config roles, experiment statuses, canonical config JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from . import blocks as blockcodec
from .errors import InvalidInput
from .timeutil import normalize_ts, now_iso

CONFIG_ROLES = ("champion", "challenger", "historical")
EXPERIMENT_STATUSES = ("running", "promoted", "aborted", "held")


def canonical_json(payload: Mapping[str, Any]) -> str:
    """The payload as canonical JSON: sorted keys, no spaces, ASCII only."""
    if not isinstance(payload, Mapping):
        raise InvalidInput(f"a config payload must be a dict, not {type(payload).__name__}.")
    try:
        return json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"a config payload must be JSON-serialisable: {exc}.") from None


def as_id(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be an integer id, not {value!r}.")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, not {type(value).__name__}.")
    return value


# -- the API's arguments ---------------------------------------------


def project_args(name: Any, root_path: Any, adapter: Any, metadata: Any) -> str | None:
    """Check `create_project`'s arguments; return the encoded metadata."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("a project needs a non-empty name.")
    _optional_text(root_path, "root_path")
    _optional_text(adapter, "adapter")
    return blockcodec.encode_metadata(metadata)


def config_args(project_id: Any, payload: Mapping[str, Any], role: Any) -> tuple[str, str]:
    """Check `add_config`'s arguments; return the canonical JSON and its sha256."""
    as_id(project_id, "project_id")
    if role not in CONFIG_ROLES:
        raise InvalidInput(f"role must be one of {', '.join(CONFIG_ROLES)}, not {role!r}.")
    text = canonical_json(payload)
    import hashlib  # on use: the store opens without it

    return text, hashlib.sha256(text.encode("ascii")).hexdigest()


def experiment_args(
    project_id: Any, challenger_config_id: Any, traffic_share: Any, started_at: Any, metadata: Any
) -> tuple[str, str | None]:
    """Check `start_experiment`'s arguments; return the start time and encoded metadata."""
    as_id(project_id, "project_id")
    as_id(challenger_config_id, "challenger_config_id")
    if (
        isinstance(traffic_share, bool)
        or not isinstance(traffic_share, (int, float))
        or not 0 < traffic_share < 1
    ):
        raise InvalidInput(
            f"traffic_share must be a number strictly between 0 and 1, not {traffic_share!r}."
        )
    return normalize_ts(started_at) or now_iso(), blockcodec.encode_metadata(metadata)


def filter_args(project_id: int | None, status: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause and parameters of an `experiments` listing, checked."""
    if status is not None and status not in EXPERIMENT_STATUSES:
        raise InvalidInput(
            f"status must be one of {', '.join(EXPERIMENT_STATUSES)}, not {status!r}."
        )
    clauses: list[str] = []
    params: list[Any] = []
    if project_id is not None:
        clauses.append("project_id = ?")
        params.append(project_id)
    if status is not None:
        clauses.append("status = ?")
        params.append(status)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def assign_args(project_id: Any, session_key: Any) -> None:
    """Check `assign_variant`'s arguments."""
    as_id(project_id, "project_id")
    if not isinstance(session_key, str) or not session_key:
        raise InvalidInput("session_key must be a non-empty string.")


def finish_args(experiment_id: Any, decided_at: str | None) -> str:
    """Check an experiment id; return the decision time."""
    as_id(experiment_id, "experiment_id")
    return normalize_ts(decided_at) or now_iso()
