"""A 13-row contract register written the way a council's procurement team keeps
one, imported into a small estate with ``--covers-map``, planned and checked
(as a new user would, through the CLI): no contract covering a rehosted
application's software ends; notice periods read; values exact; decimal-comma
and US-date files read right or refused with exit 1 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from estate.cli import main
from inventory.load import load_estate
from inventory.tables import read_tables

HEADER = ["Contract Reference", "Title", "Supplier Name", "Department", "Total Value",
          "Start Date", "End Date", "Notice Period (months)", "CPV Code", "Unit",
          "Unit Price", "Review Date", "Procurement Route"]
# reference, title, supplier, department, total £, start, end, notice, CPV, unit, £/unit
ROWS = [
    ("VMW-001", "VMware vSphere Foundation subscription", "Phoenix Software", "IT",
     10204.80, (1, 4, 2026), (31, 3, 2027), 3, "48000000", "Per core", 106.30),
    ("MS-EA-01", "Microsoft Enterprise Agreement", "Bytes Software Services", "IT",
     1350000.00, (1, 7, 2025), (30, 6, 2028), 3, "48000000", "", None),
    ("RH-001", "Red Hat Enterprise Linux subscriptions", "Softcat", "IT",
     24000.00, (1, 4, 2026), (31, 3, 2027), 2, "48000000", "", None),
    ("BAK-001", "Backup software", "Veeam", "IT",
     38000.00, (1, 11, 2025), (31, 10, 2026), 3, "48000000", "", None),
    ("COLO-001", "Colocation rack space", "Pulsant", "IT",
     152000.00, (1, 4, 2025), (31, 3, 2027), 6, "72000000", "", None),
    ("WAN-001", "Wide area network", "BT", "IT",
     180000.00, (1, 11, 2025), (31, 10, 2028), 6, "64200000", "", None),
    ("ACS-001", "Access control system support and maintenance", "Gallagher", "Facilities",
     12000.00, (1, 4, 2026), (31, 3, 2027), 3, "72000000", "", None),
    ("MOD-001", "Flood modelling tool licences", "Jacobs", "Environment",
     30000.00, (1, 10, 2025), (30, 9, 2026), 1, "48000000", "", None),
    ("FGW-001", "File gateway subscription", "Nasuni", "IT",
     18000.00, (1, 1, 2026), (31, 12, 2026), 3, "48000000", "", None),
    ("REV-001", "Revenues and benefits system support", "Civica", "Finance",
     300000.00, (1, 4, 2024), (31, 3, 2029), 6, "72000000", "", None),
    ("HW-001", "Server hardware maintenance", "Dell", "IT",
     9000.00, (1, 4, 2026), (31, 3, 2027), 1, "50312000", "", None),
    ("PLN-001", "Planning system application support", "Idox", "Planning",
     21000.00, (1, 4, 2026), (31, 3, 2027), 3, "72000000", "", None),
    ("SD-001", "IT service desk software as a service", "ServiceNow", "IT",
     45000.00, (1, 4, 2026), (31, 3, 2027), 3, "72000000", "", None),
]
COVERS = {"VMW-001": "ESX1; ESX2; ESX3", "RH-001": "APP-MOD; APP-FGW",
          "BAK-001": "APP-ACS; APP-REVS", "COLO-001": "DC1", "ACS-001": "APP-ACS",
          "MOD-001": "APP-MOD", "FGW-001": "APP-FGW", "REV-001": "APP-REVS",
          "HW-001": "ESX1; ESX2; ESX3", "PLN-001": "APP-PLAN", "SD-001": "APP-PLAN",
          "WAN-001": "DC1", "MS-EA-01": "APP-REVS; APP-PLAN"}
APPS = ["APP-ACS", "APP-MOD", "APP-FGW", "APP-REVS", "APP-PLAN"]


def _money(x: float | None, comma: bool) -> str:
    if x is None:
        return ""
    return f"£{x:.2f}".replace(".", ",") if comma else f"£{x:,.2f}"


def _date(d: tuple[int, int, int], us: bool) -> str:
    day, month, year = d
    return f"{month:02d}/{day:02d}/{year}" if us else f"{day:02d}/{month:02d}/{year}"


def register(path: Path, *, comma: bool = False, us: bool = False) -> Path:
    """The register as a CSV: ``,`` and UK dates; ``comma``: ``;`` separated
    with decimal commas; ``us``: month-first dates."""
    sep = ";" if comma else ","

    def cell(v: str) -> str:
        return f'"{v}"' if sep in v else v

    lines = [sep.join(HEADER)]
    for ref, title, sup, dept, total, start, end, notice, cpv, unit, price in ROWS:
        lines.append(sep.join(cell(v) for v in (
            ref, title, sup, dept, _money(total, comma), _date(start, us), _date(end, us),
            str(notice), cpv, unit, _money(price, comma), "", "G-Cloud 14")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def workbook(tmp_path: Path) -> Path:
    """Five applications on VMs of three hosts (2 × 16 cores each) at DC1, which
    must be left by 2027-12; a cloud region to move to."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "settings"
    for r in (["key", "value"], ["horizon_start", "2026-04"], ["horizon_months", 36]):
        ws.append(r)
    servers = [["server_id", "site_id", "kind", "host_id", "app_ids", "vcpus", "ram_gb",
                "sockets", "cores", "end_of_life", "powerstate"]]
    for h in ("ESX1", "ESX2", "ESX3"):
        servers.append([h, "DC1", "host", "", "", 32, 512, 2, 32, "2029-03", ""])
    for i, a in enumerate(APPS):
        servers.append([f"VM{i + 1}", "DC1", "virtual", f"ESX{i % 3 + 1}", a, 4, 16, None,
                        None, "", "poweredOn"])
    for name, rows in (
        ("sites", [["site_id", "name", "kind", "exit_by"], ["DC1", "Civic Centre", "on_prem",
                                                            "2027-12"],
                   ["CLOUD-UK", "UK cloud", "cloud", ""]]),
        ("applications", [["app_id", "name"]] + [[a, a.title()] for a in APPS]),
        ("servers", servers),
    ):
        sheet = wb.create_sheet(name)
        for r in rows:
            sheet.append(r)
    path = tmp_path / "estate.xlsx"
    wb.save(path)
    return path


