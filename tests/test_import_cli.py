"""`estate import` command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from estate.cli import main
from inventory.tables import read_tables

V4 = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
      "Datacenter", "Cluster", "Host", "OS according to the configuration file",
      "OS according to the VMware Tools", "App"]
VMS = [
    ["web01", "poweredOn", "False", 2, 8192, 102400, 51200, "DC", "C1", "esx1", "", "", ""],
    ["db01", "poweredOn", "False", 4, 16384, 204800, 204800, "DC", "C1", "esx2", "", "", ""],
    ["old01", "poweredOff", "False", 1, 2048, 10240, 1024, "DC", "C1", "esx1", "", "", ""],
    ["tmpl", "poweredOff", "True", 1, 2048, 10240, 1024, "DC", "C1", "esx1", "", "", ""],
]


def make_xlsx(path: Path, header: list[str], vms: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vInfo"
    ws.append(header)
    for v in vms:
        ws.append(v)
    wh = wb.create_sheet("vHost")
    for h in (["Host", "# Cores", "# Memory"], ["esx1", 16, 262144], ["esx2", 16, 131072]):
        wh.append(h)
    wb.save(path)
    return path


def test_cli_rvtools_then_strict(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS + [["x", "poweredOn", "False", "?", 1, 1,
                                                       1, "DC", "C1", "esx1", "", "", ""]])
    out = tmp_path / "estate.xlsx"
    runner = CliRunner()
    res = runner.invoke(main, ["import", "rvtools", str(src), "--into", str(out),
                               "--site", "TOWNHALL", "--problems", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    assert "servers: 6 added" in res.output and "powered off" in res.output
    assert "1 problem" in res.output and "row 6, column cpus" in res.output
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").count("\n") == 2
    sites = read_tables(out).sheets["sites"].rows
    assert sites[0].cells["site_id"] == "TOWNHALL"
    strict_out = tmp_path / "strict.xlsx"
    res = runner.invoke(main, ["import", "rvtools", str(src), "--into", str(strict_out),
                               "--strict"])
    assert res.exit_code == 1 and not strict_out.exists()
    assert "nothing was written" in res.output


def test_cli_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "rv.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    res = CliRunner().invoke(main, ["import", "rvtools", str(bad), "--into",
                                    str(tmp_path / "e.xlsx")])
    assert res.exit_code == 1 and "not an .xlsx workbook" in res.output
    assert not (tmp_path / "e.xlsx").exists()
