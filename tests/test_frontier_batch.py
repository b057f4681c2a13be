"""``estate frontier`` end to end on the estate worked by hand in
``frontier_estates.tradeoff_estate``: its front is exactly three points,
£4,200 / 0.330 t, £4,250 / 0.110 t and £4,350 / 0 t (a local Dask cluster of
one worker process; every solve proves optimality in well under a second)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from frontier_estates import tradeoff_estate

from estate.cli import main, pipeline
from estate.cli.studies import BatchOptions, run_frontier
from estate.frontier import read_frontier
from estate.plan import read_plan
from inventory.writer import write_estate

OPTIONS = BatchOptions(time_limit=5.0, workers=1, processes=1)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_estate(tradeoff_estate(), tmp_path_factory.mktemp("wb") / "tradeoff.xlsx")


@pytest.fixture(scope="module")
def front_dir(workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("front")
    run_frontier(pipeline.load(workbook), 3, out, options=OPTIONS)
    return out


def test_the_hand_worked_front_has_exactly_its_three_points(front_dir: Path) -> None:
    front = read_frontier(front_dir)
    got = [(p.spec.name, p.summary.status, round(p.summary.tonnes, 6),
            round(p.summary.cost_discounted, 2)) for p in front.points]
    assert got == [("point-1", "optimal", 0.33, 4200.0), ("point-2", "optimal", 0.11, 4250.0),
                   ("point-3", "optimal", 0.0, 4350.0)]
    assert [p.spec.name for p in front.front] == ["point-1", "point-2", "point-3"]
    assert front.point("point-2").spec.cap_tonnes == pytest.approx(0.165)
    # £50 for 0.22 t, then £100 for 0.11 t
    assert front.point("point-2").mac == pytest.approx(50 / 0.22)
    assert front.point("point-3").mac == pytest.approx(100 / 0.11)
    low, central, high = (front.carbon_values[s] for s in ("low", "central", "high"))
    assert low < 50 / 0.22 < central and 100 / 0.11 > high
    for p in front.points:
        assert p.summary.bound == pytest.approx(p.summary.cost_discounted, abs=0.05)
    # this plan (carbon price 0 in this workbook) is the least-cost plan
    assert front.plan is not None and front.plan.cost_discounted == pytest.approx(4200.0)
    assert front.baseline is not None and front.baseline.cost == pytest.approx(24000.0)
    strategies = {a.app_id: a.strategy
                  for a in read_plan(front_dir / "point-2" / "plan.json").applications}
    assert strategies == {"A": "replatform", "B": "rehost"}


def test_every_point_passes_estate_check(workbook: Path, front_dir: Path) -> None:
    for name in ("point-1", "point-2", "point-3", "plan"):
        _, report, _ = pipeline.check(workbook, front_dir / name / "plan.json")
        assert report.ok, (name, report.differences)
    recorded = read_plan(front_dir / "point-2" / "plan.json").assumptions["objective"]
    assert recorded["co2e_cap_tonnes"] == pytest.approx(0.165)
    assert recorded["name"] == "cost" and recorded["carbon_price"] == 0.0


def test_check_finds_a_plan_above_its_cap(workbook: Path, front_dir: Path,
                                          tmp_path: Path) -> None:
    import json

    data = json.loads((front_dir / "point-2" / "plan.json").read_text(encoding="utf-8"))
    data["assumptions"]["objective"]["co2e_cap_tonnes"] = 0.05
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    _, report, _ = pipeline.check(workbook, bad)
    assert [d.where for d in report.differences] == ["assumptions.objective.co2e_cap_tonnes"]


def test_the_workbook_reads_back(front_dir: Path) -> None:
    wb = openpyxl.load_workbook(front_dir / "frontier.xlsx", read_only=True)
    rows = list(wb["frontier"].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 4
    col = {h: i for i, h in enumerate(header)}
    for h in ("t CO2e", "Discounted cost (£)", "Cash cost (£)", "Bound (£)", "Gap (%)",
              "Data centre exits", "Applications moved", "Contracts ended",
              "£ per t avoided (from previous)"):
        assert h in col
    assert [r[col["Discounted cost (£)"]] for r in rows[1:]] == pytest.approx(
        [4200.0, 4250.0, 4350.0])
    assert rows[2][col["£ per t avoided (from previous)"]] == pytest.approx(50 / 0.22)
    assert rows[1][col["Applications moved"]] == 2


def test_the_page_is_offline_and_lists_every_point(front_dir: Path) -> None:
    text = (front_dir / "frontier.html").read_text(encoding="utf-8")
    assert "<script src=" not in text and "Plotly.newPlot" in text
    assert text.count('data-point="point-') == 3
    assert 'id="frontier-plot"' in text and "plotly_click" in text


def test_resume_solves_nothing_again(workbook: Path, front_dir: Path) -> None:
    run = run_frontier(pipeline.load(workbook), 3, front_dir,
                       options=BatchOptions(time_limit=5.0, workers=1, resume=True,
                                            scheduler="tcp://127.0.0.1:9"))
    # every job was done: no cluster is even contacted (the scheduler address is dead)
    assert sorted(run.resumed) == ["plan", "point-1", "point-2", "point-3"]
    assert [p.summary.cost_discounted for p in run.frontier.front] == pytest.approx(
        [4200.0, 4250.0, 4350.0])


def test_resume_solves_an_edited_plan_again(workbook: Path, front_dir: Path,
                                            tmp_path: Path) -> None:
    """point-1's totals edited to £1 / 0.001 t must not be resumed (they would mark
    the other points dominated): the evaluator disagrees, so point-1 is solved
    again and the front is the hand-worked one."""
    import json
    import shutil

    copy = tmp_path / "front"
    shutil.copytree(front_dir, copy)
    path = copy / "point-1" / "plan.json"
    data = json.loads(path.read_text())
    data["totals"].update(cost=1.0, cost_discounted=1.0, co2e_tonnes=0.001, objective=1.0)
    data["objective"] = data["bound"] = 1.0
    path.write_text(json.dumps(data))
    run = run_frontier(pipeline.load(workbook), 3, copy,
                       options=BatchOptions(time_limit=5.0, workers=1, processes=1,
                                            resume=True))
    assert sorted(run.resumed) == ["plan", "point-2", "point-3"]
    assert [name for name, _ in run.distrusted] == ["point-1"]
    assert "and 4 more" in run.distrusted[0][1]  # gap, totals (cost, discounted, t, £)
    assert [p.summary.cost_discounted for p in run.frontier.front] == pytest.approx(
        [4200.0, 4250.0, 4350.0])
    assert read_plan(path).totals.cost_discounted == pytest.approx(4200.0)


def test_the_command_and_the_roadmap_section(workbook: Path, front_dir: Path,
                                             tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["frontier", str(workbook), "--points", "2", "--time-limit", "5",
                               "--workers", "1", "--processes", "1", "--no-plan", "--quiet",
                               "--out", str(tmp_path / "two")])
    assert res.exit_code == 0, res.output
    assert "2 of 2 points on the front" in res.output
    assert not (tmp_path / "two" / "plan").exists()
    res = runner.invoke(main, ["report", str(workbook), str(front_dir / "plan" / "plan.json"),
                               "--out", str(tmp_path / "rep"), "--no-pdf",
                               "--frontier", str(front_dir)])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "rep" / "roadmap.html").read_text(encoding="utf-8")
    assert page.count('id="frontier"') == 1 and page.count('data-point="point-') == 3
    res = runner.invoke(main, ["frontier", str(workbook), "--points", "1", "--out",
                               str(tmp_path / "one")])
    assert res.exit_code == 2
