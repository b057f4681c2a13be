"""Placeholder replaced by the inventory work."""
import click


@click.command()
def graph() -> None:
    """Show the dependency graph."""
