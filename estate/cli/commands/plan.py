"""``estate plan``: load, resolve, solve with CP-SAT, write ``plan.json``."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from estate.cli.common import user_errors
from estate.errors import EstateError, Issue
from estate.model import Estate, Pin
from estate.plan import Totals

EXIT_INFEASIBLE = 2
EXIT_NO_PLAN = 3


def pins_from_plan(estate: Estate, path: Path) -> Estate:
    """Pin every application of a previous ``plan.json``: its strategy, target
    and start become :class:`~estate.model.Pin` objects replacing the workbook's
    pins of those applications.

    Raises
    ------
    EstateError
        When the file is not a plan, has no schedule, or names applications
        the workbook does not have.
    """
    from estate.plan import read_plan

    try:
        plan = read_plan(path)
    except ValueError as exc:
        raise EstateError(Issue(str(path), str(exc))) from exc
    if not plan.applications:
        raise EstateError(Issue(str(path), f"the plan ({plan.status}) has no applications "
                                           "to pin"))
    known = set(estate.app_by_id)
    unknown = [a.app_id for a in plan.applications if a.app_id not in known]
    if unknown:
        raise EstateError([Issue(str(path), f"application {a!r} is not in the workbook",
                                 sheet="applications") for a in unknown])
    new: list[Pin] = []
    issues = []
    for a in plan.applications:
        try:
            if a.strategy == "retain":
                new.append(Pin(a.app_id, "retain"))
            else:
                new.append(Pin(a.app_id, a.strategy, a.start, a.target_site))
        except ValueError as exc:
            issues.append(Issue(str(path), f"application {a.app_id}: {exc}"))
    if issues:
        raise EstateError(issues)
    pinned = {p.app_id for p in new}
    keep = tuple(p for p in estate.pins if p.app_id not in pinned)
    return replace(estate, pins=keep + tuple(new))


def _money(x: float | None) -> str:
    return "n/a" if x is None else f"£{x:,.0f}"


def _versus(name: str, plan: Totals, other: Totals | None) -> str:
    if other is None:
        return f"  vs {name}: n/a"
    diff = other.objective - plan.objective
    pct = 100.0 * diff / other.objective if other.objective else 0.0
    return (f"  vs {name}: {_money(other.objective)} -> saves {_money(diff)} ({pct:.1f} %); "
            f"cash {_money(other.cost)}, {other.co2e_tonnes:,.1f} tCO2e")


def _progress_printer(quiet: bool) -> tuple[Any, Any]:
    """A progress callback drawing one live line with rich (None when quiet)."""
    if quiet:
        return None, None
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    console = Console(stderr=True)
    live = Live(Text("solving…"), console=console, refresh_per_second=4, transient=True)

    def show(elapsed: float, obj: float, bound: float, gap: float) -> None:
        live.update(Text(f"{elapsed:6.1f}s  best {_money(obj)}  bound {_money(bound)}  "
                         f"gap {100 * gap:.2f} %"))

    return show, live


@click.command()
@click.argument("workbook", required=False,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for plan.json (and the reports).")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds for the solver. Loading and checking the workbook and writing "
                   "the reports come on top (for 200,000 rows, about 100 s from .xlsx, 20 s "
                   "from .csv).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="CP-SAT workers (default: number of CPUs).")
@click.option("--seed", type=int, default=0, show_default=True, help="CP-SAT random seed.")
@click.option("--carbon-price", type=click.FloatRange(min=0.0), default=None,
              help="£ per tCO2e in the objective (overrides the workbook).")
@click.option("--objective", type=click.Choice(["balanced", "cost", "carbon"]),
              default="balanced", show_default=True,
              help="balanced: cost + carbon price × tonnes; cost: carbon price 0; "
                   "carbon: least tonnes, then balanced.")
@click.option("--demo", is_flag=True, help="Plan the bundled demo estate (no WORKBOOK).")
@click.option("--pins", "pins_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A previous plan.json: keep every application's decision.")
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A TOML overriding reference data (defaults, factors).")
@click.option("--quiet", is_flag=True, help="No live progress line.")
@user_errors
def plan(workbook: Path | None, out_dir: Path, time_limit: float, workers: int | None,
         seed: int, carbon_price: float | None, objective: str, demo: bool,
         pins_path: Path | None, reference: Path | None, quiet: bool) -> None:
    """Plan WORKBOOK (or --demo): which applications move, retire, are replaced
    or kept, and when, at the lowest discounted cost and carbon. Writes
    DIR/plan.json and prints a summary.

    Exit 0 with a plan, 1 on bad input, 2 when no plan can keep every rule
    (the clashing rules are named), 3 when no plan was found in the time limit.
    """
    from solver.solve import solve

    if demo == (workbook is not None):
        raise EstateError(Issue("estate plan", "give a WORKBOOK or --demo (not both)"))
    raw = _load(workbook, demo)
    _check_out(out_dir)
    if pins_path is not None:
        raw = pins_from_plan(raw, pins_path)
    estate = _resolve(raw, reference)
    show, live = _progress_printer(quiet)
    if live is not None:
        with live:
            result = solve(estate, time_limit=time_limit, workers=workers, seed=seed,
                           objective=objective, carbon_price=carbon_price, progress=show)
    else:
        result = solve(estate, time_limit=time_limit, workers=workers, seed=seed,
                       objective=objective, carbon_price=carbon_price)
    written = _write_outputs(estate, result, out_dir)
    p = result.plan
    click.echo(f"{p.status}: {len(estate.applications)} applications, "
               f"{p.solve_seconds:.1f}s -> {out_dir / 'plan.json'}")
    if result.status == "infeasible":
        from solver.model.explain import conflict_paragraph

        click.echo(conflict_paragraph(p.conflicts), err=True)
        sys.exit(EXIT_INFEASIBLE)
    if p.totals is None:
        click.echo(f"no plan found in {time_limit:g}s; try a longer --time-limit", err=True)
        sys.exit(EXIT_NO_PLAN)
    t = p.totals
    click.echo(f"  objective {_money(p.objective)}  bound {_money(p.bound)}  "
               f"gap {100 * (p.gap or 0.0):.2f} %")
    click.echo(f"  cash {_money(t.cost)}, discounted {_money(t.cost_discounted)}, "
               f"{t.co2e_tonnes:,.1f} tCO2e")
    click.echo(_versus("baseline", t, p.baseline))
    click.echo(_versus("greedy", t, p.greedy))
    moved = sum(1 for a in p.applications if a.strategy != "retain")
    click.echo(f"  {moved} of {len(p.applications)} applications change")
    for path in written[1:]:
        click.echo(f"  wrote {path}")


def _load(workbook: Path | None, demo: bool) -> Estate:
    if demo:
        from inventory.demo import demo_estate

        return demo_estate()
    from inventory.load import load_workbook

    loaded = load_workbook(str(workbook))
    for n in loaded.notices_of("ignored"):
        click.echo(f"note: {n}", err=True)
    assert loaded.estate is not None
    return loaded.estate


def _resolve(raw: Estate, reference: Path | None) -> Estate:
    from estate.resolve import resolve

    if raw.resolved and reference is None:
        return raw
    return resolve(raw, reference)


def _check_out(out_dir: Path) -> None:
    """Fail before solving when the outputs could not be written."""
    from estate.files import check_output_dir
    from reports import OUTPUT_FILES

    check_output_dir(out_dir, OUTPUT_FILES)


def _write_outputs(estate: Estate, result: Any, out_dir: Path) -> list[Path]:
    """plan.json, and the reports when there is a plan, written all or nothing."""
    from reports import write_outputs

    has_plan = result.status != "infeasible" and result.plan.totals is not None
    return write_outputs(estate, result, out_dir, reports=has_plan)
