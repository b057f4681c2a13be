"""Contract register importer: column spellings, money, dates, ICT filter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from estate.errors import EstateError
from inventory.importers import read_source, run_import
from inventory.importers.common import parse_date_text
from inventory.importers.contracts import category_of, is_ict
from inventory.tables import read_tables

# the registers below end in 2026-2027: plan from April 2025, as if it were summer 2025
TODAY = dt.date(2025, 6, 1)

REGISTER = """\
Reference Number,Title,Department,Description,Supplier Name,Total Value,Start Date,End Date,\
Review Date,CPV Code
ICT/001,Revenues and Benefits system,Finance,Annual licence and support,Civica UK Ltd,\
"£1,200,000.00",01/04/2021,31/03/2026,01/10/2025,48000000-8
ICT/002,Wide area network,IT,Managed WAN circuits,BT,"£300,000",2024-04-01,31-Mar-2027,,
FAC/003,Grounds maintenance,Environment,Grass cutting,GreenCo,"£2,000,000",01/04/2020,\
31/03/2030,,77310000
ICT/004,Microsoft 365 subscription,IT,,Softcat,£90000,01/04/2025,31/03/2026,,
ICT/005,Hosting,IT,Data centre hosting,Ark,£50000,01/04/2025,,,72000000
ICT/006,Backup service,IT,,Acme,lots,01/04/2025,31/03/2026,,72000000
,Telephony,IT,,Gamma,"£10,000",01/04/2025,31/03/2026,,
ICT/001,Revenues archive,Finance,,Civica UK Ltd,£1000,01/04/2025,31/03/2026,bad date,48000000
"""


def test_register(tmp_path: Path) -> None:
    src = tmp_path / "register.csv"
    src.write_text(REGISTER, encoding="utf-8")
    with pytest.raises(EstateError, match="--skip-bad-rows") as err:
        read_source("contracts", src, today=TODAY)
    assert "row 6" in str(err.value) and "row 7" in str(err.value)
    result = read_source("contracts", src, today=TODAY, skip_bad_rows=True)
    c = result.counts
    assert c == {"rows": 8, "non_ict": 1, "skipped": 2, "imported": 5}
    by_id = {r["contract_id"]: r for r in result.rows["contracts"]}
    revs = by_id["ICT-001"]
    assert revs["annual_value"] == pytest.approx(240000, rel=1e-3)  # £1.2m over 5 years
    assert (revs["start_date"], revs["end_date"]) == ("2021-04-01", "2026-03-31")
    assert revs["review_date"] == "2025-10-01" and revs["category"] == "licence"
    assert by_id["ICT-002"]["end_date"] == "2027-03-31"
    assert by_id["ICT-002"]["category"] == "connectivity"
    assert by_id["ICT-004"]["category"] == "saas"
    assert "ICT-001-2" in by_id  # duplicate reference imported under a new id
    assert any(k.startswith("CON-GAMMA") for k in by_id)
    rows = {i.row: i.message for i in result.issues}
    assert "no end date" in rows[6] and "not an amount" in rows[7] or "no annual" in rows[7]
    assert "review date" in rows[9] or "used again" in rows[9]
    assert revs["department"] == "Finance" and revs["cpv_code"] == "48000000-8"
    assert revs["total_value"] == 1_200_000
    out = tmp_path / "estate.xlsx"
    run_import("contracts", src, out, today=TODAY, skip_bad_rows=True)
    sheets = read_tables(out).sheets
    assert len(sheets["contracts"].rows) == 5
    assert not sheets["sites"].rows  # the contracts import adds no site


def test_annual_column_and_map(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_text("Contract Ref,Contract Title,Vendor,Annual Value,Expires,Category\n"
                   "C1,Firewall support,Fortinet,\"£12,000\",2026-03-31,ICT\n"
                   "C2,Catering,Food Ltd,£5000,2026-03-31,Facilities\n", encoding="utf-8")
    with pytest.raises(EstateError, match="no column for end"):
        read_source("contracts", src)
    result = read_source("contracts", src, map=["Expires=end"], today=TODAY)
    assert [r["contract_id"] for r in result.rows["contracts"]] == ["C1"]
    assert result.rows["contracts"][0]["annual_value"] == 12000
    assert result.counts["non_ict"] == 1
    everything = read_source("contracts", src, map=["Expires=end"], all=True, today=TODAY)
    assert everything.counts["imported"] == 2
    with pytest.raises(EstateError, match="COLUMN=FIELD"):
        read_source("contracts", src, map=["Expires"])


def test_windows_1252_register(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_bytes("Reference,Title,Supplier,Value,Start Date,End Date,CPV\n"
                    "R1,Software licence,Acme,\xa3100,01/04/2025,31/03/2026,48000000\n"
                    .encode("cp1252"))
    result = read_source("contracts", src, today=TODAY)
    assert result.rows["contracts"][0]["annual_value"] == pytest.approx(100, rel=1e-2)


def test_helpers() -> None:
    assert str(parse_date_text("31/03/2026")) == "2026-03-31"
    assert str(parse_date_text("31-Mar-2026")) == "2026-03-31"
    assert str(parse_date_text("31 March 2026")) == "2026-03-31"
    assert str(parse_date_text("2026-03-31 00:00:00")) == "2026-03-31"
    with pytest.raises(ValueError):
        parse_date_text("soon")
    assert is_ict("50312000", "Repair of computer equipment")
    assert is_ict("", "IT Managed Service")
    assert not is_ict("77310000", "Grass cutting", "it is green")
    assert category_of(["Data centre colocation"])[0] == "datacentre"


def _workbook(tmp_path: Path, horizon_start: str = "2026-04") -> Path:
    """A workbook with two applications, a host and an estimated hypervisor row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "settings"
    ws.append(["key", "value"])
    ws.append(["horizon_start", horizon_start])
    for name, rows in (
        ("sites", [["site_id", "name", "kind"], ["DC1", "Civic Centre", "on_prem"]]),
        ("applications", [["app_id", "name"], ["APP-REVS", "Civica OpenRevenues"],
                          ["APP-CRM", "Customer portal"]]),
        ("servers", [["server_id", "site_id", "kind", "host_id", "app_ids"],
                     ["ESX1", "DC1", "host", "", ""], ["ESX2", "DC1", "host", "", ""],
                     ["CRMWEB01", "DC1", "virtual", "ESX1", "APP-CRM"],
                     ["REVS01", "DC1", "virtual", "ESX2", "APP-REVS"]]),
        ("contracts", [["contract_id", "supplier", "title", "annual_value", "end_date",
                        "covers", "estimated"],
                       ["EST-VSPHERE-C1", "Broadcom (VMware)", "vSphere (estimated)", 6803.2,
                        "2027-03-31", "ESX1; ESX2", "yes"]]),
    ):
        sheet = wb.create_sheet(name)
        for r in rows:
            sheet.append(r)
    path = tmp_path / "estate.xlsx"
    wb.save(path)
    return path


