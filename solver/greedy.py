"""The greedy plan (docs/planning-model.md, *Objective*; docs/interpretation.md).

Units are ``together`` groups (connected components of ``together`` edges,
:func:`estate.derive.together_groups`) and single applications, placed one at a time in
topological order of ``before`` contracted to units (ties by the unit's
smallest app_id). Each member takes the option at a cloud site with the
lowest ``one_off_cost + 12 × monthly_cost``, else the cheapest non-retain
option by the same measure, else retain (a unit with a retained member is
retained whole); pins restrict the choice, and the loads of units whose start
is pinned are booked before any unit is placed (their months are fixed). The
unit then takes the earliest
common live-from month ``L`` (member i starts at ``L - d_i``) that keeps every
rule with the units already placed: team days, critical applications in
flight, go-lives a month, blackout and freeze months, earliest start, the
residents' notice, ``before`` with placed units, ``must_finish_by``, the ``exit_by`` of the sites
its servers stand on and the budget. A unit that fits nowhere is retained.
The result is re-evaluated with every rule; ``None`` when it breaks one.

Loads are kept per month and updated incrementally, so an estate of a few
thousand applications is planned in about a second.

Imports only :mod:`estate`, :mod:`solver` and the standard library.
"""

from __future__ import annotations

from collections import defaultdict

from estate.derive import Unit, units_in_order
from estate.limits import Loads, binds, blackout_free, deadlines, notice_applies, notice_bound
from estate.model import Estate, Option
from estate.months import calendar_month, label_at, month_index
from estate.plan import Decision
from estate.policy import residency_allows
from solver.evaluate import Evaluation, evaluate


def choose_option(estate: Estate, app_id: str) -> Option | None:
    """The greedy option of one application (``None`` = retain).

    Cloud-site option with the lowest ``one_off_cost + 12 × monthly_cost``,
    else the cheapest non-retain option; options at a site with ``exit_by``
    and options the application's ``data_residency`` refuses are never chosen;
    a pin restricts the candidates (ties: estate order).
    """
    pin = estate.pin_by_app.get(app_id)
    if pin is not None and pin.strategy == "retain":
        return None
    cands = []
    for o in estate.options_by_app.get(app_id, ()):
        if not o.moves:
            continue
        site = estate.site_by_id.get(o.target_site) if o.target_site else None
        if site is not None and site.exit_by is not None:
            continue
        if not residency_allows(estate, app_id, o.target_site):
            continue
        if pin is not None and pin.strategy is not None and o.strategy != pin.strategy:
            continue
        if pin is not None and pin.target_site is not None and o.target_site != pin.target_site:
            continue
        cands.append(o)

    def measure(o: Option) -> float:
        return o.one_off_cost + 12 * o.monthly_cost

    cloud = [o for o in cands if o.to_target and o.target_site is not None
             and estate.site_by_id[o.target_site].kind == "cloud"]
    pool = cloud or cands
    return min(pool, key=measure) if pool else None


