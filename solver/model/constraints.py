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


def flight_starts(b: Builder, a: str, moving_only: bool = True) -> list[tuple[str, int, int]]:
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
    got = [L - d for k, d, L in flight_starts(b, a) if key is None or k == key]
    return bool(got) and not binds(b.prep.estate, max(got))


def planned_flight(b: Builder, a: str, key: str, iv: cp_model.IntervalVar
                    ) -> cp_model.IntervalVar | None:
    """The part of a flight interval the load limits count: the whole of it
    when it may start in a planned month; for a move of one fixed month that
    started before the first planned month ``p``, the constant ``[p, L)``
    (``None`` when it was live by ``p``) (:func:`estate.limits.binds`)."""
    if not _history(b, a, key):
        return iv
    p0 = b.prep.estate.first_planned
    Ls = {L for k, _, L in flight_starts(b, a) if k == key}
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