COVERS = """Reference,Title,Department,Supplier,Total Value,Start Date,End Date,CPV Code
C1,Revenues software support,Finance,Civica UK Ltd,"£300,000",01/04/2024,31/03/2029,48000000
C2,Customer portal hosting,Customer Services,Granicus,"£60,000",01/04/2025,31/03/2028,72000000
C3,VMware vSphere subscription,IT,Phoenix Software,"£45,000",01/04/2025,31/03/2028,48000000
C4,Old CRM licence,IT,Acme,"£10,000",01/04/2020,31/03/2024,48000000
C5,Printer fleet,IT,PrintCo,"£20,000",01/04/2025,31/03/2028,30000000
"""


def test_covers_expired_and_hypervisor_replacement(tmp_path: Path) -> None:
    wb = _workbook(tmp_path)
    src = tmp_path / "register.csv"
    src.write_text(COVERS, encoding="utf-8")
    result, report = run_import("contracts", src, wb)
    by_id = {r["contract_id"]: r for r in result.rows["contracts"]}
    # supplier word (Civica) names an application; the title names another
    assert by_id["C1"]["covers"] == "APP-REVS"
    assert by_id["C2"]["covers"] == "APP-CRM"
    # the register's VMware contract covers the hosts and replaces the estimated row
    assert by_id["C3"]["covers"] == "ESX1; ESX2"
    assert result.remove == {"contracts": {"EST-VSPHERE-C1"}}
    assert report.changes["contracts"].removed == ["EST-VSPHERE-C1"]
    # ended 2024-03-31, before the plan starts (2026-04): listed and skipped
    assert "C4" not in by_id and result.lists["expired"] == ["C4 (ended 2024-03-31)"]
    # covering nothing: listed and warned about, one issue each
    assert result.lists["uncovered"] == ["C5"]
    assert [i.value for i in result.issues if "covers nothing" in i.message] == ["C5"]
    contracts = {r.cells["contract_id"]: r.cells for r in
                 read_tables(wb).sheets["contracts"].rows}
    assert set(contracts) == {"C1", "C2", "C3", "C5"}
    assert contracts["C1"]["department"] == "Finance"
    assert contracts["C1"]["total_value"] == "300000"
    kept = read_source("contracts", src, wb, keep_expired=True)
    assert "C4" in {r["contract_id"] for r in kept.rows["contracts"]}


