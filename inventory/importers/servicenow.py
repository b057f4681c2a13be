"""ServiceNow CMDB exports -> servers, hosts, application links and dependencies.

Reads a CSV export of ``cmdb_ci_server`` (name, sys_id, os, os_version,
cpu_count, cpu_core_count, ram [MB], disk_space [GB], location, virtual,
ip_address, sys_class_name, …) and, with ``--rel FILE`` or in the same folder,
a CSV export of ``cmdb_rel_ci`` (parent, type, child). Relationship types:

* ``Runs on::Runs`` and ``Depends on::Used by`` between an application and a
  server: the server serves the application (``app_ids``);
* ``Hosted on::Hosts`` and ``Virtualized by::Virtualizes``: the parent is a
  virtual server on the child, a ``host``;
* ``Depends on::Used by`` between two applications: a ``loose`` dependency
  (the kind is yours to change; the relationship is kept in ``notes``).

A relation end that is not a server of the export is taken as an application
(``APP-<NAME>``). Other relationship types are counted and ignored.
"""

from __future__ import annotations

from pathlib import Path

from estate.errors import EstateError, Issue
from inventory.importers.common import (
    ImportContext,
    ImportResult,
    Sheet,
    make_id,
    new_row_id,
    read_csv,
    read_single,
    require,
    tidy,
    truthy,
)
from inventory.importers.rows import Fields, fields, server_site, site_row
from inventory.tables import Row

SERVER = {"name": ("name", "Name")}
SERVER_OPTIONAL = {
    "sys_id": ("sys_id", "Sys ID"),
    "os": ("os", "Operating System"),
    "os_version": ("os_version", "OS Version"),
    "cpus": ("cpu_count", "CPU count"),
    "cores": ("cpu_core_count", "CPU core count"),
    "ram": ("ram", "RAM (MB)", "RAM"),
    "disk": ("disk_space", "Disk space (GB)", "Disk space"),
    "location": ("location", "Location"),
    "virtual": ("virtual", "Is Virtual", "Virtual"),
    "ip": ("ip_address", "IP Address"),
    "fqdn": ("fqdn", "Fully qualified domain name", "host_name", "Host name"),
    "cls": ("sys_class_name", "Class"),
}
REL = {"parent": ("parent", "Parent"), "type": ("type", "Type"), "child": ("child", "Child")}
HOST_CLASSES = ("esx", "hyper-v", "hyperv", "hypervisor", "host")
VM_CLASSES = ("vm", "virtual")


def _files(path: Path, rel: str | None) -> tuple[Sheet, Sheet | None]:
    if path.is_dir():
        csvs = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        server = next((p for p in csvs if p.name.lower().startswith("cmdb_ci_server")), None)
        relf = next((p for p in csvs if p.name.lower().startswith("cmdb_rel_ci")), None)
        if server is None:
            raise EstateError(Issue(str(path), "the folder has no cmdb_ci_server*.csv"))
        return read_csv(server), (read_csv(relf) if relf else None)
    return read_single(path), (read_single(Path(rel)) if rel else None)


def _kind(f: Fields, row: Row) -> str:
    """Policy: a VM class or ``virtual`` = yes -> virtual; ESX / Hyper-V -> host."""
    cls = f.text(row, "cls").lower()
    if truthy(f.text(row, "virtual")) or any(v in cls for v in VM_CLASSES):
        return "virtual"
    return "host" if any(h in cls for h in HOST_CLASSES) else "physical"


def _server(f: Fields, row: Row, sid: str, ctx: ImportContext) -> dict[str, object]:
    """The servers row of one ``cmdb_ci_server`` record."""
    cpus, cores = f.number(row, "cpus"), f.number(row, "cores")
    return {
        "server_id": sid, "hostname": f.text(row, "fqdn") or f.text(row, "name"),
        "site_id": server_site(ctx), "kind": _kind(f, row),
        "vcpus": tidy(cpus * cores if cpus and cores else cpus),
        "ram_gb": tidy(f.number(row, "ram", scale=1024)),
        "storage_gb": tidy(f.number(row, "disk")),
        "os": " ".join(x for x in (f.text(row, "os"), f.text(row, "os_version")) if x),
        "ip": f.text(row, "ip"), "location": f.text(row, "location"), "app_ids": "",
        "source": "servicenow cmdb_ci_server"}


