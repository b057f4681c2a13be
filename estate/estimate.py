"""Estimators: energy, embodied carbon, cost and end of support from server size.

Pure functions of their arguments and a :class:`~estate.reference.Reference`
(the packaged data when ``ref`` is omitted). Each is documented with its
formula in ``docs/reference-data.md`` and pinned by unit tests.

This module uses the standard library only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from estate import hardware, labour, staying
from estate.cloudprice import (
    BASES,
    DEFAULT_BASIS,
    DEFAULT_PROVIDER,
    CloudTerms,
    cloud_licence_monthly,
    price_provider,
    site_provider,
    vm_monthly,
    vm_spec,
)
from estate.cloudprice import right_size as _right_size
from estate.cloudprice import vm_sizes as _vm_sizes
from estate.model import DEFAULT_TEAM, Application, Estate, Option, Server, Site
from estate.policy import residency_allows
from estate.reference import Reference, packaged_reference

#: Cloud pricing bases (:data:`estate.cloudprice.BASES`).
PRICINGS = BASES


def _ref(ref: Reference | None) -> Reference:
    return ref if ref is not None else packaged_reference()


def vcpu_watts(ref: Reference | None = None, provider: str | None = None) -> float:
    """Average watts per vCPU: ``min + utilisation × (max − min)`` (CCF).

    ``provider`` (``azure``, ``aws``, ``google``) takes that provider's pair
    ``ccf.<provider>_vcpu_min_watts`` / ``_max_watts`` (Azure 0.78 / 3.76:
    2.27 W); ``None`` (on premises, an unnamed cloud) the default pair
    ``ccf.vcpu_min_watts`` / ``ccf.vcpu_max_watts`` (0.74 / 3.5: 2.12 W).
    """
    r = _ref(ref)
    prefix = f"ccf.{provider}_" if provider else "ccf."
    lo, hi = r.number(f"{prefix}vcpu_min_watts"), r.number(f"{prefix}vcpu_max_watts")
    return lo + r.number("ccf.utilisation") * (hi - lo)


def vm_kwh_per_month(vcpus: float, ram_gb: float, storage_gb: float = 0.0, ssd: bool = True,
                     ref: Reference | None = None, provider: str | None = None) -> float:
    """Energy of a virtual machine a month, kWh, before PUE (Cloud Carbon Footprint).

    ``vcpus × W/vCPU × 730/1000 + ram_gb × kWh/GB-h × 730 +
    storage_gb/1000 × Wh/TB-h × 730/1000`` (SSD or HDD coefficient), W/vCPU of
    ``provider`` (:func:`vcpu_watts`).
    """
    r = _ref(ref)
    hours = r.number("ccf.hours_per_month")
    cpu = vcpus * vcpu_watts(r, provider) * hours / 1000
    mem = ram_gb * r.number("ccf.memory_kwh_per_gb_hour") * hours
    coeff = r.number("ccf.ssd_wh_per_tb_hour" if ssd else "ccf.hdd_wh_per_tb_hour")
    disk = storage_gb / 1000 * coeff * hours / 1000
    return cpu + mem + disk


def server_watts(server: Server, ref: Reference | None = None) -> float:
    """Average draw of a server, W.

    Virtual: the VM energy model (:func:`vm_kwh_per_month` × 1000 / 730) from its
    vCPUs, RAM and storage (``vm.default_*`` where blank). Physical or host:
    ``idle + W/core × cores + W/GB × RAM`` (``vcpus`` read as cores;
    ``server.<kind>_default_*`` where blank).
    """
    r = _ref(ref)
    cores, ram = hardware.size(server, r)
    if server.kind == "virtual":
        storage = hardware.storage_gb(server, r)
        return vm_kwh_per_month(cores, ram, storage, ref=r) * 1000 / r.number(
            "ccf.hours_per_month")
    return (r.number("server.idle_watts") + r.number("server.watts_per_core") * cores
            + r.number("server.watts_per_gb_ram") * ram)


def embodied_kg(server: Server, ref: Reference | None = None) -> float:
    """Embodied carbon of a server's replacement, kgCO2e (Teads / CCF model).

    ``base + 533 × RAM/384 + 100 × CPUs + 100 × SSDs`` with CPUs =
    ceil(cores / 16) (at least 1) and 2 SSDs. A virtual server is never
    replaced: 0.
    """
    r = _ref(ref)
    if server.kind == "virtual":
        return 0.0
    cores, ram = hardware.size(server, r)
    cpus = max(1, math.ceil(cores / r.number("embodied.cores_per_cpu")))
    return (r.number("embodied.base_kg") + r.number("embodied.kg_per_384gb_dram") * ram / 384
            + r.number("embodied.kg_per_cpu") * cpus
            + r.number("embodied.kg_per_ssd") * r.number("embodied.ssds_per_server"))


def replacement_cost(server: Server, ref: Reference | None = None) -> float:
    """£ to replace a server at end of life (:func:`estate.hardware.replacement_cost`:
    cores × £/core + RAM × £/GB; virtual 0)."""
    return hardware.replacement_cost(server, _ref(ref))


def vm_sizes(ref: Reference | None = None,
             provider: str = "azure") -> list[tuple[str, float, float]]:
    """General-purpose cloud VM sizes ``(name, vcpus, ram_gb)`` of a provider,
    smallest first (:func:`estate.cloudprice.vm_sizes`)."""
    return _vm_sizes(_ref(ref), provider)


def right_size(vcpus: float, ram_gb: float, utilisation: float | None = None,
               ref: Reference | None = None, provider: str = "azure") -> tuple[str, int]:
    """The smallest general-purpose size that fits, and how many of it
    (:func:`estate.cloudprice.right_size`)."""
    return _right_size(vcpus, ram_gb, utilisation, _ref(ref), provider)


def cloud_vm_monthly_cost(vcpus: float, ram_gb: float, utilisation: float | None = None,
                          pricing: str = "payg", ref: Reference | None = None,
                          provider: str = "azure") -> float:
    """£ a month of the right-sized cloud VM (:func:`right_size`) at list price
    (Linux: no licence).

    ``pricing`` is one of :data:`PRICINGS` (``payg``, ``reserved_1y``,
    ``reserved_3y``, ``savings_plan_1y``, ``savings_plan_3y``).
    """
    terms = CloudTerms(provider, pricing)  # raises ValueError on a bad basis
    r = _ref(ref)
    name, n = right_size(vcpus, ram_gb, utilisation, r, provider)
    return n * vm_monthly(name, terms, r)


# -- operating systems ------------------------------------------------------------
_OS_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("windows_server", re.compile(
        r"\bw(?:in(?:dows)?)?[\s_-]*(?:server[\s_-]*)?(20\d\d)(?:[\s_-]*(r2))?")),
    ("sql_server", re.compile(r"\bsql[\s_-]*(?:server[\s_-]*)?(20\d\d)(?:[\s_-]*(r2))?")),
    ("rhel", re.compile(r"(?:red[\s_-]*hat|\brhel)[^0-9]{0,40}?(\d{1,2})(?![0-9])")),
    ("centos", re.compile(r"\bcent[\s_-]*os[^0-9]{0,12}?(\d{1,2})(?![0-9])")),
    ("esxi", re.compile(r"\besxi?[^0-9]{0,12}?(\d)\.(\d)")),
    ("ubuntu", re.compile(r"\bubuntu[^0-9]{0,20}?(\d{2})\.(\d{2})")),
)


def os_end_of_support(os_text: str | None, ref: Reference | None = None) -> str | None:
    """End of support month (``YYYY-MM``) of an operating system / platform text.

    Recognises Windows Server, SQL Server, RHEL, CentOS, ESXi and Ubuntu LTS as
    written by RVTools or a CMDB ("Microsoft Windows Server 2012 R2 (64-bit)",
    "Red Hat Enterprise Linux 7 (64-bit)", "VMware ESXi 6.7.0 build-…",
    "CentOS 7"). "2016 or later" reads as 2016. When several products match, the
    earliest end of support. ``None`` when nothing is recognised.
    """
    if not os_text:
        return None
    r = _ref(ref)
    text = os_text.lower()
    sql = re.search(r"\bsql\b", text) is not None
    found: list[str] = []
    for family, pattern in _OS_PATTERNS:
        if family == "windows_server" and sql and "windows" not in text:
            continue
        for m in pattern.finditer(text):
            if family in ("windows_server", "sql_server"):
                version = m.group(1) + ("_r2" if m.group(2) else "")
            elif family in ("esxi", "ubuntu"):
                version = f"{m.group(1)}_{m.group(2)}"
            else:
                version = m.group(1)
            key = f"os.{family}.{version}"
            if key in r:
                found.append(str(r.get(key)))
    return min(found) if found else None


# -- generated options -----------------------------------------------------------------
def site_pue(site: Site, ref: Reference | None = None) -> float:
    """PUE of a site: its own, else by kind (a cloud site by provider name)."""
    if site.pue is not None:
        return site.pue
    r = _ref(ref)
    provider = site_provider(site)
    if provider:
        return r.number(f"pue.{provider}")
    return r.number(f"pue.{site.kind}")


def migration_team(estate: Estate) -> str:
    """Team charged by generated options: ``migration`` if it exists (or there
    are no teams), else the first team listed."""
    if not estate.teams or DEFAULT_TEAM in estate.team_by_id:
        return DEFAULT_TEAM
    return estate.teams[0].team_id


def _is_zombie_app(estate: Estate, app: Application) -> bool:
    if estate.servers_by_app.get(app.app_id) or (app.current_monthly_cost or 0.0) > 0:
        return False
    return not any(app.app_id in (d.from_id, d.to_id) for d in estate.dependencies)


def _powered_off_app(estate: Estate, app: Application) -> bool:
    servers = estate.servers_by_app.get(app.app_id, ())
    return bool(servers) and all(s.powered_off for s in servers)


def cloud_backup_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of backing a cloud VM up (list price, before ``cloud.price_level``).

    Protected-instance fee by the size protected, ``gb`` = ``in_use_gb``
    (else ``storage_gb``): ``cloud_backup.instance_small`` up to
    ``cloud_backup.small_max_gb`` (50 GB), else
    ``cloud_backup.instance_per_500gb × ceil(gb / 500)``; plus
    ``gb × cloud_backup.storage_per_gb_month``. E.g. 100 GB: £7.87 + £3.78 =
    £11.65; 1,200 GB: 3 × £7.87 + £45.36 = £68.97.
    """
    r = _ref(ref)
    gb = server.in_use_gb if server.in_use_gb is not None else hardware.storage_gb(server, r)
    if gb <= r.number("cloud_backup.small_max_gb"):
        fee = r.number("cloud_backup.instance_small")
    else:
        fee = r.number("cloud_backup.instance_per_500gb") * math.ceil(gb / 500 - 1e-9)
    return fee + gb * r.number("cloud_backup.storage_per_gb_month")


