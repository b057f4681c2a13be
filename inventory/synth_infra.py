"""Sites, servers and contracts of the synthetic estate (see :mod:`inventory.synth`).

Every function draws from the ``random.Random`` it is given, in a fixed order,
so one seed always gives the same estate. Nothing here iterates a ``set``.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field

from estate.model import Contract, Server, Site
from estate.months import add_months, parse_month
from inventory.synth_catalogue import (
    ESXI,
    ESXI_WEIGHTS,
    LINUX_OS,
    LINUX_WEIGHTS,
    SUPPLIERS,
    WINDOWS_OS,
    WINDOWS_WEIGHTS,
)

PARTNER = "Wessex Shared Services Partnership"
PREFIX = "wxf"
VMS_PER_HOST = 22
#: Where an application runs today: the location groups of the generator.
ON_PREM_LOCS = ("dc1", "dc2", "span")


@dataclass
class AppDraft:
    """An application while the estate is being drawn (mutable, internal)."""

    app_id: str
    name: str
    service: str
    flags: str
    criticality: str
    resident: bool
    loc: str  # dc1, dc2, span (DC1 + a DR server on DC2), cloud, saas
    tier: int  # 0 identity/network, 1 integration, 2 everything else
    cost: float
    n_servers: int = 0
    legacy: bool = False
    blackout: tuple[int, ...] = ()
    earliest_start: str | None = None
    must_finish_by: str | None = None
    no_options: bool = False
    servers: list[dict] = field(default_factory=list)


def site_list(rng: random.Random, horizon_start: str, exit_idx: int | None) -> list[Site]:
    """The council's two server rooms, two cloud regions and a partner colo."""
    dc1_cost = float(round(rng.uniform(35_000, 60_000), -2))
    dc2_cost = float(round(rng.uniform(8_000, 15_000), -2))
    exit_by = add_months(horizon_start, exit_idx) if exit_idx is not None else None
    return [
        Site("DC1", "on_prem", "Civic Centre data centre", pue=1.8, power_price_per_kwh=None,
             monthly_fixed_cost=dc1_cost, exit_by=exit_by),
        Site("DC2", "on_prem", "Depot server room (DR)", pue=None, power_price_per_kwh=0.27,
             monthly_fixed_cost=dc2_cost),
        Site("AZ-UKS", "cloud", "Azure UK South"),
        Site("AWS-LON", "cloud", "AWS Europe (London)", pue=1.15),
        Site("COLO-MAN", "colo", f"{PARTNER} colocation, Manchester", pue=1.45,
             power_price_per_kwh=0.31),
    ]


def _pick(rng: random.Random, table: tuple[tuple[str, str], ...],
          weights: tuple[float, ...]) -> tuple[str, str]:
    return rng.choices(table, weights=weights)[0]


def _os(rng: random.Random) -> tuple[str, str | None]:
    name, eos = (_pick(rng, WINDOWS_OS, WINDOWS_WEIGHTS) if rng.random() < 0.7
                 else _pick(rng, LINUX_OS, LINUX_WEIGHTS))
    return name, (eos if rng.random() < 0.8 else None)


def _vm(rng: random.Random) -> dict:
    vcpus = rng.choice((1, 2, 2, 2, 4, 4, 4, 4, 8, 8, 16))
    return {"kind": "virtual", "vcpus": vcpus, "ram_gb": vcpus * rng.choice((2, 4, 4, 8)),
            "storage_gb": rng.choice((60, 80, 100, 120, 200, 250, 500, 1000, 2000))}


def _physical(rng: random.Random, horizon_start: str) -> dict:
    vcpus = rng.choice((16, 24, 32, 48, 64))
    return {"kind": "physical", "vcpus": vcpus, "ram_gb": vcpus * rng.choice((4, 8, 16)),
            "storage_gb": rng.choice((1000, 2000, 4000, 8000, 16000)),
            "end_of_life": add_months(horizon_start, rng.randint(-12, 54)),
            "watts": None if rng.random() < 0.25 else float(rng.randrange(250, 900, 10)),
            "replacement_cost": None if rng.random() < 0.3
            else float(round(rng.uniform(6_000, 25_000), -2)),
            "embodied_kgco2e": None if rng.random() < 0.8
            else float(rng.randrange(1200, 2500, 50))}


def _server_sites(rng: random.Random, app: AppDraft) -> list[str]:
    if app.n_servers == 0:
        return []
    if app.loc == "span":
        return ["DC1"] * max(1, app.n_servers - 1) + ["DC2"]
    site = {"dc1": "DC1", "dc2": "DC2", "cloud": "AZ-UKS"}[app.loc]
    return [site] * app.n_servers


