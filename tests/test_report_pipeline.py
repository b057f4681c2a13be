"""The reports of a real plan (synth → resolve → solve).

Cross-checks the reports' own contract arithmetic with the evaluator's ledger.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest


def _rows(path: Path, sheet: str) -> dict[str, dict[str, object]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    out = {}
    for r in rows[1:]:
        if r[0] is None:
            break
        out[r[0]] = dict(zip(rows[0], r, strict=True))
    return out


def _month(label: str | None) -> dt.datetime | None:
    return None if label is None else dt.datetime(int(label[:4]), int(label[5:7]), 1)


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from estate.resolve import resolve
    from inventory.synth import synth_estate
    from reports import write_reports
    from solver.solve import solve

    estate = resolve(synth_estate(25, 3))
    result = solve(estate, time_limit=10.0, workers=1)
    out = tmp_path_factory.mktemp("pipeline")
    write_reports(estate, result, out, pdf=False)
    return estate, result, out


def test_workbooks_agree_with_the_plan(solved) -> None:  # type: ignore[no-untyped-def]
    estate, result, out = solved
    plan = result.plan
    assert plan.status in ("optimal", "feasible") and plan.applications, plan.status
    apps = _rows(out / "migration-plan.xlsx", "Applications")
    for ap in plan.applications:
        assert apps[ap.app_id]["Start"] == _month(ap.start)
        assert apps[ap.app_id]["Live from"] == _month(ap.live_from)
        assert apps[ap.app_id]["Strategy"] == ap.strategy
    renewals = _rows(out / "contracts.xlsx", "Renewals")
    for cp in plan.contracts:
        assert renewals[cp.contract_id]["Notice by"] == _month(cp.notice_by)
        assert renewals[cp.contract_id]["Renewals"] == cp.renewals
    if plan.ledger is not None and "contracts" in plan.ledger.cost:
        ours = sum(r["Spend in horizon"] for r in renewals.values())
        theirs = sum(plan.ledger.cost["contracts"])
        assert ours == pytest.approx(theirs, rel=1e-6, abs=1.0)
