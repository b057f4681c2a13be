"""``estate report WORKBOOK PLAN_JSON``: regenerate the reports of a saved plan."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from estate.cli import pipeline
from estate.cli.common import user_errors


def _order(first: Path, second: Path) -> tuple[Path, Path]:
    """(workbook, plan.json), accepting the old order ``PLAN_JSON WORKBOOK`` with a note."""
    if first.suffix.lower() == ".json" and second.suffix.lower() != ".json":
        click.echo("note: the arguments are WORKBOOK PLAN_JSON (workbook first, as in "
                   "`estate check`); the old order still works for now", err=True)
        return second, first
    return first, second


@click.command()
@click.argument("workbook", type=click.Path(exists=True, path_type=Path))
@click.argument("plan_json", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder for the reports (default: beside PLAN_JSON).")
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The reference-data TOML the plan was made with.")
@click.option("--no-pdf", is_flag=True, help="Do not print roadmap.pdf.")
@click.option("--weeks", type=int, default=None, hidden=True)
@click.option("--frontier", "frontier_dir", type=click.Path(exists=True, path_type=Path),
              default=None, help="A folder of `estate frontier` (or its frontier.json): add "
                                 "the cost–carbon front to the roadmap.")
@click.option("--sensitivity", "sensitivity_dir", type=click.Path(exists=True, path_type=Path),
              default=None, help="A folder of `estate sensitivity` (or its sensitivity.json): "
                                 "add what the answer hangs on (tornado chart, break-evens) "
                                 "to the roadmap.")
@user_errors
def report(workbook: Path, plan_json: Path, out_dir: Path | None, reference: Path | None,
           no_pdf: bool, weeks: int | None, frontier_dir: Path | None,
           sensitivity_dir: Path | None) -> None:
    """Write contracts.xlsx, migration-plan.xlsx, roadmap.html and roadmap.pdf
    for PLAN_JSON, a plan made from WORKBOOK, without solving again.

    Refuses a plan made from another workbook (or from this one before it
    changed): plan it again with `estate plan`. The residents' notice (when to
    tell residents of a change) is the workbook's resident_notice_weeks
    setting, which the plan itself keeps."""
    if weeks is not None:
        raise click.UsageError(
            "--weeks was removed: the residents' notice is the workbook setting "
            "resident_notice_weeks, which the plan keeps (no resident-facing change goes "
            "live sooner); change it there and plan again")
    workbook, plan_json = _order(workbook, plan_json)
    if plan_json.is_dir():
        click.echo(f"error: {plan_json} is a folder; give the plan.json file", err=True)
        sys.exit(1)
    written = pipeline.regenerate_reports(
        workbook, plan_json, out_dir or plan_json.parent, reference=reference,
        pdf=not no_pdf, warn=lambda m: click.echo(f"warning: {m}", err=True),
        frontier=frontier_dir, sensitivity=sensitivity_dir)
    for path in written:
        click.echo(f"wrote {path}")
