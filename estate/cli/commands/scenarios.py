"""``estate scenarios``: named what-ifs planned in one Dask batch, side by side."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from estate.cli import pipeline, registry
from estate.cli.commands.frontier import batch_options
from estate.cli.common import EXIT_NO_PLAN, user_errors
from estate.cli.progress import batch_progress, describe
from estate.cli.scenario_batch import run_scenarios
from estate.cli.studies import BatchOptions
from estate.errors import printable
from inventory.scenarios import read_scenarios


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="[WORKBOOK] SCENARIOS",
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for scenarios.json/.xlsx/.html and a folder per scenario.")
@click.option("--demo", is_flag=True, help="Use the bundled demo estate: give only SCENARIOS.")
@click.option("--objective", type=click.Choice(["balanced", "cost", "carbon"]),
              default="balanced", show_default=True, help="The objective of every plan.")
@batch_options
@registry.db_option
@registry.no_register_option
@user_errors
def scenarios(paths: tuple[Path, ...], out_dir: Path, demo: bool, objective: str,
              time_limit: float, workers: int, processes: int | None, scheduler: str | None,
              seed: int, resume: bool, reference: Path | None, quiet: bool, db: str | None,
              no_register: bool) -> None:
    """Plan WORKBOOK under each scenario of SCENARIOS and compare them.

    Usage: estate scenarios WORKBOOK SCENARIOS --out DIR (or --demo SCENARIOS).
    SCENARIOS is a TOML file (a [name] table a scenario) or a workbook with a
    `scenarios` sheet (columns scenario, key, value). Each scenario overrides
    settings (carbon_price, carbon_price_series, discount_rate,
    horizon_months, freeze_months, resident_notice_weeks, …), a site's
    exit_by.SITE, budget.FY or budget_factor, team.TEAM,
    exclude_target_sites, exclude_strategies or pins. A `base` scenario (the
    workbook as it is) comes first unless one is named so.

    Writes DIR/<scenario>/plan.json and DIR/scenarios.xlsx, scenarios.html.
    Exit 1 on a bad override (nothing solved), 3 when a scenario has no plan.
    """
    t0 = time.monotonic()
    if len(paths) != (1 if demo else 2):
        raise click.UsageError("give WORKBOOK SCENARIOS, or --demo SCENARIOS")
    workbook = None if demo else paths[0]
    raw = pipeline.load(workbook, demo)
    found = read_scenarios(paths[-1])
    reg = registry.open_for(workbook, db, off=no_register)
    options = BatchOptions(time_limit=time_limit, workers=workers, seed=seed,
                           scheduler=scheduler, processes=processes, resume=resume)
    with batch_progress(quiet, "scenarios") as bar:
        run = run_scenarios(raw, found, out_dir, reference=reference, objective=objective,
                            options=options, relative_to=paths[-1].parent,
                            started=bar.started, done=bar.done)
    numbers = registry.record_batch(reg, run.plans, raw, kind="scenario", skip=run.resumed,
                                    settings={"time_limit": time_limit, "seed": seed,
                                              "objective": objective})
    click.echo(f"{len(run.outcomes)} scenarios -> {out_dir}")
    for o in run.outcomes:
        click.echo("  " + describe(o.scenario.name, o.summary, ""))
    for name, why in run.distrusted:
        click.echo(f"warning: {name}: the saved plan does not check against the workbook "
                   f"({printable(why)}); solved again", err=True)
    for f in run.failed:
        click.echo(f"warning: {f.name} failed: {f.message}", err=True)
    for path in run.written:
        click.echo(f"  wrote {path}")
    if numbers and reg is not None:
        click.echo(f"  recorded as plans #{numbers[0]}–#{numbers[-1]} in {reg.where}")
    if any(not o.summary.has_plan for o in run.outcomes):
        click.echo("some scenarios have no plan (see their status)", err=True)
        sys.exit(EXIT_NO_PLAN)
    if not quiet:
        click.echo(f"  ({time.monotonic() - t0:.1f}s in all)", err=True)
