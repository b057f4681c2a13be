"""ServiceNow CMDB and AWS (ADS template, Cloud Migration Factory) importers."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory.importers import read_source, run_import
from inventory.tables import read_tables

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def cmdb(folder: Path) -> Path:
    folder.mkdir()
    (folder / "cmdb_ci_server.csv").write_text(
        "name,sys_id,os,os_version,cpu_count,cpu_core_count,ram,disk_space,location,virtual,"
        "ip_address,sys_class_name\n"
        "esx01,s1,ESXi,7.0,2,16,524288,,Town Hall,false,10.0.0.1,cmdb_ci_esx_server\n"
        "vm01,s2,Windows,2019,4,1,16384,200,Town Hall,true,10.0.0.2,cmdb_ci_win_server\n"
        "vm02,s3,Linux,8,2,1,8192,100,Town Hall,true,10.0.0.3,cmdb_ci_linux_server\n"
        "phys01,s4,Linux,8,2,8,x,100,Depot,false,10.0.0.4,cmdb_ci_linux_server\n"
        ",s5,Linux,8,2,8,1024,100,Depot,false,10.0.0.5,cmdb_ci_linux_server\n",
        encoding="utf-8")
    (folder / "cmdb_rel_ci.csv").write_text(
        "parent,type,child\n"
        "vm01,Virtualized by::Virtualizes,esx01\n"
        "vm02,Hosted on::Hosts,esx01\n"
        "Council Tax,Runs on::Runs,vm01\n"
        "Council Tax,Depends on::Used by,vm02\n"
        "Council Tax,Depends on::Used by,Payments\n"
        "Payments,Runs on::Runs,phys01\n"
        "vm03,Hosted on::Hosts,esx01\n"
        "vm01,Contains::Contained by,vm02\n", encoding="utf-8")
    return folder


def test_servicenow(tmp_path: Path) -> None:
    folder = cmdb(tmp_path / "sn")
    result = read_source("servicenow", folder)
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    assert by_id["ESX01"]["kind"] == "host" and by_id["ESX01"]["vcpus"] == 32
    assert by_id["VM01"]["host_id"] == "ESX01" and by_id["VM02"]["host_id"] == "ESX01"
    assert by_id["VM01"]["app_ids"] == by_id["VM02"]["app_ids"] == "APP-COUNCIL-TAX"
    assert by_id["PHYS01"]["app_ids"] == "APP-PAYMENTS" and by_id["PHYS01"]["ram_gb"] is None
    assert result.rows["dependencies"] == [{"from_id": "APP-COUNCIL-TAX",
                                            "to_id": "APP-PAYMENTS", "kind": "loose",
                                            "notes": "servicenow: Depends on::Used by"}]
    msgs = {(i.sheet, i.row): i.message for i in result.issues}
    assert "not a number" in msgs[("cmdb_ci_server", 5)]
    assert "name is blank" in msgs[("cmdb_ci_server", 6)]
    assert "'vm03' is not in cmdb_ci_server" in msgs[("cmdb_rel_ci", 8)]
    assert result.counts["relations_ignored"] == 1
    out = tmp_path / "estate.xlsx"
    run_import("servicenow", folder / "cmdb_ci_server.csv", out,
               rel=str(folder / "cmdb_rel_ci.csv"))
    sheets = read_tables(out).sheets
    assert len(sheets["servers"].rows) == 4 and len(sheets["applications"].rows) == 2


def test_aws_discovery(tmp_path: Path) -> None:
    src = tmp_path / "ads.csv"
    src.write_text("ExternalId,HostName,VMware.MoRefId,CPU.NumberOfCores,RAM.TotalSizeInMB,"
                   "OS.Name,OS.Version,IPAddress,Applications\n"
                   "e1,web01,vm-1,2,4096,Windows,2019,10.0.0.1,Portal\n"
                   "e2,,,8,x,Linux,8,10.0.0.2,\n"
                   ",,,1,1024,Linux,8,,\n", encoding="utf-8")
    result = read_source("aws-discovery", src)
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    assert by_id["WEB01"]["kind"] == "virtual" and by_id["WEB01"]["app_ids"] == "APP-PORTAL"
    assert by_id["E2"]["kind"] == "physical" and by_id["E2"]["ram_gb"] is None
    assert result.counts == {"rows": 3, "imported": 2, "skipped": 1}
    assert len(result.issues) == 2


def test_aws_cmf_samples(tmp_path: Path) -> None:
    folder = SAMPLES / "aws-cmf"
    if not folder.exists():
        pytest.skip("the public sample exports (AWS CMF) are not beside the "
                    "project (../shared/samples); the project ships none")
    out = tmp_path / "estate.xlsx"
    result, _ = run_import("aws-cmf", folder / "cmf_server-list_intake.csv", out)
    assert result.counts == {"rows": 8, "imported": 8}
    apps = {r.cells["app_id"]: r.cells for r in read_tables(out).sheets["applications"].rows}
    assert set(apps) == {"APP-APP01-HR", "APP-APP02-SALES", "APP-APP03-SALES"}
    assert apps["APP-APP01-HR"]["strategy_hint"] == "rehost"
    assert "wave=Wave 1" in apps["APP-APP01-HR"]["notes"]
    assert "options" not in read_tables(out).sheets
    xlsx = read_source("aws-cmf", folder / "cmf_test_valid.xlsx")
    assert xlsx.rows["servers"][0]["server_id"] == "UNITTEST1-NEW"
