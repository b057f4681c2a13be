"""HiGHS as the chord rounds' LP engine (``SolveParams.lp_engine``,
:class:`solver.model.highs_lp.HighsLp`, issue 23): the same bounds as GLOP's,
never above the optimum, and no bound at all from a solve that returned no
dual values."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from estates import priced_model
from ortools.math_opt import result_pb2
from test_light_cuts import proves_two_stay
from test_pool_cuts import _bounds_by_class, _two_stay

from solver.model import glop_dual
from solver.model.bound_first import lp_solver
from solver.model.build import Builder
from solver.model.costs import build_objective
from solver.model.glop import Glop
from solver.model.glop_dual import DualGlop
from solver.model.highs_lp import HighsLp
from solver.model.lp_bound import lagrangian, proto_of, relax
from solver.model.params import SolveParams
from solver.model.pool_cuts import lp_with_pool_cuts
from solver.model.prep import Prep

#: _two_stay's optimum, worked by hand in test_light_cuts: four 8-vCPU VMs
#: on a pool of three 10-vCPU hosts, A1 and A2 may move at no saving, A3 and
#: A4 only stay and alone need min(3, 1 + ceil(16/10)) = 3 hosts, so
#: 4 × 12 × 100 + 3 hosts × 12 months × 73 = 4,800 + 2,628 = 7,428.
OPTIMUM = 7428.0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A spy on :meth:`HighsLp.solve`: the rows of each LP it solves."""
    got: list[int] = []
    solve = HighsLp.solve

    def spy(self: HighsLp, seconds: float, *, primal: bool = True) -> object:
        got.append(len(self.r.lo))
        return solve(self, seconds, primal=primal)

    monkeypatch.setattr(HighsLp, "solve", spy)
    return got


def test_highs_proves_glops_bounds_by_hand() -> None:
    # The same LP, the same chord rounds: HighsLp and pywraplp's GLOP prove
    # the same bound without chords (below 7,428 by more than a host-year's
    # share: the LP credits moving A1 and A2 with part of a host) and with
    # four rounds the optimum 7,428, never above it.
    got = _bounds_by_class(_two_stay(), (Glop, HighsLp))
    assert got[HighsLp, 0] == pytest.approx(got[Glop, 0], abs=0.01)
    assert got[HighsLp, 0] < OPTIMUM - 100.0
    assert got[HighsLp, 4] == pytest.approx(OPTIMUM, abs=1.0)
    assert got[HighsLp, 4] <= OPTIMUM + 1e-6
    assert got[HighsLp, 4] == pytest.approx(got[Glop, 4], abs=0.01)


def test_the_lagrangian_of_highs_duals_is_its_optimum() -> None:
    # At HiGHS's optimum the Lagrangian of its dual values is the LP's
    # optimum (GLOP's too): the duals' signs are those lagrangian expects.
    b = Builder(Prep(_two_stay()), member_links=False)
    b.m.minimize(build_objective(b, (0.0, 1.0, 0.0, 0.0), 100.0).expr)
    r = relax(proto_of(b.m))
    res = HighsLp(r).solve(30.0)
    assert res.status == "optimal" and res.primal is not None and res.dual is not None
    assert res.bound == pytest.approx(res.value, rel=1e-7, abs=1e-3)
    assert lagrangian(r, res.dual) == pytest.approx(DualGlop(r).solve(30.0).bound, abs=1e-3)


def test_lp_engine_highs_runs_the_rounds_through_highs_by_hand(calls: list[int]) -> None:
    # lp_engine="highs": bound_first.lp_solver picks HighsLp (fit 1: a round
    # only when one as long as the last fits) for the pooled estate's own LP
    # with one and two workers, and the rounds prove 7,428, never above it;
    # the default ("glop") never calls HiGHS.
    params = SolveParams(pool_cut_rounds=4, lp_engine="highs")
    for dual in (True, False):
        assert lp_solver(params, dual) == (HighsLp, 1.0)
        assert lp_solver(params, dual, before=True) == (HighsLp, 1.0)
        assert lp_solver(params, dual, light=True)[0] is not HighsLp  # lp_light_engine's
        assert lp_solver(SolveParams(lp_light_engine="highs"), dual, light=True) == (HighsLp, 1.0)
    for p, workers, used in ((params, 2, True), (params, 1, True),
                             (SolveParams(pool_cut_rounds=4), 2, False)):
        calls.clear()
        proves_two_stay(p, workers)
        assert bool(calls) == used
        if used:  # round 1 solved a larger LP than round 0 (its chords)
            assert len(calls) >= 2 and calls[1] > calls[0]


def test_lp_light_engine_highs_proves_the_light_models_optimum_by_hand(
        calls: list[int]) -> None:
    # The light model's LP (a time-indexed model built for it alone) with
    # lp_light_engine="highs": its chord rounds go through HiGHS and prove
    # 7,428, never above it.
    from test_light_cuts import LIGHT, _light

    _, tracker, log = _light(_two_stay(), replace(LIGHT, lp_light_engine="highs"))
    assert any("sub-pool chords, round 1" in line for line in log), log
    assert len(calls) >= 2
    assert tracker.bound == pytest.approx(OPTIMUM, abs=1.0)
    assert tracker.bound <= OPTIMUM + 1e-6


def test_a_highs_solve_with_no_dual_gives_no_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # HiGHS stopped by its time limit returns no solution (measured on
    # 1,000 export-shaped VMs): that round gives no bound (-inf, nothing
    # offered), never a wrong one, and no further round.
    def stopped(*_: object) -> result_pb2.SolveResultProto:
        out = result_pb2.SolveResultProto()
        out.termination.reason = result_pb2.TERMINATION_REASON_NO_SOLUTION_FOUND
        return out

    monkeypatch.setattr(glop_dual, "run", stopped)
    b = Builder(Prep(_two_stay()), member_links=False)
    b.m.minimize(build_objective(b, (0.0, 1.0, 0.0, 0.0), 100.0).expr)
    r = relax(proto_of(b.m))
    res = HighsLp(r).solve(30.0)
    assert res.bound == -math.inf and res.dual is None and res.primal is None
    assert res.status == "time limit"
    offered: list[float] = []
    log: list[str] = []
    _, b, obj, _ = priced_model(_two_stay(), member_links=False)
    got = lp_with_pool_cuts(b, obj, 30.0, 4, offered.append, log, glop=HighsLp)
    assert got == -math.inf and not offered
    assert any("round 0: none" in line for line in log), log


def test_lp_engine_is_checked() -> None:
    with pytest.raises(ValueError, match="lp_engine"):
        SolveParams(lp_engine="cplex")
    with pytest.raises(ValueError, match="lp_light_engine"):
        SolveParams(lp_light_engine="HiGHS")