def server_list(rng: random.Random, apps: list[AppDraft], horizon_start: str) -> list[Server]:
    """Servers of every application, their hosts, and a few zombie VMs.

    On-prem servers are mostly VMs on hosts of their site (about
    :data:`VMS_PER_HOST` each); applications flagged ``p`` (databases,
    appliances) run their first server on physical kit, and a few others too.
    A few physical database boxes serve two or three applications of the
    same location. Fills ``app.servers`` with the drawn rows.
    """
    rows: list[dict] = []
    for app in apps:
        for j, site in enumerate(_server_sites(rng, app)):
            physical = site != "AZ-UKS" and (
                (j == 0 and "p" in app.flags) or rng.random() < 0.06)
            spec = _physical(rng, horizon_start) if physical else _vm(rng)
            role = "db" if physical else rng.choice(("app", "app", "web", "db", "int"))
            os_name, eos = _os(rng)
            spec.update(site_id=site, os=os_name, os_end_of_support=eos, role=role,
                        app_ids=[app.app_id])
            rows.append(spec)
            app.servers.append(spec)
    # shared database boxes: a physical server serving 2-3 applications of one location
    by_loc: dict[str, list[AppDraft]] = {}
    loc_of: dict[str, str] = {}
    for app in apps:
        by_loc.setdefault(app.loc, []).append(app)
        loc_of[app.app_id] = app.loc
    for spec in rows:
        if spec["kind"] == "physical" and rng.random() < 0.12:
            owner = spec["app_ids"][0]
            peers = [a for a in by_loc[loc_of[owner]] if a.app_id != owner]
            for extra in rng.sample(peers, min(len(peers), rng.randint(1, 2))):
                spec["app_ids"].append(extra.app_id)
                extra.servers.append(spec)
    # zombie VMs (3-5 % of VMs): nothing uses them any more
    n_vm = sum(1 for s in rows if s["kind"] == "virtual" and s["site_id"] != "AZ-UKS")
    for _ in range(round(n_vm * rng.uniform(0.03, 0.05))):
        spec = _vm(rng)
        os_name, eos = _os(rng)
        spec.update(site_id=rng.choice(("DC1", "DC1", "DC2")), os=os_name,
                    os_end_of_support=eos, role="old", app_ids=[])
        rows.append(spec)
    return _hosts_and_ids(rng, rows, horizon_start)


def _hosts_and_ids(rng: random.Random, rows: list[dict], horizon_start: str) -> list[Server]:
    out: list[Server] = []
    width = max(5, len(str(len(rows))))
    for site in ("DC1", "DC2"):
        vms = [s for s in rows if s["kind"] == "virtual" and s["site_id"] == site]
        if not vms:
            continue
        n_hosts = max(1 if len(vms) < 10 else 2, math.ceil(len(vms) / VMS_PER_HOST))
        hosts = []
        for h in range(1, n_hosts + 1):
            hid = f"ESX-{site}-{h:02d}"
            cores = rng.choice((32, 40, 48, 64))
            out.append(Server(
                hid, site, "host", hostname=f"{PREFIX}-{site.lower()}-esx{h:02d}",
                vcpus=float(cores), ram_gb=float(rng.choice((512, 768, 1024, 1536))),
                os=rng.choices(ESXI, weights=ESXI_WEIGHTS)[0],
                end_of_life=add_months(horizon_start, rng.randint(-12, 54)),
                watts=None if rng.random() < 0.3 else float(rng.randrange(350, 900, 10)),
                replacement_cost=None if rng.random() < 0.3
                else float(round(rng.uniform(9_000, 30_000), -2))))
            hosts.append(hid)
        for i, vm in enumerate(vms):  # every host gets guests, then random spread
            vm["host_id"] = hosts[i] if i < len(hosts) else rng.choice(hosts)
    counters: dict[str, int] = {}
    for n, spec in enumerate(rows, start=1):
        key = f"{spec['site_id'].lower().replace('-', '')}-{spec['role']}"
        counters[key] = counters.get(key, 0) + 1
        sid = f"SRV{n:0{width}d}"
        spec["server_id"] = sid
        out.append(Server(
            sid, spec["site_id"], spec["kind"], hostname=f"{PREFIX}-{key}{counters[key]:03d}",
            host_id=spec.get("host_id"), vcpus=float(spec["vcpus"]),
            ram_gb=float(spec["ram_gb"]), storage_gb=float(spec["storage_gb"]),
            os=spec["os"], os_end_of_support=spec["os_end_of_support"],
            end_of_life=spec.get("end_of_life"), watts=spec.get("watts"),
            replacement_cost=spec.get("replacement_cost"),
            embodied_kgco2e=spec.get("embodied_kgco2e"), app_ids=tuple(spec["app_ids"])))
    return out


