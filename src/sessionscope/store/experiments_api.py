"""The `Store` methods for projects, agent configs and champion/challenger experiments, beside
`core.py` to keep it small: each checks its arguments (`experiment_args`), opens one transaction
and calls one function of `experiments`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import experiment_args as exp_args
from .base import StoreBase
from .blocks import encode_metadata
from .lazy import LazyModule
from .redact import redact, redact_text
from .redact_keys import redact_key

if TYPE_CHECKING:
    from . import experiments as exp
    from .decision import ArmStats, Decision
    from .experiments import AgentConfig, Assignment, Experiment, Project
else:
    exp = LazyModule(__package__ + ".experiments")  # on first use: the store opens without it


class ExperimentsAPI(StoreBase):
    """Projects, configs and experiments (see `experiments.py`)."""

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
        encoded = exp_args.project_args(name, root_path, adapter, metadata)
        with self.writing() as conn:
            if self._redacts(conn):  # the name is a key (unique): see `redact_keys`
                name, root_path, adapter = redact_key(name), _text(root_path), _text(adapter)
                encoded = encode_metadata(redact(metadata)) if metadata is not None else None
            return exp.create_project(conn, name, root_path, adapter, encoded, exist_ok)

    def projects(self) -> list[Project]:
        """Every project, by name."""
        with self.reading() as conn:
            return exp.projects(conn)

    def project(self, ref: int | str) -> Project | None:
        """A project by id or by name, or None."""
        with self.reading() as conn:
            if isinstance(ref, str) and redact_key(ref) != ref and self._redacts(conn):
                return exp.project(conn, redact_key(ref)) or exp.project(conn, ref)
            return exp.project(conn, ref)

    def add_config(
        self, project_id: int, payload: Mapping[str, Any], role: str = "challenger"
    ) -> int:
        """Add an agent config to a project (or find it: the same payload is the same config).

        role "champion" makes it the project's champion (the previous one becomes historical);
        "challenger" readies it for `start_experiment`. Returns the config id.
        """
        text, digest = exp_args.config_args(project_id, payload, role)
        with self.writing() as conn:
            if self._redacts(conn):  # the fingerprint stays the original's: a digest, no secret
                text = exp_args.canonical_json(redact(dict(payload)))
            return exp.add_config(conn, project_id, text, digest, role)

    def configs(self, project_id: int) -> list[AgentConfig]:
        """A project's configs: the champion first, then newest first."""
        with self.reading() as conn:
            return exp.configs(conn, project_id)

    def config(self, config_id: int) -> AgentConfig | None:
        """One config by id, or None."""
        with self.reading() as conn:
            return exp.config(conn, config_id)

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
        started, encoded = exp_args.experiment_args(
            project_id, challenger_config_id, traffic_share, started_at, metadata
        )
        with self.writing() as conn:
            if metadata is not None and self._redacts(conn):
                encoded = encode_metadata(redact(metadata))
            return exp.start_experiment(
                conn, project_id, challenger_config_id, traffic_share, started, encoded
            )

    def experiments(
        self, project_id: int | None = None, status: str | None = None
    ) -> list[Experiment]:
        """Experiments, newest first; optionally of one project and/or with one status."""
        where, params = exp_args.filter_args(project_id, status)
        with self.reading() as conn:
            return exp.experiments(conn, where, params)

    def experiment(self, experiment_id: int) -> Experiment | None:
        """One experiment by id, or None."""
        with self.reading() as conn:
            return exp.experiment(conn, experiment_id)

    def running_experiment(self, project_id: int) -> Experiment | None:
        """The project's running experiment, or None."""
        with self.reading() as conn:
            return exp.running_experiment(conn, project_id)

    def assign_variant(self, project_id: int, session_key: str) -> Assignment:
        """Which config a new session of the project should run: `(variant, config payload)`.

        The split is deterministic: the same (experiment, session key) always gets the same
        variant, and about `traffic_share` of keys get the challenger. Without a running
        experiment every session gets the champion (and `.experiment_id` is None).
        """
        exp_args.assign_args(project_id, session_key)
        with self.reading() as conn:
            return exp.assign_variant(conn, project_id, session_key)

    def arm_stats(self, experiment_id: int) -> dict[str, ArmStats]:
        """Per arm ("champion", "challenger"): sessions, scored sessions, wins, win rate."""
        with self.reading() as conn:
            return exp.arm_stats(conn, experiment_id)

    def fitness(self, experiment_id: int) -> dict[str, list[float]]:
        """Per arm, the fitness of each session that has signals, oldest session first."""
        with self.reading() as conn:
            return exp.fitness(conn, experiment_id)

    def decide(self, experiment_id: int) -> Decision:
        """The decision rule's verdict on the experiment now (nothing is written)."""
        with self.reading() as conn:
            return exp.decide(conn, experiment_id)

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
        with self.reading() as conn:
            return exp.version(conn)

    def _finish(
        self, experiment_id: int, status: str, *, force: bool, decided_at: str | None
    ) -> Decision:
        moment = exp_args.finish_args(experiment_id, decided_at)
        with self.writing() as conn:
            return exp.finish(conn, experiment_id, status, force=force, moment=moment)


def _text(value: str | None) -> str | None:
    return None if value is None else redact_text(value)
