"""The figures of the board roadmap, computed from (estate, plan) without plotting.

Every function returns plain data (dicts and lists) that the template and the
figures render; tests compare them with ``plan.json``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from estate.derive import cloud_options
from estate.model import Application
from estate.months import financial_year
from estate.plan import Alternative, Ledger, Totals
from reports.facts import Facts
from reports.xlsx import month_date

RESIDENT_NOTICE_WEEKS = 8


def _fy_sums(facts: Facts, ledger: Ledger | None) -> dict[str, tuple[float, float]]:
    """Cost £ and kgCO2e of each financial year of a ledger."""
    out: dict[str, tuple[float, float]] = {}
    if ledger is None:
        return out
    for t in range(facts.H):
        fy = financial_year(facts.start, t)
        c, k = out.get(fy, (0.0, 0.0))
        out[fy] = (c + ledger.cost_at(t), k + ledger.carbon_at(t))
    return out


def headline(facts: Facts) -> dict[str, Any]:
    """Totals of plan, baseline and greedy, and the plan against the baseline."""
    plan = facts.plan

    def tot(t: Totals | None) -> dict[str, float] | None:
        return None if t is None else {"cost": t.cost, "cost_discounted": t.cost_discounted,
                                       "co2e_tonnes": t.co2e_tonnes, "objective": t.objective}

    out: dict[str, Any] = {"plan": tot(plan.totals), "baseline": tot(plan.baseline),
                           "greedy": tot(plan.greedy)}
    if plan.totals is not None and plan.baseline is not None:
        out["cost_saving"] = plan.baseline.cost - plan.totals.cost
        out["co2e_saving"] = plan.baseline.co2e_tonnes - plan.totals.co2e_tonnes
        out["cost_saving_pct"] = 100 * out["cost_saving"] / max(abs(plan.baseline.cost), 1)
        out["co2e_saving_pct"] = (100 * out["co2e_saving"]
                                  / max(abs(plan.baseline.co2e_tonnes), 1e-9))
    return out


def by_financial_year(facts: Facts) -> list[dict[str, Any]]:
    """Plan and baseline cost (£) and tonnes CO2e per financial year."""
    p = _fy_sums(facts, facts.plan.ledger)
    b = _fy_sums(facts, facts.plan.baseline_ledger)
    rows = []
    for fy in sorted(set(p) | set(b)):
        pc, pk = p.get(fy, (None, None))
        bc, bk = b.get(fy, (None, None))
        rows.append({"fy": fy, "plan_cost": pc, "baseline_cost": bc,
                     "plan_t": None if pk is None else pk / 1000,
                     "baseline_t": None if bk is None else bk / 1000})
    return rows


def site_exits(facts: Facts) -> list[dict[str, Any]]:
    """Exit month against ``exit_by`` of every site that is not a cloud site."""
    rows = []
    for site in facts.estate.sites:
        if site.kind == "cloud":
            continue
        ex = facts.site_exit.get(site.site_id)
        label = None if ex is None else (facts.label(ex) if ex < facts.H else None)
        met = None
        if site.exit_by is not None and ex is not None:
            met = ex <= facts.idx(site.exit_by)
        rows.append({"site_id": site.site_id, "name": site.name, "kind": site.kind,
                     "exit": label, "exit_by": site.exit_by, "met": met})
    return rows


def contract_summary(facts: Facts) -> dict[str, Any]:
    """Count and annual value of contracts running today and at the end of the plan."""
    today_n = end_n = 0
    today_v = end_v = 0.0
    for c in facts.estate.contracts:
        b = facts.idx(c.start_date[:7]) if c.start_date else None
        paid = facts.paid_through(c)
        if (b is None or b <= 0) and paid >= 0:
            today_n += 1
            today_v += facts.value_at(c, 0)
        if (b is None or b <= facts.H - 1) and paid >= facts.H - 1:
            end_n += 1
            end_v += facts.value_at(c, facts.H - 1)
    return {"today_count": today_n, "today_value": today_v,
            "end_count": end_n, "end_value": end_v}


def server_summary(facts: Facts) -> dict[str, int]:
    """Servers decommissioned in the horizon and replacements avoided."""
    plan_repl = sum(1 for s in facts.plan.servers if s.replaced is not None)
    base_repl = facts.replaced_in_baseline()
    return {
        "servers": len(facts.estate.servers),
        "decommissioned": sum(1 for t in facts.decom.values() if t < facts.H),
        "zombies": sum(1 for s in facts.plan.servers if s.zombie),
        "replaced": plan_repl, "baseline_replaced": base_repl,
        "avoided": base_repl - plan_repl,
    }


# -- cloud-first exceptions ------------------------------------------------

def _chosen_words(facts: Facts, app_id: str) -> str:
    ap = facts.app_plan[app_id]
    if ap.start is None:
        return "retained"
    when = _month_words(ap.live_from)
    if ap.strategy == "retire":
        return f"retired from {when}"
    where = f" to {ap.target_site}" if ap.target_site else ""
    return f"{ap.strategy}{where} from {when}"


def _month_words(label: str | None) -> str:
    d = month_date(label)
    return "" if d is None else d.strftime("%b %Y")


def _costed(alt: Alternative) -> str:
    """The exact effect of the cloud alternative, in words."""
    d = alt.delta
    cloud = f"{alt.strategy} to {alt.target_site} from {_month_words(alt.start)}"
    digits = 1 if abs(d.co2e_tonnes) >= 10 else 2
    carbon = (f"emit {abs(d.co2e_tonnes):,.{digits}f} t CO2e "
              f"{'more' if d.co2e_tonnes >= 0 else 'less'}")
    money = (f"cost £{d.cost_discounted:,.0f} more" if d.cost_discounted >= 0.5
             else f"save £{-d.cost_discounted:,.0f}" if d.cost_discounted <= -0.5
             else "cost the same")
    if alt.breaks:
        return (f"cloud ({cloud}) would {money} (discounted) and {carbon} over the plan, "
                f"but breaks a rule: {alt.breaks[0]}")
    if d.objective > 0:
        return f"cloud ({cloud}) would {money} (discounted) and {carbon} over the plan"
    return (f"cloud ({cloud}) keeps every rule and would {money} (discounted) and {carbon}: "
            "the solver did not reach it within its time limit")


def exception_reason(facts: Facts, app: Application) -> tuple[str, bool]:
    """One line saying why ``app`` does not move to the cloud; and whether it is
    costed (the figures are the plan recomputed with the application switched
    to its best cloud option, see :class:`estate.plan.Alternative`)."""
    est = facts.estate
    pin = est.pin_by_app.get(app.app_id)
    if pin is not None and pin.strategy is not None:
        where = f" at {pin.target_site}" if pin.target_site else ""
        return f"pinned by the architects: {pin.strategy}{where}", False
    if not cloud_options(est, app.app_id):
        return "no cloud option in the workbook", False
    group = facts.together_group.get(app.app_id)
    if group is not None:
        blockers = [m for m in facts.group_members[group]
                    if m != app.app_id and not cloud_options(est, m)]
        if blockers:
            return (f"moves together with {', '.join(blockers[:3])}, which has no cloud "
                    "option"), False
    ap = facts.app_plan[app.app_id]
    if ap.start is None:
        stuck = [f for f in facts.depends_on.get(app.app_id, ()) if not facts.moves(f)]
        if stuck:
            return f"needs {', '.join(stuck[:3])} to move first, which stays", False
    alt = facts.alternative.get(app.app_id)
    if alt is None:
        return "its cloud option cannot go live within the plan, or was not costed", False
    return _costed(alt), True


def exceptions(facts: Facts) -> list[dict[str, Any]]:
    """Every planned application that does not end up at a cloud site, with its reason."""
    rows = []
    for app in facts.estate.applications:
        ap = facts.app_plan.get(app.app_id)
        if ap is None or (ap.start is not None and facts.is_cloud(ap.target_site)):
            continue
        reason, costed = exception_reason(facts, app)
        rows.append({"app_id": app.app_id, "name": app.name, "service": app.service,
                     "chosen": _chosen_words(facts, app.app_id), "reason": reason,
                     "costed": costed})
    rows.sort(key=lambda r: (r["service"], r["app_id"]))
    return rows


# -- residents ---------------------------------------------------------------

def resident_changes(facts: Facts, weeks: int = RESIDENT_NOTICE_WEEKS) -> list[dict[str, Any]]:
    """Resident-facing applications changing in the plan, with the date to tell residents.

    *Tell residents by* is the first day of the go-live month (``L - 1``)
    minus ``weeks`` weeks.
    """
    rows = []
    for app in facts.estate.applications:
        if not app.resident_facing or not facts.moves(app.app_id):
            continue
        ap = facts.app_plan[app.app_id]
        golive = facts.label(facts.live[app.app_id] - 1)
        first = month_date(golive)
        assert first is not None
        change = ("retired: say what replaces it" if ap.strategy == "retire"
                  else f"{ap.strategy} to {ap.target_site}")
        rows.append({"app_id": app.app_id, "name": app.name, "service": app.service,
                     "change": change, "golive": golive, "live_from": ap.live_from,
                     "tell_by": first - dt.timedelta(weeks=weeks)})
    rows.sort(key=lambda r: (r["tell_by"], r["app_id"]))
    return rows


# -- carbon and estimates ----------------------------------------------------

def carbon_by_fy(facts: Facts) -> list[dict[str, Any]]:
    """Tonnes CO2e per financial year and category (plan) and the baseline total."""
    ledger, base = facts.plan.ledger, facts.plan.baseline_ledger
    rows: dict[str, dict[str, Any]] = {}
    for t in range(facts.H):
        fy = financial_year(facts.start, t)
        row = rows.setdefault(fy, {"fy": fy, "categories": Counter(), "baseline_t": 0.0})
        if ledger is not None:
            for cat, values in ledger.carbon.items():
                row["categories"][cat] += values[t] / 1000
        if base is not None:
            row["baseline_t"] += base.carbon_at(t) / 1000
    out = []
    for fy in sorted(rows):
        r = rows[fy]
        r["categories"] = dict(r["categories"])
        r["plan_t"] = sum(r["categories"].values())
        out.append(r)
    return out


def estimate_counts(facts: Facts) -> list[tuple[str, int]]:
    """How many figures rest on estimates, by kind (``servers … watts``)."""
    paths = facts.plan.assumptions.get("estimated") or list(facts.estate.estimated)
    kinds: Counter[str] = Counter()
    for p in paths:
        parts = str(p).split(".")
        kinds[f"{parts[0]} · {parts[-1]}" if len(parts) > 1 else parts[0]] += 1
    return sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
