"""Estimated hypervisor subscriptions for imported hosts that no contract covers.

After Broadcom's 2024 licensing change VMware is sold only as per-core
subscriptions. An RVTools import adds, for each cluster of hosts that no
contract of the workbook covers, one contract row marked ``estimated = yes``:
licensed cores (at least 16 per CPU) × ``hypervisor.per_core_year``, a
12-month term ending the day before the plan's first anniversary, 3 months'
notice, covering those hosts. The row is per-core (``unit = core``,
``unit_price = hypervisor.per_core_year``): each renewal is priced by the
cores of the hosts still in service, so switching hosts off saves at the
next renewal. No ``min_units``: Broadcom's 72-core minimum applies to an
order, and a council renewing fewer cores than that would be told so by its
reseller (set ``min_units`` to 72 to model it). Procurement sees its renewals and notice dates;
a contract register that names VMware replaces it (see ``contracts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from estate.hardware import hypervisor_annual, licensed_cores
from estate.months import add_months, default_horizon_start, is_month, parse_month
from estate.reference import packaged_reference
from inventory.importers.common import ImportContext, ImportResult, make_id, split_list, truthy
from inventory.importers.rows import workbook_rows, workbook_setting

#: ``source`` of the estimated rows.
SOURCE = "rvtools vHost: per-core subscription estimated (hypervisor.per_core_year)"


@dataclass
class Host:
    """What the hypervisor estimate needs of one imported host."""

    server_id: str
    site_id: str
    cluster: str
    cores: float | None
    sockets: float | None
    row: dict[str, Any] = field(default_factory=dict)


def _first_term_end(ctx: ImportContext) -> str:
    """End date of an estimated subscription's current term: the day before the
    plan's first anniversary (31 March when the plan starts in April)."""
    start = workbook_setting(ctx, "horizon_start")
    if not is_month(start):
        today = ctx.options.get("today")
        start = default_horizon_start(today if isinstance(today, dt.date) else None)
    y, m = parse_month(add_months(start, 12))
    return (dt.date(y, m, 1) - dt.timedelta(days=1)).isoformat()


def _covered_hosts(ctx: ImportContext) -> tuple[set[str], set[str]]:
    """(hosts a register contract of the workbook covers, ids of contracts that
    are not estimated)."""
    covered: set[str] = set()
    kept: set[str] = set()
    for r in workbook_rows(ctx, "contracts"):
        if not truthy(r.get("estimated", "")):
            covered.update(split_list(r.get("covers", "")))
            kept.add(r.get("contract_id", ""))
    return covered, kept


def hypervisor_contracts(hosts: list[Host], ctx: ImportContext,
                          result: ImportResult) -> None:
    """One estimated per-core subscription row per cluster of uncovered hosts."""
    covered, kept = _covered_hosts(ctx)
    groups: dict[tuple[str, str], list[Host]] = {}
    for h in hosts:
        if h.server_id not in covered:
            groups.setdefault((h.site_id, h.cluster), []).append(h)
    ref = packaged_reference()
    end = _first_term_end(ctx)
    for (site, cluster), members in sorted(groups.items()):
        cid = make_id(f"EST-VSPHERE-{cluster or site}")
        if cid in kept:
            continue
        cores = sum(licensed_cores(h.cores or ref.number("server.host_default_cores"),
                                   h.sockets, ref) for h in members)
        annual = sum(hypervisor_annual(h.cores or ref.number("server.host_default_cores"),
                                       h.sockets, ref) for h in members)
        result.add("contracts", {
            "contract_id": cid, "supplier": "Broadcom (VMware)",
            "title": f"vSphere Foundation subscription, {cluster or site}: {len(members)} "
                     f"host{'s' * (len(members) != 1)}, {cores:g} licensed cores "
                     "(estimated)",
            "category": "licence", "ends_with": "retire", "unit": "core",
            "unit_price": ref.number("hypervisor.per_core_year"),
            "annual_value": round(annual, 2), "end_date": end,
            "renewal_term_months": 12, "notice_months": 3,
            "covers": "; ".join(h.server_id for h in members), "estimated": "yes",
            "source": SOURCE})
        result.count("hypervisor_estimates")
    if groups:
        result.notes.append("hosts no contract covers: one estimated vSphere subscription row "
                            "per cluster (contracts.estimated = yes; replace with your own "
                            "contract, or import your register)")




__all__ = ["SOURCE", "Host", "hypervisor_contracts"]
