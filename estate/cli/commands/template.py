"""``estate template --out FILE``: an empty estate workbook to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from estate.cli.common import user_errors


@click.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("estate-template.xlsx"), show_default=True,
              help="The .xlsx to write.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@user_errors
def template(out: Path, force: bool) -> None:
    """Write an empty estate workbook: a README sheet, every sheet with its
    headers (each with a comment saying what goes there), drop-down lists for
    choice columns and the settings keys. The format is in docs/workbook.md."""
    from inventory.template import write_template

    written = write_template(out, overwrite=force)
    click.echo(f"wrote {written}")
    click.echo(f"  fill it in, then: estate validate {out}")
