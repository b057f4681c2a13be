"""The front's arithmetic (no solver): ε spacing, dominance, repeats,
marginal abatement costs and their reading against the carbon values."""

from __future__ import annotations

import json

import pytest

from estate.errors import EstateError
from estate.frontier import (
    Frontier,
    Marker,
    PointSpec,
    appraisal_values,
    assemble,
    end_specs,
    interior_specs,
    read_frontier,
    verdict,
)
from estate.model import Estate, Settings
from estate.summary import PlanSummary


def summary(tonnes: float | None, cost: float | None) -> PlanSummary:
    if tonnes is None:
        return PlanSummary(status="unknown")
    return PlanSummary(status="feasible", tonnes=tonnes, cost=cost, cost_discounted=cost,
                       objective=cost, bound=cost, gap=0.0)


def test_epsilons_are_evenly_spaced_between_the_ends() -> None:
    # 5 points from 400 t (least cost) to 300 t (least carbon): 375, 350, 325.
    low, high = end_specs(5)
    assert (low.name, low.index, high.name, high.index) == ("point-1", 0, "point-5", 4)
    caps = interior_specs(5, 300.0, 400.0)
    assert [c.name for c in caps] == ["point-2", "point-3", "point-4"]
    assert [c.cap_tonnes for c in caps] == pytest.approx([375.0, 350.0, 325.0])
    assert all(c.kind == "capped" for c in caps)


def test_two_points_have_no_interior_and_equal_ends_none_either() -> None:
    assert interior_specs(2, 300.0, 400.0) == []
    assert interior_specs(5, 300.0, 300.0) == []
    assert [s.name for s in interior_specs(12, 0.0, 11.0)][:2] == ["point-02", "point-03"]
    with pytest.raises(ValueError):
        end_specs(1)


def specs(n: int) -> list[PointSpec]:
    low, high = end_specs(n)
    return [low, *interior_specs(n, 100.0, 400.0), high]


def test_dominated_points_are_marked_not_dropped_and_repeats_are_named() -> None:
    # point-3 (300 t, £1,300) is dominated by point-2 (200 t, £1,200): its solve
    # fell short. point-4 repeats point-2's figures. MAC along the rest:
    # 400 t £1,000 -> 200 t £1,200: £200 / 200 t = £1/t; -> 100 t £1,500: £3/t.
    sp = specs(5)
    got = assemble([(sp[0], summary(400.0, 1000.0)), (sp[1], summary(200.0, 1200.0)),
                    (sp[2], summary(300.0, 1300.0)), (sp[3], summary(200.0, 1200.0)),
                    (sp[4], summary(100.0, 1500.0))])
    by = {p.spec.name: p for p in got.points}
    assert len(got.points) == 5
    assert by["point-3"].dominated_by == "point-2" and not by["point-3"].on_front
    assert by["point-4"].same_as == "point-2" and by["point-4"].dominated_by is None
    assert [p.spec.name for p in got.front] == ["point-1", "point-2", "point-5"]
    assert by["point-1"].mac is None
    assert by["point-2"].mac == pytest.approx(1.0) and by["point-2"].mac_from == "point-1"
    assert by["point-5"].mac == pytest.approx(3.0) and by["point-5"].mac_from == "point-2"
    assert by["point-3"].mac is None


def test_a_point_without_a_plan_is_kept_without_figures() -> None:
    sp = specs(3)
    got = assemble([(sp[0], summary(400.0, 1000.0)), (sp[1], summary(None, None)),
                    (sp[2], summary(100.0, 1600.0))])
    middle = got.point("point-2")
    assert not middle.summary.has_plan and not middle.on_front
    assert got.point("point-3").mac == pytest.approx(2.0)


def test_verdict_against_the_carbon_values() -> None:
    values = {"low": 100.0, "central": 200.0, "high": 300.0}
    assert verdict(50.0, values) == "below the low value"
    assert verdict(150.0, values) == "between the low and central values"
    assert verdict(250.0, values) == "between the central and high values"
    assert verdict(301.0, values) == "above the high value"
    assert verdict(None, values) == ""


def test_appraisal_values_are_the_reference_series_of_the_first_year() -> None:
    from estate.reference import load_reference

    est = Estate(settings=Settings(horizon_start="2026-04"))
    year, values = appraisal_values(est)
    ref = load_reference()
    assert year == 2026
    assert values["central"] == ref.series("carbon_price.central")[2026]
    assert values["low"] < values["central"] < values["high"]
    over = Estate(settings=Settings(horizon_start="2026-04",
                                    extra={"carbon_price.high.2026": "999"}))
    assert appraisal_values(over)[1]["high"] == 999.0


def test_appraisal_values_take_a_price_by_the_planners_one_rule() -> None:
    # a year after the series ends: the same value the default carbon_price takes
    from estate.errors import EstateError
    from estate.resolve import resolve

    late = Estate(settings=Settings(horizon_start="2090-04"))
    year, values = appraisal_values(late)
    assert values["central"] == resolve(late).settings.carbon_price
    # a bad override is an error, not silently dropped
    bad = Estate(settings=Settings(horizon_start="2026-04",
                                   extra={"carbon_price.high.2026": "lots"}))
    with pytest.raises(EstateError, match="carbon_price.high.2026"):
        appraisal_values(bad)


def test_frontier_json_round_trip_and_bad_files(tmp_path) -> None:
    sp = specs(3)
    front = assemble([(sp[0], summary(400.0, 1000.0)), (sp[1], summary(200.0, 1100.0)),
                      (sp[2], summary(100.0, 1600.0))],
                     carbon_values={"central": 250.0}, carbon_year=2026,
                     greedy=Marker("greedy", 380.0, 1500.0, 1400.0), workbook="w.xlsx")
    path = front.write(tmp_path / "frontier.json")
    back = read_frontier(tmp_path)
    assert back == front
    assert isinstance(back, Frontier) and back.point("point-3").mac == pytest.approx(5.0)
    (tmp_path / "bad.json").write_text(json.dumps({"points": "no"}), encoding="utf-8")
    with pytest.raises(EstateError, match="not a frontier.json"):
        read_frontier(tmp_path / "bad.json")
    with pytest.raises(EstateError, match="run `estate frontier"):
        read_frontier(tmp_path / "missing.json")
    assert path.exists()
