"""The light full model's LP bound (``bound_first._lp_light``, issue 23): the
LP of a time-indexed model built for it alone gets the sub-pool chords'
rounds (``SolveParams.lp_light_cuts``) into GLOP's rows only, and its column
values reach the tracker by application id (the LP-guided neighbourhood
kind)."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
from estates import priced_model
from test_pool_cuts import _two_stay

from estate.model import Estate
from solver.model.bound_first import lp_bound_first, pooled_light
from solver.model.build import Builder
from solver.model.costs import build_objective
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.model.tracker import Tracker

#: large_apps=1: the planner's light full model (here built by hand).
LIGHT = SolveParams(large_apps=1, pool_cut_rounds=4)


def _light(e: Estate, params: SolveParams) -> tuple[Builder, Tracker, list[str]]:
    """The light model of ``e`` (no time-indexed rows), its tracker after the
    LP bound ran in the full model's slot, and the log."""
    _, b, obj, w = priced_model(e, time_indexed=False)
    tracker = Tracker(b, obj, w, time.monotonic(), None)
    log: list[str] = []
    n = len(b.m.proto.constraints)
    lp_bound_first(b, obj, tracker, 2, time.monotonic() + 60, params, log, lean=False)
    assert len(b.m.proto.constraints) == n  # nothing added to the light model
    return b, tracker, log


def test_the_chords_raise_the_light_models_lp_bound_to_the_optimum_by_hand() -> None:
    # _two_stay (test_pool_cuts): four 8-vCPU VMs on a pool of three 10-vCPU
    # hosts, one spare; A1 and A2 may move at no saving, A3 and A4 only stay.
    # A3 and A4 alone need min(3, 1 + ceil(16/10)) = 3 hosts, so the optimum
    # is 4 × 12 × 100 + 3 hosts × 12 months × 73 = 4,800 + 2,628 = 7,428.
    # The time-indexed LP without chords credits moving A1 and A2 with part
    # of a host a month (the whole pool's chord); the sub-pool chord of
    # R = {A3, A4} (3 hosts for 16 units) gives the 3 hosts back.
    e = _two_stay()
    b, off, _ = _light(e, replace(LIGHT, lp_light_cuts=False))
    assert pooled_light(b, LIGHT)
    _, on, log = _light(e, LIGHT)
    assert off.bound < 7428.0 - 100.0
    assert on.bound == pytest.approx(7428.0, abs=1.0)
    assert on.bound <= 7428.0 + 1e-6
    assert any("sub-pool chords, round 1" in line for line in log), log


def test_the_light_models_lp_values_reach_the_tracker_by_application() -> None:
    # The LP's column values are those of the time-indexed model built for
    # it; the tracker keeps them as each application's retained share (in
    # [0, 1]) by application id, as on the time-indexed path. Without the
    # chords' path (lp_light_cuts off) or without lns_lp_guided, none.
    e = _two_stay()
    _, tracker, _ = _light(e, LIGHT)
    got = tracker.lp_retained()
    assert got is not None and set(got) == {"A1", "A2", "A3", "A4"}
    assert all(-1e-6 <= v <= 1 + 1e-6 for v in got.values())
    # A3 and A4 have no other option: the LP retains them whole
    assert got["A3"] == pytest.approx(1.0) and got["A4"] == pytest.approx(1.0)
    for params in (replace(LIGHT, lp_light_cuts=False), replace(LIGHT, lns_lp_guided=False)):
        _, other, _ = _light(e, params)
        assert other.lp_retained() is None


def proves_two_stay(p: SolveParams, workers: int) -> None:
    """The pooled estate's own LP (:func:`lp_bound_first`, time-indexed) on
    ``_two_stay`` with ``p`` and ``workers``: its chord rounds run and prove
    the optimum 7,428 (worked by hand above), never above it."""
    _, b, obj, w = priced_model(_two_stay(), time_indexed=True)
    tracker = Tracker(b, obj, w, time.monotonic(), None)
    log: list[str] = []
    lp_bound_first(b, obj, tracker, workers, time.monotonic() + 60, p, log, lean=True)
    assert any("sub-pool chords, round 1" in line for line in log), log
    assert tracker.bound == pytest.approx(7428.0, abs=1.0)
    assert tracker.bound <= 7428.0 + 1e-6


