"""The ``actuals`` sheet: read, checked across sheets, written back; left out
of the fingerprint; :func:`estate.actuals.timing` and the re-plan rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.actuals import Actual, Replan, apply_replan, replan_of, timing
from estate.errors import EstateError
from estate.fingerprint import fingerprint
from estate.plan import AppPlan, Plan
from inventory.load import load_estate
from inventory.writer import write_estate
from tests.test_plan_cli import workbook

CONTRACTS = "contract_id,supplier,annual_value,end_date,covers\nC1,Acme,12000,2025-12-31,A2\n"
GOOD = ("kind,id,month,strategy,target_site,one_off_cost,action,annual_value,status,note\n"
        "application,A1,2025-07,rehost,AZ,2500,,,,cut over late\n"
        "contract,C1,2025-10,,,,renegotiated,9000,,\n"
        "site,DC1,2026-01,,,,,,proposed,\n"
        "server,S2,2025-06,,,,,,,\n")


def book(tmp: Path, actuals: str = GOOD) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    folder = workbook(tmp)
    (folder / "contracts.csv").write_text(CONTRACTS, encoding="utf-8")
    if actuals:
        (folder / "actuals.csv").write_text(actuals, encoding="utf-8")
    return folder


def test_actuals_are_read_and_written_back(tmp_path: Path) -> None:
    e = load_estate(book(tmp_path / "a"))
    assert e.actuals == (
        Actual("application", "A1", "2025-07", strategy="rehost", target_site="AZ",
               one_off_cost=2500.0, note="cut over late"),
        Actual("contract", "C1", "2025-10", action="renegotiated", annual_value=9000.0),
        Actual("site", "DC1", "2026-01", status="proposed"),
        Actual("server", "S2", "2025-06"))
    again = load_estate(write_estate(e, tmp_path / "copy.xlsx"))
    assert again.actuals == e.actuals
    # what happened is not a planning input: the plans made before stay this workbook's
    assert fingerprint(e) == fingerprint(load_estate(book(tmp_path / "b", actuals="")))


@pytest.mark.parametrize(("row", "column", "says"), [
    ("application,A9,2025-07,rehost,AZ,,,,,", "id", "not a known application"),
    ("application,A1,2025-07,,,,,,,", "strategy", "strategy is required"),
    ("application,A1,2025-07,retain,,,,,,", "strategy", "must be one of"),
    ("application,A2,2025-07,rehost,AZ,,,,,", "strategy", "has no rehost to AZ option"),
    ("contract,C1,2025-10,,,,,,,", "action", "action is required"),
    ("contract,C1,2025-10,,,,renegotiated,,,", "annual_value", "annual_value is required"),
    ("server,S1,,,,,,,,", "month", "month is required"),
    ("site,DC1,2026-01,rehost,,,,,,", "strategy", "only for applications"),
    ("server,S1,2025-06,,,,,,maybe,", "status", "status must be one of"),
])
def test_bad_actuals_are_located(tmp_path: Path, row: str, column: str, says: str) -> None:
    header = GOOD.splitlines()[0]
    with pytest.raises(EstateError) as e:
        load_estate(book(tmp_path, f"{header}\n{row}\n"))
    [issue] = [i for i in e.value.issues if i.sheet == "actuals"]
    assert (issue.row, issue.column) == (2, column) and says in issue.message, issue


def test_two_confirmed_actuals_of_one_item(tmp_path: Path) -> None:
    rows = GOOD + "application,A1,2025-08,rehost,AZ,,,,,\n"
    with pytest.raises(EstateError, match="two confirmed actuals"):
        load_estate(book(tmp_path, rows))


def test_timing() -> None:
    assert [timing("2027-03", a, "2027-06") for a in ("2027-02", "2027-03", "2027-04")] == [
        "early", "on time", "late"]
    assert timing("2027-03", None, "2027-06") == "overdue"
    assert timing("2027-09", None, "2027-06") == "not yet"
    assert timing(None, "2027-01", "2027-06") == "unplanned"


def test_replan_pins_what_happened_and_keeps_moves_in_flight(tmp_path: Path) -> None:
    # A1 went live 2025-07 by rehost (a 2-month move): pinned to start 2025-05.
    # A2 was in flight today (2025-09) in the previous plan (start 2025-08, live
    # 2025-10): kept. Nothing else may start before today; C1 costs £9,000 a year.
    from estate.resolve import resolve

    e = resolve(load_estate(book(tmp_path)))
    before = Plan("optimal", 1.0, 1.0, 0.0, 0.0, "2025-04", 12, applications=(
        AppPlan("A1", "rehost", "AZ", "2025-04", "2025-06"),
        AppPlan("A2", "retire", None, "2025-08", "2025-10")))
    pins, rp = replan_of(e, "2025-09", before)
    assert [(p.app_id, p.strategy, p.target_site, p.start) for p in pins] == [
        ("A1", "rehost", "AZ", "2025-05"), ("A2", "retire", None, "2025-08")]
    assert rp == Replan("2025-09", (), (("C1", 9000.0),), ("A1",))
    assert Replan.from_json(rp.to_json()) == rp
    pins, rp = replan_of(e, "2025-09", None)
    assert rp.not_before == ("A2",)
    changed = apply_replan(e, rp)
    assert changed.app_by_id["A2"].earliest_start == "2025-09"
    assert changed.app_by_id["A1"].earliest_start == e.app_by_id["A1"].earliest_start
    assert changed.contract_by_id["C1"].annual_value == 9000.0
    # A1 is done: its team days are spent, and nothing else changes for it
    done = apply_replan(e, Replan("2025-09", ("A2",), (), ("A1",)))
    assert all(not o.effort for o in done.options if o.app_id == "A1")
    assert any(o.effort for o in done.options if o.app_id == "A2")
    # a financial year over before today no longer limits one-off spend
    from dataclasses import replace

    from estate.model import BudgetYear

    years = replace(e, budget=(BudgetYear("2024/25", 1.0), BudgetYear("2025/26", 1.0)))
    assert [b.financial_year for b in apply_replan(years, rp).budget] == ["2025/26"]
