"""``estate validate WORKBOOK``: check a workbook and summarise it."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from estate.cli.common import EXIT_BAD_INPUT, user_errors
from estate.errors import Issue, Notice, printable, problems_csv

#: Problems printed in full; the rest are counted by sheet and column.
SHOWN = 100

_HEADINGS = {
    "ignored": "ignored (not part of the workbook format, so they have no effect; see "
               "docs/workbook.md):",
    "assumed": "assumed:",
    "warning": "warnings (the workbook is valid, but a plan of it may mean little):",
}


def _counts(d: dict[str, int]) -> str:
    total = sum(d.values())
    return f"{total}" + (" (" + ", ".join(f"{v} {k}" for k, v in sorted(d.items())) + ")"
                         if d else "")


def _notices(notices: tuple[Notice, ...], err: bool) -> None:
    for kind, heading in _HEADINGS.items():
        these = [n for n in notices if n.kind == kind]
        if these:
            click.echo(heading, err=err)
            for n in these:
                click.echo(f"  * {n}", err=err)


def _problems(issues: tuple[Issue, ...], problems: Path | None) -> None:
    n = len(issues)
    click.echo(f"error: {n:,} problem{'s' if n != 1 else ''} found:", err=True)
    for issue in issues[:SHOWN]:
        click.echo(f"  - {issue}", err=True)
    if n > SHOWN:
        rest = Counter((i.sheet or "(file)", i.column or "-") for i in issues[SHOWN:])
        click.echo(f"  … and {n - SHOWN:,} more, by sheet and column:", err=True)
        for (sheet, column), k in rest.most_common(20):
            click.echo(f"      {printable(sheet)} / {printable(column)}: {k:,}", err=True)
        if len(rest) > 20:
            click.echo(f"      … ({len(rest) - 20} more sheet/column pairs)", err=True)
        if problems is None:
            click.echo("  write every problem to a file with --problems FILE.csv", err=True)
    if problems is not None:
        click.echo(f"  every problem is listed in {problems}", err=True)


@click.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--problems", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every problem found to this CSV file (file, sheet, row, column, "
                   "value, problem).")
@user_errors(writes=False)
def validate(workbook: Path, problems: Path | None) -> None:
    """Check WORKBOOK (.xlsx, or a folder of .csv files) against the workbook
    format (docs/workbook.md) and list every problem at once (exit 1), or
    summarise it (exit 0). Sheets and columns that have no effect, defaults
    assumed and what would make a plan meaningless are listed too."""
    from estate.files import write_text
    from inventory.graph import summary
    from inventory.load import inspect_workbook

    loaded = inspect_workbook(workbook)
    if problems is not None:
        write_text(problems, problems_csv(list(loaded.issues)))
    if loaded.estate is None:
        _problems(loaded.issues, problems)
        _notices(loaded.notices, err=True)
        sys.exit(EXIT_BAD_INPUT)
    s = summary(loaded.estate)
    click.echo(f"{printable(str(workbook))}: valid")
    click.echo(f"  applications:   {s['applications']}")
    click.echo(f"  servers:        {_counts(s['servers'])}")
    click.echo(f"  sites:          {_counts(s['sites'])}")
    click.echo(f"  contracts:      {s['contracts']}")
    click.echo(f"  options:        {s['options']}")
    click.echo(f"  dependencies:   {_counts(s['dependencies'])}")
    click.echo(f"  move groups:    {s['move_groups']}")
    click.echo(f"  zombie servers: {s['zombie_servers']}")
    click.echo(f"  multi-site applications: {s['multi_site_applications']}")
    _notices(loaded.notices, err=False)
