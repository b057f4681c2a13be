"""Hostile and careless text: control characters, huge values, ids that differ only in
case, semicolon CSV, 200,000 errors, empty exports and formulas without values."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hostile_files import rvtools_csv
from load_books import base_sheets, set_cell, write_book, write_folder

from estate.cli import main
from estate.errors import Issue, printable
from inventory.importers import run_import
from inventory.load import inspect_workbook
from inventory.tables import cell_text, read_tables

ESC, BEL, RLO = "\x1b", "\x07", "\u202e"


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


# -- control characters: removed on the way in, escaped on the way out ---------------

def test_cell_text_removes_control_characters() -> None:
    assert cell_text(f"web{ESC}[31m01{BEL}") == "web[31m01"
    assert cell_text(f"evil{RLO}txt.exe") == "eviltxt.exe"
    assert cell_text("line\ttab") == "line\ttab"  # tab and newline stay
    assert cell_text("Ünïcödé – £5") == "Ünïcödé – £5"


def test_messages_escape_control_characters() -> None:
    issue = Issue("f.xlsx", f"app_id {ESC}[2J is bad", value=f"x{RLO}y")
    text = str(issue)
    assert ESC not in text and RLO not in text
    assert "\\x1b[2J" in text
    assert printable("plain £ text") == "plain £ text"


@pytest.mark.parametrize("into", ["x.xlsx", "folder"])
def test_import_names_with_control_characters(tmp_path: Path, into: str) -> None:
    source = rvtools_csv(tmp_path / "rv", [f"app{ESC}[31m01{BEL}", f"evil{RLO}exe.txt", "web01"])
    target = tmp_path / into
    r = invoke("import", "rvtools", str(source), "--into", str(target))
    assert r.exit_code == 0, r.output
    assert not any(c in r.output for c in (ESC, BEL, RLO))
    names = {row.cells["hostname"] for row in read_tables(target).sheets["servers"].rows}
    assert names == {"app[31m01", "evilexe.txt", "web01"}
    assert inspect_workbook(target).estate is not None


# -- long values -------------------------------------------------------------------

def test_errors_do_not_echo_huge_values(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "applications", 0, "criticality", "x" * 32_767)
    r = invoke("validate", str(write_book(sheets, tmp_path / "e.xlsx")))
    assert r.exit_code == 1
    assert len(r.output) < 2_000 and "(32,767 characters)" in r.output


def test_a_one_megabyte_csv_cell_is_named_as_such(tmp_path: Path) -> None:
    folder = write_folder(base_sheets(), tmp_path / "e")
    with (folder / "applications.csv").open("a", encoding="utf-8") as fh:
        fh.write("A9," + "n" * 1_000_000 + "\n")
    loaded = inspect_workbook(folder)
    assert len(loaded.issues) == 1
    message = loaded.issues[0].message
    assert "more than 32,767 characters" in message and "UTF-8" not in message


def test_an_over_long_xlsx_cell_is_an_error_not_a_silent_cut(tmp_path: Path) -> None:
    import zipfile

    path = write_book(base_sheets(), tmp_path / "e.xlsx")
    # Excel cannot write such a cell; write one into the XML as another program might
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    holder = next(n for n, data in parts.items() if b">Intranet<" in data)
    parts[holder] = parts[holder].replace(b">Intranet<", b">" + b"r" * 40_000 + b"<", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    loaded = inspect_workbook(path)
    assert any("40,000 characters" in i.message for i in loaded.issues), loaded.issues


# -- ids that differ only in case -----------------------------------------------------

def test_ids_differing_only_in_case_are_an_error(tmp_path: Path) -> None:
    sheets = base_sheets()
    cols, rows = sheets["applications"]
    rows.append([rows[0][0].lower()] + rows[0][1:])
    loaded = inspect_workbook(write_book(sheets, tmp_path / "e.xlsx"))
    found = [i for i in loaded.issues if i.column == "app_id"]
    assert found and "differs only in case" in found[0].message, loaded.issues


def test_repeated_hostnames_are_a_warning(tmp_path: Path) -> None:
    sheets = base_sheets()
    cols, rows = sheets["servers"]
    h = cols.index("hostname") if "hostname" in cols else None
    if h is None:
        cols.append("hostname")
        for r in rows:
            r.append(None)
        h = len(cols) - 1
    rows[0][h], rows[1][h] = "web01", "WEB01"
    loaded = inspect_workbook(write_book(sheets, tmp_path / "e.xlsx"))
    assert loaded.estate is not None, loaded.issues
    assert any("hostname" in n.message and "web01" in n.message
               for n in loaded.notices_of("warning"))


# -- semicolons ----------------------------------------------------------------------

def test_semicolon_csv_is_read_and_said(tmp_path: Path) -> None:
    folder = write_folder(base_sheets(), tmp_path / "e")
    path = folder / "teams.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    loaded = inspect_workbook(folder)
    assert loaded.estate is not None, loaded.issues
    assert len(loaded.estate.teams) == len(rows) - 1
    assert any("';' (semicolon)" in n.message for n in loaded.notices_of("assumed"))


# -- many errors -----------------------------------------------------------------------

def test_validate_summarises_after_a_hundred_errors(tmp_path: Path) -> None:
    sheets = base_sheets()
    cols, rows = sheets["applications"]
    c = cols.index("criticality")
    template = rows[0]
    for i in range(2_000):
        row = list(template)
        row[0], row[c] = f"X{i}", "urgent"
        rows.append(row)
    path = write_folder(sheets, tmp_path / "e")
    problems = tmp_path / "problems.csv"
    r = invoke("validate", str(path), "--problems", str(problems))
    assert r.exit_code == 1
    listed = [line for line in r.output.splitlines() if line.startswith("  - ")]
    assert len(listed) == 100 and "error: 4,000 problems found:" in r.output
    # each new row: a bad criticality, and no server or options
    assert "applications / criticality: 1,950" in r.output
    assert "applications / app_id: 1,950" in r.output
    with problems.open(encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 4_000 + 1
    r = invoke("validate", str(path))
    assert "--problems FILE.csv" in r.output


# -- imports that read nothing, formulas ------------------------------------------------

def test_an_export_with_no_vms_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "e.xlsx"
    run_import("rvtools", rvtools_csv(tmp_path / "rv1", ["web01"]), target)
    before = target.read_bytes()
    r = invoke("import", "rvtools", str(rvtools_csv(tmp_path / "rv0", [])), "--into",
               str(target))
    assert r.exit_code == 1 and "no data rows" in r.output
    assert target.read_bytes() == before


def _with_formulas(tmp_path: Path) -> Path:
    """A workbook (as a script would write it) whose formulas have no saved value."""
    target = tmp_path / "e.xlsx"
    run_import("rvtools", rvtools_csv(tmp_path / "rv1", ["web01", "db01"]), target)
    wb = openpyxl.load_workbook(target)
    ws = wb["servers"]
    header = [c.value for c in ws[1]]
    ws.cell(row=1, column=len(header) + 1, value="watts")
    ws.cell(row=2, column=len(header) + 1, value="=2*150")
    wb.save(target)
    return target


def test_import_keeps_the_users_formulas(tmp_path: Path) -> None:
    target = _with_formulas(tmp_path)
    r = invoke("import", "rvtools", str(rvtools_csv(tmp_path / "rv2", ["app01"])), "--into",
               str(target))
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(target)["servers"]
    header = [c.value for c in ws[1]]
    cells = [row[header.index("watts")] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells if c.data_type == "f"] == ["=2*150"]


def test_a_formula_without_a_saved_value_is_an_error(tmp_path: Path) -> None:
    loaded = inspect_workbook(_with_formulas(tmp_path))
    assert [(i.sheet, i.row, i.column) for i in loaded.issues] == [("servers", 2, "watts")]
    assert "never saved" in loaded.issues[0].message and "=2*150" in loaded.issues[0].message
