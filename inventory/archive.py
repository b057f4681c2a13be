"""Opening an untrusted ``.xlsx``: zip-bomb and formula checks before parsing, and
:func:`open_workbook`, which streams rows without openpyxl's whole-sheet scans.

An ``.xlsx`` is a zip of XML parts. :func:`check_archive` refuses one whose
parts would unpack to too much, or that is far more compressed than a real
workbook, before openpyxl parses a byte; this takes milliseconds whatever the
file claims.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from itertools import repeat
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from inventory.limits import (
    MAX_ARCHIVE_BYTES,
    MAX_CELLS,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_ROW_CELLS,
    MAX_SHARED_STRINGS_BYTES,
    RATIO_FROM_BYTES,
)

_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z]\w*:)?f[\s>/]")
_ROOT_TAG = re.compile(rb"<([A-Za-z]\w*:)?worksheet[\s>]")
#: A cell reference of two or three letters (column AA or beyond): the only
#: ones that can make a row wider than its cells.
_WIDE_REF = re.compile(rb"\br=[\"']([A-Z]{2,3})[0-9]")
#: A tag is never split across chunks unless it is longer than this.
_TAIL = 4096


def _not_a_workbook(path: Path, why: str) -> EstateError:
    return EstateError(Issue(str(path), f"is not a workbook estate will read: {why}. If it "
                             "is a real workbook, open it in Excel or LibreOffice and save it "
                             "again as .xlsx"))


def check_archive(path: str | os.PathLike[str]) -> list[str]:
    """Refuse an ``.xlsx`` that would unpack to too much, before any parsing.

    Reads only the zip's central directory: every part's declared
    uncompressed size against :data:`MAX_MEMBER_BYTES` (shared strings
    against :data:`MAX_SHARED_STRINGS_BYTES`), the total against
    :data:`MAX_ARCHIVE_BYTES`, and the compression ratio of every part above
    :data:`RATIO_FROM_BYTES` against :data:`MAX_RATIO`. Python's zipfile
    never inflates a part past its declared size (a part that holds more
    fails its CRC check), so the declared sizes bound what parsing can read.

    Returns
    -------
    list of str
        The names of the worksheet parts that contain a formula.

    Raises
    ------
    EstateError
        One clear issue naming the part and its sizes.
    """
    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise EstateError(Issue(str(p), "is not an .xlsx workbook (not a zip file; a "
                                "password-protected workbook is not one either); save it from "
                                "Excel as 'Excel Workbook (*.xlsx)' or give a folder of .csv "
                                f"files ({exc})")) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _not_a_workbook(p, f"it has {len(infos):,} parts (at most {MAX_MEMBERS:,})")
        total = 0
        for info in infos:
            size, packed = info.file_size, max(info.compress_size, 1)
            total += size
            limit = (MAX_SHARED_STRINGS_BYTES if info.filename.lower().endswith(
                "sharedstrings.xml") else MAX_MEMBER_BYTES)
            if info.flag_bits & 0x1:
                raise _not_a_workbook(p, f"its part {info.filename} is encrypted")
            if size > limit:
                raise _not_a_workbook(p, f"its part {info.filename} would unpack to "
                                      f"{size:,} bytes (at most {limit:,})")
            if size > RATIO_FROM_BYTES and size > MAX_RATIO * packed:
                raise _not_a_workbook(p, f"its part {info.filename} would unpack from "
                                      f"{packed:,} to {size:,} bytes ({size // packed:,} times; "
                                      f"real workbooks compress about 10 times, at most "
                                      f"{MAX_RATIO} is read) — a 'zip bomb'")
        if total > MAX_ARCHIVE_BYTES:
            raise _not_a_workbook(p, f"it would unpack to {total:,} bytes (at most "
                                  f"{MAX_ARCHIVE_BYTES:,})")
        cells = _Cells(p)
        try:
            return [i.filename for i in infos if _is_sheet(i.filename)
                    and _scan_sheet(zf, i, cells)]
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise _not_a_workbook(p, f"it is damaged ({exc})") from exc


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def column_number(letters: bytes) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16,384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


class _Cells:
    """Counts the cells of a workbook's sheets as they stream past: each row's
    cells and width (its widest cell reference) against :data:`MAX_ROW_CELLS`,
    the total (cells, and the padding openpyxl adds up to a cell in column AA
    or beyond) against :data:`MAX_CELLS`. Refuses at the first chunk over a cap.

    Counting uses ``bytes.count`` on literal tags (the part's own namespace
    prefix, if any), so a 100 MiB sheet is counted in well under a second.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.total = 0
        self.part = ""
        self.rows = 0
        self.cells = 0
        self.width = 0
        self.row_tag = b"<row"
        self.cell_tag = b"<c"

    def start(self, part: str, head: bytes) -> None:
        """Begin a worksheet part whose first bytes are ``head``."""
        m = _ROOT_TAG.search(head)
        prefix = m.group(1) if m and m.group(1) else b""
        self.row_tag = b"<" + prefix + b"row"
        # every tag whose name starts with "c": the cells, and the few <col>,
        # <cfRule>, … around the data (counted too: harmless)
        self.cell_tag = b"<" + prefix + b"c"
        self.part, self.rows, self.cells, self.width = part, 0, 0, 0

    def scan(self, body: bytes) -> None:
        """Count the cells in ``body`` (a chunk cut before a tag), row by row.

        ``body.split`` at each row tag and ``bytes.count`` per piece keep the
        work in C: a 100 MiB sheet of 2 million rows is counted in about a
        second. (A ``<rowBreaks>`` tag counts as a row: harmless.)
        """
        parts = body.split(self.row_tag)
        counts = list(map(bytes.count, parts, repeat(self.cell_tag)))
        widths = [0] * len(parts)
        if _WIDE_REF.search(body):
            widths = [max((column_number(w) for w in _WIDE_REF.findall(p)), default=0)
                      for p in parts]
        self.total += sum(counts)
        for i, (n, w) in enumerate(zip(counts, widths, strict=True)):
            if i:
                self._close()
            self.cells += n
            self.width = max(self.width, w)
            if max(self.cells, self.width) > MAX_ROW_CELLS:
                self._too_wide()
            if i == 0 and len(parts) > 1 and not any(widths) \
                    and max(counts[1:]) <= MAX_ROW_CELLS:
                # no row after the first is wide or over the cap: close them at once
                self._close()
                self.rows += len(parts) - 2
                self.cells = counts[-1]
                self._check_total()
                return

    def _too_wide(self) -> None:
        what = (f"{self.cells:,} cells" if self.cells > MAX_ROW_CELLS
                else f"a cell in column {self.width:,}")
        raise _not_a_workbook(self.path, f"row {self.rows:,} of its part {self.part} has "
                              f"{what} (at most {MAX_ROW_CELLS:,} columns, column XFD, "
                              "as in Excel) — a 'wide-row bomb', or cells far to the "
                              "right: delete the columns past the table")

    def _close(self) -> None:
        """Close the current row (adding openpyxl's padding up to its widest cell)."""
        self.total += max(0, self.width - self.cells)
        self.rows += 1
        self.cells = self.width = 0
        self._check_total()

    def _check_total(self) -> None:
        if self.total > MAX_CELLS:
            raise _not_a_workbook(self.path, f"its sheets hold more than {MAX_CELLS:,} cells "
                                  f"(reached by row {self.rows:,} of its part {self.part}, "
                                  "counting each row up to its last cell); split the "
                                  "workbook or delete the cells past the tables")

    def end(self) -> None:
        """The part has ended: close its last row."""
        self._close()


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cells: _Cells) -> bool:
    """Stream one worksheet part in chunks: count its cells (:class:`_Cells`
    refuses a row or a workbook over the caps) and tell whether it holds a
    formula (``<f>``). Memory is a few MiB whatever the part holds."""
    formula = False
    tail = b""
    first = True
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if first:
                cells.start(info.filename, chunk[:4096])
                first = False
            text = tail + chunk
            cut = text.rfind(b"<") if chunk else -1
            if cut < 0 or len(text) - cut > _TAIL:
                body, tail = text, b""
            else:
                body, tail = text[:cut], text[cut:]
            if not formula and (b"<f" in body or b":f" in body) and _FORMULA_TAG.search(body):
                formula = True
            cells.scan(body)
            if not chunk:
                break
    cells.end()
    return formula


