"""Decision variables of the CP-SAT model.

Per application ``a`` and allowed option ``o`` and live-from month ``L``, one
Boolean ``x[app=a,opt=o,live=L]`` (a one-hot over the feasible pairs only:
blackouts, freeze, earliest start, must-finish-by, site exits and pins have
already removed the forbidden ones). From them:

* ``choose[app=a,opt=o] = Σ_L x[a,o,L]``
* ``live[app=a] = Σ_{o,L} L · x[a,o,L]`` (retain: ``L = H``)
* ``ge[app=a,t=k] = [live[a] >= k]`` (order encoding, built lazily, chained
  ``ge[k] = ge[k+1] + Σ_o x[a,o,k]``: exact in the LP relaxation)
* ``flight[app=a,opt=o]``: optional interval ``[live-d, live)`` present when
  ``o`` is chosen; ``golive[app=a]``: optional interval ``[live-1, live)``.

In *explain* mode every horizon-feasible pair gets an ``x`` and each rule that
forbids it becomes a clause ``rule ⇒ ¬x`` on an assumption literal.

*Held* applications (``Builder(held=...)``, a neighbourhood search's fixed
part) get no variable at all: each is a constant (option, L), and every
family that couples applications reads it through :func:`present`,
:func:`live_of`, :func:`xs_of`, :func:`ge` and :func:`starts_before`, which
return constants for it, and counts its load against the right-hand side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.model.domains import RuleId, violated
from solver.model.prep import AppPrep, OptPrep, Prep

if TYPE_CHECKING:
    from solver.model.build import Builder


def add_choice_variables(b: Builder) -> None:
    """Create ``x``, ``choose``, ``live`` and the exactly-one of every application.

    Formula: ``Σ_{o,L} x[a,o,L] = 1``; ``live[a] = Σ L·x[a,o,L]``.
    """
    m, prep = b.m, b.prep
    for ap in prep.apps:
        a = ap.app_id
        if a in b.held:
            if b.held[a] not in _allowed_set(prep, ap):
                b.empty_apps.append(a)  # held at a pair no rule allows: infeasible
            continue
        pairs = _pairs(b, ap)
        if _timing_only(b, ap, pairs):
            values = sorted(L for _, L, _ in pairs)
            b.timing_only[a] = (pairs[0][0].key, values)
            b.live[a] = m.new_int_var_from_domain(cp_model.Domain.from_values(values),
                                                  f"live[app={a}]")
            b.choose[a] = {}
            b.retain[a] = None
            continue
        xs: dict[tuple[str, int], cp_model.IntVar] = {}
        for o, L, rules in pairs:
            lit = m.new_bool_var(f"x[app={a},opt={o.key},live={L}]")
            xs[(o.key, L)] = lit
            for r in rules:
                m.add_bool_or([b.rule(r).Not(), lit.Not()])
        b.x[a] = xs
        if not xs:
            b.empty_apps.append(a)
            continue
        m.add_exactly_one(list(xs.values()))
        b.choose[a] = {}
        for o in ap.options:
            lits = [v for (k, _), v in xs.items() if k == o.key]
            if len(lits) == 1:
                b.choose[a][o.key] = lits[0]
            elif lits:
                c = m.new_bool_var(f"choose[app={a},opt={o.key}]")
                m.add(c == sum(lits))
                b.choose[a][o.key] = c
        values = sorted({L for (_, L) in xs})
        live = m.new_int_var_from_domain(cp_model.Domain.from_values(values), f"live[app={a}]")
        m.add(live == sum(L * v for (_, L), v in xs.items()))
        b.live[a] = live
        b.retain[a] = xs.get(("retain", prep.H))


def _timing_only(b: Builder, ap: AppPrep, pairs: list[tuple[OptPrep, int, list[RuleId]]]
                 ) -> bool:
    """Whether an application needs no ``x`` in the light model: one option,
    which moves, whose own cost is the same for every allowed ``L``, no split
    cost and no budget share. Only its timing matters (through the intervals,
    precedences and group ends), so ``live`` alone, its domain the allowed
    ``L``, stands for it (a PSPLIB job, say)."""
    if b.explain or b.time_indexed or not b.core or not pairs:
        return False
    o = pairs[0][0]
    if not o.moves or any(p[0] is not o for p in pairs):
        return False
    if len({o.table[L] for _, L, _ in pairs}) != 1:
        return False
    if b.prep.budget and o.one_off > 0:
        return False
    return not any(ap.app_id in (fa, fb) for fa, fb, _ in b.prep.loose)


def present(b: Builder, a: str) -> bool:
    """Whether an application is in the model, as variables or held constant."""
    return a in b.live or a in b.held


def live_of(b: Builder, a: str) -> int | cp_model.IntVar:
    """``live[a]``: the variable, or a held application's constant ``L``."""
    held = b.held.get(a)
    return held[1] if held is not None else b.live[a]


