"""A small hand-built resolved estate and plan for the report tests.

Derived state and contract decisions are worked out by hand in the comments
(docs/planning-model.md), so the report tests check the reports against numbers
that do not come from the report code.
"""

from __future__ import annotations

import datetime as dt

from estate.model import (
    Application,
    Contract,
    Dependency,
    Estate,
    Option,
    Pin,
    Server,
    Settings,
    Site,
    Team,
)
from estate.plan import AppPlan, ContractPlan, Decision, Ledger, Plan, ServerPlan, SitePlan, Totals
from solver.alternatives import cloud_alternatives
from solver.result import Result

H = 24
START = "2025-04"
EVIL_FORMULA = '=HYPERLINK("http://evil.example","click")'
EVIL_HTML = "<script>alert('x')</script>"


def small_estate() -> Estate:
    """8 applications, 9 servers, 3 sites, 6 contracts; horizon 2025-04 + 24 months."""
    settings = Settings(horizon_start=START, horizon_months=H, carbon_price=50.0,
                        freeze_months=(12,), grid_by_year={2025: 0.2, 2026: 0.18, 2027: 0.16})
    sites = (
        Site("DC1", "on_prem", name="Civic Centre DC", pue=1.6, power_price_per_kwh=0.25,
             monthly_fixed_cost=5000.0, exit_by="2027-01"),
        Site("AWS", "cloud", name="AWS London", pue=1.1, power_price_per_kwh=0.0,
             grid_kg_per_kwh=0.1),
        Site("COLO", "colo", name="Colo Slough", pue=1.4, power_price_per_kwh=0.3),
    )
    apps = (
        Application("A1", "Council Tax", "Revenues & Benefits", "critical", True, 1000.0,
                    blackout_months=(2, 3)),
        Application("A2", "Benefits", "Revenues & Benefits", "high", False, 800.0,
                    blackout_months=(2, 3)),
        Application("A3", EVIL_FORMULA, "Adult Social Care", "medium", False, 300.0),
        Application("A4", EVIL_HTML, "@Housing", "medium", True, 200.0),
        Application("A5", "Old Payroll", "HR", "low", False, 400.0),
        Application("A6", "GIS", "Planning", "medium", False, 250.0),
        Application("A7", "Library", "Libraries", "medium", True, 150.0),
        Application("A8", "Intranet", "Corporate", "low", False, 100.0),
    )
    servers = (
        Server("S1", "DC1", "physical", hostname="rb01", end_of_life="2025-10", watts=400.0,
               replacement_cost=8000.0, embodied_kgco2e=1200.0, app_ids=("A1", "A2")),
        Server("S2", "DC1", "host", hostname="esx01", watts=600.0, replacement_cost=15000.0,
               embodied_kgco2e=2000.0),
        Server("S3", "DC1", "virtual", hostname="asc01", host_id="S2", watts=0.0,
               app_ids=("A3",)),
        Server("S4", "DC1", "virtual", hostname="hsg01", host_id="S2", watts=0.0,
               app_ids=("A4",)),
        Server("S5", "DC1", "physical", hostname="-old", end_of_life="2026-01", watts=200.0,
               replacement_cost=5000.0, embodied_kgco2e=800.0),
        Server("S6", "DC1", "physical", hostname="pay01", watts=250.0, replacement_cost=5000.0,
               embodied_kgco2e=800.0, app_ids=("A5",)),
        Server("S7", "COLO", "physical", hostname="gis01", watts=300.0,
               replacement_cost=6000.0, embodied_kgco2e=900.0, app_ids=("A6",)),
        Server("S8", "COLO", "physical", hostname="web01", watts=150.0,
               replacement_cost=4000.0, embodied_kgco2e=700.0, app_ids=("A8",)),
        Server("S9", "DC1", "physical", hostname="lib01", end_of_life="2025-12", watts=300.0,
               replacement_cost=6000.0, embodied_kgco2e=900.0, app_ids=("A7",)),
    )
    m = {"migration": 10.0}
    options = (
        Option("A1", "rehost", "AWS", 3, 30000.0, 800.0, 100.0, m),
        Option("A1", "retain", "DC1"),
        Option("A2", "rehost", "AWS", 3, 20000.0, 600.0, 80.0, {"migration": 5.0}),
        Option("A2", "retain", "DC1"),
        Option("A3", "replatform", "AWS", 4, 12000.0, 250.0, 40.0, {"migration": 8.0}),
        Option("A4", "repurchase", "AWS", 2, 5000.0, 150.0, 0.0, {"infra": 4.0}),
        Option("A4", "retain", "DC1"),
        Option("A5", "retire", None, 1, 2000.0, 0.0, 0.0, {"migration": 2.0}),
        Option("A5", "retain", "DC1"),
        Option("A6", "retain", "COLO"),
        Option("A7", "relocate", "COLO", 2, 1000.0, 50.0, 30.0, {"infra": 6.0}),
        Option("A7", "rehost", "AWS", 3, 50000.0, 900.0, 50.0, m),
        Option("A7", "retain", "DC1"),
        Option("A8", "rehost", "AWS", 2, 3000.0, 80.0, 10.0, m),
        Option("A8", "retain", "COLO"),
    )
    deps = (Dependency("A1", "A2", "together"), Dependency("A3", "A4", "before"),
            Dependency("A4", "A6", "loose", 50.0))
    contracts = (
        Contract("C1", 120000.0, "2026-03-31", supplier="+Oracle", title="=cmd|' /C calc'!A0",
                 category="licence", notice_months=3, renewal_uplift=0.03, covers=("A1", "A2"),
                 ends_with="move"),
        Contract("C2", 60000.0, "2025-09-30", supplier="Datacentre Ltd", title="DC1 support",
                 category="datacentre", notice_months=6, covers=("DC1",)),
        Contract("C3", 10000.0, "2026-06-30", supplier="Misc", title="Legacy support",
                 category="support"),
        Contract("C4", 5000.0, "2025-12-31", supplier="Esri", title="GIS licence",
                 category="licence", covers=("A6",), ends_with="move"),
        Contract("C5", 2400.0, "2025-05-31", supplier="Acme", title="Old box maintenance",
                 category="maintenance", notice_months=1, covers=("S5",)),
        Contract("C6", 12000.0, "2025-06-30", supplier="PayCo", title="Payroll",
                 category="licence", start_date="2024-04-01", notice_months=1,
                 covers=("A5",), ends_with="move"),
    )
    return Estate(settings=settings, sites=sites, applications=apps, servers=servers,
                  options=options, dependencies=deps, contracts=contracts,
                  teams=(Team("migration", 30.0), Team("infra", 10.0)),
                  pins=(Pin("A8", strategy="retain"),), resolved=True,
                  estimated=("servers.S3.watts", "servers.S4.watts",
                             "options.A8.rehost.monthly_kwh"),
                  source="small.xlsx")