def _size_from_header(ws: Any) -> None:
    """openpyxl's ``ReadOnlyWorksheet._get_size``, stopping where the sheet's data starts.

    openpyxl looks for a sheet's ``<dimension>`` until the *end* of
    ``<sheetData>``: a sheet without one (rare, but a zip bomb need not have
    one) is parsed whole, tree and all, when the workbook is opened — 1 GiB
    of rows took 200 s and 2 GB. ``<dimension>`` comes before ``<sheetData>``
    in the file format, so stopping at its start finds the same dimension.
    """
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    src = ws._get_source()
    try:
        for _event, element in iterparse(src, events=("start",)):
            if element.tag == DIMENSION_TAG:
                bounds = SheetDimension.from_tree(element).boundaries
                ws._min_column, ws._min_row, ws._max_column, ws._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return
    finally:
        src.close()


def open_workbook(path: str | os.PathLike[str], data_only: bool = True) -> Any:
    """Open an ``.xlsx`` read-only with openpyxl, for streaming its rows.

    Call :func:`inventory.archive.check_archive` first. Each sheet's declared
    dimension is dropped before reading (``reset_dimensions``): a wrong one
    would cut rows off silently; the readers' own caps bound the reading.

    Raises
    ------
    EstateError
        When openpyxl cannot open it.
    """
    import openpyxl  # local: heavy import
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if ReadOnlyWorksheet._get_size is not _size_from_header:
        ReadOnlyWorksheet._get_size = _size_from_header  # type: ignore[method-assign]
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds on corrupt files
        raise EstateError(Issue(
            str(path), f"cannot open as an .xlsx workbook ({type(exc).__name__}: {exc}); "
            "re-save it from Excel as .xlsx")) from exc
    for ws in wb.worksheets:
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
    return wb
