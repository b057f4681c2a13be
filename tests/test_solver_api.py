"""The public API of :func:`solver.solve.solve`: the Result and Plan it fills,
rounding, progress, hints, options, and the list-scheduled first plan."""

from __future__ import annotations

import random

import pytest
from test_solver_factory import Contract, Dependency, Team, app, make_estate, opt, run, server, site

from estate.plan import Plan


def _awkward() -> object:
    # Thirds and tiny amounts everywhere: scaled coefficients are rounded, the
    # reported totals must not be.
    return make_estate(
        [app("A", 100.0 / 3), app("B", 0.011), app("C", 7.0 / 3)],
        [opt("A", "retain"), opt("A", d=3, one_off=1000.0 / 3, monthly=0.004, kwh=1.0 / 3),
         opt("B", "retain"), opt("B", "retire", d=3, one_off=0.01),
         opt("C", "retain"), opt("C", "repurchase", "CLOUD", d=2, one_off=50.0 / 7, monthly=1 / 7)],
        servers=[server("S", ("A", "B"), watts=100.0 / 7, eol="2025-09", replacement=1000.0 / 3,
                        embodied=10.0 / 3)],
        sites=[site("DC", pue=1.37, price=0.1 / 3, fixed=10.0 / 3),
               site("CLOUD", "cloud", grid=0.07)],
        contracts=[Contract("K", 1000.0 / 3, "2025-08-31", covers=("A", "C"), renewal_uplift=0.033,
                            notice_months=2, renewal_term_months=5)],
        deps=[Dependency("A", "C", "loose", 1.0 / 3)],
        rate=0.035, carbon_price=123.456)


def test_totals_are_exact_and_bound_valid() -> None:
    from solver import evaluate
    e = _awkward()
    r = run(e)
    assert r.status == "optimal"
    ev = evaluate.evaluate(e, list(r.plan.decisions))
    for name in ("cost", "cost_discounted", "co2e_tonnes", "objective"):
        assert getattr(r.plan.totals, name) == pytest.approx(getattr(ev.totals, name),
                                                             rel=1e-9, abs=1e-9), name
    assert r.objective == r.plan.totals.objective == r.plan.objective
    assert r.bound <= r.objective and 0 <= r.gap < 1e-3
    assert r.objective - r.bound < 0.001 * r.objective


def test_result_and_plan_fields() -> None:
    e = _awkward()
    r = run(e, workers=2, time_limit=5.0)
    p = r.plan
    assert isinstance(p, Plan) and p.status == r.status
    assert (p.horizon_start, p.horizon_months) == ("2025-04", 12)
    assert [a.app_id for a in p.applications] == ["A", "B", "C"]
    assert [s.server_id for s in p.servers] == ["S"]
    assert [c.contract_id for c in p.contracts] == ["K"] and [s.site_id for s in p.sites] == [
        "DC", "CLOUD"]
    assert p.baseline is not None and p.ledger is not None and p.baseline_ledger is not None
    assert len(p.ledger.cost["applications"]) == 12
    if p.greedy is not None:
        assert p.greedy_ledger is not None and len(p.greedy_applications) == 3
        assert r.objective <= p.greedy.objective + 1e-6
    assert p.assumptions == e.assumptions
    d = p.to_dict()
    assert d["status"] == r.status and d["totals"]["objective"] == r.objective


def test_progress_is_reported() -> None:
    seen: list[tuple[float, float, float, float]] = []
    r = run(_awkward(), progress=lambda *a: seen.append(a))
    assert seen and all(b <= o + 1e-9 for _, o, b, _ in seen)
    assert seen[-1][1] == pytest.approx(r.objective, rel=1e-6, abs=0.05)


def test_no_hint_same_optimum() -> None:
    e = _awkward()
    assert run(e, hint=False).objective == pytest.approx(run(e).objective, rel=1e-9)


def test_bad_objective_name() -> None:
    with pytest.raises(ValueError, match="objective"):
        run(_awkward(), objective="cheap")


def test_unresolved_estate_is_refused() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="resolved"):
        run(replace(_awkward(), resolved=False))


def test_unknown_team_is_refused() -> None:
    e = make_estate([app("A")], [opt("A", effort={"nobody": 1.0})], teams=[Team("migration", 9)])
    with pytest.raises(ValueError, match="unknown team"):
        run(e)


def test_identical_estates_identical_plans() -> None:
    e = _awkward()
    assert run(e).plan.applications == run(e).plan.applications


def test_list_scheduled_plan_keeps_every_rule() -> None:
    from test_solver_vs_evaluator import random_estate

    from solver import evaluate
    from solver.model.build import Builder
    from solver.model.extract import decisions
    from solver.model.heuristic import first_plan
    from solver.model.prep import Prep

    complete = 0
    for seed in range(60):
        rng = random.Random(seed)
        e = random_estate(rng, rng.randint(2, 5), 12)
        prep = Prep(e)
        b = Builder(prep)
        if b.trivially_infeasible:
            continue
        choice = first_plan(b, (0.0, 1.0, 0.0, 0.0))
        if len(choice) == len(prep.apps):
            complete += 1
            ev = evaluate.evaluate(e, decisions(prep, choice))
            assert ev.feasible, (seed, ev.violations)
    assert complete >= 40