def test_glop_through_mathopt_agrees_with_pywraplp_by_hand() -> None:
    # The same LP, the same rounds: DualGlop (MathOpt) and Glop (pywraplp)
    # prove the same bounds on _two_stay: without the chords below the
    # optimum 7,428 by more than a host-year's share (see above), with them
    # 7,428 exactly; and the Lagrangian of DualGlop's duals is GLOP's own
    # optimum at round 0.
    from test_pool_cuts import _bounds_by_class, _lp

    from solver.model.glop import Glop
    from solver.model.glop_dual import DualGlop, model_proto
    from solver.model.lp_bound import lagrangian, proto_of, relax

    e = _two_stay()
    got = _bounds_by_class(e, (Glop, DualGlop))
    assert got[Glop, 0] == pytest.approx(got[DualGlop, 0], abs=0.01)
    assert got[Glop, 0] < 7428.0 - 100.0
    assert got[DualGlop, 4] == pytest.approx(7428.0, abs=1.0)
    assert got[DualGlop, 4] <= 7428.0 + 1e-6
    assert _lp(e, 0) == pytest.approx(got[Glop, 0], abs=0.01)
    b = Builder(Prep(e), member_links=False)
    b.m.minimize(build_objective(b, (0.0, 1.0, 0.0, 0.0), 100.0).expr)
    r = relax(proto_of(b.m))
    res = DualGlop(r).solve(30.0)
    assert res.status == "optimal" and res.primal is not None
    assert res.bound == pytest.approx(res.value, rel=1e-7, abs=1e-3)
    # any dual vector gives a valid bound (the zero vector: the box minimum)
    assert lagrangian(r, np.zeros(len(r.lo))) <= res.bound + 1e-6
    assert len(model_proto(r).linear_constraints.ids) == r.a.shape[0]


def test_a_glop_solve_stopped_by_its_time_limit_gives_a_valid_bound() -> None:
    # 300 export-shaped VMs' time-indexed LP (GLOP needs about a second):
    # stopped at 0.1 s, MathOpt's GLOP still hands over its dual values and
    # their Lagrangian is a bound at most the LP's optimum (no column values:
    # nothing to separate). On a machine fast enough to finish in 0.1 s it
    # is the optimum itself.
    from estate.resolve import resolve
    from inventory.synth_export import export_estate
    from solver.model.glop_dual import DualGlop
    from solver.model.lp_bound import proto_of, relax

    b = Builder(Prep(resolve(export_estate(300, 1))), member_links=False)
    b.m.minimize(build_objective(b, (0.0, 1.0, 0.0, 0.0), 100.0).expr)
    r = relax(proto_of(b.m))
    full = DualGlop(r).solve(60.0)
    assert full.status == "optimal" and full.primal is not None
    cut = DualGlop(r).solve(0.1)
    assert cut.bound <= full.bound + 1e-6 * abs(full.bound)
    if cut.status != "optimal":
        assert cut.status == "time limit" and cut.primal is None
        assert cut.bound < full.bound


