"""Capacity families of the CP-SAT model, one function each: the team's days,
critical applications in flight and go-lives a month (cumulative constraints
plus, in the time-indexed model, month-by-month rows), and the budget of each
financial year. Applications held at one pair (``Builder(held=...)``) count
as fixed loads; see :mod:`solver.model.constraints` for the other families.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from estate.limits import binds
from solver.model.constraints import flight_starts, planned_flight

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.prep import Prep

BUDGET_SCALE = 10_000  # budget in 1/100 of a penny


def _scale(values: list[float]) -> int:
    """Smallest power of ten (<= 10^4) that makes every value integral."""
    for k in range(5):
        f = 10 ** k
        if all(abs(v * f - round(v * f)) < 1e-9 for v in values):
            return f
    return 10 ** 4


def _capacity(b: Builder, name: str, cap: int, top: int, rule: tuple[str, ...]
              ) -> cp_model.IntVar | int:
    """A capacity: the constant ``cap``, or in explain mode a variable
    ``cap <= c <= top`` held at ``cap`` by the rule's literal."""
    if not b.explain:
        return cap
    c = b.m.new_int_var(cap, max(cap, top), f"capacity[{name}]")
    b.m.add(c <= cap).only_enforce_if(b.rule(rule))
    return c


def _held_load(b: Builder, weight, shift_lo: int) -> tuple[dict[int, int], int]:
    """The load of the held applications per binding month (``weight(a,o)``
    in the months ``L - shift_lo <= t < L``, ``shift_lo < 0``: the flight) and
    how many of them load some month: constants that the capacity rows and
    resources of :func:`_month_rows` and :func:`_capacity_profile` take off
    the right-hand side."""
    load: dict[int, int] = {}
    n = 0
    e, prep = b.prep.estate, b.prep
    for a, (key, L) in b.held.items():
        ap = prep.app_by_id[a]
        o = ap.opt(key)
        w = weight(ap, o)
        if not w:
            continue
        counted = False
        for t in range(L - (o.d if shift_lo < 0 else shift_lo), L):
            if binds(e, t):
                load[t] = load.get(t, 0) + w
                counted = True
        n += counted
    return load, n


def _fixed_profile(b: Builder, load: dict[int, int], name: str
                   ) -> tuple[list[cp_model.IntervalVar], list[int]]:
    """Fixed intervals whose demands add up to ``load`` month by month (one per
    run of months of equal load): the held applications in a cumulative."""
    ivs: list[cp_model.IntervalVar] = []
    dem: list[int] = []
    months = sorted(load)
    i = 0
    while i < len(months):
        j = i
        while (j + 1 < len(months) and months[j + 1] == months[j] + 1
               and load[months[j + 1]] == load[months[i]]):
            j += 1
        if load[months[i]] > 0:
            t0, t1 = months[i], months[j] + 1
            ivs.append(b.m.new_fixed_size_interval_var(t0, t1 - t0, f"held[{name},t={t0}]"))
            dem.append(load[months[i]])
        i = j + 1
    return ivs, dem


def _month_rows(b: Builder, weight, shift_lo: int, shift_hi: int, cap: int,
                held: dict[int, int] | None = None) -> None:
    """Time-indexed relaxation: for each month t, ``Σ weight(a,o)·x[a,o,L] <= cap
    - held[t]`` over the ``x`` with ``L - shift_lo <= t < L - shift_hi`` (in
    flight: (d, 0); go-live: (1, 0)) and ``held[t]`` the held applications'
    load (:func:`_held_load`)."""
    held = held or {}
    rows: dict[int, tuple[list[cp_model.IntVar], list[int]]] = {}
    by_id = b.prep.app_by_id
    for a, xs in b.x.items():
        ap = by_id[a]
        for (key, L), v in xs.items():
            o = ap.opt(key)
            w = weight(ap, o)
            if not w:
                continue
            lo = L - (o.d if shift_lo < 0 else shift_lo)
            for t in range(lo, L - shift_hi):
                r = rows.setdefault(t, ([], []))
                r[0].append(v)
                r[1].append(w)
    for t, (vs, ws) in rows.items():
        room = cap - held.get(t, 0)
        if sum(ws) > room and binds(b.prep.estate, t):  # the past is fact
            b.m.add(cp_model.LinearExpr.weighted_sum(vs, ws) <= room)


