"""Placeholder replaced by the demo-estate work."""
import click


@click.command()
def demo() -> None:
    """Write the bundled demo estate."""


@click.command()
def synth() -> None:
    """Write a synthetic estate."""
