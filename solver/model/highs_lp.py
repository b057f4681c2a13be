"""HiGHS's dual simplex, through OR-Tools' MathOpt, as the LP engine of the
chord rounds (:class:`HighsLp`, ``SolveParams.lp_engine = "highs"``).

The same relaxation, rows and bound as GLOP's (:class:`solver.model.glop.Glop`):
the bound is the Lagrangian (:func:`solver.model.lp_bound.lagrangian`) of
the dual values HiGHS returns, valid for any dual vector. Unlike GLOP
through MathOpt (:class:`solver.model.glop_dual.DualGlop`), HiGHS returns
no dual values when its time limit stops it (measured: 1,000 export-shaped
VMs, round 3 stopped after 8 s: no solution at all), so a stopped round
gives no bound, never a wrong one, and a round should start only when one as
long as the last still fits (:func:`solver.model.bound_first.lp_solver`).
"""

from __future__ import annotations

import datetime
import time

from ortools.math_opt.python import mathopt

from solver.model.glop import LpResult
from solver.model.glop_dual import DualGlop, read_result, run


class HighsLp(DualGlop):
    """:class:`~solver.model.glop_dual.DualGlop` (rows added, each round a
    new solve from scratch, with HiGHS's presolve) solved by HiGHS's dual
    simplex (primal simplex with ``dual=False``). No warm start: from the
    last round's basis HiGHS took about as long as from scratch on the
    1,000-VM estate's round 3 (``docs/solver.md``)."""

    def solve(self, seconds: float, *, primal: bool = True) -> LpResult:
        t = time.monotonic()
        params = mathopt.SolveParameters(
            time_limit=datetime.timedelta(seconds=max(seconds, 0.1)),
            lp_algorithm=(mathopt.LPAlgorithm.DUAL_SIMPLEX if self.dual
                          else mathopt.LPAlgorithm.PRIMAL_SIMPLEX))
        out = run(self.r, mathopt.SolverType.HIGHS, params)
        took = time.monotonic() - t
        self._last = took
        return read_result(self.r, out, took, primal)