def covers_map(tmp_path: Path) -> Path:
    path = tmp_path / "covers.csv"
    path.write_text("contract,covers\n" + "".join(f"{k},{v}\n" for k, v in COVERS.items()),
                    encoding="utf-8")
    return path


def _import(tmp_path: Path, src: Path, *extra: str) -> tuple[object, Path]:
    wb = workbook(tmp_path)
    res = CliRunner().invoke(main, ["import", "contracts", str(src), "--into", str(wb),
                                    "--covers-map", str(covers_map(tmp_path)), *extra])
    return res, wb


def _contracts(wb: Path) -> dict[str, dict[str, str]]:
    return {r.get("contract_id"): r.cells for r in read_tables(wb).sheets["contracts"].rows}


EXPECTED = {"VMW-001": 10204.8, "MS-EA-01": 450000, "RH-001": 24000, "BAK-001": 38000,
            "COLO-001": 76000, "WAN-001": 60000, "ACS-001": 12000, "MOD-001": 30000,
            "FGW-001": 18000, "REV-001": 60000, "HW-001": 9000, "PLN-001": 21000,
            "SD-001": 45000}
RULES = {"VMW-001": "retire", "MS-EA-01": "never", "RH-001": "retire", "BAK-001": "retire",
         "COLO-001": "move", "WAN-001": "never", "ACS-001": "retire", "MOD-001": "retire",
         "FGW-001": "retire", "REV-001": "retire", "HW-001": "move", "PLN-001": "retire",
         "SD-001": "retire"}
CATEGORIES = {"VMW-001": "licence", "MS-EA-01": "licence", "RH-001": "licence",
              "BAK-001": "licence", "COLO-001": "datacentre", "WAN-001": "connectivity",
              "HW-001": "maintenance", "SD-001": "saas", "ACS-001": "support",
              "MOD-001": "licence", "FGW-001": "licence", "REV-001": "support",
              "PLN-001": "support"}


def _assert_register_read(wb: Path) -> None:
    got = _contracts(wb)
    assert len(got) == 13
    for cid, value in EXPECTED.items():
        assert float(got[cid]["annual_value"]) == value, cid
        assert got[cid]["ends_with"] == RULES[cid], cid
        assert got[cid]["category"] == CATEGORIES[cid], cid
    assert got["COLO-001"]["notice_months"] == "6"
    assert got["MOD-001"]["notice_months"] == "1"
    assert (got["VMW-001"]["unit"], float(got["VMW-001"]["unit_price"])) == ("core", 106.3)
    assert got["WAN-001"]["start_date"] == "2025-11-01"


