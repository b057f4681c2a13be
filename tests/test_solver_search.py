"""The search around the model: restricted domains, the neighbourhood search,
search parameters, determinism with one worker, and the time limit."""

from __future__ import annotations

import random
import time
from dataclasses import replace

import pytest
from test_solver_factory import Dependency, app, make_estate, opt, run

from estate.resolve import resolve
from inventory.synth import synth_estate
from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.model import lns
from solver.model.build import Builder
from solver.model.costs import dot
from solver.model.extract import decisions, derive
from solver.model.heuristic import first_plan
from solver.model.memory import machine_memory_mb
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.solve import solve


def _synth(n: int, seed: int = 3):
    return resolve(synth_estate(n, seed))


def test_domains_keep_only_the_listed_pairs() -> None:
    # A may go live in months 1..12 (rehost, d = 1) or be retained; held at (rehost, 5)
    # it has one x, which the exactly-one then fixes.
    e = make_estate([app("A", 10.0), app("B", 10.0)],
                    [opt("A", "retain"), opt("A"), opt("B", "retain"), opt("B")])
    b = Builder(Prep(e), domains={"A": frozenset({("rehost@CLOUD", 5)})})
    assert list(b.x["A"]) == [("rehost@CLOUD", 5)]
    assert len(b.x["B"]) == 13  # L = 1 … 12 and retain


def test_neighbourhood_search_improves_and_keeps_every_rule() -> None:
    est = _synth(40)
    prep = Prep(est)
    w = (0.0, 1.0, 0.0, (est.settings.carbon_price or 0.0) / 1000.0)
    start = first_plan(Builder(prep), w)
    assert len(start) == len(prep.apps)
    before = dot(w, derive(prep, start).vec)
    best, stats = lns.search(prep, start, w, 100.0, lns.Budget(3.0, time.monotonic() + 60),
                             seed=1)
    after = dot(w, derive(prep, best).vec)
    assert stats.steps > 0 and after <= before
    ev = evaluate(est, decisions(prep, best))
    assert ev.feasible, ev.violations
    assert ev.totals.objective == pytest.approx(after, rel=1e-9)


def test_neighbourhoods_take_together_partners_along() -> None:
    e = make_estate([app(x, 10.0) for x in "ABCD"],
                    [o for x in "ABCD" for o in (opt(x, "retain"), opt(x))],
                    deps=[Dependency("A", "B", "together")])
    prep = Prep(e)
    nb = lns.Neighbourhoods(prep)
    plan = {x: ("rehost@CLOUD", 3) for x in "ABCD"}
    rng = random.Random(0)
    for kind in lns.KINDS:
        for _ in range(10):
            free = nb.pick(kind, plan, 1, rng)
            assert ("A" in free) == ("B" in free), kind


def test_one_worker_gives_the_same_plan_every_time() -> None:
    est = _synth(60, 5)
    params = SolveParams(dtime_limit=3.0, lns_min_apps=10)
    one = solve(est, time_limit=120, workers=1, seed=4, params=params)
    two = solve(est, time_limit=120, workers=1, seed=4, params=params)
    assert one.status in ("optimal", "feasible")
    assert one.plan.applications == two.plan.applications
    assert one.objective == two.objective and one.bound == two.bound
    assert any("neighbourhood search" in line for line in one.log)


@pytest.mark.parametrize("workers", [1, 2])
def test_plans_of_both_searches_agree_with_the_evaluator(workers: int) -> None:
    est = _synth(60, 8)
    r = solve(est, time_limit=8, workers=workers, seed=0, params=SolveParams(lns_min_apps=10))
    assert r.status in ("optimal", "feasible")
    assert not compare_plan(est, r.plan)
    assert r.bound is not None and r.objective is not None
    assert r.bound <= r.objective + 0.01


def test_time_limit_is_kept() -> None:
    est = _synth(300, 2)
    t0 = time.monotonic()
    r = solve(est, time_limit=4.0, workers=2, seed=0)
    assert r.status in ("optimal", "feasible")
    assert time.monotonic() - t0 <= 4.0 + 1.5


