"""One module per group of CLI commands; see :mod:`estate.cli`."""
