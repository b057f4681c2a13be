"""Sub-pool chord cuts (``solver.model.pool_cuts``): ``D·n[C,t] >= N·Σ_R
w_i·u[i,t]`` for any set R of a pool's members, ``N/D`` the least ratio
hosts/load of the rule over R's loads.

* ``ratio`` by hand, and the cut's validity against the rule itself for
  every subset in service (hypothesis, random pools);
* a hand-worked estate where the LP without them pays for hosts the rule
  never frees, and with them proves the optimum;
* against brute force on random tiny pooled estates: the LP bound with the
  cuts is at most the optimum and the planner finds it.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from estates import priced_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_clusters import host, vm
from test_solver_factory import app, make_estate, opt, run, site
from test_time_cuts import _agrees_with_brute_force, pooled_estates
from tiny_estates import brute_force, combinations

from estate.clusters import Cluster, clusters, hosts_needed
from estate.model import Estate
from solver.check import compare_plan
from solver.model.glop import lp_first
from solver.model.params import SolveParams
from solver.model.pool_cuts import lp_with_pool_cuts, ratio
from solver.model.prep import Prep

CUTS = SolveParams(pool_cut_rounds=4)


def test_ratio_by_hand() -> None:
    # cap 10, 3 hosts, 1 spare: g(y) = min(3, 1 + ceil(y/10)).
    # total 25: y = 10 -> 2/10, y = 20 -> 3/20, y = 25 -> 3/25 (the least)
    assert ratio(25, 10, 3, 1) == (3, 25)
    # total 8: one step, y = 8 -> 2/8
    assert ratio(8, 10, 3, 1) == (2, 8)
    # total 16 of 3 hosts: y = 10 -> 2/10 = 0.2, y = 16 -> 3/16 = 0.1875
    assert ratio(16, 10, 3, 1) == (3, 16)
    # no spare, 4 hosts, total 35: 1/10 = 2/20 = 3/30 = 0.1 < 4/35 (the
    # last, partly filled host): the first of the least
    assert ratio(35, 10, 4, 0) == (1, 10)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=6),
       st.integers(1, 5), st.integers(0, 2), st.integers(1, 25), st.integers(1, 25))
def test_the_cut_holds_for_the_rule(members: list[tuple[int, int]], m: int, spare: int,
                                    cap_cpu: int, cap_ram: int) -> None:
    # For every set R and every set S of members in service, the rule's n(S)
    # is at least N/D times the load of R ∩ S (each resource on its own).
    c = Cluster("CL", tuple(f"H{i}" for i in range(m)),
                tuple((frozenset({f"A{i}"}), cpu, ram) for i, (cpu, ram) in enumerate(members)),
                cap_cpu, cap_ram, spare)
    idx = range(len(members))
    for k in range(1, len(members) + 1):
        for R in itertools.combinations(idx, k):
            for res, cap in ((0, cap_cpu), (1, cap_ram)):
                total = sum(members[i][res] for i in R)
                if total <= 0:
                    continue
                num, den = ratio(total, cap, m, min(spare, m))
                for j in range(len(members) + 1):
                    for S in itertools.combinations(idx, j):
                        n = hosts_needed(c, sum(members[i][0] for i in S),
                                         sum(members[i][1] for i in S), bool(S))
                        y = sum(members[i][res] for i in R if i in S)
                        assert den * n >= num * y, (R, S, n, y, num, den)


def _two_stay() -> Estate:
    # Four 8-vCPU VMs on a pool of three 10-vCPU hosts, one spare. A1 and A2
    # can move at no cost and no saving (one-off 0, 100 a month as now); A3
    # and A4 can only stay. Their 16 vCPUs alone need min(3, 1 + ceil(16/10))
    # = 3 hosts, so the pool keeps all 3 whatever A1 and A2 do: the optimum
    # is 4 × 12 × 100 + 3 hosts × 12 months × 73 = 4,800 + 2,628 = 7,428.
    # The chord (the whole load, 32) credits moving A1 and A2 with
    # 2 × 16/32 = 1 host a month; the sub-pool chord of R = {A3, A4}
    # (N/D = 3/16: 3 hosts for 16 units) gives n >= 3 back.
    apps = ("A1", "A2", "A3", "A4")
    vms = [vm(f"V{i}", f"H{1 + (i - 1) % 3}", a, 8) for i, a in enumerate(apps, start=1)]
    opts = [opt(a, "retain") for a in apps] + [opt(a, one_off=0.0, monthly=100.0)
                                              for a in ("A1", "A2")]
    return make_estate([app(a, 100.0) for a in apps], opts,
                       servers=[*(host(f"H{i}", "2030-01") for i in (1, 2, 3)), *vms],
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=1)


def _lp(e: Estate, rounds: int, links: bool = False, lazy: bool = False,
        sparse: bool = True, share: float = 1.0, log: list[str] | None = None) -> float:
    _, b, obj, _ = priced_model(e, member_links=links)
    log = [] if log is None else log
    if rounds == 0:
        return lp_first(b.m, obj, 30.0, lambda _: None, log)
    return lp_with_pool_cuts(b, obj, 30.0, rounds, lambda _: None, log, lazy_links=lazy,
                             sparse=sparse, share=share)


def _bounds_by_class(e: Estate, classes: tuple[type, ...], rounds: tuple[int, ...] = (0, 4)
                     ) -> dict[tuple[type, int], float]:
    """Each LP class's bound on ``e`` (no member links) after each number of
    chord rounds: the one home of the tests comparing GLOP's classes and HiGHS."""
    got = {}
    for glop in classes:
        for n in rounds:
            _, b, obj, _ = priced_model(e, member_links=False)
            got[glop, n] = lp_with_pool_cuts(b, obj, 30.0, n, lambda _: None, [], glop=glop)
    return got


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=0.05)