def add_team_capacity(b: Builder) -> None:
    """Teams: in each month, Σ effort of the options in flight <= the team's days.

    Formula: ``Cumulative({flight[a,o] with demand effort_team(o)}, days_team)``
    (effort and days scaled to integers by a power of ten), plus the
    time-indexed rows ``Σ effort·x[a,o,L] <= days`` over the ``x`` in flight at
    each month (they give the LP relaxation its strength).
    Only months from the first planned month ``p`` on count
    (:func:`estate.limits.binds`): a fixed move that started before ``p``
    counts as ``[p, L)`` (:func:`_planned_flight`), a go-live before ``p`` not
    at all, and the rows start at ``p``. Held applications' effort is a fixed
    profile in the cumulative and comes off the rows' right-hand side.
    """
    prep = b.prep
    for team, days in prep.team_caps.items():
        efforts = [o.effort.get(team, 0.0) for ap in prep.apps for o in ap.options]
        if not any(efforts):
            continue
        f = _scale(efforts + [days])
        cap = int(round(days * f))
        ivs, dem = [], []
        for a, flights in b.flight.items():
            ap = prep.app_by_id[a]
            for key, iv in flights.items():
                e = int(round(ap.opt(key).effort.get(team, 0.0) * f))
                part = planned_flight(b, a, key, iv) if e else None
                if part is not None:
                    ivs.append(part)
                    dem.append(e)
        if not ivs:
            continue

        def effort(ap, o, t=team, f=f):
            return int(round(o.effort.get(t, 0.0) * f)) if o.moves else 0

        held, _ = _held_load(b, effort, -1) if b.held else ({}, 0)
        if held:
            fixed_ivs, fixed_dem = _fixed_profile(b, held, f"team={team}")
            ivs, dem = ivs + fixed_ivs, dem + fixed_dem
        c = _capacity(b, f"team={team}", cap, sum(dem), ("team", team))
        b.m.add_cumulative(ivs, dem, c)
        if b.time_indexed and not b.explain:
            _month_rows(b, effort, -1, 0, cap, held)


def _with_held(b: Builder, ivs: list, held: dict[int, int], name: str
               ) -> tuple[list, list[int]]:
    """``ivs`` with demand 1 each, plus the held applications' fixed profile
    (:func:`_fixed_profile`) when there is one."""
    dem = [1] * len(ivs)
    if held:
        fixed_ivs, fixed_dem = _fixed_profile(b, held, name)
        ivs, dem = ivs + fixed_ivs, dem + fixed_dem
    return ivs, dem


def add_critical_limit(b: Builder) -> None:
    """Critical applications in flight in a month <= ``max_critical_in_flight``.

    Formula: ``Cumulative({flight[a,o] : a critical}, demand 1, limit)``
    (``NoOverlap`` when the limit is 1), plus time-indexed rows.
    Only months from the first planned month ``p`` on count
    (:func:`estate.limits.binds`): a fixed move that started before ``p``
    counts as ``[p, L)`` (:func:`_planned_flight`), a go-live before ``p`` not
    at all, and the rows start at ``p``.
    """
    prep = b.prep
    limit = prep.estate.settings.max_critical_in_flight
    ivs = [part for a, flights in b.flight.items() if prep.app_by_id[a].critical
           for key, iv in flights.items()
           if (part := planned_flight(b, a, key, iv)) is not None]

    def critical(ap, o):
        return 1 if ap.critical and o.moves else 0

    held, n_held = _held_load(b, critical, -1) if b.held else ({}, 0)
    if not ivs or len(ivs) + n_held <= limit:
        return
    ivs, dem = _with_held(b, ivs, held, "critical")
    if limit == 1 and not b.explain and max(dem) <= 1:
        b.m.add_no_overlap(ivs)
    else:
        c = _capacity(b, "critical", limit, sum(dem), ("critical",))
        b.m.add_cumulative(ivs, dem, c)
    if b.time_indexed and not b.explain:
        _month_rows(b, critical, -1, 0, limit, held)


