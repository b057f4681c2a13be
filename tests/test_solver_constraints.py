"""Every constraint family on a 2–3 application estate solved by hand, and for
each hard rule an estate that breaks it: status ``infeasible`` and the
conflicts name the rule (horizon 12 months from 2025-04, no discounting)."""

from __future__ import annotations

import pytest
from test_solver_factory import (
    BudgetYear,
    Dependency,
    Pin,
    Team,
    app,
    make_estate,
    moved,
    opt,
    row,
    run,
    server,
    site,
)


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def conflicts(r: object) -> set[tuple[str, tuple[str, ...]]]:
    """The (rule id, ids) of an infeasible result's conflicts."""
    assert r.status == "infeasible", r.status
    assert r.objective is None and r.plan.totals is None and not r.plan.applications
    assert all(c.text for c in r.plan.conflicts)
    return {(c.rule, c.ids) for c in r.plan.conflicts}


def rules(r: object) -> set[str]:
    """The rule ids of an infeasible result's conflicts."""
    return {rule for rule, _ in conflicts(r)}


def months(r: object) -> dict[str, str | None]:
    """Each conflict's month by rule id."""
    return {c.rule: c.month for c in r.plan.conflicts}


# -- before -------------------------------------------------------------------
def test_before_delays_the_dependant() -> None:
    # A (d=3) before B (d=2), both £100 a month now, free after. Free: 300 + 200.
    # With before, s_B >= L_A = 3: B live at 5 -> 300 + 500 = 800.
    e = make_estate([app("A", 100.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A", d=3), opt("B", "retain"), opt("B", d=2)],
                    deps=[Dependency("A", "B", "before")])
    r = run(e)
    assert moved(r) == {"A": ("rehost", "2025-04", "2025-07"),
                        "B": ("rehost", "2025-07", "2025-09")}
    assert r.objective == approx(800.0)


def test_before_does_not_bind_a_retirement() -> None:
    # B retires: the rule applies only when B moves to a target. Both at s=0: 300 + 200.
    e = make_estate([app("A", 100.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A", d=3), opt("B", "retire", d=2)],
                    deps=[Dependency("A", "B", "before")])
    r = run(e)
    assert row(r, "B").start == "2025-04" and r.objective == approx(500.0)


def test_before_infeasible_when_from_must_stay() -> None:
    e = make_estate([app("A"), app("B")], [opt("A", "retain"), opt("B")],
                    deps=[Dependency("A", "B", "before")])
    assert ("before", ("B", "A")) in conflicts(run(e))


# -- together -----------------------------------------------------------------
def test_together_equal_live_from() -> None:
    # A d=1, B d=3, both £100 now: apart 100 + 300; together L=3: 600.
    e = make_estate([app("A", 100.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A", d=1), opt("B", "retain"), opt("B", d=3)],
                    deps=[Dependency("A", "B", "together")])
    r = run(e)
    assert row(r, "A").live_from == row(r, "B").live_from == "2025-07"
    assert r.objective == approx(600.0)


def test_together_infeasible_when_one_must_stay_and_other_must_move() -> None:
    e = make_estate([app("A"), app("B")], [opt("A", "retain"), opt("B")],
                    deps=[Dependency("A", "B", "together")])
    assert ("together", ("A", "B")) in conflicts(run(e))


def test_together_retained_is_not_moving_at_horizon() -> None:
    # A must stay; B must move (no retain). B going live at H has L = H too, but
    # that is not "both retained": infeasible.
    e = make_estate([app("A"), app("B")],
                    [opt("A", "retain"), opt("B", d=12)],
                    deps=[Dependency("A", "B", "together")])
    assert "together" in rules(run(e))


# -- teams --------------------------------------------------------------------
def test_team_capacity_staggers_moves() -> None:
    # Each takes 60 of the team's 100 days a month for 2 months. A (£200) first:
    # L_A=2 -> 400; B (£100) from month 2: L_B=4 -> 400. Total 800.
    e = make_estate([app("A", 200.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A", d=2, effort={"migration": 60}),
                     opt("B", "retain"), opt("B", d=2, effort={"migration": 60})])
    r = run(e)
    assert (row(r, "A").start, row(r, "B").start) == ("2025-04", "2025-06")
    assert r.objective == approx(800.0)


def test_team_capacity_infeasible() -> None:
    e = make_estate([app("A")], [opt("A", effort={"dba": 12.5})],
                    teams=[Team("migration", 100), Team("dba", 10)])
    assert ("teams", ("dba",)) in conflicts(run(e))


def test_fractional_effort_fits_exactly() -> None:
    # 2 × 2.5 days = 5 days = capacity: both at s=0 -> 0 cost... A, B £10 now: 20.
    e = make_estate([app("A", 10.0), app("B", 10.0)],
                    [opt("A", effort={"migration": 2.5}), opt("B", effort={"migration": 2.5})],
                    teams=[Team("migration", 5.0)])
    r = run(e)
    assert row(r, "A").start == row(r, "B").start == "2025-04"


# -- critical, go-lives ----------------------------------------------------------
def test_critical_in_flight_limit() -> None:
    # Two critical apps, at most one in flight: A (£200) at 0, B (£100) at 2.
    e = make_estate([app("A", 200.0, criticality="critical"),
                     app("B", 100.0, criticality="critical")],
                    [opt("A", "retain"), opt("A", d=2), opt("B", "retain"), opt("B", d=2)])
    r = run(e)
    assert (row(r, "A").start, row(r, "B").start) == ("2025-04", "2025-06")
    assert r.objective == approx(800.0)


def test_critical_limit_infeasible() -> None:
    e = make_estate([app("A", criticality="critical")], [opt("A")], max_critical_in_flight=0)
    assert ("critical", ("A",)) in conflicts(run(e))


def test_golive_limit() -> None:
    # One go-live a month: A (£200) live at 1, B (£100) at 2 -> 200 + 200.
    e = make_estate([app("A", 200.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A"), opt("B", "retain"), opt("B")],
                    max_golives_per_month=1)
    r = run(e)
    assert (row(r, "A").live_from, row(r, "B").live_from) == ("2025-05", "2025-06")
    assert r.objective == approx(400.0)


def test_golive_limit_infeasible() -> None:
    e = make_estate([app("A", must_finish_by="2025-05"), app("B", must_finish_by="2025-05")],
                    [opt("A"), opt("B")], max_golives_per_month=1)
    assert {"golives", "must_finish"} <= rules(run(e))


# -- blackouts, freeze, earliest start, must finish by ---------------------------
def test_blackout_months() -> None:
    # d=2, no flight month in May: s=0 (Apr-May) and s=1 (May-Jun) are out; s=2.
    e = make_estate([app("A", 100.0, blackout_months=(5,))], [opt("A", "retain"), opt("A", d=2)])
    r = run(e)
    assert row(r, "A").start == "2025-06" and r.objective == approx(400.0)


def test_freeze_months() -> None:
    # Earliest start 2025-06 (s=2); go-live month Jun is frozen -> s=3 (Jul), L=4: 400.
    e = make_estate([app("A", 100.0, earliest_start="2025-06")],
                    [opt("A", "retain"), opt("A")], freeze_months=(6,))
    r = run(e)
    assert (row(r, "A").start, row(r, "A").live_from) == ("2025-07", "2025-08")
    assert r.objective == approx(400.0)


def test_blackout_and_freeze_infeasible() -> None:
    # Must move by 2025-07 (L <= 3), d=1: go-live months Apr–Jun; Apr, May blacked
    # out for flight, June frozen for go-live.
    e = make_estate([app("A", must_finish_by="2025-07", blackout_months=(4, 5))], [opt("A")],
                    freeze_months=(6,))
    r = run(e)
    assert ("blackout", ("A",)) in conflicts(r) and "freeze" in rules(r)


def test_earliest_start_infeasible() -> None:
    e = make_estate([app("A", earliest_start="2025-09", must_finish_by="2025-09")], [opt("A")])
    r = run(e)
    assert {("earliest_start", ("A",)), ("must_finish", ("A",))} <= conflicts(r)
    assert months(r)["earliest_start"] == months(r)["must_finish"] == "2025-09"


def test_must_finish_by_forbids_retain() -> None:
    # Moving costs £10 a month more, but must be live by 2025-09 (L <= 5): L = 5 -> 70.
    opts = [opt("A", "retain"), opt("A", monthly=10)]
    e = make_estate([app("A", must_finish_by="2025-09")], opts)
    r = run(e)
    assert row(r, "A").live_from == "2025-09" and r.objective == approx(70.0)
    e = make_estate([app("A", must_finish_by="2027-01")], opts)
    assert row(run(e), "A").strategy == "retain"


def test_must_finish_by_infeasible() -> None:
    e = make_estate([app("A", must_finish_by="2025-04")], [opt("A", "retain"), opt("A")])
    r = run(e)
    assert ("must_finish", ("A",)) in conflicts(r) and months(r)["must_finish"] == "2025-04"


# -- site exit ------------------------------------------------------------------
def test_site_exit_by() -> None:
    # DC exit_by 2025-09: A's server must be gone by then, L <= 5 -> 70.
    e = make_estate([app("A")], [opt("A", "retain"), opt("A", monthly=10)],
                    sites=[site("DC", exit_by="2025-09"), site("CLOUD", "cloud")],
                    servers=[server("S", ("A",))])
    r = run(e)
    assert row(r, "A").live_from == "2025-09" and r.plan.sites[0].exit == "2025-09"


def test_site_with_exit_by_is_never_a_target() -> None:
    # DC2 is cheaper but is being exited: A goes to CLOUD.
    e = make_estate([app("A", 10.0)],
                    [opt("A", "retain"), opt("A", "rehost", "DC2"),
                     opt("A", "rehost", "CLOUD", monthly=5)],
                    sites=[site("DC"), site("DC2", exit_by="2027-01"), site("CLOUD", "cloud")])
    assert row(run(e), "A").target_site == "CLOUD"


def test_site_exit_by_infeasible() -> None:
    e = make_estate([app("A")], [opt("A", "retain"), opt("A", d=3)],
                    sites=[site("DC", exit_by="2025-06"), site("CLOUD", "cloud")],
                    servers=[server("S", ("A",))])
    r = run(e)
    assert ("site_exit", ("DC", "A")) in conflicts(r) and months(r)["site_exit"] == "2025-06"


# -- budget ---------------------------------------------------------------------
def test_budget_per_financial_year() -> None:
    # H=24; FY 2025/26 allows £1000 of one-off: only one of A, B (each £1000) moves in
    # it. A (£200) at 0: 200 + 1000; B (£100) at 12 (FY 2026/27): 13×100 + 1000.
    e = make_estate([app("A", 200.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A", one_off=1000), opt("B", "retain"),
                     opt("B", one_off=1000)],
                    budget=[BudgetYear("2025/26", 1000.0)], H=24)
    r = run(e)
    assert (row(r, "A").start, row(r, "B").start) == ("2025-04", "2026-04")
    assert r.objective == approx(3500.0)


def test_budget_spreads_one_off_over_flight() -> None:
    # £1000 over d=2 is £500 a month: limit £500 in both years -> straddle March/April.
    e = make_estate([app("A", 100.0)], [opt("A", "retain"), opt("A", d=2, one_off=1000)],
                    budget=[BudgetYear("2025/26", 500.0), BudgetYear("2026/27", 500.0)], H=24)
    assert row(run(e), "A").start == "2026-03"


def test_budget_infeasible() -> None:
    e = make_estate([app("A")], [opt("A", one_off=1000)], budget=[BudgetYear("2025/26", 500.0)])
    assert ("budget", ("2025/26",)) in conflicts(run(e))


# -- pins -----------------------------------------------------------------------
def test_pins_are_honoured() -> None:
    # Unpinned: A rehost at 2025-04, B rehost. Pinned: A starts 2025-08; B retained.
    e = make_estate([app("A", 100.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A"), opt("A", "replatform", monthly=50),
                     opt("B", "retain"), opt("B")],
                    pins=[Pin("A", "replatform", start="2025-08"), Pin("B", "retain")])
    r = run(e)
    assert moved(r) == {"A": ("replatform", "2025-08", "2025-09"), "B": ("retain", None, None)}
    assert r.objective == approx(5 * 100 + 7 * 50 + 1200)


def test_pin_infeasible() -> None:
    e = make_estate([app("A", earliest_start="2025-09")], [opt("A", "retain"), opt("A")],
                    pins=[Pin("A", start="2025-05")])
    assert {("pin", ("A",)), ("earliest_start", ("A",))} <= conflicts(run(e))


def test_must_move_named() -> None:
    e = make_estate([app("A")], [opt("A", d=13)])
    assert ("decision", ("A",)) in conflicts(run(e))
