"""``estate plan``: load, resolve, solve with CP-SAT, write ``plan.json`` and the reports."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from estate.cli import pipeline, registry, replan
from estate.cli.common import EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_NO_PLAN, user_errors
from estate.errors import EstateError
from estate.locks import target_lock
from estate.plan import Plan, Totals
from estate.register import PlanEntry, Register

Show = Callable[[float, float, float, float], None]

#: Seconds between progress lines when stderr is not a terminal.
LINE_EVERY = 10.0


def _money(x: float | None) -> str:
    if x is None:
        return "n/a"
    text = f"£{abs(x):,.0f}"
    return text if round(x) >= 0 else "-" + text


def _versus(name: str, plan: Totals, other: Totals | None) -> str:
    if other is None:
        return f"  vs {name}: none (the {name} plan breaks a rule)"
    diff = other.objective - plan.objective
    pct = 100.0 * diff / abs(other.objective) if other.objective else 0.0
    if round(diff) == 0:
        verdict = "the same"
    elif diff > 0:
        verdict = f"saves {_money(diff)} ({pct:.1f} %)"
    else:
        verdict = f"costs {_money(-diff)} more ({-pct:.1f} %)"
    return (f"  vs {name}: {_money(other.objective)} -> {verdict}; cash {_money(other.cost)}, "
            f"{other.co2e_tonnes:,.1f} tCO2e")


def _line(limit: float, elapsed: float, best: float, bound: float, gap: float) -> str:
    return (f"{elapsed:6.1f}s of {limit:g}s  best {_money(best)}  bound {_money(bound)}  "
            f"gap {100 * gap:.2f} %")


@contextmanager
def _progress(quiet: bool, limit: float) -> Iterator[Show | None]:
    """A progress callback: a live line on a terminal, else a line every ~10 s."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():
        latest: list[tuple[float, float, float, float]] = []
        done = threading.Event()
        t0 = time.monotonic()

        def tick() -> None:
            while not done.wait(LINE_EVERY):
                now = time.monotonic() - t0
                if now > limit + 1:
                    return  # the search is over
                if latest:
                    _, best, bound, gap = latest[-1]
                    click.echo(_line(limit, now, best, bound, gap), err=True)
                else:
                    click.echo(f"{now:6.1f}s of {limit:g}s  no plan yet", err=True)

        thread = threading.Thread(target=tick, daemon=True)
        thread.start()
        try:
            yield lambda *values: latest.append(values)
        finally:
            done.set()
            thread.join()
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    with Live(Text(f"solving… (time limit {limit:g}s)"), console=Console(stderr=True),
              refresh_per_second=4, transient=True) as live:
        def show(elapsed: float, best: float, bound: float, gap: float) -> None:
            live.update(Text(_line(limit, elapsed, best, bound, gap)))

        yield show


def _summary(plan: Plan, n_apps: int) -> None:
    click.echo(f"{plan.status}: {n_apps} applications, solved in {plan.solve_seconds:.1f}s")
    t = plan.totals
    if t is None:
        return
    click.echo(f"  objective {_money(plan.objective)}  bound {_money(plan.bound)}  "
               f"gap {100 * (plan.gap or 0.0):.2f} %")
    price = (plan.assumptions.get("objective") or {}).get("carbon_price")
    priced = "" if price is None else f" (carbon priced at £{price:,.0f}/t in the objective)"
    click.echo(f"  cash {_money(t.cost)}, discounted {_money(t.cost_discounted)}, "
               f"{t.co2e_tonnes:,.1f} tCO2e{priced}")
    click.echo(_versus("baseline", t, plan.baseline))
    click.echo(_versus("greedy", t, plan.greedy))
    moved = sum(1 for a in plan.applications if a.strategy != "retain")
    click.echo(f"  {moved} of {len(plan.applications)} applications change")


def _compare_with(before: PlanEntry | None, previous: Plan | None, plan: Plan,
                  reg: Register | None) -> None:
    """The re-plan against the register's previous plan."""
    if not plan.has_schedule:
        return
    if before is None or previous is None:
        click.echo("  (no previous plan in the register to compare with)")
        return
    from estate.cli.commands.register import render
    from estate.register.diff import diff_plans

    click.echo(f"compared with the previous plan {before.title} ({before.created_at[:10]}):")
    inputs = reg.inputs(before.fingerprint) if reg is not None else None
    here = reg.inputs(str(plan.inputs.get("fingerprint"))) if reg is not None else None
    render(diff_plans(previous, plan, inputs, here), 10)


