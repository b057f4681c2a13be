"""RVTools mapped as people organise vCenter: sites from datacenters or clusters,
applications from folders, pools, vApps, annotations or a custom attribute, and
re-grouping an existing workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from estate.resolve import resolve
from inventory.importers import read_source, run_import
from inventory.load import load_estate
from inventory.tables import read_tables
from inventory.validate import validate_estate

HEAD = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "Datacenter",
        "Cluster", "Host", "Folder", "Resource pool", "vApp", "Annotation", "Service",
        "OS according to the configuration file"]
VMS = [
    ["rev-web", "poweredOn", "False", 2, 8192, 102400, "Civic", "Prod", "esx1",
     "/Civic/vm/Revenues", "/Civic/Prod/Resources/Finance", "", "Revenues web tier",
     "Revenues", "Microsoft Windows Server 2019 (64-bit)"],
    ["rev-db", "poweredOn", "False", 4, 16384, 204800, "Civic", "Prod", "esx1",
     "/Civic/vm/Revenues", "/Civic/Prod/Resources/Finance", "", "Revenues database",
     "Revenues", "Microsoft Windows Server 2019 (64-bit)"],
    ["crm-app", "poweredOn", "False", 2, 8192, 51200, "Depot", "DR", "esx2",
     "/Depot/vm/CRM", "/Depot/DR/Resources", "CRM vApp", "", "Customer",
     "Red Hat Enterprise Linux 8 (64-bit)"],
    ["old-ftp", "poweredOff", "False", 1, 2048, 20480, "Leisure", "Small", "esx3",
     "/Leisure/vm/Discovered virtual machine", "", "", "", "",
     "Microsoft Windows Server 2008 R2 (64-bit)"],
]
HOSTS = [["Host", "Datacenter", "Cluster", "# CPU", "Cores per CPU", "# Cores", "# Memory",
          "Vendor", "Model", "CPU Model"],
         ["esx1", "Civic", "Prod", 2, 12, 24, 524288, "HPE", "ProLiant DL380 Gen10",
          "Intel(R) Xeon(R) Gold 6136 CPU @ 3.00GHz"],
         ["esx2", "Depot", "DR", 2, 8, 16, 262144, "Dell Inc.", "PowerEdge R730", ""],
         ["esx3", "Leisure", "Small", 1, 8, 8, 65536, "HPE", "ProLiant DL360 Gen9", ""]]
TODAY = dt.date(2026, 5, 1)


def export(tmp_path: Path, vms: list[list[object]] = VMS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    for r in [HEAD, *vms]:
        ws.append(r)
    wh = wb.create_sheet("vHost")
    for h in HOSTS:
        wh.append(h)
    path = tmp_path / "rvtools.xlsx"
    wb.save(path)
    return path


def rows(path: Path, sheet: str) -> dict[str, dict[str, str]]:
    t = read_tables(path).sheets.get(sheet)
    key = {"sites": "site_id", "servers": "server_id", "applications": "app_id",
           "contracts": "contract_id"}[sheet]
    return {r.cells[key]: r.cells for r in t.rows} if t else {}


def test_each_datacenter_is_a_site(tmp_path: Path) -> None:
    out = tmp_path / "estate.xlsx"
    run_import("rvtools", export(tmp_path), out, today=TODAY)
    sites = rows(out, "sites")
    assert {k: v["kind"] for k, v in sites.items()} == {
        "CIVIC": "on_prem", "DEPOT": "on_prem", "LEISURE": "on_prem", "CLOUD-UK": "cloud"}
    servers = rows(out, "servers")
    assert servers["REV-WEB"]["site_id"] == servers["ESX1"]["site_id"] == "CIVIC"
    assert servers["CRM-APP"]["site_id"] == servers["ESX2"]["site_id"] == "DEPOT"
    assert servers["ESX1"]["cpu_model"] == "Intel(R) Xeon(R) Gold 6136 CPU @ 3.00GHz"
    assert servers["OLD-FTP"]["powerstate"] == "poweredOff"


def test_sites_from_cluster_and_one_forced_site(tmp_path: Path) -> None:
    src = export(tmp_path)
    by_cluster = read_source("rvtools", src, sites_from="cluster", today=TODAY)
    assert {r["site_id"] for r in by_cluster.rows["sites"]} == {"PROD", "DR", "SMALL"}
    forced = read_source("rvtools", src, site_id="TOWNHALL", today=TODAY)
    assert {r["site_id"] for r in forced.rows["sites"]} == {"TOWNHALL"}
    assert {r["site_id"] for r in forced.rows["servers"]} == {"TOWNHALL"}


@pytest.mark.parametrize(("grouping", "expect"), [
    ("vm", {"REV-WEB": "APP-REV-WEB", "REV-DB": "APP-REV-DB", "CRM-APP": "APP-CRM-APP"}),
    ("folder", {"REV-WEB": "APP-REVENUES", "REV-DB": "APP-REVENUES", "CRM-APP": "APP-CRM"}),
    ("resource-pool", {"REV-WEB": "APP-FINANCE", "REV-DB": "APP-FINANCE",
                       "CRM-APP": "APP-CRM-APP"}),  # root pool names nothing
    ("vapp", {"REV-WEB": "APP-REV-WEB", "CRM-APP": "APP-CRM-VAPP"}),
    ("annotation", {"REV-WEB": "APP-REVENUES-WEB-TIER", "REV-DB": "APP-REVENUES-DATABASE"}),
    ("column:Service", {"REV-WEB": "APP-REVENUES", "REV-DB": "APP-REVENUES",
                        "CRM-APP": "APP-CUSTOMER"}),
])
def test_applications_from_grouping(tmp_path: Path, grouping: str,
                                    expect: dict[str, str]) -> None:
    result = read_source("rvtools", export(tmp_path), apps_from=grouping, today=TODAY)
    servers = {r["server_id"]: r for r in result.rows["servers"]}
    for sid, app in expect.items():
        assert servers[sid]["app_ids"] == app, (grouping, sid)
    # a VM the grouping names nothing for gets an application of its own
    assert servers["OLD-FTP"]["app_ids"] == "APP-OLD-FTP"
    assert ("app_ids" in result.owned["servers"]) == (grouping != "vm")


def test_regrouping_replaces_the_per_vm_applications(tmp_path: Path) -> None:
    src = export(tmp_path)
    out = tmp_path / "estate.xlsx"
    run_import("rvtools", src, out, today=TODAY)
    # the user adds an application by hand, a dependency and a contract naming per-VM ones
    wb = openpyxl.load_workbook(out)
    wb["applications"].append(["APP-MINE", "Typed by hand"])
    wb["servers"].append(["MINE01", "mine01", "CIVIC", "physical", None, 2, 4, 50, "",
                          "APP-MINE"])
    deps = wb.create_sheet("dependencies")
    deps.append(["from_id", "to_id", "kind"])
    deps.append(["APP-REV-WEB", "APP-REV-DB", "together"])
    deps.append(["APP-MINE", "APP-OLD-FTP", "loose"])
    cons = wb["contracts"]
    head = [c.value for c in cons[1]]
    cons.append([{"contract_id": "C1", "annual_value": 1000, "end_date": "2028-03-31",
                  "covers": "APP-REV-WEB; APP-MINE"}.get(h) for h in head])
    wb.save(out)
    _, report = run_import("rvtools", src, out, apps_from="folder", today=TODAY)
    apps = rows(out, "applications")
    assert set(apps) == {"APP-REVENUES", "APP-CRM", "APP-OLD-FTP", "APP-MINE"}
    assert report.changes["applications"].removed == ["APP-CRM-APP", "APP-REV-DB",
                                                      "APP-REV-WEB"]
    sheets = read_tables(out).sheets
    assert [r.cells["to_id"] for r in sheets["dependencies"].rows] == ["APP-OLD-FTP"]
    assert rows(out, "contracts")["C1"]["covers"] == "APP-MINE"
    estate = load_estate(out)
    assert validate_estate(estate) == []
    resolved = resolve(estate)
    assert resolved.app_by_id["APP-REVENUES"].current_monthly_cost > 0
    # the powered-off VM's application may be retired (an option, not a decision)
    assert "retire" in {o.strategy for o in resolved.options_by_app["APP-OLD-FTP"]}
    # and back to one application per VM: the folder applications go in turn
    run_import("rvtools", src, out, apps_from="vm", today=TODAY)
    assert "APP-REVENUES" in rows(out, "applications")  # vm grouping never overwrites


def test_estimated_hypervisor_subscriptions_per_cluster(tmp_path: Path) -> None:
    out = tmp_path / "estate.xlsx"
    result, _ = run_import("rvtools", export(tmp_path), out, today=TODAY)
    cons = rows(out, "contracts")
    assert set(cons) == {"EST-VSPHERE-PROD", "EST-VSPHERE-DR", "EST-VSPHERE-SMALL"}
    prod = cons["EST-VSPHERE-PROD"]
    # esx1: 2 CPUs x 12 cores -> 16-core minimum per CPU = 32 cores x 106.3
    assert float(prod["annual_value"]) == pytest.approx(32 * 106.3)
    assert prod["covers"] == "ESX1" and prod["estimated"] == "yes"
    # plan from June 2026 (the month after today, May 2026): the first term ends
    # the day before its first anniversary, 31 May 2027
    assert prod["end_date"] == "2027-05-31"
    assert float(cons["EST-VSPHERE-SMALL"]["annual_value"]) == pytest.approx(16 * 106.3)
    # a host a register contract covers gets no estimate; the user's own row is kept
    wb = openpyxl.load_workbook(out)
    ws = wb["contracts"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "EST-VSPHERE-DR":
            row[head.index("estimated")].value = "no"
            row[head.index("annual_value")].value = 999
    ws.append([{"contract_id": "VMW-1", "annual_value": 5000, "end_date": "2028-03-31",
                "covers": "ESX1"}.get(h) for h in head])
    wb.save(out)
    result, _ = run_import("rvtools", export(tmp_path), out, today=TODAY)
    ids = {r["contract_id"] for r in result.rows.get("contracts", [])}
    assert ids == {"EST-VSPHERE-SMALL"}
    assert rows(out, "contracts")["EST-VSPHERE-DR"]["annual_value"] == "999"


def test_cloud_target_added_only_when_the_workbook_has_none(tmp_path: Path) -> None:
    out = tmp_path / "estate.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "sites"
    ws.append(["site_id", "name", "kind"])
    ws.append(["AZ-UKS", "Azure UK South", "cloud"])
    wb.save(out)
    run_import("rvtools", export(tmp_path), out, today=TODAY)
    assert "CLOUD-UK" not in rows(out, "sites")
    resolved = resolve(load_estate(out))
    rehost = [o for o in resolved.options_by_app["APP-REV-WEB"] if o.strategy == "rehost"]
    assert [o.target_site for o in rehost] == ["AZ-UKS"]
