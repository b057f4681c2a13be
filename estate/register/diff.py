"""What changed between two plans, and which input differences explain it.

:func:`diff_plans` compares two plans (decisions, contracts, site exits,
totals) and, when the inputs each was made from are known (the register
keeps them per workbook fingerprint), the inputs: settings, objective and
carbon price, reference data, pins, and every application, option, server,
dependency, contract, site, team and budget row added, removed or changed.
Each application whose decision or month moved is tied to the input changes
that touch it (its own rows, its options, servers and dependencies); when
none does, the plan-wide changes (settings, objective, reference) or the
solver's own latitude (a gap, another seed) are named.

This module uses the standard library only; the CLI renders its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from estate.plan import Plan

#: Input sheets compared row by row, with the key of a row.
_KEYS: dict[str, tuple[str, ...]] = {
    "applications": ("app_id",),
    "options": ("app_id", "strategy", "target_site"),
    "servers": ("server_id",),
    "dependencies": ("from_id", "to_id"),
    "contracts": ("contract_id",),
    "sites": ("site_id",),
    "teams": ("team_id",),
    "budget": ("financial_year",),
    "pins": ("app_id",),
    "actuals": ("kind", "item_id"),
}


@dataclass(frozen=True)
class Change:
    """One difference: ``what`` (``applications``, ``settings``, …), the row's
    ``key``, and a sentence ``text``; ``apps`` are the applications it touches."""

    what: str
    key: str
    text: str
    apps: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanDiff:
    """The differences between plan A and plan B (B minus A)."""

    totals: list[str] = field(default_factory=list)
    applications: list[Change] = field(default_factory=list)
    contracts: list[Change] = field(default_factory=list)
    sites: list[Change] = field(default_factory=list)
    inputs: list[Change] = field(default_factory=list)
    inputs_known: bool = True
    explanations: dict[str, list[str]] = field(default_factory=dict)

    @property
    def same(self) -> bool:
        """Whether the two plans decide the same and cost the same."""
        return not (self.totals or self.applications or self.contracts or self.sites)


def _money(x: float) -> str:
    return ("-" if round(x) < 0 else "") + f"£{abs(x):,.0f}"


def _totals(a: Plan, b: Plan) -> list[str]:
    out = []
    if a.status != b.status:
        out.append(f"status {a.status} -> {b.status}")
    ta, tb = a.totals, b.totals
    if ta is None or tb is None:
        if (ta is None) != (tb is None):
            out.append("only one of the plans has figures")
        return out
    for label, x, y, money in (("cash cost", ta.cost, tb.cost, True),
                               ("discounted cost", ta.cost_discounted, tb.cost_discounted, True),
                               ("objective", ta.objective, tb.objective, True),
                               ("carbon", ta.co2e_tonnes, tb.co2e_tonnes, False)):
        if abs(y - x) >= (0.5 if money else 0.05):
            if money:
                out.append(f"{label} {_money(x)} -> {_money(y)} ({'+' if y >= x else ''}"
                           f"{_money(y - x)})")
            else:
                out.append(f"{label} {x:,.1f} t -> {y:,.1f} t ({y - x:+,.1f} t CO2e)")
    if (a.gap or 0) != (b.gap or 0) and max(a.gap or 0, b.gap or 0) > 0.001:
        out.append(f"gap to the proven bound {100 * (a.gap or 0):.2f} % -> "
                   f"{100 * (b.gap or 0):.2f} %")
    if (a.horizon_start, a.horizon_months) != (b.horizon_start, b.horizon_months):
        out.append(f"horizon {a.horizon_months} months from {a.horizon_start} -> "
                   f"{b.horizon_months} months from {b.horizon_start}")
    return out


def _decision(row: Any) -> str:
    site = f" at {row.target_site}" if row.target_site and row.strategy != "retain" else ""
    when = f" from {row.start} (live {row.live_from})" if row.start else ""
    return f"{row.strategy}{site}{when}"


def _applications(a: Plan, b: Plan) -> list[Change]:
    old = {r.app_id: r for r in a.applications}
    new = {r.app_id: r for r in b.applications}
    out = []
    for app_id in [*old, *(k for k in new if k not in old)]:
        x, y = old.get(app_id), new.get(app_id)
        if x is None and y is not None:
            out.append(Change("applications", app_id, f"{app_id}: only in B ({_decision(y)})",
                              (app_id,)))
        elif y is None and x is not None:
            out.append(Change("applications", app_id, f"{app_id}: only in A ({_decision(x)})",
                              (app_id,)))
        elif x is not None and y is not None:
            if (x.strategy, x.target_site) != (y.strategy, y.target_site):
                out.append(Change("applications", app_id,
                                  f"{app_id}: {_decision(x)} -> {_decision(y)}", (app_id,)))
            elif (x.start, x.live_from) != (y.start, y.live_from):
                out.append(Change("applications", app_id,
                                  f"{app_id}: live {x.live_from} -> {y.live_from} "
                                  f"(start {x.start} -> {y.start})", (app_id,)))
    return out


def _contracts(a: Plan, b: Plan) -> list[Change]:
    """Contracts whose decision, end or renewals differ; when B re-plans from
    a today after A's notice date for a term end still ahead, that is why it
    renews."""
    today = str((b.assumptions.get("from_actuals") or {}).get("today") or "")
    old = {r.contract_id: r for r in a.contracts}
    new = {r.contract_id: r for r in b.contracts}
    out = []
    for cid in [*old, *(k for k in new if k not in old)]:
        x, y = old.get(cid), new.get(cid)
        if x is None or y is None:
            out.append(Change("contracts", cid, f"{cid}: only in {'B' if x is None else 'A'}"))
        elif (x.decision, x.end, x.renewals) != (y.decision, y.end, y.renewals):
            why = ""
            if (today and x.notice_by is not None and x.notice_by < today <= x.end
                    and y.renewals > x.renewals):
                why = (f"  <- its notice (by {x.notice_by}) passed before B re-plans from "
                       f"{today}: it renews")
            out.append(Change("contracts", cid,
                              f"{cid}: {x.decision} (last paid {x.end}, {x.renewals} "
                              f"renewals) -> {y.decision} (last paid {y.end}, {y.renewals} "
                              f"renewals){why}"))
    return out


def _sites(a: Plan, b: Plan) -> list[Change]:
    old = {r.site_id: r.exit for r in a.sites}
    new = {r.site_id: r.exit for r in b.sites}
    return [Change("sites", s, f"{s}: exit {old.get(s, '-')} -> {new.get(s, '-')}")
            for s in [*old, *(k for k in new if k not in old)] if old.get(s) != new.get(s)]


def _key(row: dict[str, Any], names: tuple[str, ...]) -> str:
    return "/".join(str(row.get(n)) for n in names if row.get(n) is not None)


def _touches(what: str, row: dict[str, Any]) -> tuple[str, ...]:
    """The applications an input row concerns."""
    if what in ("applications", "options", "pins"):
        return (str(row.get("app_id")),)
    if what == "actuals":
        return (str(row.get("item_id")),) if row.get("kind") == "application" else ()
    if what == "servers":
        return tuple(row.get("app_ids") or ())
    if what == "dependencies":
        return (str(row.get("from_id")), str(row.get("to_id")))
    if what == "contracts":
        return tuple(row.get("covers") or ())
    return ()


def _fields(x: dict[str, Any], y: dict[str, Any]) -> str:
    parts = [f"{k} {x.get(k)!r} -> {y.get(k)!r}" for k in sorted({*x, *y})
             if x.get(k) != y.get(k)]
    return ", ".join(parts[:6]) + (f" (+{len(parts) - 6} more)" if len(parts) > 6 else "")


def _input_changes(ia: dict[str, Any], ib: dict[str, Any]) -> list[Change]:
    out = []
    sa_, sb = ia.get("settings") or {}, ib.get("settings") or {}
    for k in sorted({*sa_, *sb}):
        if sa_.get(k) != sb.get(k):
            out.append(Change("settings", k, f"setting {k}: {sa_.get(k)!r} -> {sb.get(k)!r}"))
    for what, names in _KEYS.items():
        old = {_key(r, names): r for r in ia.get(what) or []}
        new = {_key(r, names): r for r in ib.get(what) or []}
        for k in [*old, *(k for k in new if k not in old)]:
            x, y = old.get(k), new.get(k)
            row = x if y is None else y
            assert row is not None
            if x is None:
                text = f"{what} {k}: added"
            elif y is None:
                text = f"{what} {k}: removed"
            elif x != y:
                text = f"{what} {k}: {_fields(x, y)}"
            else:
                continue
            touched = _touches(what, row) + (_touches(what, x) if x is not None else ())
            out.append(Change(what, k, text, tuple(dict.fromkeys(touched))))
    return out


def _pin(p: dict[str, Any] | None) -> str:
    if not p:
        return "none"
    parts = [str(p.get("strategy") or "any strategy")]
    if p.get("target_site"):
        parts.append(f"at {p['target_site']}")
    if p.get("start"):
        parts.append(f"from {p['start']}")
    return " ".join(parts)


def _run_changes(a: Plan, b: Plan) -> list[Change]:
    """Plan-wide differences recorded in the plans themselves."""
    out = []
    oa, ob = a.assumptions.get("objective") or {}, b.assumptions.get("objective") or {}
    for k in sorted({*oa, *ob}):
        if oa.get(k) != ob.get(k):
            out.append(Change("objective", k, f"objective {k}: {oa.get(k)!r} -> {ob.get(k)!r}"))
    ra, rb = a.assumptions.get("reference_version"), b.assumptions.get("reference_version")
    if ra != rb:
        out.append(Change("reference", "version", f"reference data {ra} -> {rb}"))
    pa = {p.get("app_id"): p for p in a.assumptions.get("pins") or []}
    pb = {p.get("app_id"): p for p in b.assumptions.get("pins") or []}
    for app in sorted({*pa, *pb}, key=str):
        if pa.get(app) != pb.get(app):
            out.append(Change("pins", str(app), f"pin of {app}: {_pin(pa.get(app))} -> "
                                                f"{_pin(pb.get(app))}", (str(app),)))
    ra_, rb_ = a.assumptions.get("from_actuals"), b.assumptions.get("from_actuals")
    if ra_ != rb_ and rb_:
        out.append(Change("from_actuals", "", f"B re-plans from {rb_.get('today')}: "
                          f"{len(rb_.get('done') or [])} moves done (actuals) are fixed, "
                          f"nothing else starts before {rb_.get('today')}"))
    elif ra_ != rb_ and ra_:
        out.append(Change("from_actuals", "", f"A re-plans from {ra_.get('today')}; B does not"))
    sca, scb = a.assumptions.get("scenario"), b.assumptions.get("scenario")
    if sca != scb:
        out.append(Change("scenario", "", f"scenario {(sca or {}).get('name')} -> "
                                          f"{(scb or {}).get('name')}"))
    return out


def diff_plans(a: Plan, b: Plan, inputs_a: dict[str, Any] | None,
               inputs_b: dict[str, Any] | None) -> PlanDiff:
    """The differences from plan ``a`` to plan ``b``.

    Parameters
    ----------
    a, b
        The two plans.
    inputs_a, inputs_b
        The inputs each was made from (:func:`estate.fingerprint.input_data`),
        or None when unknown (a ``plan.json`` whose workbook is not in the
        register): the input differences are then those the plans record
        themselves (objective, carbon price, reference version, pins, scenario).
    """
    known = inputs_a is not None and inputs_b is not None
    inputs = _run_changes(a, b)
    if inputs_a is not None and inputs_b is not None:
        inputs += _input_changes(inputs_a, inputs_b)
    apps = _applications(a, b)
    plan_wide = [c for c in inputs if not c.apps]
    explanations: dict[str, list[str]] = {}
    for change in apps:
        own = [c.text for c in inputs if change.key in c.apps]
        if own:
            explanations[change.key] = own
        elif plan_wide:
            explanations[change.key] = ["plan-wide: " + "; ".join(c.text for c in plan_wide[:3])
                                        + (" …" if len(plan_wide) > 3 else "")]
        elif not known:
            explanations[change.key] = ["inputs unknown (not in the register)"]
        else:
            gaps = [g for g in (a.gap, b.gap) if g]
            why = (f"a gap of up to {100 * max(gaps):.1f} % leaves the solver latitude"
                   if gaps else "plans of equal cost can differ (another seed or time limit)")
            explanations[change.key] = [f"no input touching it changed: {why}"]
    return PlanDiff(_totals(a, b), apps, _contracts(a, b), _sites(a, b), inputs, known,
                    explanations)
