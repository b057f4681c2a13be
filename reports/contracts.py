"""Procurement workbook ``contracts.xlsx``: renewals and a notice calendar.

*Renewals* has one row per contract, sorted by notice date (contracts with no
notice to give last), with the register's department, CPV code and total
contract value; rows an import estimated (hypervisor subscriptions) say so.
*Notice by* is the **first day** of the plan's
``notice_by`` month: the spec says notice must be given *by* that month, and
the first day is the safe reading for procurement. Notices due within the first
six months of the horizon are highlighted and flagged; a notice date already
past (before today) says ``overdue``.

*Calendar* has one row per month of the horizon: notices that fall due, current
terms that roll into a renewal, and contracts whose last paid month it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl.styles import Font

from estate.contracts import ends_with, renewal_month, rule_words, unit_saving, units_text
from estate.model import Contract, Estate
from estate.months import overdue
from estate.plan import Plan
from reports.facts import Facts
from reports.xlsx import (
    ATTENTION_FILL,
    DATE,
    MONEY,
    MONTH,
    NUMBER,
    Column,
    month_date,
    new_workbook,
    save,
    write_table,
)

#: Notices due in months 0 … SOON_MONTHS-1 of the horizon are highlighted.
SOON_MONTHS = 6
MAX_WHY_ITEMS = 4

RENEWAL_COLUMNS = (
    Column("Contract"), Column("Supplier"), Column("Title", width=60), Column("Category"),
    Column("Annual value", MONEY), Column("Current end", DATE), Column("Decision", width=26),
    Column("Ends with", width=40), Column("Renewals", NUMBER), Column("Paid until", MONTH),
    Column("Notice by", DATE),
    Column("Notice within 6 months", width=12), Column("Why", width=70),
    Column("Spend in horizon", MONEY), Column("Baseline spend", MONEY),
    Column("Saving vs baseline", MONEY), Column("Unit", width=8),
    Column("Price per unit", MONEY), Column("Units at each renewal", width=60),
    Column("Saving from hardware switched off", MONEY), Column("Department", width=22),
    Column("CPV code", width=14), Column("Total contract value", MONEY),
    Column("Source", width=30),
)


def decision_text(facts: Facts, c: Contract) -> str:
    """``end``, ``renew ×k then end``, ``keep`` or ``runs on: covers nothing``."""
    cp = facts.contract_plan.get(c.contract_id)
    if cp is None:
        return "no plan"
    if cp.decision == "keep":
        if ends_with(c) == "never":
            return "runs on: ends with never (enterprise-wide)"
        return "runs on: covers nothing" if not c.covers else "keep"
    return "end" if cp.renewals == 0 else f"renew ×{cp.renewals} then end"


def _describe(facts: Facts, item: str, rule: str = "move") -> tuple[int, str]:
    """(release month, words) of one covered id in the plan, for a contract
    that ends with ``rule``."""
    est = facts.estate
    t = facts.release(item, rule)
    if t is None:
        return (-10**6, f"{item} (unknown id)")
    when = facts.label(t)
    if item in est.app_by_id:
        app = est.app_by_id[item]
        ap = facts.app_plan.get(item)
        name = f"{item} {app.name}"
        if ap is None or ap.start is None:
            return (t, f"{name} retained to the end of the plan")
        if ap.strategy == "retire":
            return (t, f"{name} retired from {when}")
        if ap.strategy == "repurchase" and not ap.target_site:
            return (t, f"{name} replaced by SaaS from {when}")
        where = "in the cloud" if facts.is_cloud(ap.target_site) else f"at {ap.target_site}"
        if rule == "retire" and ap.strategy != "repurchase":
            moved = facts.label(facts.schedule.apps[item].L)
            return (t, f"{name} live {where} from {moved}: its software runs on")
        return (t, f"{name} live {where} from {when}")
    if item in facts.decom:
        srv = est.server_by_id.get(item)
        host = f" ({srv.hostname})" if srv is not None and srv.hostname else ""
        if t <= 0:
            return (t, f"{item}{host} serves nothing (zombie)")
        if t >= facts.H:
            return (t, f"{item}{host} runs to the end of the plan")
        return (t, f"{item}{host} decommissioned {when}")
    if not facts.holds_anything(item):
        return (t, f"{item} holds nothing today")
    if t >= facts.H:
        return (t, f"{item} stays open to the end of the plan")
    return (t, f"{item} exits {when}")


def why_text(facts: Facts, c: Contract) -> str:
    """Which applications, servers or sites still need ``c`` and until when."""
    if ends_with(c) == "never":
        return "ends with never: runs on to the end of the plan whatever moves"
    if not c.covers:
        return "covers nothing in the inventory: runs to the end of the plan"
    rule = ends_with(c)
    items = sorted((_describe(facts, i, rule) for i in c.covers), key=lambda p: (-p[0], p[1]))
    words = [w for _, w in items[:MAX_WHY_ITEMS]]
    if len(items) > MAX_WHY_ITEMS:
        words.append(f"+{len(items) - MAX_WHY_ITEMS} more")
    return "; ".join(words)


def renewal_rows(facts: Facts) -> list[dict[str, Any]]:
    """One dict per contract with every Renewals column (typed), sorted by notice."""
    rows = []
    for c in facts.estate.contracts:
        cp = facts.contract_plan.get(c.contract_id)
        notice = month_date(cp.notice_by) if cp is not None else None
        soon = cp is not None and cp.notice_by is not None and \
            facts.idx(cp.notice_by) < SOON_MONTHS
        plan_spend = facts.spend(c)
        base_spend = facts.spend(c, baseline=True)
        rows.append({
            "contract": c.contract_id, "supplier": c.supplier, "title": c.title,
            "category": c.category, "annual": c.annual_value,
            "current_end": dt.date.fromisoformat(c.end_date),
            "decision": decision_text(facts, c), "rule": rule_words(c),
            "renewals": cp.renewals if cp is not None else None,
            "paid_until": month_date(cp.end) if cp is not None else None,
            "notice_by": notice,
            "soon": ("overdue" if cp is not None and overdue(cp.notice_by)
                     else "yes" if soon else ""),
            "why": why_text(facts, c), "spend": plan_spend, "baseline": base_spend,
            "saving": round(base_spend - plan_spend, 2) + 0.0, "unit": c.unit or "",
            "unit_price": c.unit_price, "units": units_text(c, facts.terms(c), facts.label,
                                                            facts.H),
            "unit_saving": round(unit_saving(facts.terms(c), facts.terms(c, baseline=True),
                                             facts.H), 2) + 0.0 if c.unit else None,
            "department": c.department,
            "cpv": c.cpv_code, "total_value": c.total_value,
            "source": "estimated by an import: replace with the real contract" if c.estimated
            else "contract register",
        })
    far = dt.date(9999, 12, 31)
    rows.sort(key=lambda r: (r["notice_by"] or far, r["contract"]))
    return rows


def _renewals_sheet(wb: Any, facts: Facts) -> None:
    rows = renewal_rows(facts)
    ws = wb.create_sheet("Renewals")
    write_table(ws, RENEWAL_COLUMNS, [list(r.values()) for r in rows],
                [ATTENTION_FILL if r["soon"] else None for r in rows])
    n = len(rows) + 2
    ws.cell(row=n + 1, column=1, value="Totals").font = Font(bold=True)
    keys = list(rows[0]) if rows else []
    for key in ("annual", "spend", "baseline", "saving", "unit_saving"):
        if key in keys:
            cell = ws.cell(row=n + 1, column=keys.index(key) + 1,
                           value=sum(r[key] or 0.0 for r in rows))
            cell.number_format = MONEY
    ws.cell(row=n + 2, column=1, value=(
        "Notice by = first day of the month by which notice must be given. Spend = "
        "annual value / 12 for each paid month of the horizon, uplift included; baseline = "
        "every application retained. Ends with: retire = needed until what it covers is "
        "retired or replaced (a rehosted application's licence runs on); move = until it has "
        "left where it runs today; never = runs on to the end of the plan. A per-unit "
        "contract's renewal is priced at max(min_units, units still in service at its first "
        "month) × price per unit; the current term keeps the annual value."))


def calendar_rows(facts: Facts) -> list[list[Any]]:
    """One row per horizon month: notices due, renewals starting, contracts ending."""
    notices: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    renews: dict[int, list[str]] = {}
    ending_value: dict[int, float] = {}
    for c in facts.estate.contracts:
        cp = facts.contract_plan.get(c.contract_id)
        if cp is None:
            continue
        tag = f"{c.contract_id} {c.supplier}".strip()
        if cp.notice_by is not None:
            notices.setdefault(facts.idx(cp.notice_by), []).append(tag)
        last = facts.idx(cp.end)
        if cp.decision == "end":
            ends.setdefault(last, []).append(tag)
            ending_value[last] = ending_value.get(last, 0.0) + facts.value_at(c, last)
        ct = facts.terms(c)
        for j in range(1, ct.k + 1):  # the term before renewal j ends the month before it
            renews.setdefault(renewal_month(ct.m, ct.T, j) - 1, []).append(
                f"{tag} (renewal {j})")
    out = []
    for t in range(facts.H):
        out.append([
            month_date(facts.label(t)), len(notices.get(t, [])), "; ".join(notices.get(t, [])),
            len(renews.get(t, [])), "; ".join(renews.get(t, [])),
            len(ends.get(t, [])), "; ".join(ends.get(t, [])), ending_value.get(t, 0.0),
        ])
    return out


CALENDAR_COLUMNS = (
    Column("Month", MONTH), Column("Notices due", NUMBER),
    Column("Give notice on", width=60), Column("Terms renewing", NUMBER),
    Column("Renewing (term ends, next starts)", width=50), Column("Contracts ending", NUMBER),
    Column("Last paid month of", width=50), Column("Annual value ending", MONEY),
)


def write_contracts(estate: Estate, plan: Plan, path: str | Path) -> Path:
    """Write the procurement workbook.

    Parameters
    ----------
    estate
        The resolved estate the plan was made for.
    plan
        The plan (``plan.json`` content).
    path
        Where to write ``contracts.xlsx``.

    Returns
    -------
    Path
        The file written.
    """
    facts = Facts(estate, plan)
    wb = new_workbook()
    _renewals_sheet(wb, facts)
    ws = wb.create_sheet("Calendar")
    rows = calendar_rows(facts)
    write_table(ws, CALENDAR_COLUMNS, rows,
                [ATTENTION_FILL if r[1] else None for r in rows])
    return save(wb, path)
