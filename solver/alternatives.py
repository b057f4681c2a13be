"""Cloud alternatives: what moving one more application to the cloud would change.

For every application the plan does not put at a cloud site although it has a
cloud option, the plan's decisions are re-evaluated exactly with only that
application switched to a cloud option starting in a month where it keeps its
own rules (:func:`solver.rules.app_violations`: horizon, earliest start, must
finish, blackout and freeze months, residents' notice, target exit), not only
in months the plan's own load leaves room for. The cheapest of the months
tried (lowest objective) is kept. Rules it then breaks are split into shared
loads (team days, critical applications in flight, go-lives a month, budgets:
other moves could shift) and its own (``own_breaks``: non-empty only when no
month tried keeps them). The board's "cloud-first exceptions" quote these
figures; nothing is approximated, but not every month is tried (see
:func:`candidate_months`).

Imports only :mod:`estate` and :mod:`solver`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from estate.derive import AppState, cloud_options
from estate.limits import notice_bound
from estate.model import Estate, Option
from estate.months import label_at, month_index
from estate.plan import Alternative, Decision, Totals
from estate.violation import Violation
from solver.evaluate import Evaluation, evaluate
from solver.rules import app_violations

#: Seconds spent on alternatives at most (the rest are left out, not estimated).
DEFAULT_SECONDS = 20.0


def _start(estate: Estate, dec: Decision, o: Option) -> int | None:
    """The plan's start of the application, else its earliest start allowed by
    its earliest start and the residents' notice (moved earlier when it could
    not go live within the horizon); ``None`` when it cannot fit at all."""
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


def fitting_months(estate: Estate, app_id: str, o: Option) -> list[int]:
    """Start months in which ``app_id`` taking option ``o`` keeps every rule
    about itself alone (:func:`solver.rules.app_violations`)."""
    d, H = o.duration_months, estate.settings.horizon_months
    return [s for s in range(0, H - d + 1)
            if not app_violations(estate, AppState(app_id, o, o.strategy, o.target_site,
                                                   s, d, s + d))]


def candidate_months(fits: list[int], near: int | None) -> list[int]:
    """The start months tried, best guesses first: the fitting month nearest
    ``near`` (the plan's own start), then the first, last, middle and quartile
    fitting months (a move's cost changes with its month mostly at hardware
    ends of life and contract ends, so the extremes and a spread catch the
    cheapest; months in between are not all tried)."""
    if not fits:
        return []
    first = min(fits, key=lambda s: (abs(s - near), s)) if near is not None else fits[0]
    n = len(fits)
    picks = [first, fits[0], fits[-1], fits[n // 2], fits[n // 4], fits[(3 * n) // 4]]
    return list(dict.fromkeys(picks))


def own_breaks(estate: Estate, st: AppState, new: Sequence[Violation],
               loads: Sequence[Violation]) -> tuple[str, ...]:
    """The rules a cloud move breaks that shifting the plan's other moves
    would not mend, in words: the new violations ``new`` of the switched plan
    that are not shared loads (``loads``), and those the move breaks on its
    own, its own load included (:func:`solver.rules.app_violations`)."""
    shared = set(loads)
    return tuple(dict.fromkeys([v.text for v in new if v not in shared]
                               + [v.text for v in app_violations(estate, st)]))


def option_of(estate: Estate, alt: Alternative) -> Option | None:
    """The cloud option an alternative takes."""
    for o in cloud_options(estate, alt.app_id):
        if o.strategy == alt.strategy and (o.target_site or "") == alt.target_site:
            return o
    return None


class _Search:
    """The best cloud alternative found so far of one application."""

    def __init__(self, estate: Estate, decisions: Sequence[Decision], app_id: str,
                 base: Evaluation, known: set[Violation]) -> None:
        self.estate, self.decisions, self.app_id = estate, decisions, app_id
        self.base, self.known = base, known
        self.best: tuple[tuple[int, float], Alternative] | None = None
        self.tried = 0

    def run(self, o: Option, s: int) -> None:
        """Evaluate the plan with the application switched to ``o`` from month ``s``."""
        start = label_at(self.estate.settings.horizon_start, s)
        switched = [Decision(self.app_id, o.strategy, target_site=o.target_site, start=start)
                    if d.app_id == self.app_id else d for d in self.decisions]
        ev = evaluate(self.estate, switched, check=True)
        self.tried += 1
        new = tuple(v for v in ev.violations if v not in self.known)
        own = own_breaks(self.estate, AppState(self.app_id, o, o.strategy, o.target_site, s,
                                               o.duration_months, s + o.duration_months),
                         new, ev.load_violations)
        alt = Alternative(self.app_id, o.strategy, o.target_site or "", start,
                          _minus(ev.totals, self.base.totals), tuple(v.text for v in new),
                          own, self.tried)
        key = (1 if own else 0, ev.totals.objective)
        if self.best is None or key < self.best[0]:
            self.best = (key, alt)

    def result(self) -> Alternative | None:
        if self.best is None:
            return None
        alt = self.best[1]
        return Alternative(alt.app_id, alt.strategy, alt.target_site, alt.start, alt.delta,
                           alt.breaks, alt.own_breaks, self.tried)


def cloud_alternatives(estate: Estate, decisions: Sequence[Decision], *,
                       seconds: float = DEFAULT_SECONDS) -> tuple[Alternative, ...]:
    """The best cloud alternative of every application not planned at a cloud site.

    Two passes within ``seconds``: first one start month a cloud option
    (the fitting month nearest the plan's start), so that every application
    gets a costed alternative; then, with the time left, the other candidate
    months (:func:`candidate_months`), round robin over the applications.

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
    base = evaluate(estate, decisions, check=True)
    known = set(base.violations)
    by_app = {d.app_id: d for d in decisions}
    work: list[tuple[_Search, list[tuple[Option, list[int]]]]] = []
    for app in estate.applications:
        if time.monotonic() - t0 > seconds:
            break
        dec = by_app.get(app.app_id, Decision(app.app_id, "retain"))
        site = estate.site_by_id.get(dec.target_site or "")
        if dec.strategy not in ("retain", "retire") and site is not None \
                and site.kind == "cloud":
            continue
        search = _Search(estate, decisions, app.app_id, base, known)
        rest: list[tuple[Option, list[int]]] = []
        for o in cloud_options(estate, app.app_id):
            near = _start(estate, dec, o)
            months = candidate_months(fitting_months(estate, app.app_id, o), near)
            if not months and near is not None:
                months = [near]  # breaks one of its own rules in every month: say which
            if months:
                search.run(o, months[0])
                rest.append((o, months[1:]))
        if search.best is not None:
            work.append((search, rest))
    # round robin: every application's second month before anyone's third
    queues = [[(search, o, s) for o, months in rest for s in months] for search, rest in work]
    for k in range(max((len(q) for q in queues), default=0)):
        for q in queues:
            if k < len(q):
                if time.monotonic() - t0 > seconds:
                    break
                search, o, s = q[k]
                search.run(o, s)
    return tuple(alt for search, _ in work if (alt := search.result()) is not None)
