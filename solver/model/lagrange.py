"""A Lagrangian bound by blocks, priced by the LP's own duals (issue 23,
session 11; a measurement, not in the search's schedule: ``docs/solver.md``,
*A Lagrangian bound by blocks from the LP's duals*).

The full model's variables are cut into *blocks* (:func:`block_lagrangian`):
each application's ``x`` goes to the block its ``label`` names (a cluster,
say); every other variable joins, constraint by constraint, the block of the
variables it is linked to. A constraint that would join two labelled blocks
is *relaxed* instead, as are the capacities every application shares
(:attr:`solver.model.build.Builder.coupling_cts`: team days, critical
applications, go-lives, budget). With ``y`` the LP's dual values of the
relaxed constraints' rows (the LP of :mod:`solver.model.lp_bound`, the rows
``starts`` locates), for every plan ``x`` of the model

    c·x >= Σ_r∈R (y_r⁺·lo_r - y_r⁻·hi_r) + Σ_b (c - A_Rᵀy)_b·x_b

(each relaxed row ``lo_r <= A_r·x <= hi_r`` holds, each ``y_r`` clipped to
the sign its finite sides allow), so the sum of each block's *integer*
minimum of its priced objective over its own constraints (CP-SAT's bound:
any lower bound of it serves) is a lower bound of the optimum: a
Lagrangian relaxation of the coupling rows. Where ``y`` is the LP's optimal
dual and every block is solved to optimality, it is at least the LP's value
(each block's integer hull lies inside its part of the LP); each block also
keeps its own share of every ``<=`` capacity with non-negative terms (the
part of a sum within a cap is within it). A site's or contract's literal
that spans blocks goes to one block, and the rows that tie it to the others
are priced by their duals: the LP's own split of that group's cost.
Constraints CP-SAT gives no LP row (intervals' cumulative and no-overlap)
are left out of the blocks, a relaxation still.

The block models are read from the CP-SAT model's proto, generically (one
home for every rule: the model itself); each block's priced objective is
rounded down to integers of the proto's units, the rounding made up by a
constant where a variable's lower bound is not 0.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from google.protobuf import message, text_format
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from solver.model.lp_bound import Relaxation

_REFS = {"vars", "literals", "enforcement_literal"}
#: constraint kinds that name other constraints (intervals): never in a block
_LEFT_OUT = {"no_overlap", "cumulative", "no_overlap_2d", "reservoir"}


def refs(msg: message.Message, out: list[int] | None = None) -> list[int]:
    """Every variable reference (a negative one is a negated literal) in a
    proto constraint, in any of its fields."""
    out = [] if out is None else out
    for f, v in msg.ListFields():
        if f.type == f.TYPE_MESSAGE:
            for m in (v if f.is_repeated else [v]):
                refs(m, out)
        elif f.name in _REFS:
            out.extend(v)
        elif f.name in ("index", "target") and msg.DESCRIPTOR.name == "ElementConstraintProto":
            out.append(v)
    return out


def _remap(msg: message.Message, new: dict[int, int]) -> None:
    """Every variable reference of ``msg`` renumbered by ``new``."""
    for f, v in msg.ListFields():
        if f.type == f.TYPE_MESSAGE:
            for m in (v if f.is_repeated else [v]):
                _remap(m, new)
        elif f.name in _REFS:
            got = [new[r] if r >= 0 else -new[-r - 1] - 1 for r in v]
            del v[:]
            v.extend(got)
        elif f.name in ("index", "target") and msg.DESCRIPTOR.name == "ElementConstraintProto":
            setattr(msg, f.name, new[v] if v >= 0 else -new[-v - 1] - 1)


def _var(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


class _Union:
    """Union-find over variable indices, each root with at most one label."""

    def __init__(self, n: int, label: dict[int, str]) -> None:
        self.up = list(range(n))
        self.label = dict(label)

    def root(self, a: int) -> int:
        while self.up[a] != a:
            self.up[a] = self.up[self.up[a]]
            a = self.up[a]
        return a

    def join(self, roots: list[int], label: str | None) -> None:
        first = roots[0]
        for r in roots:
            self.label.pop(r, None)
            self.up[r] = first
        if label is not None:
            self.label[first] = label


@dataclass
class Part:
    """One block: its name (a label, or ``(free)`` for a component no
    labelled variable reaches), size, bound (proto units, with its rounding
    constant), CP-SAT's status and, when the LP's column values were given,
    the LP's value of the same priced objective over the block's variables."""

    name: str
    variables: int
    constraints: int
    bound: float
    status: str
    seconds: float
    lp_part: float = math.nan


@dataclass
class LagrangeBound:
    """The bound (proto units with the offset, before scaling; -inf if a
    block is infeasible), the relaxed rows' constant, the blocks."""

    bound: float
    constant: float
    relaxed: int
    rows: int
    parts: list[Part] = field(default_factory=list)


