"""Projects, agent configs, champion/challenger experiments and their decision rule.

pid = db.create_project("webapp", root_path="/src/webapp", adapter="claude-code")
champ = db.add_config(pid, {"system_prompt_prefix": "..."}, role="champion")
chall = db.add_config(pid, {"system_prompt_prefix": "...", "model_pref": "..."})
eid = db.start_experiment(pid, challenger_config_id=chall, traffic_share=0.5)
variant, config = db.assign_variant(pid, session_key)
sid = db.start_session(project=pid, experiment_id=eid, variant=variant)
db.record_signal(sid, kind="explicit", source="thumbs", value=1.0)
d = db.decide(eid)          # Decision: promote / hold / need-more-data, P(challenger better)
db.promote(eid)             # or db.hold(eid) / db.abort(eid)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import blocks as blockcodec
from . import decision as rule
from .decision import ArmStats, Decision
from .errors import InvalidInput, NotFound
from .experiment_args import CONFIG_ROLES as CONFIG_ROLES
from .experiment_args import EXPERIMENT_STATUSES as EXPERIMENT_STATUSES
from .experiment_args import as_id, canonical_json, filter_args
from .timeutil import now_iso

VARIANTS = ("champion", "challenger")


@dataclass(frozen=True, slots=True)
class Project:
    """A project whose sessions run under a champion agent config."""

    id: int
    name: str
    root_path: str | None
    adapter: str | None
    champion_config_id: int | None
    created_at: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """One agent configuration of a project; `fingerprint` is the sha256 of its canonical JSON."""

    id: int
    project_id: int
    fingerprint: str
    payload: dict[str, Any]
    role: str
    created_at: str

    @property
    def short(self) -> str:
        """The first 8 characters of the fingerprint (enough to tell configs apart)."""
        return self.fingerprint[:8]


@dataclass(frozen=True, slots=True)
class Experiment:
    """A challenger config run against the project's champion on a share of its sessions."""

    id: int
    project_id: int
    champion_config_id: int
    challenger_config_id: int
    traffic_share: float
    status: str
    started_at: str
    ended_at: str | None = None
    decided_at: str | None = None
    decision: str | None = None
    decision_posterior: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


class Assignment(tuple[str, dict[str, Any]]):
    """`(variant, config payload)`, with `.experiment_id` and `.config_id` for tagging the session.

    Unpacks as a pair: `variant, config = db.assign_variant(pid, key)`.
    """

    variant: str
    config: dict[str, Any]
    experiment_id: int | None
    config_id: int

    def __new__(
        cls, variant: str, config: dict[str, Any], experiment_id: int | None, config_id: int
    ) -> Assignment:
        self = super().__new__(cls, (variant, config))
        self.variant = variant
        self.config = config
        self.experiment_id = experiment_id
        self.config_id = config_id
        return self

    def session_fields(self) -> dict[str, Any]:
        """Keywords for `start_session` that record this assignment on the session."""
        if self.experiment_id is None:
            return {"config_id": self.config_id}
        return {
            "experiment_id": self.experiment_id,
            "variant": self.variant,
            "config_id": self.config_id,
        }


def fingerprint(payload: Mapping[str, Any]) -> str:
    """sha256 (hex) of the payload's canonical JSON: the same payload always gives the same value."""
    import hashlib  # on use: the store opens without it

    return hashlib.sha256(canonical_json(payload).encode("ascii")).hexdigest()


