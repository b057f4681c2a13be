"""Cloud alternatives: the plan recomputed exactly with one application switched."""

from __future__ import annotations

import pytest

from estate.plan import Decision
from solver.alternatives import cloud_alternatives
from tests.estates import app, make_estate, option, retain, server, site


def _estate(effort: float = 0.0):
    """A1 (£100 a month today, on S1: 100 W at DC1, PUE 1, £0.20/kWh) may rehost to
    CLOUD in 2 months for £600 + £30 a month; A2 has no cloud option. 12 months, no
    discounting, carbon price 0, grid 0.2 kg/kWh."""
    return make_estate(
        apps=[app("A1", current_monthly_cost=100.0), app("A2", current_monthly_cost=50.0)],
        sites=[site("DC1", power_price_per_kwh=0.2), site("CLOUD", "cloud"),
               site("COLO", "colo")],
        servers=[server("S1", apps=["A1"], watts=100.0), server("S2", apps=["A2"])],
        options=[retain("A1"), option("A1", one_off_cost=600.0, monthly_cost=30.0,
                                      effort={"migration": effort}),
                 retain("A2"), option("A2", "relocate", "COLO", 1)])


def test_alternative_of_a_retained_application_is_exact() -> None:
    est = _estate()
    plan = [Decision("A1", "retain", target_site="DC1"), Decision("A2", "retain")]
    (alt,) = cloud_alternatives(est, plan)  # A2 has no cloud option: none for it
    assert (alt.app_id, alt.strategy, alt.target_site, alt.start) == (
        "A1", "rehost", "CLOUD", "2025-04")
    # S1: 100 W × 730 h = 73 kWh a month = £14.60 and 14.6 kg.
    # retained: 12 × £100 + 12 × £14.60 = £1,375.20; 12 × 14.6 = 175.2 kg
    # rehost from month 0, live from 2: 2 × £100 + 10 × £30 + £600 + 2 × £14.60 = £1,129.20;
    #   2 × 14.6 = 29.2 kg
    assert alt.delta.cost == pytest.approx(-246.0)
    assert alt.delta.cost_discounted == pytest.approx(-246.0)
    assert alt.delta.co2e_tonnes == pytest.approx(-0.146)
    assert alt.delta.objective == pytest.approx(-246.0)
    assert alt.breaks == ()


def test_alternative_that_breaks_a_rule_says_which() -> None:
    est = _estate(effort=70.0)  # more than the team's 60 days a month
    plan = [Decision("A1", "retain", target_site="DC1"), Decision("A2", "retain")]
    (alt,) = cloud_alternatives(est, plan)
    assert len(alt.breaks) == 2 and all("team migration" in b for b in alt.breaks)
    # 70 days alone exceed 60 in every month: its own rule, whatever the other moves do
    assert alt.own_breaks == alt.breaks


def _crowded(one_off: float):
    """A1 as in :func:`_estate` (rehost 2 months, 20 days a month, one-off
    ``one_off``); A2 relocates to COLO in month 0 (1 month, 50 days a month):
    the team's 60 days leave A1 no room in month 0 of the plan."""
    return make_estate(
        apps=[app("A1", current_monthly_cost=100.0), app("A2", current_monthly_cost=50.0)],
        sites=[site("DC1", power_price_per_kwh=0.2), site("CLOUD", "cloud"),
               site("COLO", "colo")],
        servers=[server("S1", apps=["A1"], watts=100.0), server("S2", apps=["A2"])],
        options=[retain("A1"), option("A1", one_off_cost=one_off, monthly_cost=30.0,
                                      effort={"migration": 20.0}),
                 retain("A2"), option("A2", "relocate", "COLO", 1,
                                      effort={"migration": 50.0})])


def test_cost_is_the_reason_when_the_move_fits_on_its_own() -> None:
    est = _crowded(3000.0)
    plan = [Decision("A1", "retain", target_site="DC1"),
            Decision("A2", "relocate", target_site="COLO", start="2025-04")]
    (alt,) = cloud_alternatives(est, plan)
    # A1 moved from month s (live from s+2): (s+2) × (£100 + £14.60) + (10-s) × £30
    # + £3,000 = £3,529.20 + £84.60 s, against £1,375.20 retained: cheapest at s = 0,
    # £2,154 extra. In month 0 it fits on its own (20 ≤ 60 days); only the plan's
    # other move (A2's 50 days) crowds it: a shared load, not its own rule.
    assert alt.start == "2025-04" and alt.months_tried >= 2
    assert alt.delta.cost == pytest.approx(2154.0)
    assert alt.own_breaks == ()
    assert len(alt.breaks) == 1 and "team migration: 70 days" in alt.breaks[0]


def test_cheapest_month_is_found_away_from_the_plans_start() -> None:
    # one-off £0 and a cloud dearer per month than today: later is cheaper.
    est = make_estate(
        apps=[app("A1", current_monthly_cost=10.0)],
        servers=[server("S1", apps=["A1"], watts=0.0)],
        options=[retain("A1"), option("A1", one_off_cost=0.0, monthly_cost=50.0)])
    (alt,) = cloud_alternatives(est, [Decision("A1", "retain", target_site="DC1")])
    # from s: (s+2) × £10 + (10-s) × £50 = £520 - £40 s, least at the last start s = 10
    # (live from month 12 = H): £120, the same as retained (12 × £10): delta £0.
    assert alt.start == "2026-02"
    assert alt.delta.cost == pytest.approx(0.0)


def test_no_alternative_for_applications_in_the_cloud_or_without_time() -> None:
    est = _estate()
    moved = [Decision("A1", "rehost", target_site="CLOUD", start="2025-05"),
             Decision("A2", "relocate", target_site="COLO", start="2025-04")]
    assert cloud_alternatives(est, moved) == ()
    retained = [Decision("A1", "retain", target_site="DC1"), Decision("A2", "retain")]
    assert cloud_alternatives(est, retained, seconds=-1.0) == ()  # no time: left out
