"""Projects, configs, experiments, signals and the decision rule (store API and CLI)."""

from __future__ import annotations

import hashlib
import json
import math
import random

import pytest
from click.testing import CliRunner

from sessionscope.cli import cli
from sessionscope.demo.experiments import populate
from sessionscope.store import InvalidInput, NotFound, SessionNotFound, Store
from sessionscope.store.decision import prob_b_beats_a


def _project(db: Store, name: str = "webapp") -> tuple[int, int, int]:
    pid = db.create_project(name, root_path=f"/src/{name}", adapter="claude-code")
    champ = db.add_config(
        pid, {"system_prompt_prefix": "be careful", "model_pref": "m1"}, role="champion"
    )
    chall = db.add_config(pid, {"system_prompt_prefix": "plan first", "model_pref": "m2"})
    return pid, champ, chall


def _arm(
    db: Store, pid: int, eid: int, variant: str, wins: int, losses: int, unscored: int = 0
) -> list[str]:
    """Sessions tagged with `variant`: `wins` scored 1.0, `losses` 0.0, `unscored` without signals."""
    ids = []
    for n in range(wins + losses + unscored):
        sid = db.start_session(
            title=f"{variant} {n}", project=pid, experiment_id=eid, variant=variant
        )
        if n < wins:
            db.record_signal(sid, "explicit", "thumbs", 1.0)
        elif n < wins + losses:
            db.record_signal(sid, "explicit", "thumbs", 0.0)
        ids.append(sid)
    return ids


@pytest.fixture
def running(db: Store) -> tuple[int, int, int, int]:
    pid, champ, chall = _project(db)
    eid = db.start_experiment(pid, challenger_config_id=chall, traffic_share=0.5)
    return pid, champ, chall, eid


# -- the decision rule ---------------------------------------------------------------------------


def test_clear_winner_with_enough_sessions_is_promoted(db: Store, running) -> None:
    pid, _, _, eid = running
    _arm(db, pid, eid, "champion", wins=10, losses=15)
    _arm(db, pid, eid, "challenger", wins=20, losses=5)
    d = db.decide(eid)
    assert d.decision == "promote"
    assert d.p_challenger_better >= 0.95
    assert (d.champion.sessions, d.champion.wins, d.champion.losses) == (25, 10, 15)
    assert (d.challenger.sessions_with_signals, d.challenger.wins) == (25, 20)
    assert d.challenger.win_rate == pytest.approx(0.8)
    assert d.champion.win_rate == pytest.approx(0.4)


def test_fifteen_sessions_per_arm_need_more_data(db: Store, running) -> None:
    pid, _, _, eid = running
    _arm(db, pid, eid, "champion", wins=3, losses=12)
    _arm(db, pid, eid, "challenger", wins=14, losses=1)
    d = db.decide(eid)
    assert d.p_challenger_better > 0.99  # convincing, but too few sessions
    assert d.decision == "need-more-data"
    assert "15 of 20" in d.reason


def test_equal_rates_hold(db: Store, running) -> None:
    pid, _, _, eid = running
    _arm(db, pid, eid, "champion", wins=15, losses=10)
    _arm(db, pid, eid, "challenger", wins=15, losses=10)
    d = db.decide(eid)
    assert d.decision == "hold"
    assert d.p_challenger_better == pytest.approx(0.5, abs=1e-9)


def test_sessions_without_signals_do_not_count_toward_the_minimum(db: Store, running) -> None:
    pid, _, _, eid = running
    _arm(db, pid, eid, "champion", wins=2, losses=17, unscored=10)
    _arm(db, pid, eid, "challenger", wins=19, losses=1)
    d = db.decide(eid)
    assert d.champion.sessions == 29 and d.champion.sessions_with_signals == 19
    assert d.decision == "need-more-data"
    sid = db.start_session(project=pid, experiment_id=eid, variant="champion")
    db.record_signal(sid, "implicit", "tests", 0.0)
    assert db.decide(eid).decision == "promote"  # exactly 20 scored on each arm is enough


def test_one_arm_without_any_sessions(db: Store, running) -> None:
    pid, _, _, eid = running
    _arm(db, pid, eid, "challenger", wins=30, losses=0)
    d = db.decide(eid)
    assert d.champion.sessions == 0 and d.champion.win_rate is None
    assert d.champion.mean_fitness is None
    assert d.decision == "need-more-data"


