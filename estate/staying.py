"""The cost of staying: what running the estate as it is costs, by category.

Azure Migrate's business case estimates on-premises cost by the same heads;
this module does it in pounds with the reference data, per server, per
application (a server shared by ``n`` applications counts ``1/n`` to each)
and per site. Every formula is in ``docs/reference-data.md``.

* Per server, £ a month (:func:`server_costs`): ``labour``, ``os_licences``,
  ``extended_support``, ``storage``, ``backup``, ``network``; summed per
  application they make a blank ``current_monthly_cost``.
* Per site (:func:`facilities_monthly`): ``facilities`` from the IT load (kW)
  of the servers that draw power there; a blank ``monthly_fixed_cost``.
* Hardware refresh (``replacement_cost`` at ``end_of_life``), hypervisor
  licences (contract rows an import adds) and energy (``watts``) are the
  other categories; :func:`breakdown` puts them all side by side.

This module uses the standard library only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from estate import hardware
from estate.contracts import ends_with
from estate.labour import (  # noqa: F401  (the cost of staying's labour, re-exported)
    CLOUD_LABOUR_STRATEGIES,
    cloud_labour_monthly,
    labour_monthly,
    loaded_salary,
)
from estate.model import Application, Estate, Server, Site
from estate.months import month_index
from estate.reference import Reference, packaged_reference

#: Categories of an application's estimated ``current_monthly_cost``.
APP_CATEGORIES = ("labour", "os_licences", "extended_support", "sql_licences",
                  "sql_extended_support", "tools", "storage", "backup", "network")
#: Every category of the cost of staying, in report order.
CATEGORIES = ("hardware_refresh", "hypervisor_licences", *APP_CATEGORIES, "facilities",
              "energy", "contracts", "given_applications")
LABELS = {
    "hardware_refresh": "Hardware refresh", "hypervisor_licences": "Hypervisor licences",
    "labour": "Operations labour", "os_licences": "Operating-system licences",
    "extended_support": "Extended security updates",
    "sql_licences": "SQL Server licences", "sql_extended_support": "SQL Server extended "
    "security updates", "tools": "Security, monitoring and patching tools", "storage": "Storage",
    "backup": "Backup", "network": "Network share", "facilities": "Facilities",
    "energy": "Energy", "contracts": "Other ICT contracts for servers and sites",
    "given_applications": "Applications' own running cost (given in the workbook)",
}
_WINDOWS_CLIENT = re.compile(r"\bwindows\s*(xp|vista|7|8(\.1)?|10|11)\b")
_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("windows_server", re.compile(r"\bwindows\b.*\b(server|20\d\d)\b|\bwin(dows)?[\s_-]*20\d\d")),
    ("rhel", re.compile(r"red[\s_-]*hat|\brhel\b")),
    ("sles", re.compile(r"\bsuse\b|\bsles\b")),
    ("free_linux", re.compile(r"centos|ubuntu|debian|rocky|alma|oracle linux|linux|photon")),
)


def _ref(ref: Reference | None) -> Reference:
    return ref if ref is not None else packaged_reference()


def os_family(os_text: str) -> str:
    """``windows_server``, ``windows_client``, ``rhel``, ``sles``, ``free_linux`` or ``""``."""
    text = os_text.lower()
    if _WINDOWS_CLIENT.search(text) and "server" not in text:
        return "windows_client"
    for family, pattern in _FAMILIES:
        if pattern.search(text):
            return family
    return ""


def windows_licence(server: Server, ref: Reference | None = None) -> float:
    """£ price of the Windows Server Standard core licences of a server.

    ``ceil(max(cores, minimum) / 2)`` two-core packs (minimum 8 cores for a
    VM, 16 for a physical server) × ``os_licence.windows_2core_pack``.
    """
    r = _ref(ref)
    cores, _ = hardware.size(server, r)
    low = r.number("os_licence.windows_min_cores_" + ("vm" if server.kind == "virtual"
                                                      else "physical"))
    packs = math.ceil(max(cores, low) / 2 - 1e-9)
    return packs * r.number("os_licence.windows_2core_pack")


def os_licence_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of the server's operating-system licence.

    Windows Server: licence / ``amortisation_years`` + licence ×
    ``software_assurance_fraction``, a year, / 12. RHEL / SLES: the
    subscription a server-year / 12. Free Linux, Windows desktops, hosts and
    unknown systems: 0.
    """
    if server.kind == "host":
        return 0.0
    r = _ref(ref)
    family = os_family(server.os)
    if family == "windows_server":
        lic = windows_licence(server, r)
        yearly = (lic / r.number("os_licence.amortisation_years")
                  + lic * r.number("os_licence.software_assurance_fraction"))
        return yearly / 12
    if family in ("rhel", "sles"):
        return r.number(f"os_licence.{family}_per_server_year") / 12
    return 0.0


