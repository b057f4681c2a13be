"""Constraint families of the CP-SAT model, one function each.

The per-application restrictions (``earliest_start``, ``blackout_months``,
``freeze_months``, ``must_finish_by``, site ``exit_by``, the residents' notice
and pins) are applied to
the domains of ``x[a,o,L]`` when the variables are created (see
:func:`solver.model.domains.violated` and :func:`add_domain_rules`); the
families here couple applications. In *explain* mode each rule instance is
enforced by its own assumption literal (``Builder.rule``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from estate.limits import binds
from solver.model.variables import ge, live_of, present, retain_of, starts_before

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.costs import Objective
    from solver.model.prep import Prep

BUDGET_SCALE = 10_000  # budget in 1/100 of a penny


def add_domain_rules(b: Builder) -> None:
    """Blackouts, freeze, earliest start, must-finish-by, site exit, residents and pins.

    Formulae (on the domain of ``x[a,o,L]``, ``s = L - d``): ``s >= earliest``;
    ``month(t) ∉ blackout`` for ``t in s … L-1``; ``month(L-1) ∉ freeze``;
    ``L <= must_finish_by`` (retain forbidden when it lies inside the horizon);
    ``L <= exit_by`` of every site the application runs on (retain forbidden
    when ``exit_by < H``), never targeting a site with ``exit_by``;
    ``L >= resident_live_from`` for a resident-facing move; pinned
    strategy / target / start. Nothing is added here: the forbidden pairs are
    never created (or, in explain mode, carry ``rule ⇒ ¬x``), see
    :func:`solver.model.variables.add_choice_variables` and the per-family
    checks :func:`~solver.model.domains.start_and_finish`,
    :func:`~solver.model.domains.blackouts_and_freeze`,
    :func:`~solver.model.domains.site_exit`, :func:`~solver.model.domains.residents`,
    :func:`~solver.model.domains.pins`,
    :func:`~solver.model.domains.must_move`.
    """


def _tt(b: Builder, a: str) -> list[tuple[int, int, cp_model.IntVar | int]]:
    """(d, L, x) of every x of ``a`` whose option runs at a target (a
    timing-only application that goes to a target: one entry, ``x = 1``)."""
    ap = b.prep.app_by_id[a]
    fixed = b.held.get(a)
    if fixed is not None:
        o = ap.opt(fixed[0])
        return [(o.d, fixed[1], 1)] if o.to_target else []
    held = b.timing_only.get(a)
    if held is not None:
        o = ap.opt(held[0])
        return [(o.d, held[1][0], 1)] if o.to_target else []
    out: list[tuple[int, int, cp_model.IntVar | int]] = []
    for (key, L), v in b.x[a].items():
        o = ap.opt(key)
        if o.to_target:
            out.append((o.d, L, v))
    return out


def _starts(b: Builder, a: str, moving_only: bool = True) -> list[tuple[str, int, int]]:
    """``(option key, d, L)`` of every choice of ``a`` left in the model
    (moves only unless ``moving_only`` is false)."""
    ap = b.prep.app_by_id[a]
    fixed = b.held.get(a)
    if fixed is not None:
        o = ap.opt(fixed[0])
        return [(o.key, o.d, fixed[1])] if o.moves or not moving_only else []
    held = b.timing_only.get(a)
    if held is not None:
        o = ap.opt(held[0])
        return [(o.key, o.d, L) for L in held[1]]
    return [(k, ap.opt(k).d, L) for k, L in b.x.get(a, {})
            if ap.opt(k).moves or not moving_only]


def _history(b: Builder, a: str, key: str | None = None) -> bool:
    """Whether every move of ``a`` (of option ``key`` when given) left in the
    model starts before the first planned month: a move that happened, which
    the rules of the whole estate no longer re-decide
    (:func:`estate.limits.binds`). False when none is left."""
    got = [L - d for k, d, L in _starts(b, a) if key is None or k == key]
    return bool(got) and not binds(b.prep.estate, max(got))


def _planned_flight(b: Builder, a: str, key: str, iv: cp_model.IntervalVar
                    ) -> cp_model.IntervalVar | None:
    """The part of a flight interval the load limits count: the whole of it
    when it may start in a planned month; for a move of one fixed month that
    started before the first planned month ``p``, the constant ``[p, L)``
    (``None`` when it was live by ``p``) (:func:`estate.limits.binds`)."""
    if not _history(b, a, key):
        return iv
    p0 = b.prep.estate.first_planned
    Ls = {L for k, _, L in _starts(b, a) if k == key}
    if len(Ls) != 1:
        return iv  # several months, some before p: counted whole (stricter)
    (L,) = Ls
    if L <= p0:
        return None
    c = b.choose.get(a, {}).get(key)
    name = f"flight_planned[app={a},opt={key}]"
    if c is None or len(b.choose[a]) == 1:
        return b.m.new_fixed_size_interval_var(p0, L - p0, name)
    return b.m.new_optional_fixed_size_interval_var(p0, L - p0, c, name)


def _clause(b: Builder, lits: list[int | cp_model.IntVar], neg: list[bool],
            rule: tuple[str, ...] | None) -> None:
    """``OR_i (lit_i xor neg_i)`` over literals or 0/1 constants (enforced by
    the rule's literal in explain mode)."""
    terms = []
    for lit, n in zip(lits, neg, strict=True):
        if isinstance(lit, int):
            if bool(lit) != n:
                return  # a true term: satisfied
            continue
        terms.append(lit.Not() if n else lit)
    if rule is not None:
        terms.append(b.rule(rule).Not())
    b.m.add_bool_or(terms)


def _equal(b: Builder, x: int | cp_model.IntVar, y: int | cp_model.IntVar,
           rule: tuple[str, ...] | None) -> None:
    """``x = y`` over literals or constants."""
    _clause(b, [x, y], [True, False], rule)
    _clause(b, [x, y], [False, True], rule)


def add_dependency_order(b: Builder) -> None:
    """``before`` (from, to): when ``to`` moves to a target, ``from`` is not
    retained and ``s(to) >= L(from)``.

    Formulae, time-indexed (exact in the LP as well): for every month ``k``,
    ``ge[from,k] + starts_before[to,k] <= 1`` where ``ge[from,k] = [L(from) >= k]``
    and ``starts_before[to,k] = [to moves to a target and s(to) < k]``; and
    ``retain[from] + Σ_{o→target} choose[to,o] <= 1``. With the scheduling
    core, also ``live[from] + d_o <= live[to]`` when ``to`` takes option ``o``
    to a target; a model without time-indexed rows keeps only that form. A
    ``to`` whose every move started before the first planned month (a move
    that happened) is not re-decided (:func:`estate.limits.binds`). Held
    applications enter as constants; a pair of held ones is the plan's, not
    re-checked.
    """
    m, H = b.m, b.prep.H
    for d in b.prep.estate.dependencies:
        if d.kind != "before" or not _free_pair(b, d.from_id, d.to_id):
            continue
        tt = _tt(b, d.to_id)
        if not tt or _history(b, d.to_id):
            continue  # nothing to a target, or it started before the plan: fact
        rule = ("before", d.from_id, d.to_id) if b.explain else None
        if not _linear_only(b):
            for k in range(1, H + 1):
                _clause(b, [ge(b, d.from_id, k), starts_before(b, d.to_id, k)], [True, True],
                        rule)
        r = retain_of(b, d.from_id)
        lits = [v for _, _, v in tt] + ([r] if r is not None else [])
        if r is not None and any(not isinstance(v, int) for v in lits):
            ct = m.add(sum(lits) <= 1)
            if rule is not None:
                ct.only_enforce_if(b.rule(rule))
        if b.core and not b.explain:
            _precedence(b, d.from_id, d.to_id)


def _free_pair(b: Builder, fa: str, ta: str) -> bool:
    """Whether a dependency between ``fa`` and ``ta`` is stated: both in the
    model and not both held."""
    return present(b, fa) and present(b, ta) and not (fa in b.held and ta in b.held)


def _linear_only(b: Builder) -> bool:
    """Whether ``before`` and ``together`` are stated on ``live`` alone (the
    scheduling core without time-indexed rows: a smaller, faster model)."""
    return b.core and not b.time_indexed and not b.explain


def _precedence(b: Builder, fa: str, ta: str) -> None:
    """Linear form of ``before`` for the scheduling core: ``live[from] + d_o <=
    live[to]`` when ``to`` takes option ``o`` (to a target)."""
    ap = b.prep.app_by_id[ta]
    held = b.timing_only.get(ta)
    fixed = b.held.get(ta)
    opts = ([(ap.opt(held[0]), 1)] if held is not None
            else [(ap.opt(fixed[0]), 1)] if fixed is not None
            else [(ap.opt(k), c) for k, c in b.choose[ta].items()])
    for o, c in opts:
        if not o.to_target:
            continue
        ct = b.m.add(live_of(b, fa) + o.d <= live_of(b, ta))
        if len(opts) > 1:
            ct.only_enforce_if(c)


def add_together(b: Builder) -> None:
    """``together`` (from, to): both retained, or both move with equal ``L``.

    Formulae: ``ge[from,k] = ge[to,k]`` for every month ``k`` (so ``live[from] =
    live[to]``; a retained application has ``L = H``) and ``retain[from] =
    retain[to]`` (tells "retained" from "moves and goes live at H"). With the
    scheduling core also ``live[from] = live[to]``; a model without
    time-indexed rows keeps only that form.
    """
    for d in b.prep.estate.dependencies:
        if d.kind != "together" or not _free_pair(b, d.from_id, d.to_id):
            continue
        rule = ("together", d.from_id, d.to_id) if b.explain else None
        if not _linear_only(b):
            for k in range(1, b.prep.H + 1):
                _equal(b, ge(b, d.from_id, k), ge(b, d.to_id, k), rule)
        rf, rt = retain_of(b, d.from_id), retain_of(b, d.to_id)
        _equal(b, rf if rf is not None else 0, rt if rt is not None else 0, rule)
        if b.core and not b.explain:
            b.m.add(live_of(b, d.from_id) == live_of(b, d.to_id))


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
                part = _planned_flight(b, a, key, iv) if e else None
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
           if (part := _planned_flight(b, a, key, iv)) is not None]

    def critical(ap, o):
        return 1 if ap.critical and o.moves else 0

    held, n_held = _held_load(b, critical, -1) if b.held else ({}, 0)
    if not ivs or len(ivs) + n_held <= limit:
        return
    dem = [1] * len(ivs)
    if held:
        fixed_ivs, fixed_dem = _fixed_profile(b, held, "critical")
        ivs, dem = ivs + fixed_ivs, dem + fixed_dem
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
           if any(binds(e, L - 1) for _, _, L in _starts(b, a))]

    def moves(ap, o):
        return 1 if o.moves else 0

    held, n_held = _held_load(b, moves, 1) if b.held else ({}, 0)
    if not ivs or len(ivs) + n_held <= limit:
        return
    dem = [1] * len(ivs)
    if held:
        fixed_ivs, fixed_dem = _fixed_profile(b, held, "golive")
        ivs, dem = ivs + fixed_ivs, dem + fixed_dem
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


def add_carbon_cap(b: Builder, kg: Objective, cap_kg: float) -> cp_model.Constraint:
    """Carbon cap (the ε-constraint of the cost–carbon front): undiscounted
    kgCO2e over the horizon ``<= cap_kg``.

    ``kg`` is the carbon objective (weights ``(0, 0, 1, 0)``): ``kg(x) =
    Σ c_i·v_i / scale + constant`` with integer ``c_i`` and, for every
    solution, ``|kg(x) - exact kg| <= err``. Formula::

        Σ c_i·v_i <= floor((cap_kg - constant + err) · scale)

    Relaxed by ``err`` so that every plan whose exact carbon is within the cap
    stays feasible: the bound of a solve under the cap is a valid lower bound
    on the cost of every plan emitting at most ``cap_kg``. A plan it admits
    emits at most ``cap_kg + 2·err`` (the rounding allowance the plan records).
    Group literals and split variables are only bounded from below, so the
    scaled sum is at least the chosen plan's rounded carbon.
    """
    rhs = math.floor((cap_kg - kg.constant + kg.err) * kg.scale)
    return b.m.add(kg.expr <= rhs)
