"""Time-coupled cuts of a pool (``solver.model.clusters.add_time_cuts``):
``n[C,t+1] <= n[C,t]``, ``any[C,t+1] <= any[C,t]``, ``full[C,t+1] <= full[C,t]``.

They are valid for some optimal plan (the rule's own host count only falls
over time), so with them the optimum is the same and the bound stays at most
the optimum: worked by hand on the estates of ``tests/test_member_links.py``
and checked against brute force on random tiny pooled estates.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_clusters import host, vm
from test_member_links import _full_pool, _pair, _unsupported_retained
from test_solver_factory import Contract, Team, app, make_estate, moved, opt, run, site
from tiny_estates import brute_force, combinations

from estate.clusters import clusters, needed_by_month
from estate.model import Estate
from estate.months import add_months
from solver.check import compare_plan
from solver.model.build import Builder
from solver.model.params import SolveParams
from solver.model.prep import Prep

CUTS = SolveParams(time_cuts=True)


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def test_the_cuts_are_in_the_model_only_when_asked() -> None:
    # _pair: one pool of 2 hosts, 12 months. n: 11 rows n[t+1] <= n[t]; any
    # (spare 1): 11 more; full: none (1 + 1 vCPU fits in m - spare = 1 host).
    e = _pair(700.0)
    off = Builder(Prep(e))
    on = Builder(Prep(e), time_cuts=True)
    assert len(on.m.proto.constraints) - len(off.m.proto.constraints) == 22
    assert all(f is None for f in on.cluster_full["CL"])
    assert all(a is not None for a in on.cluster_any["CL"])


def test_the_rule_host_count_never_rises() -> None:
    # What makes the cuts valid: whatever the months the VMs leave, the rule's
    # n(t) is non-increasing (checked for every pair of go-live months).
    e = _full_pool(700.0)
    (c,) = clusters(e)
    H = e.settings.horizon_months
    for l1 in range(H + 1):
        for l2 in range(H + 1):
            for l3 in (0, 5, H):
                n = needed_by_month(c, {"A1": l1, "A2": l2, "A3": l3}, H)
                assert all(b <= a for a, b in zip(n, n[1:], strict=False)), (l1, l2, l3, n)


def test_pair_both_leave_with_the_cuts() -> None:
    # As tests/test_member_links.py: one-off 700 each; moving both live from
    # month 1 stops both hosts from month 1 (saves 2 × 11 × 73 = 1,606 >
    # 1,400): 2 × 12 × 100 + 1,400 + 2 × 73 = 3,946 (retain both: 4,152).
    e = _pair(700.0)
    r = run(e, params=CUTS)
    assert r.status == "optimal"
    assert r.objective == approx(3946.0)
    assert r.bound <= r.objective + 1e-6
    assert {a: m[0] for a, m in moved(r).items()} == {"A1": "rehost", "A2": "rehost"}
    assert not compare_plan(e, r.plan)


@pytest.mark.parametrize(("one_off", "best", "kind"),
                         [(700.0, 5919.0, "rehost"), (850.0, 6228.0, "retain")])
def test_full_pool_with_the_cuts(one_off: float, best: float, kind: str) -> None:
    # As tests/test_member_links.py: three 8-vCPU VMs, three 10-vCPU hosts, one
    # spare (``full`` literals present, so all three cut families). One-off
    # 700: all three move live from month 1, 3 × 12 × 100 + 2,100 + 3 × 73 =
    # 5,919. One-off 850: 2,550 > 3 × 11 × 73 = 2,409 saved, so all stay:
    # 3,600 + 36 × 73 = 6,228.
    e = _full_pool(one_off)
    b = Builder(Prep(e), time_cuts=True)
    assert all(f is not None for f in b.cluster_full["CL"])
    r = run(e, params=CUTS)
    assert r.status == "optimal"
    assert r.objective == approx(best)
    assert r.bound <= r.objective + 1e-6
    assert {m[0] for m in moved(r).values()} == {kind}
    assert not compare_plan(e, r.plan)


def test_team_bound_pool_moves_in_two_months_with_the_cuts() -> None:
    # _pair with a team of 10 days a month and 10 days a move: one VM a month.
    # One-off 0: A1 live at 1 and A2 at 2 (either order): hosts stay to
    # month 2 (the pool empties at 2): 2 × 12 × 100 + 2 hosts × 2 months × 73
    # = 2,400 + 292 = 2,692. The cuts keep that plan: n = 2, 2, 0, 0, ...
    e = _pair(0.0)
    options = [o if o.strategy == "retain" else replace(o, effort={"migration": 10.0})
               for o in e.options]
    e = replace(e, options=tuple(options), teams=(Team("migration", 10.0),))
    r = run(e, params=CUTS)
    assert r.status == "optimal"
    assert r.objective == approx(2692.0)
    assert r.bound <= r.objective + 1e-6
    assert not compare_plan(e, r.plan)


def test_unsupported_pool_stays_infeasible_with_the_cuts() -> None:
    # forbid, hosts out of support from month 3, A1 can only stay: its VM keeps
    # 2 hosts to the end, so no plan (the cuts add no way out).
    assert run(_unsupported_retained(_pair(700.0)), params=CUTS).status == "infeasible"


@st.composite
def pooled_estates(draw: Any) -> Estate:
    """2–3 one-VM applications on one pool of 2–3 hosts (random sizes, spare,
    end-of-life dates and replacement costs, unsupported-OS dates under
    ``forbid``), a team that may bind, 4–5 months."""
    n = draw(st.integers(2, 3))
    H = 5 if n == 2 else 4
    start = "2025-04"
    m = draw(st.integers(2, 3))
    hosts = []
    for i in range(1, m + 1):
        eol = add_months(start, draw(st.integers(1, H + 2)))
        h = host(f"H{i}", eol, rc=draw(st.sampled_from([0.0, 400.0])))
        if draw(st.integers(0, 4)) == 0:
            h = replace(h, os_end_of_support=add_months(start, draw(st.integers(1, H))))
        hosts.append(h)
    apps, options, vms = [], [], []
    for i in range(1, n + 1):
        a = f"A{i}"
        apps.append(app(a, draw(st.sampled_from([0.0, 100.0]))))
        vms.append(vm(f"V{i}", f"H{1 + (i - 1) % m}", a, draw(st.sampled_from([1, 4, 8, 12]))))
        if draw(st.integers(0, 3)) > 0:
            options.append(opt(a, "retain"))
        options.append(opt(a, d=draw(st.integers(1, 2)),
                           one_off=draw(st.sampled_from([0.0, 150.0, 600.0])),
                           monthly=draw(st.sampled_from([0.0, 50.0, 120.0])),
                           effort={"migration": draw(st.sampled_from([0.0, 10.0]))}))
    contracts = []
    if draw(st.booleans()):  # a per-core subscription over the pool's hosts
        contracts.append(Contract("VS", 2400.0, "2025-05-28", renewal_term_months=2,
                                  notice_months=0, category="licence", unit="core",
                                  unit_price=draw(st.sampled_from([20.0, 120.0])),
                                  min_units=draw(st.sampled_from([0.0, 15.0])),
                                  covers=tuple(h.server_id for h in hosts)))
    return make_estate(apps, options, servers=[*hosts, *vms], contracts=contracts,
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       teams=[Team("migration", draw(st.sampled_from([10.0, 100.0])))],
                       H=H, start=start, vcpus_per_core=1.0,
                       ha_spare_hosts=draw(st.integers(0, 1)),
                       unsupported_os_policy=draw(st.sampled_from(["forbid", "esu", "flag"])))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(pooled_estates())
def test_the_cuts_keep_the_brute_force_optimum(e: Estate) -> None:
    assert combinations(e) <= 600
    _agrees_with_brute_force(e, CUTS)


def _agrees_with_brute_force(e: Estate, params: SolveParams, best: float | None = None,
                             known: bool = False) -> None:
    """The planner with ``params`` finds the brute-force optimum (or none),
    its bound at most it, and the evaluator agrees with its plan (``best``:
    the brute-force optimum when ``known``)."""
    if not known:
        best = brute_force(e)
    r = run(e, params=params)
    if best is None:
        assert r.status == "infeasible"
        return
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best, abs=0.05)
    assert r.bound <= best + 1e-6
    assert not compare_plan(e, r.plan)


# --- team cuts (solver.model.team_cuts) -------------------------------------

TEAM = SolveParams(team_cuts=True)


def test_envelope_most_gone_and_needs_after_by_hand() -> None:
    from solver.model.hull import lower_hull as envelope
    from solver.model.team_cuts import most_gone, needs_after

    # efforts 1, 1, 2, 5 with 4 days: the two ones and the two fit (3 members)
    assert most_gone([5.0, 1.0, 2.0, 1.0], 4.0) == 3
    assert most_gone([0.0, 0.0, 3.0], 2.0) == 2
    # (0,10) (1,10) (2,9) (3,5): the middle points above the chord (0,10)-(3,5)?
    # (2,9): chord at 2 is 10 - 10/3 = 6.67 < 9, so only the ends remain
    assert envelope([(0, 10), (1, 10), (2, 9), (3, 5)]) == [(0, 10), (3, 5)]
    assert envelope([(0, 4), (1, 2), (2, 1), (3, 1)]) == [(0, 4), (1, 2), (2, 1), (3, 1)]
    # pool of 3 hosts of 10 vCPU, no spare, VMs of 8, 8, 4 vCPU (RAM 1 GB each):
    # k = 0: 20 vCPU -> 2 hosts; k = 1 (the 8 gone): 12 -> 2; k = 2: 4 -> 1
    from estate.clusters import Cluster
    c = Cluster("CL", ("H1", "H2", "H3"), (), 10, 100, 0)
    assert needs_after(c, [(8, 1), (8, 1), (4, 1)], (0, 0), 2) == [2, 2, 1]


def _team_pool(one_off: float) -> Estate:
    # Three 8-vCPU VMs on three 10-vCPU hosts, no spare: 24 vCPU need 3 hosts,
    # 16 need 2, 8 need 1. Moves take one month and 10 of the team's 10 days
    # a month: one VM a month. 4 months.
    apps = ("A1", "A2", "A3")
    vms = [vm(f"V{i}", f"H{i}", a, 8) for i, a in enumerate(apps, start=1)]
    opts = [o for a in apps for o in (opt(a, "retain"),
                                      opt(a, one_off=one_off, monthly=100.0,
                                          effort={"migration": 10.0}))]
    return make_estate([app(a, 100.0) for a in apps], opts,
                       servers=[*(host(f"H{i}", "2030-01") for i in (1, 2, 3)), *vms],
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       teams=[Team("migration", 10.0)], H=4, vcpus_per_core=1.0,
                       ha_spare_hosts=0)


def test_team_cut_rows_by_hand() -> None:
    # Month 1: 10 days, one VM can have left (K = 1 < 3): h = 3, 2; one row.
    # Month 2: K = 2: h = 3, 2, 1, a straight line: one row. Month 3: K = 3,
    # every VM can have left: none.
    from solver.model.team_cuts import add_team_cuts, applies

    e = _team_pool(100.0)
    b = Builder(Prep(e), member_links=False)
    assert applies(b)
    (c,) = b.prep.clusters
    assert add_team_cuts(b, c, b.cluster_n[c.name]) == 2
    off = Builder(Prep(e), member_links=False)
    on = Builder(Prep(e), member_links=False, team_cuts=True)
    assert len(on.m.proto.constraints) - len(off.m.proto.constraints) == 2
    # not in a neighbourhood's model (held applications) nor in explain mode
    assert not applies(Builder(Prep(e), held={"A1": ("retain", 4)}))
    assert not applies(Builder(Prep(e), explain=True))


@pytest.mark.parametrize(("one_off", "best"), [(100.0, 1911.0), (250.0, 2076.0)])
def test_team_bound_pool_optimum_with_the_team_cuts(one_off: float, best: float) -> None:
    # Retaining all: 3 × 4 × 100 + 3 hosts × 4 × 73 = 1,200 + 876 = 2,076.
    # Each VM gone from month L frees one host for 4 - L months (£73 each);
    # one VM a month, so the L are 1, 2, 3 at best. One-off 100: L = 1 saves
    # 219 - 100 = 119, L = 2 146 - 100 = 46, L = 3 73 - 100 < 0: two moves,
    # 2,076 - 165 = 1,911. One-off 250: even L = 1 (219) does not pay: 2,076.
    e = _team_pool(one_off)
    for params in (TEAM, SolveParams(team_cuts=True, time_cuts=True), SolveParams()):
        r = run(e, params=params)
        assert r.status == "optimal"
        assert r.objective == approx(best)
        assert r.bound <= r.objective + 1e-6
        assert not compare_plan(e, r.plan)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(pooled_estates())
def test_the_team_cuts_keep_the_brute_force_optimum(e: Estate) -> None:
    _agrees_with_brute_force(e, SolveParams(team_cuts=True, time_cuts=True, unary_hosts=True))


def test_unary_host_literals_by_hand() -> None:
    # _pair (2 hosts, spare 1): the member links ask for [n >= 2] each month;
    # with unary_hosts every rank's literal exists and they sum to n.
    e = _pair(700.0)
    b = Builder(Prep(e), unary_hosts=True)
    for t in range(1, 12):
        assert ("CL", 1, t) in b.host_on_cache and ("CL", 2, t) in b.host_on_cache
    plain = Builder(Prep(e))
    assert ("CL", 1, 5) not in plain.host_on_cache
    # the same optimum (3,946, both move live from month 1)
    r = run(e, params=SolveParams(unary_hosts=True))
    assert r.status == "optimal" and r.objective == approx(3946.0)
    assert not compare_plan(e, r.plan)
