"""Shared pieces of the importers: the result type, source reading, parsing, ids.

An importer turns a source file into *sheet rows* of the estate workbook
(``{sheet: [{column: value}]}``, lower-case column names as in the inventory
spec), the columns of each sheet it *owns* (the only ones it may overwrite in
an existing row), the problems found row by row and a few counts. It never
writes anything; :mod:`inventory.importers.merge` does.

Source files are untrusted: reading is capped (file size, every zip part's
size and compression ratio before parsing, rows, columns, cell length), CSV
is streamed, every cell is sanitised (control characters removed) and
openpyxl parses XML with defusedxml. A sheet stops at
:data:`BLANK_RUN` consecutive blank rows, so a sheet whose dimension claims a
million rows (common in exported workbooks) is read in a moment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.reading import check_regular
from inventory import tables as _tables
from inventory.archive import check_archive, open_workbook
from inventory.tables import MAX_FILE_BYTES, Row, Table, Tables

BLANK_RUN = 1000
_ID_BAD = re.compile(r"[^A-Z0-9._-]+")
_NORM_BAD = re.compile(r"[^a-z0-9]+")


@dataclass
class ImportContext:
    """What an importer may know besides its source.

    Attributes
    ----------
    site_id : str or None
        ``--site``: the site every imported server runs at today (``None``:
        the importer decides, e.g. RVTools datacenters, else ``DC1``).
    site_kind : str
        Kind of a site the import adds (``--site-kind``).
    workbook : Tables or None
        The target workbook as it is now (``None`` when it does not exist yet);
        importers that link to existing rows (dependencies) read it.
    options : dict
        Importer-specific options from the command line.
    """

    site_id: str | None = None
    workbook: Tables | None = None
    options: dict[str, Any] = field(default_factory=dict)
    site_kind: str = "on_prem"


@dataclass
class ImportResult:
    """What one importer produced from one source.

    Attributes
    ----------
    kind, source : str
        Importer name and the file (or folder) read.
    rows : dict
        ``{sheet: [{column: value}]}`` in the estate workbook's column names.
    owned : dict
        ``{sheet: columns}`` the importer may overwrite in rows that already
        exist; every other column of an existing row is left as the user has it.
    add_if_referenced : set
        Application ids added only when some server's ``app_ids`` names them
        after the merge (the default one-application-per-VM rows, so that a
        user who regrouped servers does not get them back on re-import).
    prune : dict
        ``{sheet: source prefix}``: after the merge, rows of ``sheet`` whose
        ``source`` starts with the prefix (rows an import created) and that
        nothing refers to any more are removed, with what still names them
        (a re-grouped import leaves nothing dangling).
    remove : dict
        ``{sheet: ids}``: rows removed by the merge (estimated rows a register
        now replaces).
    issues : list of Issue
        Rows that could not be read fully: each says whether the row was
        skipped or imported with the value left blank.
    counts : dict
        ``rows`` read, ``imported``, ``skipped`` and importer-specific counts.
    lists : dict
        Named lists for the summary (``powered_off``, ``templates``, …).
    notes : list of str
        How values were derived (units, which column), for the summary.
    details : dict
        ``{summary issue: the per-row issues it stands for}``: many rows with
        the same problem (VMs on a host vHost does not list) are one issue in
        ``issues``; :meth:`in_full` gives every row.
    """

    kind: str
    source: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    owned: dict[str, tuple[str, ...]] = field(default_factory=dict)
    add_if_referenced: set[str] = field(default_factory=set)
    prune: dict[str, str] = field(default_factory=dict)
    remove: dict[str, set[str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: dict[Issue, list[Issue]] = field(default_factory=dict)

    def in_full(self) -> list[Issue]:
        """:attr:`issues` with each summary replaced by the rows it stands for
        (what ``--problems FILE.csv`` writes)."""
        return [d for i in self.issues for d in self.details.get(i, [i])]

    def add(self, sheet: str, row: dict[str, Any]) -> None:
        """Append one row to ``sheet``."""
        self.rows.setdefault(sheet, []).append(row)

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the count ``name``."""
        self.counts[name] = self.counts.get(name, 0) + n