def test_two_that_stay_keep_the_pool_by_hand() -> None:
    e = _two_stay()
    (c,) = clusters(e)
    assert hosts_needed(c, 16_000, 2 * 1024, True) == 3
    r = run(e, params=CUTS)
    assert r.status == "optimal"
    assert r.objective == approx(7428.0)
    assert not compare_plan(e, r.plan)
    plain = _lp(e, 0)
    cut = _lp(e, 4)
    # the cuts written over the load chain less the members outside R, and
    # with the member links held out of the LP until violated: the same proof
    assert _lp(e, 4, sparse=False) == pytest.approx(7428.0, abs=1.0)
    assert _lp(e, 4, links=True, lazy=True) == pytest.approx(7428.0, abs=1.0)
    # without the sub-pool chords the LP pays less than three hosts (A1 and
    # A2 gone lift the chord's credit); with them it proves the optimum
    assert plain < 7428.0 - 100.0
    assert cut == pytest.approx(7428.0, abs=1.0)
    assert cut <= 7428.0 + 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(pooled_estates())
def test_the_lp_with_cuts_never_passes_the_brute_force_optimum(e: Estate) -> None:
    assert combinations(e) <= 600
    best = brute_force(e)
    for links, lazy, sparse, share in ((False, False, True, 1.0), (False, False, False, 0.5),
                                       (True, False, True, 1.0), (True, True, False, 0.5)):
        got = _lp(e, 4, links, lazy, sparse, share)
        if best is None:
            continue
        assert math.isinf(got) or got <= best + 1e-6, (got, best, links, lazy, sparse, share)
    _agrees_with_brute_force(e, CUTS, best, known=True)


def test_objective_labels_and_lp_primal() -> None:
    # benchmarks/gap_terms.py reads each term's family from Objective.labels
    # and the LP's column values from solve_glop(primal=True): one label per
    # term (apps, the pool's host cost by month), one value per column, and
    # the objective at those values is GLOP's own optimum.
    from solver.model.glop import pounds, solve_glop
    from solver.model.lp_bound import proto_of, relax

    e = _two_stay()
    _, b, obj, _ = priced_model(e)
    assert len(obj.labels) == len(obj.variables)
    assert {lab.partition("=")[0] for lab in obj.labels} <= {"app", "group", "pool", "units",
                                                              "split"}
    assert any(lab.startswith("pool=CL,t=") for lab in obj.labels)
    r = relax(proto_of(b.m))
    res = solve_glop(r, 30.0, primal=True)
    assert res.primal is not None and len(res.primal) == len(r.c)
    value = float(r.c @ res.primal) + r.offset
    assert pounds(r, value, obj) == pytest.approx(pounds(r, res.bound, obj), abs=0.5)


def test_where_the_lp_bound_and_unary_hosts_run() -> None:
    # one worker: everywhere (lp_bound_everywhere); two: only where CP-SAT's LP
    # worker runs alone beside the neighbourhood search (lean), up to
    # lp_bound_lean_workers; the unary host counts go with the LP bound
    p = SolveParams()
    assert p.lp_bound_for(1, lean=False) and p.lp_bound_for(1, lean=True)
    assert p.lp_bound_for(2, lean=True) and not p.lp_bound_for(2, lean=False)
    assert not p.lp_bound_for(3, lean=True)
    assert p.unary_for(1) and p.unary_for(2, lean=True) and not p.unary_for(2)
    off = SolveParams(lp_bound_lean_workers=0)
    assert not off.lp_bound_for(2, lean=True) and not off.unary_for(2, lean=True)
    # one worker follows lp_bound_max_workers alone, lean or not
    none = SolveParams(lp_bound_max_workers=0)
    assert not none.lp_bound_for(1, lean=True) and none.lp_bound_for(2, lean=True)
    assert SolveParams(unary_hosts=False).unary_for(1) is False
    assert not SolveParams(lp_bound_everywhere=False).lp_bound_for(1, lean=False)