def test_explaining_an_infeasible_estate_keeps_the_time_limit() -> None:
    e = make_estate([app("A", must_finish_by="2025-04")], [opt("A", "retain"), opt("A")])
    t0 = time.monotonic()
    r = run(e, time_limit=1.0)
    assert r.status == "infeasible" and r.plan.conflicts
    assert time.monotonic() - t0 <= 1.0 + 1.5


def test_solve_params_check_themselves() -> None:
    with pytest.raises(ValueError):
        SolveParams(reserve_fraction=1.5)
    with pytest.raises(ValueError):
        SolveParams(lns_min_size=0)
    with pytest.raises(ValueError):
        SolveParams(dtime_per_second=0.0)
    assert SolveParams().reserve(60.0) == pytest.approx(0.6)  # 1 % of the limit
    assert SolveParams().reserve(60.0, 1000) == pytest.approx(3.0)  # 3 ms an application
    assert SolveParams().reserve(5000.0) == 20.0  # at most 20 s


def test_memory_cap_follows_the_machine() -> None:
    total = machine_memory_mb()
    if total is None:
        pytest.skip("machine memory unknown")
    assert SolveParams().memory_cap() == pytest.approx(0.5 * total)
    assert SolveParams(memory_cap_mb=100.0).memory_cap() == 100.0
    assert replace(SolveParams(), memory_fraction=0.25).memory_cap() == pytest.approx(
        0.25 * total)


def test_carbon_objective_with_the_neighbourhood_search() -> None:
    est = _synth(40, 6)
    params = SolveParams(lns_min_apps=10)
    bal = solve(est, time_limit=10, workers=2, seed=0, params=params)
    low = solve(est, time_limit=10, workers=2, seed=0, objective="carbon", params=params)
    assert low.status in ("optimal", "feasible")
    assert not compare_plan(est, low.plan)
    assert low.plan.totals.co2e_tonnes <= bal.plan.totals.co2e_tonnes + 1e-6


@pytest.mark.parametrize("block", range(3))
def test_light_model_and_search_agree_with_the_time_indexed_model(block: int) -> None:
    # The same random estates as the solver-vs-evaluator property test: the light
    # model (no time-indexed rows) and a run with the neighbourhood search on
    # every estate find the time-indexed model's optimum, and every plan checks.
    from test_solver_vs_evaluator import random_estate

    for seed in range(block * 15, block * 15 + 15):
        rng = random.Random(seed)
        e = random_estate(rng, rng.randint(2, 4), rng.choice([8, 10, 12]))
        full = solve(e, time_limit=5.0, workers=1, seed=0, time_indexed=True)
        light = solve(e, time_limit=5.0, workers=1, seed=0, time_indexed=False)
        lns_run = solve(e, time_limit=5.0, workers=2, seed=0,
                        params=SolveParams(lns_min_apps=1, dtime_limit=1.0))
        assert light.status == full.status, seed
        if full.status != "optimal":
            continue
        for r in (light, lns_run):
            assert r.objective == pytest.approx(full.objective, rel=1e-9, abs=1e-6), seed
            assert not compare_plan(e, r.plan), seed


def _jobs():
    # Three jobs (PSPLIB-like): each must move (rehost only, 2 months), one team with
    # 1 day a month and 1 day of effort each, so one at a time; A before C. The site
    # costs £100 a month until its last job is live: the best makespan is 6 months,
    # £600 (A, then B or C, then the other; nothing else costs anything).
    from test_solver_factory import Team, server, site

    apps = [app(x) for x in "ABC"]
    options = [opt(x, d=2, effort={"T": 1.0}) for x in "ABC"]
    servers = [server(f"S{x}", (x,)) for x in "ABC"]
    return make_estate(apps, options, servers=servers, teams=[Team("T", 1.0)],
                       sites=[site("DC", fixed=100.0), site("CLOUD", "cloud")],
                       deps=[Dependency("A", "C", "before")])