def bucket(experiment_id: int, session_key: str) -> float:
    """A number in [0, 1) fixed by (experiment, session key): the variant assignment's coin."""
    import hashlib  # on use: the store opens without it

    digest = hashlib.sha256(f"{experiment_id}\x00{session_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


_PROJECT_COLUMNS = "id, name, root_path, adapter, champion_config_id, created_at, metadata"
_CONFIG_COLUMNS = "id, project_id, fingerprint, payload, role, created_at"
_EXPERIMENT_COLUMNS = (
    "id, project_id, champion_config_id, challenger_config_id, traffic_share, status,"
    " started_at, ended_at, decided_at, decision, decision_posterior, metadata"
)


def _project(row: tuple[Any, ...]) -> Project:
    return Project(*row[:6], metadata=blockcodec.decode_metadata(row[6]))  # type: ignore[misc]


def _config(row: tuple[Any, ...]) -> AgentConfig:
    return AgentConfig(row[0], row[1], row[2], blockcodec.decode_metadata(row[3]), row[4], row[5])


def _experiment(row: tuple[Any, ...]) -> Experiment:
    return Experiment(*row[:11], metadata=blockcodec.decode_metadata(row[11]))  # type: ignore[misc]


# Per session of one experiment: its variant and fitness (NULL without signals).
_FITNESS_SQL = f"""
SELECT s.variant,
       (SELECT sum(CASE g.kind WHEN 'explicit' THEN {rule.EXPLICIT_WEIGHT}
                   ELSE {rule.IMPLICIT_WEIGHT} END * g.value)
             / sum(CASE g.kind WHEN 'explicit' THEN {rule.EXPLICIT_WEIGHT}
                   ELSE {rule.IMPLICIT_WEIGHT} END)
          FROM signals AS g WHERE g.session_id = s.id) AS fitness
  FROM sessions AS s
 WHERE s.experiment_id = ? AND s.variant IS NOT NULL
 ORDER BY s.started_at, s.id
"""


# -- projects ------------------------------------------------------------------------------------


def create_project(
    conn: sqlite3.Connection,
    name: str,
    root_path: str | None,
    adapter: str | None,
    encoded: str | None,
    exist_ok: bool,
) -> int:
    """Insert a project (or find it by name with `exist_ok`); return its id."""
    row = conn.execute("SELECT id FROM projects WHERE name = ?", (name,)).fetchone()
    if row:
        if exist_ok:
            return int(row[0])
        raise InvalidInput(f"a project named {name!r} already exists (id {row[0]}).")
    cursor = conn.execute(
        "INSERT INTO projects (name, root_path, adapter, created_at, metadata)"
        " VALUES (?, ?, ?, ?, ?)",
        (name, root_path, adapter, now_iso(), encoded),
    )
    return int(cursor.lastrowid or 0)


def projects(conn: sqlite3.Connection) -> list[Project]:
    """Every project, by name."""
    return [
        _project(row)
        for row in conn.execute(
            f"SELECT {_PROJECT_COLUMNS} FROM projects ORDER BY name COLLATE NOCASE, id"
        )
    ]


def project(conn: sqlite3.Connection, ref: int | str) -> Project | None:
    """A project by id or by name, or None."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        row = conn.execute(
            f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE id = ?", (ref,)
        ).fetchone()
    else:
        row = conn.execute(
            f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE name = ?", (str(ref),)
        ).fetchone()
    return None if row is None else _project(row)


# -- configs -------------------------------------------------------------------------------------


def add_config(conn: sqlite3.Connection, project_id: int, text: str, digest: str, role: str) -> int:
    """Add (or find) a config by its canonical JSON and give it `role` (see `Store.add_config`)."""
    project = _require_project(conn, project_id)
    row = conn.execute(
        "SELECT id, role FROM agent_configs WHERE project_id = ? AND fingerprint = ?",
        (project_id, digest),
    ).fetchone()
    if row is None:
        config_id = int(
            conn.execute(
                "INSERT INTO agent_configs (project_id, fingerprint, payload, role,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (project_id, digest, text, "historical", now_iso()),
            ).lastrowid
            or 0
        )
        current = "historical"
    else:
        config_id, current = int(row[0]), row[1]
    if role == current:
        return config_id
    champion_id = project[4]
    if role == "champion":
        running = _running_id(conn, project_id)
        if running is not None and config_id != champion_id:
            raise InvalidInput(
                f"project {project[1]!r} has a running experiment (#{running}); promote,"
                " hold or abort it before changing the champion."
            )
        if champion_id is not None and champion_id != config_id:
            conn.execute(
                "UPDATE agent_configs SET role = 'historical' WHERE id = ?",
                (champion_id,),
            )
        conn.execute(
            "UPDATE projects SET champion_config_id = ? WHERE id = ?",
            (config_id, project_id),
        )
    elif config_id == champion_id:
        raise InvalidInput(
            f"config {config_id} is the champion of project {project[1]!r}; it cannot"
            f" also be {role}."
        )
    elif current == "challenger" and _is_running_challenger(conn, config_id):
        raise InvalidInput(
            f"config {config_id} is the challenger of a running experiment; end the"
            " experiment first."
        )
    conn.execute("UPDATE agent_configs SET role = ? WHERE id = ?", (role, config_id))
    return config_id


def configs(conn: sqlite3.Connection, project_id: int) -> list[AgentConfig]:
    """A project's configs: the champion first, then newest first."""
    return [
        _config(row)
        for row in conn.execute(
            f"SELECT {_CONFIG_COLUMNS} FROM agent_configs WHERE project_id = ?"
            " ORDER BY role = 'champion' DESC, created_at DESC, id DESC",
            (project_id,),
        )
    ]


def config(conn: sqlite3.Connection, config_id: int) -> AgentConfig | None:
    """One config by id, or None."""
    row = conn.execute(
        f"SELECT {_CONFIG_COLUMNS} FROM agent_configs WHERE id = ?", (config_id,)
    ).fetchone()
    return None if row is None else _config(row)


# -- experiments ---------------------------------------------------------------------------------


def start_experiment(
    conn: sqlite3.Connection,
    project_id: int,
    challenger_config_id: int,
    traffic_share: float,
    started: str,
    encoded: str | None,
) -> int:
    """Insert a running experiment after `experiment_args` (see `Store.start_experiment`)."""
    project = _require_project(conn, project_id)
    running = _running_id(conn, project_id)
    if running is not None:
        raise InvalidInput(
            f"project {project[1]!r} already has a running experiment (#{running});"
            " promote, hold or abort it first."
        )
    champion_id = project[4]
    if champion_id is None:
        raise InvalidInput(
            f"project {project[1]!r} has no champion config; add one with role='champion' first."
        )
    row = conn.execute(
        "SELECT project_id FROM agent_configs WHERE id = ?", (challenger_config_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no agent config has id {challenger_config_id}.")
    if row[0] != project_id:
        raise InvalidInput(
            f"config {challenger_config_id} belongs to another project, not {project[1]!r}."
        )
    if challenger_config_id == champion_id:
        raise InvalidInput(
            f"config {challenger_config_id} is already the champion; the challenger"
            " must be a different config."
        )
    conn.execute(
        "UPDATE agent_configs SET role = 'challenger' WHERE id = ?", (challenger_config_id,)
    )
    cursor = conn.execute(
        "INSERT INTO experiments (project_id, champion_config_id, challenger_config_id,"
        " traffic_share, status, started_at, metadata)"
        " VALUES (?, ?, ?, ?, 'running', ?, ?)",
        (project_id, champion_id, challenger_config_id, float(traffic_share), started, encoded),
    )
    return int(cursor.lastrowid or 0)


def experiments(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[Experiment]:
    """Experiments matching a `filter_args` clause, newest first."""
    return [
        _experiment(row)
        for row in conn.execute(
            f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments {where}"
            " ORDER BY started_at DESC, id DESC",
            params,
        )
    ]


def experiment(conn: sqlite3.Connection, experiment_id: int) -> Experiment | None:
    """One experiment by id, or None."""
    row = conn.execute(
        f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?", (experiment_id,)
    ).fetchone()
    return None if row is None else _experiment(row)


def running_experiment(conn: sqlite3.Connection, project_id: int) -> Experiment | None:
    """The project's running experiment, or None."""
    found = experiments(conn, *filter_args(project_id, "running"))
    return found[0] if found else None


def assign_variant(conn: sqlite3.Connection, project_id: int, session_key: str) -> Assignment:
    """Which config a new session should run (see `Store.assign_variant`)."""
    project = _require_project(conn, project_id)
    row = conn.execute(
        "SELECT id, champion_config_id, challenger_config_id, traffic_share"
        " FROM experiments WHERE project_id = ? AND status = 'running'",
        (project_id,),
    ).fetchone()
    if row is None:
        if project[4] is None:
            raise InvalidInput(
                f"project {project[1]!r} has no champion config and no running experiment."
            )
        return Assignment("champion", _payload(conn, project[4]), None, project[4])
    eid, champion_id, challenger_id, share = row
    if bucket(eid, session_key) < share:
        return Assignment("challenger", _payload(conn, challenger_id), eid, challenger_id)
    return Assignment("champion", _payload(conn, champion_id), eid, champion_id)


def arm_stats(conn: sqlite3.Connection, experiment_id: int) -> dict[str, ArmStats]:
    """Per arm ("champion", "challenger"): sessions, scored sessions, wins, win rate."""
    found = _require_experiment(conn, experiment_id)
    series = fitness(conn, experiment_id)
    counts = dict(
        conn.execute(
            "SELECT variant, count(*) FROM sessions WHERE experiment_id = ?"
            " AND variant IS NOT NULL GROUP BY variant",
            (experiment_id,),
        ).fetchall()
    )
    ids = {"champion": found.champion_config_id, "challenger": found.challenger_config_id}
    return {v: rule.arm_stats(v, ids[v], counts.get(v, 0), series[v]) for v in VARIANTS}


def fitness(conn: sqlite3.Connection, experiment_id: int) -> dict[str, list[float]]:
    """Per arm, the fitness of each session that has signals, oldest session first."""
    out: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for variant, value in conn.execute(_FITNESS_SQL, (experiment_id,)):
        if value is not None and variant in out:
            out[variant].append(float(value))
    return out


def decide(conn: sqlite3.Connection, experiment_id: int) -> Decision:
    """The decision rule's verdict on the experiment now (nothing is written)."""
    arms = arm_stats(conn, experiment_id)
    return rule.decide(experiment_id, arms["champion"], arms["challenger"])


def version(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """A value that changes whenever experiment data changes (see `Store.experiments_version`)."""
    return tuple(
        conn.execute(
            "SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM signals),"
            " (SELECT count(*) || ':' || coalesce(max(updated_at), '') FROM sessions"
            "   WHERE experiment_id IS NOT NULL),"
            " (SELECT group_concat(id || status, ',') FROM experiments),"
            " (SELECT group_concat(id || ':' || coalesce(champion_config_id, ''), ',')"
            "   FROM projects),"
            " (SELECT count(*) || ':' || coalesce(max(id), 0) FROM agent_configs)"
        ).fetchone()
    )


def finish(
    conn: sqlite3.Connection, experiment_id: int, status: str, *, force: bool, moment: str
) -> Decision:
    """End a running experiment as `status`, storing the verdict (promote, hold, abort)."""
    row = conn.execute(
        "SELECT project_id, champion_config_id, challenger_config_id, status"
        " FROM experiments WHERE id = ?",
        (experiment_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"no experiment has id {experiment_id}.")
    project_id, _champion_id, challenger_id, current = row
    if current != "running":
        raise InvalidInput(
            f"experiment {experiment_id} is {current}, not running; only a running"
            f" experiment can be {status}."
        )
    # Inside this write transaction, so the verdict matches what is stored.
    verdict = decide(conn, experiment_id)
    if status == "promoted" and not force and verdict.decision != "promote":
        raise InvalidInput(
            f"the decision rule says {verdict.decision} for experiment {experiment_id}"
            f" ({verdict.reason.rstrip('.')}); promote with force to override."
        )
    if status == "promoted":
        conn.execute(
            "UPDATE agent_configs SET role = 'historical' WHERE project_id = ?"
            " AND role = 'champion' AND id <> ?",
            (project_id, challenger_id),
        )
        conn.execute("UPDATE agent_configs SET role = 'champion' WHERE id = ?", (challenger_id,))
        conn.execute(
            "UPDATE projects SET champion_config_id = ? WHERE id = ?", (challenger_id, project_id)
        )
    else:
        conn.execute(
            "UPDATE agent_configs SET role = 'historical' WHERE id = ? AND role = 'challenger'",
            (challenger_id,),
        )
    conn.execute(
        "UPDATE experiments SET status = ?, ended_at = ?, decided_at = ?, decision = ?,"
        " decision_posterior = ? WHERE id = ?",
        (status, moment, moment, verdict.decision, verdict.p_challenger_better, experiment_id),
    )
    return verdict


# -- helpers -------------------------------------------------------------------------------------


def _require_experiment(conn: sqlite3.Connection, experiment_id: int) -> Experiment:
    as_id(experiment_id, "experiment_id")
    found = experiment(conn, experiment_id)
    if found is None:
        raise NotFound(f"no experiment has id {experiment_id}.")
    return found


def _require_project(conn: sqlite3.Connection, project_id: int) -> tuple[Any, ...]:
    row = conn.execute(
        f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE id = ?", (project_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no project has id {project_id}.")
    return tuple(row)


def _running_id(conn: sqlite3.Connection, project_id: int) -> int | None:
    row = conn.execute(
        "SELECT id FROM experiments WHERE project_id = ? AND status = 'running'", (project_id,)
    ).fetchone()
    return None if row is None else int(row[0])


def _is_running_challenger(conn: sqlite3.Connection, config_id: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM experiments WHERE challenger_config_id = ? AND status = 'running'",
            (config_id,),
        ).fetchone()
        is not None
    )


def _payload(conn: sqlite3.Connection, config_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT payload FROM agent_configs WHERE id = ?", (config_id,)).fetchone()
    return {} if row is None else blockcodec.decode_metadata(row[0])
