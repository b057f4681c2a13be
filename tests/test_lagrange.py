"""The Lagrangian bound by blocks priced by the LP's duals
(``solver.model.lagrange``): the coupling rows (team days, go-lives, a
group literal's ties to another block) relaxed with GLOP's dual values, each
block solved as an integer problem by CP-SAT.

* By hand: a site's fixed cost shared by two applications in two blocks
  (the LP's own split of it: exact), and the team's days shared by two
  applications (priced by their duals: exact); with the duals left out,
  weaker in both.
* Property: on random tiny estates (``tests/tiny_estates.py``), one block
  per application, the bound is at most the brute-force optimum and at
  least the LP's value (each block counts at least its share of the LP's
  Lagrangian).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from estates import priced_model
from hypothesis import HealthCheck, given, settings
from ortools.linear_solver import pywraplp
from test_solver_factory import Team, app, make_estate, opt, server, site
from tiny_estates import brute_force, combinations, tiny_estates

from estate.model import Estate
from solver.model.glop import mp_model, pounds
from solver.model.lagrange import block_lagrangian
from solver.model.lp_bound import proto_of, relax_split


def _lagrange(e: Estate, blocks: dict[str, str], duals: bool = True
              ) -> tuple[float, float, Any]:
    """(the Lagrangian bound £, the LP's value £, the bound's blocks) of
    ``e``'s model with ``blocks`` (application -> block)."""
    p = priced_model(e)
    b, obj = p.b, p.obj
    proto = proto_of(b.m)
    starts: list[int] = []
    r, _ = relax_split(proto, (), starts)
    s = pywraplp.Solver.CreateSolver("GLOP")
    s.LoadModelFromProto(mp_model(r))
    assert s.Solve() == s.OPTIMAL
    y = np.array([c.dual_value() for c in s.constraints()])
    x = np.array([v.solution_value() for v in s.variables()])
    lp = pounds(r, s.Objective().Value(), obj)
    label = {v.index: blocks[a] for a, xs in b.x.items() for v in xs.values()
             if not isinstance(v, int)}
    got = block_lagrangian(proto, r, y if duals else np.zeros_like(y), starts, len(r.lo),
                           label, range(*b.coupling_cts), seconds=10.0, primal=x)
    return pounds(r, got.bound, obj), lp, got


def test_a_site_shared_by_two_blocks_is_split_as_the_lp_splits_it_by_hand() -> None:
    """Site DC costs £1,000 a month while anything runs there; 4 months, no
    discounting. A1 costs £100 a month as it is, A2 nothing; each can rehost
    (1 month, free; afterwards A1 £0, A2 £50 a month) or stay. The optimum
    moves both live from month 1: site £1,000 + A1 £100 + A2 3 × £50 =
    £1,250; the LP's optimum is the same plan (nothing binds).

    Blocks {A1}, {A2}: the site's literals go to one block and their ties to
    the other application's ``[L >= k]`` are priced by the LP's duals, so
    each block pays the LP's share of the site: the bound is £1,250, exact.
    Without the duals the block holding the site's literal pays all of it
    and the other none (A2 stays, £0): at most £1,100 + £150 < £1,250."""
    e = make_estate([app("A1", 100.0), app("A2", 0.0)],
                    [opt("A1", "retain"), opt("A1", monthly=0.0),
                     opt("A2", "retain"), opt("A2", monthly=50.0)],
                    servers=[server("P1", ("A1",)), server("P2", ("A2",))],
                    sites=[site("DC", fixed=1000.0), site("CLOUD", "cloud")], H=4)
    assert brute_force(e) == pytest.approx(1250.0)
    blocks = {"A1": "1", "A2": "2"}
    got, lp, parts = _lagrange(e, blocks)
    assert lp == pytest.approx(1250.0, abs=0.05)
    assert got == pytest.approx(1250.0, abs=0.05) and got <= 1250.0 + 1e-6
    assert sorted(p.name for p in parts.parts if p.name != "(free)") == ["1", "2"]
    plain, _, _ = _lagrange(e, blocks, duals=False)
    assert plain < 1250.0 - 1.0