# Hand-worked decisions (t = month index from 2025-04):
#   A1, A2 rehost AWS s=2 d=3 -> L=5 (2025-09); A3 replatform s=0 d=4 -> L=4;
#   A4 repurchase s=4 d=2 -> L=6; A5 retire s=6 d=1 -> L=7; A7 relocate COLO
#   s=9 d=2 -> L=11; A6, A8 retained (L=H=24).
APPS = (
    AppPlan("A1", "rehost", "AWS", "2025-06", "2025-09"),
    AppPlan("A2", "rehost", "AWS", "2025-06", "2025-09"),
    AppPlan("A3", "replatform", "AWS", "2025-04", "2025-08"),
    AppPlan("A4", "repurchase", "AWS", "2025-08", "2025-10"),
    AppPlan("A5", "retire", None, "2025-10", "2025-11"),
    AppPlan("A6", "retain", "COLO", None, None),
    AppPlan("A7", "relocate", "COLO", "2026-01", "2026-03"),
    AppPlan("A8", "retain", "COLO", None, None),
)
# D: S1 5, S3 4, S4 6, S2 (host) 6, S5 zombie 0, S6 7, S7 24, S8 24, S9 11.
# S9 end of life 2025-12 (t=8) < D=11: replaced. S1 e=6 >= D=5: not replaced.
SERVERS = (
    ServerPlan("S1", "2025-09", False, None), ServerPlan("S2", "2025-10", False, None),
    ServerPlan("S3", "2025-08", False, None), ServerPlan("S4", "2025-10", False, None),
    ServerPlan("S5", "2025-04", True, None), ServerPlan("S6", "2025-11", False, None),
    ServerPlan("S7", "2027-04", False, None), ServerPlan("S8", "2027-04", False, None),
    ServerPlan("S9", "2026-03", False, "2025-12"),
)
SITES = (SitePlan("DC1", "2026-03"), SitePlan("AWS", "2025-04"), SitePlan("COLO", "2027-04"))
# Contracts (m = end month index, n notice, T = 12):
#   C1 N=5, m=11 -> k=0, end 2026-03, notice 11+1-3=9 (2026-01)
#   C2 N=11, m=5, n=6 -> k=1, end t=17 (2026-09), notice 12 (2026-04)
#   C3 covers nothing: keep, m=14 -> k=1, end t=26 (2027-06)
#   C4 covers retained A6: keep, m=8 -> k=2, end t=32 (2027-12)
#   C5 covers zombie S5: N=0, m=1, n=1 -> k=0, end 2025-05, notice 1 (2025-05)
#   C6 N=7, m=2, n=1 -> k=1, end t=14 (2026-06), notice 14 (2026-06)
CONTRACTS = (
    ContractPlan("C1", "end", 0, "2026-03", "2026-01"),
    ContractPlan("C2", "end", 1, "2026-09", "2026-04"),
    ContractPlan("C3", "keep", 1, "2027-06", None),
    ContractPlan("C4", "keep", 2, "2027-12", None),
    ContractPlan("C5", "end", 0, "2025-05", "2025-05"),
    ContractPlan("C6", "end", 1, "2026-06", "2026-06"),
)
# Spend in the horizon (plan, baseline): baseline N = 24 except C5 (zombie, N=0).
SPEND = {"C1": (120000.0, 120000.0 + 120000.0 * 1.03), "C2": (90000.0, 120000.0),
         "C3": (20000.0, 20000.0), "C4": (10000.0, 10000.0), "C5": (400.0, 400.0),
         "C6": (15000.0, 24000.0)}


