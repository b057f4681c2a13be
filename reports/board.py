"""The figures of the board roadmap, computed from (estate, plan) without plotting.

Every function returns plain data (dicts and lists) that the template and the
figures render; tests compare them with ``plan.json``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from estate.derive import cloud_options
from estate.limits import tell_residents_by
from estate.model import Application
from estate.months import financial_year
from estate.plan import Alternative, Ledger, Totals
from reports.facts import Facts, carbon_price, move_words, short_rule
from reports.xlsx import month_date

#: The service area shown for an application whose workbook row names none.
UNASSIGNED = "Unassigned"


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
        out["cost_words"] = _against(out["cost_saving"], out["cost_saving_pct"], _gbp, 0)
        out["co2e_words"] = _against(out["co2e_saving"], out["co2e_saving_pct"], _t, 1)
        if plan.greedy is not None:
            out["co2e_words"] += "; " + _versus(plan.totals, plan.greedy, "greedy")
    out.setdefault("cost_words", "")
    out.setdefault("co2e_words", "")
    out.setdefault("cost_saving", 0.0)
    out.setdefault("co2e_saving", 0.0)
    out["why_it_costs"] = why_it_costs(facts)
    out["carbon_price"] = carbon_price(facts.estate, plan)
    out["carbon_choice"] = carbon_choice(facts)
    return out


def _t(x: float) -> str:
    return f"{abs(x):,.1f} t"


def _gbp(x: float) -> str:
    return f"£{abs(x):,.0f}"


def _against(saving: float, pct: float, fmt: Any, digits: int) -> str:
    """``"£X less than doing nothing (p %)"``, ``"… more …"`` or ``"the same as
    doing nothing"`` (when it rounds to zero as shown)."""
    if round(saving, digits) == 0:
        return "the same as doing nothing"
    return (f"{fmt(saving)} {'less' if saving > 0 else 'more'} than doing nothing "
            f"({abs(pct):.1f} %)")


def _versus(plan: Totals, other: Totals, name: str) -> str:
    """``"N t less than doing nothing (T t)"`` (or more, or the same)."""
    d = round(plan.co2e_tonnes - other.co2e_tonnes, 1)
    if d == 0:
        return f"the same as {name} ({_t(other.co2e_tonnes)})"
    return f"{_t(d)} {'more' if d > 0 else 'less'} than {name} ({_t(other.co2e_tonnes)})"


def carbon_choice(facts: Facts) -> list[str]:
    """The plan's tonnes against doing nothing and the greedy plan, the carbon
    price the plan used, and what the lower-carbon route would cost, in
    sentences (empty without a plan)."""
    plan = facts.plan
    t, base, greedy = plan.totals, plan.baseline, plan.greedy
    if t is None:
        return []
    price = carbon_price(facts.estate, plan)
    parts = [_versus(t, base, "doing nothing")] if base is not None else []
    if greedy is not None:
        parts.append(_versus(t, greedy, "the greedy cloud-first plan"))
    out = [f"This plan emits {_t(t.co2e_tonnes)} CO2e over {facts.H} months"
           + (": " + " and ".join(parts) if parts else "") + "."]
    if price is None or price == 0:
        out.append("Carbon has no price in this plan: it was chosen on cost alone.")
    else:
        out.append(f"The plan was chosen on discounted cost plus carbon priced at "
                   f"£{price:,.0f} a tonne: a tonne avoided is worth £{price:,.0f} to it, "
                   f"and no more.")
    if greedy is not None:
        out += _lower_carbon_route(t, greedy, price)
    return out


def _lower_carbon_route(t: Totals, greedy: Totals, price: float | None) -> list[str]:
    """What the greedy plan trades against this one, when it emits less."""
    tonnes = round(t.co2e_tonnes - greedy.co2e_tonnes, 1)
    extra = greedy.cost_discounted - t.cost_discounted
    if tonnes <= 0:
        return []
    if extra <= 0.5:
        return [f"The greedy plan emits {_t(tonnes)} less and costs no more (discounted) "
                f"than this plan: plan again with a longer time limit."]
    rate = (f": £{extra / tonnes:,.0f} for each tonne avoided, against the £{price:,.0f} "
            f"this plan puts on a tonne" if price else "")
    return [f"The lower-carbon route: the greedy plan emits {_t(tonnes)} less but costs "
            f"{_gbp(extra)} more, discounted{rate}. To prefer it, the architects can raise "
            f"the carbon price (settings sheet of the workbook) or ask the planner for the "
            f"lowest-carbon plan."]


