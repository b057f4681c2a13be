"""Month arithmetic: ``YYYY-MM`` labels, month indices and financial years.

A plan's time axis is whole months ``t = 0 … H-1`` counted from the horizon
start. Public objects carry months as ``YYYY-MM`` strings; integer indices are
computed with the helpers here.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

MONTH_NAMES = (
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec",
)
_FULL_NAMES = (
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)


@functools.lru_cache(maxsize=4096)
def parse_month(text: str) -> tuple[int, int]:
    """Return ``(year, month)`` of a ``YYYY-MM`` label (memoised: the planner and
    the evaluator ask for the same few hundred months millions of times).

    Raises
    ------
    ValueError
        When ``text`` is not a valid ``YYYY-MM`` month.
    """
    m = _MONTH_RE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a month in YYYY-MM form")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"{text!r} is not a month in YYYY-MM form")
    return year, month


def is_month(text: str) -> bool:
    """Whether ``text`` is a valid ``YYYY-MM`` label."""
    try:
        parse_month(text)
    except ValueError:
        return False
    return True


def parse_date(text: str) -> _dt.date:
    """Return the date of a ``YYYY-MM-DD`` label (raises ``ValueError``)."""
    m = _DATE_RE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a date in YYYY-MM-DD form")
    return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def month_label(year: int, month: int) -> str:
    """``YYYY-MM`` label of a calendar month."""
    return f"{year:04d}-{month:02d}"


@functools.lru_cache(maxsize=65536)
def add_months(label: str, n: int) -> str:
    """The month ``n`` months after ``label`` (``n`` may be negative)."""
    y, m = parse_month(label)
    k = y * 12 + (m - 1) + n
    return month_label(k // 12, k % 12 + 1)


@functools.lru_cache(maxsize=65536)
def month_index(start: str, label: str) -> int:
    """Index of month ``label`` on the axis starting at ``start`` (may be < 0)."""
    ys, ms = parse_month(start)
    y, m = parse_month(label)
    return (y - ys) * 12 + (m - ms)


def date_month_index(start: str, date: str) -> int:
    """Index of the month in which the ``YYYY-MM-DD`` date ``date`` falls."""
    d = parse_date(date)
    return month_index(start, month_label(d.year, d.month))


def label_at(start: str, t: int) -> str:
    """``YYYY-MM`` label of month index ``t`` (any integer)."""
    return add_months(start, t)


def calendar_year(start: str, t: int) -> int:
    """Calendar year y(t) of month index ``t``."""
    return parse_month(add_months(start, t))[0]


def calendar_month(start: str, t: int) -> int:
    """Calendar month number 1–12 of month index ``t``."""
    return parse_month(add_months(start, t))[1]


def financial_year(start: str, t: int) -> str:
    """UK financial year (April–March) of month index ``t``, as ``2025/26``."""
    y, m = parse_month(add_months(start, t))
    first = y if m >= 4 else y - 1
    return f"{first}/{(first + 1) % 100:02d}"


#: Environment variable that fixes "today" (``YYYY-MM-DD``) for reproducible runs and tests.
TODAY_ENV = "ESTATE_TODAY"


def today() -> _dt.date:
    """Today's date, or the date in the ``ESTATE_TODAY`` environment variable.

    Raises
    ------
    ValueError
        When ``ESTATE_TODAY`` is set but is not a ``YYYY-MM-DD`` date.
    """
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return _dt.date.fromisoformat(fixed)
        except ValueError:
            raise ValueError(f"{TODAY_ENV}={fixed!r} is not a date in YYYY-MM-DD form") from None
    return _dt.date.today()


def default_horizon_start(day: _dt.date | None = None) -> str:
    """The first month after ``day`` (default :func:`today`): a plan starts next month."""
    day = day or today()
    return month_label(day.year + day.month // 12, day.month % 12 + 1)


def next_april(day: _dt.date | None = None) -> str:
    """The first April after ``day`` (default :func:`today`), as ``YYYY-MM``: the
    start of the next financial year (April itself counts as passed)."""
    day = day or today()
    return month_label(day.year + 1 if day.month >= 4 else day.year, 4)


def this_month(day: _dt.date | None = None) -> str:
    """``YYYY-MM`` of ``day`` (default :func:`today`)."""
    day = day or today()
    return month_label(day.year, day.month)


def overdue(month: str | None, day: _dt.date | None = None) -> bool:
    """Whether a notice-by ``month`` (notice must be given by its first day) lies
    before ``day`` (default :func:`today`)."""
    if month is None:
        return False
    y, m = parse_month(month)
    return _dt.date(y, m, 1) < (day or today())


def parse_month_names(text: str) -> tuple[int, ...]:
    """Parse a ``;`` list of month names (``Dec; Mar``) into sorted numbers 1–12.

    Accepts three-letter or full English names in any case, or numbers 1–12.

    Raises
    ------
    ValueError
        Naming the first item that is not a month name.
    """
    out: set[int] = set()
    for raw in text.split(";"):
        item = raw.strip().lower()
        if not item:
            continue
        if item in MONTH_NAMES:
            out.add(MONTH_NAMES.index(item) + 1)
        elif item in _FULL_NAMES:
            out.add(_FULL_NAMES.index(item) + 1)
        elif item.isdigit() and 1 <= int(item) <= 12:
            out.add(int(item))
        else:
            raise ValueError(f"{raw.strip()!r} is not a month name (Jan … Dec)")
    return tuple(sorted(out))


def format_month_names(months: tuple[int, ...]) -> str:
    """Inverse of :func:`parse_month_names`: ``(2, 3)`` -> ``"Feb; Mar"``."""
    return "; ".join(MONTH_NAMES[m - 1].capitalize() for m in months)
