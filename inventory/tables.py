"""Raw sheet tables: read an ``.xlsx`` workbook or a folder of ``.csv`` files.

Every cell arrives as untrusted text. Reading is capped (file size, rows,
columns, cell length) and openpyxl parses XML with defusedxml when installed
(a dependency of this project). Writing never emits a formula: text that
starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is written as a
text cell (and, in CSV, behind a leading apostrophe).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 256
MAX_CELL_CHARS = 32_767  # Excel's own limit
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Row:
    """A data row: its Excel row number (header = 1) and its cells by column."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell's text, stripped; ``""`` when blank or absent."""
        return self.cells.get(column, "")


@dataclass
class Table:
    """One sheet: lower-cased column names and data rows (blank rows skipped)."""

    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Tables:
    """All sheets of one workbook or CSV folder, keyed by lower-case name."""

    source: str
    sheets: dict[str, Table]
    is_folder: bool = False

    def file_of(self, sheet: str) -> str:
        """The file name to show in a message about ``sheet``."""
        if self.is_folder:
            return str(Path(self.source) / f"{sheet}.csv")
        return self.source


def cell_text(value: Any) -> str:
    """Untrusted cell value -> stripped text (dates as ``YYYY-MM-DD``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    return text.strip()


def _header(values: Sequence[Any]) -> list[str]:
    return [cell_text(v).lower() for v in values]


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EstateError(Issue(str(path), f"cannot read file: {exc.strerror}")) from exc
    if size == 0:
        raise EstateError(Issue(str(path), "the file is empty; expected an .xlsx workbook"))
    if size > MAX_FILE_BYTES:
        raise EstateError(Issue(
            str(path), f"the file is {size // 2**20} MiB; at most {MAX_FILE_BYTES // 2**20} MiB "
            "is read"))


def _rows_to_table(name: str, file: str, rows: Iterable[Sequence[Any]],
                   issues: list[Issue]) -> Table | None:
    it = iter(rows)
    header: list[str] | None = None
    for values in it:
        if any(cell_text(v) for v in values):
            header = _header(values)
            break
    if header is None:
        return Table(name, [])
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        issues.append(Issue(file, f"has {len(header)} columns; at most {MAX_COLUMNS} are read",
                            sheet=name, row=1))
        header = header[:MAX_COLUMNS]
    table = Table(name, header)
    for number, values in enumerate(it, start=2):
        if number > MAX_ROWS + 1:
            issues.append(Issue(file, f"has more than {MAX_ROWS} rows; split the sheet",
                                sheet=name, row=number))
            break
        cells = {}
        for col, v in zip(header, values, strict=False):
            if col:
                text = cell_text(v)
                if text:
                    cells[col] = text
        if cells:
            table.rows.append(Row(number, cells))
    return table


def _read_xlsx(path: Path) -> Tables:
    import openpyxl  # local: heavy import

    _check_size(path)
    if not zipfile.is_zipfile(path):
        raise EstateError(Issue(
            str(path), "is not an .xlsx workbook (not a zip file); save it from Excel as "
            "'Excel Workbook (*.xlsx)' or give a folder of .csv files"))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on corrupt files
        raise EstateError(Issue(
            str(path), f"cannot open as an .xlsx workbook ({type(exc).__name__}: {exc}); "
            "re-save it from Excel as .xlsx")) from exc
    issues: list[Issue] = []
    sheets: dict[str, Table] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title.strip().lower()
            table = _rows_to_table(name, str(path), ws.iter_rows(values_only=True), issues)
            if table is not None:
                sheets[name] = table
    except Exception as exc:
        raise EstateError(Issue(str(path), f"cannot read the workbook ({exc})")) from exc
    finally:
        wb.close()
    if issues:
        raise EstateError(issues)
    return Tables(str(path), sheets)


def _read_csv_folder(path: Path) -> Tables:
    issues: list[Issue] = []
    sheets: dict[str, Table] = {}
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise EstateError(Issue(str(path), "the folder has no .csv files; expected "
                                "sites.csv, applications.csv, servers.csv, …"))
    for f in files:
        _check_size(f) if f.stat().st_size else None
        name = f.stem.strip().lower()
        try:
            with f.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                rows = ([_unquote(c) for c in r] for r in reader)
                table = _rows_to_table(name, str(f), rows, issues)
        except (UnicodeDecodeError, csv.Error) as exc:
            issues.append(Issue(str(f), f"cannot read as UTF-8 CSV ({exc}); save it as "
                                "'CSV UTF-8'", sheet=name))
            continue
        if table is not None:
            sheets[name] = table
    if issues:
        raise EstateError(issues)
    return Tables(str(path), sheets, is_folder=True)


def _unquote(text: str) -> str:
    """Undo the apostrophe this module puts before dangerous CSV text."""
    if len(text) > 1 and text[0] == "'" and text[1] in DANGEROUS_PREFIXES:
        return text[1:]
    return text


def read_tables(path: str | os.PathLike[str]) -> Tables:
    """Read every sheet of an ``.xlsx`` workbook or a folder of ``.csv`` files.

    Raises
    ------
    EstateError
        With one clear issue when the file is missing, empty, corrupt or too big.
    """
    p = Path(path)
    if not p.exists():
        raise EstateError(Issue(str(p), "no such file or folder"))
    if p.is_dir():
        return _read_csv_folder(p)
    if p.suffix.lower() == ".csv":
        raise EstateError(Issue(str(p), "a single .csv is not an estate; give the folder "
                                "holding sites.csv, applications.csv, servers.csv, …"))
    return _read_xlsx(p)


# -- writing ---------------------------------------------------------------

def is_dangerous(text: str) -> bool:
    """Whether spreadsheet software would take ``text`` as a formula."""
    return text.startswith(DANGEROUS_PREFIXES)


def safe_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to an openpyxl cell, never as a formula; return the cell.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or CR is stored as a text
    cell with Excel's quote prefix, so it shows as typed and never evaluates.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        if is_dangerous(value):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_xlsx(sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]],
               path: str | os.PathLike[str]) -> None:
    """Write sheets ``{name: (columns, rows)}`` to ``path`` atomically.

    Values are written typed (numbers as numbers); text never as a formula.
    The file is written to a temporary name and then moved into place, so a
    failure never leaves a half-written workbook.
    """
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (columns, rows) in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        for j, col in enumerate(columns, start=1):
            safe_cell(ws, 1, j, col).font = Font(bold=True)
        for i, values in enumerate(rows, start=2):
            for j, v in enumerate(values, start=1):
                if v is not None and v != "":
                    safe_cell(ws, i, j, v)
        ws.freeze_panes = "A2"
    atomic_save(wb, path)


def atomic_save(wb: Any, path: str | os.PathLike[str]) -> None:
    """Save an openpyxl workbook to ``path`` via a temporary file and rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_folder(sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]],
                     folder: str | os.PathLike[str]) -> None:
    """Write sheets as ``folder/<name>.csv`` (UTF-8); dangerous text gets a ``'``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in sheets.items():
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=out)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for values in rows:
                w.writerow(["" if v is None else
                            ("'" + v if isinstance(v, str) and is_dangerous(v) else v)
                            for v in values])
        os.replace(tmp, out / f"{name}.csv")
