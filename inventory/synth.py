"""A seeded generator of realistic synthetic estates, from 4 to 3,000+ applications.

The estate is a UK unitary council (about 190,000 residents) whose IT is run by
a shared-services partner: applications across the council's service areas,
two on-prem server rooms (``DC1`` to be exited about 36 months into the
horizon, ``DC2`` a smaller DR room kept), two cloud regions and a partner
colo; servers, migration options, dependencies, ICT contracts, teams and a
one-off budget. Every draw comes from one ``random.Random(seed)``, so the same
arguments always give an equal estate.

The estate is built to be *comfortably feasible*: every application with a
server on ``DC1`` has a move option that does not target a site being exited,
team capacities, ``max_critical_in_flight`` and the budget are scaled from the
effort, durations and one-off costs of the options a greedy plan would pick,
so about half of the capacity before DC1's exit is used.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from estate.model import (
    Application,
    BudgetYear,
    Dependency,
    Estate,
    Option,
    Settings,
    Site,
    Team,
)
from estate.months import add_months, financial_year
from inventory.synth_catalogue import (
    CONTACT,
    NON_DIGITAL_ROUTES,
    QUALIFIERS,
    SERVICES,
    Product,
)
from inventory.synth_infra import (
    ON_PREM_LOCS,
    AppDraft,
    contract_list,
    server_list,
    site_list,
)

#: Share of the team capacity (and critical slots) before DC1's exit that the
#: greedy choice of options needs; the rest is slack.
FILL = 0.5
#: Estimates the resolver uses for generated options (see reference.toml).
GEN_DAYS_PER_SERVER = 3.0
GEN_SERVERS_PER_MONTH = 4
GEN_COST_PER_SERVER = 4_000.0
TEAMS = ("migration", "apps", "network")

_CRIT = (("critical", 0.075), ("high", 0.17), ("medium", 0.52), ("low", 0.235))
_COST = {"critical": (3_000, 12_000), "high": (1_000, 5_000), "medium": (200, 2_000),
         "low": (50, 600)}
_LOCS = (("dc1", 0.60), ("dc2", 0.24), ("span", 0.04), ("cloud", 0.06), ("saas", 0.06))
_N_SERVERS = ((1, 0.30), (2, 0.30), (3, 0.20), (4, 0.09), (5, 0.06), (6, 0.02), (7, 0.01),
              (8, 0.01), (10, 0.01))


def exit_index(horizon_months: int) -> int | None:
    """Month index of DC1's ``exit_by``: 36 in a 48-month horizon (``None`` when short)."""
    if horizon_months < 12:
        return None
    return min(36, round(0.75 * horizon_months))


def _draw(rng: random.Random, table: Sequence[tuple[object, float]]) -> object:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _templates(rng: random.Random, n: int) -> list[tuple[str, Product, str]]:
    """``(service, product, qualifier)`` of ``n`` applications, unique names."""
    base = [(svc, p, "") for svc, (_, prods) in SERVICES.items() for p in prods]
    if n <= len(base):
        return rng.sample(base, n)
    out = list(base)
    services = list(SERVICES)
    weights = [SERVICES[s][0] for s in services]
    used = {p.name for _, p, _ in base}
    while len(out) < n:
        svc = rng.choices(services, weights=weights)[0]
        prod = rng.choice(SERVICES[svc][1])
        qual = rng.choice(QUALIFIERS)
        name = f"{prod.name} ({qual})"
        k = 2
        while name in used:
            name = f"{prod.name} ({qual} {k})"
            k += 1
        used.add(name)
        flags = "".join(f for f in prod.flags if f not in "c01hr")
        if qual in ("legacy", "archive"):
            flags += "l"
        out.append((svc, Product(name, flags), qual))
    return out


