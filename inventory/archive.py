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
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from inventory.limits import (
    MAX_ARCHIVE_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_SHARED_STRINGS_BYTES,
    RATIO_FROM_BYTES,
)

_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z]\w*:)?f[\s>/]")


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
        try:
            return [i.filename for i in infos if _is_sheet(i.filename) and _has_formula(zf, i)]
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise _not_a_workbook(p, f"it is damaged ({exc})") from exc


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _has_formula(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a worksheet part holds a formula (``<f>``), streaming it in chunks."""
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            text = tail + chunk
            if (b"<f" in text or b":f" in text) and _FORMULA_TAG.search(text):
                return True
            tail = chunk[-16:]
    return False


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
