"""Raw sheet tables: read an ``.xlsx`` workbook or a folder of ``.csv`` files.

Every cell arrives as untrusted text through :func:`cell_text`, which removes
control characters (the one place they are removed). Reading is bounded
before anything is parsed: file size, every zip member's declared
uncompressed size and compression ratio (:func:`check_archive`: a zip bomb is
refused in milliseconds), rows, columns and cell length; openpyxl parses XML
with defusedxml (a dependency of this project) and streams rows, so reading
stops at the row cap without scanning the rest of a sheet.

Sheet and column names are normalised (:func:`inventory.names.normalise_name`)
and the names as typed are kept for messages. Formulas are kept: a cell
holding a formula reads as its saved value and is listed in
:attr:`Table.formulas`, so that a rewrite can keep the formula and the loader
can refuse one that has no saved value.

Writing never emits a formula from text: text that starts with ``=``, ``+``,
``-``, ``@``, tab or carriage return is written as a text cell (and, in CSV,
behind a leading apostrophe). Files are written atomically
(:mod:`estate.files`); a CSV folder's sheets are replaced as one change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate import files
from estate.errors import EstateError, Issue, Notice
from estate.locks import target_lock
from estate.reading import check_regular
from inventory.archive import check_archive, open_workbook
from inventory.csvread import delimiter_name, read_csv_rows
from inventory.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS
from inventory.names import normalise_name

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# C0 controls but tab/newline/CR, DEL, C1 controls, bidi and zero-width controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f"
                      "\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")


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
    """One sheet: normalised column names and data rows (blank rows skipped).

    Attributes
    ----------
    name : str
        The sheet's normalised name.
    columns : list of str
        Normalised header names in order (a repeated name appears again;
        only its first column is read).
    rows : list of Row
        Data rows.
    title : str
        The sheet (or file) name as typed.
    labels : dict
        Normalised column name -> the header as typed (first occurrence).
    formulas : dict
        ``(excel_row, column) -> formula text`` of cells holding a formula.
    """

    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    title: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)
    #: The sheet's decimal mark: ``,`` for a CSV separated by ``;`` (Excel's CSV
    #: where the decimal mark is a comma), else ``.``.
    decimal: str = "."

    def label(self, column: str) -> str:
        """The header of ``column`` as typed."""
        return self.labels.get(column, column)


@dataclass
class Tables:
    """All sheets of one workbook or CSV folder, keyed by normalised name.

    ``unread`` lists sheets present but not read (``read_tables(only=…)``),
    by normalised name -> name as typed; ``notices`` says how the input was
    read where that is worth knowing (a CSV delimiter other than ``,``).
    """

    source: str
    sheets: dict[str, Table]
    is_folder: bool = False
    unread: dict[str, str] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)

    def file_of(self, sheet: str) -> str:
        """The file name to show in a message about ``sheet``."""
        if self.is_folder:
            return str(Path(self.source) / f"{sheet}.csv")
        return self.source

    def titles(self) -> dict[str, str]:
        """Every sheet present (read or not): normalised name -> name as typed."""
        out = {n: t.title or n for n, t in self.sheets.items()}
        out.update(self.unread)
        return out


def sanitise(text: str) -> str:
    """``text`` without control characters (ESC, BEL, NUL, …) and bidi/zero-width
    controls (U+202E, …), which a spreadsheet cannot store or which mislead
    whoever reads the text; tab and newline stay."""
    return _CONTROL.sub("", text) if not text.isprintable() else text


def cell_text(value: Any) -> str:
    """Untrusted cell value -> stripped, sanitised text (dates as ``YYYY-MM-DD``).

    Text longer than :data:`MAX_CELL_CHARS` is cut there; the readers report
    such a cell before it gets here.
    """
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
    return sanitise(text).strip()


def too_long(file: str, sheet: str, row: int, column: str, length: int) -> Issue:
    """The issue for a cell longer than Excel allows."""
    return Issue(file, f"the cell holds {length:,} characters; at most {MAX_CELL_CHARS:,} "
                 "(Excel's limit) are read — shorten it", sheet=sheet, row=row, column=column)


def _header(values: Sequence[Any]) -> tuple[list[str], dict[str, str]]:
    labels: dict[str, str] = {}
    names = []
    for v in values:
        typed = cell_text(v)
        name = normalise_name(typed)
        names.append(name)
        if name:
            labels.setdefault(name, typed)
    return names, labels


def _check_size(path: Path) -> None:
    size = check_regular(path, "workbook")
    if size == 0:
        raise EstateError(Issue(str(path), "the file is empty; expected an .xlsx workbook"))
    if size > MAX_FILE_BYTES:
        raise EstateError(Issue(
            str(path), f"the file is {size // 2**20} MiB; at most {MAX_FILE_BYTES // 2**20} MiB "
            "is read"))


def rows_to_table(name: str, file: str, rows: Iterable[Sequence[Any]], issues: list[Issue],
                  *, title: str = "", blank_run: int | None = None,
                  normalise: bool = True, over_rows: str = "split the sheet") -> Table:
    """Build a :class:`Table` from raw rows: the first non-blank row is the header.

    Stops (with an issue) after :data:`MAX_ROWS` data rows, and quietly after
    ``blank_run`` consecutive blank rows when given. A cell longer than
    :data:`MAX_CELL_CHARS` is an issue. Header names are normalised unless
    ``normalise`` is false (then only lower-cased).
    """
    it: Iterator[Sequence[Any]] = iter(rows)
    header: list[str] | None = None
    offset = 0
    for values in it:
        offset += 1
        if any(cell_text(v) for v in values):
            header, labels = _header(values)
            if not normalise:
                header = [cell_text(v).lower() for v in values]
            break
    if header is None:
        return Table(name, [], title=title or name)
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        issues.append(Issue(file, f"has {len(header)} columns; at most {MAX_COLUMNS} are read",
                            sheet=name, row=offset))
        header = header[:MAX_COLUMNS]
    table = Table(name, header, title=title or name, labels=labels)
    first = {c: i for i, c in reversed(list(enumerate(header))) if c}
    wanted = sorted(first.items(), key=lambda kv: kv[1])
    blanks = 0
    for number, values in enumerate(it, start=offset + 1):
        if number > MAX_ROWS + offset:
            issues.append(Issue(file, f"has more than {MAX_ROWS:,} rows; at most "
                                f"{MAX_ROWS:,} are read — {over_rows}", sheet=name, row=number))
            break
        cells: dict[str, str] = {}
        width = len(values)
        for col, j in wanted:
            if j >= width:
                break
            v = values[j]
            if v is None:
                continue
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                issues.append(too_long(file, name, number, col, len(v)))
                continue
            text = cell_text(v)
            if text:
                cells[col] = text
        if not cells:
            blanks += 1
            if blank_run is not None and blanks >= blank_run:
                break
            continue
        blanks = 0
        table.rows.append(Row(number, cells))
    return table


# -- xlsx -------------------------------------------------------------------------

def _sheet_name(title: str, seen: dict[str, str], file: str) -> str:
    name = normalise_name(title)
    if name in seen:
        raise EstateError(Issue(file, f"sheets {seen[name]!r} and {title!r} both read as "
                                f"{name!r}; rename or delete one", sheet=name))
    seen[name] = title
    return name


def _read_xlsx(path: Path, only: Collection[str] | None, **kw: Any) -> Tables:
    _check_size(path)
    with_formulas = check_archive(path)
    wb = open_workbook(path, data_only=True)
    issues: list[Issue] = []
    out = Tables(str(path), {})
    seen: dict[str, str] = {}
    try:
        for ws in wb.worksheets:
            name = _sheet_name(ws.title, seen, str(path))
            if only is not None and name not in only:
                out.unread[name] = ws.title
                continue
            out.sheets[name] = rows_to_table(name, str(path), ws.iter_rows(values_only=True),
                                             issues, title=ws.title, **kw)
    except EstateError:
        raise
    except Exception as exc:
        raise EstateError(Issue(str(path), f"cannot read the workbook ({exc})")) from exc
    finally:
        wb.close()
    if issues:
        raise EstateError(issues)
    if with_formulas:
        _read_formulas(path, out)
    return out


def _read_formulas(path: Path, tables: Tables) -> None:
    """Record every formula cell of the sheets read (a second, formula-aware pass)."""
    wb = open_workbook(path, data_only=False)
    try:
        for ws in wb.worksheets:
            table = tables.sheets.get(normalise_name(ws.title))
            if table is None or not table.columns:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    j = cell.column - 1
                    text = cell.value if isinstance(cell.value, str) else getattr(
                        cell.value, "text", None)  # an array formula's text
                    if text and j < len(table.columns) and table.columns[j]:
                        table.formulas.setdefault((cell.row, table.columns[j]), str(text))
    except Exception as exc:
        raise EstateError(Issue(str(path), f"cannot read the workbook's formulas ({exc})")
                          ) from exc
    finally:
        wb.close()


# -- csv --------------------------------------------------------------------------

def _read_csv_folder(path: Path, only: Collection[str] | None, **kw: Any) -> Tables:
    if files.interrupted(path):
        try:
            with target_lock(path):  # a live writer's journal is not ours to finish
                if files.interrupted(path):
                    files.recover_folder(path)
        except OSError as exc:
            raise EstateError(Issue(str(path), "an earlier import into this folder was "
                                    f"interrupted and cannot be completed ({exc.strerror}); "
                                    "make the folder writable and run the command again")
                              ) from exc
    issues: list[Issue] = []
    out = Tables(str(path), {}, is_folder=True)
    seen: dict[str, str] = {}
    found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv"
                   and not p.name.startswith(".") and not p.is_dir())
    if not found:
        raise EstateError(Issue(str(path), "the folder has no .csv files; expected "
                                "sites.csv, applications.csv, servers.csv, …"))
    for f in found:
        name = _sheet_name(f.stem, seen, str(path))
        if only is not None and name not in only:
            out.unread[name] = f.stem
            continue
        _check_size(f)
        rows, delimiter = read_csv_rows(f, issues, name)
        if delimiter != ",":
            mark = " and ',' as the decimal mark (1.234,5)" if delimiter == ";" else ""
            out.notices.append(Notice("assumed", f"read with {delimiter_name(delimiter)} "
                                      f"between columns (not ','){mark}", file=str(f),
                                      sheet=name))
        rows = ([_unquote(c) for c in r] for r in rows)
        out.sheets[name] = rows_to_table(name, str(f), rows, issues, title=f.stem, **kw)
        if delimiter == ";":
            out.sheets[name].decimal = ","
    if issues:
        raise EstateError(issues)
    return out


def _unquote(text: str) -> str:
    """Undo the apostrophe this module puts before dangerous CSV text."""
    if len(text) > 1 and text[0] == "'" and text[1] in DANGEROUS_PREFIXES:
        return text[1:]
    return text


def read_tables(path: str | os.PathLike[str], *, only: Collection[str] | None = None
                ) -> Tables:
    """Read every sheet of an ``.xlsx`` workbook or a folder of ``.csv`` files.

    Parameters
    ----------
    path
        The workbook or folder.
    only
        Normalised names of the sheets to read; others are only listed (in
        :attr:`Tables.unread`). ``None`` reads every sheet.

    Raises
    ------
    EstateError
        With one clear issue when the file is missing, empty, corrupt, too
        big or a zip bomb; with every over-long cell or over-long sheet found.
    """
    p = Path(path)
    if not p.exists():
        raise EstateError(Issue(str(p), "no such file or folder"))
    if p.is_dir():
        return _read_csv_folder(p, only)
    if p.suffix.lower() == ".csv":
        raise EstateError(Issue(str(p), "a single .csv is not an estate; give the folder "
                                "holding sites.csv, applications.csv, servers.csv, …"))
    return _read_xlsx(p, only)


# -- writing ---------------------------------------------------------------

class Formula(str):
    """A formula the user wrote in their own workbook, to be written back as one.

    Only :mod:`inventory.importers.merge` makes these, from formulas read out
    of the workbook it rewrites; text from any other source is never a formula.
    """


def is_dangerous(text: str) -> bool:
    """Whether spreadsheet software would take ``text`` as a formula."""
    return text.startswith(DANGEROUS_PREFIXES)


def safe_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write ``value`` to an openpyxl cell, never as a formula; return the cell.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or CR is stored as a text
    cell with Excel's quote prefix, so it shows as typed and never evaluates.
    Control characters are removed. A :class:`Formula` is written as a formula.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Formula):
        cell.value = str(value)
    elif isinstance(value, str):
        value = sanitise(value)
        cell.value = value
        if is_dangerous(value):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


SheetData = Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]


def write_xlsx(sheets: SheetData, path: str | os.PathLike[str], *,
               follow_symlinks: bool = False) -> None:
    """Write sheets ``{name: (columns, rows)}`` to ``path`` atomically.

    Values are written typed (numbers as numbers); text never as a formula.
    The file is written to a temporary name and then moved into place, so a
    failure never leaves a half-written workbook; an existing file keeps its
    permissions (see :func:`estate.files.atomic_write`).
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
    atomic_save(wb, path, follow_symlinks=follow_symlinks)


