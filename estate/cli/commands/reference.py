"""``estate reference``: print the reference data (key, value, unit, year, source)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from estate.cli.common import user_errors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--reference", "reference_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A TOML file overriding reference values by dotted key.")
@click.option("--changes", is_flag=True,
              help="List only what changed from the previous version, and why.")
@click.argument("prefix", required=False, default="")
@user_errors(writes=False)
def reference(as_json: bool, reference_file: Path | None, changes: bool, prefix: str) -> None:
    """Print the reference data the planner uses where the workbook is silent,
    with unit, year and source (only keys starting with PREFIX when given: `pue`,
    `os.rhel`). Override any value by its key in the settings sheet or with
    --reference. Money figures carry the date their price was quoted."""
    from estate.reference import load_reference

    ref = load_reference(reference_file)
    entries = [v for k, v in ref.values.items() if k.startswith(prefix)]
    if changes:
        entries = [e for e in entries if e.why]
        if not as_json:
            click.echo(f"# changes in estate reference data {ref.version}")
            click.echo("key	was	now	unit	why")
            for e in entries:
                click.echo(f"{e.key}	{e.was}	{e.value}	{e.unit}	{e.why}")
            return
    if as_json:
        click.echo(json.dumps({"version": ref.version,
                               "values": [e.as_dict() for e in entries]}, indent=2))
        return
    if not sys.stdout.isatty():
        click.echo(f"# estate reference data {ref.version}")
        click.echo("key\tvalue\tunit\tyear\tsource\tprice date")
        for e in entries:
            flag = " (projection)" if e.projection else ""
            click.echo(f"{e.key}\t{e.value}\t{e.unit}\t{e.year or ''}\t{e.source}{flag}"
                       f"\t{e.price_date}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"estate reference data {ref.version}", show_lines=False)
    for col in ("key", "value", "unit", "year", "price date"):
        table.add_column(col, no_wrap=True)
    table.add_column("source", overflow="fold")
    for e in entries:
        flag = " [italic](projection)[/italic]" if e.projection else ""
        table.add_row(e.key, str(e.value), e.unit, str(e.year or ""), e.price_date,
                      e.source.replace("[", r"\[") + flag)
    Console().print(table)
