"""rvtools + azure-dependencies + contracts give a workbook the model accepts."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from estate.model import Application, Contract, Dependency, Server, Site
from inventory.importers import run_import
from inventory.tables import read_tables


def _num(text: str) -> float | None:
    return float(text) if text else None


def build(tmp_path: Path) -> Path:
    rv = tmp_path / "rv.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    ws.append(["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "Host",
               "Primary IP Address"])
    ws.append(["web01", "poweredOn", "False", 2, 4096, 51200, "esx1", "10.0.0.1"])
    ws.append(["db01", "poweredOn", "False", 4, 8192, 102400, "esx1", "10.0.0.2"])
    wh = wb.create_sheet("vHost")
    wh.append(["Host", "# Cores", "# Memory"])
    wh.append(["esx1", 32, 524288])
    wb.save(rv)
    deps = tmp_path / "deps.csv"
    deps.write_text("Time slot,Source server name,Destination server name,Destination port\n"
                    "t1,web01,db01,1433\nt1,db01,web01,80\n", encoding="utf-8")
    reg = tmp_path / "reg.csv"
    reg.write_text("Reference,Title,Supplier,Annual Value,Start Date,End Date\n"
                   "C1,VMware licence,Dell,\"£20,000\",01/04/2024,31/03/2027\n",
                   encoding="utf-8")
    out = tmp_path / "estate.xlsx"
    run_import("rvtools", rv, out)
    run_import("azure-dependencies", deps, out)
    run_import("contracts", reg, out)
    return out


def test_rows_are_valid_model_objects(tmp_path: Path) -> None:
    out = build(tmp_path)
    sheets = {n: [r.cells for r in t.rows] for n, t in read_tables(out).sheets.items()}
    for r in sheets["sites"]:
        Site(site_id=r["site_id"], kind=r["kind"], name=r.get("name", ""))
    for r in sheets["applications"]:
        Application(app_id=r["app_id"], name=r["name"])
    for r in sheets["servers"]:
        Server(server_id=r["server_id"], site_id=r["site_id"], kind=r["kind"],
               host_id=r.get("host_id") or None, vcpus=_num(r.get("vcpus", "")),
               ram_gb=_num(r.get("ram_gb", "")), storage_gb=_num(r.get("storage_gb", "")),
               app_ids=tuple(a.strip() for a in r.get("app_ids", "").split(";") if a.strip()))
    for r in sheets["dependencies"]:
        Dependency(from_id=r["from_id"], to_id=r["to_id"], kind=r["kind"])
    for r in sheets["contracts"]:
        Contract(contract_id=r["contract_id"], annual_value=float(r["annual_value"]),
                 end_date=r["end_date"], start_date=r.get("start_date") or None)
    assert [d["kind"] for d in sheets["dependencies"]] == ["together"]


def test_loads_with_load_estate(tmp_path: Path) -> None:
    from inventory.load import load_estate

    estate = load_estate(build(tmp_path))
    assert len(estate.servers) == 3 and len(estate.contracts) == 1
    assert len(estate.dependencies) == 1