def test_the_team_shared_by_two_blocks_is_priced_by_its_duals_by_hand() -> None:
    """Two applications, each £100 a month as it is, rehost free (1 month, 10
    team days) and free afterwards; the team has 10 days a month; 3 months,
    no discounting. One moves in month 0 (live from 1), the other in month 1
    (live from 2): £100 + £200 = £300, the optimum, and the LP's value (half
    of each in each month costs the same).

    One block each: the team's row of month 0 is relaxed with its dual, £10
    a team day (a move in month 0 saves £100 over one in month 1, for 10
    days), so each block is indifferent, £200 each, less 10 days × £10:
    £300, exact. Without the duals each block moves in month 0 (its own
    share of the team's days fits): £100 + £100 = £200."""
    e = make_estate([app("A1", 100.0), app("A2", 100.0)],
                    [opt("A1", "retain"), opt("A1", effort={"migration": 10.0}),
                     opt("A2", "retain"), opt("A2", effort={"migration": 10.0})],
                    teams=[Team("migration", 10.0)], H=3)
    assert brute_force(e) == pytest.approx(300.0)
    blocks = {"A1": "1", "A2": "2"}
    got, lp, parts = _lagrange(e, blocks)
    assert lp == pytest.approx(300.0, abs=0.05)
    assert got == pytest.approx(300.0, abs=0.05) and got <= 300.0 + 1e-6
    assert parts.rows >= 1
    plain, _, _ = _lagrange(e, blocks, duals=False)
    assert plain == pytest.approx(200.0, abs=0.05)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(tiny_estates())
def test_the_bound_lies_between_the_lp_and_the_brute_force_optimum(e: Estate) -> None:
    if combinations(e) > 600:
        return
    best = brute_force(e)
    if best is None:
        return
    blocks = {a.app_id: a.app_id for a in e.applications}
    got, lp, parts = _lagrange(e, blocks)
    assert got <= best + 1e-6, (got, best)
    assert got >= lp - 0.05, (got, lp)  # every block counts at least its LP floor


@pytest.mark.parametrize("seed", range(6))
def test_blocks_by_cluster_stay_between_the_lp_and_the_optimum(seed: int) -> None:
    """Two clusters in two datacentres, a per-core subscription over every
    host (its renewal's rows tie the two blocks: priced by their duals), one
    block per cluster: at most the brute-force optimum, at least the LP."""
    from test_block_bound import _two_clusters

    e = _two_clusters(seed)
    best = brute_force(e)
    assert best is not None
    blocks = {a.app_id: a.app_id.split("-")[0] for a in e.applications}
    got, lp, parts = _lagrange(e, blocks)
    assert got <= best + 1e-6, (got, best)
    assert got >= lp - 0.05, (got, lp)
    assert {p.name for p in parts.parts} >= {"CL1", "CL2"}


@pytest.mark.parametrize("workers", [1, 2])
def test_the_planner_runs_the_blocks_after_the_lp_and_offers_their_bound(workers: int
                                                                         ) -> None:
    """With ``lp_block_lagrange`` the blocks run after the LP's chord rounds:
    the log shows their bound, every bound the live line showed is at most
    the brute-force optimum, and the plan is that optimum."""
    from test_block_bound import _two_clusters

    from solver.model.params import SolveParams
    from solver.solve import solve

    e = _two_clusters(3)
    best = brute_force(e)
    assert best is not None
    seen: list[tuple[float, ...]] = []
    r = solve(e, time_limit=20.0, workers=workers, seed=0,
              params=SolveParams(lp_block_lagrange=0.5, pooled_lp_share=0.0),
              progress=lambda *a: seen.append(a))
    assert any(line.startswith("Lagrangian bound by blocks: £") for line in r.log), r.log
    assert r.objective == pytest.approx(best, abs=1e-6)
    assert r.bound <= best + 1e-6
    assert all(b <= best + 1e-6 for _, _, b, _ in seen)
