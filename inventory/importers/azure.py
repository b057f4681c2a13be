"""Azure Migrate: agentless dependency export and the CSV server import template.

``azure-dependencies`` reads the dependency export (Time slot, Source server
name, Source IP, Source application, Source process, Destination server name,
Destination IP, Destination application, Destination process, Destination
port). Servers are matched to the target workbook's ``servers`` (by id,
hostname, short hostname or ``ip``) and mapped to applications through their
``app_ids``. A pair of applications seen talking *both ways* in more than half
of the export's time slots becomes ``together``; any other pair ``loose``.
Ports, processes and slot counts go to a ``notes`` column for review.

``azure-migrate-servers`` reads the Azure Migrate CSV import template
(``*Server name``, ``IP addresses``, ``*Cores``, ``*Memory (In MB)``,
``*OS name``, ``OS version``, ``Number of disks``, ``Disk N size (In GB)``, …).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from estate.errors import Issue
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
    workbook_servers,
)
from inventory.importers.rows import server_site, site_row

DEPENDENCY_COLUMNS = {
    "slot": ("Time slot", "Timeslot", "Time"),
    "src": ("Source server name", "Source server"),
    "dst": ("Destination server name", "Destination server"),
}
DEPENDENCY_OPTIONAL = {
    "src_ip": ("Source IP",),
    "dst_ip": ("Destination IP",),
    "src_proc": ("Source process",),
    "dst_proc": ("Destination process",),
    "port": ("Destination port",),
}


class ServerIndex:
    """Find a workbook server by name, FQDN, short name or IP address."""

    def __init__(self, servers: list[dict[str, str]]) -> None:
        self.apps: dict[str, list[str]] = {}
        self.by_key: dict[str, str] = {}
        for s in servers:
            sid = s.get("server_id", "")
            if not sid:
                continue
            self.apps[sid] = split_list(s.get("app_ids", ""))
            keys = [sid.lower(), s.get("hostname", "").lower()]
            keys += [k.split(".")[0] for k in keys if k and not _is_ip(k)]
            keys += [ip.lower() for ip in split_list(s.get("ip", ""))]
            for k in keys:
                if k:
                    self.by_key.setdefault(k, sid)

    def find(self, name: str, ip: str = "") -> str | None:
        """Server id of ``name`` (else of ``ip``), ``None`` when unknown."""
        for key in (name.lower(), make_id(name).lower(),
                    name.lower().split(".")[0] if not _is_ip(name) else "", ip.lower()):
            if key and key in self.by_key:
                return self.by_key[key]
        return None


def _is_ip(text: str) -> bool:
    return bool(re.match(r"^\d{1,3}(\.\d{1,3}){3}$", text)) or ":" in text


def import_azure_dependencies(path: Path, ctx: ImportContext) -> ImportResult:
    """Import an Azure Migrate agentless dependency export.

    Parameters
    ----------
    path : Path
        The exported CSV (or .xlsx).
    ctx : ImportContext
        ``workbook`` must hold the servers (import RVTools or a server list
        first); option ``together_share`` (default 0.5) is the share of time
        slots with traffic both ways above which a pair is ``together``.

    Returns
    -------
    ImportResult
        ``dependencies`` rows (``from_id``, ``to_id``, ``kind``, ``notes``).
    """
    sheet = read_single(path)
    cols = require(sheet, **DEPENDENCY_COLUMNS)
    opt = optional(sheet, **DEPENDENCY_OPTIONAL)
    result = ImportResult("azure-dependencies", str(path))
    index = ServerIndex(workbook_servers(ctx.workbook))
    if not index.apps:
        result.issues.append(Issue(str(path), "the target workbook has no servers; import "
                                   "RVTools or a server list first, then the dependencies"))
    share = float(ctx.options.get("together_share") or 0.5)
    slots: set[str] = set()
    unknown: dict[str, tuple[int, int]] = {}
    no_app: dict[str, int] = {}
    # (from_app, to_app) -> slot set, ports, processes
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    ports: dict[tuple[str, str], set[str]] = defaultdict(set)
    procs: dict[tuple[str, str], set[str]] = defaultdict(set)

    def get(row: Any, key: str) -> str:
        col = opt.get(key) or cols.get(key)
        return row.get(col) if col else ""

    for row in sheet.rows:
        result.count("rows")
        slot = row.get(cols["slot"])
        src_name, dst_name = row.get(cols["src"]), row.get(cols["dst"])
        if not src_name or not dst_name:
            result.issues.append(sheet.issue(row, "source or destination server name is "
                                             "blank; row skipped",
                                             column=cols["src"] if not src_name else cols["dst"]))
            result.count("skipped")
            continue
        slots.add(slot)
        ends = []
        for name, ip in ((src_name, get(row, "src_ip")), (dst_name, get(row, "dst_ip"))):
            sid = index.find(name, ip)
            if sid is None:
                first, n = unknown.get(name, (row.number, 0))
                unknown[name] = (first, n + 1)
            elif not index.apps.get(sid):
                no_app[sid] = no_app.get(sid, 0) + 1
            ends.append(sid)
        src, dst = ends
        if src is None or dst is None or not index.apps.get(src) or not index.apps.get(dst):
            result.count("unmatched")
            continue
        used = False
        for a in index.apps[src]:
            for b in index.apps[dst]:
                if a == b:
                    continue
                used = True
                seen[(a, b)].add(slot)
                if get(row, "port"):
                    ports[(a, b)].add(get(row, "port"))
                p = f"{get(row, 'src_proc') or '?'}>{get(row, 'dst_proc') or '?'}"
                if p != "?>?":
                    procs[(a, b)].add(p)
        result.count("used" if used else "same_application")
    for name, (first, n) in unknown.items():
        result.issues.append(Issue(
            sheet.file, f"server {name!r} is not in the workbook ({n} row"
            f"{'s' if n != 1 else ''} from here); its traffic is ignored", sheet=sheet.name,
            row=first, value=name))
    for sid, n in no_app.items():
        result.issues.append(Issue(str(path), f"server {sid} has no app_ids in the workbook; "
                                   f"its traffic ({n} rows) is ignored", sheet=sheet.name))
    total = max(len(slots), 1)
    done: set[frozenset[str]] = set()
    for (a, b) in sorted(seen):
        pair = frozenset((a, b))
        if pair in done:
            continue
        done.add(pair)
        fwd, back = seen.get((a, b), set()), seen.get((b, a), set())
        both = len(fwd & back)
        kind = "together" if both > share * total else "loose"
        notes = [f"azure-migrate: {both}/{total} slots both ways"]
        for x, y in ((a, b), (b, a)):
            if seen.get((x, y)):
                text = f"{x}->{y} {len(seen[(x, y)])}/{total} slots"
                if ports.get((x, y)):
                    text += " ports " + ",".join(sorted(ports[(x, y)], key=_port_key)[:10])
                if procs.get((x, y)):
                    text += " " + ",".join(sorted(procs[(x, y)])[:5])
                notes.append(text)
        result.add("dependencies", {"from_id": a, "to_id": b, "kind": kind,
                                    "notes": "; ".join(notes)})
        result.count(kind)
    result.owned = {"dependencies": ("notes",)}
    result.notes.append(f"{total} time slot(s); 'together' = traffic both ways in more than "
                        f"{share:.0%} of them; kind is set when a dependency is added and "
                        "then left to you (notes are refreshed)")
    return result


def _port_key(p: str) -> tuple[int, str]:
    return (int(p), p) if p.isdigit() else (10**9, p)


AZ_SERVER = {"name": ("Server name", "*Server name", "Server Name*")}
AZ_OPTIONAL = {
    "ip": ("IP addresses", "IP address"),
    "cores": ("Cores",),
    "memory": ("Memory (In MB)", "Memory"),
    "os": ("OS name",),
    "os_version": ("OS version",),
    "server_type": ("Server type",),
    "in_use": ("Storage in use (In GB)",),
    "disks": ("Number of disks",),
}


def import_azure_migrate_servers(path: Path, ctx: ImportContext) -> ImportResult:
    """Import the Azure Migrate CSV server import template.

    ``storage_gb`` is the sum of ``Disk N size (In GB)``, else ``Storage in use``.
    ``Server type`` ``Physical`` gives kind ``physical``; anything else ``virtual``.
    """
    sheet = read_single(path)
    cols = require(sheet, **AZ_SERVER)
    opt = optional(sheet, **AZ_OPTIONAL)
    disk_cols = [c for c in sheet.table.columns
                 if re.fullmatch(r"\*?\s*disk \d+ size \(in gb\)\s*\*?", c)]
    result = ImportResult("azure-migrate-servers", str(path))
    seen: dict[str, int] = {}
    for row in sheet.rows:
        result.count("rows")
        name = row.get(cols["name"])
        sid = new_row_id(sheet, row, name, seen, result, column=cols["name"])
        if sid is None:
            continue
        values: dict[str, float | None] = {}
        for key, col in (("cores", opt["cores"]), ("memory", opt["memory"]),
                         ("in_use", opt["in_use"])):
            values[key] = number_cell(sheet, row, col, result.issues)
        disks = [number_cell(sheet, row, c, result.issues) for c in disk_cols]
        total = sum(d for d in disks if d is not None) if any(
            d is not None for d in disks) else values["in_use"]
        stype = row.get(opt["server_type"]) if opt["server_type"] else ""
        os_name = " ".join(row.get(c) for c in (opt["os"], opt["os_version"])
                           if c and row.get(c))
        mem = values["memory"]
        result.add("servers", {
            "server_id": sid, "hostname": name, "site_id": server_site(ctx),
            "kind": "physical" if stype.lower().startswith("phys") else "virtual",
            "vcpus": tidy(values["cores"]), "ram_gb": tidy(mem / 1024 if mem else mem),
            "storage_gb": tidy(total), "os": os_name,
            "ip": "; ".join(split_list(row.get(opt["ip"]))) if opt["ip"] else "",
            "source": "azure-migrate template",
        })
        result.count("imported")
    result.add("sites", site_row(server_site(ctx), "", ctx, f"{result.kind} import"))
    result.owned = {"servers": ("hostname", "vcpus", "ram_gb", "storage_gb", "os", "ip")}
    result.notes.append("ram_gb = Memory (In MB) / 1024; storage_gb = sum of Disk N size "
                        "(In GB), else Storage in use")
    return result