def extended_support_monthly(server: Server, horizon_start: str, months: int,
                             ref: Reference | None = None) -> float:
    """£ a month of Windows Server Extended Security Updates, averaged over the plan.

    ESU are sold for three years after ``os_end_of_support``: year k costs
    ``esu_year_k`` × licence (:func:`windows_licence`) a year. The figure is
    Σ over the plan's months t of the ESU due in t / 12, divided by the
    number of months: a constant month that spreads what staying will need.
    Other systems, or no end of support known: 0.
    """
    if server.kind == "host" or server.os_end_of_support is None:
        return 0.0
    if os_family(server.os) != "windows_server":
        return 0.0
    r = _ref(ref)
    eos = month_index(horizon_start, server.os_end_of_support)
    rates = [r.number(f"os_licence.esu_year_{k}") for k in (1, 2, 3)]
    return _esu_average(windows_licence(server, r), rates, eos, months)


def storage_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of the server's storage: ``in_use_gb`` (else ``storage_gb``) ×
    ``storage.per_gb_month``."""
    if server.kind == "host":
        return 0.0
    r = _ref(ref)
    gb = server.in_use_gb if server.in_use_gb is not None else hardware.storage_gb(server, r)
    return gb * r.number("storage.per_gb_month")


def sql_licence(server: Server, ref: Reference | None = None) -> float:
    """£ price of the SQL Server core licences of a server (0 without ``sql_edition``).

    ``ceil(max(cores, sql_server.min_cores) / 2)`` two-core packs ×
    ``sql_server.<edition>_2core_pack``; cores = ``sql_cores``, else its vCPUs.
    """
    if not server.sql_edition:
        return 0.0
    r = _ref(ref)
    cores = server.sql_cores if server.sql_cores is not None else hardware.size(server, r)[0]
    packs = math.ceil(max(cores, r.number("sql_server.min_cores")) / 2 - 1e-9)
    return packs * r.number(f"sql_server.{server.sql_edition}_2core_pack")


def sql_licence_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of SQL Server: licence / ``os_licence.amortisation_years`` +
    licence × ``sql_server.software_assurance_fraction``, a year, / 12."""
    lic = sql_licence(server, ref)
    if not lic:
        return 0.0
    r = _ref(ref)
    return (lic / r.number("os_licence.amortisation_years")
            + lic * r.number("sql_server.software_assurance_fraction")) / 12


def _esu_average(licence: float, rates: list[float], eos: int, months: int) -> float:
    due = 0.0
    for t in range(months):
        year = (t - eos) // 12
        if 0 <= year < 3:
            due += rates[year]
    return licence * due / 12 / max(months, 1)


def sql_extended_support_monthly(server: Server, horizon_start: str, months: int,
                                 ref: Reference | None = None) -> float:
    """£ a month of SQL Server Extended Security Updates averaged over the plan,
    as :func:`extended_support_monthly` with ``sql_server.esu_year_k`` × SQL
    licence; the SQL Server version's end of support is taken to be the
    server's ``os_end_of_support`` (no column gives the SQL version)."""
    lic = sql_licence(server, ref)
    if not lic or server.os_end_of_support is None:
        return 0.0
    r = _ref(ref)
    rates = [r.number(f"sql_server.esu_year_{k}") for k in (1, 2, 3)]
    return _esu_average(lic, rates, month_index(horizon_start, server.os_end_of_support),
                        months)


def tools_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of security, monitoring and patching tools: (``tools.security_``
    + ``monitoring_`` + ``patching_per_server_year``, + ``sql_security_per_server_year``
    when it runs SQL Server) / 12."""
    if server.kind == "host":
        return 0.0
    r = _ref(ref)
    year = sum(r.number(f"tools.{k}_per_server_year") for k in ("security", "monitoring",
                                                               "patching"))
    if server.sql_edition:
        year += r.number("tools.sql_security_per_server_year")
    return year / 12


def backup_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of backing the server up: ``backup.per_server_year / 12``."""
    if server.kind == "host":
        return 0.0
    return _ref(ref).number("backup.per_server_year") / 12


