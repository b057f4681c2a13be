"""First plans that empty a whole site or cluster (:mod:`solver.model.emptying`),
worked by hand: 12 months from 2025-04, no discounting, carbon price 0."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from test_clusters import _estate, host, vm
from test_solver_factory import app, make_estate, opt, server, site

from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.greedy import greedy_decisions
from solver.model.bound_first import light_for
from solver.model.costs import dot
from solver.model.emptying import emptiable, empty_whole
from solver.model.extract import decisions, derive
from solver.model.heuristic import Pairs, first_plan
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.solve import search, solve

W = (0.0, 1.0, 0.0, 0.0)


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _pool() -> Any:
    # One cluster of two hosts (10 cores, 1 vCPU a core, £73 a month each, end
    # of life after the horizon), one spare host: while anything runs it needs
    # ceil(load / 10) + 1 = 2 hosts, whether one 5-vCPU VM or both remain.
    # A1 and A2 (one VM each) cost £100 a month where they are, £130 in the
    # cloud (1 month); A3 (a physical server, 0 W) £100 where it is, £200 in
    # the cloud.
    # Retain all: 3 × 1,200 + 2 × 12 × 73 = 5,352.
    # Move A1 or A2 alone at L=1: 100 + 11 × 130 = 1,530 + 2 × 1,200 + 1,752
    # = 5,682 (dearer: no single move helps); A3 at L=1: 100 + 11 × 200 =
    # 2,300, 1,100 dearer than staying.
    # Move A1 and A2 at L: 2 × (100 L + 130 (12 - L)) + 2 × 73 L = 3,120 + 86 L,
    # least at L=1: 3,206; with A3 retained 4,406, the optimum.
    # The greedy plan moves all three at L=1: 3,206 + 2,300 = 5,506.
    hosts = [host("H1", "2030-01"), host("H2", "2030-01")]
    vms = [vm("V1", "H1", "A1", 5), vm("V2", "H2", "A2", 5)]
    opts = [o for a in ("A1", "A2") for o in (opt(a, "retain"), opt(a, monthly=130.0))]
    opts += [opt("A3", "retain"), opt("A3", monthly=200.0)]
    e = _estate(hosts, vms, opts, ["A1", "A2"], ha_spare_hosts=1)
    return replace(e, applications=(*e.applications, app("A3", 100.0)),
                   servers=(*e.servers, server("S3", ("A3",))))


def test_emptying_a_cluster_is_the_first_plan() -> None:
    e = _pool()
    prep = Prep(e)
    assert [name for name, _, _ in emptiable(prep)] == ["cluster CL"]
    # the plans offered before do not find it
    dec = greedy_decisions(e)
    assert dec is not None and evaluate(e, dec).totals.objective == approx(5506.0)
    pairs = Pairs(prep)
    listed = first_plan(pairs, W)
    assert all(k == "retain" for k, _ in listed.values())
    assert dot(W, derive(prep, listed).vec) == approx(5352.0)
    # the move of one application alone is dearer
    for a in ("A1", "A2"):
        assert evaluate(e, decisions(prep, {**listed, a: ("rehost@CLOUD", 1)})
                        ).totals.objective == approx(5682.0)
    # emptying the cluster: A1 and A2 move at L=1
    best, done = empty_whole(pairs, W, listed, lambda c: dot(W, derive(prep, c).vec),
                             lambda c: not evaluate(e, decisions(prep, c)).violations)
    assert best == {"A1": ("rehost@CLOUD", 1), "A2": ("rehost@CLOUD", 1), "A3": ("retain", 12)}
    assert [v for _, v in done.emptied] == [approx(4406.0)]
    assert done.emptied[0][0].startswith("cluster CL")
    # the solve starts from it and says so
    s = search(e, time_limit=10, workers=1, params=SolveParams(lns=False))
    line = next(x for x in s.log if x.startswith("emptying whole"))
    assert "cluster CL" in line and "4,406 from 5,352" in line
    r = solve(e, time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == approx(4406.0)
    assert not compare_plan(e, r.plan)


def test_emptying_can_be_turned_off() -> None:
    s = search(_pool(), time_limit=10, workers=1,
               params=SolveParams(lns=False, empty_whole_share=0.0))
    assert not any(x.startswith("emptying whole") for x in s.log)
    assert any("objective 5,352" in x for x in s.log if x.startswith("hint:"))


def test_emptying_a_site_is_found_by_the_first_plan() -> None:
    # DC costs £500 a month until its last application leaves; A1 and A2 (one
    # physical server each, 0 W) cost £100 a month there, £130 in the cloud.
    # Retain both: 2,400 + 6,000 = 8,400. Move one at L=1: 1,530 + 1,200 +
    # 6,000 = 8,730 (no single move helps). Both at L: 3,120 - 60 L + 500 L,
    # least at L=1: 3,560, the optimum.
    opts = [o for a in ("A1", "A2") for o in (opt(a, "retain"), opt(a, monthly=130.0))]
    e = make_estate([app("A1", 100.0), app("A2", 100.0)], opts,
                    servers=[server("S1", ("A1",)), server("S2", ("A2",))],
                    sites=[site("DC", fixed=500.0), site("CLOUD", "cloud")])
    prep = Prep(e)
    assert [name for name, _, _ in emptiable(prep)] == ["site DC"]
    assert evaluate(e, [*decisions(prep, {"A1": ("rehost@CLOUD", 1), "A2": ("retain", 12)})]
                    ).totals.objective == approx(8730.0)
    s = search(e, time_limit=10, workers=1, params=SolveParams(lns=False))
    hint = next(x for x in s.log if x.startswith("hint:"))
    assert "objective 3,560" in hint  # the scheduler's site costs find it already
    assert any(x.startswith("emptying whole sites and clusters: no candidate") for x in s.log)
    r = solve(e, time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == approx(3560.0)


def test_without_sites_costs_or_clusters_nothing_changes() -> None:
    # no site cost, no cluster: no candidate, the same first plan and log
    opts = [o for a in ("A1", "A2") for o in (opt(a, "retain"), opt(a, monthly=90.0))]
    e = make_estate([app("A1", 100.0), app("A2", 100.0)], opts,
                    servers=[server("S1", ("A1",)), server("S2", ("A2",))])
    assert emptiable(Prep(e)) == []
    on = search(e, time_limit=10, workers=1)
    off = search(e, time_limit=10, workers=1, params=SolveParams(empty_whole_share=0.0))
    hint = [x.split(" at ")[0] for x in on.log if x.startswith("hint")]
    assert hint == [x.split(" at ")[0] for x in off.log if x.startswith("hint")]
    assert not any(x.startswith("emptying") for x in on.log)
    assert on.decisions == off.decisions


def test_held_applications_keep_their_pairs() -> None:
    # first_plan(fixed=...): A2 held retained; A1 placed alone
    e = _pool()
    prep = Prep(e)
    pairs = Pairs(prep)
    got = first_plan(pairs.moving(["A1"]) or pairs, W, fixed={"A2": ("retain", 12)})
    assert got["A2"] == ("retain", 12) and got["A1"][0] == "rehost@CLOUD"
    assert pairs.moving(["A1"]) is not None
    assert Pairs(Prep(make_estate([app("A", 1.0)], [opt("A", "retain")]))).moving(["A"]) is None


def test_pool_neighbourhood_frees_exactly_the_cluster() -> None:
    import random

    from solver.model import lns

    e = _pool()
    prep = Prep(e)
    nb = lns.Neighbourhoods(prep)
    plan = {"A1": ("retain", 12), "A2": ("retain", 12), "A3": ("retain", 12)}
    rng = random.Random(0)
    seen = set()
    for _ in range(20):
        free = nb.pick("pool", plan, 4, rng)
        assert set(free) == {"A1", "A2"}  # never A3, outside the cluster
        forced = free["A1"] is not None
        seen.add(forced)
        for a in ("A1", "A2"):  # emptied: only moving pairs, else every pair
            pairs = free[a]
            assert (pairs is not None) == forced
            assert pairs is None or {k for k, _ in pairs} == {"rehost@CLOUD"}
    assert seen == {True, False}
    # capped: one application of the two when the cap is 1
    capped = lns.Neighbourhoods(prep, max_size=1).pick("pool", plan, 4, rng)
    assert len(capped) == 1 and set(capped) <= {"A1", "A2"}
    assert all(v is None for v in capped.values())
    # the search with the pool kind alone empties the cluster from the retained plan
    w = W
    budget = lns.Budget(5.0, float("inf"))
    best, stats = lns.search(prep, plan, w, 100.0, budget, kinds=("pool",), seed=1)
    assert best["A1"][0] == best["A2"][0] == "rehost@CLOUD" and best["A3"][0] == "retain"
    assert dot(w, derive(prep, best).vec) == approx(4406.0)
    assert stats.by_kind["pool"][1] >= 1


def test_a_site_whose_applications_must_all_move_is_not_tried() -> None:
    # as PSPLIB: no application may stay, so emptying the site is the list
    # scheduler's own job; the first plan and its log are as before
    from solver.model.emptying import worth_emptying

    e = make_estate([app("A1", 100.0), app("A2", 100.0)],
                    [opt("A1", monthly=130.0), opt("A2", monthly=130.0)],
                    servers=[server("S1", ("A1",)), server("S2", ("A2",))],
                    sites=[site("DC", fixed=500.0), site("CLOUD", "cloud")])
    prep = Prep(e)
    assert [n for n, _, _ in emptiable(prep)] == ["site DC"]
    assert worth_emptying(Pairs(prep), emptiable(prep)) == []
    s = search(e, time_limit=10, workers=1, params=SolveParams(lns=False))
    assert not any(x.startswith("emptying") for x in s.log)


def test_no_emptying_where_the_full_model_is_the_light_one_of_a_pooled_estate() -> None:
    # _pool: A1 and A2 of A3 in cluster CL (2 of 3 pooled, above
    # pooled_lp_share 0.5); with large_apps=2 the full model is the light one,
    # so the first plan is the list-scheduled 5,352 without the emptying
    # (empty_whole_light False, the default); the search still ends at the
    # optimum 4,406 worked out in _pool, and with empty_whole_light the
    # emptying finds it first, as on a time-indexed model.
    e = _pool()
    prep = Prep(e)
    assert light_for(prep, None, SolveParams(large_apps=2))
    assert not light_for(prep, None, SolveParams())
    assert light_for(prep, False, SolveParams())
    assert not light_for(prep, False, SolveParams(pooled_lp_share=0.7))
    for light in (False, True):
        s = search(e, time_limit=10, workers=1,
                   params=SolveParams(lns=False, large_apps=2, empty_whole_light=light))
        assert any(x.startswith("model built") and "(light)" in x for x in s.log)
        hint = next(x for x in s.log if x.startswith("hint:"))
        assert "objective 5,352" in hint
        emptied = [x for x in s.log if x.startswith("emptying whole")]
        assert ("4,406 from 5,352" in emptied[0]) if light else not emptied
        assert s.status == "optimal" and s.objective == approx(4406.0)
