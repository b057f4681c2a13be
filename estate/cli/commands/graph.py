"""``estate graph WORKBOOK``: move groups, critical chains and a GraphML file."""

from __future__ import annotations

from pathlib import Path

import click

from estate.cli.common import user_errors
from estate.errors import printable


def _default_out(workbook: Path) -> Path:
    name = workbook.name if workbook.is_dir() else workbook.stem
    return workbook.parent / f"{name}.graphml"


@click.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="GraphML file to write (default: beside WORKBOOK, <name>.graphml).")
@click.option("--chains", type=click.IntRange(0, 100), default=5, show_default=True,
              help="How many critical chains to show.")
@user_errors
def graph(workbook: Path, out: Path | None, chains: int) -> None:
    """Show the move groups (applications that must move together) and the
    longest 'before' chains of WORKBOOK, and write its graph as GraphML."""
    from inventory.graph import critical_chains, move_groups, write_graphml
    from inventory.load import load_estate

    estate = load_estate(workbook)
    groups = move_groups(estate)
    click.echo(f"move groups: {len(groups)}")
    for g in groups:
        click.echo("  " + printable(", ".join(g)))
    found = critical_chains(estate, chains) if chains else []
    click.echo(f"critical chains (longest first, shortest moves summed): {len(found)}")
    for c in found:
        click.echo(f"  {printable(str(c))}")
    target = out or _default_out(workbook)
    write_graphml(estate, target)
    click.echo(f"wrote {target}")