def test_held_rows_enter_where_violated_by_hand() -> None:
    # min 2y + x with x + y >= 1, and x => y held out (relax_split): without
    # it the LP takes x = 1, y = 0 (1); x = 1 violates x <= y, the row enters,
    # and the LP is then min 1 + y with y >= 1/2 (x = 1 - y <= y): 1.5, the
    # full relaxation's optimum (x = y = 1/2). Each is a valid bound.
    from ortools.sat.python import cp_model

    from solver.model.glop import Glop
    from solver.model.lp_bound import proto_of, relax, relax_split

    m = cp_model.CpModel()
    x, y = m.new_bool_var("x"), m.new_bool_var("y")
    m.add(x + y >= 1)
    start = len(m.proto.constraints)
    m.add_implication(x, y)
    m.minimize(2 * y + x)
    proto = proto_of(m)
    r, pending = relax_split(proto, [(start, start + 1)])
    assert r.a.shape[0] == 1 and pending.left == 1
    g = Glop(r)
    res = g.solve(5.0)
    assert res.bound == pytest.approx(1.0, abs=1e-5) and res.primal is not None
    rows = g.rows()
    assert pending.violated(res.primal, rows) == 1 and pending.left == 0
    g.add_rows(rows)
    res = g.solve(5.0)
    assert res.bound == pytest.approx(1.5, abs=1e-5)
    # the same as the relaxation with every row from the start
    full = Glop(relax(proto)).solve(5.0)
    assert full.bound == pytest.approx(1.5, abs=1e-5)
    # nothing more to add at x = y = 1/2
    assert res.primal is not None and pending.violated(res.primal, g.rows()) == 0


def test_two_workers_run_the_lp_bound_first_on_a_small_pooled_estate() -> None:
    # _two_stay: every application in the pool, below lns_min_apps, so two
    # workers run CP-SAT alone (bound_first.alone_for); the LP bound and its
    # sub-pool chords run first (the log line), the unary host counts with
    # them, and the optimum is proved as before; off, neither.
    from solver.model.bound_first import alone_for, pooled_first

    e = _two_stay()
    prep = Prep(e)
    p = SolveParams()
    assert alone_for(prep, True, 2, p) and pooled_first(prep, True, 2, p)
    assert not alone_for(prep, True, 1, p) and not alone_for(prep, False, 2, p)
    assert not alone_for(prep, True, 2, SolveParams(lp_bound_alone=False))
    on = run(e, workers=2)
    assert on.status == "optimal" and on.objective == approx(7428.0)
    assert any(line.startswith("LP bound with sub-pool chords:") for line in on.log), on.log
    off = run(e, workers=2, params=SolveParams(lp_bound_alone=False))
    assert off.objective == approx(7428.0)
    assert not any(line.startswith("LP bound") for line in off.log), off.log


def test_half_the_cuts_a_round_by_hand() -> None:
    # _two_stay: at round 0 one cut of each month and resource is violated
    # (A3 and A4's 16 vCPU and their RAM, both constants: 0 terms); with
    # share 0.5 round 1 adds half of them, the most violated, one resource
    # of each month being enough to prove 7,428 as before
    def first(share: float) -> tuple[float, int]:
        log: list[str] = []
        got = _lp(_two_stay(), 4, share=share, log=log)
        line = next(x for x in log if ", round 1:" in x)
        return got, int(line.split("(")[1].split(" cuts")[0])

    whole, n = first(1.0)
    half, k = first(0.5)
    assert whole == pytest.approx(7428.0, abs=1.0) and half == pytest.approx(7428.0, abs=1.0)
    assert n >= 2 and k == math.ceil(n / 2)


def test_separate_puts_the_most_violated_first() -> None:
    from solver.model.clusters import _member_literal
    from solver.model.glop import Glop
    from solver.model.lp_bound import proto_of, relax
    from solver.model.pool_cuts import _value, separate

    e = _two_stay()
    prep, b, obj, _ = priced_model(e, member_links=False)
    for c in prep.clusters:
        for t, n in enumerate(b.cluster_n[c.name]):
            if not isinstance(n, int):
                for apps, _, _ in c.members:
                    _member_literal(b, apps, t)
    res = Glop(relax(proto_of(b.m))).solve(10.0)
    assert res.primal is not None
    x = res.primal
    cuts = separate(b, x)
    assert cuts

    def viol(cut: Any) -> float:
        lhs = cut.const + sum(w * _value(x, u) for u, w in cut.terms)
        return cut.num * lhs / cut.den - _value(x, cut.n)

    got = [viol(cut) for cut in cuts]
    assert all(v > 1e-3 for v in got)
    assert got == sorted(got, reverse=True)
