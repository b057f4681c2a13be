"""Reports give each contract's rule and a per-unit contract's units and price at
each renewal, read back from the files (hand-worked estates of
tests/test_contract_rules.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
from test_contract_rules import _per_core
from test_solver_factory import Contract, app, make_estate, opt, run

from estate.staying import StayingInputs, breakdown
from reports.contracts import write_contracts
from reports.roadmap import write_roadmap


def _renewals(path: Path) -> dict[str, dict[str, object]]:
    ws = openpyxl.load_workbook(path)["Renewals"]
    head = [c.value for c in ws[1]]
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[0] is None:
            break
        out[row[0]] = dict(zip(head, row, strict=True))
    return out


def test_renewals_sheet_shows_units_price_and_saving(tmp_path: Path) -> None:
    # tests/test_contract_rules: A rehosts at L = 1, so every renewal of VS counts
    # H2's 40 cores (£1,200 a quarter) instead of 72 (£2,160): 3 × 960 = £2,880
    # saved by switching H1 off.
    e = _per_core()
    r = run(e)
    rows = _renewals(write_contracts(e, r.plan, tmp_path / "contracts.xlsx"))
    vs = rows["VS"]
    assert vs["Unit"] == "core" and vs["Price per unit"] == 120
    assert vs["Units at each renewal"] == ("2025-07: 40 cores = £4,800.00; 2025-10: 40 cores "
                                           "= £4,800.00; 2026-01: 40 cores = £4,800.00")
    assert vs["Saving from hardware switched off"] == 2880
    assert vs["Ends with"].startswith("retire")


def test_never_contract_says_it_runs_on(tmp_path: Path) -> None:
    e = make_estate([app("A", 50.0)], [opt("A", "retain"), opt("A")], H=24,
                    contracts=[Contract("WAN", 24000.0, "2025-06-30", category="connectivity",
                                        covers=("A",), ends_with="never")])
    r = run(e)
    wan = _renewals(write_contracts(e, r.plan, tmp_path / "contracts.xlsx"))["WAN"]
    assert wan["Decision"] == "runs on: ends with never (enterprise-wide)"
    assert wan["Ends with"].startswith("never: runs on")
    html = write_roadmap(e, r.plan, tmp_path / "roadmap.html").read_text(encoding="utf-8")
    assert 'id="running-on"' in html and "never: runs on to the end of the plan" in html


def test_staying_per_server_leaves_enterprise_contracts_apart() -> None:
    # EA (never) and an application-only licence are apart; the hardware contract
    # covering the site DC is counted: contracts per year = 9,000.
    e = _per_core()
    extra = (Contract("EA", 450000.0, "2026-06-30", ends_with="never", covers=("A",)),
             Contract("LIC", 30000.0, "2026-06-30", category="licence", covers=("A",)),
             Contract("HW", 9000.0, "2026-06-30", category="maintenance", covers=("DC",)))
    e = dataclasses.replace(e, contracts=e.contracts + extra)
    b = breakdown(e, StayingInputs({}, {}, {}))
    assert b["per_year"]["contracts"] == 9000
    assert b["apart"] == {"contracts": 480000.0, "ids": ["EA", "LIC"]}


def test_why_says_a_rehosted_applications_software_runs_on(tmp_path: Path) -> None:
    from test_contract_rules import _licences

    e = _licences()
    r = run(e)
    rows = _renewals(write_contracts(e, r.plan, tmp_path / "contracts.xlsx"))
    assert rows["LA"]["Why"] == "A A live in the cloud from 2025-05: its software runs on"
    assert rows["LA"]["Decision"] == "keep"
    assert rows["LB"]["Why"] == "B B retired from 2025-05"
    assert rows["LB"]["Decision"] == "end"
