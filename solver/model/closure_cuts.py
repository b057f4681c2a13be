"""Closure covers: how many groups can have closed by month k.

A group G (a site, a server, a contract: :class:`solver.model.prep_records.Group`)
is out of service from month k (``g[G,k] = [D_G >= k] = 0``,
:func:`solver.model.costs.group_literal`) only when every application of G
has gone live by ``k - 1`` (a release month is never before ``L``). Such an
application took a moving option (a retained one has ``L = H``) and, in an
ordinary plan (first planned month 0), used before month ``k - 1``:

* one go-live in a month ``L - 1 <= k - 2`` when it moves with ``L >= 1``
  (rows ``Σ_{o moves} x[a,o,L] <= limit``): at most ``limit·(k - 1)``;
* ``effort_team(o)·min(d, L)`` team days in its flight's months before ``L``
  (rows ``Σ effort·x <= days`` each month): at most ``days·(k - 1)``.

Member ``a`` weighs ``w_a``, the least of these over its pairs with ``L < k``
(0 for a pair that needs none: then nothing stops it, and a group holding it
gains nothing from a dimension). A group weighs ``W_G = Σ_{a∈G} w_a``. For a
family ``S`` of groups with disjoint application sets, the groups closed by
``k`` spend ``Σ W_G`` of each capacity, so at most ``r(S, k)`` of them close,
``r`` the most the capacity takes, smallest first, in the tightest
dimension. The extended cover::

    Σ_{G∈S} g[G,k] >= |S| - r(S, k)

holds for every plan (``add_closure_covers``: one row per family subset and
month where it says more than the groups' single fixings). The weighted form
``Σ W_G·(1 - g[G,k]) <= K_k`` is implied by the LP (``g[G,k] >= ge[a,k]``
and the rows above), the covers are not. A literal not priced at k is
replaced by the group's priced literal at the latest ``k' <= k`` (``g`` never
rises in k, so the row stays valid). Valid for every plan: the optimum and
every bound are unchanged. Only an ordinary, time-indexed, non-explain model
without held applications.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from itertools import combinations
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.model.team_cuts import most_gone

if TYPE_CHECKING:
    from solver.model.build import Builder

MAX_FAMILY = 8  # the largest groups of a family taken into the subsets (2^8 - 9 each)


def applies(b: Builder) -> bool:
    """Whether the covers apply to this model (module doc)."""
    return (b.time_indexed and not b.held and not b.explain and not b.timing_only
            and b.prep.estate.first_planned == 0)


def capacities(b: Builder) -> list[tuple[str, float]]:
    """The dimensions and their capacity a month: ``golive`` (the limit) and
    each team's days."""
    out: list[tuple[str, float]] = []
    limit = b.prep.estate.settings.max_golives_per_month
    if limit is not None:
        out.append(("golive", float(limit)))
    out += [(f"team={t}", days) for t, days in b.prep.team_caps.items() if days >= 0]
    return out


def member_weights(b: Builder, a: str, dim: str) -> list[float]:
    """``w_a`` in dimension ``dim`` for closing by each ``k = 0 … H`` (module
    doc): the least use of any of its pairs with ``L < k`` (inf when it has
    none: it cannot have gone by k); 0 without variables."""
    H = b.prep.H
    xs = b.x.get(a)
    if not xs:
        return [0.0] * (H + 1)
    ap = b.prep.app_by_id[a]
    at = [math.inf] * (H + 1)  # least use of a pair with L = index
    for key, L in xs:
        if L >= H:
            continue
        o = ap.opt(key)
        if not o.moves:
            w = 0.0
        elif dim == "golive":
            w = 1.0 if L >= 1 else 0.0
        else:
            w = o.effort.get(dim[len("team="):], 0.0) * min(o.d, L)
        at[L] = min(at[L], w)
    out, least = [], math.inf
    for k in range(H + 1):
        out.append(least)
        least = min(least, at[k])
    return out


Item = tuple[tuple[str, ...], Callable[[int], "int | cp_model.IntVar | None"]]


def _disjoint(items: list[Item], most: int = MAX_FAMILY) -> list[Item]:
    """The largest first, each taken when it shares no application with
    those taken; at most ``most``; empty when fewer than two."""
    seen: set[str] = set()
    fam: list[Item] = []
    for item in sorted(items, key=lambda it: -len(it[0])):
        if seen.intersection(item[0]):
            continue
        seen.update(item[0])
        fam.append(item)
        if len(fam) == most:
            break
    return fam if len(fam) >= 2 else []