def test_fitness_weights_explicit_five_implicit_one(db: Store, running) -> None:
    pid, _, _, eid = running
    s_win = db.start_session(project=pid, experiment_id=eid, variant="challenger")
    db.record_signal(s_win, "explicit", "thumbs", 1.0)
    for _ in range(4):
        db.record_signal(s_win, "implicit", "tests", 0.0)  # 5 / 9 >= 0.5: a win
    s_edge = db.start_session(project=pid, experiment_id=eid, variant="challenger")
    db.record_signal(s_edge, "explicit", "thumbs", 0.0)
    for _ in range(5):
        db.record_signal(s_edge, "implicit", "tests", 1.0)  # 5 / 10 = 0.5: a win (>=)
    s_loss = db.start_session(project=pid, experiment_id=eid, variant="champion")
    db.record_signal(s_loss, "explicit", "thumbs", 0.0)
    for _ in range(4):
        db.record_signal(s_loss, "implicit", "tests", 1.0)  # 4 / 9 < 0.5: a loss
    s_mixed = db.start_session(project=pid, experiment_id=eid, variant="champion")
    db.record_signal(s_mixed, "explicit", "thumbs", 0.7)
    db.record_signal(s_mixed, "implicit", "tests", 0.1)  # (3.5 + 0.1) / 6 = 0.6: a win
    fit = db.fitness(eid)
    assert sorted(fit["challenger"]) == pytest.approx([0.5, 5 / 9])
    assert sorted(fit["champion"]) == pytest.approx([4 / 9, 0.6])
    arms = db.arm_stats(eid)
    assert (arms["challenger"].wins, arms["challenger"].losses) == (2, 0)
    assert (arms["champion"].wins, arms["champion"].losses) == (1, 1)
    assert arms["champion"].mean_fitness == pytest.approx((4 / 9 + 0.6) / 2)


def _p_by_integration(a1: int, b1: int, a2: int, b2: int, n: int = 20000) -> float:
    """P(X2 > X1) = integral of f2(x) * F1(x), midpoint rule, F1 by cumulative sum."""

    def log_pdf(x: float, a: int, b: int) -> float:
        return (
            (a - 1) * math.log(x)
            + (b - 1) * math.log1p(-x)
            + math.lgamma(a + b)
            - math.lgamma(a)
            - math.lgamma(b)
        )

    h = 1.0 / n
    cdf1 = 0.0
    total = 0.0
    for i in range(n):
        x = (i + 0.5) * h
        p1 = math.exp(log_pdf(x, a1, b1)) * h
        # F1 at the midpoint: everything before this cell plus half of it
        total += math.exp(log_pdf(x, a2, b2)) * h * (cdf1 + p1 / 2)
        cdf1 += p1
    return total


@pytest.mark.parametrize(
    "params",
    [
        (11, 16, 21, 6),
        (21, 6, 11, 16),
        (1, 1, 1, 1),
        (3, 7, 2, 9),
        (16, 11, 16, 11),
        (40, 60, 45, 55),
        (2, 30, 5, 3),
    ],
)
def test_posterior_matches_numerical_integration(params) -> None:
    exact = prob_b_beats_a(*params)
    assert exact == pytest.approx(_p_by_integration(*params), abs=2e-6)


def test_posterior_matches_seeded_monte_carlo() -> None:
    rng = random.Random(20261021)
    n = 40_000
    hits = sum(rng.betavariate(13, 9) > rng.betavariate(10, 12) for _ in range(n))
    assert prob_b_beats_a(10, 12, 13, 9) == pytest.approx(hits / n, abs=0.01)


def test_posterior_is_deterministic_and_symmetric() -> None:
    p = prob_b_beats_a(9, 22, 21, 12)
    assert p == prob_b_beats_a(9, 22, 21, 12)
    assert p + prob_b_beats_a(21, 12, 9, 22) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError):
        prob_b_beats_a(0, 1, 1, 1)


