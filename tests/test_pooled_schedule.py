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
from solver.model.build import Builder
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.model.search import LEAN_IGNORE, lean_lp, pooled_share, tune


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