def _ledger(scale: float, drop: int) -> Ledger:
    cost = {"applications": [3200.0 * scale if t < drop else 2400.0 for t in range(H)],
            "contracts": [17000.0 * scale] * H,
            "server_energy": [900.0 * scale if t < drop else 300.0 for t in range(H)],
            "site_fixed": [5000.0 if t < drop * 2 else 0.0 for t in range(H)],
            "one_off": [6000.0 if 0 < t < drop else 0.0 for t in range(H)]}
    carbon = {"onprem_energy": [800.0 * scale if t < drop else 200.0 for t in range(H)],
              "target_energy": [0.0 if t < drop else 60.0 for t in range(H)],
              "embodied": [900.0 if t == 8 else 0.0 for t in range(H)]}
    return Ledger(cost=cost, carbon=carbon)


def _totals(ledger: Ledger) -> Totals:
    cost = sum(ledger.cost_at(t) for t in range(H))
    kg = sum(ledger.carbon_at(t) for t in range(H))
    return Totals(cost, cost * 0.95, kg / 1000, cost * 0.95 + 50 * kg / 1000)


def small_plan(status: str = "optimal") -> Plan:
    """The hand-worked plan of :func:`small_estate`."""
    ledger, base, greedy = _ledger(1.0, 7), _ledger(1.0, 99), _ledger(1.1, 9)
    base = Ledger(cost={**base.cost, "site_fixed": [5000.0] * H,
                        "one_off": [0.0] * H}, carbon=base.carbon)
    totals = _totals(ledger)
    return Plan(status=status, objective=totals.objective, bound=totals.objective * 0.98,
                gap=0.02 if status == "feasible" else 0.0, solve_seconds=3.2,
                horizon_start=START, horizon_months=H, applications=APPS, servers=SERVERS,
                contracts=CONTRACTS, sites=SITES, totals=totals, baseline=_totals(base),
                greedy=_totals(greedy),
                assumptions={"estimated": ["servers.S3.watts", "servers.S4.watts",
                                           "options.A8.rehost.monthly_kwh"]},
                alternatives=cloud_alternatives(small_estate(), [
                    Decision(a.app_id, a.strategy, target_site=a.target_site, start=a.start)
                    for a in APPS]),
                ledger=ledger, baseline_ledger=base, greedy_ledger=greedy)


def small_result(status: str = "optimal") -> Result:
    """The plan wrapped as a solver result."""
    plan = small_plan(status)
    return Result(plan)


def month_start(label: str) -> dt.datetime:
    """What openpyxl reads back for a month written as its first day."""
    return dt.datetime(int(label[:4]), int(label[5:7]), 1)
