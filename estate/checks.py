"""Field checks shared by the domain objects, and the largest values they hold.

Each raises :class:`ValueError` with a message naming the field; the objects
of :mod:`estate.model` and :mod:`estate.settings` call them on construction.
This module uses the standard library only.
"""

from __future__ import annotations

import math

from estate.months import is_month

#: Largest number any quantity may have (£, kWh, kg, days, …): the planner
#: scales money to pence and sums it over the horizon in exact integers, which
#: hold about 9e15; £100 billion a month over 600 months stays inside.
MAX_NUMBER = 1e11
#: Longest horizon planned (50 years): the model has a variable per month.
MAX_HORIZON_MONTHS = 600
#: Longest residents' notice (10 years).
MAX_NOTICE_WEEKS = 520
#: Largest count limit (critical applications in flight, go-lives a month).
MAX_COUNT = 1_000_000


def check(cond: bool, msg: str) -> None:
    """Raise :class:`ValueError` with ``msg`` unless ``cond``."""
    if not cond:
        raise ValueError(msg)


def check_month(value: str | None, name: str) -> None:
    """A month in ``YYYY-MM`` form, or blank."""
    if value is not None:
        check(is_month(value), f"{name} {value!r} is not a month in YYYY-MM form")


def check_nonneg(value: float | None, name: str) -> None:
    """Not negative and within :data:`MAX_NUMBER`, or blank."""
    if value is not None:
        check(value >= 0, f"{name} must not be negative (got {value})")
        check_size(value, name)


def check_size(value: float | None, name: str) -> None:
    """Within ±:data:`MAX_NUMBER` (and finite): what the planner can hold exactly."""
    if value is not None:
        check(math.isfinite(value) and abs(value) <= MAX_NUMBER,
               f"{name} must be at most {MAX_NUMBER:,.0f} (got {value:g}): larger than "
               "the planner can hold exactly — check the units")
