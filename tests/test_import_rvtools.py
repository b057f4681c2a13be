"""RVTools importer: 4.x / 3.x / internal headers, CSV folder, problems, merge."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from estate.errors import EstateError
from inventory.importers import read_source, run_import
from inventory.tables import read_tables

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"

V4 = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
      "Datacenter", "Cluster", "Host", "OS according to the configuration file",
      "OS according to the VMware Tools", "App"]
V3 = [h.replace("MiB", "MB") for h in V4]
INTERNAL = ["vInfoVMName", "vInfoPowerstate", "vInfoTemplate", "vInfoCPUs", "vInfoMemory",
            "vInfoProvisioned", "vInfoInUse", "vInfoDataCenter", "vInfoCluster", "vInfoHost",
            "vInfoOS", "vInfoOSTools", "App"]
VMS = [
    ["web01", "poweredOn", "False", 2, 8192, 102400, 51200, "DC", "C1", "esx1.council.local",
     "Microsoft Windows Server 2019 (64-bit)", "", "Revenues"],
    ["db01", "poweredOn", "False", 4, 16384, 204800, 204800, "DC", "C1", "esx2",
     "", "Red Hat Enterprise Linux 8 (64-bit)", "Revenues"],
    ["old01", "poweredOff", "False", 1, 2048, 10240, 1024, "DC", "C1", "esx1", "", "", ""],
    ["tmpl", "poweredOff", "True", 1, 2048, 10240, 1024, "DC", "C1", "esx1", "", "", ""],
]
HOSTS = [["Host", "Datacenter", "Cluster", "# CPU", "Cores per CPU", "# Cores", "# Memory",
          "Vendor", "Model", "ESX Version"],
         ["esx1", "DC", "C1", 2, 8, 16, 262144, "HPE", "DL380", "VMware ESXi 7.0.3"],
         ["esx2", "DC", "C1", 2, 8, "", 131072, "HPE", "DL380", "VMware ESXi 7.0.3"]]


def make_xlsx(path: Path, header: list[str], vms: list[list[object]],
              hosts: list[list[object]] | None = HOSTS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    ws.append(header)
    for v in vms:
        ws.append(v)
    if hosts is not None:
        wh = wb.create_sheet("vHost")
        for h in hosts:
            wh.append(h)
    wb.save(path)
    return path


def servers(path: Path) -> dict[str, dict[str, str]]:
    return {r.cells["server_id"]: r.cells for r in read_tables(path).sheets["servers"].rows}


@pytest.mark.parametrize("header", [V4, V3, INTERNAL], ids=["4.x", "3.x", "internal"])
def test_headers_of_every_version(tmp_path: Path, header: list[str]) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", header, VMS)
    result = read_source("rvtools", src)
    assert result.counts == {"hosts": 2, "rows": 4, "imported": 3, "templates": 1,
                             "hypervisor_estimates": 1}
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    web = by_id["WEB01"]
    assert (web["kind"], web["vcpus"], web["ram_gb"], web["storage_gb"]) == ("virtual", 2, 8, 100)
    assert web["host_id"] == "ESX1"  # matched by short name
    assert web["os"].startswith("Microsoft Windows Server 2019")
    assert by_id["DB01"]["os"].startswith("Red Hat")  # falls back to VMware Tools OS
    assert by_id["ESX1"]["kind"] == "host" and by_id["ESX1"]["vcpus"] == 16
    assert by_id["ESX2"]["vcpus"] == 16  # # CPU x Cores per CPU when # Cores is blank
    assert by_id["ESX1"]["ram_gb"] == 256 and by_id["ESX1"]["os"] == "VMware ESXi 7.0.3"
    assert result.lists == {"templates": ["tmpl"], "powered_off": ["old01"]}
    assert not result.issues


def test_in_use_storage_option(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    result = read_source("rvtools", src, storage="in-use")
    assert {r["server_id"]: r for r in result.rows["servers"]}["WEB01"]["storage_gb"] == 50
    assert "In Use" in result.notes[0] or "in use" in result.notes[0]


def test_csv_folder(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    with (folder / "RVTools_tabvInfo.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([INTERNAL, *VMS])
    with (folder / "RVTools_tabvHost.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["vHostName", "vHostNumCpuCores", "vHostMemorySize"],
                                  ["esx1", 16, 262144], ["esx2", 16, 131072]])
    out = tmp_path / "estate.xlsx"
    result, report = run_import("rvtools", folder, out)
    assert result.counts["imported"] == 3 and result.counts["hosts"] == 2
    assert servers(out)["DB01"]["host_id"] == "ESX2"


def test_problems_reported_and_nothing_lost(tmp_path: Path) -> None:
    vms = VMS + [
        ["", "poweredOn", "False", 1, 1024, 1, 1, "DC", "C1", "esx1", "", "", ""],
        ["bad", "poweredOn", "False", "two", "lots", 1024, 1, "DC", "C1", "esx9", "", "", ""],
        ["web01", "poweredOn", "False", 1, 1024, 1024, 1, "DC", "C1", "esx1", "", "", ""],
        ["neg", "poweredOn", "False", -1, 1024, 1024, 1, "DC", "C1", "esx1", "", "", ""],
    ]
    src = make_xlsx(tmp_path / "rv.xlsx", V4, vms)
    result = read_source("rvtools", src)
    c = result.counts
    assert c["rows"] == 8
    assert c["imported"] + c["templates"] + c["skipped"] == c["rows"]
    where = {(i.row, i.column) for i in result.issues}
    assert (6, "vm") in where  # blank name: skipped
    assert {(7, "cpus"), (7, "memory"), (7, "host")} <= where  # imported, values blank
    assert (8, "vm") in where  # duplicate name: imported as WEB01-2
    assert (9, "cpus") in where
    assert all(i.file == str(src) and i.sheet == "vInfo" for i in result.issues)
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    assert "WEB01-2" in by_id and by_id["BAD"]["vcpus"] is None and by_id["BAD"]["host_id"] == ""


def test_unknown_hosts_grouped_one_issue_per_host(tmp_path: Path) -> None:
    # five VMs on esx8 (3) and esx9 (2), which vHost does not list, one on esx1
    vms = [[f"vm{i}", "poweredOn", "False", 1, 1024, 1024, 1, "DC", "C1", host, "", "", ""]
           for i, host in enumerate(["esx8", "esx9", "esx8", "esx1", "esx9", "esx8"])]
    src = make_xlsx(tmp_path / "rv.xlsx", V4, vms)
    result = read_source("rvtools", src)
    host = [i for i in result.issues if i.column == "host"]
    assert [(i.value, i.row) for i in host] == [("esx8", 2), ("esx9", 3)]
    assert [[d.row for d in result.details[i]] for i in host] == [[2, 4, 7], [3, 6]]
    assert all(d.value == i.value and d.column == "host" and d.sheet == "vInfo"
               for i in host for d in result.details[i])
    assert "vm0" in host[0].message and "vm5" in host[0].message  # a few VM names
    assert len(result.in_full()) == len(result.issues) - 2 + 5
    by_id = {r["server_id"]: r.get("host_id") for r in result.rows["servers"]}
    assert by_id["VM3"] == "ESX1" and by_id["VM0"] == by_id["VM1"] == ""


def test_unknown_hosts_cli_prints_one_line_per_host_and_writes_every_row(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from estate.cli import main

    vms = [[f"vm{i}", "poweredOn", "False", 1, 1024, 1024, 1, "DC", "C1", host, "", "", ""]
           for i, host in enumerate(["esx8"] * 40 + ["esx9"] * 3)]
    src = make_xlsx(tmp_path / "rv.xlsx", V4, vms)
    out = CliRunner().invoke(main, ["import", "rvtools", str(src), "--into",
                                   str(tmp_path / "e.xlsx"), "--problems",
                                   str(tmp_path / "p.csv")])
    assert out.exit_code == 0, out.output
    lines = [x for x in out.output.splitlines() if x.startswith("    - ")]
    assert len(lines) == 2 and "esx8" in lines[0] and "esx9" in lines[1]
    with (tmp_path / "p.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(int(r["row"]) for r in rows if r["column"] == "host") == list(range(2, 45))


def test_missing_vm_column_is_an_error(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", ["Name", "CPUs"], [["a", 1]])
    with pytest.raises(EstateError, match="no column for vm"):
        read_source("rvtools", src)


def test_no_vhost_sheet(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS, hosts=None)
    result = read_source("rvtools", src)
    assert result.counts["imported"] == 3
    assert any("no vHost sheet" in i.message for i in result.issues)
    assert all(r["host_id"] == "" for r in result.rows["servers"])


def test_app_column_and_app_map(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    result = read_source("rvtools", src, app_column="app")
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    assert by_id["WEB01"]["app_ids"] == by_id["DB01"]["app_ids"] == "APP-REVENUES"
    assert by_id["OLD01"]["app_ids"] == "APP-OLD01"  # blank attribute: one app per VM
    assert "app_ids" in result.owned["servers"]
    amap = tmp_path / "map.csv"
    amap.write_text("server,application\nweb01,Council Tax\nDB01,Council Tax\n"
                    "ghost,Nothing\n", encoding="utf-8")
    result = read_source("rvtools", src, app_map=str(amap))
    by_id = {r["server_id"]: r for r in result.rows["servers"]}
    assert by_id["WEB01"]["app_ids"] == by_id["DB01"]["app_ids"] == "APP-COUNCIL-TAX"
    assert any("ghost" in i.message for i in result.issues)
    with pytest.raises(EstateError, match="no column 'owner'"):
        read_source("rvtools", src, app_column="owner")


def test_merge_twice_is_idempotent_and_keeps_user_edits(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    out = tmp_path / "estate.xlsx"
    run_import("rvtools", src, out)
    tables = read_tables(out)
    assert {"settings", "sites", "applications", "servers"} <= set(tables.sheets)
    assert tables.sheets["sites"].rows[0].cells == {"site_id": "DC", "name": "DC",
                                                    "kind": "on_prem",
                                                    "source": "rvtools datacenter"}
    # The user edits: regroups web01 and db01 into one application, sets a criticality,
    # adds their own column and row.
    wb = openpyxl.load_workbook(out)
    ws = wb["servers"]
    head = [c.value for c in ws[1]]
    ws.cell(1, len(head) + 1, "owner")
    for row in ws.iter_rows(min_row=2):
        if row[0].value in ("WEB01", "DB01"):
            row[head.index("app_ids")].value = "REVS"
            ws.cell(row[0].row, len(head) + 1, "Jo")
    ws.append(["MANUAL1", "manual", "DC", "physical"])
    wa = wb["applications"]
    wa.append(["REVS", "Revenues", "Finance", "critical"])
    wb.save(out)
    _, report = run_import("rvtools", src, out)
    assert report.changes["servers"].added == []
    assert report.changes["servers"].updated == {}
    assert report.changes["servers"].left_alone == 1
    s = servers(out)
    assert s["WEB01"]["app_ids"] == "REVS" and s["WEB01"]["owner"] == "Jo"
    assert "MANUAL1" in s
    apps = {r.cells["app_id"] for r in read_tables(out).sheets["applications"].rows}
    # the user's rows stay; the per-VM applications the import made and no server names
    # any more go (nothing is left dangling)
    assert "REVS" in apps and "APP-WEB01" not in apps and "APP-OLD01" in apps
    assert report.changes["applications"].removed == ["APP-DB01", "APP-WEB01"]
    # A change in the source updates only owned columns.
    vms = [list(v) for v in VMS]
    vms[0][3] = 8
    make_xlsx(src, V4, vms)
    _, report = run_import("rvtools", src, out)
    assert report.changes["servers"].updated == {"WEB01": ["vcpus"]}
    assert servers(out)["WEB01"]["vcpus"] == "8" and servers(out)["WEB01"]["owner"] == "Jo"


def test_default_apps_not_readded_after_regrouping(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    out = tmp_path / "estate.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "servers"
    ws.append(["server_id", "site_id", "kind", "app_ids"])
    ws.append(["WEB01", "DC1", "virtual", "REVS"])
    wt = wb.create_sheet("teams")
    wt.append(["team_id", "days_per_month"])
    wt.append(["migration", 40])
    wb.save(out)
    run_import("rvtools", src, out)
    sheets = read_tables(out).sheets
    apps = {r.cells["app_id"] for r in sheets["applications"].rows}
    assert "APP-WEB01" not in apps and "APP-DB01" in apps
    assert sheets["teams"].rows[0].cells == {"team_id": "migration", "days_per_month": "40"}


def test_csv_folder_target(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    out = tmp_path / "estate"
    run_import("rvtools", src, out)
    assert (out / "servers.csv").exists() and (out / "sites.csv").exists()
    _, report = run_import("rvtools", src, out)
    assert report.changes["servers"].unchanged == 5


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    out = tmp_path / "estate.xlsx"
    _, report = run_import("rvtools", src, out, dry_run=True)
    assert not out.exists() and len(report.changes["servers"].added) == 5


def test_formula_text_never_written_as_formula(tmp_path: Path) -> None:
    vms = [["=HYPERLINK(\"x\")", "poweredOn", "False", 1, 1024, 1024, 1, "DC", "C1", "esx1",
            "=1+1", "", ""]]
    src = make_xlsx(tmp_path / "rv.xlsx", V4, vms)
    out = tmp_path / "estate.xlsx"
    run_import("rvtools", src, out)
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


# -- real samples ------------------------------------------------------------

def sample(name: str) -> Path:
    path = SAMPLES / "rvtools" / name
    if not path.exists():
        pytest.skip(f"RVTools sample {name}: the public sample exports are not beside the "
                    "project (../shared/samples); the project ships none")
    return path


def test_sample_sizing_workshop_3x(tmp_path: Path) -> None:
    src = sample("mjvincent_SizingWorkshop-RVTools.xlsx")
    out = tmp_path / "estate.xlsx"
    result, report = run_import("rvtools", src, out)
    c = result.counts
    assert c["rows"] == 805
    assert c["imported"] + c["templates"] + c.get("skipped", 0) == c["rows"]
    assert c["templates"] == 10 and c["hosts"] == 34
    assert len(result.lists["powered_off"]) == 32
    # every VM whose host is not in vHost is reported: one issue per host, each
    # standing for its rows (744 VMs on 32 hosts vHost does not list)
    hostless = [r for r in result.rows["servers"] if r["kind"] == "virtual" and not r["host_id"]]
    rows = [d for ds in result.details.values() for d in ds]
    assert len(hostless) == len(rows) == 744
    assert len(result.details) == len({d.value for d in rows}) == 32
    assert all(summary.row == ds[0].row and summary.value == ds[0].value
               for summary, ds in result.details.items())
    assert len(result.in_full()) == len(result.issues) - 32 + 744
    assert all(i.row and i.sheet == "vInfo" and i.column for i in result.issues)
    assert len(servers(out)) == 795 + 34
    _, again = run_import("rvtools", src, out)
    assert again.changes["servers"].unchanged == 829 and not again.changes["servers"].added


def test_sample_kubev2v_4x_with_million_row_dimension() -> None:
    result = read_source("rvtools", sample("kubev2v-migration-planner_example1.xlsx"))
    assert result.counts["rows"] == 9 and result.counts["imported"] == 9
    assert result.counts["hosts"] == 7


def test_sample_small_complete() -> None:
    result = read_source("rvtools", sample("mjvincent_rvtools-small-complete.xlsx"))
    assert result.counts == {"hosts": 2, "rows": 3, "imported": 3, "hypervisor_estimates": 1}
    assert result.lists["powered_off"] == ["sample-archive-01"]
    assert not result.issues
