"""AWS: Application Discovery Service import template and Cloud Migration Factory.

``aws-discovery`` reads the Migration Hub / ADS import template (ExternalId,
HostName, VMware.VMName, CPU.NumberOfCores, RAM.TotalSizeInMB, OS.Name,
OS.Version, IPAddress, Applications, ApplicationWave, …) into servers and,
when ``Applications`` is filled, applications.

``aws-cmf`` reads a Cloud Migration Factory intake form (server-list CSV or
.xlsx: wave_name, app_name, server_name, server_os_family,
server_os_version, server_fqdn, r_type, …) into servers and applications.
The wave and ``r_type`` are *hints*, not decisions: they go to the
applications' ``wave``, ``strategy_hint`` and ``notes`` columns, never to
``options`` rows (an option needs a target site and a duration the form does
not give). Copy a hint into ``options`` when you agree with it.
"""

from __future__ import annotations

from pathlib import Path

from estate.model import STRATEGIES
from inventory.importers.common import (
    ImportContext,
    ImportResult,
    make_id,
    new_row_id,
    number_cell,
    optional,
    read_single,
    require,
    split_list,
    tidy,
)
from inventory.importers.rows import server_site, site_row

ADS_OPTIONAL = {
    "external_id": ("ExternalId",),
    "hostname": ("HostName",),
    "vm_name": ("VMware.VMName",),
    "moref": ("VMware.MoRefId",),
    "cores": ("CPU.NumberOfCores",),
    "logical": ("CPU.NumberOfLogicalCores",),
    "ram": ("RAM.TotalSizeInMB",),
    "os": ("OS.Name",),
    "os_version": ("OS.Version",),
    "ip": ("IPAddress",),
    "apps": ("Applications",),
    "wave": ("ApplicationWave",),
}
CMF = {"server": ("server_name",)}
CMF_OPTIONAL = {
    "app": ("app_name",),
    "wave": ("wave_name", "wave_id"),
    "family": ("server_os_family",),
    "version": ("server_os_version",),
    "fqdn": ("server_fqdn",),
    "r_type": ("r_type",),
    "tier": ("server_tier",),
    "environment": ("server_environment",),
    "region": ("aws_region",),
    "instance": ("instanceType", "instance_type"),
}


def import_aws_discovery(path: Path, ctx: ImportContext) -> ImportResult:
    """Import the AWS Application Discovery Service import template (CSV).

    The server id comes from HostName, else VMware.VMName, else ExternalId;
    kind is ``virtual`` when a VMware MoRef id is given, else ``physical``.
    """
    sheet = read_single(path)
    opt = optional(sheet, **ADS_OPTIONAL)
    if not any(opt[k] for k in ("external_id", "hostname", "vm_name")):
        require(sheet, name=("HostName", "VMware.VMName", "ExternalId"))
    result = ImportResult("aws-discovery", str(path))
    seen: dict[str, int] = {}
    apps: dict[str, str] = {}

    def get(row: object, key: str) -> str:
        c = opt[key]
        return row.get(c) if c else ""  # type: ignore[attr-defined]

    for row in sheet.rows:
        result.count("rows")
        name = get(row, "hostname") or get(row, "vm_name") or get(row, "external_id")
        sid = new_row_id(sheet, row, name, seen, result,
                         blank="no HostName, VMware.VMName or ExternalId; row skipped")
        if sid is None:
            continue
        cores = number_cell(sheet, row, opt["cores"], result.issues)
        if cores is None:
            cores = number_cell(sheet, row, opt["logical"], result.issues)
        ram = number_cell(sheet, row, opt["ram"], result.issues, scale=1024)
        app_ids = []
        for a in split_list(get(row, "apps")):
            aid = make_id(a, "APP-")
            apps.setdefault(aid, a)
            app_ids.append(aid)
        result.add("servers", {
            "server_id": sid, "hostname": get(row, "hostname") or name,
            "site_id": server_site(ctx), "kind": "virtual" if get(row, "moref") else "physical",
            "vcpus": tidy(cores), "ram_gb": tidy(ram),
            "os": " ".join(x for x in (get(row, "os"), get(row, "os_version")) if x),
            "ip": get(row, "ip"), "app_ids": "; ".join(app_ids),
            "source": "aws-discovery template",
        })
        result.count("imported")
    for aid, name in apps.items():
        result.add("applications", {"app_id": aid, "name": name})
    result.add("sites", site_row(server_site(ctx), "", ctx, f"{result.kind} import"))
    result.owned = {"servers": ("hostname", "vcpus", "ram_gb", "os", "ip")
                    + (("app_ids",) if apps else ()), "applications": ()}
    result.notes.append("vcpus = CPU.NumberOfCores (else logical cores); ram_gb = "
                        "RAM.TotalSizeInMB / 1024")
    return result


