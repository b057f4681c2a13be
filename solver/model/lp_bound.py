"""A lower bound from the LP relaxation of the full model, solved by
OR-Tools' own LP solver (GLOP).

One home for the formulation: the relaxation is read GENERICALLY from the
CP-SAT model's proto (never a second copy of the rules):

* a linear constraint is a row ``lo <= Σ a·x <= hi`` (a domain with holes:
  its hull); with enforcement literals ``e_1..e_k`` it holds when
  ``s = Σ e - (k - 1)`` is 1, so ``Σ a·x >= lo - (lo - min)·(1 - s)`` and
  ``Σ a·x <= hi + (max - hi)·(1 - s)``, ``min``/``max`` the row's activity
  bounds over the variables' boxes (big-M from the boxes);
* ``bool_or`` ``Σ l >= s``; ``bool_and`` ``l >= s`` for each of its literals;
  ``exactly_one`` / ``at_most_one`` (not enforced) ``Σ l = 1`` / ``<= 1``; a
  negated literal is ``1 - x``;
* ``element`` (target = table[index], constants in the table, no
  enforcement): the lower convex envelope of the points ``(i, table[i])``
  over the index's range, one row ``target >= a + b·index`` a segment
  (the objective only ever pushes such a target down);
* everything else (intervals, cumulative, no_overlap, ...) is left out:
  dropping a constraint is a valid relaxation (the time-indexed model states
  the team's capacity month by month in linear rows as well).

The LP ``min c·x + c0 : lo <= A·x <= hi, l <= x <= u`` is then solved by GLOP
(dual simplex), and the bound reported is the Lagrangian of the dual vector
it returns, evaluated over the variables' box:

    L(y) = c0 + Σ_r (y_r⁺·lo_r - y_r⁻·hi_r) + Σ_j min(l_j·d_j, u_j·d_j),
    d = c - Aᵀy,

valid for ANY ``y`` (each ``y_r`` is clipped to the sign its row's finite
sides allow), so an inexact dual still gives a valid bound (PDLP, a
first-order method, was tried and removed: ``docs/solver.md``). It is the
bound in the proto's objective units; the caller converts it to pounds as it
converts CP-SAT's bound.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from solver.model.hull import lower_hull

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def _finite(v: int) -> float:
    """A proto bound as a float (the int64 extremes are infinite)."""
    if v <= INT_MIN + 1:
        return -math.inf
    if v >= INT_MAX - 1:
        return math.inf
    return float(v)


@dataclass(frozen=True)
class Matrix:
    """A sparse matrix in coordinate form, sorted by row then column, no
    duplicate entries (:meth:`of`)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    shape: tuple[int, int]

    @staticmethod
    def of(ri: list[int], ci: list[int], vals: list[float], shape: tuple[int, int]) -> Matrix:
        """Entries summed where a (row, column) repeats, zeros dropped."""
        n = max(shape[1], 1)
        key = np.asarray(ri, dtype=np.int64) * n + np.asarray(ci, dtype=np.int64)
        uniq, inv = np.unique(key, return_inverse=True)
        v = np.bincount(inv, weights=np.asarray(vals, dtype=float), minlength=len(uniq))
        keep = v != 0
        return Matrix(uniq[keep] // n, uniq[keep] % n, v[keep], shape)

    @property
    def nnz(self) -> int:
        """Stored entries."""
        return len(self.vals)

    def dot(self, x: np.ndarray) -> np.ndarray:
        """``A·x``."""
        return np.bincount(self.rows, weights=self.vals * x[self.cols],
                           minlength=self.shape[0])

    def t_dot(self, y: np.ndarray) -> np.ndarray:
        """``Aᵀ·y``."""
        return np.bincount(self.cols, weights=self.vals * y[self.rows],
                           minlength=self.shape[1])


@dataclass(frozen=True)
class Relaxation:
    """``min c·x + offset : lo <= A·x <= hi, l <= x <= u`` (the objective in
    the proto's units before its ``scaling_factor``; ``dropped`` counts the
    constraints left out, by kind)."""

    c: np.ndarray
    offset: float
    scaling: float
    a: Matrix
    lo: np.ndarray
    hi: np.ndarray
    l: np.ndarray  # noqa: E741
    u: np.ndarray
    dropped: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.c)
        if self.a.shape != (len(self.lo), n) or len(self.hi) != len(self.lo):
            raise ValueError("the rows and the matrix disagree")
        if len(self.l) != n or len(self.u) != n:
            raise ValueError("the box and the objective disagree")
        if not (np.all(np.isfinite(self.l)) and np.all(np.isfinite(self.u))):
            raise ValueError("every variable needs a finite box")


