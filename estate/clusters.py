"""Clusters as pools: how many hosts a vSphere cluster still needs, month by month.

The one home of the cluster rule; the evaluator (:mod:`estate.derive`), the
CP-SAT model (:mod:`solver.model.clusters`), ``estate check`` and the reports
all call it.

Hosts sharing a ``cluster`` form a pool. Its *members* are its VMs (virtual
servers whose ``host_id`` is one of its hosts, or whose host is unknown and
whose own ``cluster`` names the pool) and the hosts' own applications; a
member is in service in month t while t < its D (a VM's largest L; a host's
own application's L). In month t the cluster needs::

    n(t) = min(m, max(ceil(vCPU(t) / (cores × vcpus_per_core)),
                      ceil(RAM(t) / ram)) + ha_spare_hosts)

hosts, and 0 once no member is in service (m hosts; ``cores`` and ``ram`` are
the cluster's smallest host's). The arithmetic is in whole *units* (vCPUs ×
1000, GB × 1024, rounded) so that the planner's integer model and this
evaluator compare the same numbers. A cluster whose hosts' cores (or memory)
are unknown cannot be sized on them: that ceiling is m while anything is in
service. Members only leave, so n(t) never rises: the hosts are ranked by
latest end of life (ties: id) and the host of rank r is in service while
n(t) >= r, so its D = #{t < H : n(t) >= r}; once off it never returns.

At a kept host's end of life e (D > e, e < 0 counted as 0, e < H) it is
replaced, or its support is extended when that is cheaper in the plan's
objective (:func:`refresh`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from estate.hardware import physical_cores
from estate.model import Estate, Server
from estate.months import month_index

CPU_UNITS = 1000  # units per vCPU
RAM_UNITS = 1024  # units per GB


@dataclass(frozen=True)
class Cluster:
    """A pool of hosts and what runs on it.

    ``hosts`` are ranked (rank 1 first: latest end of life); ``members`` are
    ``(applications, cpu units, ram units)`` of each VM and of each host's own
    applications; ``cap_cpu`` / ``cap_ram`` the units one host carries (0:
    unknown).
    """

    name: str
    hosts: tuple[str, ...]
    members: tuple[tuple[frozenset[str], int, int], ...]
    cap_cpu: int
    cap_ram: int
    spare: int

    @property
    def apps(self) -> frozenset[str]:
        """Every application whose L decides a member's D."""
        out: set[str] = set()
        for apps, _, _ in self.members:
            out |= apps
        return frozenset(out)


def _eol_key(estate: Estate, h: Server) -> tuple[int, str]:
    e = (month_index(estate.settings.horizon_start, h.end_of_life)
         if h.end_of_life is not None else 10 ** 6)
    return (-e, h.server_id)


def clusters(estate: Estate) -> list[Cluster]:
    """Every cluster of the estate (hosts with a non-blank ``cluster``)."""
    by_name: dict[str, list[Server]] = {}
    for s in estate.servers:
        if s.kind == "host" and s.cluster:
            by_name.setdefault(s.cluster, []).append(s)
    vpc = estate.settings.vcpus_per_core or 4.0
    apps = estate.app_by_id
    # a VM whose host is unknown but whose own cluster column names a pool is in it
    loose: dict[str, list[Server]] = {}
    for s in estate.servers:
        if s.kind == "virtual" and s.cluster and s.cluster in by_name and (
                s.host_id is None or s.host_id not in estate.server_by_id):
            loose.setdefault(s.cluster, []).append(s)
    out = []
    for name, hosts in sorted(by_name.items()):
        ranked = sorted(hosts, key=lambda h: _eol_key(estate, h))
        members: list[tuple[frozenset[str], int, int]] = []
        guests: list[Server] = list(loose.get(name, ()))
        for h in ranked:
            own = frozenset(a for a in h.app_ids if a in apps)
            if own:
                members.append((own, 0, 0))
            guests += estate.guests_by_host.get(h.server_id, ())
        for g in guests:
            mine = frozenset(a for a in g.app_ids if a in apps)
            if mine:
                members.append((mine, round((g.vcpus or 0.0) * CPU_UNITS),
                                round((g.ram_gb or 0.0) * RAM_UNITS)))
        cores = [x for x in (physical_cores(h) for h in hosts) if x is not None and x > 0]
        rams = [x for x in (h.ram_gb for h in hosts) if x is not None and x > 0]
        cap_cpu = round(min(cores) * vpc * CPU_UNITS) if len(cores) == len(hosts) else 0
        cap_ram = round(min(rams) * RAM_UNITS) if len(rams) == len(hosts) else 0
        out.append(Cluster(name, tuple(h.server_id for h in ranked), tuple(members),
                           cap_cpu, cap_ram, estate.settings.ha_spare_hosts))
    return out


