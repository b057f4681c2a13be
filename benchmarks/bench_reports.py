"""Time ``reports.write_reports`` for a 3,000-application plan.

Uses ``inventory.synth.synth_estate`` + ``estate.resolve.resolve`` +
``solver.greedy``/``solver.evaluate`` when they exist; otherwise builds a
synthetic resolved estate and a plausible plan here (derived state by the
planning-model rules, ledgers random). Prints seconds per report file.

Usage: ``python benchmarks/bench_reports.py [N_APPS] [--no-pdf]``
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from estate.model import (
    Application,
    Contract,
    Dependency,
    Estate,
    Option,
    Server,
    Settings,
    Site,
    Team,
)
from estate.months import label_at
from estate.plan import AppPlan, ContractPlan, Ledger, Plan, ServerPlan, SitePlan, Totals
from solver.result import Result

SERVICES = ("Adult Social Care", "Children's Services", "Revenues & Benefits", "Housing",
            "Planning", "Highways", "Waste", "Libraries", "Leisure", "Finance", "HR",
            "Legal", "Customer Services", "Public Health")


def synthetic(n: int, seed: int = 7) -> tuple[Estate, Result]:
    """A resolved estate of ``n`` applications and a plan for it (not optimised)."""
    rng = random.Random(seed)
    H, start = 48, "2025-04"
    settings = Settings(horizon_start=start, horizon_months=H, carbon_price=50.0,
                        freeze_months=(12,), grid_by_year={y: 0.2 - 0.01 * (y - 2025)
                                                           for y in range(2025, 2030)})
    sites = (Site("DC1", "on_prem", "Civic Centre", 1.7, 0.25, 20000.0, "2028-09"),
             Site("DC2", "on_prem", "Depot", 1.9, 0.25, 8000.0),
             Site("COLO", "colo", "Colo", 1.4, 0.3, 3000.0),
             Site("AWS", "cloud", "AWS London", 1.1, 0.0, 0.0, None, 0.1),
             Site("AZ", "cloud", "Azure UK South", 1.1, 0.0, 0.0, None, 0.1))
    apps, servers, options, deps = [], [], [], []
    hosts = [Server(f"H{i}", rng.choice(("DC1", "DC2")), "host", f"esx{i}", watts=700.0,
                    end_of_life=f"20{rng.randint(25, 29)}-{rng.randint(1, 12):02d}",
                    replacement_cost=15000.0, embodied_kgco2e=2000.0) for i in range(60)]
    servers += hosts
    for i in range(n):
        a = f"A{i:04d}"
        apps.append(Application(a, f"App {i}", rng.choice(SERVICES),
                                rng.choice(("critical", "high", "medium", "medium", "low")),
                                rng.random() < 0.2, rng.uniform(50, 3000),
                                (2, 3) if rng.random() < 0.1 else ()))
        if rng.random() < 0.6:
            h = rng.choice(hosts)
            servers.append(Server(f"V{i}", h.site_id, "virtual", f"vm{i}", host_id=h.server_id,
                                  watts=0.0, app_ids=(a,)))
        else:
            servers.append(Server(f"P{i}", rng.choice(("DC1", "DC2", "COLO")), "physical",
                                  f"srv{i}", watts=rng.uniform(150, 500),
                                  end_of_life=f"20{rng.randint(24, 29)}-{rng.randint(1, 12):02d}",
                                  replacement_cost=6000.0, embodied_kgco2e=900.0, app_ids=(a,)))
        options.append(Option(a, "retain", "DC1"))
        options.append(Option(a, "rehost", rng.choice(("AWS", "AZ")), rng.randint(1, 6),
                              rng.uniform(2000, 60000), rng.uniform(50, 2500),
                              rng.uniform(10, 200), {"migration": rng.uniform(2, 10)}))
        if rng.random() < 0.3:
            options.append(Option(a, "repurchase", "AWS", rng.randint(2, 8),
                                  rng.uniform(5000, 80000), rng.uniform(100, 3000), 0.0,
                                  {"infra": rng.uniform(1, 5)}))
        if rng.random() < 0.1:
            options.append(Option(a, "retire", None, 1, 1000.0, 0.0, 0.0, {"migration": 2.0}))
        if i and rng.random() < 0.05:
            deps.append(Dependency(f"A{i - 1:04d}", a, "before"))
    for i in range(30):
        servers.append(Server(f"Z{i}", "DC1", "physical", f"old{i}", watts=200.0,
                              end_of_life="2026-01", replacement_cost=4000.0,
                              embodied_kgco2e=800.0))
    contracts = []
    ids = [a.app_id for a in apps]
    for i in range(n // 10):
        covers = tuple(rng.sample(ids, rng.randint(0, 4))) if i % 20 else ("DC1",)
        contracts.append(Contract(f"C{i:03d}", rng.uniform(2000, 250000),
                                  f"20{rng.randint(25, 28)}-{rng.randint(1, 12):02d}-28",
                                  f"Supplier {i % 37}", f"Contract {i}", "licence",
                                  notice_months=rng.choice((1, 3, 6)),
                                  renewal_uplift=rng.choice((0.0, 0.03)), covers=covers))
    estate = Estate(settings, sites, tuple(apps), tuple(servers), tuple(options), tuple(deps),
                    tuple(contracts), (Team("migration", 400.0), Team("infra", 100.0)),
                    resolved=True, estimated=tuple(f"servers.V{i}.watts" for i in range(n)),
                    source="synthetic")
    # decisions
    plans, live = [], {}
    for a in apps:
        opts = [o for o in estate.options_by_app[a.app_id] if o.moves]
        if rng.random() < 0.8 and opts:
            o = rng.choice(opts)
            s = rng.randint(0, H - o.duration_months)
            live[a.app_id] = s + o.duration_months
            plans.append(AppPlan(a.app_id, o.strategy, o.target_site, label_at(start, s),
                                 label_at(start, s + o.duration_months)))
        else:
            live[a.app_id] = H
            plans.append(AppPlan(a.app_id, "retain", "DC1", None, None))
    D = {s.server_id: max([live[x] for x in s.app_ids], default=0) for s in servers}
    for h in hosts:
        D[h.server_id] = max([D[g.server_id] for g in estate.guests_by_host[h.server_id]],
                             default=0)
    spl = []
    for s in servers:
        e = None if s.end_of_life is None else max(
            (int(s.end_of_life[:4]) - 2025) * 12 + int(s.end_of_life[5:]) - 4, 0)
        repl = label_at(start, e) if e is not None and e < H and D[s.server_id] > e else None
        spl.append(ServerPlan(s.server_id, label_at(start, D[s.server_id]),
                              D[s.server_id] == 0, repl))
    exits = {site.site_id: 0 for site in sites}
    for s in servers:
        exits[s.site_id] = max(exits[s.site_id], D[s.server_id])
    plan = Plan("feasible", 0.0, 0.0, 0.012, 120.0, start, H, tuple(plans), tuple(spl), (),
                tuple(SitePlan(k, label_at(start, v)) for k, v in exits.items()))
    from reports.facts import Facts  # the contract rule, to fill plan.contracts
    facts = Facts(estate, plan)
    cps = []
    for c in contracts:
        need = facts.needed_until(c)
        k = facts.renewals(c, need)
        end = facts.end_index(c) + k * c.renewal_term_months
        keep = need >= H
        cps.append(ContractPlan(c.contract_id, "keep" if keep else "end", k,
                                label_at(start, end),
                                None if keep else label_at(start, end + 1 - c.notice_months)))

    def ledger(scale: float) -> Ledger:
        return Ledger(
            cost={k: [rng.uniform(0.5, 1.5) * v * scale for _ in range(H)] for k, v in
                  (("applications", 2e6), ("contracts", 8e5), ("server_energy", 1e5),
                   ("site_fixed", 3e4), ("one_off", 4e5), ("replacement", 5e4))},
            carbon={k: [rng.uniform(0.5, 1.5) * v * scale for _ in range(H)] for k, v in
                    (("onprem_energy", 8e4), ("target_energy", 2e4), ("embodied", 5e3))})

    def totals(lg: Ledger) -> Totals:
        c = sum(lg.cost_at(t) for t in range(H))
        k = sum(lg.carbon_at(t) for t in range(H)) / 1000
        return Totals(c, c * 0.93, k, c * 0.93 + 50 * k)

    lg, bl, gl = ledger(1.0), ledger(1.2), ledger(1.1)
    t = totals(lg)
    from dataclasses import replace
    plan = replace(plan, contracts=tuple(cps), totals=t, baseline=totals(bl), greedy=totals(gl),
                   objective=t.objective, bound=t.objective * 0.988, ledger=lg,
                   baseline_ledger=bl, greedy_ledger=gl,
                   assumptions={"estimated": list(estate.estimated)})
    return estate, Result(plan.status, plan.objective, plan.bound, plan.gap, 120.0, plan)


def build(n: int, time_limit: float = 60.0) -> tuple[Estate, Result, str]:
    """The benchmark inputs from the project pipeline: a synthetic estate of
    ``n`` applications, resolved and planned by ``solver.solve`` (falls back to
    :func:`synthetic` only when the pipeline is not importable)."""
    try:
        from estate.resolve import resolve
        from inventory.synth import synth_estate
        from solver.solve import solve
    except ImportError:
        estate, result = synthetic(n)
        return estate, result, "synthetic (benchmarks/bench_reports.py)"
    estate = resolve(synth_estate(n, 1))
    result = solve(estate, time_limit=time_limit, seed=0)
    return estate, result, f"synth + resolve + solve ({result.status}, {time_limit:g} s)"


def main() -> None:
    """Run the benchmark and print the timings."""
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "3000"))
    pdf = "--no-pdf" not in sys.argv
    t0 = time.perf_counter()
    estate, result, how = build(n)
    print(f"built {len(estate.applications)} apps, {len(estate.servers)} servers, "
          f"{len(estate.contracts)} contracts ({how}) in {time.perf_counter() - t0:.1f} s")
    from reports import write_reports
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        written = write_reports(estate, result, out, pdf=pdf)
        total = time.perf_counter() - t0
        for p in written:
            print(f"  {p.name:22s} {Path(p).stat().st_size / 1e6:7.2f} MB")
    print(f"write_reports: {total:.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
