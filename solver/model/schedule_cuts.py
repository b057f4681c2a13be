"""Parallel inequalities: the groups' closing *schedule* on one capacity.

A "job" is a group G whose end is an all-or-nothing saving (a site, a
server, a contract: the group literals ``g[G,k] = [D_G >= k]`` of
:func:`solver.model.costs.group_literal`) or a pool (``any[C,k-1]``), as
:func:`solver.model.closure_cuts.families` gives them: per kind, groups with
disjoint application sets. Months are ``0 … H-1``, an ordinary plan (first
planned month 0, no held applications: :func:`solver.model.closure_cuts.applies`).

**Completion time.** Let ``T_G = max_{a∈G} L_a`` (``L = H`` for a retained
application). ``g[G,k] = 1`` for every ``k <= T_G`` (``g >= ge[a,k]``), so
``E_G = Σ_{k=1..H} g[G,k] >= T_G`` (a month whose literal the objective did
not build takes the group's literal at the latest built ``k' <= k``, which is
``>= g[G,k]``, or 1; a pool's ``E_C = Σ_{t=0..H-1} any[C,t]`` likewise).

**Processing.** In one capacity (the go-live limit, or one team's days) of
``c`` a month, a member ``a`` that has gone live (``L_a < H``) used at least
``w_a`` before month ``L_a`` (one go-live in month ``L_a - 1``; the team's
``effort·min(d, L_a)`` days in months ``L_a - d … L_a - 1``), ``w_a`` the
least over its pairs with ``L < H``
(:func:`solver.model.closure_cuts.member_weights` at ``k = H``; a member with
none never goes live, and its group is no job). ``p_G = Σ_{a∈G} w_a``.

**The inequality** (Queyranne's, one machine of rate ``c``). For a family
subset ``S`` with ``P(S) = Σ_{G∈S} p_G <= c·H``::

    Σ_{G∈S} p_G·E_G  >=  ( P(S)² + Σ_{G∈S} p_G² ) / (2c)

Proof: order ``S`` by ``T``. A group with ``T_j < H`` closed after every
member of it and of each group before it went live, all by ``T_j``: their
applications are distinct and used ``P(<= j)`` in months ``0 … T_j - 1``, at
most ``c·T_j``, so ``T_j >= P(<= j)/c``; a group with ``T_j = H`` has
``T_j = H >= P(S)/c >= P(<= j)/c``. Hence ``Σ p_j E_j >= Σ p_j T_j >= Σ_j
p_j P(<= j)/c``, and the right-hand side is the same for every order.
Applications outside ``S`` only use capacity: they make ``T`` later, never
earlier. Valid for every plan, so the optimum and every bound are unchanged.

Separation (:func:`separate_parallel`): per family and capacity, the jobs
in the LP's ascending ``E`` and each prefix (within ``P <= c·H``) checked;
the most violated prefix is the row. Measured on the export-shaped 1,000
VMs and the SizingWorkshop sample (``docs/solver.md``, *Parallel
inequalities*): the LP's ends are far inside these rows (none violated), so
they are an offline check only (:func:`lp_with_parallel`,
``benchmarks/schedule_slack.py``), in no solve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from solver.model.closure_cuts import applies, capacities, families, member_weights
from solver.model.glop import Glop, pounds
from solver.model.lp_bound import proto_of, relax
from solver.model.pool_cuts import index_value

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.costs import Objective
    from solver.model.lp_bound import _Rows

ALL = 10 ** 6  # no cap on a family's size


@dataclass(frozen=True)
class Job:
    """A group or pool: its end ``E = const + Σ lits`` (literal indices, a
    negative one the negation) and its use ``p`` of each capacity."""

    refs: tuple[int, ...]
    const: int
    p: tuple[float, ...]

    def value(self, vals: np.ndarray) -> float:
        """``E`` at the LP's column values."""
        return self.const + sum(index_value(vals, r) for r in self.refs)


@dataclass(frozen=True)
class Row:
    """``Σ_{G} p_G·E_G >= rhs`` over ``jobs`` in dimension ``dim``."""

    jobs: tuple[Job, ...]
    dim: int
    rhs: float
    violation: float

    def terms(self) -> tuple[list[tuple[int, float]], float]:
        """The row's terms ``(ref, coeff)`` and its constant."""
        terms = [(r, job.p[self.dim]) for job in self.jobs for r in job.refs]
        return terms, sum(job.p[self.dim] * job.const for job in self.jobs)