def test_register_reads_exactly(tmp_path: Path) -> None:
    res, wb = _import(tmp_path, register(tmp_path / "register.csv"))
    assert res.exit_code == 0, res.output
    _assert_register_read(wb)
    assert "ends_with set from the category" in res.output
    assert "columns not read: 'procurement route'" in res.output
    assert "notice='notice period (months)'" in res.output


def test_semicolons_and_decimal_commas_are_read_and_said(tmp_path: Path) -> None:
    res, wb = _import(tmp_path, register(tmp_path / "register.csv", comma=True))
    assert res.exit_code == 0, res.output
    assert "decimal commas" in res.output
    _assert_register_read(wb)


def test_us_dates_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    src = register(tmp_path / "register.csv", us=True)
    res, wb = _import(tmp_path, src)
    assert res.exit_code == 1
    assert "column 'end date'" in res.output.lower() or "column 'start date'" in res.output.lower()
    assert "--date-format mdy" in res.output and "nothing was written" in res.output
    assert "contracts" not in read_tables(wb).sheets or not _contracts(wb)
    again = CliRunner().invoke(main, ["import", "contracts", str(src), "--into", str(wb),
                                      "--covers-map", str(covers_map(tmp_path)),
                                      "--date-format", "mdy"])
    assert again.exit_code == 0, again.output
    _assert_register_read(wb)


def test_mixed_money_styles_are_refused(tmp_path: Path) -> None:
    src = register(tmp_path / "register.csv", comma=True)
    text = src.read_text(encoding="utf-8").replace("£152000,00", "£152,000.00")
    src.write_text(text, encoding="utf-8")
    res, _ = _import(tmp_path, src)
    assert res.exit_code == 1
    assert "decimal comma" in res.output and "152,000.00" in res.output


def test_a_row_without_an_end_date_stops_the_import_unless_skipped(tmp_path: Path) -> None:
    src = register(tmp_path / "register.csv")
    lines = src.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("31/03/2027", "")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res, wb = _import(tmp_path, src)
    assert res.exit_code == 1 and "--skip-bad-rows" in res.output
    assert not _contracts(wb) if "contracts" in read_tables(wb).sheets else True
    res = CliRunner().invoke(main, ["import", "contracts", str(src), "--into", str(wb),
                                    "--covers-map", str(covers_map(tmp_path)),
                                    "--skip-bad-rows"])
    assert res.exit_code == 0 and "skipped 1" in res.output
    assert len(_contracts(wb)) == 12


@pytest.mark.slow
def test_plan_keeps_the_software_contracts_of_rehosted_applications(tmp_path: Path) -> None:
    res, wb = _import(tmp_path, register(tmp_path / "register.csv"))
    assert res.exit_code == 0, res.output
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["plan", str(wb), "--out", str(out), "--time-limit", "15",
                                    "--workers", "1", "--no-pdf", "--quiet"])
    assert res.exit_code == 0, res.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    apps = {a["app_id"]: a for a in plan["applications"]}
    contracts = {c["contract_id"]: c for c in plan["contracts"]}
    estate = load_estate(wb)
    for c in estate.contracts:
        moved = [a for a in c.covers if a in apps and apps[a]["strategy"] not in (
            "retain", "retire", "repurchase")]
        if RULES[c.contract_id] == "retire" and moved:
            assert contracts[c.contract_id]["decision"] == "keep", c.contract_id
    for cid in ("MS-EA-01", "WAN-001"):
        assert contracts[cid]["decision"] == "keep"
    assert contracts["COLO-001"]["decision"] == "end"  # DC1 is left by 2027-12
    # the 6-month notice: notice by = end + 1 - 6 months
    colo = contracts["COLO-001"]
    y, m = map(int, colo["end"].split("-"))
    ny, nm = divmod(y * 12 + m - 1 + 1 - 6, 12)
    assert colo["notice_by"] == f"{ny}-{nm + 1:02d}"
    res = CliRunner().invoke(main, ["check", str(wb), str(out / "plan.json"),
                                    "--time-limit", "10", "--workers", "1"])
    assert res.exit_code == 0, res.output


def _with_contracts(tmp_path: Path, rows: list[list[object]]) -> Path:
    wb_path = workbook(tmp_path)
    wb = openpyxl.load_workbook(wb_path)
    ws = wb.create_sheet("contracts")
    ws.append(["contract_id", "category", "annual_value", "end_date", "covers", "ends_with",
               "unit", "unit_price", "min_units"])
    for r in rows:
        ws.append(r)
    wb.save(wb_path)
    return wb_path