def atomic_save(wb: Any, path: str | os.PathLike[str], *, follow_symlinks: bool = False
                ) -> Path:
    """Save an openpyxl workbook to ``path`` atomically (:func:`estate.files.atomic_write`)."""
    return files.atomic_write(path, wb.save, follow_symlinks=follow_symlinks)


def _csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for values in rows:
        w.writerow(["" if v is None else
                    ("'" + v if isinstance(v, str) and not isinstance(v, Formula)
                     and is_dangerous(v) else (sanitise(v) if isinstance(v, str) else v))
                    for v in values])
    return buf.getvalue()


def write_csv_folder(sheets: SheetData, folder: str | os.PathLike[str], *,
                     remove: Iterable[str] = ()) -> None:
    """Write sheets as ``folder/<name>.csv`` (UTF-8), all as one change.

    Dangerous text gets a leading ``'``. Every file is written to a temporary
    name first and the replacement is journaled
    (:func:`estate.files.replace_in_folder`): a run killed part-way leaves the
    old sheets, or is completed by the next run. Files named in ``remove``
    (``pins.csv``) are deleted as part of the same change.
    """
    def writer(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> files.Writer:
        def write(tmp: Path) -> None:
            with tmp.open("w", newline="", encoding="utf-8") as fh:
                fh.write(_csv_text(columns, rows))
        return write

    files.replace_in_folder(folder, {f"{name}.csv": writer(columns, rows)
                                     for name, (columns, rows) in sheets.items()},
                            remove=remove)