# -- contracts --------------------------------------------------------------------------

def _term(rng: random.Random, horizon_start: str) -> dict:
    end = add_months(horizon_start, rng.randint(-6, 48))
    term = rng.choice((12, 12, 24, 36))
    y, m = parse_month(end)
    # the contract's start: the first month of the earliest whole term that began
    # by the horizon's start (a contract on the register is running today; a
    # current term ending years out began whole terms earlier)
    first = add_months(end, -(term - 1))
    while first > horizon_start:
        first = add_months(first, -term)
    start = first + "-01" if rng.random() < 0.9 else None
    return {"end_date": f"{end}-{calendar.monthrange(y, m)[1]:02d}", "start_date": start,
            "notice_months": rng.choice((3, 3, 4, 6)), "renewal_term_months": term,
            "renewal_uplift": rng.choice((0.0, 0.0, 0.03, 0.04, 0.05))}


def _money(x: float) -> float:
    return float(min(600_000, max(2_000, round(x, -2))))


_APP_VALUE = {"critical": (60_000, 300_000), "high": (15_000, 80_000),
              "medium": (4_000, 25_000), "low": (2_000, 8_000)}


def contract_list(rng: random.Random, apps: list[AppDraft], servers: list[Server],
                  horizon_start: str) -> list[Contract]:
    """About 0.4 contracts an application: estate-wide, hardware and per application."""
    n = len(apps)
    scale = max(0.2, n / 300) ** 0.5
    out: list[Contract] = []

    def add(category: str, title: str, value: float, covers: tuple[str, ...],
            supplier: str | None = None) -> None:
        cid = f"CON{len(out) + 1:04d}"
        out.append(Contract(cid, _money(value), supplier=supplier or rng.choice(
            SUPPLIERS[category]), title=title, category=category, covers=covers,
            **_term(rng, horizon_start)))

    add("datacentre", "Civic Centre data centre facilities management",
        rng.uniform(80_000, 150_000) * scale, ("DC1",), PARTNER)
    add("datacentre", "Depot server room UPS & cooling maintenance",
        rng.uniform(10_000, 30_000) * scale, ("DC2",))
    add("connectivity", "Wide area network and PSN connectivity",
        rng.uniform(150_000, 300_000) * scale, ())
    add("connectivity", "Data centre internet & inter-site circuits",
        rng.uniform(30_000, 80_000) * scale, ("DC1",))
    add("licence", "Productivity suite enterprise agreement",
        rng.uniform(300_000, 600_000) * scale, ())
    hosts = [s for s in servers if s.kind == "host"]
    for site in ("DC1", "DC2"):
        ids = tuple(s.server_id for s in hosts if s.site_id == site)
        if ids:
            add("licence", f"Virtualisation licences ({site})", 4_000 * len(ids), ids)
    kit = [s for s in servers if s.kind in ("host", "physical")]
    i = 0
    while i < len(kit) and len(out) < max(6, round(0.15 * n)):
        chunk = kit[i:i + rng.randint(4, 10)]
        i += len(chunk)
        add("maintenance", f"Hardware maintenance lot {len(out)}",
            1_500 * len(chunk) * rng.uniform(0.7, 1.4), tuple(s.server_id for s in chunk))
    dbs = tuple(s.server_id for s in servers if s.kind == "physical")[:40]
    if dbs:
        add("licence", "Database server licences (physical)", 3_000 * len(dbs), dbs)
    if any(a.loc == "cloud" for a in apps):
        add("hosting", f"Cloud hosting managed service ({PARTNER})",
            rng.uniform(40_000, 120_000) * scale, ("AZ-UKS",), PARTNER)
    for app in apps:
        if app.loc == "saas":
            add("saas", f"{app.name} subscription", 12 * app.cost, (app.app_id,))
    target = max(len(out) + 1, round(0.4 * n))
    weights = [{"critical": 8, "high": 4, "medium": 2, "low": 1}[a.criticality]
               for a in apps]
    chosen: list[AppDraft] = []
    seen: set[str] = set()
    pool = [a for a in apps if a.loc != "saas"]
    pool_w = [w for a, w in zip(apps, weights, strict=True) if a.loc != "saas"]
    while pool and len(out) + len(chosen) < target and len(seen) < len(pool):
        app = rng.choices(pool, weights=pool_w)[0]
        if app.app_id not in seen:
            seen.add(app.app_id)
            chosen.append(app)
    for app in chosen:
        lo, hi = _APP_VALUE[app.criticality]
        category = rng.choice(("support", "support", "licence"))
        what = "support & maintenance" if category == "support" else "licence"
        add(category, f"{app.name} {what}", rng.uniform(lo, hi), (app.app_id,))
    return out
