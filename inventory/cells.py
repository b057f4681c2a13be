"""Parsers for the text of one workbook cell, and :class:`RowCells`.

Every ``parse_*`` function takes the (stripped) text of an untrusted cell and returns a
typed value or raises :class:`ValueError` whose message says what was
expected, in words a user can act on. The loader (:mod:`inventory.load`)
turns those messages into :class:`estate.errors.Issue` objects naming the
file, sheet, row and column, through :class:`RowCells`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from estate.errors import Issue
from estate.months import month_label, parse_month_names
from estate.numbers import locale_number
from inventory.tables import Row

_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_ISO_DATE_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_FY_RE = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def parse_number(text: str, *, percent: bool = False, decimal: str = ".") -> float:
    """A number, allowing ``£``, thousands separators and spaces (``£1,200.50``).

    With ``percent`` a trailing ``%`` divides by 100 (``3.5%`` -> 0.035).
    ``decimal`` is the file's decimal mark (``,`` in a CSV separated by ``;``):
    see :func:`estate.numbers.locale_number`, the one reading of ``.`` and ``,``.

    Raises
    ------
    ValueError
        When the text is not a finite number, or mixes the marks ambiguously.
    """
    t = text.strip().replace("£", "").replace(" ", "").replace("\u00a0", "")
    t = locale_number(t, decimal)
    scale = 1.0
    if percent and t.endswith("%"):
        t, scale = t[:-1], 0.01
    if not _NUMBER_RE.match(t):
        expected = "a number such as 1200, 1,200 or £1,200.50"
        if percent:
            expected = "a number such as 0.035 or 3.5%"
        raise ValueError(f"expected {expected}")
    value = float(t) * scale
    if not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value


def parse_int(text: str, decimal: str = ".") -> int:
    """A whole number (``12``, ``12.0``, ``1,200``).

    Raises
    ------
    ValueError
        When the text is not a whole number.
    """
    try:
        value = parse_number(text, decimal=decimal)
    except ValueError:
        raise ValueError("expected a whole number such as 12") from None
    if not value.is_integer():
        raise ValueError("expected a whole number such as 12")
    return int(value)


def parse_bool(text: str) -> bool:
    """``yes``/``no`` (also ``true``/``false``, ``y``/``n``, ``1``/``0``), any case."""
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ValueError("expected yes or no")


def _date(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueError("expected a real calendar date") from None


def parse_date_text(text: str, *, month_end: bool = False) -> str:
    """A date -> ``YYYY-MM-DD``.

    Accepts ``YYYY-MM-DD`` (an Excel date cell arrives so, possibly with a
    time), the UK form ``DD/MM/YYYY``, and ``YYYY-MM`` (the first day of the
    month, or the last with ``month_end``).

    Raises
    ------
    ValueError
        When the text is not one of those forms or not a real date.
    """
    t = text.strip()
    expected = "expected a date as YYYY-MM-DD (e.g. 2027-03-31) or DD/MM/YYYY"
    if m := _ISO_DATE_RE.match(t):
        d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _UK_DATE_RE.match(t):
        d = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    elif m := _MONTH_RE.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(expected)
        d = dt.date(y, mo, 1)
        if month_end:
            nxt = dt.date(y + mo // 12, mo % 12 + 1, 1)
            d = nxt - dt.timedelta(days=1)
    else:
        raise ValueError(expected)
    if d.year < 1900:
        raise ValueError(expected)
    return d.isoformat()


def parse_month_text(text: str) -> str:
    """A month -> ``YYYY-MM``; accepts ``YYYY-MM`` or a full date (its month).

    Raises
    ------
    ValueError
        When the text is neither.
    """
    t = text.strip()
    expected = "expected a month as YYYY-MM (e.g. 2026-03) or a date YYYY-MM-DD"
    if m := _MONTH_RE.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12 or y < 1900:
            raise ValueError(expected)
        return month_label(y, mo)
    try:
        iso = parse_date_text(t)
    except ValueError:
        raise ValueError(expected) from None
    return iso[:7]


def split_list(text: str) -> tuple[str, ...]:
    """Items of a ``;`` list, stripped, blanks dropped, first occurrence kept."""
    seen: dict[str, None] = {}
    for item in text.split(";"):
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def parse_month_list(text: str) -> tuple[int, ...]:
    """Month names (``Feb; Mar``) -> sorted month numbers 1-12."""
    try:
        return parse_month_names(text)
    except ValueError as exc:
        raise ValueError(f"{exc}; expected month names separated by ';' such as "
                         "'Feb; Mar'") from None


def parse_effort(text: str, default_team: str) -> dict[str, float]:
    """Team days a month: a bare number (team ``default_team``) or ``team=days; …``.

    Raises
    ------
    ValueError
        On a missing ``=``, a bad or negative number or a team named twice.
    """
    t = text.strip()
    if not t:
        return {}
    if "=" not in t and ";" not in t:
        try:
            value = parse_number(t)
        except ValueError:
            raise ValueError(f"expected days a month for team {default_team} (a number) or "
                             "team=days pairs separated by ';' such as 'migration=10; dba=2'"
                             ) from None
        if value < 0:
            raise ValueError("effort must not be negative")
        return {default_team: value}
    out: dict[str, float] = {}
    for part in t.split(";"):
        part = part.strip()
        if not part:
            continue
        team, eq, days = part.partition("=")
        team = team.strip()
        if not eq or not team:
            raise ValueError(f"expected team=days pairs separated by ';' such as "
                             f"'migration=10; dba=2' (bad item {part!r})")
        try:
            value = parse_number(days)
        except ValueError:
            raise ValueError(f"team {team!r}: days {days.strip()!r} is not a number") from None
        if value < 0:
            raise ValueError(f"team {team!r}: days must not be negative")
        if team in out:
            raise ValueError(f"team {team!r} is named twice")
        out[team] = value
    return out


def parse_grid(text: str) -> float | dict[int, float]:
    """Grid factor: one number, or ``YYYY=x; YYYY=y`` per calendar year."""
    t = text.strip()
    if "=" not in t:
        value = parse_number(t)
        if value < 0:
            raise ValueError("expected a factor that is not negative")
        return value
    out: dict[int, float] = {}
    for part in t.split(";"):
        part = part.strip()
        if not part:
            continue
        year, _, val = part.partition("=")
        year = year.strip()
        if not (len(year) == 4 and year.isdigit()):
            raise ValueError(f"expected YYYY=factor pairs such as '2025=0.2; 2026=0.18' "
                             f"(bad item {part!r})")
        value = parse_number(val)
        if value < 0:
            raise ValueError("expected factors that are not negative")
        out[int(year)] = value
    if not out:
        raise ValueError("expected a number or YYYY=factor pairs")
    return out


def parse_financial_year(text: str) -> str:
    """``2025/26`` (also ``2025-26``, ``2025/2026``) -> ``2025/26``."""
    m = _FY_RE.match(text.strip())
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        if second == (first + 1) % 100 or second == first + 1:
            return f"{first}/{(first + 1) % 100:02d}"
    raise ValueError("expected a financial year such as 2025/26 (April 2025 to March 2026)")


def normalise_choice(text: str) -> str:
    """Lower-case, with spaces and hyphens as underscores (``On-Prem`` -> ``on_prem``)."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


