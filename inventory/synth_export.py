"""Export-shaped synthetic estates: what an RVTools export imported with the
defaults looks like (``estate synth --shape export``).

Unlike :func:`inventory.synth.synth_estate` (a council's application
catalogue), an export-shaped estate has one application per VM and no options
rows (the resolver generates a rehost to the default cloud region, as for an
import), and is coupled only through what the VMs share:

* 2-10 on-prem datacentres, each with a monthly facilities cost (about £350 a
  host a month, so a datacentre saves only when its last VM leaves);
* about one host per 15-30 VMs, in 1-4 clusters of 2 or more per
  datacentre (``cluster``, ``sockets``, ``cores``, a purchase date and an
  end of life, so a cluster's hardware refresh falls inside the horizon or
  soon after);
* one *estimated* per-core hypervisor subscription per cluster (``unit =
  core``, the reference ``hypervisor.per_core_year``, a 12-month term ending
  the day before the plan's first anniversary), as the RVTools import adds;
* VMs of the sizes and operating systems of :mod:`inventory.synth_infra`,
  about 6 % powered off and 1-2 % template-like (powered off, named
  ``tmpl-…``: a template saved as a VM, which the import keeps);
* few dependencies: about one VM in a hundred is ``together`` with another of
  its cluster (an application and its database server).

Every draw comes from one ``random.Random(seed)``: the same arguments always
give an equal estate.
"""

from __future__ import annotations

import datetime as dt
import random

from estate.hardware import licensed_cores
from estate.model import Application, Contract, Dependency, Estate, Server, Settings, Site
from estate.months import add_months, parse_month
from estate.reference import packaged_reference
from inventory.synth_infra import _os, _vm  # the council generator's VM sizes and OSes

#: Default cloud target of an import (as ``estate import rvtools`` adds).
CLOUD = "CLOUD-UK"
#: Facilities cost of a datacentre per host per month (£, about).
FACILITIES_PER_HOST = 350.0
POWERED_OFF = 0.06
TEMPLATE_LIKE = 0.015
TOGETHER = 0.01