def test_decision_stored_posterior_equals_decide(db: Store, running) -> None:
    pid, champ, chall, eid = running
    _arm(db, pid, eid, "champion", wins=8, losses=17)
    _arm(db, pid, eid, "challenger", wins=19, losses=6)
    expected = db.decide(eid)
    verdict = db.promote(eid, decided_at="2026-10-05T10:00:00Z")
    assert verdict == expected
    e = db.experiment(eid)
    assert e is not None
    assert e.status == "promoted" and e.decision == "promote"
    assert e.decision_posterior == pytest.approx(expected.p_challenger_better)
    assert e.decided_at == "2026-10-05T10:00:00.000Z" and e.ended_at == e.decided_at
    project = db.project(pid)
    assert project is not None and project.champion_config_id == chall
    roles = {c.id: c.role for c in db.configs(pid)}
    assert roles == {chall: "champion", champ: "historical"}
    # the new champion serves sessions now; a new experiment may start against it
    variant, config = db.assign_variant(pid, "after")
    assert variant == "champion" and config["system_prompt_prefix"] == "plan first"
    nxt = db.add_config(pid, {"system_prompt_prefix": "tests first"})
    eid2 = db.start_experiment(pid, nxt, 0.3)
    again = db.experiment(eid2)
    assert again is not None and again.champion_config_id == chall


def test_promote_refuses_without_evidence_unless_forced(db: Store, running) -> None:
    pid, _champ, chall, eid = running
    _arm(db, pid, eid, "champion", wins=5, losses=5)
    _arm(db, pid, eid, "challenger", wins=6, losses=4)
    with pytest.raises(InvalidInput, match="need-more-data"):
        db.promote(eid)
    running_row = db.experiment(eid)
    assert running_row is not None and running_row.status == "running"
    verdict = db.promote(eid, force=True)
    assert verdict.decision == "need-more-data"
    e = db.experiment(eid)
    assert e is not None and e.status == "promoted" and e.decision == "need-more-data"
    project = db.project(pid)
    assert project is not None and project.champion_config_id == chall


def test_abort_and_hold_keep_the_champion(db: Store, running) -> None:
    pid, champ, chall, eid = running
    db.abort(eid)
    e = db.experiment(eid)
    assert e is not None and e.status == "aborted" and e.decided_at
    project = db.project(pid)
    assert project is not None and project.champion_config_id == champ
    assert {c.id: c.role for c in db.configs(pid)} == {champ: "champion", chall: "historical"}
    eid2 = db.start_experiment(pid, chall, 0.5)  # the same challenger may run again
    db.hold(eid2)
    held = db.experiment(eid2)
    assert held is not None and held.status == "held"
    for finish in (db.promote, db.abort, db.hold):
        with pytest.raises(InvalidInput, match="not running"):
            finish(eid2)
    with pytest.raises(NotFound):
        db.promote(999)


# -- experiments, configs and projects ---------------------------------------------------------------


def test_only_one_running_experiment_per_project(db: Store, running) -> None:
    pid, _champ, _chall, eid = running
    other = db.add_config(pid, {"system_prompt_prefix": "third"})
    with pytest.raises(InvalidInput, match="already has a running experiment"):
        db.start_experiment(pid, other, 0.5)
    # another project is independent
    pid2, _, chall2 = _project(db, "api")
    db.start_experiment(pid2, chall2, 0.2)
    assert [e.id for e in db.experiments(status="running")] != []
    assert len(db.experiments(status="running")) == 2
    db.abort(eid)
    eid3 = db.start_experiment(pid, other, 0.5)
    assert db.running_experiment(pid).id == eid3  # type: ignore[union-attr]


def test_start_experiment_validation(db: Store) -> None:
    pid, champ, chall = _project(db)
    for share in (0, 1, 1.5, -0.1, "0.5", True, float("nan")):
        with pytest.raises(InvalidInput, match="traffic_share"):
            db.start_experiment(pid, chall, share)  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="project"):
        db.start_experiment(404, chall, 0.5)
    with pytest.raises(NotFound, match="config"):
        db.start_experiment(pid, 404, 0.5)
    with pytest.raises(InvalidInput, match="already the champion"):
        db.start_experiment(pid, champ, 0.5)
    pid2 = db.create_project("other")
    foreign = db.add_config(pid2, {"x": 1})
    with pytest.raises(InvalidInput, match="another project"):
        db.start_experiment(pid, foreign, 0.5)
    no_champion = db.add_config(pid2, {"x": 2})
    with pytest.raises(InvalidInput, match="no champion"):
        db.start_experiment(pid2, no_champion, 0.5)
    assert db.experiments() == []