def rehost_one_off(server: Server, ref: Reference | None = None) -> float:
    """£ one-off of rehosting one server: by its size and by who moves it.

    ``(partner_share × rehost_partner_per_vm + (1 − partner_share) ×
    rehost_in_house_per_vm) × size factor`` (all ``migration.*``): factor 1
    up to ``small_max_vcpus`` (4) vCPUs, ``size_factor_medium`` (1.5) up to
    ``medium_max_vcpus`` (8), ``size_factor_large`` (2.5) above (a physical
    server's cores read as vCPUs). In house, a 2-vCPU VM £157.48, an 8-vCPU
    VM £236.22, a 16-vCPU VM £393.70.
    """
    r = _ref(ref)
    share = r.number("migration.partner_share")
    base = (share * r.number("migration.rehost_partner_per_vm")
            + (1 - share) * r.number("migration.rehost_in_house_per_vm"))
    vcpus, _ = hardware.size(server, r)
    if vcpus <= r.number("migration.small_max_vcpus"):
        return base
    if vcpus <= r.number("migration.medium_max_vcpus"):
        return base * r.number("migration.size_factor_medium")
    return base * r.number("migration.size_factor_large")


def rehost_monthly(server: Server, pricing: str | CloudTerms = "payg",
                   ref: Reference | None = None,
                   site: Site | None = None) -> tuple[float, float]:
    """(£ a month, kWh a month before PUE) of one server rehosted to cloud ``site``.

    ``pricing`` is a :class:`~estate.cloudprice.CloudTerms` (provider, basis,
    Software Assurance), or a basis name (the provider of ``site``, Azure
    when ``site`` names none; Software Assurance held).
    £ = right-sized VM of the provider (:func:`right_size`) at the basis
    (:func:`estate.cloudprice.vm_monthly`) + storage_gb ×
    ``cloud.storage_per_gb_month`` + backup (:func:`cloud_backup_monthly`) +
    ``cloud_monitoring.per_vm_month`` + licences
    (:func:`estate.cloudprice.cloud_licence_monthly`: the council's own that
    travel, plus those the provider charges) + administration
    (:func:`estate.labour.cloud_labour_monthly`, rehost) + the network share
    of (VM + storage + licences); the cloud provider's prices (VM, storage,
    backup, monitoring, licences it charges) are scaled by
    ``cloud.price_level`` (1.0: list prices as they are). No extended
    security updates (free in the cloud). kWh = the right-sized VM's energy
    with the server's storage, at the site's provider's watts per vCPU
    (:func:`site_provider`; default pair when ``site`` is ``None``).
    """
    r = _ref(ref)
    terms = (pricing if isinstance(pricing, CloudTerms)
             else CloudTerms(price_provider(site) if site is not None else DEFAULT_PROVIDER,
                             pricing))
    vcpus, ram = hardware.size(server, r)
    storage = hardware.storage_gb(server, r)
    name, count = right_size(vcpus, ram, ref=r, provider=terms.provider)
    size_vcpus, size_ram = vm_spec(name, terms.provider, r)
    vm = count * vm_monthly(name, terms, r)
    disk = storage * r.number("cloud.storage_per_gb_month")
    own, charged = cloud_licence_monthly(server, count * size_vcpus, terms, r)
    admin = labour.cloud_labour_monthly(server, "rehost", r)
    level = r.number("cloud.price_level")
    vm, disk, charged = vm * level, disk * level, charged * level
    ops = (cloud_backup_monthly(server, r) + r.number("cloud_monitoring.per_vm_month")) * level
    licence = own + charged
    cost = vm + disk + licence + admin + ops + staying.network_share(vm + disk + licence, r)
    kwh = vm_kwh_per_month(count * size_vcpus, count * size_ram, storage, ref=r,
                           provider=site_provider(site))
    return cost, kwh


