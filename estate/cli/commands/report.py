"""``estate report``: regenerate the reports of a saved plan without solving."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from estate.cli.common import user_errors


@click.command()
@click.argument("plan_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the reports (default: beside PLAN_JSON).")
@click.option("--no-pdf", is_flag=True, help="Do not print roadmap.pdf.")
@click.option("--weeks", type=click.IntRange(0, 52), default=8, show_default=True,
              help="Weeks before a resident-facing go-live month to tell residents.")
@user_errors
def report(plan_json: Path, workbook: Path, out_dir: Path | None, no_pdf: bool,
           weeks: int) -> None:
    """Write contracts.xlsx, migration-plan.xlsx, roadmap.html and roadmap.pdf
    for PLAN_JSON, a plan made from WORKBOOK, without solving again."""
    from estate.plan import read_plan
    from estate.resolve import resolve
    from inventory.load import load_estate
    from reports import write_reports
    from solver.result import Result

    try:
        plan = read_plan(plan_json)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    raw = load_estate(workbook)
    if (raw.settings.horizon_start, raw.settings.horizon_months) != (
            plan.horizon_start, plan.horizon_months):
        click.echo(f"warning: {workbook} plans {raw.settings.horizon_months} months from "
                   f"{raw.settings.horizon_start}; using the plan's {plan.horizon_months} "
                   f"months from {plan.horizon_start}", err=True)
        raw = replace(raw, settings=replace(raw.settings, horizon_start=plan.horizon_start,
                                            horizon_months=plan.horizon_months))
    estate = resolve(raw)
    result = Result(status=plan.status, objective=plan.objective, bound=plan.bound,
                    gap=plan.gap, seconds=plan.solve_seconds, plan=plan)
    written = write_reports(estate, result, out_dir or plan_json.parent, pdf=not no_pdf,
                            weeks=weeks, warn=lambda m: click.echo(f"warning: {m}", err=True))
    for path in written:
        click.echo(str(path))
