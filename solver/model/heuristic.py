"""A constructive first plan, given to CP-SAT as a hint.

List scheduling over the model's own allowed pairs ``x[a,o,L]``: units are
``together`` groups, taken in an order that respects ``before`` (Kahn), with
the earliest deadline first (``must_finish_by`` and site ``exit_by``, pushed
back along ``before`` edges), then the largest monthly saving, then the longest
chain of ``before`` successors behind the unit (latest finish time). Each unit
takes the cheapest (options, common ``L``) — by the application tables, which
include every single-application server, site and contract — that keeps team
days, the critical and go-live limits, budget years and ``before`` with the
units already placed. A unit that fits nowhere is retained when it may be;
otherwise it is left out, and the schedule is made again with such units
first (at most four times); a unit still left out is left out of the hint (CP-SAT
repairs it).
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from estate.derive import together_groups, units_in_order
from estate.limits import Loads, binds
from estate.model import Option
from solver.model.costs import Weights, dot
from solver.model.extract import derive
from solver.model.variables import allowed_pairs

if TYPE_CHECKING:
    from typing import TypeAlias

    from solver.model.build import Builder, Choice
    from solver.model.prep import Prep

    Model: TypeAlias = "Builder | Pairs"


class Pairs:
    """The allowed (option key, L) pairs of every application, shaped as list
    scheduling reads them from a :class:`~solver.model.build.Builder` (``x``,
    ``choose``, ``live``), without building a model."""

    def __init__(self, prep: Prep) -> None:
        self.prep = prep
        self.x: dict[str, dict[tuple[str, int], None]] = {}
        for ap in prep.apps:
            pairs = {(o.key, L): None for o, L in allowed_pairs(prep, ap)}
            if pairs:
                self.x[ap.app_id] = pairs
        self.live = self.x
        self.choose = {a: {k: None for k, _ in xs} for a, xs in self.x.items()}
        # (weights, app, L, retained) -> its cheapest (cost, option key) at L
        # when no ``before`` edge is checked; shared by the copies of
        # :meth:`moving`, whose moving pairs are the same
        self.cheapest: dict[tuple[Weights, str, int, bool], tuple[float, str] | None] = {}
        # latest L of each application's pairs; its shortest move (shared)
        self.last = {a: max(L for _, L in xs) for a, xs in self.x.items()}
        self.shortest: dict[str, int] = {}

    def moving(self, apps: Collection[str]) -> Pairs | None:
        """A copy in which every application of ``apps`` has only its moving
        pairs (no ``retain``); None when one of them has none."""
        out = copy.copy(self)
        out.x = dict(self.x)
        out.choose = dict(self.choose)
        for a in apps:
            pairs = {p: None for p in self.x.get(a, {}) if p[0] != "retain"}
            if not pairs:
                return None
            out.x[a] = pairs
            out.choose[a] = {k: None for k, _ in pairs}
        out.last = {**self.last, **{a: max(L for _, L in out.x[a]) for a in apps}}
        out.live = out.x
        return out


class _Loads:
    """:class:`estate.limits.Loads` (the one definition of the load limits) fed
    with ``(app, option key, L)`` items: a move is in flight ``L-d … L-1``."""

    def __init__(self, b: Model) -> None:
        self.prep = b.prep
        self.loads = Loads(b.prep.estate)

    def _moves(self, items: list[tuple[str, str, int]]) -> list[tuple[str, Option, int]]:
        out = []
        for a, key, L in items:
            o = self.prep.app_by_id[a].opt(key)
            if o.moves and o.option is not None:
                out.append((a, o.option, L - o.d))
        return out

    def fits(self, items: list[tuple[str, str, int]]) -> bool:
        """Whether (app, option key, L) items all fit together."""
        return self.loads.fits(self._moves(items))

    def add(self, items: list[tuple[str, str, int]]) -> None:
        """Book the items."""
        self.loads.add(self._moves(items))


def _units(b: Model) -> list[list[str]]:
    """``together`` groups (:func:`estate.derive.together_groups`) of the
    applications with allowed pairs, in the order they are first met."""
    groups = together_groups(b.prep.estate)
    units: dict[tuple[str, ...], list[str]] = {}
    for a in b.live:
        unit = groups.get(a, (a,))
        if unit not in units:
            units[unit] = [m for m in unit if m in b.live]
    return list(units.values())


class _Order:
    """Units, their ``before`` order and deadlines (pushed back along ``before``
    edges to a forced move)."""

    def __init__(self, b: Model) -> None:
        prep, H = b.prep, b.prep.H
        self.units = _units(b)
        n = len(self.units)
        unit_of = {a: i for i, u in enumerate(self.units) for a in u}
        self.preds: dict[int, set[int]] = {i: set() for i in range(n)}
        self.succs: dict[int, set[int]] = {i: set() for i in range(n)}
        before = [(d.from_id, d.to_id) for d in prep.estate.dependencies
                  if d.kind == "before" and d.from_id in unit_of and d.to_id in unit_of]
        for fa, ta in before:
            if unit_of[fa] != unit_of[ta]:
                self.preds[unit_of[ta]].add(unit_of[fa])
                self.succs[unit_of[fa]].add(unit_of[ta])
        last = getattr(b, "last", None)
        deadline = [min(last[a] if last is not None else max(L for (_, L) in b.x[a])
                        for a in u) for u in self.units]
        changed = True
        while changed:
            changed = False
            for fa, ta in before:
                i, j = unit_of[fa], unit_of[ta]
                tt = [prep.app_by_id[ta].opt(k) for k, _ in b.x[ta] if k != "retain"]
                if i == j or deadline[j] >= H or not tt or not all(o.to_target for o in tt):
                    continue
                pushed = max(deadline[j] - min(o.d for o in tt), 0)
                if pushed < deadline[i]:  # strictly earlier, so the loop ends
                    deadline[i] = pushed
                    changed = True
        self.deadline = deadline
        self.tail = self._tails(b)

    def _tails(self, b: Model) -> list[int]:
        """Longest chain of shortest move durations from each unit through its
        ``before`` successors (the unit's own included): a tie-break that
        starts long chains first (latest-finish-time priority)."""
        prep = b.prep
        memo: dict[str, int] = getattr(b, "shortest", {})

        def shortest(a: str) -> int:
            if a not in memo:
                memo[a] = min((prep.app_by_id[a].opt(k).d for k in b.choose.get(a, {})
                               if prep.app_by_id[a].opt(k).moves), default=0)
            return memo[a]

        own = [max((shortest(a) for a in u), default=0) for u in self.units]
        tail = list(own)
        index = {a: i for i, u in enumerate(self.units) for a in u}
        order = dict.fromkeys(index[a] for u in units_in_order(prep.estate)
                              for a in u if a in index)
        for i in reversed(order):
            tail[i] = own[i] + max((tail[j] for j in self.succs[i]), default=0)
        return tail


def _saving(b: Model, w: Weights, unit: list[str], ratio: bool) -> float:
    """What the unit saves by moving at its best rather than staying (or
    moving last); with ``ratio`` per share of team capacity it takes (Smith's
    ratio)."""
    prep = b.prep
    total, load = 0.0, 1e-6
    for a in unit:
        ap = prep.app_by_id[a]
        costs = [dot(w, ap.opt(k).table[L]) for (k, L) in b.x[a]]
        total += max(costs) - min(costs)
        if ratio:
            load += min((sum(e * ap.opt(k).d / max(prep.team_caps[t], 1e-6)
                             for t, e in ap.opt(k).effort.items())
                         for k in b.choose.get(a, {}) if ap.opt(k).moves), default=0.0)
    return total / load if ratio else total


class _GroupCosts:
    """Increase of multi-application group costs when a unit goes live at ``L``
    over the units placed so far: ``f_G(max(D_G, L)) - f_G(D_G)``."""

    def __init__(self, b: Model, w: Weights, aware: bool) -> None:
        prep = b.prep
        self.groups_of: dict[str, list[int]] = {}
        if aware:
            for gi, g in enumerate(prep.groups):
                for a in g.apps:
                    self.groups_of.setdefault(a, []).append(gi)
        self.d_now = [0] * len(prep.groups)
        self.tables = [[dot(w, v) for v in g.table] for g in prep.groups]

    def of(self, unit: list[str]) -> list[int]:
        """Groups of a unit's applications."""
        return sorted({gi for a in unit for gi in self.groups_of.get(a, ())})

    def extra(self, gis: list[int]) -> Callable[[int], float]:
        """The increase as a function of ``L``."""
        d, t = self.d_now, self.tables
        return lambda L: sum(t[gi][max(d[gi], L)] - t[gi][d[gi]] for gi in gis)

    def book(self, gis: list[int], L: int) -> None:
        """Record a unit placed at ``L``."""
        for gi in gis:
            self.d_now[gi] = max(self.d_now[gi], L)


def first_plan(b: Model, w: Weights, group_aware: bool = True, ratio: bool = False,
               fixed: Choice | None = None, earliest: bool = False,
               repairs: int = 4) -> Choice:
    """A plan keeping every rule, as far as list scheduling finds one.

    With ``group_aware`` a unit's cost at ``L`` also counts the increase of
    every multi-application group's cost (servers, sites, contracts) over the
    units placed so far: ``f_G(max(D_G, L)) - f_G(D_G)``. With ``ratio`` units
    without deadline go by saving per share of team capacity (Smith's rule),
    else by saving. Units whose applications are all in ``fixed`` keep its
    pairs (booked before any other unit is placed); with ``earliest`` the
    other units move in the earliest month they fit rather than the cheapest.

    A unit that must move but finds no room left (earlier units took the team
    days before its deadline) is left out; then the schedule is made again
    with the units left out placed before every other unit their ``before``
    order allows (up to ``repairs`` times: a "squeaky wheel" repair), and the
    plan placing the most applications is returned.
    """
    order = _Order(b)
    held = {i for i, u in enumerate(order.units)
            if fixed is not None and all(a in fixed for a in u)}
    # the ranking's saving of each unit is the same on every pass
    savings = [0.0 if i in held else _saving(b, w, u, ratio) for i, u in enumerate(order.units)]
    urgent: set[int] = set()
    best: Choice = {}
    for _ in range(repairs + 1):
        choice, missing = _schedule(b, w, order, group_aware, savings, urgent, held, fixed,
                                    earliest)
        if len(choice) > len(best):
            best = choice
        if not missing or missing <= urgent:
            break
        urgent |= missing
    return best


def _schedule(b: Model, w: Weights, order: _Order, group_aware: bool, savings: list[float],
              urgent: set[int], held: set[int], fixed: Choice | None, earliest: bool
              ) -> tuple[Choice, set[int]]:
    """One list schedule (units in ``urgent`` first when their order allows,
    the ``held`` units of ``fixed`` booked as they are): the plan and the units
    it left out."""
    H = b.prep.H
    units, deadline = order.units, order.deadline
    groups = _GroupCosts(b, w, group_aware)
    tail = order.tail

    def rank(i: int) -> tuple[bool, int, float, int, int]:
        return (i not in urgent, deadline[i], -savings[i], -tail[i], i)

    heap = [rank(i) for i in range(len(units)) if not order.preds[i]]
    heapq.heapify(heap)
    waiting = {i: len(order.preds[i]) for i in range(len(units))}
    loads = _Loads(b)
    choice: Choice = {}
    missing: set[int] = set()
    for i in sorted(held):
        assert fixed is not None
        booked = [(a, *fixed[a]) for a in units[i]]
        loads.add(booked)
        for a, key, L in booked:
            groups.book(groups.of([a]), L)
            choice[a] = (key, L)
    while heap:
        i = heapq.heappop(heap)[-1]
        gis = groups.of(units[i])
        items = None
        if i not in held:
            items = _place(b, units[i], choice, loads, w, deadline[i], groups.extra(gis),
                           earliest)
            if items is None and deadline[i] < H:
                items = _place(b, units[i], choice, loads, w, H, groups.extra(gis), earliest)
            if items is None:
                missing.add(i)
        if items is not None:
            loads.add(items)
            groups.book(gis, items[0][2])
            for a, key_, L in items:
                choice[a] = (key_, L)
        for j in order.succs[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(heap, rank(j))
    return choice, missing


def _place(b: Model, unit: list[str], choice: Choice, loads: _Loads, w: Weights,
           deadline: int, extra: Callable[[int], float], earliest: bool = False
           ) -> list[tuple[str, str, int]] | None:
    """Cheapest feasible (options, common L <= deadline) of a unit, or None;
    with ``earliest`` the cheapest options of the earliest feasible moving L."""
    prep, H = b.prep, b.prep.H
    incoming = [(d.from_id, d.to_id) for d in prep.estate.dependencies
                if d.kind == "before" and d.to_id in unit and d.from_id in choice]
    tries = [(L, False) for L in sorted({L for a in unit for (k, L) in b.x[a]
                                         if k != "retain" and L <= deadline})]
    if deadline >= H and all(("retain", H) in b.x[a] for a in unit):
        tries.insert(0, (H, True))  # first: a move must save something to win
    by_L: dict[str, dict[int, list[str]]] = {}
    for a in unit:
        keys = by_L[a] = {}
        for key, LL in b.x[a]:
            keys.setdefault(LL, []).append(key)
    # the cheapest option of an application at L depends on the rest of the
    # plan only through ``before`` edges into the unit
    memo = None if incoming else getattr(b, "cheapest", None)
    offers: list[tuple[float, int, bool, list[tuple[str, str, int]]]] = []
    for idx, (L, retained) in enumerate(tries):
        items: list[tuple[str, str, int]] = []
        cost = extra(L)
        for a in unit:
            mkey = (w, a, L, retained)
            if memo is not None and mkey in memo:
                got = memo[mkey]
            else:
                ap = prep.app_by_id[a]
                cands = []
                for key in by_L[a].get(L, ()):
                    if (key == "retain") != retained:
                        continue
                    o = ap.opt(key)
                    if o.to_target and not _before_ok(b, a, o.d, L, incoming, choice):
                        continue
                    cands.append((dot(w, o.table[L]), key))
                got = min(cands) if cands else None
                if memo is not None:
                    memo[mkey] = got
            if got is None:
                break
            c, key = got
            items.append((a, key, L))
            cost += c
        else:
            offers.append((cost, idx, retained, items))
    if not earliest:  # the cheapest that fits (ties: the first tried); loads checked lazily
        offers.sort(key=lambda t: (t[0], t[1]))
        return next((items for _, _, _, items in offers if loads.fits(items)), None)
    best: tuple[float, list[tuple[str, str, int]]] | None = None
    for cost, _, retained, items in offers:
        if (best is None or cost < best[0]) and loads.fits(items):
            best = (cost, items)
            if not retained:
                break
    return None if best is None else best[1]


def _before_ok(b: Model, a: str, d: int, L: int, incoming: list[tuple[str, str]],
               choice: Choice) -> bool:
    for fa, ta in incoming:
        if ta != a:
            continue
        key, lf = choice[fa]
        if not binds(b.prep.estate, L - d):
            continue  # it started before the plan: fact (estate.limits.binds)
        if key == "retain" or L - d < lf:
            return False
    return True


def retain_idle_moves(prep: Prep, w: Weights, choice: Choice) -> Choice:
    """Retain instead every move that only goes live at the horizon's end
    (``L = H``) when that changes neither the objective nor any rule: such a
    move has no effect the plan measures, and equal plans should not ask for
    work. A whole ``together`` group (:func:`estate.derive.together_groups`,
    not only direct partners) changes together; an application another one
    needs ``before`` it moves to a target is left alone."""
    H = prep.H
    needed = {d.from_id for d in prep.estate.dependencies if d.kind == "before"
              and d.to_id in choice and prep.app_by_id[d.to_id].opt(choice[d.to_id][0]).to_target}
    groups = together_groups(prep.estate)
    out = dict(choice)
    value = dot(w, derive(prep, out).vec)
    for a, (key, L) in choice.items():
        unit = set(groups.get(a, (a,)))
        if L != H or key == "retain" or out[a][0] == "retain" or unit & needed:
            continue
        if any(out[u][1] != H or not _may_retain(prep, u) for u in unit):
            continue
        trial = dict(out)
        for u in unit:
            trial[u] = ("retain", H)
        v = dot(w, derive(prep, trial).vec)
        if v <= value + 1e-9 * max(abs(value), 1.0):
            out, value = trial, v
    return out


def _may_retain(prep: Prep, a: str) -> bool:
    return any(o.key == "retain" for o, _ in allowed_pairs(prep, prep.app_by_id[a]))