def why_it_costs(facts: Facts) -> list[str]:
    """When the plan costs more (discounted) than doing nothing, why, in
    sentences: the sites doing nothing would keep open past their exit date
    (the baseline's derived exits against ``exit_by``, as the site cards show
    them for the plan), and the carbon the extra money buys at the carbon
    price used. Empty when the plan costs no more."""
    plan = facts.plan
    t, base = plan.totals, plan.baseline
    if t is None or base is None or t.cost_discounted - base.cost_discounted < 0.5:
        return []
    extra = t.cost_discounted - base.cost_discounted
    price = carbon_price(facts.estate, plan) or 0.0
    tonnes = base.co2e_tonnes - t.co2e_tonnes
    carbon = price > 0 and tonnes > 0
    out = []
    kept = []
    for site in facts.estate.sites:
        if site.exit_by is None or site.kind == "cloud" or not facts.holds_anything(site.site_id):
            continue
        if facts.baseline.site_exit.get(site.site_id, facts.H) > facts.idx(site.exit_by):
            name = site.name if site.name and site.name != site.site_id else ""
            kept.append(f"{site.site_id}{' ' + name if name else ''} (to be left by "
                        f"{_month_words(site.exit_by)})")
    if kept:
        out.append(f"Why the plan costs more than doing nothing: doing nothing would keep "
                   f"{' and '.join(kept)} open past the date the workbook sets for leaving "
                   f"it, so it is not an option the strategy allows. Everything still there "
                   f"must move or retire, and moving costs more than staying would: the "
                   f"{_gbp(extra)} extra (discounted) pays for the exit"
                   f"{' and the carbon avoided (below)' if carbon else ''}.")
    if carbon:
        out.append(f"The plan also avoids {_t(tonnes)} CO2e, worth {_gbp(price * tonnes)} "
                   f"at the carbon price it was chosen with (£{price:,.0f} a tonne).")
    return out