def _servers(sheet: Sheet, ctx: ImportContext, result: ImportResult,
             ) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    """Server rows by id, and name / sys_id / FQDN (lower case) -> id."""
    f = fields(sheet, result.issues, SERVER, SERVER_OPTIONAL)
    rows: dict[str, dict[str, object]] = {}
    lookup: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row in sheet.rows:
        result.count("rows")
        sid = new_row_id(sheet, row, f.text(row, "name"), seen, result, column=f.col("name"),
                         blank="name is blank; row skipped")
        if sid is None:
            continue
        rows[sid] = _server(f, row, sid, ctx)
        for key in (f.text(row, "name"), f.text(row, "sys_id"), f.text(row, "fqdn")):
            if key:
                lookup.setdefault(key.lower(), sid)
        result.count("imported")
    return rows, lookup


def import_servicenow(path: Path, ctx: ImportContext) -> ImportResult:
    """Import ServiceNow ``cmdb_ci_server`` (+ ``cmdb_rel_ci``) CSV exports.

    Parameters
    ----------
    path : Path
        The ``cmdb_ci_server`` CSV, or a folder holding it and ``cmdb_rel_ci``.
    ctx : ImportContext
        Option ``rel``: the ``cmdb_rel_ci`` CSV.

    Returns
    -------
    ImportResult
        Servers, applications and dependencies.
    """
    servers_sheet, rel_sheet = _files(path, ctx.options.get("rel"))
    result = ImportResult("servicenow", str(path))
    rows, lookup = _servers(servers_sheet, ctx, result)
    apps: dict[str, str] = {}
    links: dict[str, list[str]] = {}
    deps: dict[tuple[str, str], str] = {}
    if rel_sheet is not None:
        _relations(rel_sheet, rows, lookup, apps, links, deps, result)
    for sid, app_ids in links.items():
        rows[sid]["app_ids"] = "; ".join(dict.fromkeys(app_ids))
    for r in rows.values():
        result.add("servers", r)
    for aid, name in apps.items():
        result.add("applications", {"app_id": aid, "name": name})
    for (a, b), rtype in deps.items():
        result.add("dependencies", {"from_id": a, "to_id": b, "kind": "loose",
                                    "notes": f"servicenow: {rtype}"})
    owned = ("hostname", "kind", "host_id", "vcpus", "ram_gb", "storage_gb", "os", "ip",
             "location")
    result.add("sites", site_row(server_site(ctx), "", ctx, f"{result.kind} import"))
    result.owned = {"servers": owned + (("app_ids",) if links else ()),
                    "applications": (), "dependencies": ("notes",)}
    result.notes.append("vcpus = cpu_count x cpu_core_count; ram_gb = ram (MB) / 1024; "
                        "storage_gb = disk_space (GB)")
    return result


def _relations(sheet: Sheet, rows: dict[str, dict[str, object]], lookup: dict[str, str],
               apps: dict[str, str], links: dict[str, list[str]],
               deps: dict[tuple[str, str], str], result: ImportResult) -> None:
    cols = require(sheet, **REL)

    def app(name: str) -> str:
        aid = make_id(name, "APP-")
        apps.setdefault(aid, name)
        return aid

    for row in sheet.rows:
        result.count("relations")
        parent, rtype, child = (row.get(cols[k]) for k in ("parent", "type", "child"))
        if not parent or not child or not rtype:
            result.issues.append(sheet.issue(row, "parent, type or child is blank; "
                                             "relation skipped"))
            result.count("relations_skipped")
            continue
        verb = rtype.split("::")[0].strip().lower()
        ps, cs = lookup.get(parent.lower()), lookup.get(child.lower())
        if verb in ("hosted on", "virtualized by"):
            if ps is None or cs is None:
                missing = parent if ps is None else child
                result.issues.append(sheet.issue(row, f"{missing!r} is not in cmdb_ci_server; "
                                                 "relation skipped", value=missing))
                result.count("relations_skipped")
                continue
            rows[ps]["kind"] = "virtual"
            rows[ps]["host_id"] = cs
            rows[cs]["kind"] = "host"
        elif verb in ("runs on", "depends on"):
            if ps is None and cs is not None:
                links.setdefault(cs, []).append(app(parent))
            elif ps is not None and cs is None and verb == "runs on":
                links.setdefault(ps, []).append(app(child))
            elif ps is None and cs is None and verb == "depends on":
                a, b = app(parent), app(child)
                if a != b:
                    deps.setdefault((a, b), rtype)
            else:
                result.count("relations_ignored")
        else:
            result.count("relations_ignored")