def test_config_fingerprint_is_stable(db: Store) -> None:
    pid = db.create_project("webapp")
    payload = {"model_pref": "m", "system_prompt_prefix": "é", "tools": ["a", "b"], "n": 1}
    first = db.add_config(pid, payload, role="champion")
    reordered = dict(reversed(list(payload.items())))
    assert db.add_config(pid, reordered, role="champion") == first
    config = db.config(first)
    assert config is not None
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert config.fingerprint == hashlib.sha256(canonical.encode()).hexdigest()
    assert config.payload == payload
    assert db.add_config(pid, config.payload, role="champion") == first  # read back, re-added
    different = db.add_config(pid, {**payload, "n": 2})
    assert different != first
    assert db.config(different).fingerprint != config.fingerprint  # type: ignore[union-attr]
    pid2 = db.create_project("api")
    elsewhere = db.add_config(pid2, payload)
    assert elsewhere != first
    assert db.config(elsewhere).fingerprint == config.fingerprint  # type: ignore[union-attr]
    with pytest.raises(InvalidInput):
        db.add_config(pid, ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        db.add_config(pid, {"f": object()})
    with pytest.raises(InvalidInput):
        db.add_config(pid, {"x": float("nan")})
    with pytest.raises(InvalidInput, match="role"):
        db.add_config(pid, {"x": 1}, role="boss")
    with pytest.raises(NotFound):
        db.add_config(999, {"x": 1})


def test_champion_roles(db: Store) -> None:
    pid = db.create_project("webapp")
    a = db.add_config(pid, {"v": "a"}, role="champion")
    b = db.add_config(pid, {"v": "b"}, role="champion")  # replaces a
    assert db.project(pid).champion_config_id == b  # type: ignore[union-attr]
    assert db.config(a).role == "historical"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="is the champion"):
        db.add_config(pid, {"v": "b"}, role="challenger")
    c = db.add_config(pid, {"v": "c"})
    db.start_experiment(pid, c, 0.5)
    with pytest.raises(InvalidInput, match="running experiment"):
        db.add_config(pid, {"v": "a"}, role="champion")
    with pytest.raises(InvalidInput, match="challenger of a running experiment"):
        db.add_config(pid, {"v": "c"}, role="historical")
    assert next(cfg.role for cfg in db.configs(pid)) == "champion"


def test_projects_read_helpers(db: Store) -> None:
    pid = db.create_project(
        "webapp", root_path="/src/webapp", adapter="claude-code", metadata={"team": "core"}
    )
    db.create_project("Api")
    with pytest.raises(InvalidInput, match="already exists"):
        db.create_project("webapp")
    assert db.create_project("webapp", exist_ok=True) == pid
    for bad in ("", "   ", None, 3):
        with pytest.raises(InvalidInput):
            db.create_project(bad)  # type: ignore[arg-type]
    assert [p.name for p in db.projects()] == ["Api", "webapp"]
    project = db.project(pid)
    assert project is not None
    assert (project.root_path, project.adapter, project.metadata) == (
        "/src/webapp",
        "claude-code",
        {"team": "core"},
    )
    assert db.project("webapp") == project
    assert db.project(999) is None and db.project("nope") is None
    assert db.experiment(999) is None and db.config(999) is None
    with pytest.raises(InvalidInput, match="status"):
        db.experiments(status="finished")


def test_sessions_of_a_project_record_project_id(db: Store, running) -> None:
    pid, _, _, eid = running
    sid = db.start_session(project=pid, experiment_id=eid, variant="challenger")
    info = db.session(sid)
    assert info is not None
    assert (info.project_id, info.project, info.experiment_id, info.variant) == (
        pid,
        "/src/webapp",
        eid,
        "challenger",
    )
    assert [s.id for s in db.sessions(experiment_id=eid, variant="challenger")] == [sid]
    assert db.sessions(experiment_id=eid, variant="champion") == []


# -- variant assignment --------------------------------------------------------------------------


def test_assign_variant_is_deterministic_and_follows_traffic_share(db: Store) -> None:
    pid, champ, chall = _project(db)
    eid = db.start_experiment(pid, chall, traffic_share=0.3)
    keys = [f"session-{n}" for n in range(4000)]
    first = [db.assign_variant(pid, k) for k in keys]
    assert [db.assign_variant(pid, k) for k in keys[:200]] == first[:200]
    share = sum(a.variant == "challenger" for a in first) / len(first)
    assert share == pytest.approx(0.3, abs=0.03)
    for assignment in first[:50]:
        variant, config = assignment
        assert assignment.experiment_id == eid
        if variant == "challenger":
            assert config == {"system_prompt_prefix": "plan first", "model_pref": "m2"}
            assert assignment.config_id == chall
        else:
            assert config["model_pref"] == "m1" and assignment.config_id == champ
    tagged = db.start_session(project=pid, **first[0].session_fields())
    info = db.session(tagged)
    assert info is not None and info.variant == first[0].variant and info.experiment_id == eid