def jobs(b: Builder) -> tuple[list[tuple[str, float]], list[list[Job]]]:
    """The capacities and the families of jobs (module doc); empty where the
    inequalities do not apply."""
    if not applies(b):
        return [], []
    dims = capacities(b)
    if not dims:
        return [], []
    H = b.prep.H
    out: list[list[Job]] = []
    for fam in families(b, pools=True, most=ALL):
        got: list[Job] = []
        for apps, lit_at in fam:
            p = tuple(sum(member_weights(b, a, d)[H] for a in apps) for d, _ in dims)
            if not all(math.isfinite(w) for w in p) or not any(p):
                continue
            refs, const = [], 0
            for k in range(1, H + 1):
                lit = lit_at(k)
                if lit is None:
                    const += 1
                elif isinstance(lit, int):
                    const += lit
                else:
                    refs.append(lit.index)
            got.append(Job(tuple(refs), const, p))
        if len(got) >= 2:
            out.append(got)
    return dims, out


def rhs(ps: list[float], cap: float) -> float:
    """``(P² + Σ p²) / (2c)``."""
    return _rhs(sum(ps), sum(p * p for p in ps), cap)


def _rhs(P: float, sq: float, cap: float) -> float:
    """:func:`rhs` from ``P`` and ``Σ p²``."""
    return (P * P + sq) / (2.0 * cap)


def _prefixes(fam: list[Job], vals: np.ndarray, j: int, cap: float, H: int
              ) -> list[tuple[tuple[Job, ...], float, float]]:
    """Each prefix of the family's jobs using capacity ``j`` in the LP's
    ascending ``E``, while ``P <= c·H``: ``(jobs, rhs, lhs)``."""
    order = sorted(((job.value(vals), job) for job in fam if job.p[j] > 0),
                   key=lambda x: x[0])
    out: list[tuple[tuple[Job, ...], float, float]] = []
    lhs = P = sq = 0.0
    taken: list[Job] = []
    for e, job in order:
        p = job.p[j]
        if P + p > cap * H + 1e-9:
            break
        P, sq, lhs = P + p, sq + p * p, lhs + p * e
        taken.append(job)
        out.append((tuple(taken), _rhs(P, sq, cap), lhs))
    return out


def separate_parallel(b: Builder, vals: np.ndarray, tol: float = 1e-3,
                      found: tuple[list[tuple[str, float]], list[list[Job]]] | None = None
                      ) -> list[Row]:
    """The most violated parallel inequality per family and capacity at the
    LP's column values ``vals`` (module doc), by more than ``tol`` of its
    right-hand side; ``found``: :func:`jobs` already computed."""
    dims, fams = found if found is not None else jobs(b)
    rows: list[Row] = []
    for fam in fams:
        for j, (_, cap) in enumerate(dims):
            best: Row | None = None
            for taken, need, lhs in _prefixes(fam, vals, j, cap, b.prep.H):
                gap = need - lhs
                if len(taken) >= 2 and gap > tol * need and (best is None
                                                             or gap > best.violation):
                    best = Row(taken, j, need, gap)
            if best is not None:
                rows.append(best)
    return rows


def slack(b: Builder, vals: np.ndarray) -> list[tuple[int, str, float]]:
    """Per family and capacity, the least ``lhs / rhs`` over the prefixes of
    :func:`separate_parallel` at ``vals`` (below 1: violated):
    ``(family, capacity, ratio)``."""
    dims, fams = jobs(b)
    out = []
    for fi, fam in enumerate(fams):
        for j, (name, cap) in enumerate(dims):
            got = [lhs / need for _, need, lhs in _prefixes(fam, vals, j, cap, b.prep.H)
                   if need > 0]
            if got:
                out.append((fi, name, min(got)))
    return out


def lp_with_parallel(b: Builder, obj: Objective, seconds: float, rounds: int,
                     log: list[str] | None = None) -> list[float]:
    """The LP bound (£) of ``b``'s model (its objective ``obj`` set, as it is
    now: with whatever cuts it holds) and after each of up to ``rounds``
    rounds of :func:`separate_parallel`'s rows (GLOP, ``seconds`` each);
    stops when a round finds none. Offline only: the rows go to GLOP's LP,
    not to the CP-SAT model."""
    found = jobs(b)
    lp = Glop(relax(proto_of(b.m)))
    out: list[float] = []
    for k in range(rounds + 1):
        res = lp.solve(seconds)
        if not math.isfinite(res.bound) or res.primal is None:
            break
        out.append(pounds(lp.r, res.bound, obj))
        if k == rounds:
            break
        cuts = separate_parallel(b, res.primal, found=found)
        if log is not None:
            log.append(f"parallel inequalities, round {k}: £{out[-1]:,.0f}, "
                       f"{len(cuts)} violated")
        if not cuts:
            break
        rows = lp.rows()
        for row in cuts:
            add_row(rows, row)
        lp.add_rows(rows)
    return out


def add_row(rows: _Rows, row: Row) -> None:
    """The inequality as an LP row."""
    terms, const = row.terms()
    rows.add(terms, const, row.rhs, math.inf)
