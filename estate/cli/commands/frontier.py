"""``estate frontier``: the cost–carbon Pareto front, solved as a Dask batch."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from estate.cli import batch, pipeline, registry
from estate.cli.common import EXIT_INFEASIBLE, EXIT_NO_PLAN, user_errors
from estate.cli.progress import batch_progress
from estate.cli.studies import BatchOptions, run_frontier
from estate.errors import printable
from estate.summary import tonnes_text


def _scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--scheduler``: a Dask address ``tcp://HOST:PORT``, else a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return batch.check_address(value)
    except ValueError as exc:
        raise click.BadParameter(printable(str(exc))) from None


def batch_options(f):  # type: ignore[no-untyped-def]
    """The options every batch command shares (time limit, workers, Dask)."""
    opts = [
        click.option("--time-limit", type=click.FloatRange(min=0.1), default=60.0,
                     show_default=True, help="Seconds for each solve."),
        click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
                     help="CP-SAT workers (threads) for each solve."),
        click.option("--processes", type=click.IntRange(min=1), default=None,
                     help="Local Dask worker processes (default: cores // --workers)."),
        click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                     callback=_scheduler,
                     help="Run the batch on this Dask scheduler's workers instead of on "
                          "this machine (connecting within "
                          f"{batch.CONNECT_TIMEOUT:g} s)."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="CP-SAT random seed."),
        click.option("--resume", is_flag=True, help="Keep the plans a previous run of the "
                     "same batch left in --out; solve only the rest."),
        click.option("--reference", type=click.Path(exists=True, dir_okay=False,
                                                    path_type=Path),
                     default=None, help="A TOML overriding reference data."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


@click.command()
@click.argument("workbook", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for frontier.json/.xlsx/.html and a folder per point.")
@click.option("--points", type=click.IntRange(min=2), default=5, show_default=True,
              help="Plans on the front, both ends included.")
@click.option("--demo", is_flag=True, help="Use the bundled demo estate (no WORKBOOK).")
@click.option("--no-plan", is_flag=True, help="Do not also solve this plan (the balanced "
              "objective at the workbook's carbon price) to mark it on the chart.")
@batch_options
@registry.db_option
@registry.no_register_option
@user_errors
def frontier(workbook: Path | None, out_dir: Path, points: int, demo: bool, no_plan: bool,
             time_limit: float, workers: int, processes: int | None, scheduler: str | None,
             seed: int, resume: bool, reference: Path | None, quiet: bool, db: str | None,
             no_register: bool) -> None:
    """The cost–carbon Pareto front of WORKBOOK (or --demo) by the ε-constraint
    method: the least-cost plan, the least-carbon plan and POINTS-2 plans of
    least cost within evenly spaced carbon caps between them.

    Each point is a complete plan (DIR/point-K/plan.json, checkable with
    `estate check`) with its proven bound. Writes DIR/frontier.json,
    frontier.xlsx and frontier.html. The solves run as one Dask batch: on
    this machine, or on --scheduler's workers.

    Exit 0 with a front, 1 on bad input (nothing written), 3 when an end of
    the front has no plan in the time limit, 4 when the estate is infeasible.
    """
    t0 = time.monotonic()
    raw = pipeline.load(workbook, demo)
    reg = registry.open_for(workbook, db, off=no_register)
    options = BatchOptions(time_limit=time_limit, workers=workers, seed=seed,
                           scheduler=scheduler, processes=processes, resume=resume)
    with batch_progress(quiet, f"front of {points} points") as bar:
        run = run_frontier(raw, points, out_dir, reference=reference, options=options,
                           plan=not no_plan, started=bar.started, done=bar.done)
    numbers = registry.record_batch(reg, run.plans, raw, kind="frontier", skip=run.resumed,
                                    settings={"time_limit": time_limit, "seed": seed,
                                              "points": points})
    front = run.frontier
    on = front.front
    click.echo(f"{len(on)} of {len(front.points)} points on the front -> {out_dir}")
    for p in on:
        s = p.summary
        mac = "" if p.mac is None else f"; £{p.mac:,.0f}/t avoided from {p.mac_from}"
        click.echo(f"  {p.spec.name} ({p.spec.label}): {tonnes_text(s.tonnes or 0.0)}, "
                   f"£{s.cost_discounted:,.0f} discounted, gap {100 * (s.gap or 0):.2f} %{mac}")
    for p in front.points:
        if p.dominated_by or p.same_as:
            why = f"dominated by {p.dominated_by}" if p.dominated_by else f"same as {p.same_as}"
            click.echo(f"  {p.spec.name}: {why}")
    for f in run.failed:
        click.echo(f"warning: {f.name} failed: {f.message}", err=True)
    if run.resumed:
        click.echo(f"  resumed: {', '.join(run.resumed)}")
    for name, why in run.distrusted:
        click.echo(f"warning: {name}: the saved plan does not check against the workbook "
                   f"({printable(why)}); solved again", err=True)
    for path in run.written:
        click.echo(f"  wrote {path}")
    if numbers and reg is not None:
        click.echo(f"  recorded as plans #{numbers[0]}–#{numbers[-1]} in {reg.where}")
    ends = [p for p in front.points if p.spec.kind != "capped"]
    if any(p.summary.status == "infeasible" for p in ends):
        click.echo("the estate is infeasible: run `estate plan` for the rules that clash",
                   err=True)
        sys.exit(EXIT_INFEASIBLE)
    if any(not p.summary.has_plan for p in ends):
        click.echo(f"an end of the front has no plan in {time_limit:g}s; try a longer "
                   "--time-limit", err=True)
        sys.exit(EXIT_NO_PLAN)
    if not quiet:
        click.echo(f"  ({time.monotonic() - t0:.1f}s in all)", err=True)
