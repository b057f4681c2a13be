"""The carbon cap (ε-constraint) and the fewest-tonnes tie-break of
:func:`solver.solve.solve`, on two applications worked by hand.

Horizon 12 months from 2025-04, no discounting, UK grid 0.2 kg/kWh, cloud
PUE 1. Each application costs £1,000 a month as it is (no servers, no
carbon) and must move (no retain option); one month in flight, so the best
start is month 0 and the application is live from month 1 for 11 months:

* A rehost: £100 a month, 100 kWh -> £1,000 + 11·£100 = £2,100; 11·20 = 220 kg
* A replatform: £600 once, £50 a month, 0 kWh -> £1,000 + £600 + £550 = £2,150; 0 kg
* B rehost: £100 a month, 50 kWh -> £2,100; 11·10 = 110 kg
* B replatform: £650 once, £50 a month, 0 kWh -> £1,000 + £650 + £550 = £2,200; 0 kg

Moving a month later costs £900 more and saves at most 20 kg: never worth it.

Plans (A, B): (rehost, rehost) £4,200 330 kg; (replatform, rehost) £4,250
110 kg; (rehost, replatform) £4,300 220 kg; (replatform, replatform) £4,350
0 kg. Least cost under a cap of 165 kg: (replatform, rehost), £4,250.
"""

from __future__ import annotations

import pytest
from test_solver_factory import app, make_estate, opt, run

from solver.epsilon import Epsilon


def tradeoff_estate() -> object:
    """The two applications of the module docstring."""
    return make_estate(
        [app("A", 1000.0), app("B", 1000.0)],
        [opt("A", "rehost", monthly=100.0, kwh=100.0),
         opt("A", "replatform", one_off=600.0, monthly=50.0),
         opt("B", "rehost", monthly=100.0, kwh=50.0),
         opt("B", "replatform", one_off=650.0, monthly=50.0)])


def strategies(r: object) -> dict[str, str]:
    return {a.app_id: a.strategy for a in r.plan.applications}  # type: ignore[attr-defined]


def test_without_a_cap_the_cheapest_plan_emits_330_kg() -> None:
    r = run(tradeoff_estate(), objective="cost")
    assert strategies(r) == {"A": "rehost", "B": "rehost"}
    assert r.objective == pytest.approx(4200.0)
    assert r.plan.totals.co2e_tonnes == pytest.approx(0.330)


def test_a_cap_of_165_kg_picks_the_cheapest_abatement() -> None:
    # A's switch saves 220 kg for £50, B's 110 kg for £100: only A's is needed.
    r = run(tradeoff_estate(), objective="cost", epsilon=Epsilon(cap_tonnes=0.165))
    assert r.status == "optimal"
    assert strategies(r) == {"A": "replatform", "B": "rehost"}
    assert r.objective == pytest.approx(4250.0)
    assert r.plan.totals.co2e_tonnes == pytest.approx(0.110)
    assert r.bound <= 4250.0 + 1e-6 and r.bound > 4249.0
    recorded = r.plan.assumptions["objective"]
    assert recorded["co2e_cap_tonnes"] == 0.165
    assert 0.0 < recorded["co2e_cap_rounding_tonnes"] < 1e-5  # grams


def test_a_cap_of_zero_needs_both_switches() -> None:
    r = run(tradeoff_estate(), objective="cost", epsilon=Epsilon(cap_tonnes=0.0))
    assert strategies(r) == {"A": "replatform", "B": "replatform"}
    assert r.objective == pytest.approx(4350.0)


def test_a_cap_nothing_can_meet_is_infeasible() -> None:
    # A must be live by 2025-06 (L <= 2) and can only rehost: at least 10 months
    # at 20 kg = 200 kg. A 10 kg cap cannot hold; every other rule can.
    e = make_estate([app("A", 1000.0, must_finish_by="2025-06")],
                    [opt("A", "rehost", monthly=100.0, kwh=100.0)])
    r = run(e, objective="cost", epsilon=Epsilon(cap_tonnes=0.010))
    assert r.status == "infeasible"
    assert r.plan.totals is None
    assert [c.rule for c in r.plan.conflicts] == ["carbon_cap"]
    assert run(e, objective="cost", epsilon=Epsilon(cap_tonnes=0.200)).status == "optimal"


def test_fewest_tonnes_breaks_a_cost_tie() -> None:
    # A's two options cost the same (£2,100): rehost emits 220 kg, replatform 0.
    e = make_estate([app("A", 1000.0)],
                    [opt("A", "rehost", monthly=100.0, kwh=100.0),
                     opt("A", "replatform", one_off=550.0, monthly=50.0)])
    r = run(e, objective="cost", epsilon=Epsilon(fewest_tonnes=True))
    assert r.objective == pytest.approx(2100.0)
    assert strategies(r) == {"A": "replatform"}
    assert r.plan.totals.co2e_tonnes == pytest.approx(0.0)
    assert any(line.startswith("fewest-tonnes phase") for line in r.log)


def test_the_hint_within_the_cap_is_offered() -> None:
    from estate.plan import Decision

    given = (Decision("A", "replatform", target_site="CLOUD", start="2025-04"),
             Decision("B", "replatform", target_site="CLOUD", start="2025-04"))
    r = run(tradeoff_estate(), objective="cost",
            epsilon=Epsilon(cap_tonnes=0.165, hint=given))
    assert r.objective == pytest.approx(4250.0)
    assert any("hint:" in line for line in r.log)
