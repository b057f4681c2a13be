"""Streaming, bounded reading of untrusted CSV files.

A file is decoded as it is read (never held whole), its delimiter is taken
from its header line (Excel writes ``;`` in many locales), and a field longer
than Excel's cell limit stops reading with one clear issue naming the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from estate.errors import EstateError, Issue
from estate.reading import open_regular
from inventory.limits import MAX_CELL_CHARS, MAX_FILE_BYTES


def _open(path: Path) -> io.BufferedReader:
    """``path`` opened for reading in binary; anything but a regular file (a device,
    a FIFO) is refused (:func:`estate.reading.open_regular`)."""
    return io.open(open_regular(path, "CSV file"), "rb")  # noqa: UP020 (an fd)


def _binary(path: Path, sheet: str, line: int) -> Issue:
    return Issue(str(path), f"is not a CSV text file (binary content: a NUL byte on line "
                 f"{line:,}); save it as 'CSV UTF-8'", sheet=sheet, row=line)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a CSV file from its header line: ``,`` unless the line has
    no comma outside quotes but has ``;`` or a tab (Excel's CSV in many locales)."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    if "," in outside:
        return ","
    counts = {d: outside.count(d) for d in (";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def delimiter_name(d: str) -> str:
    """How a delimiter is called in a message."""
    return {";": "';' (semicolon)", "\t": "tab", "|": "'|'"}.get(d, repr(d))


def _encoding(path: Path, encodings: Sequence[str], sheet: str) -> str:
    """The first of ``encodings`` that decodes the whole file (streamed, never held).

    Raises
    ------
    EstateError
        Naming the line and byte that none of them decodes.
    """
    problem = None
    for enc in encodings:
        decoder = codecs.getincrementaldecoder(enc)()
        line = 1
        got = 0
        try:
            with _open(path) as fh:
                while chunk := fh.read(1 << 20):
                    got += len(chunk)
                    if got > MAX_FILE_BYTES:
                        raise EstateError(Issue(str(path), f"is larger than "
                                                f"{MAX_FILE_BYTES // 2**20} MiB (at most "
                                                f"{MAX_FILE_BYTES:,} bytes are read)",
                                                sheet=sheet))
                    if b"\x00" in chunk:  # anywhere, as in the first 64 KiB
                        at = line + chunk.count(b"\n", 0, chunk.index(b"\x00"))
                        raise EstateError(_binary(path, sheet, at))
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        bad = chunk[exc.start] if exc.start < len(chunk) else 0
                        problem = (line + chunk.count(b"\n", 0, max(exc.start, 0)), bad)
                        raise
                    line += chunk.count(b"\n")
                decoder.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            problem = problem or (line, 0)
            continue
    where = f" (byte 0x{problem[1]:02x} on line {problem[0]:,})" if problem else ""
    raise EstateError(Issue(str(path), f"is not UTF-8 text{where}; save it as 'CSV UTF-8 "
                            "(Comma delimited)'", sheet=sheet, row=problem[0] if problem else None))


def read_csv_rows(path: Path, issues: list[Issue], sheet: str, *,
                  encodings: Sequence[str] = ("utf-8-sig",)) -> tuple[Iterator[list[str]], str]:
    """Stream the rows of a CSV file; return them with the delimiter found.

    Rows are decoded as they are read (the file is never held whole). A
    field longer than :data:`MAX_CELL_CHARS` stops reading with one issue
    naming the line (not a misleading encoding error).

    Raises
    ------
    EstateError
        When the file is binary or in none of ``encodings``.
    """
    with _open(path) as fh:
        head = fh.read(65536)
    if b"\x00" in head:
        raise EstateError(_binary(path, sheet, head.count(b"\n", 0, head.index(b"\x00")) + 1))
    encoding = _encoding(path, encodings, sheet)
    text = head.decode(encoding, errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = sniff_delimiter(first)
    return _csv_rows(path, encoding, delimiter, issues, sheet), delimiter


def _csv_rows(path: Path, encoding: str, delimiter: str, issues: list[Issue],
              sheet: str) -> Iterator[list[str]]:
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    try:
        with io.TextIOWrapper(_open(path), encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=False)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    issues.append(_csv_problem(path, sheet, reader.line_num, exc))
                    return
                yield row
    finally:
        csv.field_size_limit(old)


def _csv_problem(path: Path, sheet: str, line: int, exc: csv.Error) -> Issue:
    if "field larger than field limit" in str(exc):
        return Issue(str(path), f"a cell on line {line:,} holds more than {MAX_CELL_CHARS:,} "
                     "characters (Excel's limit); shorten it (or an unclosed quote \" makes "
                     "the rest of the file one cell)", sheet=sheet, row=line)
    return Issue(str(path), f"cannot read as CSV near line {line:,} ({exc})", sheet=sheet,
                 row=line)
