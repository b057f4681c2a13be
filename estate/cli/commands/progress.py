"""``estate progress``: plan against actual, for the scrutiny committee."""

from __future__ import annotations

from pathlib import Path

import click

from estate.cli import registry
from estate.cli.common import user_errors
from estate.cli.replan import this_month


@click.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.option("--against", required=True, metavar="PLAN",
              help="The plan: a register name, a number (#12) or a plan.json.")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for progress.xlsx, progress.html and progress.pdf.")
@click.option("--today", default=None, metavar="YYYY-MM",
              help="Compare the months before this one (default: this month).")
@registry.db_option
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The TOML of reference-data overrides the plan used.")
@click.option("--no-pdf", is_flag=True, help="Do not print progress.pdf.")
@user_errors
def progress(workbook: Path, against: str, out_dir: Path, today: str | None, db: str | None,
             reference: Path | None, no_pdf: bool) -> None:
    """Compare the plan AGAINST with what the workbook's actuals sheet records,
    quarter by quarter and financial year by financial year: moves on time,
    early, late or overdue; servers and kW switched off; data-centre exits;
    contracts ended and renegotiated; one-off spend against plan and budget;
    cash cost and tCO2e against the plan and against staying; residents told
    on time; the strategy's KPIs. Writes DIR/progress.xlsx, progress.html and
    progress.pdf."""
    from estate.cli.scrutiny import progress_against
    from reports.progress import kpi_rows, write_progress

    when = today or this_month()
    p, name, notes, title = progress_against(workbook, against, when, db=db,
                                             reference=reference)
    for n in notes:
        click.echo(f"note: {n}", err=True)
    written = write_progress(p, out_dir, title=title, plan_name=name, pdf=not no_pdf,
                             warn=lambda m: click.echo(f"warning: {m}", err=True))
    counts = p.counts()
    click.echo(f"progress to {when} against {name}: " + ", ".join(
        f"{v} {k}" for k, v in sorted(counts.items())))
    for what, planned, actual, _ in kpi_rows(p):
        if "share" in what:
            click.echo(f"  {what}: planned {100 * planned:.1f} %, actual {100 * actual:.1f} %")
        elif isinstance(planned, float):
            click.echo(f"  {what}: planned {planned:,.1f}, actual {actual:,.1f}")
        else:
            click.echo(f"  {what}: {actual} of {planned}")
    if p.proposed:
        click.echo(f"  {p.proposed} proposed actual(s) not counted until confirmed")
    for path in written:
        click.echo(f"wrote {path}")
