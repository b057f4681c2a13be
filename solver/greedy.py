"""The greedy plan (planning-model.md, *Objective*; docs/interpretation.md).

Units are ``together`` groups (connected components of ``together`` edges,
found with a union-find) and single applications, placed one at a time in
topological order of ``before`` contracted to units (ties by the unit's
smallest app_id). Each member takes the option at a cloud site with the
lowest ``one_off_cost + 12 × monthly_cost``, else the cheapest non-retain
option by the same measure, else retain (a unit with a retained member is
retained whole); pins restrict the choice. The unit then takes the earliest
common live-from month ``L`` (member i starts at ``L - d_i``) that keeps every
rule with the units already placed: team days, critical applications in
flight, go-lives a month, blackout and freeze months, earliest start,
``before`` with placed units, ``must_finish_by``, the ``exit_by`` of the sites
its servers stand on and the budget. A unit that fits nowhere is retained.
The result is re-evaluated with every rule; ``None`` when it breaks one.

Loads are kept per month and updated incrementally, so an estate of a few
thousand applications is planned in about a second.

Imports only :mod:`estate`, :mod:`solver` and the standard library.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable

from estate.derive import team_capacity
from estate.model import Estate, Option
from estate.months import calendar_month, financial_year, label_at, month_index
from estate.plan import Decision
from solver.evaluate import Evaluation, evaluate
from solver.rules import EPS

_Unit = tuple[str, ...]


class _UnionFind:
    """Disjoint sets of ids (path halving, union by size)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}
        self.size = dict.fromkeys(self.parent, 1)

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def units_in_order(estate: Estate) -> list[_Unit]:
    """``together`` groups and single applications, topologically by ``before``.

    Members of a unit are sorted by app_id; among units ready at the same
    time the one with the smallest app_id comes first. Units on a ``before``
    cycle (which no plan can satisfy) follow in app_id order.
    """
    uf = _UnionFind(a.app_id for a in estate.applications)
    for dep in estate.dependencies:
        if dep.kind == "together" and dep.from_id in uf.parent and dep.to_id in uf.parent:
            uf.union(dep.from_id, dep.to_id)
    members: dict[str, list[str]] = defaultdict(list)
    for a in estate.applications:
        members[uf.find(a.app_id)].append(a.app_id)
    unit_of = {root: tuple(sorted(ms)) for root, ms in members.items()}
    succ: dict[_Unit, set[_Unit]] = {u: set() for u in unit_of.values()}
    indeg = dict.fromkeys(succ, 0)
    for dep in estate.dependencies:
        if dep.kind != "before" or dep.from_id not in uf.parent or dep.to_id not in uf.parent:
            continue
        u, v = unit_of[uf.find(dep.from_id)], unit_of[uf.find(dep.to_id)]
        if u != v and v not in succ[u]:
            succ[u].add(v)
            indeg[v] += 1
    ready = [(u[0], u) for u, n in indeg.items() if n == 0]
    heapq.heapify(ready)
    order: list[_Unit] = []
    while ready:
        _, u = heapq.heappop(ready)
        order.append(u)
        for v in succ[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                heapq.heappush(ready, (v[0], v))
    placed = set(order)
    order += sorted((u for u in succ if u not in placed), key=lambda u: u[0])
    return order


def choose_option(estate: Estate, app_id: str) -> Option | None:
    """The greedy option of one application (``None`` = retain).

    Cloud-site option with the lowest ``one_off_cost + 12 × monthly_cost``,
    else the cheapest non-retain option; options at a site with ``exit_by``
    are never chosen; a pin restricts the candidates (ties: estate order).
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


class _Loads:
    """Per-month loads of the units placed so far, and the rules that bound them."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        st = estate.settings
        self.H = st.horizon_months
        self.hs = st.horizon_start
        self.team_cap = team_capacity(estate)
        self.days: dict[str, list[float]] = {t: [0.0] * self.H for t in self.team_cap}
        self.critical = [0] * self.H
        self.golives = [0] * self.H
        self.fy = [financial_year(self.hs, t) for t in range(self.H)]
        self.cal = [calendar_month(self.hs, t) for t in range(self.H)]
        self.budget = {b.financial_year: b.one_off_limit for b in estate.budget}
        self.spend: dict[str, float] = defaultdict(float)

    def fits(self, items: list[tuple[str, Option, int]]) -> bool:
        """Whether these (app, option, start) in flight keep every load rule."""
        st = self.estate.settings
        add_days: dict[tuple[str, int], float] = defaultdict(float)
        add_crit: dict[int, int] = defaultdict(int)
        add_go: dict[int, int] = defaultdict(int)
        add_spend: dict[str, float] = defaultdict(float)
        for app_id, opt, s in items:
            app = self.estate.app_by_id[app_id]
            d = opt.duration_months
            for t in range(s, s + d):
                if self.cal[t] in app.blackout_months:
                    return False
                for team, dd in opt.effort.items():
                    if dd:
                        add_days[(team, t)] += dd
                if app.criticality == "critical":
                    add_crit[t] += 1
                add_spend[self.fy[t]] += opt.one_off_cost / d
            add_go[s + d - 1] += 1
        for (team, t), dd in add_days.items():
            cap = self.team_cap.get(team)
            if cap is None or self.days[team][t] + dd > cap + EPS * max(1.0, cap):
                return False
        for t, n in add_crit.items():
            if self.critical[t] + n > st.max_critical_in_flight:
                return False
        if st.max_golives_per_month is not None:
            for t, n in add_go.items():
                if self.golives[t] + n > st.max_golives_per_month:
                    return False
        for fy, x in add_spend.items():
            lim = self.budget.get(fy)
            if lim is not None and self.spend[fy] + x > lim + EPS * max(1.0, lim):
                return False
        return True

    def add(self, items: list[tuple[str, Option, int]]) -> None:
        """Book these (app, option, start) in flight."""
        for app_id, opt, s in items:
            crit = self.estate.app_by_id[app_id].criticality == "critical"
            d = opt.duration_months
            for t in range(s, s + d):
                for team, dd in opt.effort.items():
                    self.days[team][t] += dd
                self.critical[t] += crit
                self.spend[self.fy[t]] += opt.one_off_cost / d
            self.golives[s + d - 1] += 1


def _deadlines(estate: Estate) -> dict[str, int]:
    """Latest L of each application: must_finish_by and its sites' exit_by."""
    hs, H = estate.settings.horizon_start, estate.settings.horizon_months
    out = {a.app_id: H for a in estate.applications}
    for a in estate.applications:
        if a.must_finish_by is not None:
            out[a.app_id] = min(out[a.app_id], month_index(hs, a.must_finish_by))
    for srv in estate.servers:
        sites = [srv.site_id]
        if srv.host_id is not None and srv.host_id in estate.server_by_id:
            sites.append(estate.server_by_id[srv.host_id].site_id)
        for sid in sites:
            site = estate.site_by_id.get(sid)
            if site is not None and site.exit_by is not None:
                x = month_index(hs, site.exit_by)
                for aid in srv.app_ids:
                    if aid in out:
                        out[aid] = min(out[aid], x)
    return out


class _Greedy:
    """State of one greedy pass: loads, live-from months and options placed."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.loads = _Loads(estate)
        self.deadline = _deadlines(estate)
        self.before_in: dict[str, list[str]] = defaultdict(list)
        self.before_out: dict[str, list[str]] = defaultdict(list)
        for dep in estate.dependencies:
            if dep.kind == "before":
                self.before_in[dep.to_id].append(dep.from_id)
                self.before_out[dep.from_id].append(dep.to_id)
        self.live: dict[str, int] = {}
        self.placed: dict[str, Option] = {}

    def window(self, unit: _Unit, opts: dict[str, Option]) -> tuple[int, int] | None:
        """Bounds ``lo … hi`` of the unit's common L from the non-load rules."""
        est, hs = self.estate, self.loads.hs
        lo, hi = 1, min([self.loads.H] + [self.deadline[a] for a in unit])
        for a in unit:
            app, o = est.app_by_id[a], opts[a]
            d = o.duration_months
            lo = max(lo, d)
            if app.earliest_start is not None:
                lo = max(lo, month_index(hs, app.earliest_start) + d)
            if o.to_target:
                for p in self.before_in.get(a, ()):
                    if p in unit or p not in self.live:
                        return None  # before inside a group, or predecessor retained
                    lo = max(lo, self.live[p] + d)
            for q in self.before_out.get(a, ()):  # successor placed first (a before cycle)
                if q in self.live and self.placed[q].to_target:
                    hi = min(hi, self.live[q] - self.placed[q].duration_months)
            pin = est.pin_by_app.get(a)
            if pin is not None and pin.start is not None:
                fixed = month_index(hs, pin.start) + d
                lo, hi = max(lo, fixed), min(hi, fixed)
        return lo, hi

    def place(self, unit: _Unit) -> None:
        """Place a unit at its earliest common L, or leave it retained."""
        chosen = {a: choose_option(self.estate, a) for a in unit}
        opts = {a: o for a, o in chosen.items() if o is not None}
        if len(opts) < len(unit):
            return
        bounds = self.window(unit, opts)
        if bounds is None:
            return
        freeze = self.estate.settings.freeze_months
        for L in range(bounds[0], bounds[1] + 1):
            if self.loads.cal[L - 1] in freeze:
                continue
            items = [(a, opts[a], L - opts[a].duration_months) for a in unit]
            if self.loads.fits(items):
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
                out.append(Decision(a, o.strategy, o.target_site,
                                    label_at(hs, self.live[a] - o.duration_months)))
            else:
                keep = next((o for o in self.estate.options_by_app.get(a, ())
                             if o.strategy == "retain"), None)
                out.append(Decision(a, "retain", keep.target_site if keep else None))
        return out


def greedy_attempt(estate: Estate) -> tuple[list[Decision], Evaluation]:
    """The greedy decisions and their evaluation (with every rule checked)."""
    g = _Greedy(estate)
    for unit in units_in_order(estate):
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
