"""Forged claims in a plan.json: ``optimal`` relabelled, ``unknown`` with empty
lists, a scenario plan passed off as the workbook's, large totals nudged."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import main
from estate.cli.pipeline import plan_estate
from estate.resolve import resolve
from inventory.load import load_estate
from inventory.writer import write_estate
from solver.check import check_plan, same
from solver.greedy import greedy
from solver.solve import solve
from tests.estates import sample_estate
from tests.test_check import plan_of


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_estate(sample_estate(), tmp_path / "estate")


def test_totals_agree_to_the_penny_however_large() -> None:
    big = 8.5e10
    assert not same(big, big + 84.0)  # a relative 1e-9 let £84 through
    assert not same(big, big + 0.02)
    assert same(big, big + 0.001)
    assert same(0.0, 0.009) and not same(0.0, 0.011)


def test_a_genuine_optimum_is_proved_again(book: Path) -> None:
    raw = load_estate(book)
    plan = plan_estate(raw, time_limit=10, workers=1).result.plan
    assert plan.status == "optimal"
    report = check_plan(raw, plan, verify_seconds=10, workers=1)
    assert report.ok, report.differences
    assert any(n.startswith("optimal: confirmed") for n in report.notes)


def test_a_feasible_plan_relabelled_optimal_is_caught(book: Path) -> None:
    raw = load_estate(book)
    est = resolve(raw)
    decisions, ev = greedy(est)
    assert decisions is not None and ev is not None
    best = solve(est, time_limit=10, workers=1)
    assert best.status == "optimal" and best.objective is not None
    # worked by hand: the greedy (cloud first) plan of the sample estate costs more than
    # the optimum, so claiming it optimal with bound = objective is a forgery
    assert ev.totals.objective > best.objective + 1.0
    forged = plan_of(est, decisions, status="optimal")
    forged = replace(forged, bound=forged.objective, gap=0.0,
                     assumptions=dict(est.assumptions))
    report = check_plan(raw, forged, verify_seconds=10, workers=1)
    status = report.of_kind("status")
    assert [d.where for d in status] == ["status"], report.differences
    assert "claims to be optimal, but the solver finds a plan" in status[0].message
    assert f"£{ev.totals.objective - best.objective:,.2f} cheaper" in status[0].message


def test_an_unproved_optimal_claim_is_not_verified(book: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    raw = load_estate(book)
    plan = plan_estate(raw, time_limit=10, workers=1).result.plan
    path = tmp_path / "plan.json"
    plan.write(path)
    import solver.verify as verify

    real = verify.solve

    def no_proof(*a, **k):  # type: ignore[no-untyped-def]
        r = real(*a, **k)
        return replace(r, plan=replace(r.plan, status="feasible"))

    monkeypatch.setattr(verify, "solve", no_proof)
    r = CliRunner().invoke(main, ["check", str(book), str(path), "--time-limit", "3",
                                  "--workers", "1"])
    assert r.exit_code == 1, r.output
    assert "not verified in 3 s" in r.output and "NOT VERIFIED" in r.output
    assert "OK" not in r.output


def test_unknown_with_empty_lists_fails(book: Path, tmp_path: Path) -> None:
    raw = load_estate(book)
    plan = plan_estate(raw, time_limit=10, workers=1).result.plan
    data = json.loads(plan.to_json())
    for key in ("applications", "servers", "contracts", "sites", "alternatives",
                "greedy_applications"):
        if key in data:
            data[key] = []
    for key in ("objective", "bound", "gap", "totals", "greedy", "ledger", "greedy_ledger"):
        if key in data:
            data[key] = None
    data["status"] = "unknown"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["check", str(book), str(path)])
    assert r.exit_code == 1, r.output
    assert "claims 'unknown'" in r.output and "OK" not in r.output


def test_a_scenario_plan_is_named_and_checked_against_the_workbook(
        book: Path, tmp_path: Path) -> None:
    raw = load_estate(book)
    plan = plan_estate(raw, time_limit=10, workers=1).result.plan
    # the plan claims a scenario that loosens the workbook: it is named, and
    # without --scenario-ok the workbook's own rules (and prices) hold
    sc = {"name": "loose\x1b[2J", "overrides": {"carbon_price": 999}}
    data = json.loads(plan.to_json())
    data["assumptions"]["scenario"] = sc
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["check", str(book), str(path), "--time-limit", "10",
                                  "--workers", "1"])
    assert "scenario 'loose\\x1b[2J'" in r.output and "\x1b" not in r.output, r.output
    assert "workbook's own rules" in r.output
    # the plan was made without the scenario, so it agrees with the workbook ...
    assert r.exit_code == 0, r.output
    # ... and not with the scenario it claims
    r = CliRunner().invoke(main, ["check", str(book), str(path), "--scenario-ok",
                                  "--time-limit", "10", "--workers", "1"])
    assert r.exit_code == 1 and "checked under it (--scenario-ok)" in r.output, r.output
