"""``estate import rvtools --propose-actuals``: a later on-premises export
proposes the VMs gone; an export of a cloud vCenter (Azure VMware Solution)
proposes the applications now live there. Rows are marked proposed, never
duplicated, and the workbook stays valid."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from estate.cli import main
from inventory.load import load_estate
from tests.test_import_rvtools import V4, VMS, make_xlsx


def imp(*args: str) -> object:
    return CliRunner().invoke(main, ["import", "rvtools", *args])


def test_later_exports_propose_actuals(tmp_path: Path) -> None:
    book = tmp_path / "estate.xlsx"
    first = make_xlsx(tmp_path / "rv1.xlsx", V4, VMS)
    r = imp(str(first), "--into", str(book))
    assert r.exit_code == 0, r.output
    # six months on: web01 is gone from the on-premises vCenter
    later = make_xlsx(tmp_path / "rv2.xlsx", V4, [v for v in VMS if v[0] != "web01"])
    r = imp(str(later), "--into", str(book), "--propose-actuals", "--month", "2026-09")
    assert r.exit_code == 0, r.output
    assert "servers gone 1" in r.output
    # and db01 runs in Azure VMware Solution, exported from its own vCenter
    avs = make_xlsx(tmp_path / "avs.xlsx", V4, [
        ["db01-avs", "poweredOn", "False", 4, 16384, 204800, 204800, "AVS", "C9", "avs-h1",
         "", "Red Hat Enterprise Linux 8 (64-bit)", ""]], hosts=None)
    amap = tmp_path / "map.csv"
    amap.write_text("server,application\ndb01-avs,db01\n", encoding="utf-8")
    r = imp(str(avs), "--into", str(book), "--site-kind", "cloud", "--app-map", str(amap),
            "--propose-actuals", "--month", "2026-09")
    assert r.exit_code == 0, r.output
    assert "applications live at a cloud site 1" in r.output
    e = load_estate(book)
    got = sorted((a.kind, a.item_id, a.month, a.strategy, a.target_site, a.status)
                 for a in e.actuals)
    assert got == [("application", "APP-DB01", "2026-09", "rehost", "AVS", "proposed"),
                   ("server", "WEB01", "2026-09", None, None, "proposed")]
    # the same export again proposes nothing new
    r = imp(str(later), "--into", str(book), "--propose-actuals", "--month", "2026-10")
    assert r.exit_code == 0 and "servers gone 0" in r.output
    assert len(load_estate(book).actuals) == 2


def test_propose_actuals_needs_a_workbook_and_rvtools(tmp_path: Path) -> None:
    src = make_xlsx(tmp_path / "rv.xlsx", V4, VMS)
    r = imp(str(src), "--into", str(tmp_path / "new.xlsx"), "--propose-actuals")
    assert r.exit_code == 1 and "existing workbook" in r.output
    assert not (tmp_path / "new.xlsx").exists()