class _Rows:
    """Rows in coordinate form; each row is built as ``Σ coeff·ref + const``."""

    def __init__(self, l: np.ndarray, u: np.ndarray) -> None:  # noqa: E741
        self.l, self.u = l, u
        self.ri: list[int] = []
        self.ci: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, terms: list[tuple[int, float]], const: float, lo: float, hi: float) -> None:
        """``lo <= Σ coeff·value(ref) + const <= hi`` (a ref < 0 is the negated
        literal ``1 - x``)."""
        r = len(self.lo)
        for ref, coeff in terms:
            if coeff == 0:
                continue
            if ref < 0:
                const += coeff
                coeff = -coeff
                ref = -ref - 1
            self.ri.append(r)
            self.ci.append(ref)
            self.vals.append(coeff)
        self.lo.append(lo - const)
        self.hi.append(hi - const)

    def activity(self, terms: list[tuple[int, float]]) -> tuple[float, float]:
        """Least and greatest ``Σ coeff·value(ref)`` over the box."""
        lo = hi = 0.0
        for ref, coeff in terms:
            if ref < 0:
                lo, hi = lo + min(coeff, 0.0), hi + max(coeff, 0.0)
                continue
            a, b = coeff * self.l[ref], coeff * self.u[ref]
            lo, hi = lo + min(a, b), hi + max(a, b)
        return lo, hi


def _enforced(rows: _Rows, terms: list[tuple[int, float]], lo: float, hi: float,
              enf: list[int]) -> None:
    """``lo <= Σ terms <= hi`` when every literal of ``enf`` holds (big-M)."""
    if not enf:
        rows.add(terms, 0.0, lo, hi)
        return
    k = len(enf)
    amin, amax = rows.activity(terms)
    if lo > amin and math.isfinite(lo):
        m = lo - amin  # Σ terms - m·Σ e >= lo - m·k
        rows.add(terms + [(e, -m) for e in enf], 0.0, lo - m * k, math.inf)
    if hi < amax and math.isfinite(hi):
        m = amax - hi  # Σ terms + m·Σ e <= hi + m·k
        rows.add(terms + [(e, m) for e in enf], 0.0, -math.inf, hi + m * k)


def _envelope(points: list[tuple[int, float]]) -> list[tuple[float, float]]:
    """The lower convex envelope of ``points`` (sorted by x) as (slope,
    intercept) of its segments (one flat line for a single point)."""
    hull = lower_hull(points)
    if len(hull) == 1:
        return [(0.0, hull[0][1])]
    out = []
    for (x1, y1), (x2, y2) in zip(hull, hull[1:], strict=False):
        slope = (y2 - y1) / (x2 - x1)
        out.append((slope, y1 - slope * x1))
    return out


def _element(rows: _Rows, ct: cp_model_pb2.ConstraintProto) -> bool:
    """Rows of an element constraint with a constant table; False if it does
    not have that shape."""
    el = ct.element
    if ct.enforcement_literal or not el.HasField("linear_index") or any(
            e.vars for e in el.exprs) or not el.exprs:
        return False
    idx = [(v, float(c)) for v, c in zip(el.linear_index.vars, el.linear_index.coeffs,
                                          strict=True)]
    tgt = [(v, float(c)) for v, c in zip(el.linear_target.vars, el.linear_target.coeffs,
                                          strict=True)]
    imin, imax = rows.activity(idx)
    imin += el.linear_index.offset
    imax += el.linear_index.offset
    pts = [(i, float(e.offset)) for i, e in enumerate(el.exprs) if imin <= i <= imax]
    if not pts:
        return False
    # target - slope·index >= intercept (+ the offsets moved to the right)
    for slope, icpt in _envelope(pts):
        rows.add(tgt + [(v, -slope * c) for v, c in idx],
                 el.linear_target.offset - slope * el.linear_index.offset, icpt, math.inf)
    return True