def test_a_warm_round_starts_from_the_last_basis_and_proves_the_optimum_by_hand(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # WarmGlop (lp_light_warm): every round after round 0 starts from the
    # last round's basis (the new chords' rows basic, no presolve) when told
    # to (cold = inf: always). On _two_stay the rounds still prove the
    # optimum worked out by hand above, 7,428 (4,800 for the four VMs' 12
    # months + 3 hosts × 12 × 73), never above it; and the solves after the
    # first were handed a basis.
    import math

    from solver.model import glop_dual
    from solver.model.pool_cuts import lp_with_pool_cuts

    class AlwaysWarm(glop_dual.WarmGlop):
        cold = math.inf

    given: list[bool] = []
    solve = glop_dual.core.solve

    def spy(*args: object) -> object:
        given.append(args[4].HasField("initial_basis"))  # type: ignore[attr-defined]
        return solve(*args)

    monkeypatch.setattr(glop_dual.core, "solve", spy)
    e = _two_stay()
    _, b, obj, _ = priced_model(e, member_links=False)
    log: list[str] = []
    got = lp_with_pool_cuts(b, obj, 30.0, 4, lambda _: None, log, glop=AlwaysWarm)
    assert got == pytest.approx(7428.0, abs=1.0)
    assert got <= 7428.0 + 1e-6
    assert len(given) >= 2 and not given[0] and all(given[1:]), (given, log)


def test_a_warm_solve_reaches_the_same_optimum_as_one_from_scratch() -> None:
    # 300 export-shaped VMs' time-indexed LP with round 0's sub-pool chords
    # added: from round 0's basis (no presolve) and from scratch, the same
    # optimum, at least round 0's; the basis extended by the new rows keeps
    # every column's status and makes the new rows basic.
    import math

    from ortools.math_opt import solution_pb2

    from estate.resolve import resolve
    from inventory.synth_export import export_estate
    from solver.model.glop_dual import DualGlop, WarmGlop, _extended
    from solver.model.lp_bound import proto_of, relax
    from solver.model.pool_cuts import _row, separate

    class AlwaysWarm(WarmGlop):
        cold = math.inf

    b = Builder(Prep(resolve(export_estate(300, 1))), member_links=False)
    b.m.minimize(build_objective(b, (0.0, 1.0, 0.0, 0.0), 100.0).expr)
    r = relax(proto_of(b.m))
    warm, cold = AlwaysWarm(r), DualGlop(r)
    first = warm.solve(60.0)
    assert first.status == "optimal" and first.primal is not None
    assert warm._basis is not None
    cuts = separate(b, first.primal)
    assert cuts
    for lp in (warm, cold):
        rows = lp.rows()
        for cut in cuts:
            _row(cut, rows)
        lp.add_rows(rows)
    m = len(r.lo)
    ext = _extended(warm._basis, m + len(cuts))
    assert list(ext.variable_status.values) == list(warm._basis.variable_status.values)
    assert list(ext.constraint_status.ids) == list(range(m + len(cuts)))
    assert set(ext.constraint_status.values[m:]) == {solution_pb2.BASIS_STATUS_BASIC}
    a, c = warm.solve(60.0), cold.solve(60.0)
    assert a.status == c.status == "optimal"
    assert a.bound == pytest.approx(c.bound, rel=1e-7)
    assert a.bound >= first.bound - 1e-6 * abs(first.bound)


def test_mathopts_glop_keeps_a_stops_duals_even_when_imprecise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # DualGlop asks GLOP not to turn a solve whose errors exceed its
    # tolerances into IMPRECISE (MathOpt then returns no dual values, so a
    # stopped round gave no bound: 3,000 export-shaped VMs, docs/solver.md);
    # the bound stays valid (the Lagrangian of any dual): on _two_stay the
    # LP still ends at most the optimum worked out by hand, 7,428.
    from ortools.math_opt import parameters_pb2 as mp

    from solver.model import glop_dual
    from solver.model.pool_cuts import lp_with_pool_cuts

    seen: list[bool] = []
    solve = glop_dual.core.solve

    def spy(*args: object) -> object:
        given = args[3]
        assert isinstance(given, mp.SolveParametersProto)
        seen.append(given.glop.HasField("change_status_to_imprecise")
                    and not given.glop.change_status_to_imprecise)
        return solve(*args)

    monkeypatch.setattr(glop_dual.core, "solve", spy)
    _, b, obj, _ = priced_model(_two_stay(), member_links=False)
    got = lp_with_pool_cuts(b, obj, 30.0, 4, lambda _: None, [], glop=glop_dual.WarmGlop)
    assert seen and all(seen)
    assert got <= 7428.0 + 1e-6


@pytest.mark.parametrize("warm", [0.1, 0.0])
def test_a_time_indexed_pooled_estates_rounds_through_mathopt_by_hand(
        warm: float, monkeypatch: pytest.MonkeyPatch) -> None:
    # _two_stay, its time-indexed full model (the 1,000-VM path): with
    # lp_pooled_dual its chord rounds go through MathOpt (WarmGlop with
    # lp_light_warm > 0, DualGlop without; bound_first.lp_solver) and prove
    # the optimum worked by hand in the first test, 7,428, as pywraplp's GLOP
    # does, and never above it; off, pywraplp's GLOP (fit 1) as before.
    from solver.model.bound_first import lp_solver
    from solver.model.glop import Glop
    from solver.model.glop_dual import DualGlop, WarmGlop

    params = SolveParams(pool_cut_rounds=4, lp_pooled_dual=True, lp_light_warm=warm)
    assert lp_solver(params, True) == ((WarmGlop, 0.1) if warm else (DualGlop, 0.5))
    assert lp_solver(params, False) == (Glop, 1.0)
    calls: list[str] = []
    solve = DualGlop.solve

    def spy(self: DualGlop, seconds: float, *, primal: bool = True) -> object:
        calls.append(type(self).__name__)
        return solve(self, seconds, primal=primal)

    monkeypatch.setattr(DualGlop, "solve", spy)
    # one worker: the LP before the search, a round only when one as long as
    # the last still fits (fit 1), still through MathOpt
    assert lp_solver(params, True, before=True) == ((WarmGlop, 1.0) if warm else (DualGlop, 1.0))
    for p, workers, through in ((params, 2, True), (params, 1, True),
                                (replace(params, lp_pooled_dual=False), 2, False)):
        calls.clear()
        proves_two_stay(p, workers)
        assert calls if through else not calls
