"""inventory.validate: every check across objects, and `estate validate` end to end."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from load_books import base_sheets, set_cell, write_book, write_folder

from estate.cli import main
from estate.model import Application as App
from estate.model import (
    BudgetYear,
    Contract,
    Dependency,
    Estate,
    Option,
    Pin,
    Server,
    Settings,
    Site,
    Team,
)
from inventory.validate import validate_estate


def estate(**over: Any) -> Estate:
    """A valid estate: A1 (S1) and A2 (S2) at DC1 with retain/rehost to CLOUD."""
    base: dict[str, Any] = dict(
        settings=Settings(horizon_start="2025-04", horizon_months=24),
        sites=(Site("DC1", "on_prem"), Site("CLOUD", "cloud")),
        applications=(App("A1", "One"), App("A2", "Two")),
        servers=(Server("S1", "DC1", "physical", app_ids=("A1",)),
                 Server("S2", "DC1", "physical", app_ids=("A2",))),
        options=(Option("A1", "retain"), Option("A1", "rehost", "CLOUD", 2),
                 Option("A2", "retain"), Option("A2", "rehost", "CLOUD", 2)),
    )
    base.update(over)
    return Estate(**base)


def problems(e: Estate) -> list[tuple[str, int | None, str]]:
    return [(i.sheet, i.row, i.column) for i in validate_estate(e)]


def messages(e: Estate) -> str:
    return "\n".join(str(i) for i in validate_estate(e))


def test_valid_estate_has_no_issues() -> None:
    assert validate_estate(estate()) == []


def test_locations_come_from_rows_and_source() -> None:
    e = estate(servers=(Server("S1", "DC9", "physical", app_ids=("A1",)),
                        Server("S2", "DC1", "physical", app_ids=("A2",))),
               source="book.xlsx", rows={("servers", "S1"): 7})
    [i] = validate_estate(e)
    assert (i.file, i.sheet, i.row, i.column, i.value) == ("book.xlsx", "servers", 7,
                                                          "site_id", "DC9")


def test_duplicate_ids_across_sheets() -> None:
    e = estate(sites=(Site("DC1", "on_prem"), Site("CLOUD", "cloud"), Site("A2", "colo")),
               servers=(Server("S1", "DC1", "physical", app_ids=("A1",)),
                        Server("S1", "DC1", "physical", app_ids=("A2",))),
               contracts=(Contract("C1", 1, "2026-01-01"), Contract("C1", 1, "2026-01-01")),
               teams=(Team("migration", 1), Team("migration", 2)),
               budget=(BudgetYear("2025/26", 1), BudgetYear("2025/26", 2)),
               rows={("sites", "A2"): 4})
    got = problems(e)
    assert ("applications", None, "app_id") in got  # A2 after site A2
    assert ("servers", None, "server_id") in got
    assert ("contracts", None, "contract_id") in got
    assert ("teams", None, "team_id") in got
    assert ("budget", None, "financial_year") in got
    assert "already used in sites row 4" in messages(e)


def test_unknown_references() -> None:
    e = estate(
        servers=(Server("S1", "DC1", "physical", app_ids=("A1", "a2")),
                 Server("S2", "DC1", "virtual", host_id="HX", app_ids=("A2",))),
        options=estate().options + (Option("A9", "retire", None, 1),
                                    Option("A1", "relocate", "NOWHERE", 1)),
        dependencies=(Dependency("A1", "A7", "loose"),),
        contracts=(Contract("C1", 1, "2026-01-01", covers=("A1", "S2", "DC1", "ZZ")),),
        pins=(Pin("A8"),))
    got = problems(e)
    assert sorted(c for _s, _r, c in got) == sorted(
        ["app_ids", "host_id", "app_id", "target_site", "to_id", "covers", "app_id"])
    assert "did you mean 'A2'" in messages(e)


def test_host_must_be_a_host_on_the_same_site() -> None:
    e = estate(sites=estate().sites + (Site("DC2", "on_prem"),),
               servers=(Server("H", "DC2", "host"),
                        Server("S1", "DC1", "virtual", host_id="H", app_ids=("A1",)),
                        Server("S2", "DC1", "virtual", host_id="S1", app_ids=("A2",))))
    m = messages(e)
    assert problems(e) == [("servers", None, "host_id")] * 2
    assert "is at site 'DC2'" in m and "is a virtual server, not a host" in m


def test_before_cycle_is_named() -> None:
    apps = tuple(App(f"A{i}", f"n{i}") for i in (1, 2, 3))
    e = estate(applications=apps,
               servers=(Server("S1", "DC1", "physical", app_ids=("A1", "A2", "A3")),),
               options=(),
               dependencies=(Dependency("A2", "A3", "before"), Dependency("A1", "A2", "before"),
                             Dependency("A3", "A1", "before")),
               rows={("dependencies", "2"): 4})
    [i] = validate_estate(e)
    assert "A1 → A2 → A3 → A1" in i.message and i.row == 4  # the row closing the cycle


def test_application_without_server_or_options() -> None:
    e = estate(servers=(Server("S1", "DC1", "physical", app_ids=("A1",)),),
               options=(Option("A1", "retain"),))
    assert problems(e) == [("applications", None, "app_id")]
    assert "A2" in messages(e)


def test_option_targets() -> None:
    sites = (Site("DC1", "on_prem", exit_by="2026-03"), Site("CLOUD", "cloud"))
    e = estate(sites=sites, options=(
        Option("A1", "retain", "DC1"),  # a retain row names its own site: fine
        Option("A1", "relocate", "DC1", 1),  # the exiting site: error
        Option("A2", "retain"),
        Option("A2", "repurchase", None, 1),  # SaaS: no target needed
        Option("A2", "replatform", None, 1, monthly_kwh=5.0)))  # energy needs a target
    assert problems(e) == [("options", None, "target_site")] * 2
    assert "being exited" in messages(e) and "needs a target_site" in messages(e)


def test_same_on_prem_site_is_fine_for_a_move() -> None:
    e = estate(options=estate().options + (Option("A1", "replatform", "DC1", 2),))
    assert validate_estate(e) == []


def test_effort_teams() -> None:
    opts = (Option("A1", "retain"), Option("A1", "rehost", "CLOUD", 2, effort={"dba": 1.0}),
            Option("A2", "retain"), Option("A2", "rehost", "CLOUD", 2,
                                            effort={"migration": 1.0}))
    no_sheet = estate(options=opts)
    assert problems(no_sheet) == [("options", None, "effort")]
    assert "only 'migration' is known" in messages(no_sheet)
    with_sheet = estate(options=opts, teams=(Team("dba", 5),))
    assert problems(with_sheet) == [("options", None, "effort")]  # migration now unknown
    assert "'migration'" in messages(with_sheet)


def test_duplicate_options() -> None:
    e = estate(options=estate().options + (Option("A1", "rehost", "CLOUD", 4),))
    assert problems(e) == [("options", None, "strategy")]


def test_together_forced_apart() -> None:
    opts = (Option("A1", "rehost", "CLOUD", 2), Option("A2", "retain"))
    e = estate(options=opts, dependencies=(Dependency("A1", "A2", "together"),))
    assert problems(e) == [("dependencies", None, "kind")]
    assert "'A1' must move" in messages(e) and "'A2' can only be retained" in messages(e)
    # must_finish_by within the horizon makes A1 a mover too
    apps = (App("A1", "x", must_finish_by="2026-01"), App("A2", "y"))
    e2 = estate(applications=apps, dependencies=(Dependency("A2", "A1", "together"),),
                options=(Option("A1", "retain"), Option("A1", "rehost", "CLOUD", 1),
                         Option("A2", "retain")))
    assert "must_finish_by 2026-01" in messages(e2)
    # beyond the horizon it constrains nothing
    apps3 = (App("A1", "x", must_finish_by="2030-01"), App("A2", "y"))
    assert validate_estate(replace(e2, applications=apps3)) == []


def test_together_and_before_in_one_group() -> None:
    e = estate(dependencies=(Dependency("A1", "A2", "together"),
                             Dependency("A1", "A2", "before")))
    assert problems(e) == [("dependencies", None, "kind")]
    assert "must move together" in messages(e)


def test_pins() -> None:
    apps = estate().applications + (App("A3", "three"),)
    servers = estate().servers + (Server("S3", "DC1", "physical", app_ids=("A3",)),)
    ok = estate(applications=apps, servers=servers,
                pins=(Pin("A1", "rehost", start="2025-06", target_site="CLOUD"),
                      Pin("A3", "rehost")))
    assert validate_estate(ok) == []  # A3 has generated retain/rehost
    bad = replace(ok, pins=(Pin("A1", "refactor"), Pin("A2", "rehost", target_site="DC1"),
                            Pin("A3", "retire"), Pin("A3", "retain")))
    assert problems(bad) == [("pins", None, "strategy")] * 3 + [("pins", None, "app_id")]


def test_must_finish_before_earliest_start() -> None:
    apps = (App("A1", "x", earliest_start="2026-01", must_finish_by="2026-01"), App("A2", "y"))
    assert problems(estate(applications=apps)) == [("applications", None, "must_finish_by")]


def test_contract_start_after_end_via_loader(tmp_path: Path) -> None:
    sheets = base_sheets()
    row = set_cell(sheets, "contracts", 1, "start_date", "2028-01-01")
    r = CliRunner().invoke(main, ["validate", str(write_book(sheets, tmp_path / "e.xlsx"))])
    assert r.exit_code == 1
    assert f"sheet contracts, row {row}, column start_date" in r.output


# -- twenty mistakes at once --------------------------------------------------

def _twenty_mistakes() -> tuple[dict, list[tuple[str, int, str]]]:
    s = base_sheets()
    exp = [
        ("sites", set_cell(s, "sites", 0, "pue", "abc"), "pue"),
        ("sites", set_cell(s, "sites", 2, "kind", "garage"), "kind"),
        ("applications", set_cell(s, "applications", 0, "current_monthly_cost", "-5"),
         "current_monthly_cost"),
        ("applications", set_cell(s, "applications", 1, "earliest_start", "June 2025"),
         "earliest_start"),
        ("applications", set_cell(s, "applications", 2, "criticality", "urgent"),
         "criticality"),
        ("applications", set_cell(s, "applications", 3, "resident_facing", "maybe"),
         "resident_facing"),
        ("applications", set_cell(s, "applications", 4, "blackout_months", "Febuary"),
         "blackout_months"),
        ("servers", set_cell(s, "servers", 2, "host_id", "P1"), "host_id"),
        ("servers", set_cell(s, "servers", 4, "site_id", "DC9"), "site_id"),
        ("servers", set_cell(s, "servers", 1, "app_ids", "A1; A99"), "app_ids"),
        ("servers", set_cell(s, "servers", 5, "server_id", "DC1"), "server_id"),
        ("servers", set_cell(s, "servers", 6, "watts", "lots"), "watts"),
        ("options", set_cell(s, "options", 1, "duration_months", 0), "duration_months"),
        ("options", set_cell(s, "options", 2, "effort", "ops=3"), "effort"),
        ("options", set_cell(s, "options", 5, "target_site", "DC1"), "target_site"),
        ("options", set_cell(s, "options", 7, "target_site", "AZ"), "target_site"),
        ("contracts", set_cell(s, "contracts", 0, "start_date", "2027-01-01"), "start_date"),
        ("contracts", set_cell(s, "contracts", 1, "annual_value", "sixty thousand"),
         "annual_value"),
    ]
    s["dependencies"][1].append(["A3", "A2", "before", None])
    exp.append(("dependencies", 5, "kind"))  # closes the cycle A2 → A3 → A2
    s["budget"][1].append(["2025-26", 5000])
    exp.append(("budget", 3, "financial_year"))
    assert len(exp) == 20 and len(set(exp)) == 20
    return s, exp


def _reported(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in output.splitlines():
        if "sheet " in line and "row " in line:
            parts = {p.split(" ", 1)[0]: p.split(" ", 1)[1]
                     for p in line.split(": ", 1)[0].split(", ")[1:]}
            found.add((parts["sheet"], int(parts["row"]), parts.get("column", "")))
    return found


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_twenty_mistakes_all_reported(tmp_path: Path, fmt: str) -> None:
    sheets, expected = _twenty_mistakes()
    path = (write_book(sheets, tmp_path / "e.xlsx") if fmt == "xlsx"
            else write_folder(sheets, tmp_path / "e"))
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "error: 20 problems found" in r.output
    assert _reported(r.output) == set(expected), r.output
    assert "A2 → A3 → A2" in r.output


def test_twenty_mistakes_real_process(tmp_path: Path) -> None:
    sheets, expected = _twenty_mistakes()
    path = write_book(sheets, tmp_path / "e.xlsx")
    p = subprocess.run([sys.executable, "-c", "from estate.cli import main; main()",
                        "validate", str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert _reported(p.stderr) == set(expected)
    assert p.stdout == ""


# -- the command on good and broken files ---------------------------------------

def test_validate_summary(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["validate", str(write_book(base_sheets(),
                                                              tmp_path / "e.xlsx"))])
    assert r.exit_code == 0, r.output
    assert "applications:   5" in r.output
    assert "8 (2 host, 3 physical, 3 virtual)" in r.output
    assert "move groups:    1" in r.output and "zombie servers: 3" in r.output


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _corrupt(tmp_path: Path) -> Path:
    p = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<not really/>")
    return p


@pytest.mark.parametrize("make,fragment", [
    (lambda d: d / "missing.xlsx", "no such file"),
    (lambda d: _write(d / "empty.xlsx", b""), "empty"),
    (lambda d: _write(d / "t.xlsx", b"hello"), "not an .xlsx"),
    (lambda d: _write(d / "book.csv", b"a,b"), "a single .csv is not an estate"),
    (_corrupt, "cannot open"),
    (lambda d: write_book({"sites": (["site_id", "kind"], [["DC1", "cloud"]]),
                           "servers": (["server_id", "site_id", "kind"], [])},
                          d / "few.xlsx"), "required sheet 'applications'"),
    (lambda d: write_book({**base_sheets(), "servers": (["server_id", "site_id"], [["S", "DC1"]])},
                          d / "nocol.xlsx"), "required column 'kind'"),
])
def test_broken_files_give_one_clear_line(tmp_path: Path, make: Any, fragment: str) -> None:
    path = make(tmp_path)
    r = CliRunner().invoke(main, ["validate", str(path)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    lines = [x for x in r.output.splitlines() if x.startswith("  - ")]
    assert len(lines) == 1 and fragment in lines[0], r.output
    assert "Traceback" not in r.output


def test_corrupt_file_real_process(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-c", "from estate.cli import main; main()",
                        "validate", str(_corrupt(tmp_path))],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "Traceback" not in p.stderr and "cannot open" in p.stderr
