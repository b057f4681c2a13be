"""``estate check WORKBOOK PLAN_JSON``: re-derive and re-cost a plan, strictly."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from estate.cli import pipeline
from estate.cli.common import EXIT_BAD_INPUT, user_errors
from estate.plan import Totals
from solver.check import CheckReport, Difference
from solver.verify import NOT_VERIFIED

SECTIONS = (("rules broken", ("rule",)), ("status", ("status",)), ("inputs", ("inputs",)),
            ("differences", ("state", "total")))
#: Differences printed per section (the count is always given).
SHOWN = 50


def _fmt(t: Totals | None) -> str:
    if t is None:
        return "null"
    return (f"£{t.cost:,.2f} cash, £{t.cost_discounted:,.2f} discounted, "
            f"{t.co2e_tonnes:,.3f} tCO2e, objective £{t.objective:,.2f}")


def _section(title: str, diffs: list[Difference]) -> None:
    if not diffs:
        click.echo(f"{title}: none")
        return
    click.echo(f"{title}: {len(diffs)}")
    for d in diffs[:SHOWN]:
        click.echo(f"  - {d}")
    if len(diffs) > SHOWN:
        click.echo(f"  … and {len(diffs) - SHOWN} more")


def _render(report: CheckReport) -> None:
    if report.totals:
        click.echo("totals")
        for name in ("plan", "baseline", "greedy"):
            if name in report.totals:
                claimed, mine = report.totals[name]
                click.echo(f"  {name:<9} plan:      {_fmt(claimed)}")
                click.echo(f"  {'':<9} evaluator: {_fmt(mine)}")
    for note in report.notes:
        click.echo(note)
    for title, kinds in SECTIONS:
        _section(title, report.of_kind(*kinds))


@click.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.argument("plan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--against", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None,
              help="Another plan.json of the same workbook (an earlier or another solver's "
                   "plan): it is checked too, and PLAN_JSON fails if it claims 'optimal' "
                   "but the other plan keeps every rule and costs less.")
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The reference-data TOML the plan was made with.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds to prove an 'optimal' claim again, or to look for a plan when "
                   "PLAN_JSON claims 'infeasible'.")
@click.option("--scenario-ok", is_flag=True,
              help="Check a plan of `estate scenarios` under the scenario it records "
                   "(otherwise the workbook's own rules hold, and the scenario is named).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="CP-SAT workers for that search (default: number of CPUs).")
@user_errors(writes=False)
def check(workbook: Path, plan_json: Path, against: Path | None, reference: Path | None,
          time_limit: float, scenario_ok: bool, workers: int | None) -> None:
    """Recompute every figure of PLAN_JSON from WORKBOOK with the independent
    evaluator: derived state (decommissioning, replacements, contract
    decisions, site exits), totals and ledgers, baseline and greedy, the cloud
    alternatives, and every planning rule; verify the claimed status.

    Figures must agree to the penny (0.001 kg CO2e), however large the
    totals. An 'optimal' claim is proved again within --time-limit (else "not
    verified"); an 'unknown' plan has nothing to check and fails. A plan of
    `estate scenarios` is checked against the workbook's own rules unless
    --scenario-ok. Exit 0 when everything agrees, every rule is kept and
    every claim is verified, 1 otherwise."""
    plan, report, other = pipeline.check(workbook, plan_json, reference=reference,
                                         against=against, time_limit=time_limit,
                                         workers=workers, scenario_ok=scenario_ok)
    click.echo(f"checking {plan_json} against {workbook}")
    click.echo(f"  status {plan.status}; {len(plan.applications)} applications, "
               f"{len(plan.servers)} servers, {len(plan.contracts)} contracts, "
               f"{len(plan.sites)} sites")
    _render(report)
    failed = not report.ok
    if other is not None:
        click.echo(f"--against {against}")
        _render(other)
        failed = failed or not other.ok
    if failed:
        mine = list(report.differences) + (list(other.differences) if other else [])
        if all(d.message.startswith(NOT_VERIFIED) for d in mine):
            click.echo(f"NOT VERIFIED: every figure agrees and every rule is kept, but the "
                       f"'optimal' claim was not proved again in {time_limit:g} s")
        else:
            click.echo("FAILED: the plan does not agree with the evaluator")
        sys.exit(EXIT_BAD_INPUT)
    click.echo("OK: every figure agrees and every rule is kept")
