"""Small openpyxl helpers shared by the report workbooks.

Every cell goes through :func:`put`, which never writes a formula: inventory
text is untrusted, and text starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is stored as a text cell with Excel's quote prefix (the same
rule as ``inventory.tables.safe_cell``, which reports may not import).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from estate.files import atomic_write, new_file_mode

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MONEY = "£#,##0"
MONEY_PENCE = "£#,##0.00"
MONTH = "mmm yyyy"
DATE = "dd mmm yyyy"
NUMBER = "#,##0"
NUMBER_1 = "#,##0.0"

HEADER_FILL = PatternFill("solid", fgColor="1F3B57")
HEADER_FONT = Font(bold=True, color="FFFFFF")
#: Okabe–Ito orange, light: rows that need attention soon.
ATTENTION_FILL = PatternFill("solid", fgColor="FCE2B8")
#: Okabe–Ito sky blue, light: rows of lesser note (zombies, met exits).
NOTE_FILL = PatternFill("solid", fgColor="D4ECF9")
BAD_FILL = PatternFill("solid", fgColor="F6D0C2")
_THIN = Side(style="thin", color="B0B7BF")
HEADER_BORDER = Border(bottom=_THIN)


def is_dangerous(text: str) -> bool:
    """Whether spreadsheet software would take ``text`` as a formula."""
    return text.startswith(DANGEROUS_PREFIXES)


def put(ws: Worksheet, row: int, column: int, value: Any, fmt: str | None = None) -> Any:
    """Write ``value`` to a cell, never as a formula, and return the cell.

    Parameters
    ----------
    ws
        The worksheet.
    row, column
        1-based cell position.
    value
        ``None`` leaves the cell empty; ``str`` is stored as text (quote
        prefixed when it would start a formula); numbers and dates typed.
    fmt
        Optional Excel number format.
    """
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control bytes Excel cannot store
        cell.value = value
        if is_dangerous(value):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    if fmt is not None:
        cell.number_format = fmt
    return cell


@dataclass(frozen=True)
class Column:
    """A column of a report sheet: header text, number format and width."""

    header: str
    fmt: str | None = None
    width: float | None = None


def write_table(ws: Worksheet, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
                fills: Sequence[PatternFill | None] | None = None) -> None:
    """Write a header and rows, then freeze the header, add a filter and set widths.

    Parameters
    ----------
    ws
        An empty worksheet.
    columns
        Column definitions, in order.
    rows
        Row values (typed: numbers, dates, text, ``None``).
    fills
        Optional fill per row (``None`` for no fill).
    """
    for j, col in enumerate(columns, start=1):
        c = put(ws, 1, j, col.header)
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        c.border = HEADER_BORDER
        c.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(c.header) + 2 for c in columns]
    for i, values in enumerate(rows, start=2):
        fill = fills[i - 2] if fills is not None else None
        for j, (col, v) in enumerate(zip(columns, values, strict=True), start=1):
            cell = put(ws, i, j, v, col.fmt if v is not None and not isinstance(v, str)
                       else None)
            if fill is not None:
                cell.fill = fill
            if i < 400 and v is not None:
                widths[j - 1] = max(widths[j - 1], _shown_width(v, col.fmt))
    for j, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = (
            col.width if col.width is not None else min(max(widths[j - 1], 8), 60))
    ws.freeze_panes = "B2" if len(columns) > 6 else "A2"
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
    ws.row_dimensions[1].height = 30


def _shown_width(value: Any, fmt: str | None) -> int:
    if isinstance(value, (dt.date, dt.datetime)):
        return 12
    if isinstance(value, bool):
        return 6
    if isinstance(value, (int, float)):
        return len(f"{value:,.0f}") + 3
    return len(str(value)) + 2


@overload
def month_date(label: str) -> dt.date: ...


@overload
def month_date(label: None) -> None: ...


@overload
def month_date(label: str | None) -> dt.date | None: ...


def month_date(label: str | None) -> dt.date | None:
    """First day of a ``YYYY-MM`` month as a date (``None`` stays ``None``)."""
    if label is None:
        return None
    return dt.date(int(label[:4]), int(label[5:7]), 1)


def file_mode() -> int:
    """Permission bits of a new file under the process umask (``0o644`` usually)."""
    return new_file_mode()


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def save(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save ``wb`` to ``path`` atomically (:func:`estate.files.atomic_write`: a
    temporary file moved into place; an existing file keeps its permissions, a
    read-only one or a symbolic link is refused)."""
    return atomic_write(path, wb.save)
