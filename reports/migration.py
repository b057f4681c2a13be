"""Architects' workbook ``migration-plan.xlsx``.

Sheets: *Applications* (one row per application: what, where, when, effort,
costs, move group and dependencies), *Months* (in flight, going live, team load
against capacity, critical applications in flight), *Servers* (zombies first),
*Sites* (exit against ``exit_by``) and *Cost of staying* (what running the
estate as it is costs a year, by category, for the estate, each site and each
application, read from ``assumptions.cost_of_staying``) and *Exceptions* (every
application kept outside the cloud although the council is cloud first, with
the real reason and, where costed, what its cheapest cloud move would cost).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from estate.clusters import clustered_hosts, refresh
from estate.derive import team_capacity
from estate.limits import month_use
from estate.model import Estate
from estate.plan import Plan
from reports import board
from reports.facts import Facts
from reports.xlsx import (
    BAD_FILL,
    MONEY,
    MONTH,
    NOTE_FILL,
    NUMBER,
    NUMBER_1,
    Column,
    month_date,
    new_workbook,
    save,
    write_table,
)


def teams(estate: Estate) -> list[tuple[str, float]]:
    """(team id, days a month) of every team; team ``migration`` when none is listed."""
    return list(team_capacity(estate).items())


def application_rows(facts: Facts, team_ids: list[str]) -> list[list[Any]]:
    """Typed values of the Applications sheet, in workbook order."""
    rows = []
    for app in facts.estate.applications:
        ap = facts.app_plan.get(app.app_id)
        opt = facts.option.get(app.app_id)
        moving = facts.moves(app.app_id)
        d = opt.duration_months if moving and opt is not None else None
        if ap is None:
            after = None
        elif not moving:
            after = app.current_monthly_cost
        else:
            after = opt.monthly_cost if opt is not None else None
        effort = [opt.effort.get(t, 0.0) if moving and opt is not None else None
                  for t in team_ids]
        rows.append([
            app.app_id, app.name, app.service, app.criticality,
            "yes" if app.resident_facing else "no",
            ap.strategy if ap is not None else None,
            (ap.target_site or "") if ap is not None else None,
            month_date(ap.start) if ap is not None else None,
            month_date(ap.live_from) if ap is not None else None,
            d, *effort,
            (opt.one_off_cost if moving and opt is not None else 0.0) if ap else None,
            app.current_monthly_cost, after,
            facts.together_group.get(app.app_id, ""),
            "; ".join(sorted(facts.depends_on.get(app.app_id, []))),
            "; ".join(sorted(facts.needed_by.get(app.app_id, []))),
        ])
    return rows


def _application_columns(team_ids: list[str]) -> list[Column]:
    return [
        Column("Application"), Column("Name", width=30), Column("Service", width=24),
        Column("Criticality"), Column("Resident facing"), Column("Strategy"),
        Column("Target"), Column("Start", MONTH), Column("Live from", MONTH),
        Column("Months in flight", NUMBER),
        *[Column(f"Effort {t} (days/month)", NUMBER_1) for t in team_ids],
        Column("One-off cost", MONEY), Column("Monthly cost before", MONEY),
        Column("Monthly cost after", MONEY), Column("Move group (together)"),
        Column("Depends on (before)", width=24), Column("Needed by (before)", width=24),
    ]


def month_rows(facts: Facts, team_list: list[tuple[str, float]]) -> list[list[Any]]:
    """Typed values of the Months sheet, one row per horizon month."""
    H = facts.H
    moves = []
    for app in facts.estate.applications:
        s = facts.start_idx.get(app.app_id)
        opt = facts.option.get(app.app_id)
        if s is not None and opt is not None:
            moves.append((app.app_id, opt, s))
    use = month_use(facts.estate, moves)  # the planner's own loads
    flight = [use.flight.get(t, []) for t in range(H)]
    golive = [use.golives.get(t, []) for t in range(H)]
    critical = [use.critical.get(t, []) for t in range(H)]
    load = {team: [use.days.get((team, t), 0.0) for t in range(H)] for team, _ in team_list}
    spend = [use.one_off.get(t, 0.0) for t in range(H)]
    rows = []
    for t in range(H):
        team_cells: list[Any] = []
        for team, cap in team_list:
            team_cells += [load[team][t], cap]
        rows.append([
            month_date(facts.label(t)), len(flight[t]), "; ".join(flight[t]),
            len(golive[t]), "; ".join(golive[t]), *team_cells,
            len(critical[t]), "; ".join(critical[t]), spend[t],
        ])
    return rows


def _month_columns(team_list: list[tuple[str, float]]) -> list[Column]:
    team_cols = []
    for team, _ in team_list:
        team_cols += [Column(f"{team} load (days)", NUMBER_1),
                      Column(f"{team} capacity (days)", NUMBER_1)]
    return [
        Column("Month", MONTH), Column("In flight", NUMBER),
        Column("Applications in flight", width=50), Column("Going live", NUMBER),
        Column("Applications going live", width=40), *team_cols,
        Column("Critical in flight", NUMBER), Column("Critical applications", width=24),
        Column("One-off spend", MONEY),
    ]


SERVER_COLUMNS = (
    Column("Server"), Column("Hostname"), Column("Site"), Column("Kind"), Column("Zombie"),
    Column("Decommissioned", MONTH), Column("Replaced", MONTH), Column("Replacement"),
    Column("Watts", NUMBER), Column("End of life", MONTH), Column("OS"),
    Column("OS end of support", MONTH), Column("Applications", width=30),
)


def server_rows(facts: Facts) -> list[list[Any]]:
    """Typed values of the Servers sheet: zombies first, then by decommission month."""
    plans = {s.server_id: s for s in facts.plan.servers}
    pooled = clustered_hosts(facts.estate)
    rows = []
    for s in facts.estate.servers:
        sp = plans.get(s.server_id)
        zombie = sp.zombie if sp is not None else not s.app_ids
        what = ("replaced" if sp.replaced else "not replaced") if sp else None
        if sp is not None and s.server_id in pooled and not sp.replaced:
            r = refresh(facts.estate, s, facts.decom.get(s.server_id, 0))
            if r.kind == "extend":
                what = (f"support extended from {facts.label(r.month or 0)} "
                        f"({len(r.payments)} year{'s' * (len(r.payments) != 1)})")
        if s.server_id in pooled and what is not None:
            what += f"; cluster {s.cluster}"
        rows.append([
            s.server_id, s.hostname, s.site_id, s.kind, "yes" if zombie else "no",
            month_date(sp.decommissioned) if sp else None,
            month_date(sp.replaced) if sp else None, what,
            s.watts, month_date(s.end_of_life), s.os, month_date(s.os_end_of_support),
            "; ".join(s.app_ids),
        ])
    rows.sort(key=lambda r: (r[4] != "yes", r[5] or month_date("9999-12"), r[0]))
    return rows


SITE_COLUMNS = (
    Column("Site"), Column("Name", width=26), Column("Kind"), Column("Exit", MONTH),
    Column("Exit by", MONTH), Column("Exit by met"), Column("Monthly fixed cost", MONEY),
    Column("Servers today", NUMBER),
)


def site_rows(facts: Facts) -> list[list[Any]]:
    """Typed values of the Sites sheet."""
    count: dict[str, int] = {}
    for s in facts.estate.servers:
        count[s.site_id] = count.get(s.site_id, 0) + 1
    rows = []
    for site in facts.estate.sites:
        ex = facts.exit_of(site.site_id)  # None: holds nothing today, nothing to exit
        if site.exit_by is None or ex is None:
            met = ""
        else:
            met = "met" if ex <= facts.idx(site.exit_by) else "missed"
        rows.append([
            site.site_id, site.name, site.kind,
            month_date(facts.label(ex)) if ex is not None else None,
            month_date(site.exit_by), met, site.monthly_fixed_cost,
            count.get(site.site_id, 0),
        ])
    return rows


STAYING_CATEGORIES = ("hardware_refresh", "hypervisor_licences", "labour", "os_licences",
                      "extended_support", "sql_licences", "sql_extended_support", "tools",
                      "storage", "backup", "network", "facilities", "energy")
STAYING_LABELS = {
    "hardware_refresh": "Hardware refresh", "hypervisor_licences": "Hypervisor licences",
    "labour": "Operations labour", "os_licences": "OS licences",
    "extended_support": "Extended security updates", "storage": "Storage",
    "sql_licences": "SQL Server licences", "sql_extended_support": "SQL Server ESU",
    "tools": "Security, monitoring, patching",
    "backup": "Backup", "network": "Network share", "facilities": "Facilities",
    "energy": "Energy",
}


def staying_columns() -> list[Column]:
    """Columns of the Cost of staying sheet."""
    return [Column("Level"), Column("Id"), Column("Name", width=30), Column("Site"),
            *[Column(f"{STAYING_LABELS[c]} (£/year)", MONEY) for c in STAYING_CATEGORIES],
            Column("Total (£/year)", MONEY), Column("Basis", width=44)]


def staying_rows(estate: Estate) -> list[list[Any]]:
    """Typed values of the Cost of staying sheet: the estate, its sites, its
    applications (every figure from ``assumptions.cost_of_staying``)."""
    b = estate.assumptions.get("cost_of_staying")
    if not b:
        return []
    cats = STAYING_CATEGORIES
    per = b["per_year"]
    rows: list[list[Any]] = [[
        "Estate", "", f"{b['servers']} servers (VMs and physical) in service", "",
        *[per.get(c) for c in cats], b["total_per_year"],
        "incl. other contracts for servers and sites and given application costs; "
        f"£{b['per_server_year'] or 0:,.0f} a server a year"
        + (f"; not counted: enterprise-wide and application contracts "
           f"{', '.join(b['apart']['ids'])} (£{b['apart']['contracts']:,.0f} a year)"
           if b.get("apart", {}).get("ids") else "")]]
    for site_id, c in b["sites"].items():
        site = estate.site_by_id.get(site_id)
        rows.append(["Site", site_id, site.name if site else "", site_id,
                     *[c.get(k) for k in cats], c["total"],
                     f"IT load {c['it_load_kw']:,.1f} kW; facilities "
                     + ("estimated from it" if c["facilities_estimated"] else "given")])
    for app in estate.applications:
        servers = estate.servers_by_app.get(app.app_id, ())
        where = servers[0].site_id if servers else ""
        if app.app_id in b["applications"]:
            c = b["applications"][app.app_id]
            rows.append(["Application", app.app_id, app.name, where,
                         *[c.get(k) for k in cats], c["total"],
                         "estimated from its servers (reference data)"])
        elif app.app_id in b["given"]:
            rows.append(["Application", app.app_id, app.name, where, *[None] * len(cats),
                         b["given"][app.app_id], "current_monthly_cost given in the workbook"])
    return rows


EXCEPTION_COLUMNS = [
    Column("Application"), Column("Name"), Column("Service"), Column("Plan"),
    Column("Reason"), Column("Why not cloud"), Column("Cloud option costed"),
    Column("Starting", MONTH), Column("Start months tried", NUMBER),
    Column("Extra cost, discounted (£)", MONEY), Column("Extra t CO2e", NUMBER_1),
]


def exception_rows(facts: Facts) -> list[list[Any]]:
    """One row per cloud-first exception (:func:`reports.board.exceptions`),
    dearest cloud move first, then the others by service and id."""
    rows = board.exceptions(facts)
    rows.sort(key=lambda r: (r["extra"] is None, -(r["extra"] or 0.0)))
    out = []
    for r in rows:
        alt = facts.alternative.get(r["app_id"]) if r["costed"] else None
        out.append([r["app_id"], r["name"], r["service"], r["chosen"],
                    r["kind"].replace(" (costed)", ""), r["reason"],
                    None if alt is None else board.move_words(alt.strategy, alt.target_site),
                    None if alt is None else month_date(alt.start),
                    None if alt is None else alt.months_tried, r["extra"], r["tonnes"]])
    return out


def write_migration(estate: Estate, plan: Plan, path: str | Path) -> Path:
    """Write the architects' workbook.

    Parameters
    ----------
    estate
        The resolved estate the plan was made for.
    plan
        The plan.
    path
        Where to write ``migration-plan.xlsx``.

    Returns
    -------
    Path
        The file written.
    """
    facts = Facts(estate, plan)
    team_list = teams(estate)
    team_ids = [t for t, _ in team_list]
    wb = new_workbook()
    ws = wb.create_sheet("Applications")
    rows = application_rows(facts, team_ids)
    write_table(ws, _application_columns(team_ids), rows,
                [NOTE_FILL if r[3] == "critical" else None for r in rows])
    ws = wb.create_sheet("Months")
    rows = month_rows(facts, team_list)
    over = []
    for r in rows:
        cells = r[5:5 + 2 * len(team_list)]
        over.append(any(cells[i] > cells[i + 1] + 1e-9 for i in range(0, len(cells), 2)))
    write_table(ws, _month_columns(team_list), rows,
                [BAD_FILL if o else None for o in over])
    ws = wb.create_sheet("Servers")
    rows = server_rows(facts)
    write_table(ws, SERVER_COLUMNS, rows,
                [NOTE_FILL if r[4] == "yes" else None for r in rows])
    ws = wb.create_sheet("Sites")
    rows = site_rows(facts)
    write_table(ws, SITE_COLUMNS, rows,
                [BAD_FILL if r[5] == "missed" else
                 (NOTE_FILL if r[5] == "met" else None) for r in rows])
    ws = wb.create_sheet("Exceptions")
    write_table(ws, EXCEPTION_COLUMNS, exception_rows(facts))
    rows = staying_rows(estate)
    if rows:
        ws = wb.create_sheet("Cost of staying")
        write_table(ws, staying_columns(), rows,
                    [NOTE_FILL if r[0] != "Application" else None for r in rows])
    return save(wb, path)
