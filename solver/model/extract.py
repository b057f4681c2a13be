"""From a choice of (option, live-from) per application to plan rows and
exact totals, using the float tables of :mod:`solver.model.prep` only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from estate.clusters import host_d
from estate.months import label_at
from estate.plan import AppPlan, Decision, Strategy, Totals
from solver.model.prep import ZERO, Prep, Vec, option_key, vadd

#: app id -> (option key, live-from month ``L``): a plan in the model's terms (the
#: one definition; :mod:`solver.model.build` and the rest import it).
Choice = dict[str, tuple[str, int]]


@dataclass(frozen=True)
class Derived:
    """Month numbers derived from a choice."""

    live: dict[str, int]
    server_d: dict[str, int]
    site_exit: dict[str, int]
    choice: Choice
    vec: Vec


def derive(prep: Prep, choice: Choice) -> Derived:
    """Derived state and the exact cost vector of a complete choice."""
    live = {a: L for a, (_, L) in choice.items()}
    H = prep.H

    def mx(apps: frozenset[str]) -> int:
        return max((live[a] for a in apps), default=0)

    server_d = {s: mx(apps) for s, apps in prep.server_set.items()}
    for c in prep.clusters:  # the cluster rule (estate.clusters), priced by host_table
        server_d.update(host_d(c, live, H))
    site_exit = {s: mx(apps) for s, apps in prep.site_set.items()}
    v = vadd(prep.constant, prep.unit_vec(server_d))
    for ap in prep.apps:
        key, L = choice[ap.app_id]
        v = vadd(v, ap.opt(key).table[L])
    for g in prep.groups:
        v = vadd(v, g.table[prep.release(g, choice)])
    for h in prep.pooled:
        v = vadd(v, prep.host_tables[h][server_d[h]])
    for fa, fb, cost in prep.loose:
        (ka, la), (kb, lb) = choice[fa], choice[fb]
        v = vadd(v, prep.split_vec(cost, la, prep.app_by_id[fa].opt(ka).to_target,
                                   lb, prep.app_by_id[fb].opt(kb).to_target))
    return Derived(live, server_d, site_exit, dict(choice), v)


def totals(vec: Vec, carbon_price: float) -> Totals:
    """Totals of a cost vector: cash, discounted cost, tonnes and objective."""
    return Totals(cost=vec[0], cost_discounted=vec[1], co2e_tonnes=vec[2] / 1000.0,
                  objective=vec[1] + carbon_price * vec[3] / 1000.0)


def app_rows(prep: Prep, choice: Choice) -> tuple[AppPlan, ...]:
    """``applications`` rows of plan.json."""
    out = []
    for ap in prep.apps:
        key, L = choice[ap.app_id]
        o = ap.opt(key)
        if not o.moves:  # a retained application stays at its retain row's site
            site = o.option.target_site if o.option is not None else None
            out.append(AppPlan(ap.app_id, "retain", site, None, None))
        else:
            out.append(AppPlan(ap.app_id, cast(Strategy, o.strategy), o.target,
                               label_at(prep.start, L - o.d), label_at(prep.start, L)))
    return tuple(out)


def decisions(prep: Prep, choice: Choice) -> list[Decision]:
    """The choice as :class:`estate.plan.Decision` objects."""
    return [Decision(r.app_id, r.strategy, target_site=r.target_site, start=r.start)
            for r in app_rows(prep, choice)]


def choice_from_decisions(prep: Prep, decs: list[Decision]) -> Choice:
    """Inverse of :func:`decisions` (pairs that name no known option are dropped)."""
    out: Choice = {}
    for d in decs:
        ap = prep.app_by_id.get(d.app_id)
        if ap is None:
            continue
        key = option_key(d.strategy, d.target_site)
        try:
            o = ap.opt(key)
        except KeyError:
            continue
        if not o.moves:
            out[d.app_id] = (key, prep.H)
        elif d.start is not None:
            out[d.app_id] = (key, prep.index(d.start) + o.d)
    return out


__all__ = ["ZERO", "Derived", "derive", "totals", "app_rows", "decisions",
           "choice_from_decisions"]
