"""Actuals that broke a rule of the whole estate before today do not make the
re-plan infeasible (:func:`estate.limits.binds`): the past is fact, recorded
(:func:`solver.rules.past_breaches`) and not re-decided. The same breach in a
month still to plan is refused.

Every estate: horizon 12 months from 2025-04, re-planned from 2025-10 (month
6). Applications cost £100 a month now and £10 after a one-month rehost, so
each free one moves as soon as it may: starting 2025-10, live from 2025-11.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from test_contract_rules import _agree
from test_solver_factory import Dependency, Pin, Team, app, make_estate, opt, row, run

from estate.actuals import Actual, apply_replan, replan_of
from estate.derive import build_schedule
from solver.evaluate import evaluate
from solver.greedy import greedy
from solver.rules import past_breaches

TODAY = "2025-10"


def _estate(ids: str, *, critical: str = "", effort: dict[str, float] | None = None,
            d: dict[str, int] | None = None, **kw: Any) -> Any:
    d = d or {}
    apps = [app(a, 100.0, criticality="critical" if a in critical else "medium") for a in ids]
    options = [o for a in ids for o in (opt(a, "retain"),
                                        opt(a, monthly=10.0, d=d.get(a, 1), effort=effort))]
    return make_estate(apps, options, **kw)


def _went_live(app_id: str, month: str) -> Actual:
    return Actual("application", app_id, month, strategy="rehost", target_site="CLOUD")


def _replan(e: Any, actuals: list[Actual], previous: Any = None, pins: tuple[Pin, ...] = ()
            ) -> Any:
    """What ``estate plan --from-actuals`` solves (estate.cli.replan)."""
    e = replace(e, actuals=tuple(actuals))
    got, rp = replan_of(e, TODAY, previous)
    return apply_replan(replace(e, pins=tuple(got) + pins), rp)


def _plans_and_records(e: Any, rule: str) -> Any:
    """The re-plan is feasible, planner/greedy/check agree, and the breach is
    recorded as history."""
    r = run(e)
    assert r.status in ("optimal", "feasible")
    _agree(e, r)
    assert greedy(e)[0] is not None
    breaches = past_breaches(e, build_schedule(e, r.plan.decisions))
    assert rule in {v.rule for v in breaches}
    assert all(v.month is None or v.month < TODAY for v in breaches)
    return r


def _refused(e: Any, rule: str) -> None:
    r = run(e)
    assert r.status == "infeasible"
    assert greedy(e)[0] is None
    assert rule in {v.rule for v in evaluate(e, r.plan.decisions or [], check=True).violations} \
        or r.plan.decisions == ()


def test_a_go_live_in_a_past_freeze_month() -> None:
    # Freeze July and December. A went live from 2025-08: its go-live month
    # July 2025 (month 3) was frozen. B moves from today (live 2025-11).
    e = _replan(_estate("AB", freeze_months=(7, 12)), [_went_live("A", "2025-08")])
    r = _plans_and_records(e, "freeze")
    assert row(r, "B").live_from == "2025-11"
    # December is still frozen: B pinned to go live in December 2025 is refused.
    _refused(_replan(_estate("AB", freeze_months=(7, 12)), [_went_live("A", "2025-08")],
                     pins=(Pin("B", "rehost", target_site="CLOUD", start="2025-12"),)),
             "freeze")


def test_two_critical_applications_in_flight_in_a_past_month() -> None:
    # At most 1 critical in flight: A and B were both in flight in 2025-06.
    # C (critical) moves from today; D (critical) must wait a month: 2025-11 / 2025-12.
    e = _replan(_estate("ABCD", critical="ABCD"),
                [_went_live("A", "2025-07"), _went_live("B", "2025-07")])
    r = _plans_and_records(e, "critical")
    assert sorted([row(r, "C").live_from, row(r, "D").live_from]) == ["2025-11", "2025-12"]
    _refused(_replan(_estate("ABCD", critical="ABCD"),
                     [_went_live("A", "2025-07"), _went_live("B", "2025-07")],
                     pins=(Pin("C", "rehost", target_site="CLOUD", start="2025-11"),
                           Pin("D", "rehost", target_site="CLOUD", start="2025-11"))),
             "critical")


def test_more_go_lives_than_the_cap_in_a_past_month() -> None:
    # At most 1 go-live a month: A, B and C went live from 2025-07 (3 in June).
    e = _replan(_estate("ABCD", max_golives_per_month=1),
                [_went_live(a, "2025-07") for a in "ABC"])
    r = _plans_and_records(e, "golives")
    assert row(r, "D").live_from == "2025-11"
    _refused(_replan(_estate("ABCD", max_golives_per_month=1),
                     [_went_live(a, "2025-07") for a in "AB"],
                     pins=(Pin("C", "rehost", target_site="CLOUD", start="2025-11"),
                           Pin("D", "rehost", target_site="CLOUD", start="2025-11"))),
             "golives")


def test_a_before_order_broken_in_the_past() -> None:
    # A before B, C before D. B went live from 2025-06 (started 2025-05)
    # while A, which must move first, is not moved yet: A moves from today.
    deps = [Dependency("A", "B", "before"), Dependency("C", "D", "before")]
    e = _replan(_estate("ABCD", deps=deps), [_went_live("B", "2025-06")])
    r = _plans_and_records(e, "before")
    assert row(r, "A").live_from == "2025-11"
    # C and D from today: D waits for C (live 2025-11, D from 2025-12).
    assert (row(r, "C").live_from, row(r, "D").live_from) == ("2025-11", "2025-12")
    # D pinned to start 2025-10 with C not live until 2025-11 is refused.
    _refused(_replan(_estate("ABCD", deps=deps), [_went_live("B", "2025-06")],
                     pins=(Pin("D", "rehost", target_site="CLOUD", start="2025-10"),)),
             "before")


def test_team_days_over_capacity_in_past_months() -> None:
    # Team `migration` 10 days a month; every move takes 8 days a month.
    # The previous plan had C in flight 2025-06 … 2025-10 (live 2025-11) and D
    # in flight 2025-07 … 2025-09 (live 2025-10): 16 days in 2025-07 … 2025-09
    # (what happened). Both are in flight at today, so they keep their months;
    # from 2025-10 only C (8 days) is in flight. A moves after C: 2025-11, live
    # 2025-12 (8 + 8 > 10 in 2025-10).
    teams = [Team("migration", 10.0)]
    eff = {"migration": 8.0}
    prev = SimpleNamespace(applications=[
        SimpleNamespace(app_id="C", strategy="rehost", target_site="CLOUD", start="2025-06",
                        live_from="2025-11"),
        SimpleNamespace(app_id="D", strategy="rehost", target_site="CLOUD", start="2025-07",
                        live_from="2025-10")])
    dd = {"C": 5, "D": 3}
    e = _replan(_estate("ACD", effort=eff, d=dd, teams=teams), [], previous=prev)
    r = _plans_and_records(e, "teams")
    assert (row(r, "C").start, row(r, "D").start) == ("2025-06", "2025-07")
    assert row(r, "A").live_from == "2025-12"
    # A pinned to start 2025-10, beside C: 16 days in a month still to plan.
    _refused(_replan(_estate("ACD", effort=eff, d=dd, teams=teams), [], previous=prev,
                     pins=(Pin("A", "rehost", target_site="CLOUD", start="2025-10"),)),
             "teams")


@pytest.mark.parametrize("month", ["2025-05", "2025-10"])
def test_an_ordinary_plan_still_enforces_every_month(month: str) -> None:
    # Without a re-plan, the same two go-lives in one month break the cap.
    e = _estate("AB", max_golives_per_month=1,
                pins=[Pin(a, "rehost", target_site="CLOUD", start=month) for a in "AB"])
    assert e.first_planned == 0
    assert run(e).status == "infeasible"


def test_residents_are_told_from_the_re_plan_not_the_horizon() -> None:
    # Residents' notice 8 weeks. A re-plan made on 1 Oct 2025 (month 6) can
    # tell residents no earlier: 1 Oct + 56 days = 26 Nov, so the first go-live
    # month whose first day is that late is Dec 2025 (month 8): R, resident-
    # facing and free, starts 2025-12 and is live from 2026-01 (month 9), not
    # from 2025-11 as counting from the horizon's start (2025-04) allowed.
    # B (back office) moves at once: live 2025-11. Cost: R 100 × 9 + 10 × 3,
    # B 100 × 7 + 10 × 5. C, resident-facing, was in flight at today under the
    # previous plan (2025-09 … live 2025-11): announced then, so it is kept.
    apps = [app("R", 100.0, resident_facing=True), app("B", 100.0),
            app("C", 100.0, resident_facing=True)]
    options = [o for a in "RBC" for o in (opt(a, "retain"), opt(a, monthly=10.0, d=1))]
    options = [replace(o, duration_months=2) if o.app_id == "C" and o.strategy != "retain"
               else o for o in options]
    prev = SimpleNamespace(applications=[
        SimpleNamespace(app_id="C", strategy="rehost", target_site="CLOUD", start="2025-09",
                        live_from="2025-11")])
    e = _replan(make_estate(apps, options, resident_notice_weeks=8), [], previous=prev)
    assert e.first_planned == 6
    r = run(e)
    assert r.status in ("optimal", "feasible")
    _agree(e, r)
    assert row(r, "R").live_from == "2026-01"
    assert row(r, "B").live_from == "2025-11"
    assert (row(r, "C").start, row(r, "C").live_from) == ("2025-09", "2025-11")
    g = {d.app_id: d.start for d in greedy(e)[0] or []}
    assert g["R"] == "2025-12"
    # R pinned to go live in November 2025 breaks the notice: refused by all.
    _refused(_replan(make_estate(apps, options, resident_notice_weeks=8), [], previous=prev,
                     pins=(Pin("R", "rehost", target_site="CLOUD", start="2025-10"),)),
             "residents")
