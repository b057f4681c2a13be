"""``estate history`` and ``estate diff``: the plans of the register, and what
changed between two plans and why."""

from __future__ import annotations

import json
from pathlib import Path

import click

from estate.cli import registry
from estate.cli.common import user_errors
from estate.errors import EstateError, Issue
from estate.fingerprint import fingerprint
from estate.register.diff import PlanDiff, diff_plans


def _money(x: float | None) -> str:
    return "" if x is None else ("-" if round(x) < 0 else "") + f"£{abs(x):,.0f}"


@click.command()
@click.argument("workbook", required=False, type=click.Path(exists=True, path_type=Path))
@registry.db_option
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the newest N plans.")
@click.option("--json", "as_json", is_flag=True, help="Print the plans as JSON.")
@user_errors(writes=False)
def history(workbook: Path | None, db: str | None, limit: int | None, as_json: bool) -> None:
    """List the plans of the register of WORKBOOK (estate.db beside it, or --db),
    oldest first: number, name, kind, when, status, totals, and whether the
    plan was made from the workbook as it is now."""
    where = registry.location(workbook, db)
    if where is None:
        raise EstateError(Issue("estate history", "give a WORKBOOK or --db"))
    if isinstance(where, Path) and not where.exists():
        raise EstateError(Issue(str(where), "no register here yet: `estate plan` records "
                                "every plan in it"))
    now = None
    if workbook is not None:
        from estate.cli.pipeline import load

        now = fingerprint(load(workbook))
    with registry.open_register(where) as reg:
        entries = reg.plans(limit=limit)
    if as_json:
        click.echo(json.dumps([{**e.__dict__, "current": e.fingerprint == now}
                               for e in entries], indent=1))
        return
    if not entries:
        click.echo(f"no plans in {reg.where}")
        return
    click.echo(f"{len(entries)} plan{'s' if len(entries) != 1 else ''} in {reg.where}"
               + ("" if now is None else " (* = made from the workbook as it is now)"))
    click.echo(f"{'#':>5}  {'name':<24} {'kind':<9} {'made (UTC)':<17} {'status':<10} "
               f"{'objective':>14} {'cash':>14} {'tCO2e':>9} {'gap':>7}")
    for e in entries:
        mark = "*" if now is not None and e.fingerprint == now else " "
        name = (e.name or e.label or "")[:24]
        gap = "" if e.gap is None else f"{100 * e.gap:.2f}%"
        tonnes = "" if e.co2e_tonnes is None else f"{e.co2e_tonnes:,.1f}"
        click.echo(f"{e.plan_id:>4}{mark}  {name:<24} {e.kind:<9} "
                   f"{e.created_at[:16].replace('T', ' '):<17} {e.status:<10} "
                   f"{_money(e.objective):>14} {_money(e.cost):>14} {tonnes:>9} {gap:>7}")


def _section(title: str, lines: list[str], most: int) -> None:
    if not lines:
        return
    click.echo(f"{title} ({len(lines)}):")
    for line in lines[:most]:
        click.echo(f"  {line}")
    if len(lines) > most:
        click.echo(f"  … and {len(lines) - most} more (--all shows every one)")


def render(d: PlanDiff, most: int) -> None:
    """Print a diff for a person."""
    if d.same:
        click.echo("the plans decide the same and cost the same")
    _section("totals", d.totals, most)
    _section("applications whose decision or month moved",
             [c.text + "  <- " + " | ".join(d.explanations.get(c.key, []))
              for c in d.applications], most)
    _section("contracts", [c.text for c in d.contracts], most)
    _section("site exits", [c.text for c in d.sites], most)
    if not d.inputs_known:
        click.echo("inputs: not in the register for at least one plan; only what the plans "
                   "record (objective, carbon price, reference, pins) is compared")
    _section("input differences", [c.text for c in d.inputs], most)
    if d.inputs_known and not d.inputs:
        click.echo("input differences: none (same workbook, settings and reference)")


@click.command()
@click.argument("plan_a")
@click.argument("plan_b")
@click.option("--workbook", type=click.Path(exists=True, path_type=Path), default=None,
              help="Find the register beside this workbook (instead of --db).")
@registry.db_option
@click.option("--all", "show_all", is_flag=True, help="List every change (default: 25 a kind).")
@user_errors(writes=False)
def diff(plan_a: str, plan_b: str, workbook: Path | None, db: str | None,
         show_all: bool) -> None:
    """Say what changed from PLAN_A to PLAN_B (applications whose decision or
    month moved, contracts, site exits, totals) and which input differences
    explain it. Each PLAN is a register name, a number (#12) or a plan.json
    (or the folder holding it)."""
    where = registry.location(workbook, db)
    if where is None:
        for ref in (plan_a, plan_b):
            p = Path(ref)
            if p.is_file() or (p / "plan.json").is_file():
                wb = registry.read_plan(p if p.is_file() else p / "plan.json").inputs.get(
                    "workbook")
                if wb and Path(wb).exists():
                    where = registry.default_location(Path(wb))
                    break
    reg = None
    if where is not None and not (isinstance(where, Path) and not where.exists()):
        reg = registry.open_register(where)
    try:
        name_a, a, _ = registry.resolve_plan(reg, plan_a)
        name_b, b, _ = registry.resolve_plan(reg, plan_b)
        fa, fb = a.inputs.get("fingerprint"), b.inputs.get("fingerprint")
        ia = reg.inputs(fa) if reg is not None and fa else None
        ib = reg.inputs(fb) if reg is not None and fb else None
    finally:
        if reg is not None:
            reg.close()
    click.echo(f"A = {name_a}, B = {name_b}")
    render(diff_plans(a, b, ia, ib), 10**9 if show_all else 25)