def test_validate_lists_contracts_whose_rule_was_defaulted(tmp_path: Path) -> None:
    wb = _with_contracts(tmp_path, [
        ["L1", "licence", 1000, "2027-03-31", "APP-ACS", None, None, None, None],
        ["H1", "maintenance", 1000, "2027-03-31", "ESX1", None, None, None, None],
        ["E1", "licence", 1000, "2027-03-31", "APP-ACS", "never", None, None, None],
        ["V1", "licence", 1000, "2027-03-31", "ESX1; ESX2", "retire", "core", 106.3, 72]])
    res = CliRunner().invoke(main, ["validate", str(wb)])
    assert res.exit_code == 0, res.output
    assert "retire for 1 (L1)" in res.output and "move for 1 (H1)" in res.output
    assert "E1" not in res.output.split("ends_with")[0][-200:]
    est = load_estate(wb)
    v1 = est.contract_by_id["V1"]
    assert (v1.unit, v1.unit_price, v1.min_units, v1.ends_with) == ("core", 106.3, 72, "retire")


def test_per_unit_columns_are_checked_cell_by_cell(tmp_path: Path) -> None:
    wb = _with_contracts(tmp_path, [
        ["P1", "licence", 1000, "2027-03-31", "ESX1", None, None, 106.3, None],
        ["P2", "licence", 1000, "2027-03-31", "ESX1", "sometimes", "socket", None, None],
        ["P3", "licence", 1000, "2027-03-31", "ESX1", None, "core", None, None]])
    res = CliRunner().invoke(main, ["validate", str(wb)])
    assert res.exit_code == 1
    out = res.output + res.stderr
    assert "unit_price and min_units need a unit" in out
    assert "ends_with must be one of" in out and "unit must be one of" in out
    assert "a per-core contract needs unit_price" in out


SAMPLE = (Path(__file__).resolve().parents[2] / "shared" / "samples" / "rvtools"
          / "kubev2v-migration-planner_example1.xlsx")


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLE.exists(), reason="real RVTools sample not found beside the project")
def test_real_rvtools_export_then_the_register(tmp_path: Path) -> None:
    wb = tmp_path / "estate.xlsx"
    run = CliRunner().invoke
    res = run(main, ["import", "rvtools", str(SAMPLE), "--into", str(wb)])
    assert res.exit_code == 0, res.output
    est = load_estate(wb)
    hosts = [s for s in est.servers if s.kind == "host"]
    assert hosts and all(h.cores and h.sockets for h in hosts)
    (vs,) = [c for c in est.contracts if c.estimated]
    assert (vs.unit, vs.ends_with) == ("core", "retire") and vs.unit_price
    src = register(tmp_path / "register.csv")
    cmap = tmp_path / "covers.csv"
    ids = "; ".join(h.server_id for h in hosts)
    cmap.write_text(f"contract,covers\nVMW-001,{ids}\nHW-001,{ids}\n"
                    "ACS-001,APP-VM-3\nMOD-001,APP-VM-8\nREV-001,APP-VM-1\n", encoding="utf-8")
    res = run(main, ["import", "contracts", str(src), "--into", str(wb), "--covers-map",
                     str(cmap)])
    assert res.exit_code == 0, res.output
    assert "replaces the estimated rows" in res.output
    est = load_estate(wb)
    assert not [c for c in est.contracts if c.estimated] and len(est.contracts) == 13
    out = tmp_path / "plan"
    res = run(main, ["plan", str(wb), "--out", str(out), "--time-limit", "15", "--workers",
                     "1", "--no-pdf", "--quiet"])
    assert res.exit_code == 0, res.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    apps = {a["app_id"]: a["strategy"] for a in plan["applications"]}
    contracts = {c["contract_id"]: c for c in plan["contracts"]}
    for cid, app_id in (("ACS-001", "APP-VM-3"), ("MOD-001", "APP-VM-8"),
                        ("REV-001", "APP-VM-1")):
        if apps[app_id] not in ("retire", "repurchase"):
            assert contracts[cid]["decision"] == "keep", cid
    res = run(main, ["check", str(wb), str(out / "plan.json"), "--time-limit", "10",
                     "--workers", "1"])
    assert res.exit_code == 0, res.output
