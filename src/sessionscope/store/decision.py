"""The experiment decision rule: session fitness, per-arm win rates and a Beta-Binomial posterior.

Pure arithmetic, no SQL. A session's fitness is the weighted mean of its signals (explicit
signals weigh `EXPLICIT_WEIGHT`, implicit ones `IMPLICIT_WEIGHT`); it is a win when its fitness is
at least `WIN_THRESHOLD`. Each arm's win rate has a Beta(1 + wins, 1 + losses) posterior, and
P(challenger better than champion) is computed exactly (a finite sum of Beta functions), so the
same data always gives the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

EXPLICIT_WEIGHT = 5.0
IMPLICIT_WEIGHT = 1.0
WIN_THRESHOLD = 0.5
PROMOTE_PROBABILITY = 0.95
MIN_SESSIONS = 20
# Weighted means of values like 0.1 can land a hair under 0.5; this much is treated as equal.
_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class ArmStats:
    """What one arm (champion or challenger) of an experiment has collected so far.

    `win_rate` and `mean_fitness` are None until a session of the arm has a signal.
    """

    variant: str
    config_id: int | None
    sessions: int
    sessions_with_signals: int
    wins: int
    losses: int
    win_rate: float | None
    mean_fitness: float | None

    @property
    def alpha(self) -> int:
        """The Beta posterior's first parameter: 1 + wins."""
        return 1 + self.wins

    @property
    def beta(self) -> int:
        """The Beta posterior's second parameter: 1 + losses."""
        return 1 + self.losses


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision rule's verdict on one experiment, with the numbers behind it.

    `decision` is "promote", "hold" or "need-more-data"; `reason` says why in one sentence.
    """

    experiment_id: int
    decision: str
    p_challenger_better: float
    champion: ArmStats
    challenger: ArmStats
    reason: str
    threshold: float = PROMOTE_PROBABILITY
    min_sessions: int = MIN_SESSIONS


def signal_weight(kind: str) -> float:
    return EXPLICIT_WEIGHT if kind == "explicit" else IMPLICIT_WEIGHT


def fitness(signals: Iterable[tuple[str, float]]) -> float | None:
    """Weighted mean of (kind, value) signals; None when there are none."""
    total = weight = 0.0
    for kind, value in signals:
        w = signal_weight(kind)
        total += w * value
        weight += w
    return None if weight == 0 else total / weight


def is_win(value: float) -> bool:
    return value >= WIN_THRESHOLD - _TOLERANCE


def arm_stats(
    variant: str, config_id: int | None, sessions: int, fitnesses: Iterable[float]
) -> ArmStats:
    """An arm's stats from its session count and the fitness of each session that has signals."""
    values = list(fitnesses)
    wins = sum(1 for v in values if is_win(v))
    scored = len(values)
    return ArmStats(
        variant=variant,
        config_id=config_id,
        sessions=sessions,
        sessions_with_signals=scored,
        wins=wins,
        losses=scored - wins,
        win_rate=wins / scored if scored else None,
        mean_fitness=math.fsum(values) / scored if scored else None,
    )


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def prob_b_beats_a(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """P(X_b > X_a) for independent X_a ~ Beta(alpha_a, beta_a), X_b ~ Beta(alpha_b, beta_b).

    Exact for integer parameters (Evan Miller's closed form):
    sum_{i < alpha_b} B(alpha_a + i, beta_a + beta_b) / ((beta_b + i) B(1 + i, beta_b) B(alpha_a, beta_a)).
    The sum runs over the smaller of the two alphas (using P(b > a) = 1 - P(a > b)).
    """
    for name, value in (
        ("alpha_a", alpha_a),
        ("beta_a", beta_a),
        ("alpha_b", alpha_b),
        ("beta_b", beta_b),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, not {value!r}.")
    if alpha_a < alpha_b:
        return 1.0 - prob_b_beats_a(alpha_b, beta_b, alpha_a, beta_a)
    base = _log_beta(alpha_a, beta_a)
    terms = (
        math.exp(
            _log_beta(alpha_a + i, beta_a + beta_b)
            - math.log(beta_b + i)
            - _log_beta(1 + i, beta_b)
            - base
        )
        for i in range(alpha_b)
    )
    return min(1.0, max(0.0, math.fsum(terms)))


def p_challenger_better(champion: ArmStats, challenger: ArmStats) -> float:
    """P(challenger's win rate > champion's) under the two arms' Beta posteriors."""
    return prob_b_beats_a(champion.alpha, champion.beta, challenger.alpha, challenger.beta)


def decide(
    experiment_id: int,
    champion: ArmStats,
    challenger: ArmStats,
    *,
    threshold: float = PROMOTE_PROBABILITY,
    min_sessions: int = MIN_SESSIONS,
) -> Decision:
    """Promote when P >= threshold and both arms have `min_sessions` scored sessions;
    need-more-data when either arm has fewer; hold otherwise."""
    p = p_challenger_better(champion, challenger)
    short = [arm for arm in (champion, challenger) if arm.sessions_with_signals < min_sessions]
    if short:
        verdict = "need-more-data"
        reason = (
            "; ".join(
                f"the {arm.variant} has {arm.sessions_with_signals} of {min_sessions} sessions"
                " with signals"
                for arm in short
            )
            + "."
        )
    elif p >= threshold:
        verdict = "promote"
        reason = (
            f"P(challenger better) = {p:.3f} >= {threshold:g} with enough sessions on each arm."
        )
    else:
        verdict = "hold"
        reason = f"P(challenger better) = {p:.3f} < {threshold:g}: keep the champion."
    return Decision(
        experiment_id=experiment_id,
        decision=verdict,
        p_challenger_better=p,
        champion=champion,
        challenger=challenger,
        reason=reason[0].upper() + reason[1:],
        threshold=threshold,
        min_sessions=min_sessions,
    )