# -- ids and parsing -------------------------------------------------------

def make_id(name: str, prefix: str = "", limit: int = 64) -> str:
    """A stable, valid id from a display name.

    Upper-cased; every run of characters other than ``A-Z 0-9 . _ -`` becomes
    one ``-``; leading/trailing separators dropped; at most ``limit`` characters.
    Returns ``""`` when nothing is left.

    Examples
    --------
    >>> make_id("web 01 (prod)", "APP-")
    'APP-WEB-01-PROD'
    """
    core = _ID_BAD.sub("-", name.strip().upper()).strip("-._")
    if not core:
        return ""
    return (prefix + core)[:limit].rstrip("-._")


def norm(header: str) -> str:
    """Header key for matching: lower-case letters and digits only."""
    return _NORM_BAD.sub("", header.lower())


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """Number in ``text`` (``1,024``, ``£1,200.50``, ``12 %``) or ``None``.

    Raises
    ------
    ValueError
        When ``text`` is not blank and not a number.
    """
    t = text.strip().replace(",", "").replace("£", "").replace("GBP", "").strip()
    t = t.rstrip("%").strip()
    if not t:
        return None
    if not _NUMBER.match(t):
        raise ValueError(f"{text!r} is not a number")
    value = float(t)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a number")
    return value


def tidy(value: float | None, places: int = 2) -> float | int | None:
    """Round a number for the workbook; whole numbers become ``int``."""
    if value is None:
        return None
    r = round(value, places)
    return int(r) if float(r).is_integer() else r


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}