def proto_of(m: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model's proto as a Python message (written out and read back: the
    wrapper's own proto does not serialise in this version of OR-Tools)."""
    fd, path = tempfile.mkstemp(suffix=".pb")
    os.close(fd)
    try:
        m.export_to_file(path)
        out = cp_model_pb2.CpModelProto()
        with open(path, "rb") as f:
            out.ParseFromString(f.read())
        return out
    finally:
        os.unlink(path)


def relax(proto: cp_model_pb2.CpModelProto) -> Relaxation:
    """The LP relaxation of a CP-SAT model (see the module docstring)."""
    return relax_split(proto, ())[0]


def relax_split(proto: cp_model_pb2.CpModelProto, lazy: Sequence[tuple[int, int]],
                starts: list[int] | None = None) -> tuple[Relaxation, Pending]:
    """:func:`relax`, the rows of the constraints in the index ranges
    ``lazy`` (``[start, end)``) held apart as :class:`Pending` rows, to be
    added only where a solution violates them: the relaxation without them
    is a relaxation still (fewer rows), so its bound stays valid.
    ``starts`` gets each constraint's first row (-1: held; for
    :mod:`solver.model.lagrange`)."""
    n = len(proto.variables)
    lb = np.array([_finite(v.domain[0]) for v in proto.variables], dtype=float)
    ub = np.array([_finite(v.domain[-1]) for v in proto.variables], dtype=float)
    main, held = _Rows(lb, ub), _Rows(lb, ub)
    mask = np.zeros(len(proto.constraints), dtype=bool)
    for first, end in lazy:
        mask[first:end] = True
    dropped: dict[str, int] = {}
    for i, ct in enumerate(proto.constraints):
        rows = held if mask[i] else main
        if starts is not None:
            starts.append(-1 if mask[i] else len(main.lo))
        kind = ct.WhichOneof("constraint")
        enf = list(ct.enforcement_literal)
        s_terms = [(e, -1.0) for e in enf]  # Σ lits - Σ e >= 1 - k  (i.e. Σ lits >= s)
        if kind == "linear":
            lin = ct.linear
            terms = [(v, float(c)) for v, c in zip(lin.vars, lin.coeffs, strict=True)]
            _enforced(rows, terms, _finite(lin.domain[0]), _finite(lin.domain[-1]), enf)
        elif kind == "bool_or":
            rows.add([(x, 1.0) for x in ct.bool_or.literals] + s_terms, 0.0,
                     1.0 - len(enf), math.inf)
        elif kind == "bool_and":
            for x in ct.bool_and.literals:
                rows.add([(x, 1.0)] + s_terms, 0.0, 1.0 - len(enf), math.inf)
        elif kind in ("exactly_one", "at_most_one") and not enf:
            lits = getattr(ct, kind).literals
            rows.add([(x, 1.0) for x in lits], 0.0, 1.0 if kind == "exactly_one" else -math.inf,
                     1.0)
        elif kind == "element" and _element(rows, ct):
            pass
        else:
            dropped[str(kind)] = dropped.get(str(kind), 0) + 1
    c = np.zeros(n)
    offset = float(proto.objective.offset)
    for ref, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        if ref < 0:
            offset += coeff
            c[-ref - 1] -= coeff
        else:
            c[ref] += coeff
    a = Matrix.of(main.ri, main.ci, main.vals, (len(main.lo), n))
    scaling = float(proto.objective.scaling_factor) or 1.0
    r = Relaxation(c, offset, scaling, a, np.array(main.lo), np.array(main.hi), lb, ub, dropped)
    return r, Pending(Matrix.of(held.ri, held.ci, held.vals, (len(held.lo), n)),
                      np.array(held.lo), np.array(held.hi))


class Pending:
    """Rows of the relaxation held apart (:func:`relax_split`): ``lo <= A·x <=
    hi``, each given to the LP once a solution violates it."""

    def __init__(self, a: Matrix, lo: np.ndarray, hi: np.ndarray) -> None:
        self.a, self.lo, self.hi = a, lo, hi
        self.added = np.zeros(len(lo), dtype=bool)
        # row i of a is a.rows[starts[i]:starts[i + 1]]
        self.starts = np.searchsorted(a.rows, np.arange(len(lo) + 1))

    @property
    def left(self) -> int:
        """Rows not yet given to the LP."""
        return int(np.count_nonzero(~self.added))

    def violated(self, x: np.ndarray, rows: _Rows, tol: float = 1e-6) -> int:
        """Add to ``rows`` every row not yet added that ``x`` violates by more
        than ``tol``, mark them added; their count."""
        if not len(self.lo):
            return 0
        act = self.a.dot(x)
        bad = ~self.added & ((act < self.lo - tol) | (act > self.hi + tol))
        idx = np.flatnonzero(bad)
        if not len(idx):
            return 0
        for i in idx.tolist():
            a, b = int(self.starts[i]), int(self.starts[i + 1])
            rows.add(list(zip(self.a.cols[a:b].tolist(), self.a.vals[a:b].tolist(),
                              strict=True)), 0.0, float(self.lo[i]), float(self.hi[i]))
        self.added[idx] = True
        return len(idx)


def lagrangian(r: Relaxation, y: np.ndarray) -> float:
    """A valid lower bound on the relaxation's optimum (proto units before
    ``scaling``, with the offset) from any dual vector ``y`` (clipped to the
    signs the rows' finite sides allow), less a floating-point allowance."""
    y = np.where(np.isfinite(r.lo), y, np.minimum(y, 0.0))
    y = np.where(np.isfinite(r.hi), y, np.maximum(y, 0.0))
    y = np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0)
    d = r.c - r.a.t_dot(y)
    rows = np.where(y > 0, y * np.where(np.isfinite(r.lo), r.lo, 0.0),
                    y * np.where(np.isfinite(r.hi), r.hi, 0.0))
    box = np.minimum(r.l * d, r.u * d)
    terms = np.concatenate([rows, box])
    total = float(np.sum(terms)) + r.offset
    return total - 1e-9 * (float(np.sum(np.abs(terms))) + abs(r.offset)) - 1e-6
