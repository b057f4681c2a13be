"""``python -m estate``: the command line (same as the ``estate`` script)."""

from estate.cli import main

main(prog_name="estate")