def families(b: Builder, pools: bool = True, most: int = MAX_FAMILY) -> list[list[Item]]:
    """Families of disjoint items: the groups per kind (the name before
    ``=``: site, server, contract) with their literal ``g[G,k]``
    (:func:`priced`) and, with ``pools``, the pools with ``any[C,k-1]``
    (some member in service in month ``k - 1``: 0 only when every
    application of the pool went live by ``k - 1``); at most ``most`` items
    a family."""
    kinds: dict[str, list[Item]] = {}
    for gi, g in enumerate(b.prep.groups):
        kinds.setdefault(g.name.split("=", 1)[0], []).append(
            (g.apps, partial(priced, b, gi)))
    if pools:
        for c in b.prep.clusters:
            anys = b.cluster_any.get(c.name)
            if anys is None:
                continue
            apps = tuple(sorted({a for member, _, _ in c.members for a in member}))
            if not apps:
                continue
            kinds.setdefault("pool", []).append(
                (apps, partial(_any_at, anys)))
    return [fam for items in kinds.values() if (fam := _disjoint(items, most))]


def _any_at(anys: list[cp_model.IntVar | None], k: int) -> cp_model.IntVar | None:
    """``any[C,k-1]`` (None where absent)."""
    return anys[k - 1] if k - 1 < len(anys) else None


def priced(b: Builder, gi: int, k: int) -> int | cp_model.IntVar | None:
    """The group's literal at the latest month ``k' <= k`` the objective built
    (``>= g[G,k]``), or None."""
    for kk in range(k, 0, -1):
        lit = b.group_cache.get((gi, kk))
        if lit is not None:
            return lit
    return None


def add_closure_covers(b: Builder, pools: bool = True) -> int:
    """The rows of the module doc over the group literals the objective has
    built (call after :func:`solver.model.costs.build_objective`; a second
    call adds only rows not yet added) and, with ``pools``, the pools'
    ``any``. Returns how many were added."""
    if not applies(b):
        return 0
    dims = capacities(b)
    if not dims:
        return 0
    done: set = b.closure_rows
    rows = 0
    for fam in families(b, pools):
        # per item and dimension, W[k] = Σ_a w_a(k)
        per_item = [[[sum(col) for col in zip(*(member_weights(b, a, d) for a in it[0]),
                                              strict=True)]
                     for d, _ in dims] for it in fam]
        for k in range(2, b.prep.H + 1):
            lits = {i: it[1](k) for i, it in enumerate(fam)}
            weights = {i: [per_item[i][j][k] for j in range(len(dims))]
                       for i in range(len(fam))}
            cands = []
            for gi in range(len(fam)):
                lit = lits[gi]
                if lit is None or isinstance(lit, int):
                    continue
                if any(w > cap * (k - 1) + 1e-9 for w, (_, cap) in zip(weights[gi], dims,
                                                                       strict=True)):
                    rows += _add(b, done, [lit], 1)  # it cannot close by k alone
                else:
                    cands.append(gi)
            for size in range(2, len(cands) + 1):
                for sub in combinations(cands, size):
                    rhs = _need(weights, sub, dims, k)
                    # implied by a subset one smaller with the same right-hand side
                    if rhs <= 0 or any(
                            _need(weights, tuple(g for g in sub if g != e), dims, k) >= rhs
                            for e in sub):
                        continue
                    rows += _add(b, done, [lits[gi] for gi in sub], rhs)
    return rows


def _need(weights: dict[int, list[float]], sub: tuple[int, ...],
          dims: list[tuple[str, float]], k: int) -> int:
    """``|S| - r(S, k)``: how many of ``sub`` stay open at k at least."""
    return len(sub) - min(most_gone([weights[gi][j] for gi in sub], cap * (k - 1))
                          for j, (_, cap) in enumerate(dims))


def _add(b: Builder, done: set, lits: list, rhs: int) -> int:
    """``Σ lits >= rhs`` unless the same row is in (returns 1 when added)."""
    key = (tuple(sorted(v.index for v in lits)), rhs)
    if key in done:
        return 0
    done.add(key)
    b.m.add(cp_model.LinearExpr.sum(lits) >= rhs)
    return 1