def site_terms(site: Site, pricing: str = DEFAULT_BASIS,
               site_pricing: Mapping[str, str] | None = None,
               software_assurance: bool = True) -> CloudTerms:
    """How a cloud site is priced: its provider (:func:`estate.cloudprice.price_provider`),
    its basis (``site_pricing[site_id]``, else ``pricing``) and Software Assurance."""
    basis = (site_pricing or {}).get(site.site_id, pricing)
    return CloudTerms(price_provider(site), basis, software_assurance)


def _rehost(estate: Estate, app: Application, r: Reference, team: str,
            terms: Mapping[str, CloudTerms]) -> list[Option]:
    servers = estate.servers_by_app.get(app.app_id, ())
    here = {s.site_id for s in servers}
    targets = [s for s in estate.sites
               if s.kind == "cloud" and s.exit_by is None and here != {s.site_id}
               and residency_allows(estate, app.app_id, s.site_id)]
    if not servers or not targets:
        return []
    n = one_off = 0.0
    monthly = [0.0] * len(targets)
    kwh = [0.0] * len(targets)
    for s in servers:
        share = 1.0 / max(1, len(s.app_ids))
        one_off += share * rehost_one_off(s, r)
        n += share
        for i, site in enumerate(targets):
            cost, energy = rehost_monthly(s, terms[site.site_id], r, site)
            monthly[i] += share * cost
            kwh[i] += share * energy
    months = math.ceil(n / r.number("migration.servers_per_month") - 1e-9)
    months = max(1, int(min(max(months, r.number("migration.min_months")),
                            r.number("migration.max_months"))))
    effort = {team: n * r.number("migration.effort_days_per_server") / months}
    order = sorted(range(len(targets)),
                   key=lambda i: (round(monthly[i], 6), site_pue(targets[i], r), i))
    return [Option(app.app_id, "rehost", targets[i].site_id, duration_months=months,
                   one_off_cost=one_off, monthly_cost=monthly[i], monthly_kwh=kwh[i],
                   effort=dict(effort), generated=True)
            for i in order]


