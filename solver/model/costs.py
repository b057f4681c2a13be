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

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from solver.model.prep import Vec
from solver.model.variables import ge

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
    ``|G| <= max_golives·D_G``. Also ``D_G >= L_a`` for the smallest possible
    ``L_a``. Capped at ``H``.
    """
    if gi in b.floor_cache:
        return b.floor_cache[gi]
    prep = b.prep
    st = prep.estate.settings
    apps = [prep.app_by_id[a] for a in prep.groups[gi].apps if a in b.live]
    best = 0

    def moving(ap):
        return [ap.opt(k) for k in b.choose.get(ap.app_id, {}) if ap.opt(k).moves]

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
    b.floor_cache[gi] = best
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
    if b.group_sets is None:
        b.group_sets = [frozenset(a for a in g.apps if a in b.live) for g in groups]
    mine = b.group_sets[gi]
    inside = sorted((gj for gj, other in enumerate(b.group_sets)
                     if gj != gi and 1 < len(other) < len(mine) and other <= mine),
                    key=lambda gj: (-len(b.group_sets[gj]), gj))
    covered: set[str] = set()
    children = []
    for gj in inside:
        if not b.group_sets[gj] <= covered:
            children.append(gj)
            covered |= b.group_sets[gj]
    direct = sorted(mine - covered)
    b.cover_cache[gi] = (children, direct)
    return children, direct


def group_literal(b: Builder, gi: int, k: int) -> int | cp_model.IntVar:
    """``g[G,k] = [max_{a∈G} L_a >= k]`` (lower-bounded: ``ge[a,k] ⇒ g``), or 0 / 1."""
    key = (gi, k)
    if key in b.group_cache:
        return b.group_cache[key]
    group = b.prep.groups[gi]
    children, direct = _cover(b, gi)
    hs = [group_literal(b, gj, k) for gj in children] + [ge(b, a, k) for a in direct]
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
            if b.core and not b.explain:
                end = group_end(b, gi)
                b.m.add(end >= k).only_enforce_if(g)
                b.m.add(end <= k - 1).only_enforce_if(g.Not())
            prev = b.group_cache.get((gi, k - 1))
            if prev is not None and not isinstance(prev, int):
                b.m.add_implication(g, prev)
            out = g
    b.group_cache[key] = out
    return out


def group_end(b: Builder, gi: int) -> cp_model.IntVar:
    """``end[G] >= max_{a∈G} live[a]`` (equal at the optimum): the integer side
    of the group literals (``g[G,k] <=> end[G] >= k``)."""
    end = b.group_end.get(gi)
    if end is None:
        apps = [a for a in b.prep.groups[gi].apps if a in b.live]
        end = b.m.new_int_var(group_floor(b, gi), b.prep.H, f"end[{b.prep.groups[gi].name}]")
        for a in apps:
            b.m.add(end >= b.live[a])
        b.group_end[gi] = end
    return end


def build_objective(b: Builder, w: Weights, scale: float) -> Objective:
    """Scaled objective of weights ``w`` (see the module docstring)."""
    prep = b.prep
    H = prep.H
    vs: list[cp_model.IntVar] = []
    cs: list[int] = []
    constant = dot(w, prep.constant)
    active = 0.0
    for ap in prep.apps:
        xs = b.x.get(ap.app_id, {})
        if xs:
            active += 0.5
        for (key, L), v in xs.items():
            c = int(round(scale * dot(w, ap.opt(key).table[L])))
            if c:
                vs.append(v)
                cs.append(c)
    for gi, group in enumerate(prep.groups):
        table = group.table
        constant += dot(w, table[0])
        for k in range(1, H + 1):
            delta = dot(w, table[k]) - dot(w, table[k - 1])
            if delta == 0.0:
                continue
            if delta < 0:
                raise AssertionError(f"{group.name}: cost decreases at D={k}")
            c = int(round(scale * delta))
            if c == 0:
                active += abs(scale * delta)
                continue
            lit = group_literal(b, gi, k)
            if isinstance(lit, int):
                constant += delta * lit
                continue
            vs.append(lit)
            cs.append(c)
            active += 0.5
    for n, (fa, fb, cost) in enumerate(prep.loose):
        if fa not in b.live or fb not in b.live:
            continue
        for one, other in ((fa, fb), (fb, fa)):
            u = _split_term(b, w, scale, cost, one, other, f"split[{n},{one}]")
            if u is not None:
                vs.append(u)
                cs.append(1)
                active += 1.0
    return Objective(vs, cs, constant, scale, active / scale)


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
    c_wait = {kl: q(kl[1]) for kl in b.x[waiting]}
    c_moved = {kl: q(kl[1]) if ap.opt(kl[0]).to_target else top for kl in b.x[moved]}
    q_wait = sum(c * b.x[waiting][kl] for kl, c in c_wait.items())
    q_moved = sum(c * b.x[moved][kl] for kl, c in c_moved.items())
    u = b.m.new_int_var(0, top, name)
    b.m.add(u >= q_wait - q_moved)
    b.split_terms.append((u, waiting, c_wait, moved, c_moved))
    return u
