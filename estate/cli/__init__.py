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


class _Commands(click.Group):
    """The command group, importing a command's module only when it is needed
    (running ``estate check`` does not import the register's database library;
    a Dask worker importing :mod:`estate.cli.batch` imports no command)."""

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        """Every command, by name, in the order of :data:`COMMANDS` (all modules
        imported; commands added otherwise after them)."""
        names = [self._load(module, attr) for module, attr in COMMANDS]
        return {**{n: self._commands[n] for n in names}, **self._commands}

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = dict(value)
        self._loaded: dict[tuple[str, str], str] = {}

    def _load(self, module: str, attr: str) -> str:
        if (module, attr) not in self._loaded:
            cmd = getattr(importlib.import_module(f"estate.cli.commands.{module}"), attr)
            self._commands[cmd.name or attr] = cmd
            self._loaded[(module, attr)] = cmd.name or attr
        return self._loaded[(module, attr)]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module, attr in COMMANDS:  # the command named as its function, else all
            if attr == cmd_name:
                self._load(module, attr)
        return self._commands.get(cmd_name) or self.commands.get(cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="estate")
def main() -> None:
    """Plan an IT estate: which applications move to the cloud, are retired,
    replaced or kept, when, and what that means for hardware and contracts."""
