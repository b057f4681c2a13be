"""Neighbourhood sub-models over the free applications only
(``Builder(held=...)``, :func:`solver.model.lns.sub_model`).

A held application has no variable: the families count it on their
right-hand side. The sub-model must have the same optimum as the older one in
which every held application keeps one ``x`` (``Builder(domains=...)``), on
hand-worked estates and on random small ones with team capacity, budgets,
dependencies, a cluster pool, fixed-cost sites and contract groups.
"""

from __future__ import annotations

import itertools
import random

import pytest
from ortools.sat.python import cp_model
from test_solver_factory import BudgetYear, Team, app, make_estate, opt, server, site
from test_solver_vs_evaluator import random_estate, with_clusters, with_contract_rules

from estate.model import Estate
from solver.model.build import Builder, Choice
from solver.model.cap import Cap
from solver.model.costs import Weights, build_objective, dot
from solver.model.extract import derive
from solver.model.lns import Domains, sub_model
from solver.model.prep import Prep

W: Weights = (0.0, 1.0, 0.0, 0.0)
SCALE = 100.0


def _solve(b: Builder, w: Weights, caps: tuple[Cap, ...] = ()) -> tuple[str, float | None,
                                                                          Choice | None]:
    """(status, objective in £, plan) of a model solved to optimality."""
    if b.trivially_infeasible:
        return "INFEASIBLE", None, None
    obj = build_objective(b, w, SCALE)
    for cap in caps:
        cap.add(b)
    b.m.minimize(obj.expr)
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = 30.0
    st = s.solve(b.m)
    if st != cp_model.OPTIMAL:
        return s.status_name(st), None, None
    return "OPTIMAL", obj.to_units(s.objective_value), b.choice_of(s)


def _both(e: Estate, plan: Choice, free: Domains, w: Weights = W,
          caps: tuple[Cap, ...] = (), links: bool = True
          ) -> tuple[tuple, tuple, Builder, Builder]:
    prep = Prep(e)
    value = dot(w, derive(prep, plan).vec)
    old = sub_model(prep, plan, value, free, True, w, held=False)
    new = sub_model(prep, plan, value, free, True, w, held=True, links=links)
    return _solve(old, w, caps), _solve(new, w, caps), old, new


# -- hand-worked ---------------------------------------------------------------------
def _site_of_three(budget: float | None) -> Estate:
    # 6 months from 2025-04 (one financial year), no discounting. A1, A2, A3 run
    # on servers P1..P3 (no power) in DC, whose fixed cost £100 a month stops
    # only when the last of them has gone live in the cloud. Each may be
    # retained or rehosted (1 month, £50 one-off, £0 a month after, 10 days of
    # the team's 10 a month: one move a month).
    apps = [app(a) for a in ("A1", "A2", "A3")]
    opts = [o for a in ("A1", "A2", "A3")
            for o in (opt(a, "retain"), opt(a, one_off=50.0, effort={"migration": 10.0}))]
    servers = [server(f"P{i}", (f"A{i}",)) for i in (1, 2, 3)]
    return make_estate(apps, opts, servers=servers,
                       sites=[site("DC", fixed=100.0), site("CLOUD", "cloud")],
                       teams=[Team("migration", 10.0)], H=6,
                       budget=[BudgetYear("2025/26", budget)] if budget is not None else [])


def _rehost(e: Estate) -> str:
    return next(o.key for o in Prep(e).app_by_id["A1"].options if o.key != "retain")


def test_held_move_takes_its_month_of_the_team() -> None:
    # A1 held moving in month 1 (live from L = 2). A2 and A3 free: the team's
    # month 1 is A1's, so they fly in months 0 and 2 (L = 1 and 3); the site
    # stops at D = 3: £100 × 3 + 3 × £50 = £450. (Had A1's effort been left
    # out, A2 and A3 could fly in months 0 and 1 and the site stop at 2: £350;
    # retaining either keeps the site 6 months: £600 + the moves.)
    e = _site_of_three(None)
    plan = {"A1": (_rehost(e), 2), "A2": ("retain", 6), "A3": ("retain", 6)}
    free: Domains = {"A2": None, "A3": None}
    old, new, b_old, b_new = _both(e, plan, free)
    assert old[0] == new[0] == "OPTIMAL"
    assert new[1] == pytest.approx(450.0) and old[1] == pytest.approx(450.0)
    assert new[2] is not None and new[2]["A1"] == plan["A1"]
    assert sorted(new[2][a][1] for a in ("A2", "A3")) == [1, 3]
    assert "A1" not in b_new.x and "A1" in b_old.x
    assert len(b_new.m.proto.variables) < len(b_old.m.proto.variables)


def test_held_move_spends_its_share_of_the_budget() -> None:
    # As above with a £100 budget for 2025/26: A1's £50 leaves room for one
    # more move, which alone saves nothing (the site stays 6 months), so both
    # free applications are retained: £600 + £50 = £650. (Had A1's £50 been
    # left out, both could move: £450.)
    e = _site_of_three(100.0)
    plan = {"A1": (_rehost(e), 2), "A2": ("retain", 6), "A3": ("retain", 6)}
    old, new, _, _ = _both(e, plan, {"A2": None, "A3": None})
    assert old[0] == new[0] == "OPTIMAL"
    assert new[1] == pytest.approx(650.0) and old[1] == pytest.approx(650.0)
    assert new[2] is not None and new[2]["A2"] == new[2]["A3"] == ("retain", 6)


