"""Cloud alternatives: what moving one more application to the cloud would change.

For every application the plan does not put at a cloud site although it has a
cloud option, the plan's decisions are re-evaluated exactly with only that
application switched to its best cloud option (lowest objective), starting
when it starts in the plan (else at its earliest start, and no earlier than
the residents' notice allows, moved earlier if it could not go live within
the horizon). The board's "cloud-first exceptions"
show these figures; nothing is approximated.

Imports only :mod:`estate` and :mod:`solver`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from estate.derive import cloud_options
from estate.limits import notice_bound
from estate.model import Estate, Option
from estate.months import label_at, month_index
from estate.plan import Alternative, Decision, Totals
from solver.evaluate import evaluate

#: Seconds spent on alternatives at most (the rest are left out, not estimated).
DEFAULT_SECONDS = 20.0


def _start(estate: Estate, dec: Decision, o: Option) -> int | None:
    hs, H = estate.settings.horizon_start, estate.settings.horizon_months
    app = estate.app_by_id[dec.app_id]
    if dec.start is not None:
        s = month_index(hs, dec.start)
    else:
        s = max(month_index(hs, app.earliest_start), 0) if app.earliest_start else 0
        s = max(s, notice_bound(estate, app.app_id) - o.duration_months)
    s = min(s, H - o.duration_months)
    return s if s >= 0 else None


def _minus(a: Totals, b: Totals) -> Totals:
    return Totals(a.cost - b.cost, a.cost_discounted - b.cost_discounted,
                  a.co2e_tonnes - b.co2e_tonnes, a.objective - b.objective)


def cloud_alternatives(estate: Estate, decisions: Sequence[Decision], *,
                       seconds: float = DEFAULT_SECONDS) -> tuple[Alternative, ...]:
    """The best cloud alternative of every application not planned at a cloud site.

    Parameters
    ----------
    estate
        The resolved estate that was planned.
    decisions
        The plan's decisions (one per application).
    seconds
        Time budget; applications not reached are left out.

    Returns
    -------
    tuple of Alternative
        In estate order; ``delta`` is the switched plan's totals minus the plan's.
    """
    t0 = time.monotonic()
    hs = estate.settings.horizon_start
    base = evaluate(estate, decisions, check=False)
    known = set(evaluate(estate, decisions, check=True).violations)
    by_app = {d.app_id: d for d in decisions}
    out: list[Alternative] = []
    for app in estate.applications:
        if time.monotonic() - t0 > seconds:
            break
        dec = by_app.get(app.app_id, Decision(app.app_id, "retain"))
        site = estate.site_by_id.get(dec.target_site or "")
        if dec.strategy not in ("retain", "retire") and site is not None \
                and site.kind == "cloud":
            continue
        best: tuple[float, Alternative] | None = None
        for o in cloud_options(estate, app.app_id):
            s = _start(estate, dec, o)
            if s is None:
                continue
            start = label_at(hs, s)
            switched = [Decision(app.app_id, o.strategy, target_site=o.target_site, start=start)
                        if d.app_id == app.app_id else d for d in decisions]
            ev = evaluate(estate, switched, check=True)
            alt = Alternative(app.app_id, o.strategy, o.target_site or "", start,
                              _minus(ev.totals, base.totals),
                              tuple(v.text for v in ev.violations if v not in known))
            if best is None or ev.totals.objective < best[0]:
                best = (ev.totals.objective, alt)
        if best is not None:
            out.append(best[1])
    return tuple(out)
