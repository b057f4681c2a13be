"""The objective: every cost and carbon term as integer coefficients.

A weight vector ``w = (w_cash, w_disc, w_kg, w_disc_kg)`` turns a cost
vector into one number; the spec's objective is ``w = (0, 1, 0, cp/1000)``.
Terms (scaled by ``scale``, e.g. 100 = pence, and rounded):

* applications: ``Σ_{a,o,L} w·table[a,o,L] · x[a,o,L]`` — running cost,
  one-off, target energy and every server / site / contract whose
  application set is just ``{a}`` (exact piecewise table in ``L``);
* groups (servers, hosts, sites, contracts with >= 2 applications), ``D_G =
  max_{a∈G} L_a`` and ``f_G`` non-decreasing: ``f_G(0) + Σ_k Δ_k·g[G,k]`` with
  ``g[G,k] >= ge[a,k]`` for every ``a ∈ G`` (``Δ_k >= 0`` so the minimum
  sets ``g[G,k] = [D_G >= k]``);
* loose (a, b): ``u >= Q_b - Q'_a``, ``u >= 0`` with ``Q_b = w·split(0, L_b)``
  and ``Q'_a`` the same at ``L_a`` when ``a`` runs at a target afterwards,
  else at ``H`` (and symmetrically): ``u = w·split(L_a, L_b)``.

The returned ``err`` bounds, for every solution, ``|scaled/scale + constant -
exact|`` in objective units: half a scaled unit per rounded coefficient that
can be active at once (one ``x`` per application, each group literal), one
unit per split variable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.model.clusters import cluster_terms
from solver.model.contract_costs import add_unit_terms, kept_literal, release_span
from solver.model.prep import Prep, Vec, keeps_software
from solver.model.variables import allowed_pairs, ge, present, xs_of

if TYPE_CHECKING:
    from solver.model.build import Builder

Weights = tuple[float, float, float, float]


@dataclass
class Objective:
    """A scaled linear objective: ``value = (Σ coeffs·vars) / scale + constant``."""

    variables: list[cp_model.IntVar]
    coeffs: list[int]
    constant: float
    scale: float
    err: float  # max |scaled/scale + constant - exact| over all solutions
    floor: float = 0.0  # Σ over applications of their least scaled coefficient
    #: what each term prices (``app=…``, ``group=…``, ``pool=…``, ``units=…``,
    #: ``split=…``), parallel to ``variables``: for diagnostics only
    #: (``benchmarks/gap_terms.py``)
    labels: list[str] = field(default_factory=list)

    def trivial_bound(self) -> float:
        """A valid lower bound (£) before any search: the constant, each
        application's cheapest pair, nothing for the (non-negative) group and
        split terms."""
        return self.floor / self.scale + self.constant - self.err

    @property
    def expr(self) -> cp_model.LinearExpr:
        """The scaled linear expression."""
        return cp_model.LinearExpr.weighted_sum(self.variables, self.coeffs)

    def to_units(self, scaled: float) -> float:
        """Objective units (£) of a scaled value."""
        return scaled / self.scale + self.constant


def dot(w: Weights, v: Vec) -> float:
    """``w · v``."""
    return w[0] * v[0] + w[1] * v[1] + w[2] * v[2] + w[3] * v[3]


def group_floor(b: Builder, gi: int) -> int:
    """A lower bound on ``D_G = max_{a∈G} L_a`` from capacities alone.

    Unless one of them is retained (``D_G = H``), every application of ``G``
    moves and its flight ends by ``D_G``: per team ``Σ_a min_o effort·d <=
    days·D_G``; critical ones ``Σ_a min_o d <= max_critical·D_G``; go-lives
    ``|G| <= max_golives·D_G``. Capped at ``H``. Computed over every allowed
    option (so it holds in every model of the estate) and cached. 0 in a
    re-plan (first planned month > 0): loads before it do not count
    (:func:`estate.limits.binds`), so capacities bound nothing there.
    """
    prep = b.prep
    if prep.estate.first_planned > 0:
        return 0
    cache = prep.cache.setdefault("group_floor", {})
    if gi in cache:
        return cache[gi]
    st = prep.estate.settings
    moving_opts = {ap.app_id: sorted({o.key for o, _ in allowed_pairs(prep, ap) if o.moves})
                   for ap in (prep.app_by_id[a] for a in prep.groups[gi].apps)}
    apps = [prep.app_by_id[a] for a in prep.groups[gi].apps]
    best = 0

    def moving(ap):
        return [ap.opt(k) for k in moving_opts[ap.app_id]]

    for team, days in prep.team_caps.items():
        need = sum(min((o.effort.get(team, 0.0) * o.d for o in moving(ap)), default=0.0)
                   for ap in apps)
        if need > 0:
            best = max(best, prep.H if days <= 0 else int(-(-need // days)))
    crit = sum(min((o.d for o in moving(ap)), default=0) for ap in apps if ap.critical)
    if crit:
        limit = st.max_critical_in_flight
        best = max(best, prep.H if limit <= 0 else -(-crit // limit))
    if st.max_golives_per_month is not None and apps:
        limit = st.max_golives_per_month
        best = max(best, prep.H if limit <= 0 else -(-len(apps) // limit))
    best = min(best, prep.H)
    cache[gi] = best
    return best


def _cover(b: Builder, gi: int) -> tuple[list[int], list[str]]:
    """Largest smaller groups inside group ``gi`` that cover its applications
    (a site's hosts, say), and the applications no such group covers: the
    literal of ``gi`` is bounded by the children's literals instead of one
    implication per application."""
    got = b.cover_cache.get(gi)
    if got is not None:
        return got
    groups = b.prep.groups
    whole = not b.empty_apps  # every application is in the model: the estate's cover
    if whole:
        got = b.prep.cache.setdefault("cover", {}).get(gi)
        if got is not None:
            b.cover_cache[gi] = got
            return got
    if b.group_sets is None:
        b.group_sets = ([frozenset(g.apps) for g in groups] if whole else
                        [frozenset(a for a in g.apps if present(b, a)) for g in groups])
    sets = b.group_sets
    mine = sets[gi]
    inside = sorted((gj for gj, other in enumerate(sets)
                     if gj != gi and 1 < len(other) < len(mine) and other <= mine
                     and not groups[gj].kept),
                    key=lambda gj: (-len(sets[gj]), gj))
    covered: set[str] = set()
    children = []
    for gj in inside:
        if not sets[gj] <= covered:
            children.append(gj)
            covered |= sets[gj]
    direct = sorted(mine - covered)
    b.cover_cache[gi] = (children, direct)
    if whole:
        b.prep.cache["cover"][gi] = (children, direct)
    return children, direct


def group_literal(b: Builder, gi: int, k: int) -> int | cp_model.IntVar:
    """``g[G,k] = [max_{a∈G} L_a >= k]`` (lower-bounded: ``ge[a,k] ⇒ g``), or 0 / 1."""
    key = (gi, k)
    if key in b.group_cache:
        return b.group_cache[key]
    if b.group_ends:
        return _end_literal(b, gi, k)
    group = b.prep.groups[gi]
    children, direct = _cover(b, gi)
    if b.held:  # held members: 1 up to their latest release, 0 after it
        if k <= group_floor(b, gi) or k <= _held_release(b, gi)[0]:
            b.group_cache[key] = 1
            return 1
        direct = [a for a in direct if a not in b.held]
    hs = [group_literal(b, gj, k) for gj in children] + [ge(b, a, k) for a in direct]
    hs += [kept_literal(b, a) for a in group.kept if a in b.live]  # retire contracts
    out: int | cp_model.IntVar
    if k <= group_floor(b, gi) or any(isinstance(h, int) and h == 1 for h in hs):
        out = 1
    else:
        lits = [h for h in hs if not isinstance(h, int)]
        if not lits:
            out = 0
        elif len(lits) == 1:
            out = lits[0]
        else:
            g = b.m.new_bool_var(f"in_service[{group.name},t={k}]")
            for h in lits:
                b.m.add_implication(h, g)
            prev = b.group_cache.get((gi, k - 1))
            if prev is not None and not isinstance(prev, int):
                b.m.add_implication(g, prev)
            out = g
    b.group_cache[key] = out
    return out


def _end_literal(b: Builder, gi: int, k: int) -> int | cp_model.IntVar:
    """Light model: ``g[G,k] <=> end[G] >= k``, or 1 / 0 when the capacity
    floor or the members' least / greatest ``L`` decide it."""
    group = b.prep.groups[gi]
    members = [a for a in group.apps if a in b.live]
    spans = [release_span(b, a, a in group.kept) for a in members]
    out: int | cp_model.IntVar
    if not spans or k > max(hi for _, hi in spans):
        out = 0
    elif k <= group_floor(b, gi) or k <= max(lo for lo, _ in spans):
        out = 1
    else:
        out = b.m.new_bool_var(f"in_service[{b.prep.groups[gi].name},t={k}]")
        end = group_end(b, gi)
        b.m.add(end >= k).only_enforce_if(out)
        b.m.add(end <= k - 1).only_enforce_if(out.Not())
    b.group_cache[(gi, k)] = out
    return out


def group_end(b: Builder, gi: int) -> cp_model.IntVar:
    """``end[G] >= max_{a∈G} live[a]`` (equal at the optimum): the integer side
    of the group literals (``g[G,k] <=> end[G] >= k``)."""
    end = b.group_end.get(gi)
    if end is None:
        group = b.prep.groups[gi]
        apps = [a for a in group.apps if a in b.live]
        lo = group_floor(b, gi)
        hi = max((release_span(b, a, a in group.kept)[1] for a in apps), default=lo)
        end = b.m.new_int_var(lo, max(lo, hi), f"end[{group.name}]")
        for a in apps:
            b.m.add(end >= b.live[a])
            if a in group.kept:  # a retire contract: the software runs on to H
                kept = kept_literal(b, a)
                if isinstance(kept, int):
                    if kept:
                        b.m.add(end >= b.prep.H)
                else:
                    b.m.add(end >= b.prep.H).only_enforce_if(kept)
        b.group_end[gi] = end
    return end


def pruned_domains(prep: Prep, w: Weights, upper: float, apps: Iterable[str] | None = None
                   ) -> dict[str, frozenset[tuple[str, int]]]:
    """The (option, L) pairs that can be part of a plan costing at most ``upper``
    (of every application, or of ``apps``).

    A lower bound on any plan in which ``a`` takes ``(o, L)``: the constant,
    ``a``'s own cost ``t_a(o, L)``, every other application's cheapest pair
    ``m_b``, and every group at ``f_G(0)`` except those holding ``a``, at
    ``f_G(L)`` (``D_G >= L_a``, ``f_G`` non-decreasing); splits cost >= 0::

        LB(a, o, L) = C + Σ_G f_G(0) + Σ_b m_b - m_a + t_a(o, L)
                      + Σ_{G ∋ a} (f_G(L) - f_G(0))

    Pairs with ``LB > upper`` are dropped: no plan at most ``upper`` (the
    incumbent's value) uses them, so the optimum, and with it the bound
    CP-SAT proves, is the same. A long horizon with costs rising in ``L``
    (makespan-like site costs) shrinks to the incumbent's reach.
    """
    own, base, rise = _pair_costs(prep, w)
    slack = 1e-9 * max(abs(upper), 1.0) + 1e-6
    out: dict[str, frozenset[tuple[str, int]]] = {}
    for a in own if apps is None else apps:
        costs = own.get(a)
        if not costs:
            continue
        rest = base - min(costs.values())
        up = rise[a]
        out[a] = frozenset(pair for pair, c in costs.items()
                           if rest + c + up[pair[1]] <= upper + slack)
    return out


def trivial_bound(prep: Prep, w: Weights) -> float:
    """A valid lower bound without a model: the constant terms, every group at
    ``f_G(0)`` and every application at its cheapest allowed pair."""
    return _pair_costs(prep, w)[1]


def _pair_costs(prep: Prep, w: Weights
                ) -> tuple[dict[str, dict[tuple[str, int], float]], float, dict[str, list[float]]]:
    """Per application its pairs' own costs; the base ``C + Σ_G f_G(0) + Σ_b m_b``;
    per application ``Σ_{G ∋ a} (f_G(L) - f_G(0))`` for ``L = 0 … H`` (cached)."""
    key = ("pair_costs", w)
    got = prep.cache.get("objective", {}).get(key)
    if got is not None:
        return got
    own = {ap.app_id: {(o.key, L): dot(w, o.table[L]) for o, L in allowed_pairs(prep, ap)}
           for ap in prep.apps}
    tables = [[dot(w, v) for v in g.table] for g in prep.groups]
    base = (dot(w, prep.constant) + sum(t[0] for t in tables)
            + sum(min(c.values()) for c in own.values() if c))
    rise = {a: [0.0] * (prep.H + 1) for a in own}
    for gi, g in enumerate(prep.groups):
        t = tables[gi]
        for a in g.apps:
            r = rise.get(a)
            if r is None:
                continue
            for L in range(prep.H + 1):
                r[L] += t[L] - t[0]
    got = (own, base, rise)
    prep.cache.setdefault("objective", {})[key] = got
    return got


def _held(b: Builder, apps: tuple[str, ...], kept: tuple[str, ...] = ()) -> tuple[int, bool]:
    """The largest release month among the applications of ``apps`` that have
    one pair left (held by a neighbourhood search), and whether all of them
    have (``kept``: covered by a retire contract, released at ``H`` when the
    held option keeps the software)."""
    known, decided = 0, True
    H = b.prep.H
    for a in apps:
        fixed = b.held.get(a)
        if fixed is not None:
            key, L = fixed
            if a in kept and keeps_software(b.prep.app_by_id[a].opt(key).strategy):
                L = H
            known = max(known, L)
            continue
        held = b.timing_only.get(a)
        if held is not None:
            if a in kept and keeps_software(b.prep.app_by_id[a].opt(held[0]).strategy):
                known = H
            elif len(held[1]) == 1:
                known = max(known, held[1][0])
            else:
                decided = False
            continue
        xs = b.x.get(a)
        if xs is None:
            continue
        if len(xs) == 1:
            (key, L), = xs
            if a in kept and keeps_software(b.prep.app_by_id[a].opt(key).strategy):
                L = H
            known = max(known, L)
        else:
            decided = False
    return known, decided


def _held_release(b: Builder, gi: int) -> tuple[int, bool]:
    """:func:`_held` of group ``gi`` (cached per model)."""
    got = b.release_cache.get(gi)
    if got is None:
        g = b.prep.groups[gi]
        got = b.release_cache[gi] = _held(b, g.apps, g.kept)
    return got


@dataclass
class _Terms:
    """The objective being assembled: terms, constant, rounding error (in scaled
    units) and the sum of the applications' least coefficients."""

    vs: list[cp_model.IntVar]
    cs: list[int]
    constant: float
    active: float = 0.0
    floor: int = 0
    labels: list[str] = field(default_factory=list)

    def add(self, var: cp_model.IntVar, coeff: int, err: float, label: str) -> None:
        self.vs.append(var)
        self.cs.append(coeff)
        self.labels.append(label)
        self.active += err


def build_objective(b: Builder, w: Weights, scale: float) -> Objective:
    """Scaled objective of weights ``w`` (see the module docstring)."""
    prep = b.prep
    t = _Terms([], [], dot(w, prep.constant))
    _app_terms(b, w, scale, t)
    for gi in range(len(prep.groups)):
        _group_terms(b, w, scale, gi, t)
    add_unit_terms(b, w, scale, t)
    cluster_terms(b, w, scale, t)
    for n, (fa, fb, cost) in enumerate(prep.loose):
        if not present(b, fa) or not present(b, fb):
            continue
        for one, other in ((fa, fb), (fb, fa)):
            u = _split_term(b, w, scale, cost, one, other, f"split[{n},{one}]")
            if u is not None:
                t.add(u, 1, 1.0, f"split={n}")
    if b.closure_cuts:
        from solver.model.closure_cuts import add_closure_covers
        add_closure_covers(b)
    return Objective(t.vs, t.cs, t.constant, scale, t.active / scale, float(t.floor),
                     t.labels)


def _app_terms(b: Builder, w: Weights, scale: float, t: _Terms) -> None:
    """``Σ round(scale · w·table[a,o,L]) · x[a,o,L]``: half a unit of error per
    application (one ``x`` is 1)."""
    own = _pair_costs(b.prep, w)[0]
    for a, pair in b.held.items():  # the same coefficient as an x held at 1
        t.constant += int(round(scale * own[a][pair])) / scale
        t.active += 0.5
    for ap in b.prep.apps:
        if ap.app_id in b.held:
            continue
        held = b.timing_only.get(ap.app_id)
        if held is not None:  # the same cost at every L: a constant, exact
            t.constant += dot(w, ap.opt(held[0]).table[held[1][0]])
            continue
        xs = b.x.get(ap.app_id, {})
        if xs:
            t.active += 0.5
        least = None
        mine = own[ap.app_id]
        for pair, v in xs.items():
            cost = mine.get(pair)
            if cost is None:  # a pair no rule allows (explain mode)
                cost = dot(w, ap.opt(pair[0]).table[pair[1]])
            c = int(round(scale * cost))
            least = c if least is None else min(least, c)
            if c:
                t.add(v, c, 0.0, f"app={ap.app_id}")
        t.floor += least or 0


def _group_terms(b: Builder, w: Weights, scale: float, gi: int, t: _Terms) -> None:
    """``f_G(0) + Σ_k Δ_k · g[G,k]``; exact constants for the months every
    held member already covers."""
    group = b.prep.groups[gi]
    table = group.table
    t.constant += dot(w, table[0])
    known, decided = _held_release(b, gi)
    for k in range(1, b.prep.H + 1):
        delta = dot(w, table[k]) - dot(w, table[k - 1])
        if delta == 0.0:
            continue
        if delta < 0:
            raise AssertionError(f"{group.name}: cost decreases at D={k}")
        if k <= known or decided:  # D_G >= known for sure; exactly known when decided
            t.constant += delta if k <= known else 0.0
            continue
        c = int(round(scale * delta))
        if c == 0:
            t.active += abs(scale * delta)
            continue
        lit = group_literal(b, gi, k)
        if isinstance(lit, int):
            t.constant += delta * lit
            continue
        t.add(lit, c, 0.5, f"group={gi},k={k}")


def _split_term(b: Builder, w: Weights, scale: float, cost: float, moved: str, waiting: str,
                name: str) -> cp_model.IntVar | None:
    """``u >= Q_waiting - Q'_moved``: the split cost while ``moved`` runs at a
    target and ``waiting`` has not moved yet."""
    prep = b.prep
    H = prep.H

    def q(L: int) -> int:
        return int(round(scale * dot(w, prep.flat(cost, 0, L))))

    top = q(H)
    if top <= 0:
        return None
    ap = prep.app_by_id[moved]
    x_wait, x_moved = xs_of(b, waiting), xs_of(b, moved)
    c_wait = {kl: q(kl[1]) for kl in x_wait}
    c_moved = {kl: q(kl[1]) if ap.opt(kl[0]).to_target else top for kl in x_moved}
    q_wait = sum(c * x_wait[kl] for kl, c in c_wait.items())
    q_moved = sum(c * x_moved[kl] for kl, c in c_moved.items())
    u = b.m.new_int_var(0, top, name)
    b.m.add(u >= q_wait - q_moved)
    b.split_terms.append((u, waiting, c_wait, moved, c_moved))
    return u