class _Greedy:
    """State of one greedy pass: loads, live-from months and options placed."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.loads = Loads(estate)
        self.deadline = deadlines(estate)
        self.hs = estate.settings.horizon_start
        self.before_in: dict[str, list[str]] = defaultdict(list)
        self.before_out: dict[str, list[str]] = defaultdict(list)
        for dep in estate.dependencies:
            if dep.kind == "before":
                self.before_in[dep.to_id].append(dep.from_id)
                self.before_out[dep.from_id].append(dep.to_id)
        self.live: dict[str, int] = {}
        self.placed: dict[str, Option] = {}
        self.held: dict[Unit, list[tuple[str, Option, int]]] = {}

    def hold(self, units: list[Unit]) -> None:
        """Book the loads of every unit whose start is pinned (its months are
        fixed) before placing any, so that units placed earlier in ``before``
        order cannot take the capacity the pinned ones need."""
        hs = self.hs
        for unit in units:
            pinned = [(a, p) for a in unit if (p := self.estate.pin_by_app.get(a)) is not None
                      and p.start is not None]
            opts = {a: choose_option(self.estate, a) for a in unit}
            if not pinned or any(o is None for o in opts.values()):
                continue
            a0, p0 = pinned[0]
            L = month_index(hs, p0.start or "") + opts[a0].duration_months  # type: ignore[union-attr]
            items = [(a, o, L - o.duration_months) for a, o in opts.items() if o is not None]
            if all(0 <= s and s + o.duration_months <= self.loads.H for _, o, s in items) \
                    and self.loads.fits(items):
                self.loads.add(items)
                self.held[unit] = items

    def window(self, unit: Unit, opts: dict[str, Option]) -> tuple[int, int] | None:
        """Bounds ``lo … hi`` of the unit's common L from the non-load rules."""
        est, hs = self.estate, self.hs
        lo, hi = 1, min([self.loads.H] + [self.deadline[a] for a in unit])
        for a in unit:
            app, o = est.app_by_id[a], opts[a]
            d = o.duration_months
            pin = est.pin_by_app.get(a)
            s0 = None if pin is None or pin.start is None else month_index(hs, pin.start)
            # a move pinned to start (or go live) before the first planned month
            # happened: the rules of the whole estate do not re-decide it
            # (estate.limits.binds)
            past = s0 is not None and not binds(est, s0)
            told = s0 is not None and not notice_applies(est, s0)
            lo = max(lo, d, 1 if told else notice_bound(est, a))
            if app.earliest_start is not None:
                lo = max(lo, month_index(hs, app.earliest_start) + d)
            if o.to_target and not past:
                for p in self.before_in.get(a, ()):
                    if p in unit or p not in self.live:
                        return None  # before inside a group, or predecessor retained
                    lo = max(lo, self.live[p] + d)
            for q in self.before_out.get(a, ()):  # successor placed first (a before cycle)
                if q in self.live and self.placed[q].to_target \
                        and binds(est, self.live[q] - self.placed[q].duration_months):
                    hi = min(hi, self.live[q] - self.placed[q].duration_months)
            if s0 is not None:
                fixed = s0 + d
                lo, hi = max(lo, fixed), min(hi, fixed)
        return lo, hi

    def place(self, unit: Unit) -> None:
        """Place a unit at its earliest common L, or leave it retained."""
        held = self.held.pop(unit, None)
        if held is not None:
            self.loads.add(held, sign=-1)
        chosen = {a: choose_option(self.estate, a) for a in unit}
        opts = {a: o for a, o in chosen.items() if o is not None}
        if len(opts) < len(unit):
            return
        bounds = self.window(unit, opts)
        if bounds is None:
            return
        freeze = self.estate.settings.freeze_months
        for L in range(bounds[0], bounds[1] + 1):
            if calendar_month(self.hs, L - 1) in freeze and binds(self.estate, L - 1):
                continue
            items = [(a, opts[a], L - opts[a].duration_months) for a in unit]
            if all(blackout_free(self.estate, a, s, o.duration_months) for a, o, s in items) \
                    and self.loads.fits(items):
                self.loads.add(items)
                for a in unit:
                    self.live[a] = L
                    self.placed[a] = opts[a]
                return

    def decisions(self) -> list[Decision]:
        """A decision for every application (retain when not placed)."""
        hs = self.estate.settings.horizon_start
        out: list[Decision] = []
        for app in self.estate.applications:
            a = app.app_id
            if a in self.live:
                o = self.placed[a]
                out.append(Decision(a, o.strategy, target_site=o.target_site,
                                    start=label_at(hs, self.live[a] - o.duration_months)))
            else:
                keep = next((o for o in self.estate.options_by_app.get(a, ())
                             if o.strategy == "retain"), None)
                out.append(Decision(a, "retain", target_site=keep.target_site if keep else None))
        return out


def greedy_attempt(estate: Estate) -> tuple[list[Decision], Evaluation]:
    """The greedy decisions and their evaluation (with every rule checked)."""
    g = _Greedy(estate)
    units = units_in_order(estate)
    g.hold(units)
    for unit in units:
        g.place(unit)
    decisions = g.decisions()
    return decisions, evaluate(estate, decisions, check=True)


def greedy_decisions(estate: Estate) -> list[Decision] | None:
    """The greedy plan's decisions, or ``None`` when it breaks a rule."""
    decisions, ev = greedy_attempt(estate)
    return decisions if ev.feasible else None


def greedy(estate: Estate) -> tuple[list[Decision] | None, Evaluation | None]:
    """The greedy decisions and their evaluation, or ``(None, None)``."""
    decisions, ev = greedy_attempt(estate)
    return (decisions, ev) if ev.feasible else (None, None)