def clustered_hosts(estate: Estate) -> dict[str, Cluster]:
    """Host id -> its cluster."""
    return {h: c for c in clusters(estate) for h in c.hosts}


def _ceil(load: int, cap: int, m: int) -> int:
    if load <= 0:
        return 0
    return m if cap <= 0 else -(-load // cap)


def hosts_needed(c: Cluster, cpu: int, ram: int, any_in: bool) -> int:
    """n for loads ``cpu`` and ``ram`` (units) when ``any_in`` member is in service."""
    if not any_in:
        return 0
    m = len(c.hosts)
    return min(m, max(_ceil(cpu, c.cap_cpu, m), _ceil(ram, c.cap_ram, m)) + c.spare)


def needed_by_month(c: Cluster, live: Mapping[str, int], H: int) -> list[int]:
    """n(t) for t = 0 … H-1 given every application's L (``live``)."""
    ds = [(max((live.get(a, 0) for a in apps), default=0), cpu, ram)
          for apps, cpu, ram in c.members]
    out = []
    for t in range(H):
        inside = [(cpu, ram) for d, cpu, ram in ds if d > t]
        out.append(hosts_needed(c, sum(x for x, _ in inside), sum(y for _, y in inside),
                                bool(inside)))
    return out


def host_d(c: Cluster, live: Mapping[str, int], H: int) -> dict[str, int]:
    """D of each host of the cluster: #{t < H : n(t) >= rank}."""
    n = needed_by_month(c, live, H)
    return {h: sum(1 for x in n if x >= r) for r, h in enumerate(c.hosts, start=1)}


def release(c: Cluster, live: Mapping[str, int]) -> int:
    """Last month + 1 in which any member is in service (the cluster's own D): what
    a contract covering one of its hosts waits for (DRS moves the VMs, so a
    contract serves the pool)."""
    return max((live.get(a, 0) for a in c.apps), default=0)


def pool_release(pools: list[Cluster], live: Mapping[str, int]) -> dict[str, int]:
    """Host id -> :func:`release` of its cluster: the month from which a contract
    covering that host no longer needs it (passed to
    :func:`estate.contracts.contract_terms`)."""
    return {h: release(c, live) for c in pools for h in c.hosts}


@dataclass(frozen=True)
class Refresh:
    """What happens at a kept host's end of life: ``kind`` is ``replace``,
    ``extend`` or ``None`` (not needed then); ``payments`` are ``(month, £,
    kgCO2e)`` within the horizon."""

    kind: str | None
    month: int | None
    payments: tuple[tuple[int, float, float], ...]


def refresh(estate: Estate, host: Server, D: int) -> Refresh:
    """The end-of-life decision of a clustered host in service until ``D``.

    Replace: ``replacement_cost`` and ``embodied_kgco2e`` in month e'. Extend
    (allowed when ``D <= e' + 12 × extend_support_years``): a yearly charge of
    ``extend_support_fraction × replacement_cost`` in months e', e'+12, … before
    D. Extension is chosen when its discounted cost is lower than the
    replacement's discounted cost plus its carbon at the plan's carbon price.
    """
    st = estate.settings
    H = st.horizon_months
    if host.end_of_life is None:
        return Refresh(None, None, ())
    e = max(month_index(st.horizon_start, host.end_of_life), 0)
    if e >= H or D <= e:
        return Refresh(None, None, ())
    rc, kg = host.replacement_cost or 0.0, host.embodied_kgco2e or 0.0

    def disc(t: int) -> float:
        return float((1 + st.discount_rate) ** (-t / 12))

    replace = ((e, rc, kg),)
    replace_cost = disc(e) * (rc + (st.carbon_price or 0.0) * kg / 1000)
    years = st.extend_support_years
    if st.extend_support_fraction > 0 and years > 0 and D <= e + 12 * years:
        charge = st.extend_support_fraction * rc
        extend = tuple((t, charge, 0.0) for t in range(e, min(D, H), 12))
        if sum(disc(t) * x for t, x, _ in extend) < replace_cost:
            return Refresh("extend", e, extend)
    return Refresh("replace", e, replace)


def refresh_total(payments: tuple[tuple[int, float, float], ...]) -> float:
    """Undiscounted £ of a refresh's payments."""
    return math.fsum(x for _, x, _ in payments)
