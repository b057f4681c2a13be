"""The neighbourhood search's ``rest`` step (issue 23, :mod:`solver.model.rest`):
the rest of a pool the plan does not empty (its retained members and its
late ones) placed again by the list scheduler and polished by CP-SAT."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from test_solver_factory import Team, app, make_estate, opt, site

from estate.model import Estate, Server
from solver.evaluate import evaluate
from solver.model import lns
from solver.model.costs import dot
from solver.model.emptying import emptiable
from solver.model.extract import decisions, derive
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.model.rest import Rests

W = (0.0, 1.0, 0.0, 0.0)


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _pool() -> Estate:
    # 8 months from 2025-04, no discounting, no power. The team has 10 days
    # a month and every move takes 10 (1 month in flight): at most one
    # go-live a month. B1, B2, B3 (VMs of 5 vCPUs on host HB, cluster CL, no
    # spare) cost nothing where they are and £20 a month in the cloud:
    # 20·(8 - L) each. HB reaches its end of life in 2025-07 (month 3): it
    # is replaced (£700) unless all three have gone by then (L <= 3).
    # Retain all: 700. Any move alone is dearer than staying unless all
    # three go by month 3: then no replacement, and the cheapest months are
    # 1, 2, 3 in any order: 20·(7 + 6 + 5) = 360, the optimum (brute force
    # below). The incumbent moves B1 at 1 (140), retains B2 and moves B3 at
    # 7 (20), HB replaced (700): 860. The ``rest`` step (late = 0.5: after
    # month 4) places B2 and B3 again, B1 held. At the cheapest months the
    # list scheduler does not see the pooled host (a cluster's cost is not
    # a group's): B2 at 8, B3 at 7, 860, not cheaper. At the earliest: B2 at
    # 2, B3 at 3, no replacement: 140 + 120 + 100 = 360, the optimum, which
    # the step's CP-SAT polish keeps. ``keep`` (each application kept as it
    # is or retained) reaches at best 700 (retain B1 and B3), so without the
    # step the search stays there.
    team = {"migration": 10.0}
    apps = [app(f"B{i}") for i in (1, 2, 3)]
    opts = [o for i in (1, 2, 3)
            for o in (opt(f"B{i}", "retain"), opt(f"B{i}", monthly=20.0, effort=team))]
    hb = Server("HB", "DC", "host", cluster="CL", cores=15, ram_gb=100, watts=0.0,
                end_of_life="2025-07", replacement_cost=700.0, embodied_kgco2e=0.0)
    vms = [Server(f"V{i}", "DC", "virtual", host_id="HB", vcpus=5, ram_gb=1, watts=0.0,
                  replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(f"B{i}",))
           for i in (1, 2, 3)]
    return make_estate(apps, opts, servers=[hb, *vms], H=8,
                       teams=[Team("migration", 10.0)],
                       sites=[site("DC"), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=0)


def _key(prep: Prep, a: str) -> str:
    return next(o.key for o in prep.app_by_id[a].options if o.moves)


def _incumbent(prep: Prep) -> dict[str, tuple[str, int]]:
    return {"B1": (_key(prep, "B1"), 1), "B2": ("retain", 8), "B3": (_key(prep, "B3"), 7)}


def _value(prep: Prep, plan: dict[str, tuple[str, int]]) -> float:
    return float(dot(W, derive(prep, plan).vec))


def _search(prep: Prep, rest_every: int) -> tuple[dict[str, tuple[str, int]], lns.LnsStats]:
    # tiny steps spend next to no deterministic time: the loop runs to its
    # wall deadline (2 s)
    return lns.search(prep, _incumbent(prep), W, 100.0,
                      lns.Budget(3.0, time.monotonic() + 2), seed=1, kinds=("keep",),
                      rest_every=rest_every)


def test_rest_step_empties_the_rest_of_a_pool() -> None:
    prep = Prep(_pool())
    assert [name for name, _, _ in emptiable(prep)] == ["cluster CL"]
    start = _incumbent(prep)
    assert _value(prep, start) == approx(860.0)
    # brute force: each of B1-B3 retained or moved at a month of its own, 1-7
    choices: list[tuple[str, int]] = [("retain", 8), *((None, L) for L in range(1, 8))]  # type: ignore[list-item]
    best = float("inf")
    for combo in itertools.product(choices, repeat=3):
        months = [L for k, L in combo if k is None]
        if len(months) != len(set(months)):
            continue
        plan = {f"B{i + 1}": (k or _key(prep, f"B{i + 1}"), L) for i, (k, L) in enumerate(combo)}
        best = min(best, _value(prep, plan))
    assert best == approx(360.0)
    plain, stats = _search(prep, 0)
    assert _value(prep, plain) >= 700.0 - 1e-6
    assert "rest" not in stats.by_kind
    got, stats = _search(prep, 1)
    assert _value(prep, got) == approx(360.0)
    assert got["B1"] == start["B1"]
    assert sorted(got[a][1] for a in ("B2", "B3")) == [2, 3]
    assert stats.by_kind["rest"][1] == 1
    ev = evaluate(prep.estate, decisions(prep, got))
    assert ev.feasible, ev.violations
    assert ev.totals.objective == approx(360.0)


def _two_pools() -> Estate:
    # As :func:`_pool`, two clusters of two VMs each: A1, A2 on host HA
    # (cluster CA, end of life 2025-06, month 2: replaced, £700, unless both
    # have gone by L <= 2), B1, B2 on HB (cluster CB, end of life 2025-08,
    # month 4: unless both by L <= 4). £20 a month each in the cloud, one
    # go-live a month. The optimum empties both, CA first: A's at 1, 2 (140 +
    # 120), B's at 3, 4 (100 + 80): 440 (brute force below); CB first puts
    # the A's at 3 or later and HA is replaced: at least 700 + 180.
    # The incumbent: A1 at 1 (140), A2 and B1 retained, B2 at 7 (20), both
    # hosts replaced: 1,560. The ``rest`` steps take CA, then CB: A2 at 2
    # (the earliest month free; HA not replaced: 980), then B1, B2 at 3, 4
    # (440). Taken the other way round, B's at 2, 3 (1,060) and then A2 at
    # 4, too late for HA: the search would stay at 1,060.
    team = {"migration": 10.0}
    names = ("A1", "A2", "B1", "B2")
    apps = [app(a) for a in names]
    opts = [o for a in names for o in (opt(a, "retain"), opt(a, monthly=20.0, effort=team))]
    hosts = [Server(h, "DC", "host", cluster=c, cores=10, ram_gb=100, watts=0.0,
                    end_of_life=eol, replacement_cost=700.0, embodied_kgco2e=0.0)
             for h, c, eol in (("HA", "CA", "2025-06"), ("HB", "CB", "2025-08"))]
    vms = [Server(f"V{a}", "DC", "virtual", host_id=f"H{a[0]}", vcpus=5, ram_gb=1,
                  watts=0.0, replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(a,))
           for a in names]
    return make_estate(apps, opts, servers=[*hosts, *vms], H=8,
                       teams=[Team("migration", 10.0)],
                       sites=[site("DC"), site("CLOUD", "cloud")],
                       vcpus_per_core=1.0, ha_spare_hosts=0)


def test_rest_steps_empty_two_pools_in_turn() -> None:
    prep = Prep(_two_pools())
    assert [name for name, _, _ in emptiable(prep)] == ["cluster CA", "cluster CB"]
    start = {"A1": (_key(prep, "A1"), 1), "A2": ("retain", 8), "B1": ("retain", 8),
             "B2": (_key(prep, "B2"), 7)}
    assert _value(prep, start) == approx(1560.0)
    names = list(start)
    best, arg = float("inf"), {}
    for Ls in itertools.product(range(1, 9), repeat=4):  # 8: retained
        moved = [L for L in Ls if L < 8]
        if len(moved) != len(set(moved)):
            continue
        plan = {a: (_key(prep, a), L) if L < 8 else ("retain", 8)
                for a, L in zip(names, Ls, strict=True)}
        v = _value(prep, plan)
        if v < best:
            best, arg = v, plan
    assert best == approx(440.0)
    assert [arg[a][1] for a in names] in ([1, 2, 3, 4], [2, 1, 3, 4], [1, 2, 4, 3],
                                          [2, 1, 4, 3])
    got, stats = lns.search(prep, start, W, 100.0, lns.Budget(3.0, time.monotonic() + 2),
                            seed=1, kinds=("keep",), rest_every=1)
    assert _value(prep, got) == approx(440.0)
    assert stats.by_kind["rest"][1] == 2
    assert evaluate(prep.estate, decisions(prep, got)).totals.objective == approx(440.0)
    plain, _ = lns.search(prep, start, W, 100.0, lns.Budget(3.0, time.monotonic() + 2),
                          seed=1, kinds=("keep",))
    assert _value(prep, plain) > 440.0 + 1.0


def test_rests_take_each_pool_once_per_plan_value() -> None:
    prep = Prep(_pool())
    plan = _incumbent(prep)
    r = Rests(prep, {}, [("CL", ["B1", "B2", "B3"]), ("none", ["B1"])], W, late=0.5)
    # B1 goes live at 1 (kept), B2 is retained, B3 goes live at 7 > 4
    assert r.rest(plan, ["B1", "B2", "B3"]) == {"B2", "B3"}
    # a pool none of whose members is retained has no rest
    assert r.rest(plan, ["B1"]) == set()
    assert r.due(plan, 860.0)
    got = r.next(plan, 860.0)
    assert got is not None and r.last == "CL"
    cand, v, free = got
    assert v == approx(360.0) and cand["B1"] == plan["B1"]
    assert set(free) == {"B2", "B3"} and all(k != "retain" for k, _ in free["B2"])
    # tried at this value: not due again until the plan's value changes
    assert not r.due(plan, 860.0)
    assert r.due(plan, 850.0)
    # not cheaper than the value given: no candidate
    assert r.next(plan, 300.0) is None
    with pytest.raises(ValueError):
        Rests(prep, {}, [], W, late=0.0)


def test_rest_parameters_are_checked() -> None:
    assert SolveParams().lns_rest_every == 4
    for bad in ({"lns_rest_every": -1}, {"lns_rest_step_dtime": 0.0}, {"lns_rest_late": 1.5}):
        with pytest.raises(ValueError):
            SolveParams(**bad)  # type: ignore[arg-type]
