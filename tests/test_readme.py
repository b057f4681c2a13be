"""README's command table is the CLI's own: regenerate it with
``python3 -m estate.cli.readme`` after changing a command's usage or help."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.cli import main
from estate.cli.readme import BEGIN, END, command_table, with_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_command_table_is_what_the_cli_says() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, (
        "README.md's command table differs from the CLI: run `python3 -m estate.cli.readme`")


def test_the_table_names_every_command_with_its_short_help() -> None:
    table = command_table()
    for name, cmd in main.commands.items():
        assert f"`estate {name} " in table
        assert cmd.get_short_help_str(limit=400).replace("|", "\\|") in table
    # a changed help text is caught
    stale = f"x\n{BEGIN}\n| command | what it does |\n{END}\ny"
    assert with_table(stale) != stale
    with pytest.raises(ValueError):
        with_table("no markers")
