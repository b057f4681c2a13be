"""``compare_plan`` and ``estate check``: a plan recomputed by the evaluator."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import main
from estate.plan import Plan, ServerPlan
from solver.evaluate import baseline, compare_plan, evaluate
from solver.greedy import greedy
from tests.estates import sample_estate


def plan_of(estate, decisions, status: str = "feasible") -> Plan:
    """The plan.json a correct solver would write for these decisions."""
    ev = evaluate(estate, decisions)
    g = greedy(estate)[1]
    return Plan(
        status=status, objective=ev.totals.objective, bound=0.0, gap=1.0, solve_seconds=0.0,
        horizon_start=estate.settings.horizon_start,
        horizon_months=estate.settings.horizon_months,
        applications=ev.applications, servers=ev.servers, contracts=ev.contracts,
        sites=ev.sites, totals=ev.totals, baseline=baseline(estate).totals,
        greedy=None if g is None else g.totals, ledger=ev.ledger,
    )


@pytest.fixture
def good():
    est = sample_estate()
    decisions, _ = greedy(est)
    assert decisions is not None
    return est, plan_of(est, decisions)


def test_a_correct_plan_agrees(good) -> None:
    est, plan = good
    assert compare_plan(est, plan) == []
    # within £1 / 0.1 % is agreement
    t = plan.totals
    nudged = replace(plan, totals=replace(t, cost=t.cost + 0.9), objective=t.objective * 1.0009)
    assert compare_plan(est, nudged) == []


def test_tampered_total_is_detected(good) -> None:
    est, plan = good
    t = plan.totals
    bad = replace(plan, totals=replace(t, cost=t.cost * 1.002))
    diffs = compare_plan(est, bad)
    assert len(diffs) == 1 and diffs[0].startswith("totals.cost:")
    bad = replace(plan, baseline=replace(plan.baseline, co2e_tonnes=plan.baseline.co2e_tonnes
                                         * 1.002))
    assert [d.split(":")[0] for d in compare_plan(est, bad)] == ["baseline.co2e_tonnes"]
    bad = replace(plan, greedy=replace(plan.greedy, objective=plan.greedy.objective * 1.002))
    assert [d.split(":")[0] for d in compare_plan(est, bad)] == ["greedy.objective"]


def test_tampered_decommission_month_is_detected(good) -> None:
    est, plan = good
    servers = list(plan.servers)
    s = servers[3]
    servers[3] = ServerPlan(s.server_id, "2029-01", s.zombie, s.replaced)
    diffs = compare_plan(est, replace(plan, servers=tuple(servers)))
    assert len(diffs) == 1
    assert s.server_id in diffs[0] and "decommissioned" in diffs[0] and "2029-01" in diffs[0]


def test_missing_rows_broken_rules_and_horizon(good) -> None:
    est, plan = good
    diffs = compare_plan(est, replace(plan, sites=plan.sites[1:]))
    assert diffs == [f"site {plan.sites[0].site_id}: missing from the plan"]
    # A2 moved before A1 is live: a broken rule (and the totals then differ)
    apps = list(plan.applications)
    apps[1] = replace(apps[1], start="2025-04")
    diffs = compare_plan(est, replace(plan, applications=tuple(apps)))
    assert any(d.startswith("rule broken:") and "A2" in d for d in diffs)
    diffs = compare_plan(est, replace(plan, horizon_months=36))
    assert len(diffs) == 1 and diffs[0].startswith("horizon")


def test_infeasible_plan_checks_baseline_only(good) -> None:
    est, _ = good
    plan = Plan(status="infeasible", objective=None, bound=None, gap=None, solve_seconds=0.0,
                horizon_start=est.settings.horizon_start,
                horizon_months=est.settings.horizon_months, baseline=baseline(est).totals,
                conflicts=("something",))
    assert compare_plan(est, plan) == []
    assert compare_plan(est, replace(plan, baseline=None)) != []


# -- the command ---------------------------------------------------------------
@pytest.fixture
def cli(monkeypatch, tmp_path: Path, good):
    """Run ``estate check`` with the loader and resolver stubbed to ``good``'s estate."""
    est, plan = good
    fake = types.ModuleType("estate.resolve")
    fake.resolve = lambda e: e  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "estate.resolve", fake)
    monkeypatch.setattr("inventory.load.load_estate", lambda path: est)
    book = tmp_path / "estate.xlsx"
    book.write_bytes(b"stub")

    def run(p: Plan, *extra: str):
        path = tmp_path / "plan.json"
        p.write(path)
        return CliRunner().invoke(main, ["check", str(book), str(path), *extra])

    return run, plan, tmp_path


def test_check_command_ok_and_failed(cli) -> None:
    run, plan, _ = cli
    res = run(plan)
    assert res.exit_code == 0, res.output
    assert "OK" in res.output and "baseline" in res.output
    bad = replace(plan, totals=replace(plan.totals, objective=plan.totals.objective * 1.002))
    res = run(replace(bad, objective=bad.totals.objective))
    assert res.exit_code == 1
    assert "totals.objective" in res.output and "FAILED" in res.output


def test_check_command_reference(cli, good) -> None:
    run, plan, tmp = cli
    est, _ = good
    ref = plan_of(est, [])  # retain everything except must-move ... A4 must finish by
    ref_path = tmp / "ref.json"
    ref.write(ref_path)
    res = run(replace(plan, status="optimal"), "--reference", str(ref_path))
    # the all-retain reference breaks A4's must_finish_by: reported, so exit 1
    assert res.exit_code == 1 and "reference" in res.output and "A4" in res.output
    plan.write(ref_path)
    res = run(replace(plan, status="optimal"), "--reference", str(ref_path))
    assert res.exit_code == 0, res.output


def test_check_command_unreadable_plan(cli, tmp_path: Path) -> None:
    run, plan, tmp = cli
    (tmp / "broken.json").write_text("{", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(tmp / "estate.xlsx"), str(tmp / "broken.json")])
    assert res.exit_code == 1 and "cannot read plan" in res.output