def generated_options(estate: Estate, app: Application, ref: Reference | None = None,
                      pricing: str = "payg", *,
                      site_pricing: Mapping[str, str] | None = None,
                      software_assurance: bool = True) -> list[Option]:
    """Options estimated for an application that has no ``options`` rows.

    * ``retain`` at the site of its first server (none if it has no servers);
    * ``rehost`` to each cloud site (no ``exit_by``, not where all its servers
      already are, allowed by its ``data_residency``), cheapest first (then
      by PUE, then site order), when it has servers; each site priced by
      :func:`site_terms` (its provider's prices at its basis: ``site_pricing``
      by site id, else ``pricing``; licences by ``software_assurance``).
      Each server counts
      ``1 / (number of applications it serves)``: monthly cost and energy =
      Σ share × :func:`rehost_monthly` (energy at the target's provider);
      one-off = Σ share × :func:`rehost_one_off` (by size and by who); effort =
      servers × days/server spread over the months in flight, on the
      migration team; duration = ceil(servers / servers_per_month) within
      [min, max] months;
    * ``retire`` for a *zombie application* (no servers, no current cost, no
      dependency: it only keeps contracts alive) and for an application whose
      servers are all powered off (a candidate, not a decision).

    Every option has ``generated=True``.
    """
    r = _ref(ref)
    servers = estate.servers_by_app.get(app.app_id, ())
    team = migration_team(estate)
    out = [Option(app.app_id, "retain", servers[0].site_id if servers else None,
                  generated=True)]
    terms = {s.site_id: site_terms(s, pricing, site_pricing, software_assurance)
             for s in estate.sites if s.kind == "cloud"}
    out += _rehost(estate, app, r, team, terms)
    if _is_zombie_app(estate, app) or _powered_off_app(estate, app):
        out.append(Option(app.app_id, "retire", None,
                          duration_months=max(1, int(r.number("migration.retire_months"))),
                          one_off_cost=r.number("migration.retire_cost"),
                          effort={team: r.number("migration.retire_effort_days")},
                          generated=True))
    return out
