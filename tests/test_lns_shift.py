"""The neighbourhood search's ``shift`` step (issue 23,
:mod:`solver.model.shift`): the go-live months of the moving applications in
a window of months, options fixed, the windows sweeping the plan."""

from __future__ import annotations

import time
from typing import Any

import pytest
from test_solver_factory import Team, app, make_estate, opt, server

from estate.model import Estate
from solver.evaluate import evaluate
from solver.model import lns
from solver.model.costs import dot
from solver.model.extract import decisions, derive
from solver.model.prep import Prep
from solver.model.shift import Sweep

W = (0.0, 1.0, 0.0, 0.0)


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _three() -> Estate:
    # 6 months from 2025-04, no discounting. A1, A2, A3 (each on its own
    # physical server in DC, no power) cost £100 a month where they are; each
    # may be retained or rehosted (1 month in flight, £50 one-off, £0 a month
    # after, 10 days of the team's 10 a month: one flight a month). A plan
    # costs Σ (100·L + 50) over the moved applications, 600 for each retained
    # one; the go-live months L are distinct, 1 to 6.
    # Optimum: all moved, L = 1, 2, 3: 600 + 150 = 750.
    # The incumbent below: L = 2, 3, 4 (month 0's team days unused): 1,050.
    # Retaining any one instead costs 600 against at most 450: never better.
    apps = [app(a, 100.0) for a in ("A1", "A2", "A3")]
    opts = [o for a in ("A1", "A2", "A3")
            for o in (opt(a, "retain"), opt(a, one_off=50.0, effort={"migration": 10.0}))]
    servers = [server(f"P{i}", (f"A{i}",)) for i in (1, 2, 3)]
    return make_estate(apps, opts, servers=servers, teams=[Team("migration", 10.0)], H=6)


def _incumbent(prep: Prep) -> dict[str, tuple[str, int]]:
    key = next(o.key for o in prep.app_by_id["A1"].options if o.key != "retain")
    return {"A1": (key, 2), "A2": (key, 3), "A3": (key, 4)}


def _search(prep: Prep, shift_every: int) -> tuple[dict[str, tuple[str, int]], lns.LnsStats]:
    # ``keep`` alone (each application of a server kept as it is or
    # retained) never changes a go-live month: without the shift step the
    # incumbent stays. Tiny steps spend next to no deterministic time, so the
    # loop runs to its wall deadline: 2 s.
    return lns.search(prep, _incumbent(prep), W, 100.0,
                      lns.Budget(3.0, time.monotonic() + 2), seed=1, kinds=("keep",),
                      shift_every=shift_every)


def test_shift_step_moves_the_batch_a_month_earlier() -> None:
    prep = Prep(_three())
    start = _incumbent(prep)
    assert dot(W, derive(prep, start).vec) == approx(1050.0)
    plain, stats = _search(prep, 0)
    assert dot(W, derive(prep, plain).vec) == approx(1050.0)
    assert "shift" not in stats.by_kind
    got, stats = _search(prep, 1)
    assert dot(W, derive(prep, got).vec) == approx(750.0)
    assert sorted(L for _, L in got.values()) == [1, 2, 3]
    assert all(got[a][0] == start[a][0] for a in got)  # the options as they were
    assert stats.by_kind["shift"][1] >= 1
    assert "shift" in stats.line()
    ev = evaluate(prep.estate, decisions(prep, got))
    assert ev.feasible, ev.violations
    assert ev.totals.objective == approx(750.0)


def test_sweep_windows_fix_the_option_and_sleep_after_a_barren_sweep() -> None:
    prep = Prep(_three())
    plan = _incumbent(prep)
    key = plan["A1"][0]
    sweep = Sweep(prep, {}, months=2, back=1, ahead=0)
    # windows [2, 4) then [3, 5): each frees the applications going live in
    # it, on their option, months [t - 1, t + 2)
    assert sweep.due(plan)
    t, free = sweep.next(plan)
    assert t == 2 and set(free) == {"A1", "A2"}
    assert free["A1"] == frozenset({(key, 1), (key, 2), (key, 3)})
    assert sweep.due(plan)
    t, free = sweep.next(plan)
    assert t == 3 and set(free) == {"A2", "A3"}
    assert free["A3"] == frozenset({(key, L) for L in (2, 3, 4)})
    sweep.record("shift", False)
    # past the last go-live, a sweep that improved nothing falls asleep ...
    t, _ = sweep.next(plan)
    assert t == 4
    assert not sweep.due(plan)
    sweep.record("window", False)
    assert not sweep.due(plan)
    # ... until another kind improves the plan: then it starts at the first
    sweep.record("window", True)
    assert sweep.due(plan)
    assert sweep.next(plan)[0] == 2
    with pytest.raises(ValueError):
        Sweep(prep, {}, months=2, back=2)


