"""The greedy plan (docs/planning-model.md; docs/interpretation.md, *Greedy plan*).

Horizon 2025-04 + 12 months; default options: retain and a 2-month rehost to
CLOUD.
"""

from __future__ import annotations

import time

from estate.model import BudgetYear, Pin, Team
from estate.plan import Decision
from solver.evaluate import evaluate
from solver.greedy import choose_option, greedy, greedy_attempt, greedy_decisions, units_in_order
from tests.estates import app, dep, make_estate, option, retain, sample_estate, server, site


def starts(decisions) -> dict[str, tuple[str, str | None]]:
    return {d.app_id: (d.strategy, d.start) for d in decisions}


def test_units_order_by_before_then_app_id() -> None:
    est = make_estate(apps=[app(a) for a in ("A1", "A2", "A3", "A4")],
                      dependencies=[dep("A3", "A1", "before"), dep("A2", "A4", "together"),
                                    dep("A4", "A3", "before")])
    # units: {A2, A4}, {A1}, {A3}; A4 -> A3 -> A1
    assert units_in_order(est) == [("A2", "A4"), ("A3",), ("A1",)]


def test_before_order_and_capacity_push_later() -> None:
    # A2 before A1: A2 first at L=2 (2025-04..05); A1 may start at L(A2) = 2025-06.
    est = make_estate(dependencies=[dep("A2", "A1", "before")])
    assert starts(greedy_decisions(est)) == {"A1": ("rehost", "2025-06"),
                                             "A2": ("rehost", "2025-04")}
    # no dependency, 40 + 40 days > 60: A1 (smallest id) first, A2 pushed to 2025-06
    est = make_estate(options=[retain("A1"), option("A1", effort={"migration": 40}),
                               retain("A2"), option("A2", effort={"migration": 40})])
    assert starts(greedy_decisions(est)) == {"A1": ("rehost", "2025-04"),
                                             "A2": ("rehost", "2025-06")}


def test_together_units_share_live_from() -> None:
    # A1 (2 months) together with A2 (4 months): earliest common L = 4 (2025-08).
    est = make_estate(dependencies=[dep("A1", "A2", "together")], max_critical_in_flight=2,
                      options=[retain("A1"), option("A1", duration=2), retain("A2"),
                               option("A2", duration=4)])
    decisions = greedy_decisions(est)
    assert starts(decisions) == {"A1": ("rehost", "2025-06"), "A2": ("rehost", "2025-04")}
    assert evaluate(est, decisions).applications[0].live_from == "2025-08"


def test_option_choice_prefers_cheapest_cloud_then_cheapest_move() -> None:
    est = make_estate(
        apps=[app("A1"), app("A2")],
        sites=[site("DC1"), site("COLO", "colo"), site("CLOUD", "cloud"),
               site("SAAS", "cloud")],
        options=[retain("A1"),
                 option("A1", "relocate", "COLO"),  # 0: cheapest but not cloud
                 option("A1", "rehost", "CLOUD", one_off_cost=1000, monthly_cost=100),  # 2200
                 option("A1", "repurchase", "SAAS", one_off_cost=100, monthly_cost=200),  # 2500
                 retain("A2"),
                 option("A2", "relocate", "COLO", one_off_cost=50),
                 option("A2", "retire", one_off_cost=20)])
    assert choose_option(est, "A1").strategy == "rehost"
    assert choose_option(est, "A2").strategy == "retire"
    assert choose_option(make_estate(options=[retain("A1"), retain("A2")]), "A1") is None


def test_blackout_freeze_and_budget_push_later() -> None:
    # A1 blackout Apr-May: earliest flight 2025-06..07; go-live 2025-07 frozen
    # -> start 2025-07 (go-live Aug). Budget 2025/26 = £1000, A1 takes 200:
    # A2 (£900 = 450 a month) cannot have both months in FY 2025/26; the
    # earliest start is 2026-03 (450 in 2025/26 -> 650, 450 in 2026/27).
    est = make_estate(apps=[app("A1", blackout_months=(4, 5)), app("A2")], horizon_months=24,
                      freeze_months=(7,),
                      options=[retain("A1"), option("A1", one_off_cost=200), retain("A2"),
                               option("A2", one_off_cost=900)],
                      budget=[BudgetYear("2025/26", 1000)])
    decisions = greedy_decisions(est)
    assert starts(decisions) == {"A1": ("rehost", "2025-07"), "A2": ("rehost", "2026-03")}