def _draft_apps(rng: random.Random, n: int, hs: str, exit_idx: int | None,
                horizon: int) -> list[AppDraft]:
    width = max(4, len(str(n)))
    picks = _templates(rng, n)
    rng.shuffle(picks)
    apps: list[AppDraft] = []
    for i, (svc, prod, _) in enumerate(picks, start=1):
        f = prod.flags
        tier = 0 if "0" in f else (1 if "1" in f else 2)
        crit = "critical" if "c" in f else ("high" if "h" in f else str(_draw(rng, _CRIT)))
        if tier < 2 and exit_idx is not None:
            loc = "dc1"
        else:
            loc = str(_draw(rng, _LOCS))
            if "p" in f and loc in ("cloud", "saas"):
                loc = "dc1" if rng.random() < 0.7 else "dc2"
        k = 0 if loc == "saas" else int(_draw(rng, _N_SERVERS))  # type: ignore[call-overload]
        if loc == "span":
            k = max(2, k)
        elif loc == "cloud":
            k = min(k, 3)
        lo, hi = _COST[crit]
        app = AppDraft(
            f"APP{i:0{width}d}", prod.name, svc, f, crit,
            "r" in f or rng.random() < 0.15, loc, tier,
            float(round(rng.uniform(lo, hi), -1)), n_servers=k,
            legacy="l" in f or rng.random() < 0.04,
            blackout=(2, 3) if "b" in f else ())
        on_prem = loc in ON_PREM_LOCS
        if tier == 2 and on_prem and rng.random() < 0.04 and (exit_idx or horizon) >= 18:
            app.earliest_start = add_months(hs, rng.randint(2, 9))
        if tier == 2 and loc == "dc2" and rng.random() < 0.05 and horizon >= 36:
            app.must_finish_by = add_months(
                hs, max(12, (exit_idx or horizon - 2) - rng.randint(0, 6)))
        if tier == 2 and on_prem and not app.must_finish_by and rng.random() < 0.05:
            app.no_options = True
        apps.append(app)
    if not any(a.n_servers for a in apps):  # tiny estates: at least one server
        apps[0].loc, apps[0].n_servers = "dc1", 1
    return apps


# -- options ---------------------------------------------------------------------------

def _effort(**days: float) -> dict[str, float]:
    return {t: float(d) for t, d in days.items() if d > 0}


def _sizes(app: AppDraft) -> tuple[float, float, float]:
    """(share-weighted server count, cloud £ a month, cloud kWh a month)."""
    n = cost = kwh = 0.0
    for s in app.servers:
        share = 1.0 / len(s["app_ids"])
        n += share
        cost += share * (s["vcpus"] * 24 + s["ram_gb"] * 3.2 + s["storage_gb"] * 0.09)
        kwh += share * (10 + s["vcpus"] * 2.5 + s["ram_gb"] * 0.25)
    return n, cost, kwh


