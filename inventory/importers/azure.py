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
from dataclasses import dataclass, field
from pathlib import Path

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
from inventory.importers.rows import Fields, fields, server_site, site_row
from inventory.tables import Row

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


@dataclass
class _Traffic:
    """What the export says, per pair of applications (``(from, to)``)."""

    slots: set[str] = field(default_factory=set)
    seen: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    ports: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    procs: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    unknown: dict[str, tuple[int, int]] = field(default_factory=dict)
    no_app: dict[str, int] = field(default_factory=dict)


def _ends(f: Fields, row: Row, index: ServerIndex, traffic: _Traffic) -> list[str | None]:
    """The workbook servers at both ends of one row (unknown ones are recorded)."""
    ends: list[str | None] = []
    for name, ip in ((f.text(row, "src"), f.text(row, "src_ip")),
                     (f.text(row, "dst"), f.text(row, "dst_ip"))):
        sid = index.find(name, ip)
        if sid is None:
            first, n = traffic.unknown.get(name, (row.number, 0))
            traffic.unknown[name] = (first, n + 1)
        elif not index.apps.get(sid):
            traffic.no_app[sid] = traffic.no_app.get(sid, 0) + 1
        ends.append(sid)
    return ends


def _record(f: Fields, row: Row, apps: tuple[list[str], list[str]], traffic: _Traffic) -> bool:
    """Record one row's traffic between every pair of different applications."""
    used = False
    slot, port = f.text(row, "slot"), f.text(row, "port")
    proc = f"{f.text(row, 'src_proc') or '?'}>{f.text(row, 'dst_proc') or '?'}"
    for a in apps[0]:
        for b in apps[1]:
            if a == b:
                continue
            used = True
            traffic.seen[(a, b)].add(slot)
            if port:
                traffic.ports[(a, b)].add(port)
            if proc != "?>?":
                traffic.procs[(a, b)].add(proc)
    return used


def _problems(f: Fields, traffic: _Traffic, result: ImportResult) -> None:
    for name, (first, n) in traffic.unknown.items():
        result.issues.append(Issue(
            f.sheet.file, f"server {name!r} is not in the workbook ({n} row"
            f"{'s' if n != 1 else ''} from here); its traffic is ignored", sheet=f.sheet.name,
            row=first, value=name))
    for sid, n in traffic.no_app.items():
        result.issues.append(Issue(f.sheet.file, f"server {sid} has no app_ids in the "
                                   f"workbook; its traffic ({n} rows) is ignored",
                                   sheet=f.sheet.name))


def _notes_of(pair: tuple[str, str], traffic: _Traffic, total: int) -> list[str]:
    out = []
    for x, y in (pair, pair[::-1]):
        if traffic.seen.get((x, y)):
            text = f"{x}->{y} {len(traffic.seen[(x, y)])}/{total} slots"
            if traffic.ports.get((x, y)):
                text += " ports " + ",".join(sorted(traffic.ports[(x, y)], key=_port_key)[:10])
            if traffic.procs.get((x, y)):
                text += " " + ",".join(sorted(traffic.procs[(x, y)])[:5])
            out.append(text)
    return out


def _dependencies(traffic: _Traffic, share: float, result: ImportResult) -> None:
    """Policy: both ways in more than ``share`` of the slots -> together, else loose."""
    total = max(len(traffic.slots), 1)
    done: set[frozenset[str]] = set()
    for (a, b) in sorted(traffic.seen):
        if frozenset((a, b)) in done:
            continue
        done.add(frozenset((a, b)))
        both = len(traffic.seen.get((a, b), set()) & traffic.seen.get((b, a), set()))
        kind = "together" if both > share * total else "loose"
        notes = [f"azure-migrate: {both}/{total} slots both ways",
                 *_notes_of((a, b), traffic, total)]
        result.add("dependencies", {"from_id": a, "to_id": b, "kind": kind,
                                    "notes": "; ".join(notes)})
        result.count(kind)
    result.notes.append(f"{total} time slot(s); 'together' = traffic both ways in more than "
                        f"{share:.0%} of them; kind is set when a dependency is added and "
                        "then left to you (notes are refreshed)")


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
    result = ImportResult("azure-dependencies", str(path))
    f = fields(read_single(path), result.issues, DEPENDENCY_COLUMNS, DEPENDENCY_OPTIONAL)
    index = ServerIndex(workbook_servers(ctx.workbook))
    if not index.apps:
        result.issues.append(Issue(str(path), "the target workbook has no servers; import "
                                   "RVTools or a server list first, then the dependencies"))
    traffic = _Traffic()
    for row in f.sheet.rows:
        result.count("rows")
        if not f.text(row, "src") or not f.text(row, "dst"):
            result.issues.append(f.issue(row, "source or destination server name is blank; "
                                         "row skipped", "src" if not f.text(row, "src")
                                         else "dst"))
            result.count("skipped")
            continue
        traffic.slots.add(f.text(row, "slot"))
        src, dst = _ends(f, row, index, traffic)
        if src is None or dst is None or not index.apps.get(src) or not index.apps.get(dst):
            result.count("unmatched")
            continue
        used = _record(f, row, (index.apps[src], index.apps[dst]), traffic)
        result.count("used" if used else "same_application")
    _problems(f, traffic, result)
    _dependencies(traffic, float(ctx.options.get("together_share") or 0.5), result)
    result.owned = {"dependencies": ("notes",)}
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
