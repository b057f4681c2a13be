"""Sub-pool chord cuts: a pool's host count bounded by the load of any subset
of its members, separated from the LP's solution (``SolveParams.pool_cut_rounds``).

For cluster C (m hosts, ``spare`` s, one host's units ``cap`` of a resource),
month t and any set R of its members with load units ``w_i``, ``w(R) = Σ_R
w_i``, the rule keeps ``n(t) = min(m, s + ceil(load/cap))`` hosts while a
member is in service (:func:`estate.clusters.hosts_needed`), at least
``g(y) = min(m, s + ceil(y/cap))`` for ``y = Σ_R w_i·u[i,t] > 0`` (the load
of R alone; ``g(0) = 0`` and n only grows with the load). So, with
``α_R = min_{0 < y <= w(R)} g(y)/y``::

    D·n[C,t] >= N·Σ_{i∈R} w_i·u[i,t]        (α_R = N/D)

holds for every plan: ``n >= g(y) >= α_R·y``. ``g`` is a step function, so
the minimum is at a step's right end, ``y = k·cap`` (``k·cap < w(R)``), or
at ``y = w(R)`` (:func:`ratio`). R = every member is (without the spare's
intercept) the chord of ``clusters._chord``; R = one member is its member
link. In between, R = the members the LP keeps in the pool gives the rule's
step where the chord gives a slope: in the LP of 300 export-shaped VMs a
cluster of 10 hosts kept 70 % of its load and paid 7.3 hosts (the chord),
where the rule keeps all 10.

Cuts are separated from LP column values (:func:`separate`): per cluster,
month and resource, the members sorted by ``u`` (most in service first),
the most violated prefix; the cuts most violated first. :func:`lp_with_pool_cuts`
adds them round by round (a share of them a round, the most violated) to
the CP-SAT model (so CP-SAT's own LP and search get them too) and to GLOP's
LP, re-solved by a new solver (:class:`solver.model.glop.Glop`), as many
rounds as fit in the LP bound's time and still gain; the member links' rows
can wait outside GLOP's LP until its solution violates them. They
remove no plan: the optimum is unchanged and every bound stays valid.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from solver.model.clusters import _member_literal
from solver.model.glop import Glop, lp_line, pounds
from solver.model.lp_bound import Relaxation, _Rows, proto_of, relax_split

if TYPE_CHECKING:
    from estate.clusters import Cluster
    from solver.model.build import Builder
    from solver.model.costs import Objective

Lit = int | cp_model.IntVar


@dataclass(frozen=True)
class Cut:
    """``den·n >= num·(const + Σ w·u)`` (module docstring)."""

    n: cp_model.IntVar
    den: int
    num: int
    terms: tuple[tuple[cp_model.IntVar, int], ...]  # w < 0: a member outside R
    const: int


def ratio(total: int, cap: int, m: int, spare: int) -> tuple[int, int]:
    """``(N, D)`` with ``N/D = min_{0 < y <= total} g(y)/y``, ``g(y) = min(m,
    spare + ceil(y/cap))``: the least of ``g(y)/y`` at each step's right end
    ``y = k·cap < total`` and at ``y = total``."""
    best = (0, 1)
    first = True
    for y in [k * cap for k in range(1, m + 1) if k * cap < total] + [total]:
        g = min(m, spare + -(-y // cap))
        if first or g * best[1] < best[0] * y:
            best, first = (g, y), False
    return best


def index_value(vals: np.ndarray, i: int) -> float:
    """A literal's value at the LP's column values ``vals``, by its CP-SAT
    index (a negative one the negation of variable ``-i - 1``)."""
    return float(1.0 - vals[-i - 1]) if i < 0 else float(vals[i])


def _value(vals: np.ndarray, lit: Lit) -> float:
    if isinstance(lit, int):
        return float(lit)
    return index_value(vals, lit.index)


def _pool_months(b: Builder, vals: np.ndarray) -> Iterator[
        tuple[Cluster, int, cp_model.IntVar, list[Lit], list[tuple[int, int]],
              list[tuple[float, int]]]]:
    """Each cluster and month whose host count ``n`` is a variable, with its
    members' literals ``u`` (:func:`_member_literal`), their ``(cpu, ram)``
    and ``(u's value, member index)`` most in service first: what every
    separation here walks."""
    for c in b.prep.clusters:
        for t, n in enumerate(b.cluster_n.get(c.name, [])):
            if isinstance(n, int):
                continue
            us = [_member_literal(b, apps, t) for apps, _, _ in c.members]
            ws = [(cpu, ram) for _, cpu, ram in c.members]
            here = sorted(((_value(vals, u), i) for i, u in enumerate(us)),
                          key=lambda p: -p[0])
            yield c, t, n, us, ws, here


def separate(b: Builder, vals: np.ndarray, tol: float = 1e-3, sparse: bool = False) -> list[Cut]:
    """The most violated sub-pool chord of each cluster, month and resource at
    the column values ``vals`` (by more than ``tol`` hosts); ``sparse``: each
    written the shorter way (:func:`_cut`). The most violated first."""
    out: list[Cut] = []
    found: list[float] = []
    for c, t, n, us, ws, here in _pool_months(b, vals):
        m, s = len(c.hosts), min(c.spare, len(c.hosts))
        nv = _value(vals, n)
        for res, cap in ((0, c.cap_cpu), (1, c.cap_ram)):
            if cap <= 0:
                continue
            best: tuple[float, int, int, int] | None = None
            total, load = 0, 0.0
            for k, (uv, i) in enumerate(here):
                w = ws[i][res]
                if w <= 0:
                    continue
                total += w
                load += w * uv
                num, den = ratio(total, cap, m, s)
                viol = num * load / den - nv
                if viol > tol and (best is None or viol > best[0]):
                    best = (viol, k, num, den)
            if best is None:
                continue
            viol, k, num, den = best
            found.append(viol)
            out.append(_cut(b, c.name, t, n, res, num, den,
                            [(us[i], ws[i][res]) for _, i in here[:k + 1]],
                            [(us[i], ws[i][res]) for _, i in here[k + 1:]], sparse))
    order = sorted(range(len(out)), key=lambda j: -found[j])
    return [out[j] for j in order]


def separate_any(b: Builder, vals: np.ndarray, tol: float = 1e-3) -> list[Cut]:
    """``any[C,t] >= u[i,t]`` for the member most in service of each cluster
    and month where the LP's ``any`` is below it (by more than ``tol``; the
    most violated first): the member link ``u => any`` (``clusters._link_members``),
    which a model from ``member_links_max_apps`` applications leaves out, so
    ``any`` is bounded by ``load/W`` alone (the sample's largest pool: 111
    members in service at ``any`` 0.33 and 6.4 hosts where the rule keeps 9).
    Valid: ``any = [a member in service]`` meets every row of the pool."""
    out: list[Cut] = []
    found: list[float] = []
    for c in b.prep.clusters:
        anys = b.cluster_any.get(c.name, [])
        for t, anyv in enumerate(anys):
            if anyv is None:
                continue
            av = _value(vals, anyv)
            top: tuple[float, cp_model.IntVar] | None = None
            for apps, _, _ in c.members:
                u = _member_literal(b, apps, t)
                if isinstance(u, int):
                    continue
                uv = _value(vals, u)
                if uv - av > tol and (top is None or uv > top[0]):
                    top = (uv, u)
            if top is not None:
                found.append(top[0] - av)
                out.append(Cut(anyv, 1, 1, ((top[1], 1),), 0))
    order = sorted(range(len(out)), key=lambda j: -found[j])
    return [out[j] for j in order]


def separate_covers(b: Builder, vals: np.ndarray, tol: float = 1e-3) -> list[Cut]:
    """The most violated rounded cover cut of each cluster, month and resource
    at the column values ``vals`` (by more than ``tol`` hosts; the most
    violated first). For a set R of members, ``d_i = ceil(w_i/cap)`` and
    ``K = min(m - spare, ceil(w(R)/cap))``::

        n[C,t] >= spare·any[C,t] + K - Σ_{i∈R} d_i·(1 - u[i,t])

    Valid for every plan: with S ⊆ R in service (S not empty), ``n >=
    g(w(S)) >= spare + min(m - spare, ceil(w(R)/cap) - Σ_{R∖S} d_i)``
    (``ceil(a - b) >= ceil(a) - ceil(b)`` and ``ceil`` is subadditive), and
    the right side is at most ``spare·any`` when S is empty (``K <= Σ_R
    d_i``), 0 with nothing in service (``any`` 0). Where R's members are all
    in service it is the rule's own step, ``g(w(R))``, where the sub-pool
    chord (:func:`separate`) gives ``α_R·w(R)``, below it by up to a host.
    R: the prefixes of the members sorted by ``u`` (most in service first)."""
    out: list[Cut] = []
    found: list[float] = []
    for c, t, n, us, ws, here in _pool_months(b, vals):
        m, s = len(c.hosts), min(c.spare, len(c.hosts))
        anys = b.cluster_any.get(c.name, [])
        anyv = anys[t] if t < len(anys) else None
        if s and anyv is None:
            continue
        nv = _value(vals, n)
        av = _value(vals, anyv) if anyv is not None else 0.0
        for res, cap in ((0, c.cap_cpu), (1, c.cap_ram)):
            if cap <= 0:
                continue
            best: tuple[float, int, int] | None = None
            total, lost = 0, 0.0
            for k, (uv, i) in enumerate(here):
                w = ws[i][res]
                if w <= 0:
                    continue
                total += w
                lost += -(-w // cap) * (1.0 - uv)
                big = min(m - s, -(-total // cap))
                viol = s * av + big - lost - nv
                if viol > tol and (best is None or viol > best[0]):
                    best = (viol, k, big)
            if best is None:
                continue
            viol, k, big = best
            terms: list[tuple[cp_model.IntVar, int]] = []
            const = big
            for _, i in here[:k + 1]:
                w = ws[i][res]
                if w <= 0:
                    continue
                d = -(-w // cap)
                u = us[i]
                const -= d
                if isinstance(u, int):
                    const += d * u
                else:
                    terms.append((u, d))
            if s and anyv is not None:
                terms.append((anyv, s))
            found.append(viol)
            out.append(Cut(n, 1, 1, tuple(terms), const))
    order = sorted(range(len(out)), key=lambda j: -found[j])
    return [out[j] for j in order]


def _cut(b: Builder, name: str, t: int, n: cp_model.IntVar, res: int, num: int, den: int,
         inside: list[tuple[Lit, int]], outside: list[tuple[Lit, int]], sparse: bool) -> Cut:
    """The cut over R = ``inside`` (``(u, w)`` of each member): ``Σ_R w·u``
    itself, or (``sparse``, when shorter) the pool's load row less the
    members outside R, ``load[C,t] - Σ_{not R} w·u`` (``Builder.cluster_load``:
    the chain ``load[C,t]`` and the members off the chain). The two are
    equal in every plan (the load is the members' in service), so the cut is
    as valid either way; in the LP the load chain is exact too (``x``'s
    rows), and the short row re-solves faster."""
    def split(pairs: list[tuple[Lit, int]]) -> tuple[list[tuple[cp_model.IntVar, int]], int]:
        terms: list[tuple[cp_model.IntVar, int]] = []
        const = 0
        for u, w in pairs:
            if w <= 0:
                continue
            if isinstance(u, int):
                const += w * u
            else:
                terms.append((u, w))
        return terms, const

    terms, const = split(inside)
    load = b.cluster_load.get((name, t)) if sparse else None
    if load is not None:
        vs, cs, lconst = load[res]
        rest, rconst = split(outside)
        if len(vs) + len(rest) < len(terms):
            return Cut(n, den, num, tuple(zip(vs, cs, strict=True))
                       + tuple((u, -w) for u, w in rest), lconst - rconst)
    return Cut(n, den, num, tuple(terms), const)


def add_cut(b: Builder, cut: Cut) -> None:
    """The cut as a row of the CP-SAT model."""
    rhs = cut.const + sum(w * u for u, w in cut.terms)
    b.m.add(cut.den * cut.n >= cut.num * rhs)


def _row(cut: Cut, rows: _Rows) -> None:
    """The cut as an LP row ``n - (N/D)·Σ w·u >= (N/D)·const``."""
    a = cut.num / cut.den
    rows.add([(cut.n.index, 1.0)] + [(u.index, -a * w) for u, w in cut.terms],
             0.0, a * cut.const, math.inf)


def lp_with_pool_cuts(b: Builder, obj: Objective, seconds: float, rounds: int,
                      offer: Callable[[float], None], log: list[str],
                      lazy_links: bool = False, sparse: bool = False,
                      share: float = 1.0, min_gain: float = 0.0,
                      leftover: bool = False,
                      on_primal: Callable[[np.ndarray], None] | None = None,
                      covers: bool = False, any_links: bool = False,
                      to_model: bool = True, glop: type[Glop] = Glop,
                      fit: float = 1.0,
                      on_dual: Callable[[Relaxation, np.ndarray, list[int], int], None]
                      | None = None) -> float:
    """The LP bound (£) of ``b``'s model (its objective ``obj`` set) with up
    to ``rounds`` rounds of sub-pool chords, each offered to ``offer``;
    the cuts stay in the CP-SAT model. -inf when GLOP gave none in time.
    ``lazy_links``: the member links' rows (``Builder.link_cts``) start out of
    GLOP's LP and enter it, round by round, where its solution violates them
    (:func:`solver.model.lp_bound.relax_split`): each round's LP is a
    relaxation of the model still, and a smaller one to solve. ``sparse``:
    each cut written the shorter way (:func:`_cut`). ``share``: each round
    adds only that share of the cuts separated (the most violated, at least
    one): GLOP's re-solve grows much faster than linearly with the cuts
    added at once (``docs/solver.md``). ``min_gain``: no further round once
    one raised the bound by less than that share of it. ``leftover``: when
    no re-solve fits, the last round's cuts still go to the CP-SAT model
    (for CP-SAT's own LP worker, with two workers). ``on_primal``: given each
    round's column values (indexed by the CP-SAT variables' indices; the
    neighbourhood search's LP-guided kind reads them). ``covers``: the rounded
    cover cuts (:func:`separate_covers`) separated beside the chords, the
    same share of each. ``any_links``: the member links to ``any`` where
    violated (:func:`separate_any`), the same share. ``to_model=False``:
    the cuts go into GLOP's rows only, not into ``b``'s CP-SAT model (a model
    built for the LP alone and dropped after: the light full model's LP,
    :func:`solver.model.bound_first._lp_light`). ``glop``: the LP solver
    (:class:`~solver.model.glop_dual.DualGlop` gives a bound from a round its
    time limit stopped; that round's cuts are the last). ``fit``: another
    round starts while that share of the last round's time is left (1: only
    when a solve as long as the last one still fits). ``on_dual``: given, at
    the end, the relaxation and dual values of the best round, each
    constraint's first row and the rows the relaxation had before any cut
    (:func:`solver.model.lagrange.block_lagrangian` reads them)."""
    t = time.monotonic()
    end = t + seconds
    for c in b.prep.clusters:  # every u[i,t] in the model before it is relaxed
        for month, n in enumerate(b.cluster_n.get(c.name, [])):
            if not isinstance(n, int):
                for apps, _, _ in c.members:
                    _member_literal(b, apps, month)
    starts: list[int] | None = [] if on_dual is not None else None
    r, pending = relax_split(proto_of(b.m), b.link_cts if lazy_links else (), starts)
    first_added = r.a.shape[0]
    lp = glop(r)
    best = -math.inf
    best_dual: tuple[Relaxation, np.ndarray] | None = None
    added = links = terms = later = 0
    for k in range(rounds + 1):
        res = lp.solve(end - time.monotonic())
        if not math.isfinite(res.bound):
            log.append(f"LP bound with sub-pool chords, round {k}: none ({res.status} "
                       f"in {res.seconds:.1f}s)")
            break
        if on_primal is not None and res.primal is not None:
            on_primal(res.primal)
        got = pounds(lp.r, res.bound, obj)
        small = k > 0 and got - best < min_gain * abs(best)
        if got > best:
            best = got
            offer(got)
            if on_dual is not None and res.dual is not None:  # kept only when asked (memory)
                best_dual = (lp.r, res.dual)
        if k == 0:
            log.append(lp_line(got, time.monotonic() - t, res.status, lp.r))
        else:
            log.append(f"LP bound with sub-pool chords, round {k}: £{got:,.0f} in "
                       f"{res.seconds:.1f}s ({added} cuts, {terms:,} terms"
                       + (f", {links} member-link rows)" if lazy_links else ")")
                       + ("" if res.status == "optimal" else f", {res.status}"))
        # another round only when a solve as long as the last one still fits
        if k == rounds or small or res.primal is None:  # no values: nothing to separate
            break
        fits = time.monotonic() + fit * res.seconds < end
        if not (fits or leftover):
            break
        kinds = [separate(b, res.primal, sparse=sparse)]
        if covers:
            kinds.append(separate_covers(b, res.primal))
        if any_links:
            kinds.append(separate_any(b, res.primal))
        if not fits:  # this round's cuts, all of them, to the CP-SAT model alone
            if to_model:
                for cut in (cut for kind in kinds for cut in kind):
                    add_cut(b, cut)
                later = sum(len(kind) for kind in kinds)
            break
        cuts = [cut for kind in kinds for cut in kind[:math.ceil(share * len(kind))]]
        rows = lp.rows()
        links += pending.violated(res.primal, rows)
        if not cuts and not rows.lo:
            break
        for cut in cuts:
            if to_model:
                add_cut(b, cut)
            _row(cut, rows)
        lp.add_rows(rows)
        added += len(cuts)
        terms += sum(len(cut.terms) for cut in cuts)
    if on_dual is not None and best_dual is not None and starts is not None:
        on_dual(best_dual[0], best_dual[1], starts, first_added)
    shown = f"£{best:,.0f}" if math.isfinite(best) else "none"
    log.append(f"LP bound with sub-pool chords: {shown} in "
               f"{time.monotonic() - t:.1f}s, {added} cuts"
               + (f", {links} of {links + pending.left} member-link rows" if lazy_links else "")
               + (f"; {later} more cuts to CP-SAT's model alone" if later else ""))
    return best
