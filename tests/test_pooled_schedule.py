"""The search schedule on pooled (export-shaped) estates (issue 23): with two
workers and the neighbourhood search running, CP-SAT's share is its LP worker
(``max_lp``) alone when most applications run in clusters; every other estate
keeps the schedule it had (CP-SAT with the remaining worker)."""

from __future__ import annotations

from typing import Any

import pytest
from ortools.sat.python import cp_model
from test_member_links import _pair
from test_solver_factory import moved, run

from estate.resolve import resolve
from inventory.synth import synth_estate
from solver.check import compare_plan
from solver.model.bound_first import lean_lp, pooled_share
from solver.model.build import Builder
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.model.search import LEAN_IGNORE, tune


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def test_lean_parameters_keep_the_lp_worker_alone() -> None:
    lean = cp_model.CpSolver().parameters
    tune(lean, 2, False, SolveParams(), lean=True)
    assert list(lean.subsolvers) == ["max_lp"]
    assert not lean.use_lns
    assert set(LEAN_IGNORE) <= set(lean.ignore_subsolvers)
    plain = cp_model.CpSolver().parameters
    tune(plain, 2, False, SolveParams())
    assert plain.use_lns and not list(plain.ignore_subsolvers)
    assert list(plain.subsolvers) == ["max_lp"]
    # The full-problem worker can be another subsolver (SolveParams.lp_worker).
    tree = cp_model.CpSolver().parameters
    tune(tree, 2, False, SolveParams(lp_worker="lb_tree_search"), lean=True)
    assert list(tree.subsolvers) == ["lb_tree_search"]
    # One worker is CP-SAT's single-thread search either way.
    one = cp_model.CpSolver().parameters
    tune(one, 1, False, SolveParams(), lean=True)
    assert one.use_lns and one.linearization_level == 2


def test_only_pooled_estates_get_the_lean_worker() -> None:
    pooled = Builder(Prep(_pair(700.0)))
    assert pooled_share(pooled) == 1.0
    assert lean_lp(pooled, SolveParams())
    assert not lean_lp(pooled, SolveParams(pooled_lp_share=1.0))
    assert not lean_lp(pooled, SolveParams(large_apps=1))  # no max_lp worker there
    council = Builder(Prep(resolve(synth_estate(40, 3))))
    assert pooled_share(council) == 0.0
    assert not lean_lp(council, SolveParams())


def test_pooled_pair_two_workers_lean_schedule_keeps_the_optimum() -> None:
    # _pair (tests/test_member_links.py): both VMs leave, objective 3,946 by
    # hand (2 × 12 × 100 running + 2 × 700 one-off + 2 hosts × 1 month × 73).
    # lns_min_apps 1 puts the neighbourhood search beside CP-SAT, whose share
    # is then its LP worker alone; it proves the same optimum.
    e = _pair(700.0)
    r = run(e, workers=2, params=SolveParams(lns_min_apps=1))
    assert any(line.startswith("full model:") and line.endswith("its LP worker alone")
               for line in r.log)
    assert r.status == "optimal"
    assert r.objective == approx(3946.0)
    assert {a: m[0] for a, m in moved(r).items()} == {"A1": "rehost", "A2": "rehost"}
    assert not compare_plan(e, r.plan)
    off = run(e, workers=2, params=SolveParams(lns_min_apps=1, pooled_lp_share=1.0))
    assert any(line.startswith("full model:") and line.endswith("1 worker(s)")
               for line in off.log)
    assert off.objective == approx(3946.0)


def test_estate_without_clusters_keeps_its_schedule() -> None:
    # A council estate (no clusters) with the neighbourhood search beside the
    # full model: CP-SAT keeps the one remaining worker, as before.
    r = run(resolve(synth_estate(40, 3)), workers=2, time_limit=5.0,
            params=SolveParams(lns_min_apps=1))
    full = [line for line in r.log if line.startswith("full model:")]
    assert full and full[0].endswith("1 worker(s)")
    assert any(line.startswith("neighbourhood search:") for line in r.log)


def test_one_worker_bound_first_keeps_the_optimum() -> None:
    # One worker, single_worker_lean: the full model's LP worker runs first
    # and proves the hand-worked 3,946 of _pair, so no neighbourhood search follows.
    e = _pair(700.0)
    r = run(e, workers=1, params=SolveParams(lns_min_apps=1, single_worker_lean=True))
    assert r.status == "optimal"
    assert r.objective == approx(3946.0)
    assert any(line.startswith("full model:") and line.endswith("its LP worker alone")
               for line in r.log)
    assert not any(line.startswith("neighbourhood search:") for line in r.log)
    assert not compare_plan(e, r.plan)


def test_one_worker_bound_first_by_default_below_lns_min_apps() -> None:
    # _pair has 2 applications, far below lns_min_apps (500): with one worker
    # the pooled estate still gets the LP worker first (single_worker_lean_small),
    # which proves 3,946; off, CP-SAT's single-thread search as before.
    e = _pair(700.0)
    r = run(e, workers=1)
    assert r.status == "optimal" and r.objective == approx(3946.0)
    assert any(line.startswith("full model:") and line.endswith("its LP worker alone")
               for line in r.log)
    off = run(e, workers=1, params=SolveParams(single_worker_lean_small=False))
    assert off.status == "optimal" and off.objective == approx(3946.0)
    assert any(line.startswith("full model:") and line.endswith("1 worker(s)")
               for line in off.log)


def test_one_worker_bound_first_shows_the_final_bound_before_the_neighbourhoods(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A small export-shaped estate (every VM in a cluster) with a budget too
    # short to prove it: the full model runs first, so when the neighbourhood
    # search starts, the live line has already shown the bound the result
    # reports (the neighbourhoods prove no bound).
    import solver.model.lns as lns_mod
    from inventory.synth_export import export_estate

    e = resolve(export_estate(60, 2))
    shown: list[float] = []
    at_lns: list[float] = []
    search = lns_mod.search

    def marked(*args: Any, **kw: Any) -> Any:
        at_lns.append(max(shown))
        return search(*args, **kw)

    monkeypatch.setattr(lns_mod, "search", marked)
    r = run(e, workers=1, time_limit=30.0,
            params=SolveParams(lns_min_apps=1, single_worker_lean=True, dtime_limit=0.3),
            progress=lambda _t, _v, bound, _g: shown.append(bound))
    order = [line.split(":")[0] for line in r.log
             if line.startswith(("full model:", "neighbourhood search:"))]
    assert r.status == "feasible"  # 0.3 deterministic s do not prove it
    assert order == ["full model", "neighbourhood search"]
    assert at_lns and at_lns[0] >= r.bound - 1e-6
    assert r.bound > shown[0]  # a real bound, not only the trivial one


def _constraints(r: Any) -> int:
    line = next(line for line in r.log if line.startswith("full model:"))
    return int(line.split(" constraints")[0].rsplit(" ", 1)[1])


def test_member_links_left_out_from_member_links_max_apps() -> None:
    # _pair has 2 applications: with member_links_max_apps 2 the full model
    # has no member links (fewer constraints) and proves the same hand-worked
    # optimum, 3,946 (the links are valid cuts, not rules).
    e = _pair(700.0)
    on = run(e)
    off = run(e, params=SolveParams(member_links_max_apps=2))
    assert on.status == off.status == "optimal"
    assert on.objective == approx(3946.0) and off.objective == approx(3946.0)
    assert _constraints(off) < _constraints(on)
    assert _constraints(off) == _constraints(run(e, params=SolveParams(member_links=False)))
