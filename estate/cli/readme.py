"""README's command table, generated from the command line itself.

Each row is a command's usage and its short help (the first sentence of its
docstring), in the order of :data:`estate.cli.COMMANDS`. ``python3 -m
estate.cli.readme`` rewrites the table in README.md between its markers;
``tests/test_readme.py`` fails when README and the CLI differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

BEGIN = ("<!-- commands: generated from the CLI by `python3 -m estate.cli.readme`; "
         "do not edit -->")
END = "<!-- /commands -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def command_table() -> str:
    """The Markdown table of every command: usage and short help."""
    from estate.cli import main

    ctx = click.Context(main, info_name="estate")
    rows = ["| command | what it does |", "|---|---|"]
    for name, cmd in main.commands.items():
        sub = click.Context(cmd, info_name=name, parent=ctx)
        usage = " ".join(["estate", name, *cmd.collect_usage_pieces(sub)])
        text = cmd.get_short_help_str(limit=400).replace("|", "\\|")
        rows.append(f"| `{usage.replace('|', chr(92) + '|')}` | {text} |")
    return "\n".join(rows)


def with_table(readme: str) -> str:
    """``readme`` with its command table replaced by :func:`command_table`.

    Raises
    ------
    ValueError
        When README has no markers.
    """
    try:
        head, rest = readme.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise ValueError(f"README.md needs the lines {BEGIN!r} and {END!r}") from None
    return f"{head}{BEGIN}\n{command_table()}\n{END}{tail}"


def main(path: Path = README) -> int:
    """Rewrite the table in ``path``; 0 when it was already current, 1 when changed."""
    old = path.read_text(encoding="utf-8")
    new = with_table(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
        print(f"updated the command table in {path}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else README))
