"""Zip bombs and other hostile .xlsx files: refused at once, with one clear message.

Each bomb is about 1 MB on disk and inflates to 1 GiB (see hostile_files.py).
Time and memory are measured inside a fresh process running the CLI: the
reading must end in under 2 s and the whole process stay under 300 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hostile_files import bomb_xlsx, wide_row_xlsx

from inventory import archive, tables
from inventory.load import inspect_workbook

ROOT = Path(__file__).resolve().parent.parent

#: Runs the CLI in-process and reports its own wall time (after the imports, so that
#: a busy machine's slow start does not count) and peak memory.
_PROBE = """
import json, sys, time
from estate.cli import main
import inventory.graph, inventory.importers, inventory.load, openpyxl
t = time.perf_counter()
try:
    main(sys.argv[1:], prog_name="estate")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
seconds = time.perf_counter() - t
# VmHWM: this process image's peak resident memory (ru_maxrss would include the
# parent's, kept across fork and exec)
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": int(hwm.split()[1]) / 1024}),
      file=sys.stderr)
"""


def run_cli(*args: str) -> tuple[dict, str]:
    """Run ``estate ARGS`` in a new process: (measurements, the rest of stderr + stdout)."""
    p = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    lines = p.stderr.strip().splitlines()
    probe = json.loads(lines[-1])
    return probe, "\n".join(lines[:-1]) + p.stdout


@pytest.mark.parametrize("kind,gib,fragment", [
    ("cell", 1.0, "would unpack to 1,073,"),        # one 1 GiB text cell
    ("whitespace", 1.0, "would unpack to 1,073,"),  # 1 GiB of blank space: not "valid"
    ("rows", 1.0, "would unpack to 1,073,"),        # 1 GiB of rows
    ("strings", 1.0, "sharedStrings.xml would unpack"),
    ("whitespace", 0.2, "zip bomb"),                # under the size cap: the ratio catches it
])
def test_bomb_refused_by_validate_fast_and_small(tmp_path: Path, kind: str, gib: float,
                                                  fragment: str) -> None:
    path = bomb_xlsx(tmp_path / "bomb.xlsx", kind, gib)
    assert path.stat().st_size < 4_000_000
    probe, output = run_cli("validate", str(path))
    assert probe["code"] == 1
    assert probe["seconds"] < 2.0 and probe["peak_mb"] < 300, probe
    problems = [line for line in output.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1 and fragment in problems[0], output
    assert "Traceback" not in output and "valid" not in output.split("\n")[0]


@pytest.mark.parametrize("kind", ["cell", "rows"])
def test_bomb_refused_by_import(tmp_path: Path, kind: str) -> None:
    path = bomb_xlsx(tmp_path / "rvtools.xlsx", kind)
    target = tmp_path / "estate.xlsx"
    probe, output = run_cli("import", "rvtools", str(path), "--into", str(target))
    assert probe["code"] == 1 and probe["seconds"] < 2.0 and probe["peak_mb"] < 300, probe
    assert "would unpack" in output and "Traceback" not in output
    assert not target.exists()


def test_part_larger_than_it_declares_is_damaged(tmp_path: Path) -> None:
    # zipfile never inflates past the declared size: the CRC check fails instead
    path = bomb_xlsx(tmp_path / "lie.xlsx", "cell", 0.5, lie=True)
    t = time.perf_counter()
    loaded = inspect_workbook(path)
    assert time.perf_counter() - t < 2.0
    assert len(loaded.issues) == 1 and "damaged" in loaded.issues[0].message


def test_row_cap_stops_reading_without_scanning_the_sheet(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With the archive limits lifted, 100 MiB of rows still stops at the row cap at once.

    openpyxl alone parses a whole sheet that lacks a <dimension> when the workbook
    is opened (about 20 s for these 100 MiB, 200 s a GiB); reading stops in well
    under a second here, so 5 s leaves room for a busy machine.
    """
    path = bomb_xlsx(tmp_path / "rows.xlsx", "rows", 0.1)
    monkeypatch.setattr(archive, "MAX_RATIO", 10**6)
    monkeypatch.setattr(tables, "MAX_ROWS", 1000)
    t = time.perf_counter()
    loaded = inspect_workbook(path)
    elapsed = time.perf_counter() - t
    assert [i.message for i in loaded.issues] == [
        "has more than 1,000 rows; at most 1,000 are read — split the sheet"]
    assert loaded.issues[0].row == 1002
    assert elapsed < 5.0, elapsed


def test_real_workbooks_pass_the_archive_check(tmp_path: Path) -> None:
    from inventory.synth import synth_estate
    from inventory.writer import write_estate

    path = write_estate(synth_estate(300, 3), tmp_path / "s.xlsx")
    assert archive.check_archive(path) == []
    samples = ROOT.parent / "shared" / "samples"
    for sample in sorted(samples.glob("*/*.xlsx")) if samples.is_dir() else []:
        archive.check_archive(sample)  # real exports: no bomb alarm


def test_formula_parts_are_found(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.active.append([1, "=A2*2"])
    wb.save(tmp_path / "f.xlsx")
    assert archive.check_archive(tmp_path / "f.xlsx") == ["xl/worksheets/sheet1.xml"]


def test_not_a_zip_and_encrypted(tmp_path: Path) -> None:
    ole = tmp_path / "protected.xlsx"  # a password-protected workbook is an OLE file
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    loaded = inspect_workbook(ole)
    assert "password-protected" in loaded.issues[0].message


@pytest.mark.parametrize("kind,n,fragment", [
    ("cells", 15_000_000, "cells (at most 16,384 columns"),  # the probe's 0.84 MB workbook
    ("far", 1_000, "more than 10,000,000 cells"),           # rows padded to column XFD
    ("beyond", 1, "a cell in column 18,278"),               # a column past XFD
])
def test_wide_row_bombs_refused_fast_and_small(tmp_path: Path, kind: str, n: int,
                                               fragment: str) -> None:
    """Under every archive check, these make openpyxl build enormous rows (the
    first took 30 s and 5 GB): the streaming cell count refuses them."""
    path = wide_row_xlsx(tmp_path / "wide.xlsx", kind, n)
    assert path.stat().st_size < 1_000_000
    assert archive.MAX_RATIO > max(  # under the ratio check: only the count stops it
        i.file_size / max(i.compress_size, 1) for i in zipfile.ZipFile(path).infolist())
    probe, output = run_cli("validate", str(path))
    assert probe["code"] == 1
    assert probe["seconds"] < 10.0 and probe["peak_mb"] < 1000, probe
    problems = [line for line in output.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1 and fragment in problems[0], output
    assert "Traceback" not in output


def test_cell_count_cuts_chunks_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    """Rows, wide references and cells split across chunk boundaries are counted once."""
    monkeypatch.setattr(archive, "MAX_CELLS", 10**9)
    path = wide_row_xlsx(tmp_path / "far.xlsx", "far", 3_000)
    cells = archive._Cells(path)
    with zipfile.ZipFile(path) as zf:
        archive._scan_sheet(zf, zf.getinfo("xl/worksheets/sheet1.xml"), cells)
    # the header row (1 cell) and 3,000 rows each padded to column XFD
    assert cells.total == 1 + 3_000 * 16_384
    assert cells.rows == 3_002  # what comes before the first row counts as one