def parse_date_text(text: str) -> dt.date | None:
    """A date written the UK way or ISO; ``None`` when blank.

    Accepts ``2026-03-31`` (also with a time), ``31/03/2026``, ``31/03/26``,
    ``31.03.2026``, ``31-Mar-2026``, ``31 March 2026``.

    Raises
    ------
    ValueError
        When the text is not blank and not a date.
    """
    t = text.strip()
    if not t:
        return None
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$", t)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})(?: .*)?$", t)
    if m:
        year = int(m.group(3))
        year += 2000 if year < 100 else 0
        return dt.date(year, int(m.group(2)), int(m.group(1)))
    m = re.match(r"^(\d{1,2})[-\s]([A-Za-z]{3,9})[-\s,]+(\d{2}|\d{4})$", t)
    if m and m.group(2)[:3].lower() in _MONTHS:
        year = int(m.group(3))
        year += 2000 if year < 100 else 0
        return dt.date(year, _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
    raise ValueError(f"{text!r} is not a date (expected 31/03/2026 or 2026-03-31)")


def split_list(text: str) -> list[str]:
    """Items of a ``;`` (or ``,``) separated cell, stripped, blanks dropped."""
    sep = ";" if ";" in text else ","
    return [p.strip() for p in text.split(sep) if p.strip()]


def truthy(text: str) -> bool:
    """Whether a cell says yes (``True``, ``yes``, ``1``, ``y``)."""
    return text.strip().lower() in ("true", "yes", "y", "1", "t")


# -- reading sources -------------------------------------------------------

@dataclass
class Sheet:
    """One source sheet with header lookup by normalised name."""

    file: str
    name: str
    table: Table
    keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for col in self.table.columns:
            if col:
                self.keys.setdefault(norm(col), col)

    @property
    def rows(self) -> list[Row]:
        """Data rows (blank rows dropped)."""
        return self.table.rows

    def column(self, *aliases: str) -> str | None:
        """The actual column name of the first alias present, else ``None``."""
        for a in aliases:
            col = self.keys.get(norm(a))
            if col is not None:
                return col
        return None

    def issue(self, row: Row | None, message: str, column: str = "",
              value: str = "") -> Issue:
        """An :class:`Issue` located in this sheet."""
        return Issue(self.file, message, sheet=self.name,
                     row=None if row is None else row.number, column=column, value=value)


def group_rows(result: ImportResult, rows: list[tuple[Issue, str]], *, what: str,
               problem: str, consequence: str, shown: int = 3) -> None:
    """Add one issue per value to ``result.issues`` for per-row issues that differ
    only by their row: ``rows`` holds ``(issue, name of the row's item)``, the
    issues' ``value`` is what they share (a host name), ``problem`` a format
    with ``{value}``. Each summary names the
    value, how many rows, their first rows and a few items; the rows themselves
    go to ``result.details``.

    E.g. ``host 'esx1' is not in vHost: 24 VMs (rows 2, 3, 9, … ; vm1, vm2,
    vm3 and 21 more) imported with host_id blank``.
    """
    by_value: dict[str, list[tuple[Issue, str]]] = {}
    for issue, item in rows:
        by_value.setdefault(issue.value, []).append((issue, item))
    for value, group in by_value.items():
        first = group[0][0]
        n = len(group)
        lines = [i.row for i, _ in group if i.row is not None]
        at = ", ".join(str(r) for r in lines[:shown]) + (", …" if len(lines) > shown else "")
        items = ", ".join(name for _, name in group[:shown]) + (
            f" and {n - shown} more" if n > shown else "")
        plural = f"{n} {what}{'s' * (n != 1)}"
        rows_word = "row" + "s" * (len(lines) != 1)
        summary = Issue(first.file, f"{problem.format(value=repr(value))}: {plural} "
                        f"({rows_word} {at}; {items}) {consequence}", sheet=first.sheet,
                        row=first.row,
                        column=first.column, value=value)
        result.issues.append(summary)
        result.details[summary] = [i for i, _ in group]


def new_row_id(sheet: Sheet, row: Row, name: str, seen: dict[str, int],
               result: ImportResult, *, what: str = "server", column: str = "",
               blank: str = "", skipped: str = "skipped") -> str | None:
    """The id made from ``name``, or ``None`` when the row must be skipped.

    A blank name or a name seen before (``seen`` maps ids to their first row)
    is reported as an issue naming the row and counted under ``skipped``;
    otherwise the id is recorded in ``seen`` and returned.
    """
    sid = make_id(name)
    if not sid:
        result.issues.append(sheet.issue(row, blank or f"{what} name is blank; row skipped",
                                         column=column))
        result.count(skipped)
        return None
    if sid in seen:
        result.issues.append(sheet.issue(
            row, f"{what} {name!r} appears twice (first at row {seen[sid]}); row skipped",
            column=column, value=name))
        result.count(skipped)
        return None
    seen[sid] = row.number
    return sid


def number_cell(sheet: Sheet, row: Row, col: str | None, issues: list[Issue],
                what: str = "", scale: float = 1.0) -> float | None:
    """A non-negative number from ``row[col]`` divided by ``scale``.

    Blank gives ``None``; a bad or negative value is reported in ``issues``
    ("imported with it blank") and gives ``None``.
    """
    if col is None:
        return None
    text = row.get(col)
    try:
        value = parse_number(text)
    except ValueError:
        issues.append(sheet.issue(row, f"{what or col} is not a number; imported with it "
                                  "blank", column=col, value=text))
        return None
    if value is not None and value < 0:
        issues.append(sheet.issue(row, f"{what or col} is negative; imported with it blank",
                                  column=col, value=text))
        return None
    return None if value is None else value / scale


def _check_file(path: Path) -> None:
    if not path.exists():
        raise EstateError(Issue(str(path), "no such file or folder"))
    if path.is_dir():
        raise EstateError(Issue(str(path), "is a folder; give the exported file"))
    size = check_regular(path, "exported file")
    if size == 0:
        raise EstateError(Issue(str(path), "the file is empty"))
    if size > MAX_FILE_BYTES:
        raise EstateError(Issue(str(path), f"the file is {size // 2**20} MiB; at most "
                                f"{MAX_FILE_BYTES // 2**20} MiB is read"))


def rows_to_table(name: str, file: str, rows: Iterable[Sequence[Any]],
                  issues: list[Issue]) -> Table:
    """Build a :class:`Table` from raw rows: first non-blank row is the header.

    Header names are lower-cased (importers match them with :func:`norm`).
    Stops after :data:`BLANK_RUN` consecutive blank rows or :data:`MAX_ROWS`
    rows (reported in ``issues``); a cell longer than Excel allows is an
    issue. Every cell is sanitised by :func:`inventory.tables.cell_text`.
    """
    return _tables.rows_to_table(name, file, rows, issues, blank_run=BLANK_RUN,
                                normalise=False, over_rows="the rest were not read")


def read_csv(path: Path, sheet: str | None = None) -> Sheet:
    """Read one CSV file (UTF-8, else Windows-1252) as a :class:`Sheet`.

    The file is streamed, never held whole; the delimiter (``,``, ``;`` or
    tab) is taken from the header line.

    Raises
    ------
    EstateError
        When the file is missing, empty, too big or not CSV, or a cell is
        longer than Excel allows.
    """
    _check_file(path)
    name = sheet or path.stem
    issues: list[Issue] = []
    rows, _delimiter = _tables.read_csv_rows(path, issues, name,
                                            encodings=("utf-8-sig", "cp1252"))
    table = rows_to_table(name, str(path), rows, issues)
    if issues:
        raise EstateError(issues)
    return Sheet(str(path), name, table)


def read_xlsx_sheets(path: Path, wanted: Sequence[str]) -> dict[str, Sheet]:
    """Read the sheets named in ``wanted`` (case-insensitive) from an ``.xlsx``.

    The archive is checked before anything is parsed
    (:func:`inventory.tables.check_archive`: sizes and compression ratios)
    and rows are streamed, so a zip bomb is refused at once.

    Returns ``{wanted name (lower-case): Sheet}``; absent sheets are left out.

    Raises
    ------
    EstateError
        When the file is missing, too big, a zip bomb or not an ``.xlsx`` workbook.
    """
    _check_file(path)
    check_archive(path)
    wb = open_workbook(path)
    want = {w.lower(): w for w in wanted}
    out: dict[str, Sheet] = {}
    issues: list[Issue] = []
    try:
        for ws in wb.worksheets:
            key = ws.title.strip().lower()
            if key in want and key not in out:
                table = rows_to_table(ws.title, str(path), ws.iter_rows(values_only=True),
                                      issues)
                out[key] = Sheet(str(path), ws.title, table)
    except EstateError:
        raise
    except Exception as exc:
        raise EstateError(Issue(str(path), f"cannot read the workbook ({exc})")) from exc
    finally:
        wb.close()
    if issues:
        raise EstateError(issues)
    return out


def read_single(path: Path, sheet_names: Sequence[str] = ()) -> Sheet:
    """Read a CSV file, or the first matching (else first) sheet of an ``.xlsx``."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_file(path)
        check_archive(path)
        names = list(sheet_names)
        if not names:
            wb = open_workbook(path)
            try:
                names = [wb.worksheets[0].title]
            except IndexError as exc:
                raise EstateError(Issue(str(path), "the workbook has no sheets")) from exc
            finally:
                wb.close()
        sheets = read_xlsx_sheets(path, names)
        if not sheets:
            raise EstateError(Issue(str(path), f"has no sheet named {' or '.join(names)}"))
        return next(iter(sheets.values()))
    if path.is_dir():
        raise EstateError(Issue(str(path), "is a folder; give the .csv file"))
    return read_csv(path)


def require(sheet: Sheet, **fields: Sequence[str]) -> dict[str, str]:
    """Resolve required columns ``field=(aliases…)``; raise naming every missing one."""
    found: dict[str, str] = {}
    missing = []
    for name, aliases in fields.items():
        col = sheet.column(*aliases)
        if col is None:
            missing.append(f"{name} (one of: {', '.join(aliases)})")
        else:
            found[name] = col
    if missing:
        raise EstateError([Issue(sheet.file, f"no column for {m}", sheet=sheet.name, row=1)
                           for m in missing])
    return found


def optional(sheet: Sheet, **fields: Sequence[str]) -> dict[str, str | None]:
    """Resolve optional columns ``field=(aliases…)`` (``None`` when absent)."""
    return {name: sheet.column(*aliases) for name, aliases in fields.items()}


def workbook_servers(tables: Tables | None) -> list[dict[str, str]]:
    """Rows of the target workbook's ``servers`` sheet as plain dicts."""
    if tables is None or "servers" not in tables.sheets:
        return []
    return [dict(r.cells) for r in tables.sheets["servers"].rows]
