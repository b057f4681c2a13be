"""Reading a contract register's cells the way procurement wrote them.

- money: ``£1,200,000.00`` and, in a register written with decimal commas
  (``£152000,00``, ``1.234.567,89``), the European form -- decided once per
  file from every amount in it; a file that mixes both is refused, never
  read 100× wrong (:func:`money_style`, :func:`parse_money`);
- dates: day first (``31/03/2026``), ISO, ``31-Mar-2026``; a file whose
  slashed dates cannot be day first (a month field above 12) is refused with
  the column and the format named, unless ``--date-format`` says which
  (:func:`date_style`, :func:`parse_register_date`);
- notice periods: ``6``, ``6 months``, ``90 days``, ``12 weeks``; a column
  named in days is read in days (:func:`notice_months`);
- whole-year terms keep their value exactly (:func:`term_years`);
- categories only on a clear match (:func:`category_of`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

from estate.contracts import ends_with
from estate.model import Contract
from inventory.importers.common import parse_date_text, parse_number

DATE_FORMATS = ("dmy", "mdy", "ymd")
_DC = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$|^\d+,\d{1,2}$")
_DOT = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$|^\d+\.\d{1,2}$")
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})(?: .*)?$")


def _bare(text: str) -> str:
    return re.sub(r"\s|£|GBP|€|EUR", "", text.strip(), flags=re.I)


def money_style(cells: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """``("dot" | "comma", example)`` of the amounts ``(text, where)`` of a file.

    ``comma``: some amount can only be read with a decimal comma
    (``152000,00``, ``1.234,50``) and none only with a decimal point.

    Raises
    ------
    ValueError
        When the file has amounts of both kinds (the message names one of each).
    """
    comma = dot = None
    for text, where in cells:
        t = _bare(text)
        if _DC.match(t) and not _DOT.match(t):
            comma = comma or f"{text!r} ({where})"
        elif _DOT.match(t) and not _DC.match(t):
            dot = dot or f"{text!r} ({where})"
    if comma and dot:
        raise ValueError(f"amounts are written both with a decimal comma, e.g. {comma}, and "
                         f"with a decimal point, e.g. {dot}: save the register with one style")
    return ("comma", comma) if comma else ("dot", dot or "")


def parse_money(text: str, style: str) -> float | None:
    """An amount in ``style`` (``dot``: ``1,200.50``; ``comma``: ``1.200,50``).

    Raises
    ------
    ValueError
        When ``text`` is not blank and not an amount.
    """
    if style == "comma":
        t = _bare(text)
        if not t:
            return None
        return parse_number(t.replace(".", "").replace(",", "."))
    return parse_number(text.replace("€", ""))


def date_style(cells: Iterable[tuple[str, str, str]], given: str | None) -> str:
    """The date format of a file: ``given`` (``--date-format``), else ``dmy``.

    ``cells`` are ``(text, column, where)`` of every date cell.

    Raises
    ------
    ValueError
        When a slashed date cannot be read in the format (a month field above
        12): names the column, the cell and the ``--date-format`` to use.
    """
    style = given or "dmy"
    for text, column, where in cells:
        m = _SLASHED.match(text.strip())
        if not m:
            continue
        first, second = int(m.group(1)), int(m.group(2))
        month = second if style == "dmy" else first
        if style != "ymd" and month > 12:
            other = "mdy" if style == "dmy" else "dmy"
            shape = "month/day/year (US)" if other == "mdy" else "day/month/year (UK)"
            raise ValueError(
                f"column {column!r}: {text!r} ({where}) cannot be a "
                f"{'day/month/year' if style == 'dmy' else 'month/day/year'} date (month "
                f"{month}); the file writes dates {shape}: re-run with --date-format {other}")
    return style


def parse_register_date(text: str, style: str) -> dt.date | None:
    """A date of the register in ``style`` (ISO and ``31-Mar-2026`` always).

    Raises
    ------
    ValueError
        When the text is not blank and not a date.
    """
    m = _SLASHED.match(text.strip())
    if m and style == "mdy":
        year = int(m.group(3))
        year += 2000 if year < 100 else 0
        return dt.date(year, int(m.group(1)), int(m.group(2)))
    return parse_date_text(text)


def notice_months(text: str, column: str) -> int | None:
    """Months of notice in a cell (``6``, ``6 months``, ``90 days``, ``12
    weeks``); a bare number is in days when the column says days, in weeks
    when it says weeks, else months. Days and weeks round up to whole months
    (30.44 days a month), so a notice-by date is never too late.

    Raises
    ------
    ValueError
        When the cell is not blank and not a period.
    """
    t = text.strip().lower()
    if not t:
        return None
    m = re.match(r"^(\d+(?:\.\d+)?)\s*([a-z]*)\.?$", t)
    if not m:
        raise ValueError(f"{text!r} is not a notice period (6, 6 months, 90 days)")
    n = float(m.group(1))
    unit = m.group(2) or ("day" if "day" in column.lower() else
                          "week" if "week" in column.lower() else "month")
    if unit.startswith("d"):
        return math.ceil(n / 30.4375 - 1e-9)
    if unit.startswith("w"):
        return math.ceil(n * 7 / 30.4375 - 1e-9)
    if unit.startswith("m"):
        return math.ceil(n - 1e-9)
    if unit.startswith("y"):
        return math.ceil(n * 12 - 1e-9)
    raise ValueError(f"{text!r} is not a notice period (6, 6 months, 90 days)")


def term_years(start: str, end: str) -> float:
    """Years of the term ``start`` … ``end`` (ISO dates, both days included).

    A term of whole months (the day after ``end`` falls on ``start``'s day of
    the month, or both are month ends) is exactly months/12, so £152,000 from
    1 April 2025 to 31 March 2027 is £76,000 a year; any other term counts
    days / 365.25. At least one month.
    """
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    after = b + dt.timedelta(days=1)
    if after.day == a.day or (after.day == 1 and a.day == 1):
        months = (after.year - a.year) * 12 + after.month - a.month
        return max(months, 1) / 12
    return max(((b - a).days + 1) / 365.25, 1 / 12)


#: (category, pattern) in priority order; a match is clear when every category
#: matched leads to the same rule (licence, support and saas all end with retire).
CATEGORY_RULES = (
    ("saas", r"\b(saas|software as a service|microsoft 365|office 365|m365)\b"),
    ("licence", r"\b(licen[cs]e[sd]?|licensing|enterprise agreement|software|subscriptions?|"
                r"red ?hat|rhel|vmware|vsphere|oracle database)\b"),
    ("datacentre", r"\b(data ?cent(re|er)|colocation|colo|rack space)\b"),
    ("hosting", r"\b(hosting|hosted|iaas|paas)\b"),
    ("connectivity", r"\b(network|wan|lan|broadband|telephony|connectivity|psn|"
                     r"mobile|sip|circuits?)\b"),
    ("maintenance", r"\b(maintenance|hardware support)\b"),
    ("support", r"\b(support|service desk|helpdesk|managed service)\b"),
)
#: CPV divisions that name a category on their own.
CPV_CATEGORY = (("48", "licence"), ("5031", "maintenance"), ("5032", "maintenance"),
                ("642", "connectivity"), ("722", "support"), ("725", "support"))
#: Words that make a contract enterprise-wide: nothing the plan does ends it.
NEVER = re.compile(r"\b(enterprise agreement|enterprise[- ]wide|corporate (wan|network)|wan|"
                   r"wide area network)\b", re.I)


def _rule(category: str) -> str:
    return ends_with(Contract("x", 0.0, "2000-01-01", category=category))


def category_of(texts: Iterable[str], cpv: str = "") -> tuple[str, list[str]]:
    """``(category, candidates)``: the category the words (title, supplier,
    description, the register's category) or else the CPV code name clearly;
    ``""`` with the candidates when they disagree, ``""`` and ``[]`` when
    nothing matches."""
    text = " ".join(texts).lower()
    found = [cat for cat, pattern in CATEGORY_RULES if re.search(pattern, text)]
    if not found:
        digits = re.sub(r"\D", "", cpv.split("-")[0]) if cpv else ""
        found = [cat for prefix, cat in CPV_CATEGORY if digits.startswith(prefix)][:1]
    if not found:
        return "", []
    if len({_rule(c) for c in found}) == 1:
        return found[0], found
    if set(found) == {"support", "maintenance"} and "hardware" not in text:
        return "support", found  # application support and maintenance
    return "", found


def ends_with_of(category: str, *texts: str) -> str:
    """The rule an imported contract gets: ``never`` for enterprise-wide words
    (an enterprise agreement, the WAN), else its category's (blank when the
    category is)."""
    if NEVER.search(" ".join(texts)):
        return "never"
    return _rule(category) if category else ""


__all__ = ["DATE_FORMATS", "money_style", "parse_money", "date_style", "parse_register_date",
           "notice_months", "term_years", "category_of", "ends_with_of"]
