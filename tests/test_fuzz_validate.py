"""Fuzz: random cell contents in every sheet never make ``estate validate`` crash.

Every sheet of the schema gets its columns (some dropped, an unknown one or a
misspelt one added) and a few rows of random cells: ids from a small pool (so
that references sometimes resolve), numbers of every kind, dates, booleans,
formulas, control characters, long text. ``validate`` must answer with exit 0
or 1 and never a traceback.

Examples run: ``ESTATE_FUZZ_EXAMPLES`` (default 30; the issue's check is 1000:
``ESTATE_FUZZ_EXAMPLES=1000 python3 -m pytest tests/test_fuzz_validate.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from estate.cli import main
from inventory import schema

EXAMPLES = int(os.environ.get("ESTATE_FUZZ_EXAMPLES", "30"))

IDS = ["A1", "A2", "a1", "DC1", "CLOUD", "S1", "H1", "C1", "migration", " A1 ", "A1;A2",
       "A1, A2", ""]
WORDS = ["on_prem", "cloud", "colo", "virtual", "host", "physical", "retain", "rehost",
         "retire", "together", "before", "loose", "critical", "yes", "no", "2026-04",
         "2027-03-31", "31/03/2027", "Feb; Mar", "2025/26", "migration=3; dba=x", "none",
         "£1,200", "3.5%", "-1", "1e309", "nan", "=1+1", "@SUM(A1)", "0", "12.5"]

cells = st.one_of(
    st.none(),
    st.sampled_from(IDS + WORDS),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5).map(lambda s: s * 9000),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
)


@st.composite
def workbooks(draw: Any) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Sheets ``{name: (header, rows)}`` with random contents."""
    out = {}
    for name in schema.READ_SHEETS:
        if not schema.SHEETS[name].required and draw(st.booleans()):
            continue
        header = [c.name for c in schema.SHEETS[name].columns if c.used]
        header = [h for h in header if draw(st.integers(0, 9)) > 0]  # drop a few
        if draw(st.booleans()):
            header.append(draw(st.sampled_from(["notes", "owner", "criticallity", "App ID",
                                                "kind", "x" * 40])))
        rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)),
                             max_size=4))
        if name == "settings" and "key" in header:
            k = header.index("key")
            for row in rows:
                row[k] = draw(st.sampled_from([s.key for s in schema.SETTINGS]
                                              + ["pue.on_prem", "cloud_pricing", "bogus"]))
        out[draw(st.sampled_from([name, name.title(), name.upper()]))] = (header, rows)
    return out


def _xlsx_value(v: Any) -> Any:
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)  # Excel cannot hold these at all
    if isinstance(v, float) and v != v:
        return "nan"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return str(v)
    if isinstance(v, int) and abs(v) > 2**53:
        return str(v)
    return v


def _write(sheets: dict[str, tuple[list[str], list[list[Any]]]], folder: Path,
           fmt: str) -> Path:
    if fmt == "xlsx":
        wb = openpyxl.Workbook(write_only=True)
        for name, (header, rows) in sheets.items():
            ws = wb.create_sheet(name)
            ws.append(header)
            for row in rows:
                ws.append([_xlsx_value(v) for v in row])
        path = folder / "fuzz.xlsx"
        wb.save(path)
        return path
    path = folder / "fuzz"
    path.mkdir()
    for name, (header, rows) in sheets.items():
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    return path


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 30, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets=workbooks(), fmt=st.sampled_from(["xlsx", "csv"]))
def test_validate_never_crashes(sheets: dict[str, tuple[list[str], list[list[Any]]]],
                                fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(sheets, Path(tmp), fmt)
        r = CliRunner().invoke(main, ["validate", str(path)])
    event(f"exit {r.exit_code}")  # --hypothesis-show-statistics: how many were valid
    assert r.exit_code in (0, 1), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output


@st.composite
def perturbed(draw: Any) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """A valid workbook (every sheet) with a few of its cells replaced by random ones,
    so that most examples get past the names to the cells, the checks across
    sheets, resolving and the warnings."""
    from load_books import base_sheets

    sheets = base_sheets()
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(sorted(sheets)))
        header, rows = sheets[name]
        if not rows:
            continue
        row = draw(st.integers(0, len(rows) - 1))
        col = draw(st.integers(0, len(header) - 1))
        rows[row][col] = draw(cells)
    return sheets


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 30, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets=perturbed(), fmt=st.sampled_from(["xlsx", "csv"]))
def test_validate_never_crashes_on_a_perturbed_workbook(
        sheets: dict[str, tuple[list[str], list[list[Any]]]], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(sheets, Path(tmp), fmt)
        r = CliRunner().invoke(main, ["validate", str(path)])
    event(f"exit {r.exit_code}")
    assert r.exit_code in (0, 1), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
