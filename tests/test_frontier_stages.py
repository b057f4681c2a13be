"""The stages of a front's batch (``estate.cli.studies._Front``), driven with
made-up plans and no solver: which jobs each stage submits, with which caps
and hints, and that a point solved again is kept only when better."""

from __future__ import annotations

from pathlib import Path

import pytest
from frontier_estates import tradeoff_estate

from estate.cli.batch import SolveJob
from estate.cli.studies import BatchOptions, Writer, _Front
from estate.plan import AppPlan, Plan, Totals


def plan(tonnes: float, cost: float, strategy: str = "rehost") -> Plan:
    """A feasible plan whose decisions tag it (A's strategy)."""
    return Plan(status="feasible", objective=cost, bound=cost, gap=0.0, solve_seconds=1.0,
                horizon_start="2025-04", horizon_months=12,
                applications=(AppPlan("A", strategy, "CLOUD", "2025-04", "2025-05"),),
                totals=Totals(cost, cost, tonnes, cost))


def hint_of(job: SolveJob) -> str | None:
    assert job.epsilon is not None
    return job.epsilon.hint[0].strategy if job.epsilon.hint else None


@pytest.fixture
def front(tmp_path: Path) -> _Front:
    raw = tradeoff_estate()
    w = Writer(tmp_path, resume=False, done=None, raw=raw)
    return _Front(raw, raw, 5, BatchOptions(time_limit=1.0), True, w, {"fingerprint": "x"},
                  None)


def test_the_stages_in_order(front: _Front) -> None:
    first = front.advance()
    assert [(j.name, j.objective) for j in first] == [("plan", "balanced"),
                                                      ("point-5", "carbon")]
    assert front.finished(first[0], plan(480.0, 49.0e6, "replatform")) == []
    ends = front.finished(first[1], plan(320.0, 60.0e6, "retire"))
    # stage 2: the least-cost end, hinted with the cheapest plan so far (this plan)
    assert [(j.name, j.objective) for j in ends] == [("point-1", "cost")]
    assert hint_of(ends[0]) == "replatform" and ends[0].epsilon.fewest_tonnes
    inner = front.finished(ends[0], plan(500.0, 48.0e6, "repurchase"))
    # stage 3: caps 500 - k·45 for k = 1..3, each hinted with the cheapest plan
    # within it (this plan at 480 t for 455; only the least-carbon end below)
    assert [j.name for j in inner] == ["point-2", "point-3", "point-4"]
    assert [j.epsilon.cap_tonnes for j in inner] == pytest.approx([455.0, 410.0, 365.0])
    assert [hint_of(j) for j in inner] == ["retire", "retire", "retire"]
    assert front.finished(inner[0], plan(450.0, 50.0e6, "rehost")) == []
    assert front.finished(inner[1], plan(400.0, 52.0e6, "rehost")) == []
    repairs = front.finished(inner[2], plan(360.0, 51.0e6, "refactor"))
    # stage 4: point-4's plan (360 t, £51m) is within point-3's cap and cheaper
    assert [(j.name, hint_of(j)) for j in repairs] == [("point-3", "refactor")]
    # a repair that finds nothing better keeps the first plan
    assert front.finished(repairs[0], plan(405.0, 53.0e6, "rehost")) == []
    assert front.w.plans["point-3"].totals.cost_discounted == 52.0e6
    assert [s.name for s in front.specs] == [f"point-{k}" for k in range(1, 6)]


def test_an_end_beaten_in_stage_one_is_solved_again(tmp_path: Path) -> None:
    raw = tradeoff_estate()
    w = Writer(tmp_path, resume=False, done=None, raw=raw)
    front = _Front(raw, raw, 3, BatchOptions(time_limit=1.0), False, w, {"fingerprint": "x"},
                   None)
    first = front.advance()
    assert [j.name for j in first] == ["point-1", "point-3"]
    front.finished(first[0], plan(300.0, 50.0e6, "rehost"))
    # the least-carbon end came out cheaper than the least-cost end: solve point-1 again
    again = front.finished(first[1], plan(290.0, 49.0e6, "retire"))
    assert [(j.name, hint_of(j)) for j in again] == [("point-1", "retire")]
    inner = front.finished(again[0], plan(295.0, 48.5e6, "retire"))
    assert front.w.plans["point-1"].totals.cost_discounted == 48.5e6
    assert [(j.name, round(j.epsilon.cap_tonnes, 6)) for j in inner] == [("point-2", 292.5)]