def xs_of(b: Builder, a: str) -> Mapping[tuple[str, int], int | cp_model.IntVar]:
    """``x[a,o,L]`` of every pair left: the literals, or ``{held pair: 1}``."""
    held = b.held.get(a)
    if held is not None:
        return {held: 1}
    return b.x[a]


def retain_of(b: Builder, a: str) -> int | cp_model.IntVar | None:
    """``retain[a]``: the literal, None when the application cannot be
    retained, or 0 / 1 for a held application."""
    held = b.held.get(a)
    if held is not None:
        return int(held == ("retain", b.prep.H))
    return b.retain[a]


def span(b: Builder, a: str) -> tuple[int, int]:
    """The least and greatest ``L`` an application may take in the model."""
    fixed = b.held.get(a)
    if fixed is not None:
        return fixed[1], fixed[1]
    held = b.timing_only.get(a)
    if held is not None:
        return held[1][0], held[1][-1]
    Ls = [L for _, L in b.x[a]]
    return min(Ls), max(Ls)


def allowed_pairs(prep: Prep, ap: AppPrep) -> list[tuple[OptPrep, int]]:
    """Every (option, L) no rule forbids for an application (cached on ``prep``)."""
    cache = prep.cache.setdefault("allowed", {})
    got = cache.get(ap.app_id)
    if got is None:
        got = [(o, L) for o in ap.options for L in prep.all_lives(o)
               if not violated(prep, ap, o, L)]
        cache[ap.app_id] = got
    return got


def _allowed_set(prep: Prep, ap: AppPrep) -> frozenset[tuple[str, int]]:
    """:func:`allowed_pairs` of an application as (option key, L) (cached)."""
    cache = prep.cache.setdefault("allowed_set", {})
    got = cache.get(ap.app_id)
    if got is None:
        got = cache[ap.app_id] = frozenset((o.key, L) for o, L in allowed_pairs(prep, ap))
    return got


def _pairs(b: Builder, ap: AppPrep) -> list[tuple[OptPrep, int, list[RuleId]]]:
    """The (option, L, rules broken) that get an ``x``: the allowed pairs; in
    explain mode every horizon-feasible pair; only those ``b.domains`` lists
    for an application it restricts."""
    prep = b.prep
    if b.explain:
        return [(o, L, violated(prep, ap, o, L)) for o in ap.options for L in prep.all_lives(o)]
    pairs = allowed_pairs(prep, ap)
    keep = b.domains.get(ap.app_id) if b.domains else None
    if keep is not None:
        pairs = [(o, L) for o, L in pairs if (o.key, L) in keep]
    return [(o, L, []) for o, L in pairs]


def add_intervals(b: Builder) -> None:
    """Create the optional flight interval of every (application, moving option)
    and the go-live interval of every application that may move.

    Formula: ``flight[a,o] = [live[a] - d_o, live[a])`` present iff ``choose[a,o]``;
    ``golive[a] = [live[a] - 1, live[a])`` present iff ``a`` is not retained.
    """
    m, prep = b.m, b.prep
    for ap in prep.apps:
        a = ap.app_id
        if a not in b.live:
            continue
        b.flight[a] = {}
        held = b.timing_only.get(a)
        if held is not None:
            o = ap.opt(held[0])
            b.flight[a][o.key] = m.new_fixed_size_interval_var(
                b.live[a] - o.d, o.d, f"flight[app={a},opt={o.key}]")
        for o in ap.options:
            c = b.choose[a].get(o.key)
            if c is None or not o.moves:
                continue
            b.flight[a][o.key] = m.new_optional_fixed_size_interval_var(
                b.live[a] - o.d, o.d, c, f"flight[app={a},opt={o.key}]")
        if not b.flight[a]:
            continue
        r = b.retain[a]
        if r is None:
            b.golive[a] = m.new_fixed_size_interval_var(b.live[a] - 1, 1, f"golive[app={a}]")
        else:
            b.golive[a] = m.new_optional_fixed_size_interval_var(
                b.live[a] - 1, 1, r.Not(), f"golive[app={a}]")


