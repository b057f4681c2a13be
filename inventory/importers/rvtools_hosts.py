"""RVTools vHost rows and the sites VMs and hosts run at (split from
:mod:`inventory.importers.rvtools`, which imports them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from inventory.importers.common import ImportContext, ImportResult, Sheet, make_id, tidy
from inventory.importers.hypervisor import Host as _Host
from inventory.importers.rows import Fields, fields, site_row
from inventory.tables import Row

if TYPE_CHECKING:
    from inventory.importers.rvtools import _Options

NO_DATACENTER = "NO-DATACENTER"

VHOST = {"host": ("Host", "vHostName")}
VHOST_OPTIONAL = {
    "datacenter": ("Datacenter", "vHostDatacenter"),
    "cluster": ("Cluster", "vHostCluster"),
    "cores": ("# Cores", "vHostNumCpuCores"),
    "sockets": ("# CPU", "vHostNumCpu"),
    "cores_per_cpu": ("Cores per CPU", "vHostCoresPerCPU"),
    "memory": ("# Memory", "vHostMemorySize"),
    "vendor": ("Vendor", "vHostVendor"),
    "model": ("Model", "vHostModel"),
    "cpu_model": ("CPU Model", "vHostCpuModel"),
    "esx": ("ESX Version", "vHostEsxVersion", "vHostVersion"),
}


@dataclass
class Sites:
    """Which site a VM or host runs at: ``--site``, else its datacenter or cluster."""

    opts: _Options
    ctx: ImportContext
    has_datacenters: bool = True
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    clusters: dict[str, set[str]] = field(default_factory=dict)

    def of(self, datacenter: str, cluster: str, fallback: str = "") -> str:
        """The site of a datacenter / cluster; ``fallback`` (the VM's host's site)
        when the datacenter is blank."""
        if self.opts.site:
            return self._add(self.opts.site, self.opts.site, "rvtools --site")
        if not datacenter and fallback:
            return fallback
        if not datacenter and not self.has_datacenters:
            return self._add("DC1", "DC1", "rvtools (the export names no datacenter)")
        if not datacenter:
            return self._add(NO_DATACENTER, "(no datacenter in the export)",
                             "rvtools datacenter")
        if self.opts.sites_from == "cluster" and cluster:
            self.clusters.setdefault(cluster, set()).add(datacenter)
            name = cluster if len(self.clusters[cluster]) == 1 else f"{datacenter} {cluster}"
            return self._add(make_id(name) or NO_DATACENTER, name, "rvtools cluster")
        return self._add(make_id(datacenter) or NO_DATACENTER, datacenter,
                         "rvtools datacenter")

    def _add(self, site_id: str, name: str, source: str) -> str:
        self.rows.setdefault(site_id, site_row(site_id, name, self.ctx, source))
        return site_id


def host_cores(f: Fields, row: Row) -> tuple[float | None, float | None]:
    cores = f.number(row, "cores", "# Cores")
    sockets = f.number(row, "sockets", "# CPU", report=False)
    if cores is None and sockets is not None:
        per = f.number(row, "cores_per_cpu", "Cores per CPU", report=False)
        cores = sockets * per if per is not None else None
    return cores, sockets


def hosts_of(sheet: Sheet | None, sites: Sites, result: ImportResult,
           ) -> tuple[dict[str, str], dict[str, _Host]]:
    """Import vHost rows; return (lower-case host name and short name -> id, hosts)."""
    if sheet is None:
        return {}, {}
    f = fields(sheet, result.issues, VHOST, VHOST_OPTIONAL)
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    hosts: dict[str, _Host] = {}
    for row in sheet.rows:
        name = f.text(row, "host")
        sid = make_id(name)
        if not sid or sid in seen:
            why = "host name is blank" if not sid else (
                f"host {name!r} appears twice (first at row {seen[sid]})")
            result.issues.append(f.issue(row, why + "; row skipped", "host", name))
            result.count("hosts_skipped")
            continue
        seen[sid] = row.number
        cores, sockets = host_cores(f, row)
        dc, cluster = f.text(row, "datacenter"), f.text(row, "cluster")
        site = sites.of(dc, cluster) if dc or sites.opts.site else ""  # "": its VMs' site
        server = {
            "server_id": sid, "hostname": name, "site_id": site, "kind": "host",
            "vcpus": tidy(cores), "cores": tidy(cores), "sockets": tidy(sockets),
            "ram_gb": tidy(f.number(row, "memory", "# Memory",
                                                          scale=1024)),
            "os": f.text(row, "esx"), "model": " ".join(
                x for x in (f.text(row, "vendor"), f.text(row, "model")) if x),
            "cpu_model": " ".join(f.text(row, "cpu_model").split()),
            "datacenter": dc, "cluster": cluster, "source": "rvtools vHost"}
        result.add("servers", server)
        result.count("hosts")
        hosts[sid] = _Host(sid, site, cluster, cores, sockets, server)
        names[name.lower()] = sid
        short = name.lower().split(".")[0]
        if not short.isdigit():
            names.setdefault(short, sid)
    return names, hosts
