"""The neighbourhood search's ``close`` step (issue 23,
:mod:`solver.model.closing`): one pool's moves re-timed at once, so that the
month it closes can jump past what a ``shift`` window reaches."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from test_solver_factory import Team, app, make_estate, opt, server, site

from estate.model import Estate, Server
from solver.evaluate import evaluate
from solver.model import lns
from solver.model.closing import Closings
from solver.model.costs import dot
from solver.model.emptying import emptiable
from solver.model.extract import decisions, derive
from solver.model.prep import Prep

W = (0.0, 1.0, 0.0, 0.0)


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _late() -> Estate:
    # 8 months from 2025-04, no discounting, no power. Site DC is exited by
    # 2025-11 (month 7): every application moves, L <= 7. The team has 10
    # days a month and every move takes 10 (1 month in flight): at most one
    # go-live a month, the months L distinct, 1 to 7.
    # A1, A2, A3 (each on its own physical server) cost £100 a month where
    # they are, nothing in the cloud: 100·L each.
    # B1, B2 (VMs of 5 vCPUs on host HB, cluster CL, no spare) cost nothing
    # where they are and £100 a month in the cloud: 100·(8 - L) each. HB
    # reaches its end of life in 2025-07 (month 3): it is replaced (£700)
    # unless both B1 and B2 have gone by then (L <= 3).
    # Without the replacement the B's take two of months 1-3: best B1, B2 at
    # 2, 3 (1,100) and A1, A2, A3 at 1, 4, 5 (1,000): 2,100, the incumbent.
    # With it the B's go last: A's at 1, 2, 3 (600), B's at 6, 7 (300),
    # HB replaced (700): 1,600, the optimum (checked by brute force below).
    # From the incumbent no ``shift`` window (4 months, 2 before, 1 after;
    # options fixed) improves: window [1, 5) frees A1, B1, B2, A2 (A3 held
    # at 5), the best with the replacement being A's at 1, 2 and B's at 3, 4:
    # 800 + 900 + 700 = 2,400; window [3, 7) frees B2, A2, A3 (A1, B1 held),
    # the best with it B2 at 7, A2, A3 at 3, 4: 800 + 600 + 100 + 700 =
    # 2,200; window [5, 9) frees A3, which cannot go earlier. The ``close``
    # step frees B1 and B2 at any month, the A's held: B's at 6, 7 with the
    # replacement, 1,000 + 300 + 700 = 2,000; the ``shift`` windows then
    # move A2 and A3 to 2 and 3: 1,600.
    team = {"migration": 10.0}
    apps = [app(a, 100.0) for a in ("A1", "A2", "A3")] + [app("B1"), app("B2")]
    opts = [o for a in ("A1", "A2", "A3")
            for o in (opt(a, "retain"), opt(a, effort=team))]
    opts += [o for a in ("B1", "B2")
             for o in (opt(a, "retain"), opt(a, monthly=100.0, effort=team))]
    hb = Server("HB", "DC", "host", cluster="CL", cores=10, ram_gb=100, watts=0.0,
                end_of_life="2025-07", replacement_cost=700.0, embodied_kgco2e=0.0)
    vms = [Server(f"V{i}", "DC", "virtual", host_id="HB", vcpus=5, ram_gb=1, watts=0.0,
                  replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(f"B{i}",))
           for i in (1, 2)]
    servers = [hb, *vms, *(server(f"P{i}", (f"A{i}",)) for i in (1, 2, 3))]
    return make_estate(apps, opts, servers=servers, H=8, teams=[Team("migration", 10.0)],
                       sites=[site("DC", exit_by="2025-11"), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=0)


def _incumbent(prep: Prep) -> dict[str, tuple[str, int]]:
    def key(a: str) -> str:
        return next(o.key for o in prep.app_by_id[a].options if o.moves)

    months = {"A1": 1, "B1": 2, "B2": 3, "A2": 4, "A3": 5}
    return {a: (key(a), L) for a, L in months.items()}


def _value(prep: Prep, plan: dict[str, tuple[str, int]]) -> float:
    return float(dot(W, derive(prep, plan).vec))


def _search(prep: Prep, close_every: int) -> tuple[dict[str, tuple[str, int]], lns.LnsStats]:
    # ``keep`` (each application of a group kept as it is or retained)
    # cannot retain anything here (the site's exit) nor change a month: the
    # ``shift`` and ``close`` steps alone decide. Tiny steps spend next to
    # no deterministic time, so the loop runs to its wall deadline: 2 s.
    return lns.search(prep, _incumbent(prep), W, 100.0,
                      lns.Budget(3.0, time.monotonic() + 2), seed=1, kinds=("keep",),
                      shift_every=1, close_every=close_every)


def test_close_step_re_times_a_pool_past_the_shift_windows() -> None:
    prep = Prep(_late())
    assert [name for name, _, _ in emptiable(prep)] == ["cluster CL"]
    start = _incumbent(prep)
    assert _value(prep, start) == approx(2100.0)
    # brute force: every assignment of distinct months 1-7 (one go-live a
    # month), each move the only option the exit leaves
    best = min(_value(prep, {a: (start[a][0], L) for a, L in zip(start, Ls, strict=True)})
               for Ls in itertools.permutations(range(1, 8), len(start)))
    assert best == approx(1600.0)
    plain, stats = _search(prep, 0)
    assert _value(prep, plain) == approx(2100.0)
    assert stats.by_kind["shift"][1] == 0 and "close" not in stats.by_kind
    got, stats = _search(prep, 2)
    assert _value(prep, got) == approx(1600.0)
    assert sorted(got[a][1] for a in ("A1", "A2", "A3")) == [1, 2, 3]
    assert sorted(got[a][1] for a in ("B1", "B2")) == [6, 7]
    assert stats.by_kind["close"][1] >= 1
    ev = evaluate(prep.estate, decisions(prep, got))
    assert ev.feasible, ev.violations
    assert ev.totals.objective == approx(1600.0)


def test_closings_take_the_pools_in_turn_then_sleep() -> None:
    prep = Prep(_late())
    plan = _incumbent(prep)
    key = plan["B1"][0]
    pools = [("P", ["B1", "B2"]), ("Q", ["A1", "A2", "A3"]), ("R", ["A1", "B1"])]
    c = Closings(prep, {}, pools, max_apps=2, back=1)
    # Q has 3 moving applications (> max_apps): skipped
    assert c.due(plan)
    name, free = c.next(plan)
    assert name == "P" and set(free) == {"B1", "B2"}
    # the option kept; from one month before the first go-live (2) to the end
    assert free["B1"] == frozenset((key, L) for L in range(1, 8))
    c.record("close", False)
    assert c.due(plan)
    assert c.next(plan)[0] == "R"
    c.record("close", False)
    # a round (P, Q, R) without a better plan: asleep ...
    assert not c.due(plan)
    c.record("shift", False)
    assert not c.due(plan)
    # ... until another kind improves the plan: a new round
    c.record("shift", True)
    assert c.due(plan)
    assert c.next(plan)[0] == "P"
    with pytest.raises(ValueError):
        Closings(prep, {}, pools, max_apps=0)


def test_close_steps_run_on_pooled_estates_only_and_are_checked() -> None:
    from test_emptying import _pool

    from solver.model.bound_first import close_every
    from solver.model.params import SolveParams

    p = SolveParams(lns_close_every=4)
    assert close_every(Prep(_pool()), p) == 4  # two of three applications pooled
    assert close_every(Prep(_late()), p) == 0  # two of five
    assert close_every(Prep(_pool()), SolveParams(lns_close_every=0)) == 0
    with pytest.raises(ValueError, match="lns_close"):
        SolveParams(lns_close_every=-1)
    with pytest.raises(ValueError, match="lns_close"):
        SolveParams(lns_close_max_apps=0)
