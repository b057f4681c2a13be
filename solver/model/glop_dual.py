"""GLOP through OR-Tools' MathOpt (:class:`DualGlop`): a bound even from a
solve its time limit stopped.

``pywraplp``'s GLOP (:class:`solver.model.glop.Glop`) gives no dual
values unless it reached the optimum, so a round the wall clock cuts short
gives nothing. GLOP's dual simplex keeps a dual-feasible basis from its
phase 2 on, and MathOpt returns its dual values when stopped by the time
limit; the bound is their Lagrangian over the relaxation
(:func:`solver.model.lp_bound.lagrangian`), valid for any dual vector, so an
interrupted solve gives a valid bound — on the 3,000-VM export-shaped
estate's time-indexed LP already within 0.3 % of the LP's optimum after
40 s of the 77 s the whole solve took (``docs/solver.md``). Used where
GLOP's rounds do not fit the time (the light full model's LP,
``SolveParams.lp_light_dual``). :class:`WarmGlop` starts a round that would
not finish from scratch from the last round's basis, so that a stopped round
keeps its gain (``SolveParams.lp_light_warm``).
"""

from __future__ import annotations

import datetime
import math
import time

import numpy as np
from ortools.glop import parameters_pb2
from ortools.math_opt import model_pb2, result_pb2, solution_pb2
from ortools.math_opt.core.python import solver as core
from ortools.math_opt.python import callback, init_arguments, mathopt, model_parameters

from solver.model.glop import Glop, LpResult
from solver.model.lp_bound import Relaxation, lagrangian


def model_proto(r: Relaxation) -> model_pb2.ModelProto:
    """The relaxation as a MathOpt ``ModelProto`` (variable and row ids are
    their indices; the matrix is already sorted by row, then column)."""
    p = model_pb2.ModelProto()
    n, rows = r.a.shape[1], r.a.shape[0]
    p.variables.ids.extend(range(n))
    p.variables.lower_bounds.extend(r.l.tolist())
    p.variables.upper_bounds.extend(r.u.tolist())
    p.variables.integers.extend([False] * n)
    nz = np.flatnonzero(r.c)
    p.objective.maximize = False
    p.objective.offset = r.offset
    p.objective.linear_coefficients.ids.extend(nz.tolist())
    p.objective.linear_coefficients.values.extend(r.c[nz].tolist())
    p.linear_constraints.ids.extend(range(rows))
    p.linear_constraints.lower_bounds.extend(r.lo.tolist())
    p.linear_constraints.upper_bounds.extend(r.hi.tolist())
    p.linear_constraint_matrix.row_ids.extend(r.a.rows.tolist())
    p.linear_constraint_matrix.column_ids.extend(r.a.cols.tolist())
    p.linear_constraint_matrix.coefficients.extend(r.a.vals.tolist())
    return p


class DualGlop(Glop):
    """:class:`~solver.model.glop.Glop` (rows added, each round a new
    solve from scratch) through MathOpt: a solve stopped by its time limit
    still gives the Lagrangian bound of the dual values it reached (status
    ``"time limit"``, no column values)."""

    warm = False
    cold = 1.6
    _basis: solution_pb2.BasisProto | None = None
    _last = math.inf

    def _load(self) -> None:
        """Nothing: the MathOpt ``ModelProto`` is built by :meth:`solve` and
        lives only while it solves, and goes to the solver as a proto, with
        no Python-side ``mathopt.Model`` (memory)."""

    def _engine(self, seconds: float, given: model_parameters.ModelSolveParametersProto
                ) -> tuple[mathopt.SolverType, dict[str, parameters_pb2.GlopParameters]]:
        """MathOpt's solver and its own parameters for a solve of ``seconds``
        (a warm start's basis goes into ``given``): GLOP's."""
        # a stop whose errors exceed GLOP's tolerances is not "imprecise" (no
        # dual values at all): the bound is the Lagrangian of any dual vector
        glop = parameters_pb2.GlopParameters(change_status_to_imprecise=False)
        if self.warm and self._basis is not None and seconds < self.cold * self._last:
            # GLOP's presolve would drop the basis
            glop.use_preprocessing = False
            given.initial_basis.CopyFrom(_extended(self._basis, len(self.r.lo)))
        return mathopt.SolverType.GLOP, {"glop": glop}

    def solve(self, seconds: float, *, primal: bool = True) -> LpResult:
        t = time.monotonic()
        given = model_parameters.ModelSolveParameters().to_proto()
        solver, own = self._engine(seconds, given)
        params = mathopt.SolveParameters(
            time_limit=datetime.timedelta(seconds=max(seconds, 0.1)),
            lp_algorithm=(mathopt.LPAlgorithm.DUAL_SIMPLEX if self.dual
                          else mathopt.LPAlgorithm.PRIMAL_SIMPLEX), **own)
        out = run(self.r, solver, params, given)
        took = time.monotonic() - t
        self._last = took
        if self.warm and out.solutions and out.solutions[0].HasField("basis"):
            self._basis = out.solutions[0].basis
        return read_result(self.r, out, took, primal)


