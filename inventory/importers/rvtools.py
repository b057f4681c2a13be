"""RVTools export (vInfo + vHost) -> virtual servers, hosts and applications.

Reads an RVTools ``.xlsx`` (sheets ``vInfo`` and ``vHost``) or a folder of
``RVTools_tabvInfo.csv`` / ``RVTools_tabvHost.csv``. RVTools 4.x headers
(``Provisioned MiB``), 3.x headers (``Provisioned MB``) and the internal
names (``vInfoVMName``, …) are all accepted. RVTools' "MB" is the same unit as
its "MiB" (2**20 bytes): memory and disk are divided by 1024 into GiB, written
to ``ram_gb`` and ``storage_gb``.

Every vInfo row is either imported (problems flagged in ``issues``, the bad
value left blank), skipped as a template (counted) or skipped with an issue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from inventory.importers.common import (
    ImportContext,
    ImportResult,
    Sheet,
    make_id,
    number_cell,
    optional,
    read_csv,
    read_single,
    read_xlsx_sheets,
    require,
    split_list,
    tidy,
    truthy,
)
from inventory.tables import Row

VINFO = {
    "vm": ("VM", "vInfoVMName"),
}
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
}
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
SERVER_OWNED = ("hostname", "kind", "host_id", "vcpus", "ram_gb", "storage_gb", "os",
                "powerstate", "datacenter", "cluster", "ip", "model")


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


def _num(sheet: Sheet, row: Row, col: str | None, what: str, issues: list[Issue],
         scale: float = 1.0) -> float | None:
    return number_cell(sheet, row, col, issues, what, scale)


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


def _hosts(sheet: Sheet | None, ctx: ImportContext, result: ImportResult) -> dict[str, str]:
    """Import vHost rows; return lower-case host name (and short name) -> server_id."""
    if sheet is None:
        return {}
    cols = require(sheet, **VHOST)
    opt = optional(sheet, **VHOST_OPTIONAL)
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row in sheet.rows:
        name = row.get(cols["host"])
        if not name:
            result.issues.append(sheet.issue(row, "host name is blank; row skipped",
                                             column=cols["host"]))
            result.count("hosts_skipped")
            continue
        sid = make_id(name)
        if sid in seen:
            result.issues.append(sheet.issue(
                row, f"host {name!r} appears twice (first at row {seen[sid]}); row skipped",
                column=cols["host"], value=name))
            result.count("hosts_skipped")
            continue
        seen[sid] = row.number
        cores = _num(sheet, row, opt["cores"], "# Cores", result.issues)
        if cores is None and opt["sockets"] and opt["cores_per_cpu"]:
            s = _num(sheet, row, opt["sockets"], "# CPU", [])
            c = _num(sheet, row, opt["cores_per_cpu"], "Cores per CPU", [])
            cores = s * c if s is not None and c is not None else None
        mem = _num(sheet, row, opt["memory"], "# Memory", result.issues, 1024)
        model = " ".join(row.get(c) for c in (opt["vendor"], opt["model"]) if c and row.get(c))
        result.add("servers", {
            "server_id": sid, "hostname": name, "site_id": ctx.site_id, "kind": "host",
            "vcpus": tidy(cores), "ram_gb": tidy(mem),
            "os": row.get(opt["esx"]) if opt["esx"] else "",
            "model": model,
            "datacenter": row.get(opt["datacenter"]) if opt["datacenter"] else "",
            "cluster": row.get(opt["cluster"]) if opt["cluster"] else "",
            "source": "rvtools vHost",
        })
        result.count("hosts")
        names[name.lower()] = sid
        short = name.lower().split(".")[0]
        if not short.isdigit():
            names.setdefault(short, sid)
    return names


def import_rvtools(path: Path, ctx: ImportContext) -> ImportResult:
    """Import an RVTools export.

    Parameters
    ----------
    path : Path
        ``.xlsx`` export, folder of ``RVTools_tab*.csv`` or the vInfo CSV.
    ctx : ImportContext
        ``site_id``; options ``app_column`` (a vInfo column naming each VM's
        application), ``app_map`` (CSV of server,application) and ``storage``
        (``provisioned``, the default, or ``in-use``).

    Returns
    -------
    ImportResult
        Servers (virtual and host) and applications, with every problem.
    """
    vinfo, vhost = _read(path)
    result = ImportResult("rvtools", str(path))
    cols = require(vinfo, **VINFO)
    opt = optional(vinfo, **VINFO_OPTIONAL)
    host_ids = _hosts(vhost, ctx, result)
    if vhost is None:
        result.issues.append(Issue(str(path), "no vHost sheet: hosts not imported and "
                                   "host_id left blank on every VM", sheet="vHost"))
    app_col = ctx.options.get("app_column")
    if app_col:
        found = vinfo.column(app_col)
        if found is None:
            raise EstateError(vinfo.issue(None, f"no column {app_col!r} for --app-column; "
                                          f"columns are: {', '.join(vinfo.table.columns)}"))
        app_col = found
    app_map = _app_map(Path(ctx.options["app_map"])) if ctx.options.get("app_map") else None
    explicit = bool(app_col or app_map is not None)
    storage = str(ctx.options.get("storage") or "provisioned")
    order = ("in_use", "provisioned") if storage == "in-use" else ("provisioned", "in_use")
    disk_col = next((opt[k] for k in (*order, "total_disk") if opt[k]), None)
    result.notes.append(
        f"storage_gb = vInfo '{disk_col}' / 1024 (GiB)" if disk_col else
        "storage_gb left blank: no Provisioned / In Use / Total disk column")
    result.notes.append("ram_gb = vInfo 'Memory' (MiB) / 1024; host ram_gb = vHost '# Memory' "
                        "/ 1024; host vcpus = physical cores")
    apps: dict[str, str] = {}
    ids: dict[str, int] = {}
    mapped: set[str] = set()
    for row in vinfo.rows:
        result.count("rows")
        name = row.get(cols["vm"])
        if not name or not make_id(name):
            result.issues.append(vinfo.issue(row, "VM name is blank; row skipped",
                                             column=cols["vm"], value=name))
            result.count("skipped")
            continue
        if opt["template"] and truthy(row.get(opt["template"])):
            result.count("templates")
            result.lists.setdefault("templates", []).append(name)
            continue
        sid = make_id(name)
        if sid in ids or sid in host_ids.values():
            where = f"row {ids[sid]}" if sid in ids else "vHost"
            n = 2
            while f"{sid}-{n}" in ids:
                n += 1
            result.issues.append(vinfo.issue(
                row, f"VM name {name!r} gives id {sid} already used ({where}); imported as "
                f"server {sid}-{n} — rename it in vCenter or in the workbook",
                column=cols["vm"], value=name))
            sid = f"{sid}-{n}"
        ids[sid] = row.number
        issues = result.issues
        vcpus = _num(vinfo, row, opt["cpus"], "CPUs", issues)
        ram = _num(vinfo, row, opt["memory"], "Memory (MiB)", issues, 1024)
        disk = _num(vinfo, row, disk_col, disk_col or "", issues, 1024)
        host_name = row.get(opt["host"]) if opt["host"] else ""
        host_id = ""
        if host_name and vhost is not None:
            host_id = host_ids.get(host_name.lower()) or host_ids.get(
                host_name.lower().split(".")[0], "")
            if not host_id:
                issues.append(vinfo.issue(row, f"host {host_name!r} is not in vHost; "
                                          "imported with host_id blank",
                                          column=opt["host"] or "", value=host_name))
        os_name = next((row.get(c) for c in (opt["os_config"], opt["os_tools"])
                        if c and row.get(c)), "")
        power = row.get(opt["powerstate"]) if opt["powerstate"] else ""
        if power and power.lower() != "poweredon":
            result.lists.setdefault("powered_off", []).append(name)
        app_names: list[str] = []
        if app_col:
            app_names = split_list(row.get(app_col))
        elif app_map is not None:
            app_names = app_map.get(name.lower()) or app_map.get(sid.lower()) or []
            if app_names:
                mapped.update((name.lower(), sid.lower()))
        if explicit and not app_names:
            result.count("no_application")
        if app_names:
            app_ids = []
            for a in app_names:
                aid = make_id(a, "APP-")
                apps.setdefault(aid, a)
                app_ids.append(aid)
        else:
            aid = f"APP-{sid}"[:64]
            app_ids = [aid]
            result.add("applications", {"app_id": aid, "name": name})
            result.add_if_referenced.add(aid)
        server: dict[str, Any] = {
            "server_id": sid, "hostname": (row.get(opt["dns"]) if opt["dns"] else "") or name,
            "site_id": ctx.site_id, "kind": "virtual", "host_id": host_id,
            "vcpus": tidy(vcpus), "ram_gb": tidy(ram), "storage_gb": tidy(disk),
            "os": os_name, "app_ids": "; ".join(dict.fromkeys(app_ids)), "powerstate": power,
            "datacenter": row.get(opt["datacenter"]) if opt["datacenter"] else "",
            "cluster": row.get(opt["cluster"]) if opt["cluster"] else "",
            "ip": row.get(opt["ip"]) if opt["ip"] else "",
            "source": "rvtools vInfo",
        }
        result.add("servers", server)
        result.count("imported")
    for aid, aname in apps.items():
        result.add("applications", {"app_id": aid, "name": aname})
    if app_map is not None:
        unknown = sorted(set(app_map) - mapped)
        for s in unknown:
            result.issues.append(Issue(str(ctx.options["app_map"]),
                                       f"server {s!r} of the application map is not a VM of "
                                       "this export (or is a template); ignored"))
    owned = SERVER_OWNED + (("app_ids",) if explicit else ())
    result.owned = {"servers": owned, "applications": ()}
    return result
