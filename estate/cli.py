"""The ``estate`` command line: parse, call one library function, render.

Each command lives in a module of :mod:`estate.commands`; this module only
assembles the group and turns user errors into clear messages and exit codes:
0 success, 1 bad input, 2 an infeasible plan.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from estate.errors import EstateError

F = TypeVar("F", bound=Callable[..., Any])

# (module under estate.commands, attribute) of every command, in help order.
COMMANDS: list[tuple[str, str]] = [
    ("validate", "validate"),
    ("graph", "graph"),
    ("demo", "demo"),
    ("demo", "synth"),
    ("report", "report"),
    ("importer", "importer"),
    ("reference", "reference"),
    ("check", "check"),
    ("plan", "plan"),
]


def user_errors(fn: F) -> F:
    """Decorate a command so that an :class:`EstateError` prints every issue
    (file, sheet, row, column, what was wrong) to stderr and exits 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EstateError as exc:
            n = len(exc.issues)
            click.echo(f"error: {n} problem{'s' if n != 1 else ''} found; nothing was written.",
                       err=True)
            for issue in exc.issues:
                click.echo(f"  - {issue}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="estate")
def main() -> None:
    """Plan an IT estate: which applications move to the cloud, are retired,
    replaced or kept, when, and what that means for hardware and contracts."""


for _module, _attr in COMMANDS:
    main.add_command(getattr(importlib.import_module(f"estate.commands.{_module}"), _attr))