def test_shift_steps_run_on_pooled_estates_only() -> None:
    # _pool (test_emptying): two of three applications in a cluster (> ½):
    # pooled, every ``lns_shift_every``-th step; _three: no cluster, none.
    from test_emptying import _pool

    from solver.model.bound_first import shift_every
    from solver.model.params import SolveParams

    p = SolveParams()
    assert p.lns_shift_every > 0
    assert shift_every(Prep(_pool()), p) == p.lns_shift_every
    assert shift_every(Prep(_three()), p) == 0
    assert shift_every(Prep(_pool()), SolveParams(lns_shift_every=0)) == 0


def test_shift_params_are_checked() -> None:
    from solver.model.params import SolveParams

    with pytest.raises(ValueError, match="lns_shift"):
        SolveParams(lns_shift_every=-1)
    with pytest.raises(ValueError, match="lns_shift"):
        SolveParams(lns_shift_months=2)  # windows advance months - 2


def _two_ways() -> Estate:
    # _three, each application with a second way to move: replatform, £200
    # one-off (else as rehost). A plan costs Σ (100·L + one-off) over the
    # moved applications; the team still allows one flight a month.
    # Optimum: all rehosted, L = 1, 2, 3: 600 + 150 = 750.
    # The incumbent below: the same months, A2 replatformed: 900. Its months
    # cannot improve (L = 1, 2, 3 is the earliest the team allows) and
    # ``keep`` (kept as it is or retained, 600 each) cannot change an option:
    # only a shift step free to change the option (mode ``options``) finds 750.
    apps = [app(a, 100.0) for a in ("A1", "A2", "A3")]
    opts = [o for a in ("A1", "A2", "A3")
            for o in (opt(a, "retain"), opt(a, one_off=50.0, effort={"migration": 10.0}),
                      opt(a, "replatform", one_off=200.0, effort={"migration": 10.0}))]
    servers = [server(f"P{i}", (f"A{i}",)) for i in (1, 2, 3)]
    return make_estate(apps, opts, servers=servers, teams=[Team("migration", 10.0)], H=6)


def _keys(prep: Prep) -> tuple[str, str]:
    ap = prep.app_by_id["A1"]
    cheap = next(o.key for o in ap.options if o.moves and o.one_off < 100)
    dear = next(o.key for o in ap.options if o.moves and o.one_off > 100)
    return cheap, dear


def test_options_mode_frees_the_windows_options_after_a_barren_sweep() -> None:
    prep = Prep(_two_ways())
    cheap, dear = _keys(prep)
    start = {"A1": (cheap, 1), "A2": (dear, 2), "A3": (cheap, 3)}
    assert dot(W, derive(prep, start).vec) == approx(900.0)

    def run(modes: tuple[str, ...]) -> tuple[dict[str, tuple[str, int]], lns.LnsStats]:
        return lns.search(prep, start, W, 100.0, lns.Budget(3.0, time.monotonic() + 2),
                          seed=1, kinds=("keep",), shift_every=1, shift_modes=modes)

    plain, stats = run(())
    assert dot(W, derive(prep, plain).vec) == approx(900.0)
    assert stats.by_kind["shift"][1] == 0
    got, stats = run(("phase", "options"))
    assert dot(W, derive(prep, got).vec) == approx(750.0)
    assert all(k == cheap for k, _ in got.values())
    assert sorted(L for _, L in got.values()) == [1, 2, 3]
    assert stats.by_kind["shift:options"][1] == 1
    ev = evaluate(prep.estate, decisions(prep, got))
    assert ev.feasible, ev.violations
    assert ev.totals.objective == approx(750.0)


def test_sweep_modes_take_over_in_turn_then_sleep() -> None:
    prep = Prep(_three())
    plan = _incumbent(prep)  # go-lives 2, 3, 4
    key = plan["A1"][0]
    sweep = Sweep(prep, {}, months=3, back=1, ahead=0, modes=("phase", "options", "wide"))
    starts = []
    for _ in range(40):
        if not sweep.due(plan):
            break
        mode = sweep.mode_name
        t, free = sweep.next(plan)
        starts.append((mode, t))
        if mode == "options":  # any option in the months, retain too
            assert free and all(("retain", prep.H) in p for p in free.values() if p)
        elif mode == "wide":  # a window [2, 7): A3 may go live in month 5
            assert set(free) == {"A1", "A2", "A3"}
            assert (key, 5) in (free["A3"] or ())
        else:
            assert not any((key, 5) in p for p in free.values() if p and t == 2)
            assert all(k == key for p in free.values() if p for k, _ in p)
        sweep.record("shift", False)
    # plain: windows at 2 and 4; phase: one month later, 3; options: 2, 4;
    # wide: 2 (advancing 3, past the last go-live); then every mode in a row
    # improved nothing: asleep
    assert starts == [("plain", 2), ("plain", 4), ("phase", 3), ("options", 2),
                      ("options", 4), ("wide", 2)]
    assert sweep.asleep
    sweep.record("window", True)  # another kind's better plan: plain again
    assert sweep.due(plan) and sweep.mode_name == "plain"
    with pytest.raises(ValueError, match="shift modes"):
        Sweep(prep, {}, modes=("sideways",))
    from solver.model.params import SolveParams

    with pytest.raises(ValueError, match="lns_shift_modes"):
        SolveParams(lns_shift_modes=("sideways",))
