"""``estate sensitivity``: what the answer hangs on, in one Dask batch."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from estate.cli import pipeline
from estate.cli.commands.frontier import batch_options
from estate.cli.common import EXIT_NO_PLAN, user_errors
from estate.cli.progress import batch_progress
from estate.cli.studies import BatchOptions
from estate.sensitivity import ASSUMPTIONS


@click.command()
@click.argument("workbook", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for sensitivity.json/.xlsx, tornado.html and a folder per case.")
@click.option("--demo", is_flag=True, help="Use the bundled demo estate (no WORKBOOK).")
@click.option("--break-even", "break_even", type=click.IntRange(0, 20), default=4,
              show_default=True,
              help="Most plans a bisection takes to find where an assumption that changes "
                   "decisions flips them (0: no break-even search).")
@click.option("--assumptions", "names", default=None, metavar="NAME,NAME",
              help="Vary only these assumptions (default: all): "
                   + ", ".join(a.name for a in ASSUMPTIONS) + ".")
@batch_options
@user_errors
def sensitivity(workbook: Path | None, out_dir: Path, demo: bool, break_even: int,
                names: str | None, time_limit: float,
                workers: int, processes: int | None, scheduler: str | None, seed: int,
                resume: bool, reference: Path | None, quiet: bool) -> None:
    """Plan WORKBOOK (or --demo) with each assumption the answer may hang on at
    a low and a high value (cloud pricing basis, cloud price level,
    VMs per administrator, cloud labour share, hypervisor edition,
    electricity price, carbon price series, discount rate, rehost one-off,
    server-room PUE; --assumptions chooses some) beside the base, in one
    batch, and report
    each one's effect on the plan's NPV against staying and on the number of
    applications moved. For each numeric assumption whose two cases move a
    different number of applications, a bisection (up to --break-even more
    plans, in the same batch) finds the value where the plan flips. Every plan
    is checked by the evaluator (as `estate check`) as it arrives. The case
    plans leave out the cloud alternatives (the board's exceptions come from
    `estate plan`). Writes
    DIR/sensitivity.json, sensitivity.xlsx, tornado.html and a folder per case
    (plan.json, as `estate scenarios`).

    Exit 1 on bad input, 3 when a case has no plan or a plan fails the check.
    """
    from estate.cli.sensitivity_batch import choose_assumptions, run_sensitivity

    t0 = time.monotonic()
    if (workbook is None) != demo:
        raise click.UsageError("give WORKBOOK or --demo")
    chosen = choose_assumptions(names)
    raw = pipeline.load(workbook, demo)
    options = BatchOptions(time_limit=time_limit, workers=workers, seed=seed,
                           scheduler=scheduler, processes=processes, resume=resume)
    with batch_progress(quiet, "sensitivity") as bar:
        run = run_sensitivity(raw, out_dir, assumptions=chosen, break_even=break_even,
                              reference=reference, options=options, started=bar.started,
                              done=bar.done)
    for name, why in run.disagreements.items():
        click.echo(f"warning: {name}: the evaluator disagrees: {why}", err=True)
    for e in sorted(run.effects, key=lambda e: -e.swing):
        a = e.assumption
        lo, hi = (_change_words(v, e.base_npv) for v in e.npv)
        click.echo(f"  {a.words}: {a.low_words} {lo}, {a.high_words} {hi} "
                   f"(moved {e.moved[0]} / {e.moved[1]} against {e.base_moved})")
    for b in run.break_evens:
        click.echo(f"  break-even: {b.words()}")
    for path in run.written:
        click.echo(f"  wrote {path}")
    if not quiet:
        click.echo(f"  ({time.monotonic() - t0:.1f}s in all)", err=True)
    if run.missing or not all(run.checked.values()):
        click.echo("some cases have no plan or fail the check (see above)", err=True)
        sys.exit(EXIT_NO_PLAN)


def _change_words(v: float | None, base: float) -> str:
    """A case's NPV against staying beside the base's, in words."""
    if v is None:
        return "no plan"
    d = round(v - base)
    if d == 0:
        return "no change"
    return f"saves £{abs(d):,.0f} {'more' if d > 0 else 'less'}"