def run(r: Relaxation, solver: mathopt.SolverType, params: mathopt.SolveParameters,
        given: model_parameters.ModelSolveParametersProto | None = None
        ) -> result_pb2.SolveResultProto:
    """Solve ``r`` by MathOpt's ``solver`` with ``params`` (``given``: the
    model's own parameters, e.g. a starting basis): the proto straight to the
    solver, no Python-side model (memory)."""
    if given is None:
        given = model_parameters.ModelSolveParameters().to_proto()
    return core.solve(model_proto(r), solver.value,
                      init_arguments.StreamableSolverInitArguments().to_proto(),
                      params.to_proto(), given, None,
                      callback.CallbackRegistration().to_proto(), None, None)


def read_result(r: Relaxation, out: result_pb2.SolveResultProto, took: float,
                primal: bool) -> LpResult:
    """What a MathOpt solve of ``r`` gave: the bound is the Lagrangian of its
    dual values (any dual vector gives a valid bound, whatever the
    termination), -inf when it returned none; ``primal``: the column values
    too, at the optimum only."""
    optimal = out.termination.reason == result_pb2.TERMINATION_REASON_OPTIMAL
    status = "optimal" if optimal else "time limit"
    if not out.solutions or not out.solutions[0].HasField("dual_solution"):
        return LpResult(-math.inf, math.nan, status, took)
    dv = out.solutions[0].dual_solution.dual_values
    y = np.zeros(len(r.lo))
    y[np.asarray(dv.ids, dtype=np.int64)] = np.asarray(dv.values, dtype=float)
    x = None
    if primal and optimal and out.solutions[0].HasField("primal_solution"):
        pv = out.solutions[0].primal_solution.variable_values
        x = np.zeros(len(r.c))
        x[np.asarray(pv.ids, dtype=np.int64)] = np.asarray(pv.values, dtype=float)
    value = (out.solutions[0].primal_solution.objective_value
             if optimal and out.solutions[0].HasField("primal_solution") else math.nan)
    return LpResult(lagrangian(r, y), float(value), status, took, x, y)


def _extended(basis: solution_pb2.BasisProto, rows: int) -> solution_pb2.BasisProto:
    """``basis`` with every row added since it was taken (ids from its row
    count up to ``rows``) basic: a dual-feasible start for the dual simplex
    when the rows added are cuts (the columns' statuses are unchanged)."""
    out = solution_pb2.BasisProto()
    out.variable_status.CopyFrom(basis.variable_status)
    out.constraint_status.CopyFrom(basis.constraint_status)
    have = len(basis.constraint_status.ids)
    out.constraint_status.ids.extend(range(have, rows))
    out.constraint_status.values.extend([solution_pb2.BASIS_STATUS_BASIC] * (rows - have))
    out.basic_dual_feasibility = basis.basic_dual_feasibility
    return out


class WarmGlop(DualGlop):
    """:class:`DualGlop` whose solves after the first start from the last
    solve's basis, the rows added since then basic, without GLOP's presolve
    (which would drop the basis), unless the time given is at least
    :attr:`cold` times the last solve's (a solve from scratch, with presolve,
    then finishes sooner). The dual simplex starts dual-feasible at the last
    round's optimum, so a round its time limit stops still gives a bound near
    or above it; from scratch a stopped round's bound was often below the
    last round's. 3,000 export-shaped VMs, round 1 (295 chords), one thread:
    from scratch 122 s; warm 155 s whole, but +£184k of its +£303k after
    40 s (``docs/solver.md``)."""

    warm = True
