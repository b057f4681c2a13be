"""The LP bound (``solver.model.lp_bound``): the full model's LP relaxation,
read from its proto and solved by GLOP / PDLP, its bound the Lagrangian of
the dual.

* By hand: a shared site's fixed cost (LP = optimum), and a team that can
  move one application a month (LP below the optimum: three quarters of
  each move in the first month).
* Property: on random tiny estates (``tests/tiny_estates.py``) the bound is at
  most the brute-force optimum, with and without the member links, and the
  Lagrangian of a random dual vector is too.
* The relaxation itself: an enforced row, an element table's convex
  envelope, a negated literal in the objective.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model
from test_block_bound import _best_plan, _prep, _weights
from test_solver_factory import Team, app, make_estate, opt, run, server, site
from tiny_estates import brute_force, combinations, tiny_estates

from estate.model import Estate
from estate.resolve import resolve
from solver.check import compare_plan
from solver.model.build import Builder
from solver.model.costs import Objective, build_objective
from solver.model.glop import model_bound, pounds, solve_glop
from solver.model.lp_bound import lagrangian, proto_of, relax
from solver.model.params import SolveParams
from solver.result import Result

SCALE = 100.0


def _model(e: Estate, links: bool = True) -> tuple[Builder, Objective]:
    """The full time-indexed model and its objective, as the planner builds them."""
    b = Builder(_prep(e), time_indexed=True, member_links=links)
    obj = build_objective(b, _weights(e), SCALE)
    b.m.minimize(obj.expr)
    return b, obj


def _lp(e: Estate, links: bool = True) -> float:
    b, obj = _model(e, links)
    got, res, _ = model_bound(b.m, obj, 10.0)
    assert res.status == "optimal"
    return got


def test_a_shared_site_by_hand() -> None:
    """Site DC costs £1,000 a month while anything runs there; 4 months, no
    discounting, carbon 0. A1 costs £100 a month as it is, A2 nothing; each
    can rehost (1 month, free; afterwards A1 £0, A2 £50 a month) or stay.
    Optimum: both live from month 1, £1,000 + £100 + 3 × £50 = £1,250.

    LP: the site's month-t literal is at least each application's share
    still in service in month t, so the site costs £1,000 × Σ_t max_a P(a in
    service at t), and month 0 is always paid. For A1, each month in service
    costs its £100 and (at least) the site's £1,000: cheapest at L = 1. For
    A2, each month more in service saves £50 and costs £1,000 of site: L =
    1. A mixture saves nothing (the costs are linear in it and the max is
    convex), so the LP value is the optimum, £1,250; the trivial bound (the
    site's month 0, a constant, and each application's cheapest pair,
    nothing for the site's later months) is £1,100."""
    e = make_estate([app("A1", 100.0), app("A2", 0.0)],
                    [opt("A1", "retain"), opt("A1", monthly=0.0),
                     opt("A2", "retain"), opt("A2", monthly=50.0)],
                    servers=[server("P1", ("A1",)), server("P2", ("A2",))],
                    sites=[site("DC", fixed=1000.0), site("CLOUD", "cloud")], H=4)
    assert brute_force(e) == pytest.approx(1250.0)
    b, obj = _model(e)
    got = _lp(e)
    assert got <= 1250.0
    assert got == pytest.approx(1250.0, abs=2 * obj.err + 0.01)
    assert obj.trivial_bound() == pytest.approx(1100.0, abs=0.05)


def test_a_team_that_moves_one_application_a_month_by_hand() -> None:
    """Sites DC1 (A1) and DC2 (A2) each cost £1,000 a month while their
    application runs there; 4 months. A1 and A2 cost nothing as they are and
    must rehost (1 month, free, 10 team days each); the team has 15 days a
    month, so one moves in month 0, the other in month 1: the sites run 1 + 2
    months, optimum £3,000.

    LP: each application three quarters live from month 1 and a quarter from
    month 2 uses 7.5 + 7.5 = 15 team days in month 0 and 5 in month 1; each
    site is paid in full in month 0 and a quarter in month 1: 2 × £1,250 =
    £2,500, below the optimum (a relaxation's bound; each site's capacity
    floor is 1 month, its own application's 10 days fitting in 15)."""
    e = make_estate([app("A1"), app("A2")],
                    [opt("A1", effort={"migration": 10.0}),
                     opt("A2", effort={"migration": 10.0})],
                    servers=[server("P1", ("A1",), site_id="DC1"),
                             server("P2", ("A2",), site_id="DC2")],
                    sites=[site("DC1", fixed=1000.0), site("DC2", fixed=1000.0),
                           site("CLOUD", "cloud")],
                    teams=[Team("migration", 15.0)], H=4)
    assert brute_force(e) == pytest.approx(3000.0)
    b, obj = _model(e)
    got = _lp(e)
    assert got == pytest.approx(2500.0, abs=2 * obj.err + 0.01)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(tiny_estates())
def test_lp_bound_is_below_the_brute_force_optimum(e: Estate) -> None:
    if combinations(e) > 600:
        return
    found = _best_plan(e)
    if found is None:
        return
    best = found[0]
    for links in (True, False):
        b, obj = _model(e, links)
        if b.trivially_infeasible:
            return
        got, res, r = model_bound(b.m, obj, 10.0)
        assert res.status == "optimal"
        assert got <= best + 1e-6, (links, got, best)
        # any dual vector gives a valid bound
        rng = np.random.default_rng(len(r.lo) * 31 + int(best))
        for scale in (1.0, 1e3, 1e6):
            y = scale * rng.standard_normal(len(r.lo))
            assert pounds(r, lagrangian(r, y), obj) <= best + 1e-6


def test_the_relaxation_of_a_small_model_by_hand() -> None:
    """min 3·a + 2·(1 - b) + c: an enforced row ``x + y >= 4`` when ``a``
    (x, y in 0..3), ``a`` forced on by ``b`` false (``bool_or(a, b)``), ``c
    = table[x]`` with table (5, 1, 0, 4) (envelope: c >= 5 - 4x, c >= 1 - x,
    c >= 4x - 8). LP: b = 1, a = 0 gives 0 + c; c >= 0 at x = 2 (the
    envelope's least value, (2, 0)): optimum 0."""
    m = cp_model.CpModel()
    a, b = m.new_bool_var("a"), m.new_bool_var("b")
    x, y, c = m.new_int_var(0, 3, "x"), m.new_int_var(0, 3, "y"), m.new_int_var(0, 9, "c")
    m.add(x + y >= 4).only_enforce_if(a)
    m.add_bool_or([a, b])
    m.add_element(x, [5, 1, 0, 4], c)
    m.minimize(3 * a + 2 * (1 - b) + c)
    r = relax(proto_of(m))
    assert r.dropped == {}
    res = solve_glop(r, 5.0)
    assert res.value == pytest.approx(0.0, abs=1e-9)
    # with b false: a = 1, x + y >= 4, c >= table's envelope: x = 2 (c 0), y = 2: 3 + 2 = 5
    m.add(b == 0)
    res = solve_glop(relax(proto_of(m)), 5.0)
    assert res.value == pytest.approx(5.0, abs=1e-6)
    assert res.bound <= 5.0 and res.bound == pytest.approx(5.0, abs=1e-4)
    # between the table's points: x = 0.5 in the LP, where the envelope's
    # segment 5 - 4x gives c >= 3 (its other segments 1 - x, 4x - 8 less)
    m2 = cp_model.CpModel()
    x2, c2 = m2.new_int_var(0, 3, "x"), m2.new_int_var(0, 9, "c")
    m2.add_element(x2, [5, 1, 0, 4], c2)
    m2.add(2 * x2 == 1)  # infeasible as integers
    m2.minimize(c2)
    assert solve_glop(relax(proto_of(m2)), 5.0).value == pytest.approx(3.0)


def test_a_random_dual_never_beats_the_lp() -> None:
    """The Lagrangian of any dual vector is at most the LP optimum (weak
    duality), on the model of a small estate."""
    e = make_estate([app("A1", 100.0), app("A2", 400.0)],
                    [opt("A1", "retain"), opt("A1", monthly=20.0, one_off=300.0),
                     opt("A2", monthly=50.0, d=2)],
                    servers=[server("P1", ("A1", "A2"), eol="2025-06", replacement=2500.0)],
                    H=5)
    b, obj = _model(e)
    r = relax(proto_of(b.m))
    lp = solve_glop(r, 5.0)
    assert lp.status == "optimal" and lp.bound <= lp.value + 1e-9
    rng = random.Random(3)
    for _ in range(20):
        y = np.array([rng.uniform(-1e4, 1e4) for _ in range(len(r.lo))])
        assert lagrangian(r, y) <= lp.value + 1e-6
    assert math.isfinite(lp.bound)


def _lp_line(r: Any) -> str | None:
    return next((line for line in r.log if line.startswith("LP bound")), None)


def _lp_shown_first(e: Estate, params: SolveParams, time_limit: float) -> Result:
    """One worker on ``e``: the LP bound's line says optimal, the live line's
    first bound after the trivial one (the first plan's) is the LP's, the
    result's bound lies between it and the plan, and the evaluator agrees."""
    shown: list[float] = []
    r = run(e, workers=1, time_limit=time_limit, params=params,
            progress=lambda _t, _v, bound, _g: shown.append(bound))
    line = _lp_line(r)
    assert line is not None and "(optimal;" in line, r.log
    lp = float(line.split("£")[1].split(" ")[0].replace(",", ""))
    assert next(b for b in shown if b > shown[0]) == pytest.approx(lp, abs=1.0)
    assert lp - 1.0 <= r.bound <= r.objective
    assert not compare_plan(e, r.plan)
    return r


def test_planner_runs_the_lp_bound_first_with_one_worker() -> None:
    # A small export-shaped estate (every VM in a cluster), one worker, a
    # budget too short to prove it: the LP bound runs first in the LP
    # worker's slot, so the live line's first bound after the trivial one is
    # the LP's, and the result reports the stronger of it and CP-SAT's. Off
    # (lp_bound_max_workers=0) there is no LP line.
    from inventory.synth_export import export_estate

    e = resolve(export_estate(60, 2))
    params = SolveParams(lns_min_apps=1, dtime_limit=0.3)
    _lp_shown_first(e, params, 30.0)
    off = run(e, workers=1, time_limit=30.0, params=replace(params, lp_bound_max_workers=0))
    assert _lp_line(off) is None
    # two workers on this pooled estate (the LP worker alone beside the
    # neighbourhood search): on by default (lp_bound_lean_workers), off at 0
    two = run(e, workers=2, time_limit=5.0, params=replace(params, lp_bound_lean_workers=0))
    assert _lp_line(two) is None
    two_on = run(e, workers=2, time_limit=5.0, params=params)
    assert _lp_line(two_on) is not None


def test_light_model_of_a_pooled_estate_gets_the_lp_bound_of_a_time_indexed_model() -> None:
    # large_apps=1 makes the full model the light one (no time-indexed rows);
    # on a pooled estate lp_bound_light (on by default) builds a time-indexed
    # model for the LP alone first. Its bound is valid (at most the plan's
    # objective; the same estate's optimum is proved by the full model with
    # time to spare) and the reported bound is at least it. 0 turns it off;
    # an estate without clusters never gets it.
    from inventory.synth import synth_estate
    from inventory.synth_export import export_estate

    e = resolve(export_estate(30, 2))
    best = run(e, workers=1, time_limit=30.0)
    assert best.status == "optimal"
    light = SolveParams(large_apps=1, lns_min_apps=1, dtime_limit=0.3)
    off = run(e, workers=1, time_limit=30.0, params=replace(light, lp_bound_light=0.0))
    assert _lp_line(off) is None
    on = run(e, workers=1, time_limit=30.0, params=light)
    line = _lp_line(on)
    assert line is not None and "(optimal;" in line, on.log
    lp = float(line.split("£")[1].split(" ")[0].replace(",", ""))
    assert lp <= best.objective + 1e-6
    assert on.bound >= lp - 1.0 and on.bound <= on.objective
    assert not compare_plan(e, on.plan)
    council = resolve(synth_estate(30, seed=2))
    assert _lp_line(run(council, workers=1, time_limit=30.0, params=light)) is None


def test_neighbourhoods_hold_applications_unless_asked_not_to() -> None:
    from inventory.synth import synth_estate
    from inventory.synth_export import export_estate
    from solver.model.bound_first import lns_held
    from solver.model.prep import Prep

    def builder(e: Estate, large: bool) -> Builder:
        return Builder(Prep(e), time_indexed=not large)

    pooled = resolve(export_estate(30, 2))
    council = resolve(synth_estate(30, seed=2))
    auto, on, off = SolveParams(), SolveParams(lns_held=True), SolveParams(lns_held=False)
    assert lns_held(builder(pooled, True), auto)
    assert lns_held(builder(pooled, False), auto)
    assert not lns_held(builder(pooled, True), off)
    assert lns_held(builder(council, True), auto)
    assert lns_held(builder(pooled, True), on)
    assert not lns_held(builder(council, False), off)


def test_shift_steps_have_member_links_except_in_a_pooled_light_model() -> None:
    # and the LP-guided step empties every pool first there only
    from inventory.synth import synth_estate
    from inventory.synth_export import export_estate
    from solver.model.bound_first import lns_empty_first, lns_links
    from solver.model.prep import Prep

    def builder(e: Estate, large: bool) -> Builder:
        return Builder(Prep(e), time_indexed=not large)

    pooled = resolve(export_estate(30, 2))
    council = resolve(synth_estate(30, seed=2))
    auto = SolveParams()
    on, off = SolveParams(lns_shift_links=True), SolveParams(lns_shift_links=False)
    assert not lns_links(builder(pooled, True), auto)
    assert lns_links(builder(pooled, False), auto)
    assert lns_links(builder(council, True), auto)
    assert lns_links(builder(pooled, True), on)
    assert not lns_links(builder(council, False), off)
    assert lns_empty_first(builder(pooled, True), auto)
    assert not lns_empty_first(builder(pooled, False), auto)
    assert not lns_empty_first(builder(council, True), auto)
    assert not lns_empty_first(builder(pooled, True), SolveParams(lns_empty_first=False))
    assert lns_empty_first(builder(council, False), SolveParams(lns_empty_first=True))


def test_one_worker_gets_the_lp_bound_first_on_an_estate_without_clusters() -> None:
    # A council estate (no clusters, CP-SAT alone below lns_min_apps), one
    # worker, a deterministic budget too short to prove it: the LP bound runs
    # first (lp_bound_everywhere), so the live line's first bound after the
    # trivial one is the LP's and the result's bound is at least it. The
    # budget is fixed before the LP, so the plan is the one a run without it
    # finds (one worker is deterministic).
    from inventory.synth import synth_estate

    e = resolve(synth_estate(40, seed=3))
    params = SolveParams(dtime_limit=0.5)
    on = _lp_shown_first(e, params, 60.0)
    off = run(e, workers=1, time_limit=60.0,
              params=replace(params, lp_bound_everywhere=False))
    assert _lp_line(off) is None
    assert off.objective == pytest.approx(on.objective, abs=0.01)
    assert off.bound <= on.bound + 1.0
