"""``estate sensitivity``: what the answer hangs on, in one Dask batch."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from estate.cli import pipeline
from estate.cli.commands.frontier import batch_options
from estate.cli.common import EXIT_NO_PLAN, user_errors
from estate.cli.progress import batch_progress
from estate.cli.scenario_batch import run_scenarios
from estate.cli.studies import BatchOptions


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
@batch_options
@user_errors
def sensitivity(workbook: Path | None, out_dir: Path, demo: bool, break_even: int,
                time_limit: float,
                workers: int, processes: int | None, scheduler: str | None, seed: int,
                resume: bool, reference: Path | None, quiet: bool) -> None:
    """Plan WORKBOOK (or --demo) with each assumption the answer may hang on at
    a low and a high value (cloud pricing basis, cloud price level,
    VMs per administrator, cloud
    labour share, hypervisor edition, electricity price, carbon price series,
    discount rate, rehost one-off) beside the base, in one batch, and report
    each one's effect on the plan's NPV against staying and on the number of
    applications moved. For each numeric assumption whose two cases move a
    different number of applications, a bisection (up to --break-even more
    plans, in the same batch) finds the value where the plan flips. Every plan
    is checked by the evaluator (as `estate check`). Writes
    DIR/sensitivity.json, sensitivity.xlsx, tornado.html and a folder per case
    (plan.json, as `estate scenarios`).

    Exit 1 on bad input, 3 when a case has no plan or a plan fails the check.
    """
    from estate.sensitivity import ASSUMPTIONS, BreakEvenSearch, effect_of, sensitivity_scenarios
    from estate.summary import summarise
    from reports.sensitivity import write_sensitivity_xlsx, write_tornado_html
    from solver.check import check_plan

    t0 = time.monotonic()
    if (workbook is None) != demo:
        raise click.UsageError("give WORKBOOK or --demo")
    raw = pipeline.load(workbook, demo)
    options = BatchOptions(time_limit=time_limit, workers=workers, seed=seed,
                           scheduler=scheduler, processes=processes, resume=resume)
    scenarios = sensitivity_scenarios()
    search = BreakEvenSearch(ASSUMPTIONS, steps=break_even)
    with batch_progress(quiet, "sensitivity") as bar:
        run = run_scenarios(raw, scenarios[1:], out_dir, reference=reference,
                            objective="balanced", options=options, started=bar.started,
                            done=bar.done, more=search.seen if break_even else None)
    checked: dict[str, bool] = {}
    for name, plan in run.plans.items():
        # under the case's own overrides, as `estate check --scenario-ok`
        report = check_plan(raw, plan, reference_file=str(reference) if reference else None,
                            verify_seconds=min(time_limit, 10.0), workers=workers,
                            scenario_ok=True)
        checked[name] = report.ok
        if not report.ok:
            click.echo(f"warning: {name}: the evaluator disagrees: "
                       f"{report.differences[0].where}: {report.differences[0].message}", err=True)
    effects = [e for a in ASSUMPTIONS if (e := effect_of(a, run.plans)) is not None]
    data = {"base": None if "base" not in run.plans else
            {"summary": asdict(summarise(raw, run.plans["base"]))},
            "assumptions": [e.as_dict() for e in effects],
            "break_even": [b.as_dict() for b in search.results()],
            "checked": checked}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [pipeline_write(out_dir / "sensitivity.json", data)]
    if effects:
        written += [write_sensitivity_xlsx(effects, out_dir / "sensitivity.xlsx"),
                    write_tornado_html(effects, out_dir / "tornado.html")]
    for e in sorted(effects, key=lambda e: -e.swing):
        a = e.assumption
        lo, hi = (f"£{v - e.base_npv:+,.0f}" if v is not None else "no plan" for v in e.npv)
        click.echo(f"  {a.words}: {a.low_words} {lo}, {a.high_words} {hi} "
                   f"(moved {e.moved[0]} / {e.moved[1]} against {e.base_moved})")
    for b in search.results():
        click.echo(f"  break-even: {b.words()}")
    for path in written:
        click.echo(f"  wrote {path}")
    if not quiet:
        click.echo(f"  ({time.monotonic() - t0:.1f}s in all)", err=True)
    missing = [s.name for s in scenarios if s.name not in run.plans]
    if missing or not all(checked.values()):
        click.echo("some cases have no plan or fail the check (see above)", err=True)
        sys.exit(EXIT_NO_PLAN)


def pipeline_write(path: Path, data: dict) -> Path:  # type: ignore[type-arg]
    """Write ``data`` as JSON atomically."""
    from estate.files import write_text

    return write_text(path, json.dumps(data, indent=2, default=str) + "\n")