def compute_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of the server's hardware over its life (for the network share).

    Physical or host: replacement cost / (life × 12). Virtual: its share of
    host hardware, ``vcpus / hardware.vcpus_per_core`` cores and its RAM at the
    hardware prices, over the same life.
    """
    r = _ref(ref)
    life = r.number("hardware.server_life_years") * 12
    if server.kind != "virtual":
        cost = (server.replacement_cost if server.replacement_cost is not None
                else hardware.replacement_cost(server, r))
        return cost / life
    vcpus, ram = hardware.size(server, r)
    return hardware.hardware_cost(vcpus / r.number("hardware.vcpus_per_core"), ram, r) / life


def network_share(base_monthly: float, ref: Reference | None = None) -> float:
    """Network equipment and maintenance on ``base_monthly`` £ of compute and storage:
    ``base × network.share_of_compute_storage × (1 + network.maintenance_fraction)``."""
    r = _ref(ref)
    return base_monthly * r.number("network.share_of_compute_storage") * (
        1 + r.number("network.maintenance_fraction"))


def esu_table(estate: Estate, ref: Reference | None = None
              ) -> dict[str, list[list[float]]]:
    """Under ``unsupported_os_policy = esu``: server id -> ``[first, end, £ a month]``
    spans of Extended Security Updates (month indices ``first … end-1``).

    Year k = 1, 2, 3 after ``os_end_of_support`` costs ``os_licence.esu_year_k``
    × :func:`windows_licence` (Windows Server) + ``sql_server.esu_year_k`` ×
    :func:`sql_licence` a year, the same prices as the averaged
    ``extended_support`` and ``sql_extended_support`` of the cost of staying.
    Hosts, powered-off servers and other systems have none; empty under any
    other policy.
    """
    if estate.settings.unsupported_os_policy != "esu":
        return {}
    r = _ref(ref)
    hs = estate.settings.horizon_start
    out: dict[str, list[list[float]]] = {}
    for s in estate.servers:
        if s.kind == "host" or s.os_end_of_support is None or s.powered_off:
            continue
        eos = month_index(hs, s.os_end_of_support)
        win = windows_licence(s, r) if os_family(s.os) == "windows_server" else 0.0
        sql = sql_licence(s, r)
        spans = [[eos + 12 * k, eos + 12 * (k + 1),
                  (win * r.number(f"os_licence.esu_year_{k + 1}")
                   + sql * r.number(f"sql_server.esu_year_{k + 1}")) / 12] for k in range(3)]
        spans = [x for x in spans if x[2] > 0]
        if spans:
            out[s.server_id] = spans
    return out


def server_costs(server: Server, horizon_start: str, months: int,
                 ref: Reference | None = None, *, esu_apart: bool = False
                 ) -> dict[str, float]:
    """£ a month of running one server as it is, by :data:`APP_CATEGORIES`.

    Network = :func:`network_share` of (hardware over its life + OS and SQL
    Server licences + storage). A powered-off server carries storage and backup
    only. Hosts carry none of these (their cost is hardware refresh,
    hypervisor licences, energy and facilities). With ``esu_apart``
    (``unsupported_os_policy = esu``) ``extended_support`` is 0: the plan
    pays the updates month by month while the server stays (:func:`esu_table`).
    """
    out = dict.fromkeys(APP_CATEGORIES, 0.0)
    if server.kind == "host":
        return out
    r = _ref(ref)
    out["storage"] = storage_monthly(server, r)
    out["backup"] = backup_monthly(server, r)
    if server.powered_off:  # kept for its data: storage and backup only
        return out
    out.update({
        "labour": labour_monthly(server, r),
        "os_licences": os_licence_monthly(server, r),
        "extended_support": 0.0 if esu_apart else
        extended_support_monthly(server, horizon_start, months, r),
        "sql_licences": sql_licence_monthly(server, r),
        "sql_extended_support": 0.0 if esu_apart else
        sql_extended_support_monthly(server, horizon_start, months, r),
        "tools": tools_monthly(server, r),
    })
    out["network"] = network_share(compute_monthly(server, r) + out["os_licences"]
                                   + out["sql_licences"] + out["storage"], r)
    return out


def application_costs(servers: Iterable[Server], horizon_start: str, months: int,
                      ref: Reference | None = None, *, esu_apart: bool = False
                      ) -> dict[str, float]:
    """£ a month of an application's servers by category, each server counting
    ``1 / (applications it serves)``."""
    out = dict.fromkeys(APP_CATEGORIES, 0.0)
    for s in servers:
        share = 1.0 / max(1, len(s.app_ids))
        for cat, value in server_costs(s, horizon_start, months, ref,
                                       esu_apart=esu_apart).items():
            out[cat] += share * value
    return out


def draws_on_site(server: Server, estate: Estate) -> bool:
    """Whether the server's own power is drawn at its site: physical servers,
    hosts and virtual servers without a host."""
    return server.kind != "virtual" or server.host_id is None or \
        server.host_id not in estate.server_by_id


def in_service(estate: Estate) -> set[str]:
    """Ids of the servers still in service when nothing moves (not zombies).

    A physical or virtual server serving an application of the estate, and a
    host with such a guest or an application of its own; every other server
    is decommissioned at month 0 in any plan (docs/planning-model.md: a *zombie*).
    """
    apps = set(estate.app_by_id)
    out = {s.server_id for s in estate.servers if s.kind != "host" and set(s.app_ids) & apps}
    for s in estate.servers:
        if s.kind == "host" and (set(s.app_ids) & apps or any(
                g.server_id in out for g in estate.guests_by_host.get(s.server_id, ()))):
            out.add(s.server_id)
    return out


def it_load_kw(estate: Estate, site_id: str, serving: set[str] | None = None) -> float:
    """Average IT load of a site, kW: Σ watts / 1000 of the servers in service
    (:func:`in_service`) drawing power there (resolved ``watts``)."""
    serving = in_service(estate) if serving is None else serving
    return sum((s.watts or 0.0) for s in estate.servers
               if s.site_id == site_id and s.server_id in serving
               and draws_on_site(s, estate)) / 1000


def facilities_monthly(site: Site, load_kw: float, ref: Reference | None = None) -> float:
    """£ a month of a site's facilities: capacity × ``facilities.per_kw_month``.

    Capacity = IT load / (1 − ``facilities.unused_capacity``) (Azure Migrate's
    colocation model). 0 at a cloud site.
    """
    if site.kind == "cloud":
        return 0.0
    r = _ref(ref)
    return load_kw / (1 - r.number("facilities.unused_capacity")) * r.number(
        "facilities.per_kw_month")


@dataclass(frozen=True)
class StayingInputs:
    """What :func:`breakdown` reads besides the resolved estate."""

    app_costs: dict[str, dict[str, float]]
    site_loads: dict[str, float]
    facilities: dict[str, float]


def _site_years(estate: Estate, serving: set[str], inputs: StayingInputs,
                ref: Reference) -> dict[str, dict[str, float]]:
    """£ a year by site: energy, hardware refresh (annualised), hypervisor licences
    (each contract covering only hosts, shared equally by its hosts) and
    facilities (estimated or given), for every on_prem or colo site."""
    life = ref.number("hardware.server_life_years")
    hours = ref.number("ccf.hours_per_month")  # as estate.derive.kwh_per_month, via resolve
    out = {s.site_id: {"it_load_kw": inputs.site_loads.get(s.site_id, 0.0),
                       "energy": 0.0, "hardware_refresh": 0.0, "hypervisor_licences": 0.0,
                       "facilities": 12 * (s.monthly_fixed_cost or 0.0)}
           for s in estate.sites if s.kind != "cloud"}
    for s in estate.servers:
        site = estate.site_by_id.get(s.site_id)
        if s.site_id not in out or site is None or s.server_id not in serving:
            continue
        if draws_on_site(s, estate):
            kwh = (s.watts or 0.0) * hours / 1000 * (site.pue or 1.0)
            out[s.site_id]["energy"] += 12 * kwh * (site.power_price_per_kwh or 0.0)
        if s.kind != "virtual":
            out[s.site_id]["hardware_refresh"] += (s.replacement_cost or 0.0) / life
    for c in estate.contracts:
        if _is_hypervisor(c, estate):
            for h in c.covers:
                site_id = estate.server_by_id[h].site_id
                if site_id in out:
                    out[site_id]["hypervisor_licences"] += c.annual_value / len(c.covers)
    return out


def _is_hypervisor(contract: Any, estate: Estate) -> bool:
    hosts = {s.server_id for s in estate.servers if s.kind == "host"}
    return bool(contract.covers) and set(contract.covers) <= hosts


def breakdown(estate: Estate, inputs: StayingInputs, ref: Reference | None = None,
              ) -> dict[str, Any]:
    """The cost of staying, £ a year by category, for the resolved ``estate``.

    Returns a JSON-ready mapping (every figure £ a year):

    * ``applications``: by :data:`APP_CATEGORIES` and ``total`` for each
      application whose ``current_monthly_cost`` was estimated; ``given``: the
      others' own figure (workbook);
    * ``sites``: each on_prem / colo site's ``it_load_kw``, ``facilities``
      (``facilities_estimated`` says whether from the IT load), ``energy`` of
      its servers in service, ``hardware_refresh`` (replacement cost / server
      life of its physical servers and hosts) and ``hypervisor_licences``
      (contracts covering only hosts, shared by host), and their ``total``;
    * ``per_year``: the estate's total by :data:`CATEGORIES` (``contracts`` =
      every other contract that covers servers, hosts or their sites),
      ``total_per_year``, ``servers`` (VMs and physical servers in service)
      and ``per_server_year``;
    * ``apart``: enterprise-wide contracts (``ends_with`` never) and contracts
      covering applications only or nothing: £ a year and ids, not in the
      total (they do not scale with servers).

    Zombie servers (:func:`in_service`) count nowhere: every plan, the
    do-nothing baseline included, decommissions them at once.
    """
    r = _ref(ref)
    serving = in_service(estate)
    apps = {a: {k: 12 * v for k, v in c.items()} for a, c in inputs.app_costs.items()}
    given = {a.app_id: 12 * (a.current_monthly_cost or 0.0) for a in estate.applications
             if a.app_id not in apps}
    sites = _site_years(estate, serving, inputs, r)
    per_year = dict.fromkeys(CATEGORIES, 0.0)
    for costs in apps.values():
        for cat, v in costs.items():
            per_year[cat] += v
    for costs in sites.values():
        for cat in ("facilities", "energy", "hardware_refresh", "hypervisor_licences"):
            per_year[cat] += costs[cat]
    apart = [c for c in estate.contracts
             if not _is_hypervisor(c, estate) and not _covers_infrastructure(c, estate)]
    per_year["contracts"] = sum(c.annual_value for c in estate.contracts
                                if not _is_hypervisor(c, estate) and c not in apart)
    per_year["given_applications"] = sum(given.values())
    vms = sum(1 for s in estate.servers if s.kind != "host" and s.server_id in serving)
    total = sum(per_year.values())
    for costs in apps.values():
        costs["total"] = sum(costs.values())
    for site_id, costs in sites.items():
        costs["total"] = sum(costs[k] for k in ("facilities", "energy", "hardware_refresh",
                                                "hypervisor_licences"))
        costs["facilities_estimated"] = site_id in inputs.facilities

    def rounded(d: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 4 if k == "it_load_kw" else 2) if isinstance(v, float) else v
                for k, v in d.items()}

    return {
        "per_year": rounded(per_year), "total_per_year": round(total, 2), "servers": vms,
        "per_server_year": round(total / vms, 2) if vms else None,
        "applications": {a: rounded(c) for a, c in apps.items()},
        "given": rounded(given), "sites": {s: rounded(c) for s, c in sites.items()},
        "labels": dict(LABELS),
        "apart": {"contracts": round(sum(c.annual_value for c in apart), 2),
                  "ids": [c.contract_id for c in apart]},
    }


def _covers_infrastructure(contract: Any, estate: Estate) -> bool:
    """True for a contract that covers a server, host or site and is not
    enterprise-wide (``ends_with`` never): it is part of the cost of staying
    per server. Enterprise agreements, the WAN and contracts for applications
    alone are listed apart (``apart``)."""
    if ends_with(contract) == "never":
        return False
    return any(x in estate.server_by_id or x in estate.site_by_id for x in contract.covers)


def estimate_applications(estate: Estate, apps: Iterable[Application],
                          ref: Reference | None = None) -> dict[str, dict[str, float]]:
    """Category costs (£ a month) of every application in ``apps`` whose
    ``current_monthly_cost`` is blank, from its servers in ``estate``."""
    st = estate.settings
    out = {}
    for a in apps:
        if a.current_monthly_cost is None:
            out[a.app_id] = application_costs(estate.servers_by_app.get(a.app_id, ()),
                                              st.horizon_start, st.horizon_months, ref,
                                              esu_apart=st.unsupported_os_policy == "esu")
    return out