_NOT_NEG = "must not be negative"


class RowCells:
    """Typed access to the cells of one row; every problem becomes an :class:`Issue`.

    Each getter returns the parsed value, or its ``default`` when the cell is
    blank or bad (a bad cell is recorded in ``issues`` and ``ok`` turns false).
    """

    def __init__(self, file: str, sheet: str, row: Row, issues: list[Issue], *,
                 decimal: str = ".") -> None:
        self.file, self.sheet, self.row, self.issues = file, sheet, row, issues
        self.decimal = decimal  # the file's decimal mark
        self.ok = True
        self.label = ""  # name used in messages instead of the column (settings keys)

    def name(self, col: str) -> str:
        """How ``col`` is called in messages."""
        return self.label or col

    def bad(self, column: str, value: str, message: str) -> None:
        """Record a problem in ``column`` of this row."""
        self.ok = False
        self.issues.append(Issue(self.file, message, self.sheet, self.row.number, column, value))

    def text(self, col: str, required: bool = False, what: str = "") -> str:
        """The cell's text; a blank ``required`` cell is a problem."""
        value = self.row.get(col)
        if required and not value:
            self.bad(col, "", f"{col} is required{what}; fill it in or delete the row")
        return value

    def parse(self, col: str, fn: Callable[[str], Any], default: Any) -> Any:
        """``fn(text)`` of a non-blank cell; its ValueError becomes a problem."""
        raw = self.row.get(col)
        if not raw:
            return default
        try:
            return fn(raw)
        except ValueError as exc:
            self.bad(col, raw, f"{self.name(col)}: {exc}")
            return default

    def number(self, col: str, default: float | None = None, *, minimum: float | None = 0.0,
               maximum: float | None = None, percent: bool = False,
               rule: str = _NOT_NEG) -> float | None:
        """A number within ``[minimum, maximum]`` (``None`` bounds are open)."""
        raw = self.row.get(col)
        value = self.parse(col, lambda t: parse_number(t, percent=percent,
                                                       decimal=self.decimal), None)
        if value is None:
            return default
        if minimum is not None and value < minimum:
            self.bad(col, raw, f"{self.name(col)} {rule}")
            return default
        if maximum is not None and value > maximum:
            self.bad(col, raw, f"{self.name(col)} must be at most {maximum:g} (a fraction: "
                     "0.03 or 3% for three per cent)")
            return default
        return value

    def integer(self, col: str, default: int | None, minimum: int = 0) -> int | None:
        """A whole number of at least ``minimum``."""
        raw = self.row.get(col)
        value = self.parse(col, lambda t: parse_int(t, self.decimal), None)
        if value is None:
            return default
        if value < minimum:
            self.bad(col, raw, f"{self.name(col)} must be at least {minimum}")
            return default
        return int(value)

    def month(self, col: str) -> str | None:
        """A ``YYYY-MM`` month (a full date gives its month)."""
        return self.parse(col, parse_month_text, None)

    def date(self, col: str, month_end: bool = False, required: bool = False) -> str | None:
        """A ``YYYY-MM-DD`` date (see :func:`parse_date_text`)."""
        if required:
            self.text(col, required=True)
        return self.parse(col, lambda t: parse_date_text(t, month_end=month_end), None)

    def boolean(self, col: str, default: bool) -> bool:
        """yes/no."""
        return bool(self.parse(col, parse_bool, default))

    def choice(self, col: str, choices: tuple[str, ...], default: str | None,
               required: bool = False) -> str | None:
        """One of ``choices`` (case, spaces and hyphens forgiven); ``None`` when bad."""
        raw = self.row.get(col)
        if not raw:
            if required:
                self.bad(col, "", f"{col} is required: one of {', '.join(choices)}")
            return default
        value = normalise_choice(raw)
        if value not in choices:
            self.bad(col, raw, f"{col} must be one of {', '.join(choices)}")
            return None
        return value

    def months(self, col: str) -> tuple[int, ...]:
        """Month names (``Feb; Mar``) as numbers 1-12."""
        return tuple(self.parse(col, parse_month_list, ()))

    def ids(self, col: str) -> tuple[str, ...]:
        """A ``;`` list of ids."""
        return split_list(self.row.get(col))


def build(cls: type, c: RowCells, **kwargs: Any) -> Any:
    """Construct a model object; its own ValueError becomes an Issue (None returned)."""
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        first = msg.split(" ", 1)[0]
        col = first if first in kwargs else ""
        c.bad(col, str(kwargs.get(col, "")) if col else "", msg)
        return None


def parse_country(text: str) -> str:
    """A two-letter ISO country code (``gb`` -> ``GB``; ``UK`` is read as ``GB``).

    Raises
    ------
    ValueError
        When the text is not two letters.
    """
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"{text!r} is not a two-letter ISO country code such as GB or IE")
    return "GB" if code == "UK" else code
