"""What staying costs, in the reports: read back and compared with the breakdown the
resolver wrote (reports compute nothing of their own)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest
from test_staying import estate

from estate.model import Contract
from estate.resolve import resolve
from reports.contracts import write_contracts
from reports.migration import write_migration
from reports.roadmap import render
from solver.solve import solve


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    raw = estate()
    reg = Contract("C9", 12_000, "2027-03-31", supplier="Civica", title="Revenues support",
                   covers=("A1",), department="Finance", cpv_code="48000000-8",
                   total_value=60_000)
    raw = dataclasses.replace(raw, contracts=raw.contracts + (reg,))
    est = resolve(raw)
    result = solve(est, time_limit=10, workers=1, seed=0)
    d = tmp_path_factory.mktemp("staying")
    return est, result.plan, d


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], r, strict=True)) for r in values[1:] if r[0] is not None]


def test_cost_of_staying_sheet(planned) -> None:  # type: ignore[no-untyped-def]
    est, plan, d = planned
    b = est.assumptions["cost_of_staying"]
    rows = _rows(write_migration(est, plan, d / "migration-plan.xlsx"), "Cost of staying")
    by_id = {(r["Level"], r["Id"]): r for r in rows}
    whole = by_id[("Estate", None)]  # an empty cell reads back as None
    assert whole["Total (£/year)"] == pytest.approx(b["total_per_year"])
    assert whole["Operations labour (£/year)"] == pytest.approx(b["per_year"]["labour"])
    site = by_id[("Site", "DC1")]
    assert site["Facilities (£/year)"] == pytest.approx(b["sites"]["DC1"]["facilities"])
    assert site["Hypervisor licences (£/year)"] == pytest.approx(3401.6)
    assert site["Hardware refresh (£/year)"] == pytest.approx((6140.80 + 3687.04) / 5, abs=0.01)
    a1 = by_id[("Application", "A1")]
    assert a1["Site"] == "DC1"
    for label, key in (("Extended security updates (£/year)", "extended_support"),
                       ("OS licences (£/year)", "os_licences"), ("Storage (£/year)", "storage")):
        assert a1[label] == pytest.approx(b["applications"]["A1"][key])
    assert a1["Total (£/year)"] == pytest.approx(12 * est.app_by_id["A1"].current_monthly_cost,
                                                  abs=0.05)
    assert "estimated" in str(a1["Basis"])


def test_roadmap_what_staying_costs(planned) -> None:  # type: ignore[no-untyped-def]
    est, plan, _ = planned
    html = render(est, plan)
    assert 'id="staying-table"' in html
    total = est.assumptions["cost_of_staying"]["total_per_year"]
    assert f"£{total:,.0f} a year" in html
    assert 'data-key="hypervisor_licences"' in html and "Hypervisor licences" in html


def test_renewals_show_department_cpv_total_and_estimated(planned) -> None:  # type: ignore[no-untyped-def]
    est, plan, d = planned
    rows = {r["Contract"]: r for r in _rows(write_contracts(est, plan, d / "contracts.xlsx"),
                                            "Renewals")}
    assert (rows["C9"]["Department"], rows["C9"]["CPV code"]) == ("Finance", "48000000-8")
    assert rows["C9"]["Total contract value"] == 60_000
    assert rows["C9"]["Source"] == "contract register"
    assert "estimated" in str(rows["EST-VSPHERE-DC1"]["Source"])
