"""``compare_plan``, ``check_plan`` and ``estate check``: a plan recomputed strictly."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import main
from estate.cli.pipeline import plan_estate
from estate.errors import EstateError
from estate.model import Pin
from estate.pins import pins_of
from estate.plan import Ledger, Plan, ServerPlan, read_plan
from estate.resolve import resolve
from estate.violation import Violation
from inventory.load import load_estate
from inventory.writer import write_estate
from solver.check import check_plan, compare_plan
from solver.evaluate import baseline, evaluate
from solver.greedy import greedy
from tests.estates import sample_estate


def plan_of(estate, decisions, status: str = "feasible") -> Plan:
    """The plan.json a correct solver would write for these decisions."""
    ev = evaluate(estate, decisions)
    g = greedy(estate)[1]
    base = baseline(estate)
    return Plan(
        status=status, objective=ev.totals.objective, bound=0.0, gap=1.0, solve_seconds=0.0,
        horizon_start=estate.settings.horizon_start,
        horizon_months=estate.settings.horizon_months,
        applications=ev.applications, servers=ev.servers, contracts=ev.contracts,
        sites=ev.sites, totals=ev.totals, baseline=base.totals,
        greedy=None if g is None else g.totals, ledger=ev.ledger,
        baseline_ledger=base.ledger,
    )


@pytest.fixture
def good():
    est = sample_estate()
    decisions, _ = greedy(est)
    assert decisions is not None
    return est, plan_of(est, decisions)


def wheres(diffs) -> list[str]:
    return [d.where for d in diffs]


def test_a_correct_plan_agrees(good) -> None:
    est, plan = good
    assert compare_plan(est, plan) == []
    t = plan.totals
    # a thousandth of a penny is the same figure; 90 pence is not (it was "within £1")
    same = replace(plan, totals=replace(t, cost=t.cost + 0.00001))
    assert compare_plan(est, same) == []
    nudged = replace(plan, totals=replace(t, cost=t.cost + 0.9))
    assert wheres(compare_plan(est, nudged)) == ["totals.cost"]


def test_tampered_total_is_detected(good) -> None:
    est, plan = good
    t = plan.totals
    diffs = compare_plan(est, replace(plan, totals=replace(t, cost=t.cost + 1.0)))
    assert len(diffs) == 1 and str(diffs[0]).startswith("totals.cost:")
    assert diffs[0].kind == "total"
    bad = replace(plan, baseline=replace(plan.baseline,
                                         co2e_tonnes=plan.baseline.co2e_tonnes + 0.00001))
    assert wheres(compare_plan(est, bad)) == ["baseline.co2e_tonnes"]
    bad = replace(plan, greedy=replace(plan.greedy, objective=plan.greedy.objective + 0.02))
    assert wheres(compare_plan(est, bad)) == ["greedy.objective"]


def test_tampered_ledger_is_detected(good) -> None:
    est, plan = good
    cost = {k: list(v) for k, v in plan.ledger.cost.items()}
    cost["contracts"][5] += 1.0
    bad = replace(plan, ledger=Ledger(cost=cost, carbon=plan.ledger.carbon))
    assert wheres(compare_plan(est, bad)) == ["ledger.cost.contracts[5]"]


def test_tampered_decommission_month_is_detected(good) -> None:
    est, plan = good
    servers = list(plan.servers)
    s = servers[3]
    servers[3] = ServerPlan(s.server_id, "2029-01", s.zombie, s.replaced)
    diffs = compare_plan(est, replace(plan, servers=tuple(servers)))
    assert len(diffs) == 1 and diffs[0].kind == "state"
    assert s.server_id in str(diffs[0]) and "decommissioned" in str(diffs[0])
    assert "2029-01" in str(diffs[0])


def test_missing_rows_broken_rules_and_horizon(good) -> None:
    est, plan = good
    diffs = compare_plan(est, replace(plan, sites=plan.sites[1:]))
    assert [str(d) for d in diffs] == [f"site {plan.sites[0].site_id}: missing from the plan"]
    # A2 moved before A1 is live: a broken rule (and the totals then differ)
    apps = list(plan.applications)
    apps[1] = replace(apps[1], start="2025-04")
    diffs = compare_plan(est, replace(plan, applications=tuple(apps)))
    assert any(d.kind == "rule" and d.violation is not None and d.violation.rule == "before"
               and d.violation.ids == ("A2", "A1") for d in diffs), diffs
    diffs = compare_plan(est, replace(plan, horizon_months=36))
    assert len(diffs) == 1 and diffs[0].where == "horizon"


def test_objective_bound_and_gap_must_be_consistent(good) -> None:
    est, plan = good
    assert wheres(compare_plan(est, replace(plan, gap=0.5))) == ["gap"]
    assert "bound" in wheres(compare_plan(est, replace(plan, bound=plan.objective + 5)))
    assert "objective" in wheres(compare_plan(est, replace(plan, objective=1.0)))


def test_greedy_null_is_checked(good) -> None:
    est, plan = good
    assert wheres(compare_plan(est, replace(plan, greedy=None))) == ["greedy"]


def test_infeasible_plan_checks_baseline_only(good) -> None:
    est, _ = good
    plan = Plan(status="infeasible", objective=None, bound=None, gap=None, solve_seconds=0.0,
                horizon_start=est.settings.horizon_start,
                horizon_months=est.settings.horizon_months, baseline=baseline(est).totals,
                conflicts=(Violation("together", ("A", "B"), None, "something"),))
    assert compare_plan(est, plan) == []
    assert compare_plan(est, replace(plan, baseline=None)) != []
    assert wheres(compare_plan(est, replace(plan, conflicts=()))) == ["conflicts"]


# -- against the workbook -------------------------------------------------------------
@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_estate(sample_estate(), tmp_path / "estate")


def test_forged_infeasible_status_is_caught(book: Path) -> None:
    raw = load_estate(book)
    est = resolve(raw)
    forged = Plan(status="infeasible", objective=None, bound=None, gap=None,
                  solve_seconds=0.0, horizon_start=est.settings.horizon_start,
                  horizon_months=est.settings.horizon_months, baseline=baseline(est).totals,
                  conflicts=(Violation("budget", ("2025/26",), None, "nothing fits"),))
    report = check_plan(raw, forged, verify_seconds=5, workers=1)
    assert [d.where for d in report.of_kind("status")] == ["status"]
    assert "keeps every rule" in report.of_kind("status")[0].message


def test_planned_with_pins_then_checked(book: Path) -> None:
    raw = load_estate(book)
    first = plan_estate(raw, time_limit=5, workers=1).result.plan
    assert first.has_schedule
    # keep A3's decision and retain A1 (A1 must move before A2: the greedy plan changes)
    pins = tuple(p for p in pins_of(first) if p.app_id == "A3") + (Pin("A1", "retain"),)
    run = plan_estate(raw, pins=pins, time_limit=5, workers=1)
    plan = run.result.plan
    assert plan.assumptions["pins"] and plan.greedy is not None
    assert plan.greedy != greedy(resolve(raw))[1].totals  # the pins moved the greedy plan
    report = check_plan(raw, plan)
    assert report.ok, [str(d) for d in report.differences]
    a1 = next(a for a in plan.applications if a.app_id == "A1")
    assert a1.strategy == "retain"


def test_plan_from_another_workbook(book: Path, tmp_path: Path) -> None:
    raw = load_estate(book)
    plan = plan_estate(raw, time_limit=5, workers=1).result.plan
    assert plan.inputs["fingerprint"].startswith("sha256:")
    other = write_estate(sample_estate(), tmp_path / "other.xlsx")
    assert check_plan(load_estate(other), plan).ok  # the same estate in another file
    changed = replace(raw, applications=(replace(raw.applications[0], name="Renamed"),)
                      + raw.applications[1:])
    report = check_plan(changed, plan)
    assert [d.where for d in report.of_kind("inputs")] == ["inputs.fingerprint"]


# -- the command ---------------------------------------------------------------------
def run(*args: str):
    return CliRunner().invoke(main, ["check", *map(str, args)])


@pytest.fixture
def planned(book: Path, tmp_path: Path) -> Path:
    raw = load_estate(book)
    path = tmp_path / "plan.json"
    plan_estate(raw, time_limit=5, workers=1).result.plan.write(path)
    return path


def test_check_command_ok_and_failed(book: Path, planned: Path) -> None:
    res = run(book, planned)
    assert res.exit_code == 0, res.output
    assert "OK" in res.output and "baseline" in res.output
    data = json.loads(planned.read_text())
    data["totals"]["objective"] += 1.0
    data["objective"] = data["totals"]["objective"]
    planned.write_text(json.dumps(data))
    res = run(book, planned)
    assert res.exit_code == 1
    assert "totals.objective" in res.output and "FAILED" in res.output


def test_check_command_against(book: Path, planned: Path, tmp_path: Path) -> None:
    est = resolve(load_estate(book))
    ref = plan_of(est, [])  # every application retained: A4's must_finish_by is broken
    ref_path = tmp_path / "ref.json"
    ref.write(ref_path)
    res = run(book, planned, "--against", ref_path)
    assert res.exit_code == 1 and "--against" in res.output and "A4" in res.output
    res = run(book, planned, "--against", planned)
    assert res.exit_code == 0, res.output


def test_check_command_bad_plans(book: Path, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    res = run(book, tmp_path / "broken.json")
    assert res.exit_code == 1 and "not JSON" in res.output and "Traceback" not in res.output
    bad = {"status": "feasible", "horizon_start": "2025-04", "horizon_months": "48",
           "applications": [{"app_id": "A1", "strategy": "rehost", "target_site": "CLOUD",
                             "start": 12, "live_from": None}],
           "servers": [], "contracts": [], "sites": [], "totals": None, "baseline": None,
           "greedy": None, "objective": None, "bound": None, "gap": None}
    (tmp_path / "typed.json").write_text(json.dumps(bad), encoding="utf-8")
    res = run(book, tmp_path / "typed.json")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "horizon_months: expected a whole number ≥ 1" in res.output
    assert "applications[0].start: expected a month YYYY-MM or null, found 12" in res.output


def test_read_plan_reports_every_problem(tmp_path: Path) -> None:
    p = tmp_path / "p.json"
    p.write_text(json.dumps({"status": "done", "horizon_start": "April",
                             "horizon_months": 0, "greedy": None}))
    with pytest.raises(EstateError) as exc:
        read_plan(p)
    text = "\n".join(str(i) for i in exc.value.issues)
    for part in ("status: expected one of", "horizon_start: expected a month",
                 "horizon_months: expected a whole number ≥ 1", "applications: expected a "
                 "list, found nothing"):
        assert part in text, text