def _datacentres(rng: random.Random, n_vms: int) -> int:
    """2-10 datacentres, more for a larger export."""
    most = max(2, min(10, n_vms // 120))
    return rng.randint(2, most)


def _split(rng: random.Random, total: int, parts: int, least: int) -> list[int]:
    """About ``total`` split into ``parts`` random sizes of at least ``least`` each."""
    weights = [rng.uniform(0.5, 2.0) for _ in range(parts)]
    sizes = [max(least, round(total * w / sum(weights))) for w in weights]
    return sizes


def _term_end(horizon_start: str) -> str:
    """The day before the plan's first anniversary (the import's first term end)."""
    y, m = parse_month(add_months(horizon_start, 12))
    return (dt.date(y, m, 1) - dt.timedelta(days=1)).isoformat()


def _clusters(rng: random.Random, n_dcs: int, n_vms: int, horizon_start: str
              ) -> tuple[list[Site], list[Server], dict[str, list[str]]]:
    """Datacentre sites, their hosts (about one per 15-30 VMs), and the host
    ids of each cluster."""
    sites: list[Site] = []
    hosts: list[Server] = []
    clusters: dict[str, list[str]] = {}
    total = max(2 * n_dcs, round(n_vms / rng.uniform(15.0, 30.0)))
    for d, dc_hosts in enumerate(_split(rng, total, n_dcs, 2), start=1):
        dc = f"DC{d:02d}"
        n_hosts_dc = 0
        n_clusters = max(1, min(4, dc_hosts // 2, rng.randint(1, 1 + dc_hosts // 8)))
        for c, size in enumerate(_split(rng, dc_hosts, n_clusters, 2), start=1):
            name = f"{dc}-CL{c}"
            sockets = 2.0
            cores = float(rng.choice((8, 12, 16, 20, 24, 28, 32))) * sockets
            # A cluster is bought at once: one purchase, one end of life.
            eol = add_months(horizon_start, rng.randint(-6, 60))
            bought = add_months(eol, -rng.choice((60, 72, 84))) + "-01"
            model = rng.choice(("Dell PowerEdge R650", "HPE ProLiant DL360 Gen10",
                                "Lenovo ThinkSystem SR650", "Cisco UCS B200 M5"))
            ids = []
            for h in range(1, size + 1):
                sid = f"ESX-{name}-{h:02d}"
                ids.append(sid)
                hosts.append(Server(
                    sid, dc, "host", hostname=sid.lower(), vcpus=cores,
                    ram_gb=float(rng.choice((256, 384, 512, 768))), os="VMware ESXi 7.0.3",
                    end_of_life=eol, purchase_date=bought, model=model, cluster=name,
                    sockets=sockets, cores=cores))
            clusters[name] = ids
            n_hosts_dc += size
        sites.append(Site(dc, "on_prem", f"Datacenter {d}",
                          monthly_fixed_cost=float(round(
                              FACILITIES_PER_HOST * n_hosts_dc * rng.uniform(0.6, 1.6), -1))))
    return sites, hosts, clusters


def _contracts(hosts: list[Server], clusters: dict[str, list[str]],
               horizon_start: str) -> list[Contract]:
    """One estimated per-core hypervisor subscription per cluster."""
    ref = packaged_reference()
    price = ref.number("hypervisor.per_core_year")
    by_id = {h.server_id: h for h in hosts}
    end = _term_end(horizon_start)
    out = []
    for name, ids in clusters.items():
        cores = sum(licensed_cores(by_id[i].cores or 0.0, by_id[i].sockets, ref) for i in ids)
        out.append(Contract(
            f"EST-VSPHERE-{name}", round(cores * price, 2), end, supplier="Broadcom (VMware)",
            title=f"vSphere Foundation subscription, {name}: {len(ids)} hosts, "
                  f"{cores:g} licensed cores (estimated)",
            category="licence", notice_months=3, renewal_term_months=12, covers=tuple(ids),
            estimated=True, ends_with="retire", unit="core", unit_price=price))
    return out


def export_estate(n_vms: int, seed: int = 0, *, horizon_start: str = "2026-04",
                  horizon_months: int = 48, datacentres: int | None = None) -> Estate:
    """An estate shaped like an imported RVTools export of ``n_vms`` VMs.

    Parameters
    ----------
    n_vms
        Number of VMs, one application each (at least 1; 300-3,000 is the
        benchmark range).
    seed
        Seed of the one ``random.Random`` every draw comes from.
    horizon_start, horizon_months
        The planning horizon (settings).
    datacentres
        Number of on-prem datacentres (2-10 drawn by size when ``None``).

    Returns
    -------
    Estate
        A *raw* estate: no options rows, blank application costs (the
        resolver generates and estimates them, as for an import).

    Raises
    ------
    ValueError
        When ``n_vms`` is below 1, ``datacentres`` below 1 or the horizon
        is not valid.
    """
    if n_vms < 1:
        raise ValueError(f"n_vms must be at least 1 (got {n_vms})")
    if datacentres is not None and datacentres < 1:
        raise ValueError(f"datacentres must be at least 1 (got {datacentres})")
    settings = Settings(horizon_start, horizon_months)
    rng = random.Random(seed)
    n_dcs = _datacentres(rng, n_vms) if datacentres is None else datacentres
    sites, hosts, clusters = _clusters(rng, n_dcs, n_vms, horizon_start)
    names = list(clusters)
    weights = [len(clusters[c]) for c in names]
    site_of = {h.server_id: h.site_id for h in hosts}
    width = max(4, len(str(n_vms)))
    vms: list[Server] = []
    apps: list[Application] = []
    by_cluster: dict[str, list[str]] = {}
    for i in range(1, n_vms + 1):
        cluster = rng.choices(names, weights=weights)[0]
        host = rng.choice(clusters[cluster])
        size = _vm(rng)
        os_name, eos = _os(rng)
        r = rng.random()
        template = r < TEMPLATE_LIKE
        off = template or r < TEMPLATE_LIKE + POWERED_OFF
        name = f"tmpl-{i:0{width}d}" if template else f"vm{i:0{width}d}"
        app_id = f"APP-{name.upper()}"
        vms.append(Server(
            name.upper(), site_of[host], "virtual", hostname=name, host_id=host,
            vcpus=float(size["vcpus"]), ram_gb=float(size["ram_gb"]),
            storage_gb=float(size["storage_gb"]), os=os_name, os_end_of_support=eos,
            app_ids=(app_id,), powerstate="poweredOff" if off else "poweredOn",
            cluster=cluster))
        apps.append(Application(app_id, name))
        if not off:
            by_cluster.setdefault(cluster, []).append(app_id)
    deps = []
    for cluster in names:
        members = by_cluster.get(cluster, [])
        for a in range(0, len(members) - 1, 2):
            if rng.random() < 2 * TOGETHER:
                deps.append(Dependency(members[a], members[a + 1], "together"))
    return Estate(
        settings=settings,
        sites=(*sites, Site(CLOUD, "cloud", "UK cloud region (default target; edit or replace)")),
        applications=tuple(apps), servers=(*hosts, *vms), dependencies=tuple(deps),
        contracts=tuple(_contracts(hosts, clusters, horizon_start)))
