"""Hostile input files, built in the tests and small on disk.

:func:`bomb_xlsx` writes a real ``.xlsx`` (every part a workbook needs) in
which one part inflates to gigabytes: the repeated middle of the part is
compressed once and its deflate block repeated (a full flush resets the
compressor, so every copy decodes to the same bytes), so a 1 GiB part costs
about 1 MB on disk and well under a second to build. The zip is assembled by
hand so that the sizes and CRC it declares are the true ones (or, with
``lie``, a declared size smaller than the data).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl

MIB = 1 << 20


def _repeated_deflate(prefix: bytes, chunk: bytes, copies: int,
                      suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``prefix + chunk * copies + suffix``: (data, size, crc)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(suffix) + c.flush()
    crc = zlib.crc32(prefix)
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    return head + block * copies + tail, len(prefix) + len(chunk) * copies + len(suffix), crc


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated members ``(name, data, size, crc)``."""
    out = io.BytesIO()
    central = []
    for name, data, size, crc in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data),
                              size, len(raw), 0) + raw + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0,
                                   crc, len(data), size, len(raw), 0, 0, 0, 0, 0, offset)
                       + raw)
    start = out.tell()
    for c in central:
        out.write(c)
    end = out.tell()
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          end - start, start, 0))
    return out.getvalue()


def _real_parts(sheet_title: str = "applications") -> list[tuple[str, bytes]]:
    """The parts of a small real workbook with one sheet."""
    wb = openpyxl.Workbook()
    wb.active.title = sheet_title
    wb.active.append(["app_id", "name"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
              b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def bomb_xlsx(path: Path, kind: str, gib: float = 1.0, *, lie: bool = False) -> Path:
    """Write an ``.xlsx`` whose first sheet (or shared strings) inflates to ``gib`` GiB.

    ``kind``: ``cell`` (one text cell), ``whitespace`` (blank space between
    rows), ``rows`` (identical rows), ``strings`` (the shared-strings part).
    With ``lie`` the bomb part declares one MiB, not its true size.
    """
    copies = int(gib * 1024)
    if kind == "cell":
        part = ("xl/worksheets/sheet1.xml",
                SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>', b"a" * MIB,
                b"</t></is></c></row>" + SHEET_TAIL)
    elif kind == "whitespace":
        part = ("xl/worksheets/sheet1.xml",
                SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>app_id</t></is></c>'
                b"</row>", b" " * MIB, SHEET_TAIL)
    elif kind == "rows":
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        part = ("xl/worksheets/sheet1.xml", SHEET_HEAD, row * (MIB // len(row)), SHEET_TAIL)
    elif kind == "strings":
        part = ("xl/sharedStrings.xml",
                b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><si><t>', b"s" * MIB,
                b"</t></si></sst>")
    else:
        raise ValueError(kind)
    name, head, chunk, tail = part
    data, size, crc = _repeated_deflate(head, chunk, copies, tail)
    members = []
    for fname, content in _real_parts():
        if fname == name:
            continue
        members.append((fname, *_deflated(content)))
    members.append((name, data, MIB if lie else size, crc))
    path.write_bytes(_zip(members))
    return path


def _deflated(content: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(content) + c.flush(), len(content), zlib.crc32(content)


RVTOOLS_HEADER = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB",
                  "In Use MiB", "Datacenter", "Cluster", "Host",
                  "OS according to the configuration file", "DNS Name"]


def rvtools_xlsx(path: Path, names: list[str], *, hosts: bool = False) -> Path:
    """A minimal RVTools export: one powered-on VM per name in ``vInfo``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    ws.append(RVTOOLS_HEADER)
    for name in names:
        ws.append([name, "poweredOn", "False", 2, 8192, 102400, 51200, "DC", "C1", "esx1",
                   "Microsoft Windows Server 2019 (64-bit)", ""])
    if hosts:
        wh = wb.create_sheet("vHost")
        wh.append(["Host", "Datacenter", "Cluster", "# CPU", "Cores per CPU", "# Cores",
                   "# Memory", "Vendor", "Model", "ESX Version"])
        wh.append(["esx1", "DC", "C1", 2, 8, 16, 262144, "HPE", "DL380", "VMware ESXi 7.0.3"])
    wb.save(path)
    return path


def rvtools_csv(folder: Path, names: list[str], *, delimiter: str = ",") -> Path:
    """An RVTools CSV export folder (``RVTools_tabvInfo.csv``): names may hold any text."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "RVTools_tabvInfo.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(RVTOOLS_HEADER)
        for name in names:
            w.writerow([name, "poweredOn", "False", 2, 8192, 102400, 51200, "DC", "C1", "esx1",
                        "Microsoft Windows Server 2019 (64-bit)", ""])
    return folder


def wide_row_xlsx(path: Path, kind: str = "cells", n: int = 15_000_000) -> Path:
    """An ``.xlsx`` that stays under the archive's size and ratio checks but makes
    openpyxl build enormous rows.

    ``kind``: ``cells`` (one row of ``n`` empty ``<c/>`` cells — the probe's
    0.84 MB workbook that took 5 GB), ``far`` (``n`` rows, each of one cell in
    column XFD, which openpyxl pads to 16,384 cells), ``beyond`` (one cell in
    a column past XFD).
    """
    if kind == "cells":
        # whitespace at random between some cells keeps the part compressing
        # about 70 times, under the archive's ratio check, as the probe's did
        rng = random.Random(24)
        block = b"".join(b"<c/>" + (b" " * rng.randrange(1, 3) if rng.random() < 0.01
                                    else b"") for _ in range(1 << 16))
        rows = b'<row r="2">' + block * (n >> 16) + b"</row>"
    elif kind == "far":
        rows = b"".join(b'<row r="%d"><c r="XFD%d"/></row>' % (i, i) for i in range(2, n + 2))
    elif kind == "beyond":
        rows = b'<row r="2"><c r="ZZZ2" t="inlineStr"><is><t>x</t></is></c></row>'
    else:
        raise ValueError(kind)
    sheet = (SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>app_id</t></is></c>'
             b"</row>" + rows + SHEET_TAIL)
    members = []
    for fname, content in _real_parts():
        if fname == "xl/worksheets/sheet1.xml":
            continue
        members.append((fname, *_deflated(content)))
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    members.append(("xl/worksheets/sheet1.xml", c.compress(sheet) + c.flush(), len(sheet),
                    zlib.crc32(sheet)))
    path.write_bytes(_zip(members))
    return path


def deep_json(path: Path, depth: int = 100_000) -> Path:
    """A JSON file of ``depth`` nested lists (Python's parser raises RecursionError)."""
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    return path


def many_objects_json(path: Path, objects: int = 2_100_000) -> Path:
    """A few MB of ``[{},{},…]``: millions of objects (the probe's 198 MB took 5 GB)."""
    path.write_text("[" + "{}," * (objects - 1) + "{}]", encoding="utf-8")
    return path


def deep_toml(path: Path, depth: int = 50_000) -> Path:
    """A scenarios TOML whose one value nests ``depth`` arrays."""
    path.write_text("[s]\nx = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path
