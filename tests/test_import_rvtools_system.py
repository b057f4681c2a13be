"""RVTools as the estate really runs: vSphere system VMs are infrastructure, not
applications; powered-off VMs carry storage and backup only; clusters, cores
and space in use are imported; SQL Server guessed from names is reported."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from test_import_rvtools_mapping import HOSTS, TODAY, VMS, rows

from estate import staying
from estate.model import Server
from inventory.importers import read_source, run_import

HEAD = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
        "Datacenter", "Cluster", "Host", "Folder", "Resource pool", "vApp", "Annotation",
        "Service", "OS according to the configuration file", "SRM Placeholder"]
EXTRA = [
    ["vCLS-4c4c4544-0042", "poweredOn", "False", 1, 128, 2048, 1024, "Civic", "Prod", "esx1",
     "", "", "", "vSphere Cluster Service VM is deployed", "", "VMware Photon OS", "False"],
    ["vCLS (1)", "poweredOn", "False", 1, 128, 2048, 1024, "Depot", "DR", "esx2",
     "", "", "", "", "", "VMware Photon OS", "False"],
    ["dr-placeholder", "poweredOff", "False", 2, 4096, 1024, 0, "Depot", "DR", "esx2",
     "", "", "", "", "", "", "True"],
    ["fin-sql01", "poweredOn", "False", 4, 16384, 102400, 40960, "Civic", "Prod", "esx1",
     "", "", "", "", "", "Microsoft Windows Server 2016 (64-bit)", "False"],
]


def _export(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    ws.append(HEAD)
    for v in VMS:  # the mapping test's VMs, with In Use = half of provisioned
        ws.append([*v[:6], v[5] // 2, *v[6:], "False"])
    for v in EXTRA:
        ws.append(v)
    wh = wb.create_sheet("vHost")
    for h in HOSTS:
        wh.append(h)
    path = tmp_path / "rvtools.xlsx"
    wb.save(path)
    return path


def test_system_vms_are_skipped_and_counted_by_cluster(tmp_path: Path) -> None:
    res = read_source("rvtools", _export(tmp_path), today=TODAY)
    ids = {r["server_id"] for r in res.rows["servers"]}
    assert not any("VCLS" in i.upper() or "PLACEHOLDER" in i.upper() for i in ids)
    assert not any("vcls" in r["name"].lower() for r in res.rows.get("applications", []))
    assert sorted(res.lists["system_vms"]) == ["dr-placeholder (DR)", "vCLS (1) (DR)",
                                               "vCLS-4c4c4544-0042 (Prod)"]
    assert any("3 vSphere system VMs" in n and "DR: 2" in n and "Prod: 1" in n
               for n in res.notes)


def test_clusters_cores_in_use_and_sql_guess(tmp_path: Path) -> None:
    out = tmp_path / "estate.xlsx"
    result, _ = run_import("rvtools", _export(tmp_path), out, today=TODAY)
    servers = rows(out, "servers")
    assert servers["ESX1"]["cluster"] == "Prod"
    assert (servers["ESX1"]["sockets"], servers["ESX1"]["cores"]) == ("2", "24")
    assert float(servers["REV-WEB"]["in_use_gb"]) == pytest.approx(50.0)  # 51200 MiB
    assert servers["FIN-SQL01"]["sql_edition"] == "standard"
    assert not servers["REV-DB"].get("sql_edition")  # "database" is not a SQL hint
    assert result.lists["sql_guess"] == ["fin-sql01"]
    assert any("guessed" in n and "fin-sql01" not in n for n in result.notes)
    assert any("powered-off" in n and "storage and backup only" in n for n in result.notes)


def test_powered_off_carries_storage_and_backup_only() -> None:
    on = Server("V1", "DC", "virtual", os="Windows Server 2016", vcpus=4, ram_gb=16,
                storage_gb=200, in_use_gb=80, sql_edition="standard",
                os_end_of_support="2027-01")
    off = Server("V2", "DC", "virtual", os="Windows Server 2016", vcpus=4, ram_gb=16,
                 storage_gb=200, in_use_gb=80, sql_edition="standard", powerstate="poweredOff")
    c_on = staying.server_costs(on, "2026-04", 48)
    c_off = staying.server_costs(off, "2026-04", 48)
    # storage on the 80 GB in use: 80 × £0.05; backup £220 / 12
    assert c_on["storage"] == c_off["storage"] == pytest.approx(80 * 0.05)
    assert c_off["backup"] == pytest.approx(220 / 12)
    assert all(v == 0 for k, v in c_off.items() if k not in ("storage", "backup"))
    # SQL Standard on 4 vCPUs: 2 packs × £3,106.30 = £6,212.60; / 5 + 25 % a year
    assert c_on["sql_licences"] == pytest.approx(6212.60 * (1 / 5 + 0.25) / 12)
    # tools: (196.85 + 338.58 + 338.58 + 787.40 SQL protection) / 12
    assert c_on["tools"] == pytest.approx((196.85 + 2 * 338.58 + 787.40) / 12)
    # SQL ESU from 2027-01 (month 9): 12 × 75 % + 12 × 100 % + 12 × 125 % of the
    # licence a year, over 48 months, 36 of them due
    due = (12 * 0.75 + 12 * 1.0 + 12 * 1.25) / 12
    assert c_on["sql_extended_support"] == pytest.approx(6212.60 * due / 48)
