"""The rounded cover cuts of a pool's host count (``solver.model.pool_cuts.separate_covers``,
``SolveParams.pool_cover_cuts``): valid for the rule itself, and where the
sub-pool chords leave the LP below the rule's step, by hand."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest
from estates import priced_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_clusters import host, vm
from test_pool_cuts import CUTS
from test_solver_factory import app, make_estate, opt, run, site
from test_time_cuts import _agrees_with_brute_force, pooled_estates
from tiny_estates import brute_force, combinations

from estate.clusters import Cluster, clusters, hosts_needed
from estate.model import Estate
from solver.check import compare_plan
from solver.model.build import Builder
from solver.model.params import SolveParams
from solver.model.pool_cuts import lp_with_pool_cuts
from solver.model.prep import Prep


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=6),
       st.integers(1, 5), st.integers(0, 2), st.integers(1, 25), st.integers(1, 25))
def test_the_cover_holds_for_the_rule(members: list[tuple[int, int]], m: int, spare: int,
                                      cap_cpu: int, cap_ram: int) -> None:
    # For every set R and every set S of members in service (any = [S not
    # empty]): n(S) >= spare·any + min(m - spare, ceil(w(R)/cap)) - Σ_{R∖S} d_i.
    c = Cluster("CL", tuple(f"H{i}" for i in range(m)),
                tuple((frozenset({f"A{i}"}), cpu, ram) for i, (cpu, ram) in enumerate(members)),
                cap_cpu, cap_ram, spare)
    s = min(spare, m)
    idx = range(len(members))
    for k in range(1, len(members) + 1):
        for R in itertools.combinations(idx, k):
            for res, cap in ((0, cap_cpu), (1, cap_ram)):
                total = sum(members[i][res] for i in R)
                big = min(m - s, -(-total // cap))
                for j in range(len(members) + 1):
                    for S in itertools.combinations(idx, j):
                        n = hosts_needed(c, sum(members[i][0] for i in S),
                                         sum(members[i][1] for i in S), bool(S))
                        lost = sum(-(-members[i][res] // cap) for i in R if i not in S)
                        assert n >= s * bool(S) + big - lost, (R, S, n, big, lost)


def _five_stay() -> Estate:
    # Five 5-vCPU VMs on a pool of four 10-vCPU hosts, one spare; each VM's
    # application may move, but at a one-off 10,000 (more than the pool's
    # whole cost), so all five stay: load 25, the rule keeps min(4, 1 +
    # ceil(25/10)) = 4 hosts. The optimum is 5 × 12 × 100 + 4 hosts × 12
    # months × 73 = 6,000 + 3,504 = 9,504.
    # The LP's aggregated row gives n >= 1 + 25/10 = 3.5; the sub-pool chord
    # of R = all five (N/D = 3/20, at y = 20) n >= 3.75 (4 × 12 × 73 less
    # 0.25 × 12 × 73 = 219); the cover of R (K = min(3, ceil(25/10)) = 3)
    # n >= 1·any + 3 = 4: the optimum.
    apps = tuple(f"A{i}" for i in range(1, 6))
    vms = [vm(f"V{i}", f"H{1 + (i - 1) % 4}", a, 5) for i, a in enumerate(apps, start=1)]
    opts = [opt(a, "retain") for a in apps] + [opt(a, one_off=10_000.0, monthly=100.0)
                                              for a in apps]
    return make_estate([app(a, 100.0) for a in apps], opts,
                       servers=[*(host(f"H{i}", "2030-01") for i in (1, 2, 3, 4)), *vms],
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=1)


def _lp(e: Estate, covers: bool, rounds: int = 4, any_links: bool = False,
        links: bool = True) -> float:
    _, b, obj, _ = priced_model(e, member_links=links)
    return lp_with_pool_cuts(b, obj, 30.0, rounds, lambda _: None, [], covers=covers,
                             any_links=any_links)


def test_five_that_stay_keep_the_rules_step_by_hand() -> None:
    e = _five_stay()
    (c,) = clusters(e)
    assert hosts_needed(c, 25_000, 5 * 1024, True) == 4
    r = run(e, params=replace(CUTS, pool_cover_cuts=True))
    assert r.status == "optimal"
    assert r.objective == pytest.approx(9504.0, abs=0.05)
    assert not compare_plan(e, r.plan)
    chords = _lp(e, covers=False)
    covered = _lp(e, covers=True)
    # the chords stop a quarter of a host a month short (12 × 0.25 × 73 =
    # 219); the covers close it
    assert chords == pytest.approx(9504.0 - 219.0, abs=1.0)
    assert covered == pytest.approx(9504.0, abs=1.0)
    assert covered <= 9504.0 + 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(pooled_estates())
def test_the_lp_with_covers_never_passes_the_brute_force_optimum(e: Estate) -> None:
    assert combinations(e) <= 600
    best = brute_force(e)
    for got in (_lp(e, covers=True), _lp(e, covers=True, any_links=True, links=False)):
        if best is not None:
            assert math.isinf(got) or got <= best + 1e-6, (got, best)
    _agrees_with_brute_force(e, SolveParams(pool_cut_rounds=4, pool_cover_cuts=True), best,
                             known=True)


def test_the_lp_share_beside_the_neighbourhood_search() -> None:
    # _five_stay is pooled (every application in the pool): one worker, or
    # two with CP-SAT alone (below lns_min_apps), give the LP bound
    # lp_bound_cut_share of the time left; two beside the neighbourhood
    # search (lns_min_apps lowered so that it runs: lean_for)
    # lp_bound_lean_cut_share, or lp_bound_cut_share when that is None; an
    # estate whose model has no LP worker (not time-indexed) lp_bound_share.
    from solver.model.bound_first import cut_share, lean_for

    prep = Prep(_five_stay())
    p = SolveParams(lp_bound_cut_share=0.4, lp_bound_lean_cut_share=0.7, lp_bound_share=0.25)
    assert cut_share(prep, True, 1, p) == 0.4
    assert not lean_for(prep, True, 2, p) and cut_share(prep, True, 2, p) == 0.4
    low = replace(p, lns_min_apps=1)
    assert lean_for(prep, True, 2, low) and cut_share(prep, True, 2, low) == 0.7
    assert cut_share(prep, True, 2, replace(low, lp_bound_lean_cut_share=None)) == 0.4
    assert cut_share(prep, False, 2, low) == 0.25
    with pytest.raises(ValueError):
        SolveParams(lp_bound_lean_cut_share=1.5)


def test_any_links_where_violated_by_hand() -> None:
    # At LP values where a member is fully in service in month 5 and any is
    # 0.3, the member's link any >= u is the one cut of that month
    # (separate_any); month 6, where any is at least every member's u, and
    # every other month (nothing in service) get none.
    import numpy as np

    from solver.model.clusters import _member_literal
    from solver.model.pool_cuts import separate_any

    prep = Prep(_five_stay())
    b = Builder(prep, member_links=False)
    (c,) = prep.clusters
    anys = b.cluster_any[c.name]
    assert anys[5] is not None and anys[6] is not None
    us = [_member_literal(b, apps, 5) for apps, _, _ in c.members]
    vals = np.zeros(len(b.m.proto.variables))
    for u in us:
        assert not isinstance(u, int)
        vals[u.index] = 0.2
    vals[us[2].index] = 1.0
    vals[anys[5].index] = 0.3
    for u in (_member_literal(b, apps, 6) for apps, _, _ in c.members):
        assert not isinstance(u, int)
        vals[u.index] = 0.5
    vals[anys[6].index] = 1.0
    cuts = separate_any(b, vals)
    assert [(cut.n.index, cut.terms[0][0].index) for cut in cuts] == [
        (anys[5].index, us[2].index)]
