"""RVTools export (vInfo + vHost) -> sites, servers, applications, hypervisor licences.

Reads an RVTools ``.xlsx`` (sheets ``vInfo`` and ``vHost``) or a folder of
``RVTools_tabvInfo.csv`` / ``RVTools_tabvHost.csv``. RVTools 4.x headers
(``Provisioned MiB``), 3.x headers (``Provisioned MB``) and the internal
names (``vInfoVMName``, …) are all accepted. RVTools' "MB" is the same unit as
its "MiB" (2**20 bytes): memory and disk are divided by 1024 into GiB, written
to ``ram_gb`` and ``storage_gb``.

Sites are the export's datacenters (``--sites-from cluster``: its clusters;
``--site``: one site for everything). Applications are grouped as people
organise vCenter (``--apps-from vm|folder|resource-pool|vapp|annotation|
column:NAME`` or ``--app-map``); a VM the grouping does not name gets an
application of its own. Hosts that no contract of the workbook covers get an
*estimated* per-core hypervisor subscription row per cluster.

Every vInfo row is either imported (problems flagged in ``issues``, the bad
value left blank), skipped as a template (counted) or skipped with an issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from estate.errors import EstateError, Issue
from inventory.importers.common import (
    ImportContext,
    ImportResult,
    Sheet,
    group_rows,
    make_id,
    read_csv,
    read_single,
    read_xlsx_sheets,
    require,
    split_list,
    tidy,
    truthy,
)
from inventory.importers.hypervisor import Host as _Host
from inventory.importers.hypervisor import hypervisor_contracts
from inventory.importers.rows import (
    Fields,
    app_ids_of,
    app_rows,
    fields,
    unique_id,
)
from inventory.importers.rvtools_hosts import NO_DATACENTER, Sites, hosts_of
from inventory.tables import Row

VINFO = {"vm": ("VM", "vInfoVMName")}
VINFO_OPTIONAL = {
    "powerstate": ("Powerstate", "vInfoPowerstate"),
    "template": ("Template", "vInfoTemplate"),
    "dns": ("DNS Name", "vInfoGuestHostName"),
    "cpus": ("CPUs", "vInfoCPUs"),
    "memory": ("Memory", "vInfoMemory"),
    "provisioned": ("Provisioned MiB", "Provisioned MB", "vInfoProvisioned"),
    "in_use": ("In Use MiB", "In Use MB", "vInfoInUse"),
    "total_disk": ("Total disk capacity MiB", "Total disk capacity MB",
                   "vInfoTotalDiskCapacityMiB"),
    "datacenter": ("Datacenter", "vInfoDataCenter"),
    "cluster": ("Cluster", "vInfoCluster"),
    "host": ("Host", "vInfoHost"),
    "os_config": ("OS according to the configuration file", "vInfoOS"),
    "os_tools": ("OS according to the VMware Tools", "vInfoOSTools"),
    "ip": ("Primary IP Address", "vInfoPrimaryIPAddress"),
    "folder": ("Folder", "vInfoFolder"),
    "resource_pool": ("Resource pool", "vInfoResourcePool"),
    "vapp": ("vApp", "vInfoVApp"),
    "annotation": ("Annotation", "vInfoAnnotation"),
    "srm_placeholder": ("SRM Placeholder", "vInfoSRMPlaceholder"),
}
SERVER_OWNED = ("hostname", "site_id", "kind", "host_id", "vcpus", "ram_gb", "storage_gb",
                "os", "powerstate", "datacenter", "cluster", "ip", "model", "cpu_model",
                "sockets", "cores", "in_use_gb")
#: vSphere's own agent VMs, by name: vSphere Cluster Services (``vCLS-…``,
#: ``vCLS (1)``), vSAN File Service nodes, NSX Guest Introspection and vSphere
#: Replication placeholders. The planner has nothing to decide about them.
SYSTEM_VM_NAMES = re.compile(r"^(vcls\b|vcls-|vsan file service node|guest introspection"
                             r"|vmware-vcls)", re.IGNORECASE)
#: A VM whose name or annotation says SQL is guessed to run SQL Server Standard
#: (reference ``sql_server.name_hint``); the import lists every guess.
SQL_HINT = re.compile(r"sql", re.IGNORECASE)
#: Annotations vSphere writes on its agent VMs.
SYSTEM_VM_NOTES = re.compile(r"vsphere cluster service|vcls", re.IGNORECASE)
APPS_FROM = ("vm", "folder", "resource-pool", "vapp", "annotation")
SITES_FROM = ("datacenter", "cluster")
#: ``source`` of rows this importer creates (and may prune when unreferenced).
SOURCE = "rvtools"
PER_VM = "rvtools: one application per VM"
_DEFAULT_FOLDERS = {"discovered virtual machine", "vm", "templates"}


@dataclass
class _Options:
    """How the import maps the export, from the command line."""

    sites_from: str = "datacenter"
    site: str | None = None
    apps_from: str = "vm"
    app_column: str = ""
    app_map: dict[str, list[str]] | None = None
    storage: str = "provisioned"

    @property
    def explicit(self) -> bool:
        """Whether the import names applications (and so owns ``app_ids``)."""
        return self.apps_from != "vm" or self.app_map is not None


def _read(path: Path) -> tuple[Sheet, Sheet | None]:
    """vInfo and vHost sheets from an .xlsx, a CSV folder or a vInfo CSV."""
    if path.is_dir():
        files = {p.name.lower(): p for p in path.iterdir() if p.suffix.lower() == ".csv"}

        def pick(tab: str) -> Path | None:
            for name in (f"rvtools_tab{tab}.csv", f"tab{tab}.csv", f"{tab}.csv"):
                if name in files:
                    return files[name]
            return None

        vinfo, vhost = pick("vinfo"), pick("vhost")
        if vinfo is None:
            raise EstateError(Issue(str(path), "the folder has no RVTools_tabvInfo.csv"))
        return (read_csv(vinfo, "vInfo"),
                read_csv(vhost, "vHost") if vhost is not None else None)
    if path.suffix.lower() == ".csv":
        sibling = path.with_name(path.name.replace("vInfo", "vHost").replace("vinfo", "vhost"))
        host_sheet = (read_csv(sibling, "vHost") if sibling != path and sibling.exists()
                      else None)
        return read_csv(path, "vInfo"), host_sheet
    sheets = read_xlsx_sheets(path, ["vInfo", "vHost"])
    if "vinfo" not in sheets:
        raise EstateError(Issue(str(path), "has no vInfo sheet; is it an RVTools export?"))
    return sheets["vinfo"], sheets.get("vhost")


def _app_map(path: Path) -> dict[str, list[str]]:
    sheet = read_single(path)
    cols = require(sheet, server=("server", "vm", "server_name", "hostname", "server_id",
                                  "name"),
                   application=("application", "app", "app_name", "application name",
                                "app_id"))
    out: dict[str, list[str]] = {}
    for row in sheet.rows:
        server, app = row.get(cols["server"]), row.get(cols["application"])
        if server and app:
            out.setdefault(server.lower(), []).extend(split_list(app))
    return out


def _options(ctx: ImportContext, vinfo: Sheet) -> _Options:
    """Check and gather the command-line options (an error names what is wrong)."""
    o = ctx.options
    opts = _Options(sites_from=str(o.get("sites_from") or "datacenter"), site=ctx.site_id,
                    storage=str(o.get("storage") or "provisioned"))
    apps_from = str(o.get("apps_from") or "vm")
    if o.get("app_column"):
        apps_from = f"column:{o['app_column']}"
    if apps_from.startswith("column:"):
        name = apps_from.split(":", 1)[1]
        found = vinfo.column(name)
        if found is None:
            raise EstateError(vinfo.issue(None, f"no column {name!r} to group applications "
                                          f"by; columns are: {', '.join(vinfo.table.columns)}"))
        opts.apps_from, opts.app_column = "column", found
    elif apps_from in APPS_FROM:
        opts.apps_from = apps_from
    else:
        raise EstateError(Issue("--apps-from", f"{apps_from!r} must be one of "
                                f"{', '.join(APPS_FROM)} or column:NAME"))
    if opts.sites_from not in SITES_FROM:
        raise EstateError(Issue("--sites-from", f"{opts.sites_from!r} must be datacenter or "
                                "cluster"))
    if o.get("app_map"):
        opts.app_map = _app_map(Path(o["app_map"]))
    return opts


def _path_name(text: str, drop: tuple[str, ...] = ()) -> str:
    """A vCenter folder / pool path as an application name (``""`` when it names none)."""
    parts = [p.strip() for p in text.replace("\\", "/").split("/") if p.strip()]
    while parts and parts[0].lower() in drop:
        parts.pop(0)
    if not parts or parts[-1].lower() in _DEFAULT_FOLDERS:
        return ""
    return " / ".join(parts)


def _group(opts: _Options, f: Fields, row: Row, names: tuple[str, str]) -> list[str]:
    """Application names of one VM under the chosen grouping (``[]``: none)."""
    vm, sid = names
    if opts.app_map is not None:
        return opts.app_map.get(vm.lower()) or opts.app_map.get(sid.lower()) or []
    dc, cluster = f.text(row, "datacenter").lower(), f.text(row, "cluster").lower()
    if opts.apps_from == "column":
        return split_list(row.get(opts.app_column))
    if opts.apps_from == "folder":
        name = _path_name(f.text(row, "folder"), (dc, "vm"))
    elif opts.apps_from == "resource-pool":
        pool = f.text(row, "resource_pool")
        tail = pool.split("/Resources", 1)[1] if "/Resources" in pool else pool
        name = _path_name(tail, (dc, cluster, "resources"))
    elif opts.apps_from == "vapp":
        name = f.text(row, "vapp")
    elif opts.apps_from == "annotation":
        name = f.text(row, "annotation").splitlines()[0][:60].strip() if f.text(
            row, "annotation") else ""
    else:
        name = ""
    return [name] if name else []


@dataclass
class _VmState:
    """What the vInfo pass knows and has done so far."""

    opts: _Options
    sites: Sites
    host_ids: dict[str, str]
    hosts: dict[str, _Host]
    has_vhost: bool
    ids: dict[str, int] = field(default_factory=dict)
    apps: dict[str, str] = field(default_factory=dict)
    mapped: set[str] = field(default_factory=set)
    unknown_hosts: list[tuple[Issue, str]] = field(default_factory=list)


def _vm_id(f: Fields, row: Row, name: str, state: _VmState, result: ImportResult) -> str:
    sid = make_id(name)
    if sid in state.ids or sid in state.host_ids.values():
        where = f"row {state.ids[sid]}" if sid in state.ids else "vHost"
        new = unique_id(sid, state.ids)
        result.issues.append(f.issue(
            row, f"VM name {name!r} gives id {sid} already used ({where}); imported as "
            f"server {new} — rename it in vCenter or in the workbook", "vm", name))
        sid = new
    state.ids[sid] = row.number
    return sid


def _host_of(f: Fields, row: Row, state: _VmState, vm: str) -> str:
    """The host id of a VM's ``Host``; a host vHost does not list is kept in
    ``state.unknown_hosts`` (grouped by host when the import ends)."""
    name = f.text(row, "host")
    if not name or not state.has_vhost:
        return ""
    host_ids = state.host_ids
    found = host_ids.get(name.lower()) or host_ids.get(name.lower().split(".")[0], "")
    if not found:
        state.unknown_hosts.append((f.issue(
            row, f"VM {vm!r}: host {name!r} is not in vHost; imported with host_id blank",
            "host", name), vm))
    return found


def _vm(f: Fields, row: Row, state: _VmState, result: ImportResult) -> None:
    """Import one vInfo row (not a template, name not blank)."""
    opts, hosts = state.opts, state.hosts
    name = f.text(row, "vm")
    sid = _vm_id(f, row, name, state, result)
    power = f.text(row, "powerstate")
    if power and power.lower() != "poweredon":
        result.lists.setdefault("powered_off", []).append(name)
    in_use = (f.number(row, "in_use", f.col("in_use"), scale=1024, report=False)
              if f.has("in_use") else None)
    groups = _group(opts, f, row, (name, sid))
    if opts.app_map is not None and groups:
        state.mapped.update((name.lower(), sid.lower()))
    if opts.explicit and not groups:
        result.count("no_application")
    app_ids = app_ids_of(groups, state.apps)
    if not app_ids:
        app_ids = [f"APP-{sid}"[:64]]
        result.add("applications", {"app_id": app_ids[0], "name": name, "source": PER_VM})
        result.add_if_referenced.add(app_ids[0])
    disk = next((k for k in (("in_use", "provisioned") if opts.storage == "in-use" else
                             ("provisioned", "in_use")) + ("total_disk",) if f.has(k)), "")
    host_id = _host_of(f, row, state, name)
    site = state.sites.of(f.text(row, "datacenter"), f.text(row, "cluster"),
                          hosts[host_id].site_id if host_id in hosts else "")
    if host_id in hosts and not hosts[host_id].site_id:  # vHost names no datacenter
        hosts[host_id].site_id = hosts[host_id].row["site_id"] = site
    sql = ""
    if SQL_HINT.search(name) or SQL_HINT.search(f.text(row, "annotation")):
        sql = "standard"  # a guess from the name: listed so the user can check it
        result.lists.setdefault("sql_guess", []).append(name)
    result.add("servers", {
        "server_id": sid, "hostname": f.text(row, "dns") or name, "sql_edition": sql,
        "site_id": site, "kind": "virtual", "host_id": host_id,
        "vcpus": tidy(f.number(row, "cpus", "CPUs")),
        "ram_gb": tidy(f.number(row, "memory", "Memory (MiB)", scale=1024)),
        "storage_gb": tidy(f.number(row, disk, f.col(disk), scale=1024) if disk else None),
        "os": f.first(row, "os_config", "os_tools"), "app_ids": "; ".join(app_ids),
        "powerstate": power, "datacenter": f.text(row, "datacenter"),
        "cluster": f.text(row, "cluster"), "ip": f.text(row, "ip"),
        "in_use_gb": tidy(in_use), "source": "rvtools vInfo"})
    result.count("imported")


def is_system_vm(f: Fields, row: Row) -> bool:
    """A vSphere agent VM (:data:`SYSTEM_VM_NAMES`, :data:`SYSTEM_VM_NOTES`) or a
    Site Recovery Manager placeholder (``SRM Placeholder`` true): skipped like a
    template, listed as infrastructure of its cluster."""
    name = f.text(row, "vm")
    return bool(SYSTEM_VM_NAMES.match(name.strip())
                or SYSTEM_VM_NOTES.search(f.text(row, "annotation"))
                or truthy(f.text(row, "srm_placeholder")))


def _notes(f: Fields, opts: _Options, result: ImportResult) -> None:
    order = ("in_use", "provisioned") if opts.storage == "in-use" else ("provisioned", "in_use")
    disk = next((f.col(k) for k in (*order, "total_disk") if f.has(k)), None)
    result.notes.append(f"storage_gb = vInfo '{disk}' / 1024 (GiB)" if disk else
                        "storage_gb left blank: no Provisioned / In Use / Total disk column")
    result.notes.append("ram_gb = vInfo 'Memory' (MiB) / 1024; host ram_gb = vHost '# Memory' "
                        "/ 1024; host vcpus and cores = physical cores, sockets = '# CPU'")
    if f.has("in_use"):
        result.notes.append(f"in_use_gb = vInfo '{f.col('in_use')}' / 1024: the cost of "
                            "staying prices storage on the space in use")
    off = len(result.lists.get("powered_off", ()))
    if off:
        result.notes.append(f"{off} powered-off VM{'s' * (off != 1)}: imported with "
                            "powerstate poweredOff; in the cost of staying they carry storage "
                            "and backup only (no labour, licences or network)")
    guess = result.lists.get("sql_guess", [])
    if guess:
        result.notes.append(f"sql_edition = standard guessed for {len(guess)} VM"
                            f"{'s' * (len(guess) != 1)} whose name or annotation says SQL: "
                            "a guess, check it (clear the cell or write enterprise) — SQL "
                            "Server licences, ESU and protection follow it in the cost of "
                            "staying")
    system = result.lists.get("system_vms", [])
    if system:
        per: dict[str, int] = {}
        for item in system:
            c = item.rsplit("(", 1)[1].rstrip(")")
            per[c] = per.get(c, 0) + 1
        result.notes.append(f"{len(system)} vSphere system VM{'s' * (len(system) != 1)} "
                            "(vCLS agents, SRM placeholders, …) skipped like templates: "
                            "infrastructure of their cluster, not applications ("
                            + ", ".join(f"{c}: {n}" for c, n in sorted(per.items())) + ")")
    where = (f"every server at site {opts.site}" if opts.site else
             f"one site per {opts.sites_from}")
    how = ("--app-map" if opts.app_map is not None else
           f"column {opts.app_column!r}" if opts.apps_from == "column" else opts.apps_from)
    result.notes.append(f"sites: {where}; applications grouped by {how} (a VM it does not "
                        "name gets an application of its own)")


def import_rvtools(path: Path, ctx: ImportContext) -> ImportResult:
    """Import an RVTools export.

    Parameters
    ----------
    path : Path
        ``.xlsx`` export, folder of ``RVTools_tab*.csv`` or the vInfo CSV.
    ctx : ImportContext
        ``site_id`` (``--site``: one site for everything); options
        ``sites_from`` (``datacenter``, the default, or ``cluster``),
        ``apps_from`` (``vm``, ``folder``, ``resource-pool``, ``vapp``,
        ``annotation`` or ``column:NAME``; ``app_column`` is the same as
        ``column:NAME``), ``app_map`` (CSV of server,application) and
        ``storage`` (``provisioned``, the default, or ``in-use``).

    Returns
    -------
    ImportResult
        Sites, servers (virtual and host), applications and estimated
        hypervisor contracts, with every problem.
    """
    vinfo, vhost = _read(path)
    result = ImportResult("rvtools", str(path))
    f = fields(vinfo, result.issues, VINFO, VINFO_OPTIONAL)
    opts = _options(ctx, vinfo)
    sites = Sites(opts, ctx, has_datacenters=f.has("datacenter"))
    host_ids, hosts = hosts_of(vhost, sites, result)
    if vhost is None:
        result.issues.append(Issue(str(path), "no vHost sheet: hosts not imported and "
                                   "host_id left blank on every VM", sheet="vHost"))
    state = _VmState(opts, sites, host_ids, hosts, vhost is not None)
    for row in vinfo.rows:
        result.count("rows")
        name = f.text(row, "vm")
        if not make_id(name):
            result.issues.append(f.issue(row, "VM name is blank; row skipped", "vm", name))
            result.count("skipped")
        elif truthy(f.text(row, "template")):
            result.count("templates")
            result.lists.setdefault("templates", []).append(name)
        elif is_system_vm(f, row):
            result.count("system_vms")
            cluster = f.text(row, "cluster") or f.text(row, "datacenter") or "(no cluster)"
            result.lists.setdefault("system_vms", []).append(f"{name} ({cluster})")
        else:
            _vm(f, row, state, result)
    group_rows(result, state.unknown_hosts, what="VM", problem="host {value} is not in vHost",
               consequence="imported with host_id blank")
    if state.unknown_hosts and host_ids:
        known = sorted(host_ids)[:3]
        result.notes.append(
            f"{len(state.unknown_hosts)} VMs name a host vHost does not list (vHost names "
            f"its hosts e.g. {', '.join(known)}): the problems are one line per host; "
            "--problems FILE.csv lists every VM")
    _notes(f, opts, result)
    _finish(opts, sites, list(hosts.values()), state, ctx, result)
    return result


def _finish(opts: _Options, sites: Sites, hosts: list[_Host], state: _VmState,
            ctx: ImportContext, result: ImportResult) -> None:
    for h in hosts:
        if not h.site_id:  # no datacenter and no VM: its own site
            h.site_id = h.row["site_id"] = sites.of("", "")
    result.rows.setdefault("applications", []).extend(app_rows(state.apps, "rvtools grouping"))
    result.rows["sites"] = list(sites.rows.values())
    if NO_DATACENTER in sites.rows:
        result.issues.append(Issue(result.source, f"some VMs or hosts name no datacenter: "
                                   f"they are at site {NO_DATACENTER}; use --site to place "
                                   "them", sheet="vInfo"))
    if opts.app_map is not None:
        for s in sorted(set(opts.app_map) - state.mapped):
            result.issues.append(Issue(str(ctx.options["app_map"]),
                                       f"server {s!r} of the application map is not a VM of "
                                       "this export (or is a template); ignored"))
    hypervisor_contracts(hosts, ctx, result)
    result.owned = {"servers": SERVER_OWNED + (("app_ids",) if opts.explicit else ()),
                    "applications": (), "sites": (),
                    "contracts": ("title", "annual_value", "covers")}
    result.prune = {"applications": SOURCE, "sites": SOURCE}


__all__ = ["APPS_FROM", "SITES_FROM", "import_rvtools"]