def test_assign_variant_without_experiment_gives_the_champion(db: Store) -> None:
    pid, champ, _ = _project(db)
    assignment = db.assign_variant(pid, "k")
    assert tuple(assignment) == (
        "champion",
        {"system_prompt_prefix": "be careful", "model_pref": "m1"},
    )
    assert assignment.experiment_id is None and assignment.session_fields() == {"config_id": champ}
    with pytest.raises(NotFound):
        db.assign_variant(999, "k")
    with pytest.raises(InvalidInput):
        db.assign_variant(pid, "")
    bare = db.create_project("bare")
    with pytest.raises(InvalidInput, match="no champion"):
        db.assign_variant(bare, "k")


# -- signals -------------------------------------------------------------------------------------


def test_record_signal_validation(db: Store) -> None:
    sid = db.start_session(title="scored")
    for bad in (1.5, -0.1, float("nan"), float("inf"), "1", True, None):
        with pytest.raises(InvalidInput, match="value"):
            db.record_signal(sid, "explicit", "thumbs", bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="kind"):
        db.record_signal(sid, "thumbs", "thumbs", 1.0)
    with pytest.raises(InvalidInput, match="source"):
        db.record_signal(sid, "explicit", "", 1.0)
    with pytest.raises(SessionNotFound):
        db.record_signal("no-such-session", "explicit", "thumbs", 1.0)
    assert db.signals(sid) == []
    db.record_signal(sid, "implicit", "tests", 0, payload={"suite": "unit"})
    db.record_signal(sid, "explicit", "thumbs", 1)
    got = db.signals(sid)
    assert [(s["kind"], s["value"], s["payload"]) for s in got] == [
        ("implicit", 0.0, {"suite": "unit"}),
        ("explicit", 1.0, None),
    ]


# -- the demo ------------------------------------------------------------------------------------


def test_demo_has_a_promoted_and_a_running_experiment(db: Store) -> None:
    ids = populate(db, seed=3, now="2026-10-20T12:00:00Z")
    pid = ids["project_id"]
    promoted, running_ = ids["experiment_ids"]
    assert db.experiment(promoted).status == "promoted"  # type: ignore[union-attr]
    assert db.experiment(running_).status == "running"  # type: ignore[union-attr]
    first = db.decide(promoted)
    assert first.decision == "promote"
    assert (
        db.project(pid).champion_config_id
        == db.experiment(  # type: ignore[union-attr]
            running_
        ).champion_config_id
    )  # type: ignore[union-attr]
    now = db.decide(running_)
    assert now.champion.sessions_with_signals > 0 and now.challenger.sessions_with_signals > 0
    assert now.decision in ("need-more-data", "hold", "promote")
    tagged = db.sessions(limit=None, experiment_id=running_, variant="challenger")
    assert len(tagged) == now.challenger.sessions
    assert all(s.message_count == 4 and s.project_id == pid for s in tagged)
    # idempotent, and the same seed and time give the same data
    assert populate(db, seed=3, now="2026-10-20T12:00:00Z")["experiment_ids"] == [
        promoted,
        running_,
    ]
    other = Store(":memory:")
    populate(other, seed=3, now="2026-10-20T12:00:00Z")
    assert other.decide(running_) == now
    other.close()


# -- CLI -----------------------------------------------------------------------------------------


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def cli_store(db: Store) -> dict[str, int]:
    pid, champ, chall = _project(db)
    eid = db.start_experiment(pid, chall, 0.5, started_at="2026-10-01T09:00:00Z")
    _arm(db, pid, eid, "champion", wins=10, losses=15)
    _arm(db, pid, eid, "challenger", wins=20, losses=5)
    pid2, _, chall2 = _project(db, "api")
    eid2 = db.start_experiment(pid2, chall2, 0.25, started_at="2026-10-02T09:00:00Z")
    _arm(db, pid2, eid2, "challenger", wins=3, losses=1)
    return {"pid": pid, "eid": eid, "chall": chall, "champ": champ, "eid2": eid2}