def test_covers_map_and_user_covers_kept(tmp_path: Path) -> None:
    wb = _workbook(tmp_path)
    src = tmp_path / "register.csv"
    src.write_text(COVERS, encoding="utf-8")
    cmap = tmp_path / "covers.csv"
    cmap.write_text("contract,covers\nC5,Customer portal; CRMWEB01\nC1,Nowhere\n",
                    encoding="utf-8")
    result = read_source("contracts", src, wb, covers_map=str(cmap))
    by_id = {r["contract_id"]: r for r in result.rows["contracts"]}
    assert by_id["C5"]["covers"] == "APP-CRM; CRMWEB01"  # by name or by id
    assert any("'Nowhere'" in i.message for i in result.issues)
    assert "uncovered" not in result.lists
    # covers the user filled in the workbook are kept on a re-import
    run_import("contracts", src, wb, covers_map=str(cmap))
    w = openpyxl.load_workbook(wb)
    ws = w["contracts"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "C2":
            row[head.index("covers")].value = "APP-REVS"
    w.save(wb)
    again = read_source("contracts", src, wb)
    assert {r["contract_id"]: r for r in again.rows["contracts"]}["C2"]["covers"] == "APP-REVS"


def test_notice_periods_map_and_exact_whole_year_terms(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_text("Ref,Title,Supplier,Total Value,Start Date,End Date,Notice period (days),"
                   "Term Notice\n"
                   "N1,Software licence,Acme,\"£38,000\",01/11/2025,31/10/2026,90,\n"
                   "N2,WAN,BT,\"£152,000\",01/04/2025,31/03/2027,180,\n"
                   "N3,Backup software,Veeam,£10000,15/06/2025,14/06/2026,,6 months\n",
                   encoding="utf-8")
    got = {r["contract_id"]: r for r in read_source("contracts", src, today=TODAY)
           .rows["contracts"]}
    assert got["N1"]["annual_value"] == 38000 and got["N1"]["notice_months"] == 3
    assert got["N2"]["annual_value"] == 76000 and got["N2"]["notice_months"] == 6
    assert got["N3"]["annual_value"] == 10000 and "notice_months" not in got["N3"]
    assert got["N2"]["ends_with"] == "never" and got["N1"]["ends_with"] == "retire"
    # --map reads any column, under the workbook's own field name too
    mapped = read_source("contracts", src, today=TODAY, map=["Term Notice=notice_months"])
    n3 = {r["contract_id"]: r for r in mapped.rows["contracts"]}["N3"]
    assert n3["notice_months"] == 6
    assert any("columns not read: 'term notice'" in n for n in
               read_source("contracts", src, today=TODAY).notes)


def test_category_only_on_a_clear_match(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_text("Ref,Title,Supplier,Annual Value,End Date\n"
                   "K1,VMware vSphere subscription,Phoenix,£1000,31/03/2027\n"
                   "K2,Hosted licence platform,Acme,£1000,31/03/2027\n"
                   "K3,Microsoft Enterprise Agreement,Bytes,£1000,31/03/2027\n",
                   encoding="utf-8")
    res = read_source("contracts", src, today=TODAY)
    got = {r["contract_id"]: r for r in res.rows["contracts"]}
    assert got["K1"]["category"] == "licence" and got["K3"]["category"] == "licence"
    assert got["K2"]["category"] == "" and "ends_with" not in got["K2"]
    assert any("K2" in i.message and "no clear category" in i.message for i in res.issues)
