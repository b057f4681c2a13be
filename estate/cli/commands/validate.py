"""``estate validate WORKBOOK``: check a workbook and summarise it."""

from __future__ import annotations

from pathlib import Path

import click

from estate.cli.common import user_errors


def _counts(d: dict[str, int]) -> str:
    total = sum(d.values())
    return f"{total}" + (" (" + ", ".join(f"{v} {k}" for k, v in sorted(d.items())) + ")"
                         if d else "")


@click.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@user_errors(writes=False)
def validate(workbook: Path) -> None:
    """Check WORKBOOK (.xlsx, or a folder of .csv files) against the inventory
    spec and list every problem at once (exit 1), or summarise it (exit 0)."""
    from inventory.graph import summary
    from inventory.load import load_estate

    s = summary(load_estate(workbook))
    click.echo(f"{workbook}: valid")
    click.echo(f"  applications:   {s['applications']}")
    click.echo(f"  servers:        {_counts(s['servers'])}")
    click.echo(f"  sites:          {_counts(s['sites'])}")
    click.echo(f"  contracts:      {s['contracts']}")
    click.echo(f"  options:        {s['options']}")
    click.echo(f"  dependencies:   {_counts(s['dependencies'])}")
    click.echo(f"  move groups:    {s['move_groups']}")
    click.echo(f"  zombie servers: {s['zombie_servers']}")
    click.echo(f"  multi-site applications: {s['multi_site_applications']}")
