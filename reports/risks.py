"""The roadmap's *Risks* section: unsupported systems kept, how much of the cost
rests on estimates, and contract notices overdue or due soon.

Every figure is recomputed from the estate and the plan's decisions
(:class:`reports.facts.Facts`); the unsupported-OS list is
:func:`estate.policy.kept_past_support`, the one home of that rule.
"""

from __future__ import annotations

from typing import Any

from estate.months import label_at, overdue, this_month
from estate.policy import kept_past_support
from reports.facts import Facts

#: Notices due within this many months of today (or overdue) are risks.
NOTICE_MONTHS = 3
#: Unsupported servers shown on the roadmap (the longest unsupported first).
SHOW_UNSUPPORTED = 30


def unsupported_kept(facts: Facts) -> list[dict[str, Any]]:
    """Servers the plan keeps in service past their OS end of support, the longest
    unsupported first:
    server, OS, end of support, last month in service ("beyond the plan" when it
    stays to the end), months past support within the plan, applications."""
    e, H = facts.estate, facts.H
    out = []
    for u, D in kept_past_support(e, facts.decom):
        srv = e.server_by_id[u.server_id]
        apps = sorted(a for a in srv.app_ids if a in e.app_by_id)
        out.append({"server_id": u.server_id, "os": u.os or "–", "eos": u.eos_month,
                    "until": "beyond the plan" if D >= H else facts.label(D - 1),
                    "months": min(D, H) - max(u.eos, 0), "apps": ", ".join(apps[:4])
                    + (f" and {len(apps) - 4} more" if len(apps) > 4 else "")})
    return sorted(out, key=lambda r: (-r["months"], r["server_id"]))


def estimated_share(facts: Facts) -> dict[str, float]:
    """Cash (undiscounted £) of the plan that rests on estimated figures, against the
    plan's total: estimated running costs of applications until they go live,
    generated options' one-off and running costs, estimated site facilities until
    exit, estimated replacement costs paid and estimated (import) contract rows.
    Energy from estimated watts is not counted (it is small and shown elsewhere)."""
    e, H = facts.estate, facts.H
    est = set(e.estimated)
    total = facts.plan.totals.cost if facts.plan.totals is not None else 0.0
    part = 0.0
    for a in e.applications:
        L = facts.live.get(a.app_id, H)
        if f"applications.{a.app_id}.current_monthly_cost" in est:
            part += (a.current_monthly_cost or 0.0) * min(L, H)
        o = facts.option.get(a.app_id)
        if o is not None and o.generated and o.strategy != "retain":
            part += o.one_off_cost + o.monthly_cost * max(0, H - L)
    for s in e.sites:
        if f"sites.{s.site_id}.monthly_fixed_cost" in est:
            part += (s.monthly_fixed_cost or 0.0) * min(facts.site_exit.get(s.site_id, 0), H)
    for srv in e.servers:
        if (f"servers.{srv.server_id}.replacement_cost" in est
                and facts.schedule.replaced.get(srv.server_id) is not None):
            part += srv.replacement_cost or 0.0
    for c in e.contracts:
        if c.estimated:
            part += facts.spend(c)
    return {"estimated": part, "total": total,
            "share": 100 * part / total if total > 0 else 0.0}


def notice_risks(facts: Facts) -> list[dict[str, Any]]:
    """Contracts whose notice-by month is overdue (before today) or within
    :data:`NOTICE_MONTHS` months of this month, earliest first."""
    now = this_month()
    soon = label_at(now, NOTICE_MONTHS)
    out = []
    for c in facts.estate.contracts:
        cp = facts.contract_plan.get(c.contract_id)
        if cp is None or cp.notice_by is None or cp.notice_by >= soon:
            continue
        out.append({"contract_id": c.contract_id, "supplier": c.supplier, "title": c.title,
                    "notice_by": cp.notice_by, "overdue": overdue(cp.notice_by),
                    "annual": c.annual_value})
    return sorted(out, key=lambda r: (r["notice_by"], r["contract_id"]))


def risks(facts: Facts) -> dict[str, Any]:
    """Everything the *Risks* section shows."""
    kept = unsupported_kept(facts) if facts.plan.applications else []
    return {"unsupported": kept[:SHOW_UNSUPPORTED], "unsupported_n": len(kept),
            "policy": facts.estate.settings.unsupported_os_policy,
            "estimates": estimated_share(facts), "notices": notice_risks(facts),
            "notice_months": NOTICE_MONTHS}
