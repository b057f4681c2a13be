"""``estate check WORKBOOK PLAN_JSON``: recompute a plan with the reference evaluator."""

from __future__ import annotations

from pathlib import Path

import click

from estate.cli.common import user_errors
from estate.errors import EstateError, Issue
from estate.plan import Plan, Totals


def _read(path: Path) -> Plan:
    from estate.plan import read_plan

    try:
        return read_plan(path)
    except ValueError as exc:
        raise EstateError(Issue(str(path), str(exc))) from exc


def _totals_line(name: str, claimed: Totals | None, mine: Totals | None) -> str:
    def fmt(t: Totals | None) -> str:
        if t is None:
            return "null"
        return (f"£{t.cost:,.2f} cash, £{t.cost_discounted:,.2f} discounted, "
                f"{t.co2e_tonnes:,.3f} tCO2e, objective £{t.objective:,.2f}")

    return f"  {name:<9} plan:      {fmt(claimed)}\n  {'':<9} evaluator: {fmt(mine)}"


def _section(title: str, lines: list[str]) -> None:
    if not lines:
        click.echo(f"{title}: none")
        return
    click.echo(f"{title}: {len(lines)}")
    for line in lines:
        click.echo(f"  - {line}")


@click.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.argument("plan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None,
              help="Another plan.json of the same workbook (an earlier or another solver's "
                   "plan): it is checked too, and PLAN_JSON fails if it claims 'optimal' "
                   "but the reference is feasible and cheaper.")
@user_errors
def check(workbook: Path, plan_json: Path, reference: Path | None) -> None:
    """Recompute every figure of PLAN_JSON from WORKBOOK with the independent
    evaluator: derived state (decommission, replacement, contract decisions,
    site exits), totals, baseline and greedy, and every planning rule.

    Exit 0 when everything agrees (within 0.1 % or £1 / 0.001 t) and no rule
    is broken, 1 otherwise."""
    from estate.resolve import resolve
    from inventory.load import load_estate
    from solver.evaluate import agrees, baseline, compare_plan, evaluate
    from solver.greedy import greedy

    estate = resolve(load_estate(workbook))
    plan = _read(plan_json)
    click.echo(f"checking {plan_json} against {workbook}")
    click.echo(f"  status {plan.status}; {len(plan.applications)} applications, "
               f"{len(plan.servers)} servers, {len(plan.contracts)} contracts, "
               f"{len(plan.sites)} sites")
    diffs = compare_plan(estate, plan)
    same_horizon = not any(d.startswith("horizon:") for d in diffs)
    if same_horizon:
        mine = None
        if plan.status != "infeasible":
            mine = evaluate(estate, plan.decisions, check=False).totals
        click.echo("totals")
        click.echo(_totals_line("plan", plan.totals, mine))
        click.echo(_totals_line("baseline", plan.baseline, baseline(estate).totals))
        if plan.greedy is not None:
            g = greedy(estate)[1]
            click.echo(_totals_line("greedy", plan.greedy, None if g is None else g.totals))
    rules = [d.removeprefix("rule broken: ") for d in diffs if d.startswith("rule broken: ")]
    other = [d for d in diffs if not d.startswith("rule broken: ")]
    _section("rules broken", rules)
    _section("differences", other)
    failed = bool(diffs)
    if reference is not None:
        ref = _read(reference)
        ref_diffs = compare_plan(estate, ref)
        _section(f"reference {reference}: differences", ref_diffs)
        failed = failed or bool(ref_diffs)
        if same_horizon and ref.status != "infeasible" and plan.status != "infeasible":
            ours = evaluate(estate, plan.decisions, check=False).totals.objective
            ref_ev = evaluate(estate, ref.decisions, check=True)
            theirs = ref_ev.totals.objective
            click.echo(f"reference objective £{theirs:,.2f}; this plan £{ours:,.2f} "
                       f"({ours - theirs:+,.2f})")
            if (plan.status == "optimal" and ref_ev.feasible and theirs < ours
                    and not agrees(ours, theirs)):
                click.echo("  - the plan claims to be optimal but the reference is "
                           "feasible and cheaper")
                failed = True
    if failed:
        click.echo("FAILED: the plan does not agree with the evaluator")
        raise SystemExit(1)
    click.echo("OK: every figure agrees and every rule is kept")
