"""Two workers on an estate CP-SAT searches alone (issue 23): the one-worker
search on one thread and a second search beside it (``SolveParams.twin_side``,
:func:`solver.model.search._twin`); pooled estates and other worker counts keep
their schedules."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_member_links import _pair
from test_solver_factory import app, opt
from test_solver_search import _jobs

from estate.model import Estate
from solver.check import compare_plan
from solver.model.bound_first import twin
from solver.model.build import Builder
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.solve import solve


def _stays() -> Estate:
    """_jobs (tests/test_solver_search.py: three moves, one at a time, A before
    C; the site costs £100 a month until the last is live: 6 months, £600)
    and D, which costs £50 a month as it is and £1,000 to move (no team, no
    server): kept, £50 × 12 = £600. Optimum £1,200 by hand."""
    e = _jobs()
    return replace(e, applications=(*e.applications, app("D", 50.0)),
                   options=(*e.options, opt("D", "retain"), opt("D", one_off=1000.0)))


def _lines(r: object, start: str) -> list[str]:
    return [line for line in r.log if line.startswith(start)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("side", ["ours", "seed"])
def test_two_workers_run_the_one_worker_search_and_a_second(side: str) -> None:
    # _stays: £1,200 by hand. Both threads search from the first plan; the
    # full model is the one-worker search (1 worker), the second thread says
    # what it did.
    e = _stays()
    r = solve(e, time_limit=10, workers=2, seed=0, time_indexed=True,
              params=SolveParams(twin_side=side))
    assert r.status == "optimal" and r.objective == pytest.approx(1200.0)
    assert {a.app_id for a in r.plan.applications if a.strategy == "retain"} == {"D"}
    assert _lines(r, "full model:")[0].endswith("1 worker(s)")
    assert len(_lines(r, f"beside it ({side}):")) == 1
    assert not compare_plan(e, r.plan)
    one = solve(e, time_limit=10, workers=1, seed=0, time_indexed=True)
    assert one.objective == pytest.approx(r.objective)


def test_twin_off_keeps_cp_sat_two_worker_portfolio() -> None:
    e = _stays()
    r = solve(e, time_limit=10, workers=2, seed=0, time_indexed=True,
              params=SolveParams(twin_side=""))
    assert r.status == "optimal" and r.objective == pytest.approx(1200.0)
    assert _lines(r, "full model:")[0].endswith("2 worker(s)")
    assert not _lines(r, "beside it")


def test_twin_only_for_two_workers_on_estates_without_pools() -> None:
    jobs = Builder(Prep(_stays()), time_indexed=True)
    assert twin(jobs, 2, SolveParams())
    assert not twin(jobs, 1, SolveParams()) and not twin(jobs, 3, SolveParams())
    assert not twin(jobs, 2, SolveParams(twin_side=""))
    assert not twin(Builder(Prep(_stays()), time_indexed=False), 2, SolveParams())
    # a pure schedule (every application must move, as PSPLIB): CP-SAT's portfolio
    assert not twin(Builder(Prep(_jobs()), time_indexed=True), 2, SolveParams())
    pooled = Builder(Prep(_pair(700.0)))  # every VM in a cluster
    assert not twin(pooled, 2, SolveParams())
    with pytest.raises(ValueError, match="twin_side"):
        SolveParams(twin_side="other")


def test_neighbourhood_search_continues_from_a_better_plan_offered() -> None:
    # _stays, optimum £1,200 by hand: the search starts from a dearer plan
    # (the optimum with D moved at its latest month, at least £1,000 more)
    # and, before its first step, is offered the optimum by rebase(); with a
    # budget too small to find anything itself it returns the optimum.
    import time

    from ortools.sat.python import cp_model

    from solver.model import lns
    from solver.model.costs import build_objective, dot
    from solver.model.extract import derive

    prep = Prep(_stays())
    w = (0.0, 1.0, 0.0, 0.0)
    b = Builder(prep, time_indexed=True)
    b.m.minimize(build_objective(b, w, 100.0).expr)
    s = cp_model.CpSolver()
    assert s.solve(b.m) == cp_model.OPTIMAL
    best = b.choice_of(s)
    assert dot(w, derive(prep, best).vec) == pytest.approx(1200.0)
    dear = dict(best)
    dear["D"] = max((p for p in b.x["D"] if p[0] != "retain"), key=lambda p: p[1])
    assert dot(w, derive(prep, dear).vec) >= 2200.0
    offered: list[int] = []

    def rebase() -> tuple[dict[str, tuple[str, int]], float]:
        offered.append(1)
        return best, dot(w, derive(prep, best).vec)

    got, _ = lns.search(prep, dear, w, 100.0, lns.Budget(0.06, time.monotonic() + 60),
                        seed=1, rebase=rebase)
    assert offered
    assert dot(w, derive(prep, got).vec) == pytest.approx(1200.0)