def test_held_pair_no_rule_allows_is_infeasible() -> None:
    e = _site_of_three(None)
    b = Builder(Prep(e), held={"A1": ("retain", 3)})  # retain is at L = H only
    assert b.trivially_infeasible


def test_held_needs_the_time_indexed_model() -> None:
    with pytest.raises(ValueError, match="time-indexed"):
        Builder(Prep(_site_of_three(None)), time_indexed=False, held={"A1": ("retain", 6)})


# -- random small estates ------------------------------------------------------------
def _plan_of(e: Estate, w: Weights) -> Choice | None:
    """An optimal plan under weights ``w`` (a valid plan to hold parts of)."""
    return _solve(Builder(Prep(e)), w)[2]


@pytest.mark.parametrize("seed", range(8000, 8024))
def test_random_neighbourhoods_have_the_same_optimum(seed: int) -> None:
    """Hold every subset of a valid plan (the cash-only optimum, not the
    objective's) and compare the two sub-models' optima, with and without a
    carbon cap and a keep-or-retain restriction; the held one without the
    pools' member links on every third seed (``SolveParams.lns_member_links``:
    valid cuts only, so the same optimum)."""
    rng = random.Random(seed)
    plan = None
    for draw in range(20):  # the first random estate that has a valid plan
        e = random_estate(rng, rng.randint(3, 5), rng.choice([6, 8, 10]))
        if seed % 2:
            e = with_contract_rules(with_clusters(e, random.Random(seed + 2 + 100 * draw)),
                                    random.Random(seed + 1 + 100 * draw))
        plan = _plan_of(e, (1.0, 0.0, 0.0, 0.0))
        if plan is not None:
            break
    assert plan is not None, "no random estate with a valid plan in 20 draws"
    w: Weights = (0.0, 1.0, 0.0, 0.1)
    prep = Prep(e)
    kg = dot((0.0, 0.0, 1.0, 0.0), derive(prep, plan).vec)
    apps = sorted(plan)
    compared = 0
    for k in range(1, len(apps)):
        for held in itertools.combinations(apps, k):
            free: Domains = {a: None for a in apps if a not in held}
            if rng.random() < 0.3:  # keep or retain
                free = {a: frozenset({plan[a], ("retain", prep.H)}) for a in free}
            caps = (Cap((0.0, 0.0, 1.0, 0.0), SCALE, kg),) if rng.random() < 0.3 else ()
            old, new, _, _ = _both(e, plan, free, w, caps, links=seed % 3 != 0)
            assert old[0] == new[0], (held, old, new)
            if old[0] == "OPTIMAL":
                assert new[1] == pytest.approx(old[1], rel=1e-9, abs=1e-6), (held, old, new)
                assert new[2] is not None
                assert all(new[2][a] == plan[a] for a in held)
                compared += 1
    assert compared


def test_member_literal_of_held_members_is_decided_once() -> None:
    # The pool of test_emptying._pool: V1 (A1) and V2 (A2) on cluster CL, H = 12.
    # A1 held moving, live at L = 3: in service in months 0, 1, 2 ([D > t] =
    # [3 >= t + 1]); A2 held retained: in service every month; A3 free (no
    # VM). clusters._held_last decides both without a variable, and a member
    # whose application is free keeps its literal.
    from test_emptying import _pool

    from solver.model.clusters import _member_literal

    e = _pool()
    prep = Prep(e)
    move = next(o.key for o in prep.app_by_id["A1"].options if o.key != "retain")
    b = Builder(prep, time_indexed=True, held={"A1": (move, 3), "A2": ("retain", prep.H)})
    assert [_member_literal(b, frozenset({"A1"}), t) for t in range(prep.H)] == (
        [1, 1, 1] + [0] * (prep.H - 3))
    assert all(_member_literal(b, frozenset({"A2"}), t) == 1 for t in range(prep.H))
    assert _member_literal(b, frozenset({"A1", "A2"}), 5) == 1
    free = Builder(prep, time_indexed=True, held={"A2": ("retain", prep.H)})
    assert not isinstance(_member_literal(free, frozenset({"A1"}), 5), int)


def test_a_held_member_in_service_beside_a_free_one() -> None:
    # The pool of test_emptying._pool (V1 of A1, V2 of A2 on cluster CL, H =
    # 12). A1 held retained: in service every month, so its member link is a
    # constant row (clusters._link_members: one ``n >= need`` and one ``any``
    # row a month for every member decided in service); A2 and A3 free. With
    # A1 staying the pool keeps its 2 hosts all year (2 × 12 × 73 = 1,752);
    # moving A2 then costs 100 + 11 × 130 = 1,530 against 1,200 staying, A3
    # 2,300 against 1,200: everything retained, 3 × 1,200 + 1,752 = 5,352.
    # The same optimum with the member links, without them, and in the
    # whole-estate sub-model.
    from test_emptying import W as W3
    from test_emptying import _pool

    e = _pool()
    prep = Prep(e)
    plan = {a: ("retain", prep.H) for a in ("A1", "A2", "A3")}
    value = dot(W3, derive(prep, plan).vec)
    free: Domains = {"A2": None, "A3": None}
    models = [sub_model(prep, plan, value, free, True, W3, held=True),
              sub_model(prep, plan, value, free, True, W3, held=True, links=False),
              sub_model(prep, plan, value, free, True, W3, held=False)]
    assert len(models[1].m.proto.constraints) < len(models[0].m.proto.constraints)
    for b in models:
        st, got, choice = _solve(b, W3)
        assert st == "OPTIMAL" and got == pytest.approx(5352.0)
        assert choice is not None and all(choice[a][0] == "retain" for a in plan)
