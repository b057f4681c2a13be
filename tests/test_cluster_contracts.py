"""Contracts over clustered hosts, worked by hand (12 months from 2025-04, no
discounting, carbon price 0; hosts draw nothing, so only the contracts and the
applications cost anything). Planner, greedy and the evaluator (``estate
check``) must agree to the penny.

The cluster CL has three hosts of 16 cores (1 socket: 16 licensed cores each,
``vcpus_per_core`` 1, so 16 vCPUs a host), no end of life (ranked by id: H1,
H2, H3), no spare host. Every VM shows on H1: which host a VM sits on changes
nothing. V1 (A1) 16 vCPUs, V2 (A2) 16, V3 (A3) 8: 40 vCPUs, n = 3 hosts; once
A1 has left 24 vCPUs, n = 2, so H3 (rank 3) is switched off.

VS: VMware per-core subscription, £120 a core a year, current term £5,760 to
2025-06-30 (m = 2: 3 × £480 = £1,440), quarterly renewals (T = 3, t0 = 3, 6, 9,
each £30 a core), 1 month's notice, covers H1, H2, H3. HS: hardware support,
£1,200 a year to 2025-06-30, yearly renewal, 3 months' notice, ends with
``move``, covers H3 only: a contract covering a pooled host waits for the
whole pool (interpretation.md), so while A2 and A3 stay it renews once
(k = 1): 12 × £100 = £1,200 whatever happens to H3.

A1: £100 a month now, rehost (d = 1) free afterwards. A2, A3: retain only.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from test_solver_factory import Contract, app, make_estate, opt, run, site
from tiny_estates import brute_force

from estate.derive import build_schedule
from estate.model import Estate, Pin, Server
from estate.months import add_months
from estate.plan import Decision
from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.greedy import greedy


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _host(hid: str) -> Server:
    return Server(hid, "DC", "host", cluster="CL", sockets=1, cores=16, ram_gb=256,
                  watts=0.0, replacement_cost=0.0, embodied_kgco2e=0.0)


def _vm(vid: str, a: str, vcpus: float) -> Server:
    return Server(vid, "DC", "virtual", host_id="H1", vcpus=vcpus, ram_gb=1, watts=0.0,
                  replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(a,))


def _estate(pins: list[Pin] | None = None) -> Estate:
    servers = [_host("H1"), _host("H2"), _host("H3"),
               _vm("V1", "A1", 16), _vm("V2", "A2", 16), _vm("V3", "A3", 8)]
    contracts = [
        Contract("VS", 5760.0, "2025-06-30", category="licence", supplier="Broadcom",
                 renewal_term_months=3, notice_months=1, covers=("H1", "H2", "H3"),
                 unit="core", unit_price=120.0),
        Contract("HS", 1200.0, "2025-06-30", category="support", ends_with="move",
                 renewal_term_months=12, notice_months=3, covers=("H3",))]
    return make_estate([app("A1", 100.0), app("A2"), app("A3")],
                       [opt("A1", "retain"), opt("A1"), opt("A2", "retain"),
                        opt("A3", "retain")],
                       servers=servers, sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       contracts=contracts, pins=pins, vcpus_per_core=1.0, ha_spare_hosts=0)


def _agree(e: Estate, r: Any) -> None:
    """Planner, evaluator, check and greedy agree to the penny."""
    ev = evaluate(e, r.plan.decisions)
    assert ev.totals.objective == pytest.approx(r.objective, abs=0.005)
    assert ev.contracts == r.plan.contracts
    assert compare_plan(e, r.plan) == []
    _, g = greedy(e)
    assert g is not None and r.plan.greedy is not None
    assert g.totals.objective == pytest.approx(r.plan.greedy.objective, abs=0.005)
    assert r.bound <= r.objective + 1e-6


def test_per_core_renewals_fall_when_the_cluster_switches_a_host_off() -> None:
    # A1 rehosts at L = 1: n = 2 from month 1, H3's D = 1 (H1, H2: 12). Every
    # renewal counts 32 cores: 3 × 32 × 30 = 2,880. A1 100, VS current 1,440,
    # HS 1,200. Objective 5,620. (All retained: 1,200 + 1,440 + 3 × 48 × 30 +
    # 1,200 = 8,160.)
    e = _estate()
    r = run(e)
    assert r.status == "optimal"
    assert {a.app_id: a.live_from for a in r.plan.applications}["A1"] == "2025-05"
    assert r.objective == approx(5620.0)
    _agree(e, r)
    sched = build_schedule(e, r.plan.decisions)
    assert (sched.server_d["H1"], sched.server_d["H2"], sched.server_d["H3"]) == (12, 12, 1)
    vs, hs = sched.contracts["VS"], sched.contracts["HS"]
    assert vs.k == 3 and vs.units[1:4] == (32.0, 32.0, 32.0)
    assert vs.values[1:4] == (3840.0, 3840.0, 3840.0)
    # HS covers H3 (off from month 1) but waits for the pool: N = 12, k = 1
    assert (hs.N, hs.k, hs.decision) == (12, 1, "keep")
    base = evaluate(e, [Decision(a, "retain") for a in ("A1", "A2", "A3")])
    assert base.totals.objective == approx(8160.0)


def test_the_renewal_after_the_switch_off_is_the_cheaper_one() -> None:
    # A1 pinned to start 2025-07 (L = 4): H3 is in service in month t0 = 3
    # (n(3) = 3), off from month 4. Renewal 1 counts 48 cores (1,440), renewals
    # 2 and 3 (t0 = 6, 9) count 32 (960 each). 400 + 1,440 + 1,440 + 960 + 960
    # + 1,200 = 6,400.
    pin = [Pin("A1", "rehost", target_site="CLOUD", start="2025-07")]
    e = _estate(pin)
    r = run(e)
    assert r.status == "optimal" and r.objective == approx(6400.0)
    _agree(e, r)
    vs = build_schedule(e, r.plan.decisions).contracts["VS"]
    assert vs.units[1:4] == (48.0, 32.0, 32.0)
    assert vs.values[1:4] == (5760.0, 3840.0, 3840.0)
    assert build_schedule(e, r.plan.decisions).server_d["H3"] == 4


def _random_estate(seed: int) -> Estate:
    """A tiny clustered estate with per-unit contracts over its hosts (and now
    and then a plain contract over one host)."""
    rng = random.Random(seed)
    hosts = [Server(f"H{i}", "DC", "host", cluster="CL", cores=rng.choice([4, 8, 20, None]),
                    sockets=rng.choice([1, 2, None]), ram_gb=rng.choice([16, 32]),
                    watts=rng.choice([0.0, 400.0]),
                    end_of_life=rng.choice([None, f"2025-{rng.randint(4, 12):02d}"]),
                    replacement_cost=rng.choice([0.0, 900.0]), embodied_kgco2e=0.0)
             for i in range(rng.randint(2, 3))]
    apps = [f"A{i}" for i in range(rng.randint(2, 3))]
    vms = [Server(f"V{i}", "DC", "virtual", host_id=rng.choice([h.server_id for h in hosts]),
                  cluster="CL", vcpus=rng.choice([2, 4, 8]), ram_gb=rng.choice([4, 8, 24]),
                  watts=0.0, replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(a,))
           for i, a in enumerate(apps)]
    opts = []
    for a in apps:
        opts += [opt(a, "retain"), opt(a, d=rng.randint(1, 2), one_off=rng.choice([0.0, 300.0]),
                                       monthly=rng.choice([20.0, 120.0]))]
    ids = [h.server_id for h in hosts]
    contracts = [Contract("VS", 2400.0, f"{add_months('2025-04', rng.randint(-1, 2))}-28",
                          renewal_term_months=rng.choice([2, 3]),
                          notice_months=rng.randint(0, 1), category="licence",
                          unit=rng.choice(["core", "core", "host"]),
                          unit_price=rng.choice([40.0, 120.0, 600.0]),
                          min_units=rng.choice([0.0, 0.0, 1.0, 20.0]),
                          covers=tuple(rng.sample(ids, rng.randint(1, len(ids)))),
                          renewal_uplift=rng.choice([0.0, 0.05]))]
    if rng.random() < 0.5:
        contracts.append(Contract("HS", 1200.0, "2025-05-31", renewal_term_months=2,
                                  notice_months=0, category="support",
                                  ends_with=rng.choice(["move", "retire"]),
                                  covers=(rng.choice(ids),)))
    return make_estate([app(a, 100.0) for a in apps], opts, servers=[*hosts, *vms],
                       sites=[site("DC", price=0.2), site("CLOUD", "cloud")], H=7,
                       vcpus_per_core=rng.choice([1.0, 2.0]),
                       ha_spare_hosts=rng.choice([0, 1]), contracts=contracts)


@pytest.mark.parametrize("seed", range(10))
def test_random_clusters_with_per_unit_contracts_match_brute_force(seed: int) -> None:
    """Every plan of a tiny clustered estate under per-unit contracts evaluated:
    the planner's optimum is the least objective and check agrees."""
    e = _random_estate(seed)
    best = brute_force(e)
    r = run(e)
    assert r.status == "optimal", r.status
    assert r.objective == approx(best), (seed, r.objective, best)
    assert r.bound <= r.objective + 1e-6
    assert not compare_plan(e, r.plan)