def ge(b: Builder, a: str, k: int) -> int | cp_model.IntVar:
    """``[live[a] >= k]`` as a literal, or the constant 0 / 1 when decided.

    Built once per application as a chain from the top:
    ``ge[a,k] = ge[a,k+1] + Σ_o x[a,o,L=k]``.
    """
    fixed = b.held.get(a)
    if fixed is not None:
        return int(fixed[1] >= k)
    chain = b.ge_cache.get(a)
    if chain is None:
        chain = _timing_chain(b, a) if a in b.timing_only else _build_chain(b, a)
        b.ge_cache[a] = chain
    lo, hi, lits = chain
    if k <= lo:
        return 1
    if k > hi:
        return 0
    return lits[k]


def _timing_chain(b: Builder, a: str) -> tuple[int, int, dict[int, cp_model.IntVar]]:
    """``ge[a,k] <=> live[a] >= k`` for a timing-only application (encoding
    literals of ``live``)."""
    values = b.timing_only[a][1]
    lits: dict[int, cp_model.IntVar] = {}
    for k in range(values[0] + 1, values[-1] + 1):
        lit = b.m.new_bool_var(f"ge[app={a},t={k}]")
        b.m.add(b.live[a] >= k).only_enforce_if(lit)
        b.m.add(b.live[a] <= k - 1).only_enforce_if(lit.Not())
        lits[k] = lit
    return values[0], values[-1], lits


def _build_chain(b: Builder, a: str) -> tuple[int, int, dict[int, cp_model.IntVar]]:
    xs = b.x[a]
    by_L: dict[int, list[cp_model.IntVar]] = {}
    for (_, L), v in xs.items():
        by_L.setdefault(L, []).append(v)
    lo, hi = min(by_L), max(by_L)
    lits: dict[int, cp_model.IntVar] = {}
    above: cp_model.IntVar | int = 0
    for k in range(hi, lo, -1):
        here = by_L.get(k, [])
        lit = b.m.new_bool_var(f"ge[app={a},t={k}]")
        b.m.add(lit == above + sum(here))
        lits[k] = lit
        above = lit
    return lo, hi, lits


def starts_before(b: Builder, a: str, k: int) -> int | cp_model.IntVar:
    """``[a moves to a target and s(a) < k]`` as a literal, or 0 / 1.

    Chain from the bottom: ``sb[a,k] = sb[a,k-1] + Σ_{o→target} x[a,o,L=k-1+d_o]``.
    """
    fixed = b.held.get(a)
    if fixed is not None:
        o = b.prep.app_by_id[a].opt(fixed[0])
        return int(o.to_target and fixed[1] - o.d < k)
    chain = b.sb_cache.get(a)
    if chain is None:
        ap = b.prep.app_by_id[a]
        by_s: dict[int, list[cp_model.IntVar]] = {}
        for (key, L), v in b.x[a].items():
            o = ap.opt(key)
            if o.to_target:
                by_s.setdefault(L - o.d, []).append(v)
        lits: dict[int, int | cp_model.IntVar] = {}
        if by_s:
            below: int | cp_model.IntVar = 0
            all_tt = all(ap.opt(key).to_target for key, _ in b.x[a])
            for kk in range(min(by_s) + 1, max(by_s) + 2):
                here = by_s.get(kk - 1, [])
                if kk == max(by_s) + 1 and all_tt:
                    lit: int | cp_model.IntVar = 1
                elif not here:
                    lit = below
                else:
                    lit = b.m.new_bool_var(f"starts_before[app={a},t={kk}]")
                    b.m.add(lit == below + sum(here))
                lits[kk] = lit
                below = lit
        chain = (min(by_s) if by_s else 0, max(by_s) if by_s else -1, lits)
        b.sb_cache[a] = chain
    lo, hi, lits = chain
    if k <= lo:
        return 0
    if k > hi + 1:
        return lits[hi + 1] if lits else 0
    return lits[k]
