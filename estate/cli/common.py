"""What every command shares: turning user errors into messages and exit codes.

Exit codes: 0 success, 1 bad input (nothing written), 2 a usage error
(click's own), 3 no plan within the time limit, 4 an infeasible estate.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from estate.errors import EstateError, WriteError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2  # click's own code for a bad command line
EXIT_NO_PLAN = 3
EXIT_INFEASIBLE = 4

#: Problems printed by a command; the rest are counted (``validate --problems
#: FILE.csv`` lists them all).
SHOWN_PROBLEMS = 100


def user_errors(fn: F | None = None, *, writes: bool = True) -> Any:
    """Decorate a command so that an :class:`EstateError` prints every issue
    (file, sheet, row, column, what was wrong) to stderr and exits 1.

    Use bare (``@user_errors``) on a command that writes files: the message
    says nothing was written. A command that never writes (``validate``,
    ``check``, ``reference``) uses ``@user_errors(writes=False)``.
    """

    def decorate(f: F) -> F:
        @wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return f(*args, **kwargs)
            except EstateError as exc:
                n = len(exc.issues)
                tail = "; nothing was written." if writes else ":"
                if isinstance(exc, WriteError) and exc.written:
                    k = len(exc.written)
                    tail = f"; {k} file{'s' if k != 1 else ''} had been written (listed below):"
                click.echo(f"error: {n} problem{'s' if n != 1 else ''} found{tail}", err=True)
                for issue in exc.issues[:SHOWN_PROBLEMS]:
                    click.echo(f"  - {issue}", err=True)
                if n > SHOWN_PROBLEMS:
                    click.echo(f"  … and {n - SHOWN_PROBLEMS} more: `estate validate WORKBOOK "
                               "--problems problems.csv` lists them all", err=True)
                sys.exit(EXIT_BAD_INPUT)

        return wrapper  # type: ignore[return-value]

    return decorate if fn is None else decorate(fn)
