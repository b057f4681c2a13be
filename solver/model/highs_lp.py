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

from ortools.math_opt.python import mathopt

from solver.model.glop_dual import DualGlop


class HighsLp(DualGlop):
    """:class:`~solver.model.glop_dual.DualGlop` (rows added, each round a
    new solve from scratch, with HiGHS's presolve) solved by HiGHS's dual
    simplex (primal simplex with ``dual=False``). No warm start: from the
    last round's basis HiGHS took about as long as from scratch on the
    1,000-VM estate's round 3 (``docs/solver.md``)."""

    def _engine(self, seconds: float, given: object) -> tuple[mathopt.SolverType, dict]:
        """HiGHS, with none of GLOP's parameters."""
        return mathopt.SolverType.HIGHS, {}
