"""Azure Migrate importers: dependency export and server import template."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from inventory.importers import read_source, run_import
from inventory.tables import read_tables

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
HEAD = ("Time slot,Source server name,Source IP,Source application,Source process,"
        "Destination server name,Destination IP,Destination application,Destination process,"
        "Destination port\n")


def workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "servers"
    ws.append(["server_id", "hostname", "site_id", "kind", "app_ids", "ip"])
    ws.append(["WEB01", "web01.council.local", "DC1", "virtual", "APP-WEB", ""])
    ws.append(["DB01", "db01", "DC1", "virtual", "APP-DB", ""])
    ws.append(["MAIL01", "mail01", "DC1", "virtual", "APP-MAIL", "10.0.0.9"])
    ws.append(["LONELY", "lonely", "DC1", "virtual", "", ""])
    wa = wb.create_sheet("applications")
    wa.append(["app_id", "name"])
    for a in ("APP-WEB", "APP-DB", "APP-MAIL"):
        wa.append([a, a])
    wb.save(path)
    return path


def export(path: Path) -> Path:
    rows = []
    for slot in ("2025-06-14 00:00", "2025-06-14 01:00", "2025-06-14 02:00"):
        rows.append(f"{slot},web01,10.0.0.1,,w3wp.exe,DB01,10.0.0.2,,sqlservr.exe,1433")
        rows.append(f"{slot},db01,10.0.0.2,,sqlservr.exe,web01.council.local,10.0.0.1,,w3wp,80")
    rows.append("2025-06-14 00:00,web01,10.0.0.1,,w3wp.exe,smtp,10.0.0.9,,exim,25")
    rows.append("2025-06-14 00:00,web01,10.0.0.1,,w3wp.exe,ghost,10.9.9.9,,x,22")
    rows.append("2025-06-14 00:00,lonely,10.0.0.7,,a,db01,10.0.0.2,,b,1433")
    rows.append("2025-06-14 00:00,,10.0.0.7,,a,db01,10.0.0.2,,b,1433")
    path.write_text(HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_dependencies_together_and_loose(tmp_path: Path) -> None:
    wbk = workbook(tmp_path / "estate.xlsx")
    src = export(tmp_path / "deps.csv")
    result, report = run_import("azure-dependencies", src, wbk)
    deps = {(r["from_id"], r["to_id"]): r for r in result.rows["dependencies"]}
    assert deps[("APP-DB", "APP-WEB")]["kind"] == "together"  # both ways in 3/3 slots
    assert "1433" in deps[("APP-DB", "APP-WEB")]["notes"]
    assert deps[("APP-WEB", "APP-MAIL")]["kind"] == "loose"  # matched by ip, one way
    msgs = " ".join(i.message for i in result.issues)
    assert "'ghost' is not in the workbook" in msgs and "LONELY has no app_ids" in msgs
    assert any(i.row == 11 for i in result.issues)  # blank source name: skipped, reported
    rows = read_tables(wbk).sheets["dependencies"].rows
    assert len(rows) == 2
    # The user decides a pair is loose after all; a re-import keeps the kind.
    wb = openpyxl.load_workbook(wbk)
    ws = wb["dependencies"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        row[head.index("kind")].value = "loose"
    wb.save(wbk)
    _, report = run_import("azure-dependencies", src, wbk)
    assert report.changes["dependencies"].unchanged == 2
    kinds = {r.cells["kind"] for r in read_tables(wbk).sheets["dependencies"].rows}
    assert kinds == {"loose"}


def test_dependencies_without_workbook(tmp_path: Path) -> None:
    result = read_source("azure-dependencies", export(tmp_path / "deps.csv"))
    assert "no servers" in result.issues[0].message
    assert not result.rows.get("dependencies")


def test_sample_dependency_export(tmp_path: Path) -> None:
    src = SAMPLES / "azure-migrate" / "shabbirnkhan1_dependency-export-sample.csv"
    if not src.exists():
        pytest.skip("the public sample exports (Azure Migrate) are not beside the "
                    "project (../shared/samples); the project ships none")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "servers"
    ws.append(["server_id", "site_id", "kind", "app_ids"])
    for name, app in (("app1-server", "APP1"), ("app2-server", "APP2"), ("db1-server", "SQL"),
                      ("web1-server", "WEB"), ("api1-server", "API")):
        ws.append([name.upper(), "DC1", "virtual", app])
    wb.save(tmp_path / "e.xlsx")
    result, _ = run_import("azure-dependencies", src, tmp_path / "e.xlsx")
    assert result.counts["rows"] == 5
    pairs = {(r["from_id"], r["to_id"], r["kind"]) for r in result.rows["dependencies"]}
    assert pairs == {("APP1", "APP2", "loose"), ("APP1", "SQL", "loose"),
                     ("WEB", "API", "loose")}
    unknown = sorted(i.value for i in result.issues)
    assert unknown == ["admin-server", "api2-server", "web2-server"]


def test_azure_migrate_server_template(tmp_path: Path) -> None:
    src = tmp_path / "servers.csv"
    src.write_text(
        "*Server name,IP addresses,*Cores,*Memory (In MB),*OS name,OS version,Server type,"
        "Number of disks,Disk 1 size (In GB),Disk 2 size (In GB)\n"
        "app01,10.0.0.1;10.0.0.2,4,16384,Windows Server,2016,Virtual,2,100,50\n"
        "phys01,10.0.0.3,16,65536,Ubuntu,20.04,Physical,1,500,\n"
        ",10.0.0.4,2,2048,Ubuntu,20.04,Virtual,1,10,\n"
        "bad01,,x,2048,Ubuntu,,Virtual,1,10,\n", encoding="utf-8")
    result = read_source("azure-migrate-servers", src)
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    assert by_id["APP01"]["storage_gb"] == 150 and by_id["APP01"]["ram_gb"] == 16
    assert by_id["APP01"]["ip"] == "10.0.0.1; 10.0.0.2"
    assert by_id["PHYS01"]["kind"] == "physical" and by_id["BAD01"]["vcpus"] is None
    assert result.counts == {"rows": 4, "imported": 3, "skipped": 1}
    assert {(i.row, i.column) for i in result.issues} == {(4, "*server name"), (5, "*cores")}
