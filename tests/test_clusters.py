"""Clusters as pools, worked by hand (12 months from 2025-04 unless said, no
discounting, carbon price 0). Hosts draw 1,000 W at DC (PUE 1, £0.10/kWh):
730 kWh = £73 a month each. ``vcpus_per_core`` 1, so a 10-core host carries
10 vCPUs; RAM is never the binding ceiling here (1 GB VMs, 100 GB hosts)."""

from __future__ import annotations

from typing import Any

import pytest
from test_solver_factory import app, make_estate, moved, opt, run, site

from estate.clusters import clusters, host_d, needed_by_month
from estate.derive import build_schedule
from estate.model import Estate, Server
from estate.plan import Decision
from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.greedy import greedy_decisions

HOST_MONTH = 73.0


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def host(hid: str, eol: str, cluster: str = "CL", rc: float = 0.0) -> Server:
    return Server(hid, "DC", "host", cluster=cluster, cores=10, ram_gb=100, watts=1000.0,
                  end_of_life=eol, replacement_cost=rc, embodied_kgco2e=0.0)


def vm(vid: str, on: str, a: str, vcpus: float) -> Server:
    return Server(vid, "DC", "virtual", host_id=on, vcpus=vcpus, ram_gb=1, watts=0.0,
                  replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(a,))