def _rows_of(starts: list[int], first_added: int) -> list[tuple[int, int]]:
    """Per constraint, its rows ``[start, end)`` in the relaxation (empty for
    a held one); ``first_added`` the first row added after it was read."""
    out = [(0, 0)] * len(starts)
    nxt = first_added
    for ci in range(len(starts) - 1, -1, -1):
        s = starts[ci]
        if s < 0:
            continue
        out[ci] = (s, nxt)
        nxt = s
    return out


def block_lagrangian(proto: cp_model_pb2.CpModelProto, r: Relaxation, y: np.ndarray,
                     starts: list[int], first_added: int, label: dict[int, str],
                     coupling: Iterable[int], *, seconds: float,
                     budget: float = math.inf, max_vars: int = 2**62,
                     primal: np.ndarray | None = None, keep_caps: bool = True,
                     seed: int = 0, log: Callable[[str], None] | None = None,
                     on_bound: Callable[[float], None] | None = None,
                     stop: threading.Event | None = None,
                     cuts_in_model: bool = True) -> LagrangeBound:
    """The Lagrangian bound of the module doc. ``proto``: the model (its
    first ``len(starts)`` constraints those ``r`` was read from with
    ``starts``, :func:`solver.model.lp_bound.relax_split`; constraints after
    them, cuts added since, go to their blocks and are never relaxed); ``y``:
    a dual vector of ``r`` (rows from ``first_added`` on: cuts and held rows
    added since; ``cuts_in_model``: each is a constraint of ``proto``, as the
    chords are when ``lp_with_pool_cuts`` puts them into the model, so a row
    within one block counts in its LP floor; else they are all priced,
    never in a floor); ``label``: the block of each labelled variable; ``coupling``:
    constraints always relaxed; ``seconds``: CP-SAT's wall time per labelled
    block (one worker; 5 s for an unlabelled one), ``budget`` for them all,
    the smallest first (a block of more than ``max_vars`` variables, or one
    ``stop`` or the budget leaves out, counts its LP floor); ``primal``: the
    LP's column values (logged beside each block's bound); ``on_bound``: the
    bound (proto units) each time a block raises it.

    Each block counts the larger of CP-SAT's bound and its *LP floor*: its
    share of the Lagrangian of ``y`` over every row of ``r`` (the rows
    within the block and its columns' box), itself a lower bound of the
    block's LP; so the bound starts at the LP's own Lagrangian bound
    (:func:`solver.model.lp_bound.lagrangian`) and each block solved can
    only raise it."""
    n = len(proto.variables)
    if n != len(r.c):
        raise ValueError("the relaxation's columns are not the model's variables")
    uf = _Union(n, label)
    relaxed = set(coupling)
    kept: list[int] = []
    for ci, ct in enumerate(proto.constraints):
        if ci in relaxed or ct.WhichOneof("constraint") in _LEFT_OUT:
            continue
        found = sorted({uf.root(_var(x)) for x in refs(ct)})
        labels = {uf.label[x] for x in found if x in uf.label}
        if len(labels) > 1:
            relaxed.add(ci)
            continue
        kept.append(ci)
        if found:
            uf.join(found, next(iter(labels)) if labels else None)
    spans = _rows_of(starts, first_added)
    in_r = np.zeros(len(r.lo), dtype=bool)
    for ci in relaxed:
        if ci < len(spans):
            a, b = spans[ci]
            in_r[a:b] = True
    roots = np.array([uf.root(v) for v in range(n)], dtype=np.int64)
    if r.a.nnz:  # a row whose columns lie in two blocks (a cut, say) is relaxed too
        first = np.full(len(r.lo), -1, dtype=np.int64)
        first[r.a.rows[::-1]] = roots[r.a.cols[::-1]]
        across = np.zeros(len(r.lo), dtype=bool)
        across[r.a.rows[roots[r.a.cols] != first[r.a.rows]]] = True
        in_r |= across
    if not cuts_in_model:  # rows no block model holds: priced, never a floor
        in_r[first_added:] = True
    yc = np.where(np.isfinite(r.lo), y, np.minimum(y, 0.0))
    yc = np.where(np.isfinite(r.hi), yc, np.maximum(yc, 0.0))
    yc = np.nan_to_num(yc, nan=0.0, posinf=0.0, neginf=0.0)
    sides = np.where(yc > 0, yc * np.where(np.isfinite(r.lo), r.lo, 0.0),
                     yc * np.where(np.isfinite(r.hi), r.hi, 0.0))
    d = r.c - r.a.t_dot(np.where(in_r, yc, 0.0))  # what each block minimises
    box = np.minimum(r.l * (r.c - r.a.t_dot(yc)), r.u * (r.c - r.a.t_dot(yc)))
    # each block's share of the LP's own Lagrangian (its rows and columns)
    row_block = np.full(len(r.lo), -1, dtype=np.int64)
    if r.a.nnz:
        row_block[r.a.rows] = roots[r.a.cols]
    own = ~in_r & (row_block >= 0)
    lp_floor = np.bincount(roots, weights=box, minlength=n)
    lp_floor += np.bincount(row_block[own], weights=sides[own], minlength=n)
    const = float(np.sum(sides[~own])) + r.offset
    out = LagrangeBound(const, const, len(relaxed), int(np.count_nonzero(in_r)))
    members: dict[int, list[int]] = {}
    for v in range(n):
        members.setdefault(int(roots[v]), []).append(v)
    cts: dict[int, list[int]] = {}
    for ci in kept:
        got = refs(proto.constraints[ci])
        if got:
            cts.setdefault(int(roots[_var(got[0])]), []).append(ci)
    # the LP's own Lagrangian, block by block; each block solved adds what its
    # integer bound proves above its share
    total = const + float(np.sum(lp_floor))
    slack = abs(const) + float(np.sum(np.abs(lp_floor)))
    end = time.monotonic() + budget
    # the smallest first: they finish; a block not solved keeps its LP floor
    for root, vs in sorted(members.items(), key=lambda kv: (len(kv[1]), kv[0])):
        if root not in cts:  # no constraint of its own: the box is its minimum
            continue
        name = uf.label.get(root, "(free)")
        floor = float(lp_floor[root])
        left = end - time.monotonic()
        if left <= 0.05 or (stop is not None and stop.is_set()) or len(vs) > max_vars:
            out.parts.append(Part(name, len(vs), len(cts[root]), floor, "NOT RUN", 0.0,
                                  floor))
            continue
        part = _solve_block(proto, r, d, vs, cts[root],
                            coupling if keep_caps and name != "(free)" else (),
                            min(seconds if name != "(free)" else 5.0, left), seed)
        part.name = name
        part.lp_part = floor
        out.parts.append(part)
        if part.status in ("INFEASIBLE", "MODEL_INVALID"):
            total = -math.inf
        total += max(part.bound - floor, 0.0)
        slack += abs(part.bound)
        if on_bound is not None and math.isfinite(total) and part.bound > floor:
            on_bound(total - 1e-9 * slack - 1e-6)
        if log is not None and name != "(free)":
            shown = (f"; the LP's value of it {float(np.dot(d[vs], primal[vs])):,.0f}"
                     if primal is not None else "")
            log(f"  block {name}: {len(vs)} variables, {part.constraints} constraints: "
                f"bound {part.bound:,.0f} against its LP floor {floor:,.0f}{shown}, "
                f"{part.status} in {part.seconds:.1f}s")
    # a floating-point allowance, as lp_bound.lagrangian's
    out.bound = total - 1e-9 * slack - 1e-6 if math.isfinite(total) else -math.inf
    return out