def _cmf_application(aid: str, name: str, hints: dict[str, list[str]]) -> dict[str, str]:
    """Policy: an application row with the intake form's hints (never a decision)."""
    r_types = [r.lower() for r in hints.get("r_type", [])]
    hint = r_types[0] if len(set(r_types)) == 1 and r_types[0] in STRATEGIES else ""
    notes = "; ".join(f"{k}={'/'.join(v)}" for k, v in hints.items())
    return {"app_id": aid, "name": name, "wave": "/".join(hints.get("wave", [])),
            "strategy_hint": hint, "notes": f"aws-cmf: {notes}"}


def import_aws_cmf(path: Path, ctx: ImportContext) -> ImportResult:
    """Import a Cloud Migration Factory intake form (CSV or .xlsx).

    Returns
    -------
    ImportResult
        Servers (kind ``virtual``; ``os`` = family + version) and applications
        with ``wave``, ``strategy_hint`` (r_type when it names a strategy) and
        ``notes`` (wave, r_type, region, environment, instance type).
    """
    sheet = read_single(path)
    cols = require(sheet, **CMF)
    opt = optional(sheet, **CMF_OPTIONAL)
    result = ImportResult("aws-cmf", str(path))
    seen: dict[str, int] = {}
    apps: dict[str, dict[str, list[str]]] = {}
    app_names: dict[str, str] = {}

    def get(row: object, key: str) -> str:
        c = opt[key]
        return row.get(c) if c else ""  # type: ignore[attr-defined]

    for row in sheet.rows:
        result.count("rows")
        name = row.get(cols["server"])
        sid = new_row_id(sheet, row, name, seen, result, column=cols["server"],
                         blank="server_name is blank; row skipped")
        if sid is None:
            continue
        app_name = get(row, "app")
        aid = make_id(app_name, "APP-") if app_name else ""
        if aid:
            app_names.setdefault(aid, app_name)
            hints = apps.setdefault(aid, {})
            for key in ("wave", "r_type", "region", "environment", "instance"):
                v = get(row, key)
                if v and v not in hints.setdefault(key, []):
                    hints[key].append(v)
        else:
            result.issues.append(sheet.issue(row, "app_name is blank; server imported with no "
                                             "application", column=opt["app"] or ""))
        result.add("servers", {
            "server_id": sid, "hostname": get(row, "fqdn") or name, "site_id": server_site(ctx),
            "kind": "virtual",
            "os": " ".join(x for x in (get(row, "family"), get(row, "version")) if x),
            "app_ids": aid, "tier": get(row, "tier"), "environment": get(row, "environment"),
            "source": "aws-cmf intake",
        })
        result.count("imported")
    for aid, hints in apps.items():
        result.add("applications", _cmf_application(aid, app_names[aid], hints))
    result.add("sites", site_row(server_site(ctx), "", ctx, f"{result.kind} import"))
    result.owned = {"servers": ("hostname", "os", "app_ids", "tier", "environment"),
                    "applications": ("wave", "strategy_hint", "notes")}
    return result
