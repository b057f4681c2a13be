"""A progress bar counting the solves of a batch (rich), or a line per solve
when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click

from estate.errors import printable
from estate.summary import PlanSummary, tonnes_text


def describe(name: str, s: PlanSummary | None, note: str) -> str:
    """One line about a finished solve (the name escaped for the terminal)."""
    name = printable(name)
    if s is None or not s.has_plan:
        status = note or (s.status if s is not None else "no plan")
        return f"{name}: {status}"
    assert s.tonnes is not None and s.cost_discounted is not None
    extra = f" ({note})" if note else ""
    return (f"{name}: {s.status}, {tonnes_text(s.tonnes)} CO2e, £{s.cost_discounted:,.0f} "
            f"discounted, gap {100 * (s.gap or 0):.2f} %{extra}")


@dataclass
class BatchProgress:
    """The callbacks a batch calls: ``started(total)`` and ``done(name, summary, note)``."""

    started: Callable[[int], None]
    done: Callable[[str, PlanSummary | None, str], None]


@contextmanager
def batch_progress(quiet: bool, what: str) -> Iterator[BatchProgress]:
    """A rich bar counting finished solves on a terminal; lines otherwise."""
    if quiet:
        yield BatchProgress(lambda n: None, lambda *a: None)
        return
    if not sys.stderr.isatty():
        count = {"n": 0, "total": 0}

        def started(n: int) -> None:
            count["total"] = n

        def done(name: str, s: PlanSummary | None, note: str) -> None:
            count["n"] += 1
            click.echo(f"[{count['n']}/{count['total']}] {describe(name, s, note)}", err=True)

        yield BatchProgress(started, done)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(what, total=None)

        def started_bar(n: int) -> None:
            bar.update(task, total=n)

        def done_bar(name: str, s: PlanSummary | None, note: str) -> None:
            bar.console.print(describe(name, s, note), markup=False, highlight=False)
            bar.advance(task)

        yield BatchProgress(started_bar, done_bar)
