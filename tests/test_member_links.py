"""The strong (disaggregated) linking of a cluster's VMs to its host count
(``solver.model.clusters._link_members``), worked by hand.

12 months from 2025-04, no discounting, carbon price 0. Hosts draw 1,000 W at
DC (PUE 1, £0.10/kWh): £73 a month each; ``vcpus_per_core`` 1, so a 10-core
host carries 10 vCPUs. The cuts are valid (the rule's n satisfies them), so
the optimum is the same with and without them; only the LP bound moves.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_clusters import host, vm
from test_solver_factory import app, make_estate, moved, opt, run, site

from estate.clusters import clusters, hosts_needed
from estate.model import Estate
from solver.check import compare_plan
from solver.model.build import Builder
from solver.model.params import SolveParams
from solver.model.prep import Prep


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _pair(one_off: float) -> Estate:
    # Two 1-vCPU VMs, A1 and A2, on a pool of two hosts with one spare: while
    # either VM runs the rule keeps min(2, ceil(load/10) + 1) = 2 hosts, so the
    # hosts stop only when both have left (an all-or-nothing saving).
    vms = [vm("V1", "H1", "A1", 1), vm("V2", "H2", "A2", 1)]
    opts = [o for a in ("A1", "A2") for o in (opt(a, "retain"),
                                              opt(a, one_off=one_off, monthly=100.0))]
    return make_estate([app(a, 100.0) for a in ("A1", "A2")], opts,
                       servers=[host("H1", "2030-01"), host("H2", "2030-01"), *vms],
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=1)


@pytest.mark.parametrize("links", [True, False])
def test_both_vms_leave_when_the_pool_pays_for_both_moves(links: bool) -> None:
    # Moving one VM saves nothing (2 hosts stay). Moving both live from month
    # 1 stops both hosts from month 1: 2 × 11 × 73 = 1,606 saved against 2 ×
    # 700 = 1,400 one-off. Running costs are 100 a month either way.
    # Objective: 2 × 12 × 100 + 1,400 + 2 hosts × 1 month × 73 = 2,400 + 1,400
    # + 146 = 3,946 (retaining both: 2,400 + 2 × 12 × 73 = 4,152).
    e = _pair(700.0)
    r = run(e, params=SolveParams(member_links=links))
    assert r.status == "optimal"
    assert r.objective == approx(3946.0)
    assert {a: m[0] for a, m in moved(r).items()} == {"A1": "rehost", "A2": "rehost"}
    assert r.bound <= r.objective + 1e-6
    assert not compare_plan(e, r.plan)


@pytest.mark.parametrize("links", [True, False])
def test_both_stay_when_the_moves_cost_more_than_the_hosts(links: bool) -> None:
    # 2 × 900 = 1,800 > 1,606: retaining both, 4,152, is optimal; moving one
    # alone only adds its 900.
    e = _pair(900.0)
    r = run(e, params=SolveParams(member_links=links))
    assert r.status == "optimal"
    assert r.objective == approx(4152.0)
    assert {a: m[0] for a, m in moved(r).items()} == {"A1": "retain", "A2": "retain"}


def test_each_member_keeps_what_the_rule_needs_for_it_alone() -> None:
    # The cut per member is the rule's own n for that member alone: a 1-vCPU VM
    # needs 1 host + 1 spare; a 15-vCPU VM would need 2 + 1, capped at m = 2.
    e = _pair(700.0)
    (c,) = clusters(e)
    assert [hosts_needed(c, cpu, ram, True) for _, cpu, ram in c.members] == [2, 2]
    b = Builder(Prep(e), member_links=True)
    # one implication per member and month into [n >= 2] (and into any[C,t]);
    # in month 0 both are in service for sure (L >= 1): n >= 2 outright
    names = {v.name for v in b.host_on_cache.values()}
    assert {f"host_on[CL,rank=2,t={t}]" for t in range(1, 12)} <= names
    b0 = Builder(Prep(e), member_links=False)
    assert not b0.host_on_cache


def test_an_unsupported_pool_cannot_hold_a_vm_that_must_stay() -> None:
    # forbid: H1, H2 out of support from 2025-07 (month 3), so n <= 0 from 3
    # on; A1 has no option but retain: its VM keeps 2 hosts to H: infeasible.
    r = run(_unsupported_retained(_pair(700.0)))
    assert r.status == "infeasible"


def _unsupported_retained(e: Estate) -> Estate:
    """``e`` under ``forbid`` with every host out of support from 2025-07 and
    A1 allowed only to stay."""
    from dataclasses import replace

    servers = [replace(s, os_end_of_support="2025-07") if s.kind == "host" else s
               for s in e.servers]
    options = [o for o in e.options if o.app_id != "A1" or o.strategy == "retain"]
    return replace(e, servers=tuple(servers), options=tuple(options),
                   settings=replace(e.settings, unsupported_os_policy="forbid"))


def _full_pool(one_off: float) -> Estate:
    # Three 8-vCPU VMs on a pool of three 10-vCPU hosts, one spare: the load
    # (24 vCPUs) needs more than m - spare = 2 hosts, so a full pool keeps all
    # 3 (the capacity row's ``full`` literal); two VMs (16) need 2 + 1 = 3,
    # one (8) needs 1 + 1 = 2, none 0.
    apps = ("A1", "A2", "A3")
    vms = [vm(f"V{i}", f"H{i}", a, 8) for i, a in enumerate(apps, start=1)]
    opts = [o for a in apps for o in (opt(a, "retain"), opt(a, one_off=one_off, monthly=100.0))]
    return make_estate([app(a, 100.0) for a in apps], opts,
                       servers=[*(host(f"H{i}", "2030-01") for i in (1, 2, 3)), *vms],
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=1)


@pytest.mark.parametrize("tight", [True, False])
def test_a_full_pool_empties_whole_when_that_pays(tight: bool) -> None:
    # One-off 700. Moving one VM saves nothing (3 hosts stay); two, from month
    # 1: one host off, 11 × 73 = 803 < 1,400; all three from month 1: 3 × 11 ×
    # 73 = 2,409 > 2,100. Objective: 3 × 12 × 100 + 2,100 + 3 hosts × 1 month
    # × 73 = 3,600 + 2,100 + 219 = 5,919 (retaining all: 3,600 + 36 × 73 = 6,228).
    e = _full_pool(700.0)
    (c,) = clusters(e)
    assert sum(cpu for _, cpu, _ in c.members) > c.cap_cpu * (len(c.hosts) - c.spare)
    r = run(e, params=SolveParams(tight_pools=tight))
    assert r.status == "optimal"
    assert r.objective == approx(5919.0)
    assert {m[0] for m in moved(r).values()} == {"rehost"}
    assert r.bound <= r.objective + 1e-6
    assert not compare_plan(e, r.plan)


@pytest.mark.parametrize("tight", [True, False])
def test_a_full_pool_stays_when_emptying_it_costs_more(tight: bool) -> None:
    # One-off 850: all three 2,550 > 2,409 saved; two 1,700 > 803: retain all,
    # 6,228.
    e = _full_pool(850.0)
    r = run(e, params=SolveParams(tight_pools=tight))
    assert r.status == "optimal"
    assert r.objective == approx(6228.0)
    assert {m[0] for m in moved(r).values()} == {"retain"}


def test_the_chord_cut_holds_for_every_load_of_the_rule() -> None:
    # W·n >= W·spare + (m - spare)·load for 0 < load <= W whenever W > cap·(m -
    # spare), with n the rule's hosts_needed: checked load by load.
    from estate.clusters import Cluster

    for m in range(1, 7):
        for spare in range(0, 3):
            for cap in (3, 5, 10):
                keep = min(spare, m)
                for total in range(cap * max(m - keep, 0) + 1, cap * (m + 2)):
                    c = Cluster("CL", tuple(f"H{i}" for i in range(m)), (), cap, 0, spare)
                    for load in range(1, total + 1):
                        n = hosts_needed(c, load, 0, True)
                        assert total * n >= total * keep + (m - keep) * load, \
                            (m, spare, cap, total, load, n)


def test_an_estate_without_clusters_gets_the_same_model() -> None:
    # The cuts are built per cluster only: the demo, the synthetic estates and
    # PSPLIB (no clusters) are planned by exactly the model they had before.
    e = _pair(700.0)
    plain = make_estate([app(a, 100.0) for a in ("A1", "A2")], list(e.options),
                        servers=[s for s in e.servers if s.kind != "host"],
                        sites=list(e.sites))
    assert not clusters(plain)
    on = str(Builder(Prep(plain)).m.proto)
    off = str(Builder(Prep(plain), member_links=False, tight_pools=False).m.proto)
    assert on == off
    assert str(Builder(Prep(e)).m.proto) != str(
        Builder(Prep(e), member_links=False, tight_pools=False).m.proto)


def test_neighbourhood_search_left_out_when_most_applications_are_pooled() -> None:
    # Every application of _pair runs in the pool (share 1 > 0.5): with two
    # workers and lns_max_pooled_share 0.5 every one goes to the full model;
    # the default (a share of 1) keeps the neighbourhood thread. The plan is
    # the hand-worked 3,946 either way.
    e = _pair(700.0)
    left = run(e, workers=2, params=SolveParams(lns_min_apps=1, lns_max_pooled_share=0.5))
    kept = run(e, workers=2, params=SolveParams(lns_min_apps=1))
    assert any(line.startswith("neighbourhood search left out: 100%") for line in left.log)
    assert not any(line.startswith("neighbourhood search:") for line in left.log)
    assert not any(line.startswith("neighbourhood search left out") for line in kept.log)
    assert left.objective == approx(3946.0) and kept.objective == approx(3946.0)
