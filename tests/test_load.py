"""inventory.load: every sheet and column of the inventory spec, both formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from load_books import base_sheets, set_cell, write_book, write_folder

from estate.errors import EstateError
from estate.months import default_horizon_start
from inventory.load import load_estate


def _issues(path: Path) -> list:
    with pytest.raises(EstateError) as exc:
        load_estate(path)
    return exc.value.issues


def test_base_workbook_loads_with_parsed_values(tmp_path: Path) -> None:
    e = load_estate(write_book(base_sheets(), tmp_path / "e.xlsx"))
    s = e.settings
    assert (s.horizon_start, s.horizon_months, s.discount_rate) == ("2025-04", 36, 0.035)
    assert s.freeze_months == (3, 12) and s.max_golives_per_month == 3
    assert s.grid_kg_per_kwh == {2025: 0.2, 2026: 0.18}
    assert s.extra == {"pue.cloud": "1.1"}  # unknown keys kept for reference overrides
    assert s.max_critical_in_flight == 1 and s.team_days_per_month == 60
    dc1, az, colo = e.sites
    assert dc1.monthly_fixed_cost == 5000 and dc1.exit_by == "2028-03" and dc1.pue == 1.6
    assert az.power_price_per_kwh is None and az.grid_kg_per_kwh == 0.1
    assert colo.kind == "colo"  # "Colo" normalised
    a1, a2, a3, a4, a5 = e.applications
    assert a1.current_monthly_cost == 1200 and a1.resident_facing and a1.blackout_months == (2, 3)
    assert a2.criticality == "medium" and a2.earliest_start == "2025-06"  # date cell -> month
    assert a3.criticality == "high" and a3.must_finish_by == "2027-03"
    assert a4.current_monthly_cost is None and not a4.resident_facing  # blank: estimated
    assert not a5.resident_facing
    h1 = e.server_by_id["H1"]
    assert h1.replacement_cost == 15000 and h1.end_of_life == "2026-09" and h1.app_ids == ()
    assert e.server_by_id["V1"].os_end_of_support == "2027-01"  # full date -> month
    assert e.server_by_id["P1"].app_ids == ("A3", "A4")
    assert e.server_by_id["V3"].watts is None
    opts = e.options
    assert opts[0].strategy == "retain" and opts[0].duration_months == 0
    assert opts[1].one_off_cost == 12000 and opts[1].effort == {"migration": 10}
    assert opts[2].effort == {"migration": 4}  # bare number -> team migration
    assert opts[4].effort == {"dev": 5, "migration": 2}
    assert opts[6].target_site is None and opts[6].monthly_kwh == 0
    assert [d.kind for d in e.dependencies] == ["together", "before", "loose"]
    assert e.dependencies[2].split_cost_per_month == 100
    c1, c2 = e.contracts
    assert (c1.start_date, c1.end_date, c1.annual_value) == ("2024-04-01", "2026-03-31", 24000)
    assert (c1.notice_months, c1.renewal_term_months, c1.renewal_uplift) == (3, 12, 0)
    assert c1.covers == ("A1", "H1")
    assert (c2.start_date, c2.notice_months, c2.renewal_term_months) == (None, 6, 24)
    assert c2.renewal_uplift == pytest.approx(0.03)
    assert [(t.team_id, t.days_per_month) for t in e.teams] == [("migration", 60), ("dev", 20)]
    assert e.budget[0].financial_year == "2025/26" and e.budget[0].one_off_limit == 100000
    assert e.pins[0].strategy == "retire" and e.pins[0].start == "2025-09"
    assert not e.resolved and e.source.endswith("e.xlsx")
    assert e.rows[("servers", "P1")] == 5 and e.rows[("options", "4")] == 6


def test_csv_folder_and_xlsx_load_to_equal_estates(tmp_path: Path) -> None:
    x = load_estate(write_book(base_sheets(), tmp_path / "e.xlsx"))
    f = load_estate(write_folder(base_sheets(), tmp_path / "folder"))
    assert x == f
    assert x.settings == f.settings and x.rows == f.rows
    assert f.source == str(tmp_path / "folder")


def test_minimal_workbook_takes_defaults(tmp_path: Path) -> None:
    sheets = {
        "Sites": (["Site_ID", "kind"], [["DC1", "on-prem"]]),
        "applications": (["app_id", "name"], [["A1", "App"]]),
        "servers": (["server_id", "site_id", "kind", "app_ids"], [["S1", "DC1", "Physical",
                                                                     "A1"]]),
    }
    e = load_estate(write_book(sheets, tmp_path / "m.xlsx"))
    assert e.settings.horizon_start == default_horizon_start()
    assert e.settings.horizon_months == 48 and e.settings.discount_rate == 0.035
    assert e.settings.carbon_price is None and e.settings.max_golives_per_month is None
    a = e.applications[0]
    assert (a.criticality, a.resident_facing, a.current_monthly_cost) == ("medium", False, None)
    assert e.sites[0].kind == "on_prem" and e.servers[0].kind == "physical"
    assert e.options == () and e.contracts == () and e.pins == () and e.teams == ()


@pytest.mark.parametrize("text,expected", [
    ("yes", True), ("Y", True), ("TRUE", True), ("1", True),
    ("no", False), ("n", False), ("false", False), ("0", False),
])
def test_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    sheets = base_sheets()
    set_cell(sheets, "applications", 0, "resident_facing", text)
    write_folder(sheets, tmp_path / "f")
    assert load_estate(tmp_path / "f").applications[0].resident_facing is expected


@pytest.mark.parametrize("text,expected", [
    ("1,200", 1200.0), ("£1,200.50", 1200.5), (" 42 ", 42.0), ("1e3", 1000.0), ("0", 0.0),
])
def test_money_formats(tmp_path: Path, text: str, expected: float) -> None:
    sheets = base_sheets()
    set_cell(sheets, "applications", 0, "current_monthly_cost", text)
    write_folder(sheets, tmp_path / "f")
    assert load_estate(tmp_path / "f").applications[0].current_monthly_cost == expected


def test_month_and_date_forms(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "applications", 0, "earliest_start", "2025-07-15")
    set_cell(sheets, "applications", 1, "earliest_start", "2025-7")
    set_cell(sheets, "contracts", 1, "end_date", "30/06/2027")  # UK date
    set_cell(sheets, "contracts", 0, "end_date", "2026-03")  # a month: its last day
    e = load_estate(write_folder(sheets, tmp_path / "f"))
    assert [a.earliest_start for a in e.applications[:2]] == ["2025-07", "2025-07"]
    assert e.contracts[1].end_date == "2027-06-30"
    assert e.contracts[0].end_date == "2026-03-31"


def test_excel_date_cells(tmp_path: Path) -> None:
    path = write_book(base_sheets(), tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["sites"]["G2"] = dt.datetime(2028, 3, 1)  # exit_by as a date cell
    wb.save(path)
    assert load_estate(path).sites[0].exit_by == "2028-03"


def test_lists_and_effort(tmp_path: Path) -> None:
    sheets = base_sheets()
    set_cell(sheets, "servers", 3, "app_ids", " A3 ;A4; ;A3")
    set_cell(sheets, "options", 2, "effort", "migration = 1.5; dev=0")
    set_cell(sheets, "applications", 0, "blackout_months", "february;MARCH; 4")
    e = load_estate(write_folder(sheets, tmp_path / "f"))
    assert e.server_by_id["P1"].app_ids == ("A3", "A4")
    assert e.options[2].effort == {"migration": 1.5, "dev": 0}
    assert e.applications[0].blackout_months == (2, 3, 4)


def test_extra_columns_and_missing_optional_sheets(tmp_path: Path) -> None:
    sheets = base_sheets()
    for name in ("settings", "options", "dependencies", "contracts", "teams", "budget", "pins"):
        del sheets[name]
    cols, rows = sheets["sites"]
    sheets["sites"] = (cols + ["colour"], [r + ["blue"] for r in rows])
    sheets["notes"] = (["anything"], [["at all"]])
    set_cell(sheets, "servers", 5, "app_ids", "A5")  # A5 had only options rows
    e = load_estate(write_book(sheets, tmp_path / "e.xlsx"))
    assert len(e.sites) == 3 and e.options == () and e.dependencies == ()
    assert e.settings.horizon_months == 48


def test_settings_special_values(tmp_path: Path) -> None:
    sheets = base_sheets()
    rows = sheets["settings"][1]
    rows[:] = [["max_golives_per_month", "none", ""], ["discount_rate", 0.05, ""],
               ["grid_kg_per_kwh", 0.15, ""], ["carbon_price", "£280", ""],
               ["horizon_start", "2026-04-01", ""], ["Team_Days_Per_Month", 40, ""]]
    s = load_estate(write_folder(sheets, tmp_path / "f")).settings
    assert s.max_golives_per_month is None and s.discount_rate == 0.05
    assert s.grid_kg_per_kwh == 0.15 and s.carbon_price == 280
    assert s.horizon_start == "2026-04" and s.team_days_per_month == 40


@pytest.mark.parametrize("sheet,index,column,value,fragment", [
    ("sites", 0, "pue", "abc", "expected a number"),
    ("sites", 0, "pue", 0.8, "at least 1.0"),
    ("sites", 1, "kind", "attic", "on_prem, colo, cloud"),
    ("sites", 1, "site_id", None, "site_id is required"),  # + unknown AZ (cascade)
    ("sites", 0, "exit_by", "soon", "YYYY-MM"),
    ("applications", 0, "current_monthly_cost", "-5", "must not be negative"),
    ("applications", 0, "current_monthly_cost", "twelve", "expected a number"),
    ("applications", 1, "name", None, "name is required"),
    ("applications", 2, "criticality", "urgent", "critical, high, medium, low"),
    ("applications", 3, "resident_facing", "maybe", "yes or no"),
    ("applications", 0, "blackout_months", "Febuary", "month name"),
    ("applications", 1, "earliest_start", "2025-13", "YYYY-MM"),
    ("applications", 1, "must_finish_by", "2025-02-30", "YYYY-MM"),
    ("servers", 0, "kind", "blade", "physical, host, virtual"),
    ("servers", 3, "host_id", "H1", "only a virtual server"),
    ("servers", 0, "watts", "-3", "must not be negative"),
    ("servers", 0, "end_of_life", "2026/09", "YYYY-MM"),
    ("servers", 1, "site_id", None, "site_id is required"),
    ("options", 1, "duration_months", 0, "at least 1"),
    ("options", 1, "duration_months", 2.5, "whole number"),
    ("options", 1, "duration_months", None, "duration_months is required"),
    ("options", 1, "strategy", "lift", "rehost, replatform"),
    ("options", 1, "effort", "migration:10", "team=days"),
    ("options", 1, "effort", "migration=x", "not a number"),
    ("options", 7, "target_site", "AZ", "retire option has no target_site"),
    ("options", 1, "one_off_cost", "-1", "must not be negative"),
    ("dependencies", 0, "kind", "soon", "together, before, loose"),
    ("dependencies", 0, "to_id", "A1", "two different applications"),
    ("contracts", 0, "annual_value", None, "annual_value is required"),
    ("contracts", 0, "end_date", "next year", "YYYY-MM-DD"),
    ("contracts", 0, "start_date", "2027-01-01", "after end_date"),
    ("contracts", 0, "notice_months", "three", "whole number"),
    ("contracts", 0, "renewal_term_months", 0, "at least 1"),
    ("contracts", 0, "renewal_uplift", 3, "a fraction"),
    ("teams", 0, "days_per_month", "lots", "expected a number"),
    ("budget", 0, "financial_year", "2025", "2025/26"),
    ("pins", 0, "start", "Sept", "YYYY-MM"),
])
def test_each_cell_error_names_sheet_row_column(
        tmp_path: Path, sheet: str, index: int, column: str, value: object,
        fragment: str) -> None:
    sheets = base_sheets()
    row = set_cell(sheets, sheet, index, column, value)
    issues = _issues(write_folder(sheets, tmp_path / "f"))
    if column != "site_id" or sheet != "sites":  # a site without id: its users cascade
        assert len(issues) == 1, "\n".join(map(str, issues))
    i = issues[0]
    assert (i.sheet, i.row, i.column) == (sheet, row, column), str(i)
    assert fragment in i.message, str(i)
    assert i.file == str(tmp_path / "f" / f"{sheet}.csv")
    if value not in (None, ""):
        assert str(value).strip() in str(i)


def test_settings_value_errors_name_the_key(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["settings"][1][1][1] = "forty"
    sheets["settings"][1].append(["horizon_months", 12, ""])
    issues = _issues(write_book(sheets, tmp_path / "e.xlsx"))
    assert [(i.sheet, i.row, i.column) for i in issues] == [
        ("settings", 3, "value"), ("settings", 10, "key")]
    assert "horizon_months" in issues[0].message and "given twice" in issues[1].message


@pytest.mark.parametrize("drop", ["sites", "applications", "servers"])
def test_missing_required_sheet(tmp_path: Path, drop: str) -> None:
    sheets = base_sheets()
    del sheets[drop]
    issues = _issues(write_book(sheets, tmp_path / "e.xlsx"))
    assert len(issues) == 1 and issues[0].sheet == drop and "missing" in issues[0].message


def test_missing_required_columns_are_all_listed(tmp_path: Path) -> None:
    sheets = base_sheets()
    for sheet, col in (("servers", "kind"), ("options", "strategy"), ("contracts", "end_date")):
        cols, rows = sheets[sheet]
        j = cols.index(col)
        sheets[sheet] = (cols[:j] + cols[j + 1:], [r[:j] + r[j + 1:] for r in rows])
    issues = _issues(write_folder(sheets, tmp_path / "f"))
    assert {(i.sheet, i.row, i.column) for i in issues} == {
        ("servers", 1, "kind"), ("options", 1, "strategy"), ("contracts", 1, "end_date")}


def test_bad_row_does_not_cascade(tmp_path: Path) -> None:
    """A bad kind on a host still lets its guests find it (one issue, not three)."""
    sheets = base_sheets()
    row = set_cell(sheets, "servers", 0, "kind", "hypervisor")
    issues = _issues(write_book(sheets, tmp_path / "e.xlsx"))
    assert [(i.sheet, i.row, i.column) for i in issues] == [("servers", row, "kind")]


def test_constructor_value_error_becomes_issue() -> None:
    from estate.errors import Issue
    from estate.model import Team
    from inventory.cells import RowCells as _Cells
    from inventory.cells import build as _build
    from inventory.tables import Row

    found: list[Issue] = []
    c = _Cells("f.xlsx", "teams", Row(7, {}), found)
    assert _build(Team, c, team_id="", days_per_month=1.0) is None
    assert found[0].row == 7 and found[0].column == "team_id"


def test_pin_retain_with_start(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["pins"][1][:] = [["A1", "retain", "2025-09", None]]
    issues = _issues(write_folder(sheets, tmp_path / "f"))
    assert [(i.sheet, i.row, i.column) for i in issues] == [("pins", 2, "start")]
    assert "retained application has no start" in issues[0].message


def test_applications_sheet_without_rows(tmp_path: Path) -> None:
    sheets = base_sheets()
    sheets["applications"] = (sheets["applications"][0], [])
    issues = _issues(write_book(sheets, tmp_path / "e.xlsx"))
    assert [(i.sheet, i.row) for i in issues] == [("applications", 2)]
    assert "no data rows" in issues[0].message


@pytest.mark.parametrize("junk", ["nan", "inf", "1e999", "=1+1", "-", "£", "∞", " ; ; ", "x" * 500,
                                  "2025-00", "0000-01-01", "+44"])
def test_junk_in_any_cell_never_crashes(tmp_path: Path, junk: str) -> None:
    """Every cell of every sheet in turn (seeded sample): an EstateError or a load."""
    import random

    rng = random.Random(junk)
    base = base_sheets()
    cells = [(n, i, c) for n, (cols, rows) in base.items() for i in range(len(rows))
             for c in cols]
    for k, (name, i, col) in enumerate(rng.sample(cells, 12)):
        sheets = base_sheets()
        set_cell(sheets, name, i, col, junk)
        folder = write_folder(sheets, tmp_path / f"f{k}")
        try:
            load_estate(folder)
        except EstateError as exc:
            assert all(x.sheet for x in exc.issues), exc