def _solve_block(proto: cp_model_pb2.CpModelProto, r: Relaxation, d: np.ndarray,
                 vs: list[int], cts: list[int], caps: Iterable[int], seconds: float,
                 seed: int) -> Part:
    """CP-SAT's bound (proto units) of ``min d·x`` over the block's variables
    ``vs`` and constraints ``cts`` (and its share of the capacities ``caps``)."""
    new = {v: i for i, v in enumerate(vs)}
    m = cp_model_pb2.CpModelProto()
    for v in vs:
        m.variables.add().CopyFrom(proto.variables[v])
    for ci in cts:
        c = m.constraints.add()
        c.CopyFrom(proto.constraints[ci])
        _remap(c, new)
    for ci in caps:
        ct = proto.constraints[ci]
        lin = ct.linear
        if (ct.WhichOneof("constraint") != "linear" or ct.enforcement_literal
                or any(c < 0 for c in lin.coeffs) or any(r.l[v] < 0 for v in lin.vars)):
            continue
        pairs = [(new[v], c) for v, c in zip(lin.vars, lin.coeffs, strict=True) if v in new]
        if pairs:  # this block's terms of a cap on non-negative terms
            c = m.constraints.add()
            c.linear.vars.extend([p[0] for p in pairs])
            c.linear.coeffs.extend([p[1] for p in pairs])
            c.linear.domain.extend([-(2**62), lin.domain[-1]])
    dv = d[vs]
    fl = np.floor(dv)
    extra = float(np.sum((dv - fl) * r.l[vs]))  # d·x >= fl·x + (d - fl)·l
    nz = np.flatnonzero(fl)
    m.objective.vars.extend(nz.tolist())
    m.objective.coeffs.extend(fl[nz].astype(np.int64).tolist())
    model = cp_model.CpModel()
    model.proto.parse_text_format(text_format.MessageToString(m))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.linearization_level = 2
    s.parameters.random_seed = seed
    s.parameters.max_time_in_seconds = max(seconds, 0.05)
    t = time.monotonic()
    status = s.solve(model)
    name = s.status_name(status)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (
            status == cp_model.UNKNOWN and math.isfinite(s.best_objective_bound)):
        bound = float(s.best_objective_bound)
    else:  # no bound from CP-SAT: the box's
        bound = float(np.sum(np.minimum(r.l[vs] * fl, r.u[vs] * fl)))
    return Part("", len(vs), len(m.constraints), bound + extra, name, time.monotonic() - t)


__all__ = ["LagrangeBound", "Part", "block_lagrangian", "refs"]
