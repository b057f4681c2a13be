"""Parallel inequalities on the groups' ends (``solver.model.schedule_cuts``):
``Σ_{G∈S} p_G·E_G >= (P(S)² + Σ p_G²) / (2c)``, ``E_G = Σ_k g[G,k]``. By
hand where the LP without them is below the optimum, and against brute
force on random tiny estates (they never cut off a plan)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from estates import priced_model
from hypothesis import HealthCheck, given, settings
from test_closure_cuts import site_estates
from test_solver_factory import Team, app, make_estate, opt, run, server, site
from tiny_estates import brute_force, combinations

from estate.model import Estate
from solver.model.glop import model_bound
from solver.model.schedule_cuts import jobs, lp_with_parallel, rhs


def _two_sites(golives: int | None = None, days: float = 10.0) -> Estate:
    # Sites S1 (A1, A2 on server P1) and S2 (B1, B2 on P2), 1,000 a month
    # each while an application is left there; every application may move
    # to the cloud in one month at 10 team days (the team has `days` a
    # month) and costs nothing else; 12 months.
    apps = ["A1", "A2", "B1", "B2"]
    opts = [opt(a, "retain") for a in apps] + [opt(a, effort={"migration": 10.0})
                                              for a in apps]
    return make_estate([app(a) for a in apps], opts,
                       servers=[server("P1", ("A1", "A2"), site_id="S1"),
                                server("P2", ("B1", "B2"), site_id="S2")],
                       sites=[site("S1", fixed=1000.0), site("S2", fixed=1000.0),
                              site("CLOUD", "cloud")],
                       teams=[Team("migration", days)], max_golives_per_month=golives, H=12)


def _bounds(e: Estate, rounds: int = 3) -> list[float]:
    _, b, obj, _ = priced_model(e)
    return lp_with_parallel(b, obj, 30.0, rounds)


def test_two_sites_by_hand() -> None:
    # One move a month (10 days of 10): go-lives at months 1, 2, 3, 4 at
    # best; a site is paid until its last member's go-live T: S1 at 2, S2
    # at 4: 1,000 × (2 + 4) = 6,000, the optimum.
    # The LP (the closure-cover test's): E_1 + E_2 = 2 + 2 + 1 + 0.5 = 5.5
    # site-months, 5,500. Each site needs p = 20 days, c = 10 a month:
    # 20·E_1 + 20·E_2 >= (40² + 20² + 20²) / 20 = 120, so E_1 + E_2 >= 6:
    # one round lifts the LP to the optimum.
    e = _two_sites()
    r = run(e)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(6000.0, abs=0.01)
    got = _bounds(e)
    assert got[0] == pytest.approx(5500.0, abs=1.0)
    assert got[-1] == pytest.approx(6000.0, abs=1.0)


def test_two_sites_by_the_golive_limit() -> None:
    # The same with a team that binds nothing (100 days a month) and one
    # go-live a month: p = 2 go-lives a site, c = 1: 2·(E_1 + E_2) >=
    # (4² + 2² + 2²) / 2 = 12: the same 5,500 → 6,000.
    e = _two_sites(golives=1, days=100.0)
    got = _bounds(e)
    assert got[0] == pytest.approx(5500.0, abs=1.0)
    assert got[-1] == pytest.approx(6000.0, abs=1.0)


def test_the_jobs_and_the_right_hand_side() -> None:
    # one family of two jobs (a server and its site hold the same
    # applications: one group each), 20 days each
    _, b, _, _ = priced_model(_two_sites())
    dims, fams = jobs(b)
    assert dims == [("team=migration", 10.0)]
    assert [len(f) for f in fams] == [2]
    assert all(job.p == (20.0,) for f in fams for job in f)
    assert rhs([20.0, 20.0], 10.0) == pytest.approx(120.0)
    assert rhs([20.0], 10.0) == pytest.approx(40.0)


def test_not_below_the_plain_lp() -> None:
    # round 0 is the model's own LP
    e = _two_sites(days=15.0)
    _, b, obj, _ = priced_model(e)
    plain = model_bound(b.m, obj, 30.0)[0]
    assert lp_with_parallel(b, obj, 30.0, 0)[0] == pytest.approx(plain, abs=1.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(site_estates())
def test_the_rows_never_pass_the_brute_force_optimum(e: Estate) -> None:
    # 2–3 sites of 1–2 applications, moves of 1–2 months (retire, no effort
    # for some), a team of 5–20 days, maybe a go-live limit, 5 months (the
    # rows lift the LP in 7 of the 56 feasible cases, 2026-12-07)
    assert combinations(e) <= 10_000
    best = brute_force(e)
    got = _bounds(e)
    if best is None or not got:
        return
    assert all(math.isfinite(v) for v in got)
    assert got[0] - 1e-6 <= max(got)
    assert max(got) <= best + 1e-6, (got, best)


def test_the_schedule_hull_check_by_hand() -> None:
    # benchmarks/schedule_slack.py --hull: two pools of 20 days, 10 a month,
    # 6 months. Closing one by month 2 and the other by 4 (either order),
    # half and half: closed fractions 0, 0, 0.5, 0.5, 1, 1 each: a mix of
    # schedules, no shortfall. Asking 0.75 each at month 3 (30 days close
    # one pool, not two: at most 1 in all) falls 0.5 short, in month 3 and
    # in the schedules' hull alike.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from schedule_slack import hull_deficit

    mix = [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    whole, month = hull_deficit([20.0, 20.0], 10.0, 6, [mix, mix])
    assert whole == pytest.approx(0.0, abs=1e-9) and month == pytest.approx(0.0, abs=1e-9)
    more = [0.0, 0.0, 0.5, 0.75, 1.0, 1.0]
    whole, month = hull_deficit([20.0, 20.0], 10.0, 6, [more, more])
    assert whole == pytest.approx(0.5, abs=1e-9) and month == pytest.approx(0.5, abs=1e-9)
