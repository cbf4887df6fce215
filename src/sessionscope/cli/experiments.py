"""`sessionscope experiments`: list, show, decide, promote, hold and abort experiments."""

from __future__ import annotations

import json
from typing import Any

import click

from ..jsonout import echo_json
from ..sanitize import clean_line
from ..store import NotFound, Store
from ..store.decision import ArmStats, Decision
from ..store.experiments import EXPERIMENT_STATUSES, AgentConfig, Experiment
from .options import db_option, json_option, open_from_context


def arm_json(arm: ArmStats) -> dict[str, Any]:
    return {
        "variant": arm.variant,
        "config_id": arm.config_id,
        "sessions": arm.sessions,
        "sessions_with_signals": arm.sessions_with_signals,
        "wins": arm.wins,
        "losses": arm.losses,
        "win_rate": arm.win_rate,
        "mean_fitness": arm.mean_fitness,
        "alpha": arm.alpha,
        "beta": arm.beta,
    }


def decision_json(d: Decision) -> dict[str, Any]:
    return {
        "experiment_id": d.experiment_id,
        "decision": d.decision,
        "p_challenger_better": d.p_challenger_better,
        "reason": d.reason,
        "threshold": d.threshold,
        "min_sessions": d.min_sessions,
        "champion": arm_json(d.champion),
        "challenger": arm_json(d.challenger),
    }


def config_json(c: AgentConfig | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "id": c.id,
        "fingerprint": c.fingerprint,
        "role": c.role,
        "payload": c.payload,
        "created_at": c.created_at,
    }


def experiment_json(db: Store, e: Experiment, *, configs: bool = False) -> dict[str, Any]:
    """An experiment as stored, plus the decision rule's verdict on its data now."""
    project = db.project(e.project_id)
    verdict = db.decide(e.id)
    out: dict[str, Any] = {
        "id": e.id,
        "project_id": e.project_id,
        "project": project.name if project else None,
        "status": e.status,
        "traffic_share": e.traffic_share,
        "started_at": e.started_at,
        "ended_at": e.ended_at,
        "decided_at": e.decided_at,
        "decision": e.decision,
        "decision_posterior": e.decision_posterior,
        "champion_config_id": e.champion_config_id,
        "challenger_config_id": e.challenger_config_id,
        "verdict": {
            "decision": verdict.decision,
            "p_challenger_better": verdict.p_challenger_better,
            "reason": verdict.reason,
        },
        "arms": {
            "champion": arm_json(verdict.champion),
            "challenger": arm_json(verdict.challenger),
        },
    }
    if configs:
        out["configs"] = {
            "champion": config_json(db.config(e.champion_config_id)),
            "challenger": config_json(db.config(e.challenger_config_id)),
        }
    return out


def _require(db: Store, experiment_id: int) -> Experiment:
    found = db.experiment(experiment_id)
    if found is None:
        raise NotFound(f"no experiment has id {experiment_id}.")
    return found


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _fp(db: Store, config_id: int) -> str:
    c = db.config(config_id)
    return c.short if c else "?"


@click.group("experiments", invoke_without_command=True)
@click.pass_context
def experiments_cmd(ctx: click.Context) -> None:
    """Champion/challenger experiments: which agent config works better.

    With no subcommand, lists experiments.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_cmd)


@experiments_cmd.command("list")
@db_option
@json_option
@click.option("--project", "-p", help="Only this project (name or id).")
@click.option("--status", type=click.Choice(EXPERIMENT_STATUSES), help="Only this status.")
def list_cmd(as_json: bool = False, project: str | None = None, status: str | None = None) -> None:
    """Experiments, newest first, with the decision rule's verdict on their data now."""
    with open_from_context(must_exist=not as_json) as db:
        project_id = None
        if project:
            found = (db.project(int(project)) if project.isdecimal() else None) or db.project(
                project
            )
            if found is None:
                raise NotFound(f"no project is named {project!r}.")
            project_id = found.id
        rows = [experiment_json(db, e) for e in db.experiments(project_id, status=status)]
        if as_json:
            echo_json(rows)
            return
        if not rows:
            click.echo("No experiments. Start one with Store.start_experiment().", err=True)
            return
        click.echo(
            f"{'ID':>4}  {'PROJECT':<18}  {'STATUS':<9}  {'SHARE':>5}  {'STARTED':<10}  "
            f"{'CHAMPION':<8}  {'CHALLENGER':<10}  {'SESSIONS':>9}  {'WIN RATE':>9}  "
            f"{'P(BETTER)':>9}  DECISION"
        )
        for r in rows:
            champ, chall = r["arms"]["champion"], r["arms"]["challenger"]
            name = clean_line(r["project"] or "?")
            name = name if len(name) <= 18 else name[:17] + "…"
            verdict = r["verdict"]
            decision = r["decision"] if r["status"] != "running" else verdict["decision"]
            p = (
                r["decision_posterior"]
                if r["status"] != "running"
                else verdict["p_challenger_better"]
            )
            click.echo(
                f"{r['id']:>4}  {name:<18}  {r['status']:<9}  {r['traffic_share']:>5.0%}  "
                f"{(r['started_at'] or '')[:10]:<10}  "
                f"{_fp(db, r['champion_config_id']):<8}  {_fp(db, r['challenger_config_id']):<10}  "
                f"{str(champ['sessions']) + '/' + str(chall['sessions']):>9}  "
                f"{_percent(champ['win_rate']) + '/' + _percent(chall['win_rate']):>9}  "
                f"{'-' if p is None else format(p, '.3f'):>9}  {decision or '-'}"
            )