def app_counts(facts: Facts) -> dict[str, int]:
    """How many applications end in the cloud, move elsewhere, are retired or
    stay as they are (the four add up to ``total``)."""
    n = {"cloud": 0, "elsewhere": 0, "retired": 0, "stay": 0,
         "total": len(facts.estate.applications)}
    for app in facts.estate.applications:
        ap = facts.app_plan.get(app.app_id)
        if ap is None or ap.start is None:
            n["stay"] += 1
        elif ap.strategy == "retire":
            n["retired"] += 1
        elif facts.ends_in_cloud(app.app_id):
            n["cloud"] += 1
        else:
            n["elsewhere"] += 1
    n["moving"] = n["cloud"] + n["elsewhere"] + n["retired"]
    n["in_cloud_at_end"] = sum(1 for a in facts.estate.applications
                               if facts.ends_in_cloud(a.app_id))
    return n


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
    """Exit month against ``exit_by`` of every site that is not a cloud site and
    holds something today (a site that holds nothing is a target only)."""
    rows = []
    for site in facts.estate.sites:
        ex = facts.exit_of(site.site_id)
        if site.kind == "cloud" or ex is None:
            continue
        label = facts.label(ex) if ex < facts.H else None
        met = None if site.exit_by is None else ex <= facts.idx(site.exit_by)
        name = site.name if site.name and site.name != site.site_id else ""
        rows.append({"site_id": site.site_id, "name": name, "kind": site.kind,
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
    """Servers decommissioned in the horizon and replacements avoided (from the
    plan's derived state: without a plan, every application is retained and
    nothing is avoided)."""
    plan_repl = sum(1 for e in facts.schedule.replaced.values() if e is not None)
    base_repl = facts.replaced_in_baseline()
    return {
        "servers": len(facts.estate.servers),
        "decommissioned": sum(1 for t in facts.decom.values() if t < facts.H),
        "zombies": sum(1 for t in facts.decom.values() if t == 0),
        "replaced": plan_repl, "baseline_replaced": base_repl,
        "avoided": base_repl - plan_repl,
    }


# -- cloud-first exceptions ------------------------------------------------

def _chosen_words(facts: Facts, app_id: str) -> str:
    ap = facts.app_plan[app_id]
    if ap.start is None:
        return "retained"
    return (f"{move_words(ap.strategy, ap.target_site)}, goes live in "
            f"{_month_words(facts.golive(app_id))}")


def _month_words(label: str | None) -> str:
    d = month_date(label)
    return "" if d is None else d.strftime("%b %Y")


#: Kinds of costed reasons (their names end in "(costed)").
COSTS_MORE = "moving it costs more (costed)"
OWN_RULE = "moving it breaks one of its own rules in every month tried (costed)"
NO_DEARER = "moving it is no dearer: not reached in time (costed)"


def _carbon_words(tonnes: float) -> str:
    digits = 1 if abs(tonnes) >= 10 else 2
    t = round(abs(tonnes), digits)
    if t == 0:
        return "the same CO2e"
    return f"{t:,.{digits}f} t CO2e {'extra' if tonnes > 0 else 'saving'}"


def _costed(alt: Alternative) -> tuple[str, str]:
    """The real reason the plan keeps the application out of the cloud, from
    its cloud alternative (:func:`solver.alternatives.cloud_alternatives`):
    a rule of its own it breaks in every month tried, else what the cheapest
    move tried costs; and the kind of reason."""
    d = alt.delta
    cloud = f"{move_words(alt.strategy, alt.target_site)} starting {_month_words(alt.start)}"
    tried = (f"the cheapest of {alt.months_tried} start months tried"
             if alt.months_tried > 1 else "the one start month tried")
    money = (f"£{d.cost_discounted:,.0f} extra" if d.cost_discounted >= 0.5
             else f"£{-d.cost_discounted:,.0f} saving" if d.cost_discounted <= -0.5
             else "no extra cost")
    if alt.own_breaks:
        return (f"moving it to the cloud breaks a rule of its own in every month tried "
                f"({alt.months_tried}), e.g. {cloud}: {short_rule(alt.own_breaks[0])}",
                OWN_RULE)
    shared = ""
    if alt.breaks:
        shared = (f"; in that month the other moves would also have to shift "
                  f"({short_rule(alt.breaks[0])})")
    if d.objective > 0:
        what = "cost" if d.cost_discounted > 0 else "carbon"
        return (f"{what}: the cheapest move to the cloud ({cloud}, {tried}) means {money} "
                f"(discounted) and {_carbon_words(d.co2e_tonnes)} over the plan{shared}",
                COSTS_MORE)
    return (f"moving it to the cloud ({cloud}) would mean {money} (discounted) and "
            f"{_carbon_words(d.co2e_tonnes)}{shared}: the solver did not reach it within "
            f"its time limit", NO_DEARER)


def exception_reason(facts: Facts, app: Application) -> tuple[str, str]:
    """Why ``app`` does not end in the cloud, in one line, and the kind of
    reason (for the summary). Costed reasons quote the plan recomputed with the
    application switched to its best cloud option
    (:class:`estate.plan.Alternative`); their kind ends in ``(costed)``."""
    est = facts.estate
    pin = est.pin_by_app.get(app.app_id)
    if pin is not None and pin.strategy is not None:
        where = f" at {pin.target_site}" if pin.target_site else ""
        return f"pinned by the architects: {pin.strategy}{where}", "pinned by the architects"
    if not any(site.kind == "cloud" and site.exit_by is None for site in est.sites):
        return "the estate has no cloud site to move to", "no cloud site in the estate"
    if not cloud_options(est, app.app_id):
        return "none of its options runs at a cloud site", "no cloud option"
    group = facts.together_group.get(app.app_id)
    if group is not None:
        blockers = [m for m in facts.group_members[group]
                    if m != app.app_id and not cloud_options(est, m)]
        if blockers:
            verb = "has" if len(blockers) == 1 else "have"
            return (f"moves together with {', '.join(blockers[:3])}, which {verb} no cloud "
                    "option"), "moves together with an application that has no cloud option"
    ap = facts.app_plan[app.app_id]
    if ap.start is None:
        stuck = [f for f in facts.depends_on.get(app.app_id, ()) if not facts.moves(f)]
        if stuck:
            return (f"needs {', '.join(stuck[:3])} to move first, which "
                    f"{'stays' if len(stuck) == 1 else 'stay'}",
                    "needs an application that stays to move first")
    alt = facts.alternative.get(app.app_id)
    if alt is None:
        return ("its cloud option cannot go live within the plan, or was not costed in "
                "time", "cloud option not costed")
    return _costed(alt)


def exception_summary(rows: list[dict[str, Any]], n: int = 10) -> dict[str, Any]:
    """What the board sees of the exceptions: counts by kind of reason (most
    first) and the ``n`` whose cloud move costs most (discounted £ extra)."""
    kinds = Counter(r["kind"] for r in rows).most_common()
    dear = sorted((r for r in rows if r["kind"] == COSTS_MORE),
                  key=lambda r: (-r["extra"], r["app_id"]))
    return {"kinds": kinds, "largest": dear[:n], "count": len(rows),
            "costs_more": len(dear),
            "extra_total": sum(r["extra"] for r in dear)}


def exceptions(facts: Facts) -> list[dict[str, Any]]:
    """Every planned application that keeps running outside the cloud (retained
    outside the cloud, or moved to a site that is not a cloud site), with its
    reason. Retired applications and SaaS replacements are not exceptions."""
    rows = []
    for app in facts.estate.applications:
        ap = facts.app_plan.get(app.app_id)
        if ap is None or ap.strategy == "retire" or facts.ends_in_cloud(app.app_id):
            continue
        reason, kind = exception_reason(facts, app)
        alt = facts.alternative.get(app.app_id)
        costed = kind.endswith("(costed)")
        rows.append({"app_id": app.app_id, "name": app.name,
                     "service": app.service or UNASSIGNED,
                     "chosen": _chosen_words(facts, app.app_id), "reason": reason,
                     "kind": kind, "costed": costed,
                     "extra": alt.delta.cost_discounted if costed and alt else None,
                     "tonnes": alt.delta.co2e_tonnes if costed and alt else None})
    rows.sort(key=lambda r: (r["service"], r["app_id"]))
    return rows


# -- residents ---------------------------------------------------------------

def resident_changes(facts: Facts) -> list[dict[str, Any]]:
    """Resident-facing applications changing in the plan, with the date to tell
    residents (:func:`estate.limits.tell_residents_by`: the first day of the
    go-live month minus the workbook's ``resident_notice_weeks``)."""
    st = facts.estate.settings
    rows = []
    for app in facts.estate.applications:
        if not app.resident_facing or not facts.moves(app.app_id):
            continue
        ap = facts.app_plan[app.app_id]
        golive = facts.live[app.app_id] - 1
        if ap.strategy == "retire":
            change = "retired (the workbook names no replacement)"
        else:
            change = move_words(ap.strategy, ap.target_site)
        rows.append({"app_id": app.app_id, "name": app.name,
                     "service": app.service or UNASSIGNED, "change": change,
                     "route": app.non_digital_route,
                     "golive": facts.label(golive), "live_from": ap.live_from,
                     "tell_by": tell_residents_by(st, golive)})
    rows.sort(key=lambda r: (r["tell_by"], r["app_id"]))
    return rows


def resident_services(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per service area: its changes and the period its non-digital route
    (telephone, face to face, paper) must stay open: from the first date
    residents are told to the end of the last go-live month."""
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r["service"], []).append(r)
    out = []
    for service, rs in sorted(by.items()):
        last = max(r["golive"] for r in rs)
        routes = sorted({r["route"] for r in rs if r["route"]})
        out.append({"service": service, "count": len(rs),
                    "apps": ", ".join(r["app_id"] for r in rs),
                    "from": min(r["tell_by"] for r in rs), "golive_last": last,
                    "routes": "; ".join(routes),
                    "unrecorded": [r["app_id"] for r in rs if not r["route"]]})
    return out


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


#: Readable names of estimated figures, by (table, field) of their path in
#: ``assumptions.estimated`` (``servers.S12.watts`` -> ("servers", "watts")).
ESTIMATE_NAMES = {
    ("servers", "watts"): "Server power draw (watts)",
    ("servers", "replacement_cost"): "Server replacement cost",
    ("servers", "embodied_kgco2e"): "Embodied carbon of a server replacement",
    ("servers", "end_of_life"): "Server hardware end of life",
    ("servers", "os_end_of_support"): "Operating system end of support",
    ("sites", "pue"): "Site power usage effectiveness (PUE)",
    ("sites", "power_price_per_kwh"): "Site electricity price",
    ("sites", "monthly_fixed_cost"): "Site fixed running cost",
    ("sites", "grid_kg_per_kwh"): "Site grid carbon factor",
    ("settings", "grid_kg_per_kwh"): "UK grid carbon factor (one per calendar year)",
    ("settings", "carbon_price"): "Carbon price (UK appraisal value)",
    ("applications", "current_monthly_cost"): "Application running cost today",
    ("applications", "must_finish_by"): "Deadline from operating-system end of support",
    ("options", "*"): "Generated options (applications with none in the workbook)",
}


def estimate_name(path: str) -> str:
    """The readable name of the kind of an estimated figure's path."""
    parts = str(path).split(".")
    table = parts[0]
    if len(parts) == 1:
        return table.replace("_", " ").capitalize()
    if table == "options":
        return ESTIMATE_NAMES[("options", "*")]
    if table == "settings":
        field = parts[1]
    else:
        field = parts[-1]
    name = ESTIMATE_NAMES.get((table, field))
    if name is not None:
        return name
    return f"{table.rstrip('s').capitalize()} {field.replace('_', ' ')}"


def estimate_counts(facts: Facts) -> list[tuple[str, int]]:
    """How many figures rest on estimates, by kind (readable names)."""
    paths = facts.plan.assumptions.get("estimated") or list(facts.estate.estimated)
    kinds: Counter[str] = Counter(estimate_name(p) for p in paths)
    return sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