def test_unit_that_fits_nowhere_is_retained() -> None:
    # A1 needs 100 days a month, the team has 60: retained; A2 still moves.
    est = make_estate(options=[retain("A1"), option("A1", effort={"migration": 100}),
                               retain("A2"), option("A2")])
    decisions, ev = greedy(est)
    assert starts(decisions) == {"A1": ("retain", None), "A2": ("rehost", "2025-04")}
    assert ev is not None and ev.feasible


def test_must_move_application_that_fits_nowhere_gives_none() -> None:
    est = make_estate(options=[option("A1", effort={"migration": 100}), retain("A2")])
    assert greedy_decisions(est) is None
    assert greedy(est) == (None, None)
    decisions, ev = greedy_attempt(est)
    assert not ev.feasible and [(v.rule, v.ids) for v in ev.violations] == [("decision", ("A1",))]


def test_successor_of_retained_predecessor_is_retained() -> None:
    est = make_estate(dependencies=[dep("A1", "A2", "before")],
                      options=[retain("A1"), retain("A2"), option("A2")])
    assert starts(greedy_decisions(est)) == {"A1": ("retain", None), "A2": ("retain", None)}


def test_deadlines_must_finish_by_and_site_exit() -> None:
    # A1 must finish by 2025-06 (L <= 2) and moves at once; A2 needs 3 months
    # but DC1 must be empty by 2025-06: L <= 2 impossible -> retained -> None.
    est = make_estate(apps=[app("A1", must_finish_by="2025-06"), app("A2")],
                      sites=[site("DC1", exit_by="2025-06"), site("CLOUD", "cloud")],
                      servers=[server("S1", "CLOUD", apps=["A1"]), server("S2", apps=["A2"])],
                      options=[option("A1"), retain("A2"), option("A2", duration=3)])
    decisions, ev = greedy_attempt(est)
    assert starts(decisions) == {"A1": ("rehost", "2025-04"), "A2": ("retain", None)}
    assert greedy_decisions(est) is None
    assert any(v.rule == "site_exit" and v.ids[0] == "DC1" for v in ev.violations)


def test_pins_are_honoured() -> None:
    est = make_estate(apps=[app("A1"), app("A2"), app("A3")],
                      options=[retain("A1"), option("A1"), option("A1", "retire", duration=1),
                               retain("A2"), option("A2"), retain("A3"), option("A3")],
                      pins=[Pin("A1", "retire", start="2025-07"), Pin("A2", "retain"),
                            Pin("A3", start="2025-09")])
    decisions = greedy_decisions(est)
    assert starts(decisions) == {"A1": ("retire", "2025-07"), "A2": ("retain", None),
                                 "A3": ("rehost", "2025-09")}


def test_sample_estate_greedy_is_feasible_and_cheaper_than_baseline() -> None:
    from solver.evaluate import baseline
    est = sample_estate()
    decisions, ev = greedy(est)
    assert decisions is not None and ev is not None and ev.feasible
    assert ev.totals.objective < baseline(est).totals.objective
    assert evaluate(est, decisions).totals == ev.totals


def _big_estate(n: int):
    apps, servers, options, deps = [], [], [], []
    for i in range(n):
        a = f"A{i:04d}"
        crit = "critical" if i % 50 == 0 else "medium"
        apps.append(app(a, criticality=crit, current_monthly_cost=100 + i % 7,
                        blackout_months=(3,) if i % 11 == 0 else ()))
        servers.append(server(f"S{i:04d}", apps=[a], watts=200, end_of_life="2026-01",
                              replacement_cost=3000))
        options += [retain(a), option(a, duration=1 + i % 4, one_off_cost=1000 + i,
                                      monthly_cost=50, monthly_kwh=20,
                                      effort={"migration": 2 + i % 5})]
        if i % 10 == 1:
            deps.append(dep(f"A{i - 1:04d}", a, "before"))
        if i % 10 == 3:
            deps.append(dep(f"A{i - 1:04d}", a, "together"))
        if i % 10 == 5:
            deps.append(dep(f"A{i - 1:04d}", a, "loose", 10))
    return make_estate(apps=apps, servers=servers, options=options, dependencies=deps,
                       horizon_months=48, teams=[Team("migration", 400)],
                       max_golives_per_month=80, freeze_months=(12,))


def test_three_thousand_applications_are_fast() -> None:
    est = _big_estate(3000)
    t0 = time.perf_counter()
    decisions, ev = greedy_attempt(est)
    elapsed = time.perf_counter() - t0
    assert elapsed < 10, elapsed
    assert ev.feasible, ev.violations[:5]
    moved = sum(d.strategy != "retain" for d in decisions)
    assert moved > 1000
    t0 = time.perf_counter()
    evaluate(est, [Decision(d.app_id, d.strategy, target_site=d.target_site, start=d.start)
                   for d in decisions])
    assert time.perf_counter() - t0 < 5