def _estate(hosts: list[Server], vms: list[Server], options: list[Any],
            apps: list[str], **kw: Any) -> Estate:
    kw.setdefault("ha_spare_hosts", 0)
    return make_estate([app(a, 100.0) for a in apps], options, servers=[*hosts, *vms],
                       sites=[site("DC", price=0.1), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, **kw)


THREE = [host("H1", "2027-01"), host("H2", "2026-12"), host("H3", "2026-06")]


def test_hosts_switch_off_as_vms_leave() -> None:
    # V1 10 + V2 10 + V3 5 vCPUs, all shown on H3. A1 live from 2, A2 from 5,
    # A3 from 8. spare 0: n = 3 (25 vCPUs), 2 (15) from month 2, 1 (5) from 5,
    # 0 from 8. Ranked by latest end of life H1, H2, H3: D = 8, 5, 2.
    vms = [vm("V1", "H3", "A1", 10), vm("V2", "H3", "A2", 10), vm("V3", "H3", "A3", 5)]
    opts = [o for a in ("A1", "A2", "A3") for o in (opt(a, "retain"), opt(a, monthly=100.0))]
    e = _estate(THREE, vms, opts, ["A1", "A2", "A3"])
    (c,) = clusters(e)
    assert c.hosts == ("H1", "H2", "H3")
    live = {"A1": 2, "A2": 5, "A3": 8}
    assert needed_by_month(c, live, 12) == [3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0]
    assert host_d(c, live, 12) == {"H1": 8, "H2": 5, "H3": 2}
    decs = [Decision(a, "rehost", target_site="CLOUD", start=s)
            for a, s in (("A1", "2025-05"), ("A2", "2025-08"), ("A3", "2025-11"))]
    sched = build_schedule(e, decs)
    assert (sched.server_d["H1"], sched.server_d["H2"], sched.server_d["H3"]) == (8, 5, 2)
    ev = evaluate(e, decs)
    assert sum(ev.ledger.cost["server_energy"]) == approx(HOST_MONTH * (8 + 5 + 2))
    # with one spare host: n = 3, 3 (min with 3 hosts), 2 (1 + 1) from 5, 0 from 8
    e1 = _estate(THREE, vms, opts, ["A1", "A2", "A3"], ha_spare_hosts=1)
    assert host_d(clusters(e1)[0], live, 12) == {"H1": 8, "H2": 8, "H3": 5}


def test_which_host_a_vm_sits_on_changes_nothing() -> None:
    on_h3 = [vm("V1", "H3", "A1", 10), vm("V2", "H3", "A2", 10), vm("V3", "H3", "A3", 5)]
    spread = [vm("V1", "H1", "A1", 10), vm("V2", "H2", "A2", 10), vm("V3", "H1", "A3", 5)]
    opts = [opt("A1", "retain"), opt("A1", one_off=300.0, monthly=100.0),
            opt("A2", "retain"), opt("A3", "retain")]
    plans = []
    for vms in (on_h3, spread):
        e = _estate(THREE, vms, opts, ["A1", "A2", "A3"])
        r = run(e)
        assert r.status == "optimal" and not compare_plan(e, r.plan)
        plans.append((moved(r), r.objective))
    assert plans[0] == plans[1]


def test_pool_makes_a_move_pay() -> None:
    # Only A1 (10 vCPUs) may move: £300 one-off, £100 a month as now. Moving it
    # at L=1 drops the load to 15 vCPUs: 2 hosts, so H3 is off from month 1 and
    # saves 11 × 73 = 803 > 300. Objective: apps 3 × 1,200 + 300 + hosts
    # 12 × 73 + 12 × 73 + 1 × 73 = 3,600 + 300 + 1,825 = 5,725 (retaining: 6,228).
    vms = [vm("V1", "H3", "A1", 10), vm("V2", "H3", "A2", 10), vm("V3", "H3", "A3", 5)]
    opts = [opt("A1", "retain"), opt("A1", one_off=300.0, monthly=100.0),
            opt("A2", "retain"), opt("A3", "retain")]
    e = _estate(THREE, vms, opts, ["A1", "A2", "A3"])
    r = run(e)
    assert r.status == "optimal"
    assert moved(r)["A1"] == ("rehost", "2025-04", "2025-05")
    assert r.objective == approx(5725.0)
    assert r.bound <= r.objective + 1e-6
    assert not compare_plan(e, r.plan)
    dec = greedy_decisions(e)
    assert dec is not None and evaluate(e, dec).totals.objective == approx(5725.0)
    assert evaluate(e, [Decision("A1", "retain")]).totals.objective == approx(6228.0)
    # the same hosts without a cluster: VMs on H3 only, H1 and H2 serve nothing
    # (zombies, off at once) and H3 runs while anything does: moving A1 saves
    # nothing, so it stays: 3,600 + 876 = 4,476.
    plain = [Server(h.server_id, "DC", "host", cores=10, ram_gb=100, watts=1000.0,
                    end_of_life=h.end_of_life, replacement_cost=0.0, embodied_kgco2e=0.0)
             for h in THREE]
    e0 = _estate(plain, vms, opts, ["A1", "A2", "A3"])
    r0 = run(e0)
    assert moved(r0)["A1"][0] == "retain" and r0.objective == approx(4476.0)


def test_replaced_only_when_still_needed() -> None:
    # H1 end of life 2026-01 (month 9), H2 2025-06 (month 2); £5,000 each, no
    # extended support. V1 (A1, retained) and V2 (A2) 10 vCPUs each, spare 0.
    # A2 live from 2: H2 (rank 2) is off from month 2 = its end of life: not
    # replaced. A2 live from 3: H2 is still needed in month 2: replaced then.
    hosts = [host("H1", "2026-01", rc=5000.0), host("H2", "2025-06", rc=5000.0)]
    vms = [vm("V1", "H2", "A1", 10), vm("V2", "H2", "A2", 10)]
    opts = [opt("A1", "retain"), opt("A2", "retain"), opt("A2", monthly=100.0)]
    e = _estate(hosts, vms, opts, ["A1", "A2"])
    early = evaluate(e, [Decision("A2", "rehost", target_site="CLOUD", start="2025-05")])
    rows = {s.server_id: s for s in early.servers}
    assert rows["H2"].decommissioned == "2025-06" and rows["H2"].replaced is None
    assert rows["H1"].replaced == "2026-01"
    assert sum(early.ledger.cost["replacement"]) == approx(5000.0)
    late = evaluate(e, [Decision("A2", "rehost", target_site="CLOUD", start="2025-06")])
    rows = {s.server_id: s for s in late.servers}
    assert rows["H2"].replaced == "2025-06"
    assert sum(late.ledger.cost["replacement"]) == approx(10000.0)
    # the planner moves A2 at once (L = 1: £100 a month either way, and H2 is
    # off before its end of life): apps 1,200 + 1,200 = 2,400; hosts H1
    # 12 × 73 + 5,000, H2 1 × 73: 5,949; total 8,349
    r = run(e)
    assert moved(r)["A2"] == ("rehost", "2025-04", "2025-05")
    assert r.objective == approx(8349.0) and not compare_plan(e, r.plan)
    assert {s.server_id: s.replaced for s in r.plan.servers}["H2"] is None


def test_extend_support_when_the_exit_is_near() -> None:
    # One host, end of life 2025-06 (month 2), £10,000 to replace; extended
    # support 15 % (£1,500) a year, for 2 years at most. 36-month horizon.
    # A leaves at L: kept past month 2 while L > 2. L = 5: one year of support,
    # 1,500 < 10,000: extended. L = 20: 2 years (months 2, 14): 3,000: extended.
    # Retained (D = 36 > 2 + 24): must be replaced.
    hosts = [host("H1", "2025-06", rc=10000.0)]
    vms = [vm("V1", "H1", "A", 4)]
    opts = [opt("A", "retain"), opt("A", monthly=100.0)]
    e = _estate(hosts, vms, opts, ["A"], H=36, extend_support_fraction=0.15,
                extend_support_years=2)

    def refresh(start: str | None) -> tuple[float, str | None]:
        d = [Decision("A", "rehost", target_site="CLOUD", start=start)] if start else \
            [Decision("A", "retain")]
        ev = evaluate(e, d)
        return sum(ev.ledger.cost["replacement"]), ev.servers[0].replaced

    assert refresh("2025-08") == (approx(1500.0), None)
    assert refresh("2026-10") == (approx(3000.0), None)
    assert refresh(None) == (approx(10000.0), "2025-06")
    # the planner: moving is cost-neutral for A (£100 a month either way), the host
    # costs 73 a month + its refresh: leaving at L = 1 (before end of life) is best:
    # 3,600 + 73 = 3,673; planner, greedy and check agree
    r = run(e)
    assert moved(r)["A"] == ("rehost", "2025-04", "2025-05")
    assert r.objective == approx(3673.0) and not compare_plan(e, r.plan)


def test_extension_chosen_by_the_planner_when_the_move_must_wait() -> None:
    # As above but A cannot start before 2025-08 (earliest_start): live from 5 at
    # the soonest, so the host is kept past its end of life: extension (1,500)
    # beats replacement. Objective: 3,600 + 5 × 73 + 1,500 = 5,465.
    hosts = [host("H1", "2025-06", rc=10000.0)]
    vms = [vm("V1", "H1", "A", 4)]
    e = make_estate([app("A", 100.0, earliest_start="2025-08")],
                    [opt("A", "retain"), opt("A", monthly=100.0)],
                    servers=[*hosts, *vms], sites=[site("DC", price=0.1),
                                                   site("CLOUD", "cloud")],
                    H=36, vcpus_per_core=1.0, ha_spare_hosts=0,
                    extend_support_fraction=0.15, extend_support_years=2)
    r = run(e)
    assert moved(r)["A"] == ("rehost", "2025-08", "2025-09")
    assert r.objective == approx(3600.0 + 5 * HOST_MONTH + 1500.0)
    assert r.plan.servers[0].replaced is None
    assert not compare_plan(e, r.plan)


def test_vm_of_unknown_host_counts_in_its_cluster() -> None:
    # RVTools exports whose vInfo host names do not match vHost leave host_id
    # blank; the VM's own cluster column still puts it in the pool. 25 vCPUs
    # as before (V3 has no host): n = 3 while all run; planner and check agree.
    vms = [vm("V1", "H3", "A1", 10), vm("V2", "H3", "A2", 10),
           Server("V3", "DC", "virtual", cluster="CL", vcpus=5, ram_gb=1, watts=0.0,
                  replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=("A3",))]
    opts = [opt("A1", "retain"), opt("A1", one_off=300.0, monthly=100.0),
            opt("A2", "retain"), opt("A3", "retain")]
    e = _estate(THREE, vms, opts, ["A1", "A2", "A3"])
    (c,) = clusters(e)
    assert sorted(x for _, x, _ in c.members) == [5000, 10000, 10000]
    r = run(e)
    assert r.objective == approx(5725.0) and not compare_plan(e, r.plan)


def _random_cluster_estate(seed: int) -> Estate:
    import random

    rng = random.Random(seed)
    H = 8
    hosts = [Server(f"H{i}", "DC", "host", cluster="CL", cores=rng.choice([4, 8, None]),
                    ram_gb=rng.choice([16, 32]), watts=rng.choice([200.0, 800.0]),
                    end_of_life=f"2025-{rng.randint(4, 12):02d}",
                    replacement_cost=rng.choice([0.0, 900.0, 4000.0]),
                    embodied_kgco2e=rng.choice([0.0, 500.0]))
             for i in range(rng.randint(1, 3))]
    apps = [f"A{i}" for i in range(rng.randint(2, 3))]
    vms = []
    for i, a in enumerate(apps):
        vms.append(Server(f"V{i}", "DC", "virtual",
                          host_id=rng.choice([h.server_id for h in hosts] + [None]),
                          cluster="CL", vcpus=rng.choice([2, 4, 8, 0]),
                          ram_gb=rng.choice([4, 8, 24]), watts=0.0, replacement_cost=0.0,
                          embodied_kgco2e=0.0,
                          app_ids=(a,) if rng.random() < 0.8 else tuple(apps[:2])))
    opts = []
    for a in apps:
        opts.append(opt(a, "retain"))
        opts.append(opt(a, d=rng.randint(1, 2), one_off=rng.choice([0.0, 500.0]),
                        monthly=rng.choice([50.0, 150.0])))
    return make_estate([app(a, 100.0) for a in apps], opts, servers=[*hosts, *vms],
                       sites=[site("DC", price=0.2), site("CLOUD", "cloud")], H=H,
                       rate=0.035, carbon_price=rng.choice([0.0, 250.0]),
                       vcpus_per_core=rng.choice([1.0, 2.0]),
                       ha_spare_hosts=rng.choice([0, 1, 2]),
                       extend_support_fraction=rng.choice([0.0, 0.15]),
                       extend_support_years=2)


@pytest.mark.parametrize("seed", range(12))
def test_random_clusters_match_brute_force(seed: int) -> None:
    """Every plan of a tiny random clustered estate evaluated: the planner's
    optimum is the least objective, its bound is valid and check agrees."""
    from tiny_estates import brute_force

    e = _random_cluster_estate(seed)
    best = brute_force(e)
    r = run(e)
    assert r.status == "optimal", r.status
    assert r.objective == approx(best), (seed, r.objective, best)
    assert r.bound <= r.objective + 1e-6
    assert not compare_plan(e, r.plan)


def test_migration_workbook_says_support_is_extended(tmp_path: Any) -> None:
    import openpyxl

    from reports.migration import write_migration

    hosts = [host("H1", "2025-06", rc=10000.0)]
    e = make_estate([app("A", 100.0, earliest_start="2025-08")],
                    [opt("A", "retain"), opt("A", monthly=100.0)],
                    servers=[*hosts, vm("V1", "H1", "A", 4)],
                    sites=[site("DC", price=0.1), site("CLOUD", "cloud")], H=36,
                    vcpus_per_core=1.0, ha_spare_hosts=0, extend_support_fraction=0.15,
                    extend_support_years=2)
    r = run(e)
    ws = openpyxl.load_workbook(write_migration(e, r.plan, tmp_path / "m.xlsx"))["Servers"]
    head = [c.value for c in ws[1]]
    row = next(r_ for r_ in ws.iter_rows(min_row=2, values_only=True) if r_[0] == "H1")
    assert row[head.index("Replacement")] == "support extended from 2025-06 (1 year); cluster CL"


def test_forbid_switches_off_an_unsupported_host_of_a_pool() -> None:
    # H2 (rank 2) runs ESXi out of support from 2025-07 (month 3); forbid: the
    # pool may keep only 1 host from month 3, so one 10-vCPU VM must leave by
    # then. Moving costs £1,000 one-off (more than the 11 × 73 a host saves), so
    # without the rule nothing moves: 2,400 + 2 × 876 = 4,152. With it one moves
    # at once: 2,400 + 1,000 + 876 + 73 = 4,349 — the other stays (only the
    # host must go, not every VM on it).
    hosts = [host("H1", "2027-01"),
             Server("H2", "DC", "host", cluster="CL", cores=10, ram_gb=100, watts=1000.0,
                    end_of_life="2026-12", replacement_cost=0.0, embodied_kgco2e=0.0,
                    os="VMware ESXi 6.7", os_end_of_support="2025-07")]
    vms = [vm("V1", "H2", "A1", 10), vm("V2", "H2", "A2", 10)]
    opts = [o for a in ("A1", "A2") for o in (opt(a, "retain"),
                                             opt(a, one_off=1000.0, monthly=100.0))]
    flag = _estate(hosts, vms, opts, ["A1", "A2"])
    r = run(flag)
    assert r.objective == approx(4152.0)
    forbid = _estate(hosts, vms, opts, ["A1", "A2"], unsupported_os_policy="forbid")
    r = run(forbid)
    assert r.status == "optimal" and r.objective == approx(4349.0)
    assert sorted(s for s, *_ in moved(r).values()) == ["rehost", "retain"]
    assert not compare_plan(forbid, r.plan)
    ev = evaluate(forbid, [Decision("A1", "retain"), Decision("A2", "retain")])
    assert any(v.rule == "unsupported_os" and v.ids == ("H2",) for v in ev.violations)
    # nothing may move: infeasible, and the conflict names the host's rule
    stuck = _estate(hosts, vms, [opt("A1", "retain"), opt("A2", "retain")], ["A1", "A2"],
                    unsupported_os_policy="forbid")
    r = run(stuck)
    assert r.status == "infeasible"
    assert ("unsupported_os", ("H2",)) in {(c.rule, c.ids) for c in r.plan.conflicts}