def add_golive_limit(b: Builder) -> None:
    """Applications going live in a month <= ``max_golives_per_month``.

    Formula: ``Cumulative({golive[a]}, demand 1, limit)`` with
    ``golive[a] = [L-1, L)``, plus rows ``Σ_{o moves} x[a,o,t+1] <= limit``.
    Only months from the first planned month ``p`` on count
    (:func:`estate.limits.binds`): a fixed move that started before ``p``
    counts as ``[p, L)`` (:func:`_planned_flight`), a go-live before ``p`` not
    at all, and the rows start at ``p``.
    """
    limit = b.prep.estate.settings.max_golives_per_month
    if limit is None:
        return
    e = b.prep.estate
    ivs = [iv for a, iv in b.golive.items()
           if any(binds(e, L - 1) for _, _, L in flight_starts(b, a))]

    def moves(ap, o):
        return 1 if o.moves else 0

    held, n_held = _held_load(b, moves, 1) if b.held else ({}, 0)
    if not ivs or len(ivs) + n_held <= limit:
        return
    ivs, dem = _with_held(b, ivs, held, "golive")
    c = _capacity(b, "golive", limit, sum(dem), ("golive",))
    b.m.add_cumulative(ivs, dem, c)
    if b.time_indexed and not b.explain:
        _month_rows(b, moves, 1, 0, limit, held)


def budget_amount(prep: Prep, one_off: float, d: int, L: int, fy: int) -> float:
    """Undiscounted one-off £ of a flight ``[L-d, L)`` that falls in financial
    year ``fy`` (``one_off/d`` a month)."""
    n = sum(1 for t in range(L - d, L) if 0 <= t < prep.H and prep.fy(t) == fy)
    return one_off / d * n


def _budget_units(prep: Prep, o, L: int, fy: int) -> int:
    """``amount_fy(o, L)`` in budget units (0 for an option that does not move
    or costs nothing one-off)."""
    if not o.moves or o.one_off <= 0:
        return 0
    cache = prep.cache.setdefault("budget_units", {})
    key = (o.one_off, o.d, L, fy)
    got = cache.get(key)
    if got is None:
        got = cache[key] = int(round(budget_amount(prep, o.one_off, o.d, L, fy) * BUDGET_SCALE))
    return got


def add_budget(b: Builder) -> None:
    """Budget: per listed financial year, Σ one-off in flight <= ``one_off_limit``.

    Formula: ``Σ_{a,o,L} amount_fy(o, L)·x[a,o,L] <= limit_fy`` (undiscounted,
    in 1/100 of a penny, rounded; replacements do not count). Held
    applications' amounts come off ``limit_fy``.
    """
    prep = b.prep
    for fy, limit in prep.budget.items():
        vs, ws = [], []
        for a, xs in b.x.items():
            ap = prep.app_by_id[a]
            for (key, L), v in xs.items():
                w = _budget_units(prep, ap.opt(key), L, fy)
                if w:
                    vs.append(v)
                    ws.append(w)
        held = sum(_budget_units(prep, prep.app_by_id[a].opt(key), L, fy)
                   for a, (key, L) in b.held.items())
        cap = int(round(limit * BUDGET_SCALE)) - held
        if not vs or (sum(ws) <= cap and not b.explain):
            continue
        ct = b.m.add(cp_model.LinearExpr.weighted_sum(vs, ws) <= cap)
        if b.explain:
            ct.only_enforce_if(b.rule(("budget", str(fy))))
