"""GLOP on a relaxation read by :mod:`solver.model.lp_bound`: the LP solve,
rows added between rounds (:class:`Glop`), and the bound it gives in pounds.

``pywraplp``'s GLOP, dual simplex unless asked otherwise; the bound of a
solve is the Lagrangian (:func:`solver.model.lp_bound.lagrangian`) of the
dual values it returns, valid for any dual vector. :mod:`solver.model.glop_dual`
drives GLOP through MathOpt instead, where a stopped solve must still give
a bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import linear_solver_pb2
from ortools.sat.python import cp_model

from solver.model.costs import Objective
from solver.model.lp_bound import Matrix, Relaxation, _Rows, lagrangian, proto_of, relax


@dataclass(frozen=True)
class LpResult:
    """What an LP solve gave: ``bound`` (a valid lower bound, proto units with
    the offset, before scaling; -inf if none), ``value`` (the solver's own
    objective, not a bound), ``status`` and ``seconds``; ``primal`` the
    column values when asked for (diagnostics: ``benchmarks/gap_terms.py``),
    else None."""

    bound: float
    value: float
    status: str
    seconds: float
    primal: np.ndarray | None = None
    dual: np.ndarray | None = None  # the dual values the bound is the Lagrangian of


def mp_model(r: Relaxation) -> linear_solver_pb2.MPModelProto:
    """The relaxation as an ``MPModelProto`` (what OR-Tools' LP solvers read)."""
    mp = linear_solver_pb2.MPModelProto()
    mp.objective_offset = r.offset
    for lo, up, c in zip(r.l.tolist(), r.u.tolist(), r.c.tolist(), strict=True):
        v = mp.variable.add()
        v.lower_bound, v.upper_bound, v.objective_coefficient = lo, up, c
    starts = np.searchsorted(r.a.rows, np.arange(r.a.shape[0] + 1))
    cols, vals = r.a.cols.tolist(), r.a.vals.tolist()
    for i, (lo, up) in enumerate(zip(r.lo.tolist(), r.hi.tolist(), strict=True)):
        ct = mp.constraint.add()
        ct.lower_bound, ct.upper_bound = lo, up
        a, b = int(starts[i]), int(starts[i + 1])
        ct.var_index.extend(cols[a:b])
        ct.coefficient.extend(vals[a:b])
    return mp


def solve_glop(r: Relaxation, seconds: float, *, dual: bool = True,
               primal: bool = False) -> LpResult:
    """GLOP (dual or primal simplex) for at most ``seconds``; the bound is the
    Lagrangian of its dual values (``primal``: keep the column values too)."""
    return Glop(r, dual=dual).solve(seconds, primal=primal)


class Glop:
    """GLOP (dual simplex unless ``dual=False``) on a relaxation that rows can
    be added to (cuts) and re-solved, each time from scratch by a new solver
    (:meth:`add_rows`; no warm start was measured through ``pywraplp``, with
    or without GLOP's presolve, and its own re-solve after new rows was
    slower than a new solver). :attr:`r` is the relaxation with every row
    added (what the bound's Lagrangian is taken over)."""

    def __init__(self, r: Relaxation, *, dual: bool = True) -> None:
        self.r = r
        self.dual = dual
        self._load()

    def _load(self) -> None:
        """A new GLOP solver on :attr:`r`."""
        from ortools.linear_solver import pywraplp

        self.s = pywraplp.Solver.CreateSolver("GLOP")
        self.s.LoadModelFromProto(mp_model(self.r))
        # imprecise is not ABNORMAL: the bound is the Lagrangian of any dual
        # (the sample's third round of sub-pool chords ended ABNORMAL without it)
        self.s.SetSolverSpecificParametersAsString(
            f"use_dual_simplex: {'true' if self.dual else 'false'} "
            "change_status_to_imprecise: false")
        self.vars = self.s.variables()

    def add_rows(self, rows: _Rows) -> int:
        """Append ``rows`` (built over the relaxation's columns); their count."""
        if not rows.lo:
            return 0
        base = len(self.r.lo)
        old = self.r.a
        ri = np.concatenate([old.rows, np.asarray(rows.ri, dtype=np.int64) + base])
        ci = np.concatenate([old.cols, np.asarray(rows.ci, dtype=np.int64)])
        va = np.concatenate([old.vals, np.asarray(rows.vals, dtype=float)])
        shape = (base + len(rows.lo), old.shape[1])
        a = Matrix.of(ri.tolist(), ci.tolist(), va.tolist(), shape)
        self.r = Relaxation(self.r.c, self.r.offset, self.r.scaling, a,
                            np.concatenate([self.r.lo, rows.lo]),
                            np.concatenate([self.r.hi, rows.hi]), self.r.l, self.r.u,
                            self.r.dropped)
        # a new solver, not rows added to the old one: pywraplp's GLOP re-solved
        # after rows were added took 2.3 times as long as a new one on the same
        # LP (1,000 export-shaped VMs, 130 sub-pool chords: 21.4 s vs 9.4 s)
        self._load()
        return len(rows.lo)

    def rows(self) -> _Rows:
        """An empty set of rows over this relaxation's columns."""
        return _Rows(self.r.l, self.r.u)

    def solve(self, seconds: float, *, primal: bool = True) -> LpResult:
        """Solve within ``seconds``: bound, value and (``primal``) column values."""
        t = time.monotonic()
        s = self.s
        s.SetTimeLimit(int(1000 * max(seconds, 0.1)))
        status = s.Solve()
        names = {s.OPTIMAL: "optimal", s.FEASIBLE: "feasible", s.NOT_SOLVED: "not solved",
                 s.ABNORMAL: "abnormal", s.INFEASIBLE: "infeasible",
                 s.UNBOUNDED: "unbounded"}
        if status not in (s.OPTIMAL, s.FEASIBLE):
            return LpResult(-math.inf, math.nan, names.get(status, str(status)),
                            time.monotonic() - t)
        y = np.array([c.dual_value() for c in s.constraints()])
        x = np.array([v.solution_value() for v in self.vars]) if primal else None
        return LpResult(lagrangian(self.r, y), s.Objective().Value(), names[status],
                        time.monotonic() - t, x, y)


def lp_line(got: float, took: float, status: str, r: Relaxation) -> str:
    """The log line of an LP bound ``got`` (£, -inf for none) of ``r``."""
    shown = f"£{got:,.0f}" if math.isfinite(got) else "none"
    return (f"LP bound (GLOP): {shown} in {took:.1f}s ({status}; {r.a.shape[0]:,} rows, "
            f"{r.a.shape[1]:,} columns, {sum(r.dropped.values()):,} constraints left out)")


def pounds(r: Relaxation, value: float, obj: Objective) -> float:
    """A bound in proto units (with the offset, before scaling) as a bound in
    pounds, converted as CP-SAT's bound is (less the objective's rounding
    allowance)."""
    return obj.to_units(r.scaling * value) - obj.err


def model_bound(m: cp_model.CpModel, obj: Objective, seconds: float
                ) -> tuple[float, LpResult, Relaxation]:
    """A valid lower bound (£) on the CP-SAT model ``m`` minimising ``obj``
    (its objective already set) from its LP relaxation, by GLOP's dual
    simplex within ``seconds``: the bound, the LP solve and the relaxation.
    -inf when the LP solver returned no dual."""
    r = relax(proto_of(m))
    got, res = relaxation_bound(r, obj, seconds)
    return got, res, r


def relaxation_bound(r: Relaxation, obj: Objective, seconds: float
                     ) -> tuple[float, LpResult]:
    """:func:`model_bound` of a relaxation already read (its model may be
    gone: ``obj`` serves only for the conversion to pounds)."""
    if r.scaling <= 0:  # a maximisation: not what the planner builds
        return -math.inf, LpResult(-math.inf, math.nan, "maximisation", 0.0)
    res = solve_glop(r, seconds)
    return (pounds(r, res.bound, obj) if math.isfinite(res.bound) else -math.inf), res


def lp_first(m: cp_model.CpModel | Relaxation, obj: Objective, seconds: float,
             offer: Callable[[float], None], log: list[str]) -> float:
    """The LP bound (£) of the full model ``m`` (its objective ``obj`` set;
    or its relaxation, already read) within ``seconds``, offered to
    ``offer`` (the search's tracker) and logged; -inf when none came within
    the time."""
    t = time.monotonic()
    r = m if isinstance(m, Relaxation) else relax(proto_of(m))
    got, res = relaxation_bound(r, obj, max(seconds - (time.monotonic() - t), 0.1))
    took = time.monotonic() - t
    if math.isfinite(got):
        offer(got)
    log.append(lp_line(got, took, res.status, r))
    return got
