"""Cloud prices of generated options: provider, pricing basis and licences.

The one home of three rules the planner, the greedy heuristic and
``estate check`` all reach through :func:`estate.resolve.resolve`:

* which provider a cloud site is (:func:`site_provider`, from its id or name);
* what a right-sized VM costs a month at a site's pricing basis
  (:func:`vm_monthly`: the provider's reference price, converted from USD by
  :meth:`estate.reference.Reference.gbp`);
* what its Windows and SQL Server licences cost in the cloud, with or without
  Software Assurance (Azure Hybrid Benefit, :func:`cloud_licence_monthly`).

This module uses the standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estate import staying
from estate.model import Server, Site
from estate.reference import Reference

#: Cloud providers recognised in a cloud site's id or name -> provider.
PROVIDER_WORDS = (("azure", "azure"), ("aws", "aws"), ("amazon", "aws"), ("google", "google"),
                  ("gcp", "google"))
#: Provider whose prices a cloud site takes when its id and name name none.
DEFAULT_PROVIDER = "azure"
#: Reference table of each provider's general-purpose VM sizes.
VM_TABLES = {"azure": "cloud.vm", "aws": "cloud.vm_aws", "google": "cloud.vm_google"}
#: Pricing bases of a cloud site (setting ``cloud_pricing``), cheapest commitment last.
BASES = ("payg", "reserved_1y", "reserved_3y", "savings_plan_1y", "savings_plan_3y")
#: The basis of a cloud site the settings sheet does not name (Azure Migrate's default).
DEFAULT_BASIS = "reserved_3y"


@dataclass(frozen=True)
class CloudTerms:
    """How one cloud site is priced: provider, basis, and whether the council
    holds Software Assurance (Azure Hybrid Benefit / licence mobility)."""

    provider: str = DEFAULT_PROVIDER
    basis: str = DEFAULT_BASIS
    software_assurance: bool = True

    def __post_init__(self) -> None:
        if self.provider not in VM_TABLES:
            raise ValueError(f"provider must be one of {', '.join(VM_TABLES)}")
        if self.basis not in BASES:
            raise ValueError(f"cloud pricing basis must be one of {', '.join(BASES)}")


def site_provider(site: Site | None) -> str | None:
    """The cloud provider of a site (``azure``, ``aws``, ``google``), or ``None``.

    The one home of "which provider is this site": a ``cloud`` site whose id
    or name contains ``azure`` / ``aws`` or ``amazon`` / ``google`` or ``gcp``
    (any case; first match in :data:`PROVIDER_WORDS`); ``None`` for other
    sites and for a cloud site that names none.
    """
    if site is None or site.kind != "cloud":
        return None
    text = f"{site.site_id} {site.name}".lower()
    for word, provider in PROVIDER_WORDS:
        if word in text:
            return provider
    return None


def price_provider(site: Site) -> str:
    """The provider whose prices a cloud site takes: :func:`site_provider`,
    else :data:`DEFAULT_PROVIDER`."""
    return site_provider(site) or DEFAULT_PROVIDER


def vm_sizes(ref: Reference, provider: str = DEFAULT_PROVIDER) -> list[tuple[str, float, float]]:
    """A provider's general-purpose VM sizes ``(name, vcpus, ram_gb)``, smallest first."""
    prefix = VM_TABLES[provider] + "."
    names = sorted({k[len(prefix):].split(".")[0] for k in ref.keys() if k.startswith(prefix)})
    sizes = [(n, ref.number(f"{prefix}{n}.vcpus"), ref.number(f"{prefix}{n}.ram_gb"))
             for n in names]
    return sorted(sizes, key=lambda s: (s[1], s[2]))


def right_size(vcpus: float, ram_gb: float, utilisation: float | None, ref: Reference,
               provider: str = DEFAULT_PROVIDER) -> tuple[str, int]:
    """The smallest of a provider's sizes that fits, and how many of it.

    With an observed CPU ``utilisation`` (0–1) the vCPUs needed are
    ``vcpus × utilisation / rightsize.target_utilisation``; without it, as is.
    Bigger than the largest size: ``n`` of the largest, enough for CPU and RAM.
    """
    need = vcpus
    if utilisation is not None:
        need = vcpus * utilisation / ref.number("rightsize.target_utilisation")
    sizes = vm_sizes(ref, provider)
    for name, vc, ram in sizes:
        if vc >= need - 1e-9 and ram >= ram_gb - 1e-9:
            return name, 1
    name, vc, ram = sizes[-1]
    return name, max(1, math.ceil(need / vc - 1e-9), math.ceil(ram_gb / ram - 1e-9))


def vm_monthly(size: str, terms: CloudTerms, ref: Reference) -> float:
    """£ a month of one VM of ``size``: ``cloud.vm[_provider].<size>.<basis>``
    in £ (:meth:`Reference.gbp`). A Linux price: licences are
    :func:`cloud_licence_monthly`."""
    return ref.gbp(f"{VM_TABLES[terms.provider]}.{size}.{terms.basis}")


def vm_spec(size: str, provider: str, ref: Reference) -> tuple[float, float]:
    """``(vcpus, ram_gb)`` of one VM of ``size``."""
    table = VM_TABLES[provider]
    return ref.number(f"{table}.{size}.vcpus"), ref.number(f"{table}.{size}.ram_gb")


def cloud_licence_monthly(server: Server, cloud_vcpus: float, terms: CloudTerms,
                          ref: Reference) -> tuple[float, float]:
    """(£ of the council's own licences, £ of licences the provider charges) a
    month for ``server`` rehosted to a VM of ``cloud_vcpus`` vCPUs.

    * Windows Server: on Azure with Software Assurance the licence travels
      (Azure Hybrid Benefit): the on-premises cost
      (:func:`estate.staying.os_licence_monthly`) goes on, the VM is billed at
      the Linux rate. Otherwise (no Software Assurance, or AWS / Google, where
      Windows Server licences cannot be brought to shared hardware) the
      provider charges ``cloud.licence.<provider>_windows_per_vcpu_hour`` ×
      vCPUs × ``ccf.hours_per_month``, and the on-premises licence stops.
    * SQL Server (``sql_edition``): with Software Assurance the licence travels
      to any provider (licence mobility): :func:`estate.staying.sql_licence_monthly`;
      without, ``cloud.licence.sql_<edition>_per_vcpu_hour`` × max(vCPUs,
      ``sql_server.min_cores``) × hours.
    * RHEL / SLES: the subscription travels (bring your own subscription).
    * Anything else: 0.
    """
    own = provider = 0.0
    hours = ref.number("ccf.hours_per_month")
    family = staying.os_family(server.os)
    if family == "windows_server":
        if terms.software_assurance and terms.provider == "azure":
            own += staying.os_licence_monthly(server, ref)
        else:
            rate = ref.gbp(f"cloud.licence.{terms.provider}_windows_per_vcpu_hour")
            provider += cloud_vcpus * hours * rate
    elif family in ("rhel", "sles"):
        own += staying.os_licence_monthly(server, ref)
    if server.sql_edition:
        if terms.software_assurance:
            own += staying.sql_licence_monthly(server, ref)
        else:
            cores = max(cloud_vcpus, ref.number("sql_server.min_cores"))
            provider += cores * hours * ref.gbp(
                f"cloud.licence.sql_{server.sql_edition}_per_vcpu_hour")
    return own, provider
