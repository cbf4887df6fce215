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

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import blocks as blockcodec
from . import decision as rule
from .decision import ArmStats, Decision
from .errors import InvalidInput, NotFound
from .timeutil import normalize_ts, now_iso

CONFIG_ROLES = ("champion", "challenger", "historical")
EXPERIMENT_STATUSES = ("running", "promoted", "aborted", "held")
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


class Assignment(tuple):
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


def fingerprint(payload: Mapping[str, Any]) -> str:
    """sha256 (hex) of the payload's canonical JSON: the same payload always gives the same value."""
    return hashlib.sha256(canonical_json(payload).encode("ascii")).hexdigest()


def bucket(experiment_id: int, session_key: str) -> float:
    """A number in [0, 1) fixed by (experiment, session key): the variant assignment's coin."""
    digest = hashlib.sha256(f"{experiment_id}\x00{session_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _id(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be an integer id, not {value!r}.")
    return value


def _optional_text(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, not {type(value).__name__}.")
    return value


_PROJECT_COLUMNS = "id, name, root_path, adapter, champion_config_id, created_at, metadata"
_CONFIG_COLUMNS = "id, project_id, fingerprint, payload, role, created_at"
_EXPERIMENT_COLUMNS = (
    "id, project_id, champion_config_id, challenger_config_id, traffic_share, status,"
    " started_at, ended_at, decided_at, decision, decision_posterior, metadata"
)


def _project(row: tuple[Any, ...]) -> Project:
    return Project(*row[:6], metadata=blockcodec.decode_metadata(row[6]))


def _config(row: tuple[Any, ...]) -> AgentConfig:
    return AgentConfig(row[0], row[1], row[2], blockcodec.decode_metadata(row[3]), row[4], row[5])


def _experiment(row: tuple[Any, ...]) -> Experiment:
    return Experiment(*row[:11], metadata=blockcodec.decode_metadata(row[11]))


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


class ExperimentsMixin:
    """Experiment API mixed into `Store` (see the README, "Experiments and metrics")."""

    # provided by Store
    def _read(self, fn: Any) -> Any: ...  # pragma: no cover
    def _write(self, fn: Any) -> Any: ...  # pragma: no cover

    # -- projects ------------------------------------------------------------------------------

    def create_project(
        self,
        name: str,
        root_path: str | None = None,
        adapter: str | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        exist_ok: bool = False,
    ) -> int:
        """Create a project and return its id. With `exist_ok`, an existing name returns its id."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("a project needs a non-empty name.")
        _optional_text(root_path, "root_path")
        _optional_text(adapter, "adapter")
        encoded = blockcodec.encode_metadata(metadata)

        def run(conn: sqlite3.Connection) -> int:
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

        return self._write(run)

    def projects(self) -> list[Project]:
        """Every project, by name."""
        return self._read(
            lambda conn: [
                _project(row)
                for row in conn.execute(
                    f"SELECT {_PROJECT_COLUMNS} FROM projects ORDER BY name COLLATE NOCASE, id"
                )
            ]
        )

    def project(self, ref: int | str) -> Project | None:
        """A project by id or by name, or None."""

        def run(conn: sqlite3.Connection) -> Project | None:
            if isinstance(ref, int) and not isinstance(ref, bool):
                row = conn.execute(
                    f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE id = ?", (ref,)
                ).fetchone()
            else:
                row = conn.execute(
                    f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE name = ?", (str(ref),)
                ).fetchone()
            return None if row is None else _project(row)

        return self._read(run)

    # -- configs -------------------------------------------------------------------------------

    def add_config(
        self, project_id: int, payload: Mapping[str, Any], role: str = "challenger"
    ) -> int:
        """Add an agent config to a project (or find it: the same payload is the same config).

        role "champion" makes it the project's champion (the previous one becomes historical);
        "challenger" readies it for `start_experiment`. Returns the config id.
        """
        _id(project_id, "project_id")
        if role not in CONFIG_ROLES:
            raise InvalidInput(f"role must be one of {', '.join(CONFIG_ROLES)}, not {role!r}.")
        text = canonical_json(payload)
        digest = hashlib.sha256(text.encode("ascii")).hexdigest()

        def run(conn: sqlite3.Connection) -> int:
            project = self._require_project(conn, project_id)
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
                running = self._running_id(conn, project_id)
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
            elif current == "challenger" and self._is_running_challenger(conn, config_id):
                raise InvalidInput(
                    f"config {config_id} is the challenger of a running experiment; end the"
                    " experiment first."
                )
            conn.execute("UPDATE agent_configs SET role = ? WHERE id = ?", (role, config_id))
            return config_id

        return self._write(run)

    def configs(self, project_id: int) -> list[AgentConfig]:
        """A project's configs: the champion first, then newest first."""
        return self._read(
            lambda conn: [
                _config(row)
                for row in conn.execute(
                    f"SELECT {_CONFIG_COLUMNS} FROM agent_configs WHERE project_id = ?"
                    " ORDER BY role = 'champion' DESC, created_at DESC, id DESC",
                    (project_id,),
                )
            ]
        )

    def config(self, config_id: int) -> AgentConfig | None:
        """One config by id, or None."""

        def run(conn: sqlite3.Connection) -> AgentConfig | None:
            row = conn.execute(
                f"SELECT {_CONFIG_COLUMNS} FROM agent_configs WHERE id = ?", (config_id,)
            ).fetchone()
            return None if row is None else _config(row)

        return self._read(run)

    # -- experiments ---------------------------------------------------------------------------

    def start_experiment(
        self,
        project_id: int,
        challenger_config_id: int,
        traffic_share: float = 0.5,
        *,
        started_at: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> int:
        """Run `challenger_config_id` against the project's champion on `traffic_share` of its
        sessions (0 < share < 1). A project runs at most one experiment at a time."""
        _id(project_id, "project_id")
        _id(challenger_config_id, "challenger_config_id")
        if (
            isinstance(traffic_share, bool)
            or not isinstance(traffic_share, (int, float))
            or not 0 < traffic_share < 1
        ):
            raise InvalidInput(
                f"traffic_share must be a number strictly between 0 and 1, not {traffic_share!r}."
            )
        started = normalize_ts(started_at) or now_iso()
        encoded = blockcodec.encode_metadata(metadata)

        def run(conn: sqlite3.Connection) -> int:
            project = self._require_project(conn, project_id)
            running = self._running_id(conn, project_id)
            if running is not None:
                raise InvalidInput(
                    f"project {project[1]!r} already has a running experiment (#{running});"
                    " promote, hold or abort it first."
                )
            champion_id = project[4]
            if champion_id is None:
                raise InvalidInput(
                    f"project {project[1]!r} has no champion config; add one with"
                    " role='champion' first."
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
                "UPDATE agent_configs SET role = 'challenger' WHERE id = ?",
                (challenger_config_id,),
            )
            cursor = conn.execute(
                "INSERT INTO experiments (project_id, champion_config_id, challenger_config_id,"
                " traffic_share, status, started_at, metadata)"
                " VALUES (?, ?, ?, ?, 'running', ?, ?)",
                (
                    project_id,
                    champion_id,
                    challenger_config_id,
                    float(traffic_share),
                    started,
                    encoded,
                ),
            )
            return int(cursor.lastrowid or 0)

        return self._write(run)

    def experiments(
        self, project_id: int | None = None, status: str | None = None
    ) -> list[Experiment]:
        """Experiments, newest first; optionally of one project and/or with one status."""
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
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._read(
            lambda conn: [
                _experiment(row)
                for row in conn.execute(
                    f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments {where}"
                    " ORDER BY started_at DESC, id DESC",
                    params,
                )
            ]
        )

    def experiment(self, experiment_id: int) -> Experiment | None:
        """One experiment by id, or None."""

        def run(conn: sqlite3.Connection) -> Experiment | None:
            row = conn.execute(
                f"SELECT {_EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?", (experiment_id,)
            ).fetchone()
            return None if row is None else _experiment(row)

        return self._read(run)

    def running_experiment(self, project_id: int) -> Experiment | None:
        """The project's running experiment, or None."""
        found = self.experiments(project_id, status="running")
        return found[0] if found else None

    def assign_variant(self, project_id: int, session_key: str) -> Assignment:
        """Which config a new session of the project should run: `(variant, config payload)`.

        The split is deterministic: the same (experiment, session key) always gets the same
        variant, and about `traffic_share` of keys get the challenger. Without a running
        experiment every session gets the champion (and `.experiment_id` is None).
        """
        _id(project_id, "project_id")
        if not isinstance(session_key, str) or not session_key:
            raise InvalidInput("session_key must be a non-empty string.")

        def run(conn: sqlite3.Connection) -> Assignment:
            project = self._require_project(conn, project_id)
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
                return Assignment("champion", self._payload(conn, project[4]), None, project[4])
            eid, champion_id, challenger_id, share = row
            if bucket(eid, session_key) < share:
                return Assignment(
                    "challenger", self._payload(conn, challenger_id), eid, challenger_id
                )
            return Assignment("champion", self._payload(conn, champion_id), eid, champion_id)

        return self._read(run)

    def arm_stats(self, experiment_id: int) -> dict[str, ArmStats]:
        """Per arm ("champion", "challenger"): sessions, scored sessions, wins, win rate."""
        experiment = self._require_experiment(experiment_id)
        series = self.fitness(experiment_id)
        counts = self._read(
            lambda conn: dict(
                conn.execute(
                    "SELECT variant, count(*) FROM sessions WHERE experiment_id = ?"
                    " AND variant IS NOT NULL GROUP BY variant",
                    (experiment_id,),
                ).fetchall()
            )
        )
        ids = {
            "champion": experiment.champion_config_id,
            "challenger": experiment.challenger_config_id,
        }
        return {v: rule.arm_stats(v, ids[v], counts.get(v, 0), series[v]) for v in VARIANTS}

    def fitness(self, experiment_id: int) -> dict[str, list[float]]:
        """Per arm, the fitness of each session that has signals, oldest session first."""
        out: dict[str, list[float]] = {v: [] for v in VARIANTS}

        def run(conn: sqlite3.Connection) -> None:
            for variant, value in conn.execute(_FITNESS_SQL, (experiment_id,)):
                if value is not None and variant in out:
                    out[variant].append(float(value))

        self._read(run)
        return out

    def decide(self, experiment_id: int) -> Decision:
        """The decision rule's verdict on the experiment now (nothing is written)."""
        arms = self.arm_stats(experiment_id)
        return rule.decide(experiment_id, arms["champion"], arms["challenger"])

    def promote(
        self, experiment_id: int, *, force: bool = False, decided_at: str | None = None
    ) -> Decision:
        """Make the challenger the project's champion and end the experiment as "promoted".

        Refused unless the decision rule says "promote" (pass `force=True` to override). The
        posterior and decision time are stored; the old champion is kept as historical.
        """
        return self._finish(experiment_id, "promoted", force=force, decided_at=decided_at)

    def hold(self, experiment_id: int, *, decided_at: str | None = None) -> Decision:
        """End the experiment keeping the champion (status "held"), storing the posterior."""
        return self._finish(experiment_id, "held", force=True, decided_at=decided_at)

    def abort(self, experiment_id: int, *, decided_at: str | None = None) -> Decision:
        """Stop the experiment without a verdict (status "aborted"); the champion stays."""
        return self._finish(experiment_id, "aborted", force=True, decided_at=decided_at)

    def experiments_version(self) -> tuple[Any, ...]:
        """A cheap value that changes whenever projects, configs, experiments, their sessions or
        signals change (for views that refresh on change; comparable across threads)."""
        return self._read(
            lambda conn: tuple(
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
        )

    # -- helpers -------------------------------------------------------------------------------

    def _finish(
        self, experiment_id: int, status: str, *, force: bool, decided_at: str | None
    ) -> Decision:
        _id(experiment_id, "experiment_id")
        moment = normalize_ts(decided_at) or now_iso()

        def run(conn: sqlite3.Connection) -> Decision:
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
            verdict = self.decide(experiment_id)
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
                conn.execute(
                    "UPDATE agent_configs SET role = 'champion' WHERE id = ?", (challenger_id,)
                )
                conn.execute(
                    "UPDATE projects SET champion_config_id = ? WHERE id = ?",
                    (challenger_id, project_id),
                )
            else:
                conn.execute(
                    "UPDATE agent_configs SET role = 'historical' WHERE id = ?"
                    " AND role = 'challenger'",
                    (challenger_id,),
                )
            conn.execute(
                "UPDATE experiments SET status = ?, ended_at = ?, decided_at = ?, decision = ?,"
                " decision_posterior = ? WHERE id = ?",
                (
                    status,
                    moment,
                    moment,
                    verdict.decision,
                    verdict.p_challenger_better,
                    experiment_id,
                ),
            )
            return verdict

        return self._write(run)

    def _require_experiment(self, experiment_id: int) -> Experiment:
        _id(experiment_id, "experiment_id")
        found = self.experiment(experiment_id)
        if found is None:
            raise NotFound(f"no experiment has id {experiment_id}.")
        return found

    @staticmethod
    def _require_project(conn: sqlite3.Connection, project_id: int) -> tuple[Any, ...]:
        row = conn.execute(
            f"SELECT {_PROJECT_COLUMNS} FROM projects WHERE id = ?", (project_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no project has id {project_id}.")
        return tuple(row)

    @staticmethod
    def _running_id(conn: sqlite3.Connection, project_id: int) -> int | None:
        row = conn.execute(
            "SELECT id FROM experiments WHERE project_id = ? AND status = 'running'",
            (project_id,),
        ).fetchone()
        return None if row is None else int(row[0])

    @staticmethod
    def _is_running_challenger(conn: sqlite3.Connection, config_id: int) -> bool:
        return (
            conn.execute(
                "SELECT 1 FROM experiments WHERE challenger_config_id = ? AND status = 'running'",
                (config_id,),
            ).fetchone()
            is not None
        )

    @staticmethod
    def _payload(conn: sqlite3.Connection, config_id: int) -> dict[str, Any]:
        row = conn.execute(
            "SELECT payload FROM agent_configs WHERE id = ?", (config_id,)
        ).fetchone()
        return {} if row is None else blockcodec.decode_metadata(row[0])
