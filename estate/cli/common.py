"""What every command shares: turning user errors into messages and exit codes.

Exit codes: 0 success, 1 bad input (nothing written), 2 a usage error
(click's own), 3 no plan within the time limit, 4 an infeasible estate, 5 an
internal error: a plan the independent evaluator disagrees with (nothing
written; the plan is saved to a temporary file to reproduce it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from estate.errors import EstateError, PlanDisagrees, WriteError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2  # click's own code for a bad command line
EXIT_NO_PLAN = 3
EXIT_INFEASIBLE = 4
EXIT_INTERNAL = 5

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
            except PlanDisagrees as exc:
                report_disagreement(exc)
                sys.exit(EXIT_INTERNAL)

        return wrapper  # type: ignore[return-value]

    return decorate if fn is None else decorate(fn)


def report_disagreement(exc: PlanDisagrees) -> Path:
    """Print a :class:`PlanDisagrees` to stderr and save its plan to a temporary
    file (``estate-disagreement-*.json`` in the system's temporary folder) that
    ``estate check WORKBOOK FILE`` replays. Returns the file."""
    import tempfile

    fd, name = tempfile.mkstemp(prefix="estate-disagreement-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(exc.plan_json)
    click.echo(f"{exc}; that plan was not written. This is a bug in estate: please report "
               "it.", err=True)
    for d in exc.differences[:SHOWN_PROBLEMS]:
        click.echo(f"  - {d}", err=True)
    if len(exc.differences) > SHOWN_PROBLEMS:
        click.echo(f"  … and {len(exc.differences) - SHOWN_PROBLEMS} more", err=True)
    click.echo(f"the plan is saved in {name}; `estate check WORKBOOK {name}` reproduces "
               "the disagreement", err=True)
    return Path(name)
