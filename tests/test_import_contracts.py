"""Contract register importer: column spellings, money, dates, ICT filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.errors import EstateError
from inventory.importers import read_source, run_import
from inventory.importers.common import parse_date_text
from inventory.importers.contracts import category_of, is_ict
from inventory.tables import read_tables

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
    result = read_source("contracts", src)
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
    out = tmp_path / "estate.xlsx"
    run_import("contracts", src, out)
    assert len(read_tables(out).sheets["contracts"].rows) == 5


def test_annual_column_and_map(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_text("Contract Ref,Contract Title,Vendor,Annual Value,Expires,Category\n"
                   "C1,Firewall support,Fortinet,\"£12,000\",2026-03-31,ICT\n"
                   "C2,Catering,Food Ltd,£5000,2026-03-31,Facilities\n", encoding="utf-8")
    with pytest.raises(EstateError, match="no column for end"):
        read_source("contracts", src)
    result = read_source("contracts", src, map=["Expires=end"])
    assert [r["contract_id"] for r in result.rows["contracts"]] == ["C1"]
    assert result.rows["contracts"][0]["annual_value"] == 12000
    assert result.counts["non_ict"] == 1
    everything = read_source("contracts", src, map=["Expires=end"], all=True)
    assert everything.counts["imported"] == 2
    with pytest.raises(EstateError, match="COLUMN=FIELD"):
        read_source("contracts", src, map=["Expires"])


def test_windows_1252_register(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_bytes("Reference,Title,Supplier,Value,Start Date,End Date,CPV\n"
                    "R1,Software licence,Acme,\xa3100,01/04/2025,31/03/2026,48000000\n"
                    .encode("cp1252"))
    result = read_source("contracts", src)
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
    assert category_of("Data centre colocation") == "datacentre"