def test_timing_only_jobs_in_the_light_model() -> None:
    e = _jobs()
    prep = Prep(e)
    light = Builder(prep, time_indexed=False)
    assert set(light.timing_only) == {"A", "B", "C"} and not light.x
    assert not Builder(prep, time_indexed=True).timing_only
    for ti in (True, False):
        r = solve(e, time_limit=10, workers=1, seed=0, time_indexed=ti)
        assert r.status == "optimal" and r.objective == pytest.approx(600.0)
        live = {a.app_id: a.live_from for a in r.plan.applications}
        assert live["A"] < live["C"] and max(live.values()) == "2025-10"
        assert not compare_plan(e, r.plan)


def test_list_scheduler_starts_long_chains_first() -> None:
    # Three moves that must all happen (no retain), one team each at 10 days a
    # month (one move at a time per team); the data centre costs £1,000 a month
    # until empty, so the cost is £1,000 × the last go-live. B (team T1, 2
    # months) is listed first; A (T1, 1 month) must finish before C (T2, 3 months).
    # Taken in list order: B months 0-1, A month 2, C months 3-5: empty at 6.
    # Longest chain first (A's chain A→C is 4 months, B's 2): A month 0, then C
    # (3) before B (2): C months 1-3, B months 1-2: empty at 4, the optimum.
    from estates import Team, make_estate, option, server, site
    from estates import app as mk_app
    from estates import dep as mk_dep

    est = make_estate(
        apps=[mk_app(a) for a in "BAC"],
        servers=[server(f"S{a}", apps=[a]) for a in "BAC"],
        options=[option("B", duration=2, effort={"T1": 10.0}),
                 option("A", duration=1, effort={"T1": 10.0}),
                 option("C", duration=3, effort={"T2": 10.0})],
        dependencies=[mk_dep("A", "C", "before")],
        sites=[site("DC1", monthly_fixed_cost=1000.0), site("CLOUD", "cloud")],
        teams=[Team("T1", 10.0), Team("T2", 10.0)],
        grid=0.0)
    prep = Prep(est)
    choice = first_plan(Builder(prep), (0.0, 1.0, 0.0, 0.0))
    assert {a: L for a, (_, L) in choice.items()} == {"A": 1, "C": 4, "B": 3}
    res = solve(est, time_limit=10, workers=1, seed=0)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(4000.0)


def test_light_model_leaves_out_generic_subsolvers() -> None:
    from ortools.sat.python import cp_model

    from solver.model.search import tune

    light = cp_model.CpSolver().parameters
    tune(light, 2, False, SolveParams(), light=True)
    assert set(SolveParams().light_ignore_subsolvers) <= set(light.ignore_subsolvers)
    full = cp_model.CpSolver().parameters
    tune(full, 2, False, SolveParams(cp_sat=(("ignore_subsolvers", ("ls",)),)))
    assert list(full.ignore_subsolvers) == ["ls"]  # a repeated CP-SAT field, extended
    assert "max_lp" in full.subsolvers


def test_second_neighbourhood_search_in_cp_sats_slot() -> None:
    # test_emptying._pool (two of three applications in one cluster: pooled):
    # the optimum £4,406 moves A1 and A2 at L = 1 and retains A3 (worked out
    # there). With two workers, the neighbourhood search from one application
    # (lns_min_apps = 1) and lean_lns_share = 1, a second neighbourhood search
    # takes CP-SAT's slot after the LP bound; the plan is still the optimum
    # and agrees with the evaluator.
    from test_emptying import _pool

    e = _pool()
    r = solve(e, time_limit=8.0, workers=2, seed=1,
              params=SolveParams(lns_min_apps=1, lean_lns_share=1.0))
    assert any(line.startswith("in CP-SAT's slot: neighbourhood search") for line in r.log)
    assert r.plan.objective == pytest.approx(4406.0, rel=1e-9)
    assert compare_plan(e, r.plan) == []
    with pytest.raises(ValueError):
        SolveParams(lean_lns_share=1.5)