@click.command()
@click.argument("workbook", required=False,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for plan.json and the reports.")
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
              default=None, help="A previous plan.json: keep every application's decision "
                                 "(edit it first to free some).")
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A TOML overriding reference data (defaults, factors).")
@click.option("--no-pdf", is_flag=True, help="Do not print roadmap.pdf.")
@click.option("--quiet", is_flag=True, help="No progress line.")
@click.option("--name", default=None,
              help='Name the plan in the register (e.g. "Cabinet March 2027").')
@registry.db_option
@click.option("--no-register", is_flag=True, help="Do not record the plan in the register.")
@click.option("--from-actuals", is_flag=True,
              help="Re-plan from --today: keep what the actuals sheet records as done and the "
                   "moves in flight in the register's previous plan; nothing else starts "
                   "before today.")
@click.option("--today", default=None, metavar="YYYY-MM",
              help="The current month for --from-actuals (default: this month).")
@user_errors
def plan(workbook: Path | None, out_dir: Path, time_limit: float, workers: int | None,
         seed: int, carbon_price: float | None, objective: str, demo: bool,
         pins_path: Path | None, reference: Path | None, no_pdf: bool, quiet: bool,
         name: str | None, db: str | None, no_register: bool, from_actuals: bool,
         today: str | None) -> None:
    """Plan WORKBOOK (or --demo): which applications move, retire, are replaced
    or kept, and when, at the lowest discounted cost and carbon. Writes
    DIR/plan.json and the reports, and prints a summary.

    Every plan is recorded in the plan register (estate.db beside the
    workbook, or --db; see `estate history`) unless --no-register is given.

    Exit 0 with a plan, 1 on bad input (nothing written), 3 when no plan was
    found within the time limit, 4 when no plan can keep every rule (the
    clashing rules are named).
    """
    t0 = time.monotonic()
    raw, notices = pipeline.load_noting(workbook, demo)
    for n in notices:
        click.echo(f"{'warning' if n.kind == 'warning' else 'note'}: {n}", err=True)
    pipeline.check_output_dir(out_dir)
    pins = pipeline.read_pins(pins_path) if pins_path is not None else ()
    if today is not None and not from_actuals:
        raise click.UsageError("--today goes with --from-actuals")
    if from_actuals and pins_path is not None:
        raise click.UsageError("--from-actuals makes its own pins; drop --pins")
    reg = registry.open_for(workbook, db, off=no_register, name=name)
    before, previous = replan.previous_plan(reg) if from_actuals else (None, None)
    with _progress(quiet, time_limit) as show:
        if from_actuals:
            run = replan.plan_from_actuals(raw, today or replan.this_month(), previous,
                                           reference=reference, time_limit=time_limit,
                                           workers=workers, seed=seed, objective=objective,
                                           carbon_price=carbon_price, progress=show)
        else:
            run = pipeline.plan_estate(raw, pins=pins, pins_source=str(pins_path),
                                       reference=reference, time_limit=time_limit,
                                       workers=workers, seed=seed, objective=objective,
                                       carbon_price=carbon_price, progress=show)
    with target_lock(out_dir, inside=True):  # a second plan into DIR waits its turn
        written = pipeline.write_outputs(run, out_dir, pdf=not no_pdf,
                                         warn=lambda m: click.echo(f"warning: {m}", err=True))
    p = run.result.plan
    _summary(p, len(run.estate.applications))
    for path in written:
        click.echo(f"wrote {path}")
    if reg is not None:
        settings = {"time_limit": time_limit, "workers": workers, "seed": seed,
                    "objective": objective, "carbon_price": carbon_price,
                    "pins": str(pins_path) if pins_path else None,
                    "reference": str(reference) if reference else None,
                    "from_actuals": (today or replan.this_month()) if from_actuals else None}
        try:
            with reg:
                number = registry.record(reg, p, raw, name=name, settings=settings,
                                         kind="replan" if from_actuals else "plan")
        except EstateError as exc:  # the files are written: say so, not "nothing written"
            click.echo(f"error: the plan was written to {out_dir} but not recorded in "
                       f"{reg.where}:", err=True)
            for issue in exc.issues:
                click.echo(f"  - {issue}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        click.echo(f"recorded as plan #{number}{f' {name.strip()!r}' if name else ''} "
                   f"in {reg.where}")
    if from_actuals:
        for line in replan.history_notes(run):
            click.echo(f"note: {line}", err=True)
        _compare_with(before, previous, p, reg)
    if p.status == "infeasible":
        from solver.model.explain import conflict_paragraph

        click.echo(conflict_paragraph(p.conflicts), err=True)
        sys.exit(EXIT_INFEASIBLE)
    if p.totals is None:
        click.echo(f"no plan found in {time_limit:g}s; try a longer --time-limit", err=True)
        sys.exit(EXIT_NO_PLAN)
    if not quiet:
        click.echo(f"  ({time.monotonic() - t0:.1f}s in all)", err=True)
