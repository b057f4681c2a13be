"""Closure covers (``solver.model.closure_cuts``, ``SolveParams.closure_cuts``):
``Σ_{G∈S} g[G,k] >= |S| - r(S, k)`` over a family of disjoint groups, ``r``
the most of them the team's days (or the go-live limit) up to k can close.
By hand where the LP without them is below the optimum, and against brute
force on random tiny estates (they never cut off a plan)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from estates import priced_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_solver_factory import Team, app, make_estate, opt, run, server, site
from tiny_estates import brute_force, combinations

from estate.model import Estate
from solver.check import compare_plan
from solver.model.build import Builder
from solver.model.costs import build_objective
from solver.model.glop import model_bound
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.model.team_cuts import most_gone

ON = SolveParams(closure_cuts=True)


def _two_sites(golives: int | None = None, days: float = 10.0, H: int = 12) -> Estate:
    # Sites S1 (A1, A2 on server P1) and S2 (B1, B2 on P2), 1,000 a month
    # each while an application is left there; every application may move
    # to the cloud in one month at 10 team days (the team has 10 a month:
    # one move a month) and costs nothing else.
    apps = ["A1", "A2", "B1", "B2"]
    opts = [opt(a, "retain") for a in apps] + [opt(a, effort={"migration": 10.0})
                                              for a in apps]
    return make_estate([app(a) for a in apps], opts,
                       servers=[server("P1", ("A1", "A2"), site_id="S1"),
                                server("P2", ("B1", "B2"), site_id="S2")],
                       sites=[site("S1", fixed=1000.0), site("S2", fixed=1000.0),
                              site("CLOUD", "cloud")],
                       teams=[Team("migration", days)], max_golives_per_month=golives, H=H)


def _lp(e: Estate, cuts: bool) -> float:
    _, b, obj, _ = priced_model(e, closure_cuts=cuts)
    return model_bound(b.m, obj, 30.0)[0]


def test_two_sites_by_hand() -> None:
    # One move a month: go-lives at months 1, 2, 3, 4 at best; a site is paid
    # to its last member's go-live D: S1 empties at 2, S2 at 4: 1,000 × (2 +
    # 4) = 6,000 (the optimum; staying costs 24,000).
    # The LP: g[G,k] = [D_G >= k], each site's floor (20 days / 10 a month)
    # fixes k <= 2. With k - 1 team months before k, Σ_a (1 - ge[a,k]) <=
    # k - 1 and g[G,k] >= ge[a,k] give 2·(1 - g1) + 2·(1 - g2) <= k - 1:
    # k = 3: g1 + g2 >= 1, k = 4: g1 + g2 >= 0.5 (a quarter of each
    # application live at each of 1–4), k >= 5: 0. LP: 1,000 × (2 + 2 + 1 +
    # 0.5) = 5,500. The cover at k = 4 (3 team months close one site of two
    # members, not two): g1 + g2 >= 2 - 1 = 1, so the LP is the optimum.
    e = _two_sites()
    r = run(e, params=ON)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(6000.0, abs=0.01)
    assert not compare_plan(e, r.plan)
    assert _lp(e, cuts=False) == pytest.approx(5500.0, abs=1.0)
    assert _lp(e, cuts=True) == pytest.approx(6000.0, abs=1.0)


def test_two_sites_by_the_golive_limit() -> None:
    # The same with a team that binds nothing (100 days a month) and at most
    # one go-live a month: the same plan, the same LPs (go-lives at L - 1).
    e = _two_sites(golives=1, days=100.0)
    assert _lp(e, cuts=False) == pytest.approx(5500.0, abs=1.0)
    assert _lp(e, cuts=True) == pytest.approx(6000.0, abs=1.0)


@pytest.mark.parametrize(("golives", "days"), [(None, 10.0), (None, 15.0), (None, 20.0),
                                               (1, 100.0), (2, 100.0), (1, 15.0)])
def test_two_sites_against_brute_force(golives: int | None, days: float) -> None:
    # Five months: the covers bind in some of these (10 or 15 days, one
    # go-live), not in others; never above the brute-force optimum.
    e = _two_sites(golives, days, H=5)
    assert combinations(e) <= 2000
    best = brute_force(e)
    assert best is not None
    plain, covered = _lp(e, cuts=False), _lp(e, cuts=True)
    assert plain - 1e-6 <= covered <= best + 1e-6, (plain, covered, best)
    r = run(e, params=ON)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best, abs=0.05)


def test_rows_only_when_asked() -> None:
    e = _two_sites()
    off, on = Builder(Prep(e)), Builder(Prep(e), closure_cuts=True)
    w = (0.0, 1.0, 0.0, 0.0)
    build_objective(off, w, 100.0)
    build_objective(on, w, 100.0)
    extra = len(on.m.proto.constraints) - len(off.m.proto.constraints)
    # k = 3 and k = 4 (r = 1 of 2): one row each; k >= 5 closes both
    assert extra == 2
    build_objective(on, w, 100.0)  # a second objective adds no row twice
    assert len(on.m.proto.constraints) - len(off.m.proto.constraints) == 4 - 2


def test_how_many_groups_fit_smallest_first() -> None:
    # the closure covers count with the team cuts' one rule (team_cuts.most_gone)
    assert most_gone([2.0, 2.0], 3.0) == 1
    assert most_gone([2.0, 1.0, 5.0], 3.0) == 2
    assert most_gone([], 0.0) == 0


@st.composite
def site_estates(draw: Any) -> Estate:
    """2–3 sites of 1–2 applications (at most 4 in all), moves of 1–2 months (some retire, some
    with no effort), a team of 5–20 days, maybe a go-live limit, 5 months."""
    n_sites = draw(st.integers(2, 3))
    apps, opts, servers, sites = [], [], [], [site("CLOUD", "cloud")]
    i = 0
    for s in range(1, n_sites + 1):
        members = []
        for _ in range(draw(st.integers(1, 2)) if i < 3 else 1):
            i += 1
            a = f"A{i}"
            members.append(a)
            apps.append(app(a, draw(st.sampled_from([0.0, 50.0]))))
            if draw(st.booleans()):
                opts.append(opt(a, "retain"))
            strategy = draw(st.sampled_from(["rehost", "rehost", "retire"]))
            opts.append(opt(a, strategy, d=draw(st.integers(1, 2)),
                            one_off=draw(st.sampled_from([0.0, 0.0, 200.0])),
                            effort={"migration": draw(st.sampled_from([0.0, 5.0, 10.0, 10.0]))}))
        servers.append(server(f"P{s}", tuple(members), site_id=f"S{s}"))
        sites.append(site(f"S{s}", fixed=draw(st.sampled_from([300.0, 1000.0]))))
    return make_estate(apps, opts, servers=servers, sites=sites, H=5,
                       teams=[Team("migration", draw(st.sampled_from([5.0, 10.0, 15.0])))],
                       max_golives_per_month=draw(st.sampled_from([None, 1, 2])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(site_estates())
def test_the_covers_never_pass_the_brute_force_optimum(e: Estate) -> None:
    assert combinations(e) <= 10_000
    best = brute_force(e)
    got = _lp(e, cuts=True)
    r = run(e, params=ON)
    if best is None:
        assert r.status == "infeasible"
        return
    assert math.isinf(got) or got <= best + 1e-6, (got, best)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best, abs=0.05)
    assert r.bound <= best + 1e-6