def _app_options(rng: random.Random, app: AppDraft, exit_idx: int | None,
                 horizon: int) -> list[Option]:
    if app.no_options:
        return []
    a = app.app_id
    if app.loc == "saas":
        return [Option(a, "retain")]
    n, cloud, kwh = _sizes(app)
    k = max(1, round(n))
    crit = app.criticality == "critical"
    cur = app.cost
    here = app.servers[0]["site_id"] if app.servers else None
    out: list[Option] = []
    # short horizons: every move fits a third of the time before DC1's exit
    cap = max(1, (exit_idx or horizon) // 3)
    if app.loc == "cloud":
        out.append(Option(a, "retain", here))
        if rng.random() < 0.5:
            out.append(Option(
                a, "replatform", "AZ-UKS", min(cap, rng.randint(2, 4)),
                float(round(k * rng.uniform(5_000, 15_000), -2)),
                float(round(0.85 * cur + 0.7 * cloud)), round(0.7 * kwh, 1),
                _effort(migration=1 + k // 2, apps=2)))
        if "s" in app.flags and rng.random() < 0.4:
            out.append(_repurchase(rng, app, crit, kwh, cap))
        return out
    keep = app.must_finish_by is None and (
        app.loc == "dc2" or rng.random() < 0.15 or exit_idx is None)
    if keep:
        out.append(Option(a, "retain", here))
    d_re = min(cap, 2 if crit else 4, 1 + k // 3)
    mig = min(8.0, round(2 * (1 + 0.75 * k)) / 2)
    out.append(Option(a, "rehost", "AZ-UKS", d_re,
                      float(round(k * rng.uniform(800, 2_500), -2)),
                      float(round(0.9 * cur + cloud)), round(kwh, 1),
                      _effort(migration=mig, apps=1 if rng.random() < 0.5 else 0)))
    if rng.random() < 0.35:
        f = rng.uniform(0.9, 1.1)
        out.append(Option(a, "rehost", "AWS-LON", d_re,
                          float(round(k * rng.uniform(800, 2_500), -2)),
                          float(round(0.9 * cur + f * cloud)), round(f * kwh, 1),
                          _effort(migration=mig, apps=1 if rng.random() < 0.5 else 0)))
    if not app.legacy and rng.random() < 0.25:
        out.append(Option(a, "replatform", "AZ-UKS", min(cap, 3 if crit else rng.randint(3, 5)),
                          float(round(k * rng.uniform(8_000, 30_000), -2)),
                          float(round(0.8 * cur + 0.7 * cloud)), round(0.7 * kwh, 1),
                          _effort(migration=1 + k // 2, apps=2)))
    if not app.legacy and rng.random() < 0.08:
        out.append(Option(a, "refactor", "AZ-UKS",
                          min(cap, rng.randint(6, 6 if app.blackout else 9)),
                          float(round(k * rng.uniform(25_000, 60_000), -2)),
                          float(round(0.6 * cur + 0.5 * cloud)), round(0.5 * kwh, 1),
                          _effort(migration=1, apps=min(6, 3 + k // 3))))
    if ("s" in app.flags and rng.random() < 0.7) or rng.random() < 0.06:
        out.append(_repurchase(rng, app, crit, kwh, cap))
    physical = [s for s in app.servers if s["kind"] == "physical"]
    if physical and rng.random() < 0.3:
        moved = sum((s.get("watts") or 450.0) * 0.73 / len(s["app_ids"]) for s in physical)
        out.append(Option(a, "relocate", "COLO-MAN", min(cap, rng.randint(1, 3)),
                          float(round(k * rng.uniform(2_000, 6_000), -2)),
                          float(round(0.95 * cur + 350 * len(physical))), round(moved, 1),
                          _effort(migration=2 + k // 2, network=2)))
    if app.legacy:
        out.append(Option(a, "retire", None, min(cap, rng.randint(1, 2)),
                          float(round(rng.uniform(1_000, 6_000), -2)), 0.0, 0.0,
                          _effort(migration=1, apps=1 if rng.random() < 0.5 else 0)))
    return out


def _repurchase(rng: random.Random, app: AppDraft, crit: bool, kwh: float,
                cap: int) -> Option:
    impl = rng.uniform(15_000, 80_000) * (2.0 if crit else 1.0)
    return Option(app.app_id, "repurchase", "AZ-UKS", min(cap, rng.randint(3, 4 if crit else 6)),
                  float(round(impl, -2)), float(round(app.cost * rng.uniform(0.8, 1.4), -1)),
                  round(0.2 * kwh, 1),
                  _effort(migration=1, apps=2, network=1 if rng.random() < 0.5 else 0))


# -- dependencies ----------------------------------------------------------------------

def _movable(app: AppDraft, opts: list[Option]) -> bool:
    """Has a move to a target (rows, or the generated rehost)."""
    if app.no_options:
        return bool(app.servers)
    return any(o.to_target for o in opts)


def _dependencies(rng: random.Random, apps: list[AppDraft],
                  options: dict[str, list[Option]]) -> list[Dependency]:
    """``before`` from tier 0 (identity, network) and tier 1 (integration), chains of
    at most three; ``together`` groups of 2-4 applications of one service with at
    most one critical member; ``loose`` pairs with a split cost."""
    deps: list[Dependency] = []
    t0 = [a for a in apps if a.tier == 0 and _movable(a, options[a.app_id])]
    t1 = [a for a in apps if a.tier == 1 and _movable(a, options[a.app_id])]
    if t0:
        for a in t1:
            if rng.random() < 0.8:
                deps.append(Dependency(rng.choice(t0).app_id, a.app_id, "before"))
    preds = t0 + t1
    rest = [a for a in apps if a.tier == 2 and a.loc in ON_PREM_LOCS
            and _movable(a, options[a.app_id])]
    if preds:
        for a in rest:
            if rng.random() < 0.12:
                deps.append(Dependency(rng.choice(preds).app_id, a.app_id, "before"))
    by_service: dict[str, list[AppDraft]] = {}
    for a in rest:
        by_service.setdefault(a.service, []).append(a)
    services = [s for s in by_service if len(by_service[s]) >= 2]
    for _ in range(len(apps) // 25):
        services = [s for s in services if len(by_service[s]) >= 2]
        if not services:
            break
        pool = by_service[rng.choice(services)]
        size = rng.randint(2, min(4, len(pool)))
        head = rng.choice(pool)
        group = [head]
        crit = head.criticality == "critical"
        for a in rng.sample(pool, len(pool)):
            if len(group) == size:
                break
            if a is head or (crit and a.criticality == "critical"):
                continue
            crit = crit or a.criticality == "critical"
            group.append(a)
        if len(group) < 2:
            continue
        for m in group:
            pool.remove(m)
        for m in group[1:]:
            deps.append(Dependency(group[0].app_id, m.app_id, "together"))
    loose_pool = [a for a in apps if a.loc != "saas"]
    if len(loose_pool) >= 2:
        for _ in range(len(apps) // 10):
            x, y = rng.sample(loose_pool, 2)
            deps.append(Dependency(x.app_id, y.app_id, "loose",
                                   float(round(rng.uniform(150, 2_500), -1))))
    return deps


# -- capacity, critical slots and budget -------------------------------------------------

def greedy_pick(opts: Sequence[Option], sites: dict[str, Site]) -> Option | None:
    """The option a greedy plan takes: at a cloud site with the lowest
    ``one_off_cost + 12 × monthly_cost``, else the cheapest non-retain option."""
    cands = [o for o in opts if o.moves and not (
        o.target_site and sites[o.target_site].exit_by is not None)]
    cloud = [o for o in cands if o.target_site and sites[o.target_site].kind == "cloud"]
    pool = cloud or cands
    return min(pool, key=lambda o: o.one_off_cost + 12 * o.monthly_cost) if pool else None


def _generated(app: AppDraft) -> Option | None:
    """Approximation of the resolver's generated rehost (for sizing only)."""
    n, _, _ = _sizes(app)
    if n <= 0:
        return None
    d = min(6, max(1, math.ceil(n / GEN_SERVERS_PER_MONTH - 1e-9)))
    return Option(app.app_id, "rehost", "AZ-UKS", d, n * GEN_COST_PER_SERVER,
                  effort={"migration": GEN_DAYS_PER_SERVER * n})


def _round_up(x: float, step: float) -> float:
    return float(math.ceil(x / step - 1e-9) * step)


def _capacity(apps: list[AppDraft], options: dict[str, list[Option]],
              deps: list[Dependency], sites: list[Site], hs: str, horizon: int,
              exit_idx: int | None) -> tuple[list[Team], int, list[BudgetYear]]:
    site_by_id = {s.site_id: s for s in sites}
    window = exit_idx if exit_idx is not None else horizon
    demand = dict.fromkeys(TEAMS, 0.0)
    peak = dict.fromkeys(TEAMS, 0.0)
    crit_months = 0
    one_off = 0.0
    picks: dict[str, Option] = {}
    for app in apps:
        o = _generated(app) if app.no_options else greedy_pick(
            options[app.app_id], site_by_id)
        if o is None:
            continue
        picks[app.app_id] = o
        for t, days in o.effort.items():
            demand[t] += days * o.duration_months
            peak[t] = max(peak[t], days)
        one_off += o.one_off_cost
        if app.criticality == "critical":
            crit_months += o.duration_months
    for d in deps:  # a together group is in flight at once
        if d.kind == "together" and d.from_id in picks and d.to_id in picks:
            for t in TEAMS:
                both = (picks[d.from_id].effort.get(t, 0.0) + picks[d.to_id].effort.get(t, 0.0))
                peak[t] = max(peak[t], both)
    # blackouts, the freeze and before chains weigh more in a short window
    fill = FILL if window >= 24 else FILL * 0.6
    teams = [Team(t, max(10.0 if t == "migration" else 5.0,
                         _round_up(demand[t] / (fill * window), 5), _round_up(2 * peak[t], 5)))
             for t in TEAMS]
    any_crit = any(a.criticality == "critical" for a in apps)
    max_crit = max(2 if any_crit else 1, math.ceil(crit_months / (0.9 * fill * window) - 1e-9))
    years: list[str] = []
    for month in range(horizon):
        fy = financial_year(hs, month)
        if fy not in years:
            years.append(fy)
    budget = [BudgetYear(fy, max(100_000.0, _round_up((1.0 if i < 2 else 0.6) * one_off,
                                                        50_000)))
              for i, fy in enumerate(years)]
    return teams, max_crit, budget


# -- the estate ------------------------------------------------------------------------

def synth_estate(n_apps: int, seed: int = 0, *, horizon_start: str = "2026-04",
                 horizon_months: int = 48) -> Estate:
    """A realistic synthetic council estate of ``n_apps`` applications.

    Parameters
    ----------
    n_apps
        Number of applications (at least 1); servers are about 2.5-3 times as
        many, contracts about 0.4 times.
    seed
        Seed of the one ``random.Random`` every draw comes from: the same
        arguments always give an equal estate.
    horizon_start, horizon_months
        The planning horizon (settings). DC1's ``exit_by`` lies 36 months after
        the start (three quarters of a shorter horizon; none below 12 months).

    Returns
    -------
    Estate
        A *raw* estate (blanks ``None``; about 5 % of applications have no
        options rows, so the resolver generates theirs).

    Raises
    ------
    ValueError
        When ``n_apps`` is below 1 or the horizon is not valid.
    """
    if n_apps < 1:
        raise ValueError(f"n_apps must be at least 1 (got {n_apps})")
    Settings(horizon_start, horizon_months)  # validates the horizon
    rng = random.Random(seed)
    exit_idx = exit_index(horizon_months)
    sites = site_list(rng, horizon_start, exit_idx)
    apps = _draft_apps(rng, n_apps, horizon_start, exit_idx, horizon_months)
    servers = server_list(rng, apps, horizon_start)
    options = {a.app_id: _app_options(rng, a, exit_idx, horizon_months)
               for a in apps}
    deps = _dependencies(rng, apps, options)
    teams, max_crit, budget = _capacity(apps, options, deps, sites, horizon_start,
                                        horizon_months, exit_idx)
    contracts = contract_list(rng, apps, servers, horizon_start)
    applications = tuple(
        Application(a.app_id, a.name, a.service, a.criticality, a.resident, a.cost,
                    a.blackout, a.earliest_start, a.must_finish_by,
                    NON_DIGITAL_ROUTES.get(a.service, CONTACT) if a.resident else "")
        for a in apps)
    settings = Settings(horizon_start, horizon_months, max_critical_in_flight=max_crit,
                        freeze_months=(12,))
    return Estate(
        settings=settings, sites=tuple(sites), applications=applications,
        servers=tuple(servers), options=tuple(o for a in apps for o in options[a.app_id]),
        dependencies=tuple(deps), contracts=tuple(contracts), teams=tuple(teams),
        budget=tuple(budget), source=f"synth_estate({n_apps}, seed={seed})")
