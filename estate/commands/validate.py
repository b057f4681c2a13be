"""Placeholder replaced by the inventory work."""
import click


@click.command()
def validate() -> None:
    """Validate an estate workbook."""
