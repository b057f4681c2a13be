"""``estate import rvtools --propose-actuals``: what a later export says happened.

Compared with the workbook as it is, a later RVTools export shows virtual
machines that are gone (switched off: a ``server`` actual) and new virtual
machines at a cloud site (for example an Azure VMware Solution vCenter
imported with ``--site-kind cloud``): their applications went live there (an
``application`` actual, ``rehost``). Each becomes a row of the ``actuals``
sheet marked ``proposed``, for a person to confirm (change the status to
``confirmed``) or delete. Rows already in the sheet (proposed or confirmed)
are left as they are.
"""

from __future__ import annotations

from typing import Any

from estate.model import Estate
from inventory.cells import split_list
from inventory.importers.common import ImportResult


def propose_actuals(existing: Estate, result: ImportResult, month: str) -> ImportResult:
    """The ``actuals`` rows a later export proposes (see the module).

    Parameters
    ----------
    existing
        The workbook before the import.
    result
        What the RVTools importer read from the later export.
    month
        The month the export was taken (the proposals' month).
    """
    out = ImportResult("propose-actuals", result.source)
    sites = {s.site_id: s.kind for s in existing.sites}
    for r in result.rows.get("sites", []):
        sites.setdefault(str(r.get("site_id")), str(r.get("kind") or "on_prem"))
    exported = {str(r.get("server_id")): r for r in result.rows.get("servers", [])}
    export_sites = {str(r.get("site_id")) for r in exported.values()}
    recorded = {(a.kind, a.item_id) for a in existing.actuals}
    note = f"proposed by estate import rvtools {result.source}"
    gone = [s for s in existing.servers
            if s.kind == "virtual" and s.server_id not in exported
            and s.site_id in export_sites and sites.get(s.site_id) != "cloud"
            and ("server", s.server_id) not in recorded]
    for s in gone:
        out.add("actuals", {"kind": "server", "id": s.server_id, "month": month,
                            "status": "proposed", "note": note + ": gone from the export"})
    out.counts["servers gone"] = len(gone)
    apps = existing.app_by_id
    options = existing.options_by_app
    proposed: dict[str, str] = {}
    skipped = []
    for sid, r in exported.items():
        site = str(r.get("site_id"))
        if sid in existing.server_by_id or sites.get(site) != "cloud":
            continue
        for app_id in split_list(str(r.get("app_ids") or "")):
            if app_id not in apps or ("application", app_id) in recorded or app_id in proposed:
                continue
            own = options.get(app_id, ())
            if own and not any(o.strategy == "rehost" and o.target_site == site for o in own):
                skipped.append(app_id)
                continue
            proposed[app_id] = site
    for app_id, site in proposed.items():
        row: dict[str, Any] = {"kind": "application", "id": app_id, "month": month,
                               "strategy": "rehost", "target_site": site,
                               "status": "proposed", "note": note + f": new VMs at {site}"}
        out.add("actuals", row)
    out.counts["applications live at a cloud site"] = len(proposed)
    if skipped:
        out.notes.append(f"new VMs at a cloud site for {len(skipped)} application(s) without "
                         f"a rehost option there ({', '.join(skipped[:5])}): not proposed; "
                         "add the option or record the actual by hand")
    out.owned["actuals"] = ()  # a row already there is never changed
    return out