def _print_arms(d: Decision) -> None:
    click.echo(
        f"{'ARM':<11} {'SESSIONS':>8} {'SCORED':>7} {'WINS':>5} {'LOSSES':>6} "
        f"{'WIN RATE':>8} {'FITNESS':>8}"
    )
    for arm in (d.champion, d.challenger):
        fitness = "-" if arm.mean_fitness is None else f"{arm.mean_fitness:.2f}"
        click.echo(
            f"{arm.variant:<11} {arm.sessions:>8} {arm.sessions_with_signals:>7} {arm.wins:>5} "
            f"{arm.losses:>6} {_percent(arm.win_rate):>8} {fitness:>8}"
        )


def _print_verdict(d: Decision) -> None:
    click.echo(f"P(challenger better) = {d.p_challenger_better:.3f} -> {d.decision}")
    click.echo(d.reason)


@experiments_cmd.command("show")
@db_option
@click.argument("experiment_id", type=int)
@json_option
def show_cmd(experiment_id: int, as_json: bool) -> None:
    """One experiment: its configs, per-arm stats and the decision rule's verdict."""
    with open_from_context(must_exist=True) as db:
        e = _require(db, experiment_id)
        if as_json:
            echo_json([experiment_json(db, e, configs=True)])
            return
        project = db.project(e.project_id)
        verdict = db.decide(e.id)
        name = clean_line(project.name) if project else "?"
        click.echo(
            f"Experiment {e.id} · {name} · {e.status} · challenger on {e.traffic_share:.0%}"
            " of sessions"
        )
        click.echo(f"started   {e.started_at}")
        if e.decided_at:
            posterior = "" if e.decision_posterior is None else f", P = {e.decision_posterior:.3f}"
            click.echo(f"ended     {e.decided_at} (rule said {e.decision}{posterior})")
        for label, config_id in (
            ("champion", e.champion_config_id),
            ("challenger", e.challenger_config_id),
        ):
            c = db.config(config_id)
            payload = (
                clean_line(json.dumps(c.payload, ensure_ascii=False, sort_keys=True)) if c else ""
            )
            if len(payload) > 80:
                payload = payload[:79] + "…"
            click.echo(f"{label:<10} config {config_id} {c.short if c else '?'}  {payload}")
        click.echo()
        _print_arms(verdict)
        click.echo()
        _print_verdict(verdict)


@experiments_cmd.command("decide")
@db_option
@click.argument("experiment_id", type=int)
@json_option
def decide_cmd(experiment_id: int, as_json: bool) -> None:
    """Apply the decision rule now (nothing is written): promote, hold or need-more-data."""
    with open_from_context(must_exist=True) as db:
        _require(db, experiment_id)
        verdict = db.decide(experiment_id)
    if as_json:
        echo_json([decision_json(verdict)])
        return
    _print_arms(verdict)
    click.echo()
    _print_verdict(verdict)


def _finish(experiment_id: int, as_json: bool, action: str, force: bool = False) -> None:
    with open_from_context(must_exist=True) as db:
        _require(db, experiment_id)
        if action == "promote":
            verdict = db.promote(experiment_id, force=force)
        elif action == "hold":
            verdict = db.hold(experiment_id)
        else:
            verdict = db.abort(experiment_id)
        e = _require(db, experiment_id)
        if as_json:
            echo_json([experiment_json(db, e)])
            return
        project = db.project(e.project_id)
        name = clean_line(project.name) if project else "?"
        p = f"P(challenger better) = {verdict.p_challenger_better:.3f}"
        if action == "promote":
            click.echo(
                f"Promoted config {e.challenger_config_id} ({_fp(db, e.challenger_config_id)})"
                f" to champion of {name}; config {e.champion_config_id} is now historical. {p}."
            )
        elif action == "hold":
            click.echo(
                f"Held experiment {e.id}: config {e.champion_config_id} stays champion of"
                f" {name}. {p}."
            )
        else:
            click.echo(
                f"Aborted experiment {e.id}; config {e.champion_config_id} stays champion of"
                f" {name}."
            )


@experiments_cmd.command("promote")
@db_option
@click.argument("experiment_id", type=int)
@click.option("--force", is_flag=True, help="Promote even if the decision rule says otherwise.")
@json_option
def promote_cmd(experiment_id: int, force: bool, as_json: bool) -> None:
    """Make the challenger the champion (only when the rule says promote, unless --force)."""
    _finish(experiment_id, as_json, "promote", force)


@experiments_cmd.command("hold")
@db_option
@click.argument("experiment_id", type=int)
@json_option
def hold_cmd(experiment_id: int, as_json: bool) -> None:
    """End a running experiment keeping the champion."""
    _finish(experiment_id, as_json, "hold")


@experiments_cmd.command("abort")
@db_option
@click.argument("experiment_id", type=int)
@json_option
def abort_cmd(experiment_id: int, as_json: bool) -> None:
    """Stop a running experiment without a verdict; the champion stays."""
    _finish(experiment_id, as_json, "abort")