def test_cli_list(cli_store) -> None:
    result = _run("experiments", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [cli_store["eid2"], cli_store["eid"]]
    row = rows[1]
    assert row["project"] == "webapp" and row["status"] == "running"
    assert row["verdict"]["decision"] == "promote"
    assert row["arms"]["challenger"]["wins"] == 20 and row["arms"]["champion"]["sessions"] == 25
    assert set(row) >= {
        "id",
        "project_id",
        "traffic_share",
        "started_at",
        "decision",
        "decision_posterior",
        "champion_config_id",
        "challenger_config_id",
    }
    text = _run("experiments", "list")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "PROJECT", "STATUS"]
    assert "promote" in lines[2] and "webapp" in lines[2] and "25/25" in lines[2]
    assert "need-more-data" in lines[1]
    only = json.loads(_run("experiments", "list", "--json", "--project", "api").stdout)
    assert [r["id"] for r in only] == [cli_store["eid2"]]
    assert json.loads(_run("experiments", "list", "--json", "--status", "promoted").stdout) == []
    missing = _run("experiments", "list", "--project", "nope")
    assert missing.exit_code == 1 and "no project" in missing.stderr


def test_cli_show_and_decide(cli_store) -> None:
    eid = cli_store["eid"]
    shown = json.loads(_run("experiments", "show", str(eid), "--json").stdout)
    assert len(shown) == 1
    assert shown[0]["configs"]["challenger"]["payload"] == {
        "system_prompt_prefix": "plan first",
        "model_pref": "m2",
    }
    assert shown[0]["configs"]["champion"]["role"] == "champion"
    text = _run("experiments", "show", str(eid)).stdout
    assert f"Experiment {eid} · webapp · running" in text
    assert "plan first" in text and "-> promote" in text
    decided = json.loads(_run("experiments", "decide", str(eid), "--json").stdout)
    assert decided[0]["decision"] == "promote"
    assert decided[0]["champion"]["alpha"] == 11 and decided[0]["challenger"]["beta"] == 6
    assert decided[0]["p_challenger_better"] == pytest.approx(prob_b_beats_a(11, 16, 21, 6))
    plain = _run("experiments", "decide", str(eid)).stdout
    assert "challenger" in plain and "P(challenger better) = 0.998" in plain
    for cmd in ("show", "decide", "promote", "abort", "hold"):
        result = _run("experiments", cmd, "999")
        assert result.exit_code == 1
        assert result.stderr.strip() == "sessionscope: error: no experiment has id 999."


def test_cli_promote_abort_hold(cli_store, db: Store) -> None:
    refused = _run("experiments", "promote", str(cli_store["eid2"]))
    assert refused.exit_code == 1 and "need-more-data" in refused.stderr
    assert "Traceback" not in refused.output
    done = _run("experiments", "promote", str(cli_store["eid"]), "--json")
    assert done.exit_code == 0
    row = json.loads(done.stdout)[0]
    assert row["status"] == "promoted" and row["decision"] == "promote"
    assert row["decision_posterior"] == pytest.approx(prob_b_beats_a(11, 16, 21, 6))
    assert db.project(cli_store["pid"]).champion_config_id == cli_store["chall"]  # type: ignore[union-attr]
    again = _run("experiments", "promote", str(cli_store["eid"]))
    assert again.exit_code == 1 and "not running" in again.stderr
    aborted = _run("experiments", "abort", str(cli_store["eid2"]))
    assert aborted.exit_code == 0 and "Aborted experiment" in aborted.stdout
    assert db.experiment(cli_store["eid2"]).status == "aborted"  # type: ignore[union-attr]


def test_cli_promote_force_and_hold(db: Store) -> None:
    pid, _, chall = _project(db)
    eid = db.start_experiment(pid, chall, 0.5)
    forced = _run("experiments", "promote", str(eid), "--force")
    assert forced.exit_code == 0 and "Promoted config" in forced.stdout
    nxt = db.add_config(pid, {"v": 3})
    eid2 = db.start_experiment(pid, nxt, 0.5)
    held = _run("experiments", "hold", str(eid2), "--json")
    assert held.exit_code == 0 and json.loads(held.stdout)[0]["status"] == "held"


def test_cli_bare_group_lists_and_bad_id_is_a_usage_error(cli_store) -> None:
    listed = _run("experiments")
    assert listed.exit_code == 0 and "webapp" in listed.stdout
    bad = CliRunner().invoke(cli, ["experiments", "show", "abc"])
    assert bad.exit_code != 0
    assert "Traceback" not in bad.output
