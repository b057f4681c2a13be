"""The ``estate`` command line: the top layer, the only one that ties
:mod:`inventory`, :mod:`solver` and :mod:`reports` together.

Each command lives in a module of :mod:`estate.cli.commands` and only parses
its arguments, calls one library function and renders the answer; user
errors become clear messages and exit codes (:mod:`estate.cli.common`).
Nothing outside this package imports it.
"""

from __future__ import annotations

import importlib

import click

# (module under estate.cli.commands, attribute) of every command, in help order.
COMMANDS: list[tuple[str, str]] = [
    ("validate", "validate"),
    ("graph", "graph"),
    ("demo", "demo"),
    ("demo", "synth"),
    ("template", "template"),
    ("report", "report"),
    ("importer", "importer"),
    ("reference", "reference"),
    ("check", "check"),
    ("plan", "plan"),
    ("frontier", "frontier"),
    ("scenarios", "scenarios"),
    ("register", "history"),
    ("register", "diff"),
    ("progress", "progress"),
    ("sensitivity", "sensitivity"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="estate")
def main() -> None:
    """Plan an IT estate: which applications move to the cloud, are retired,
    replaced or kept, when, and what that means for hardware and contracts."""


for _module, _attr in COMMANDS:
    main.add_command(getattr(importlib.import_module(f"estate.cli.commands.{_module}"), _attr))
