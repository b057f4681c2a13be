"""Open roadmap.html in headless Chromium: it renders offline with no script errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from test_report_helpers import small_estate, small_plan, small_result

from reports import write_reports
from reports.roadmap import chromium, chromium_args

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed"),
]


def _run(html: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            chromium_args(binary, profile) + ["--enable-logging=stderr", "--v=0",
                                              "--virtual-time-budget=8000", *extra,
                                              html.resolve().as_uri()],
            capture_output=True, text=True, timeout=50, check=False)


@pytest.fixture(scope="module")
def reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("board")
    write_reports(small_estate(), small_result(), out)
    return out


def test_page_renders_without_errors(reports_dir: Path) -> None:
    proc = _run(reports_dir / "roadmap.html", "--dump-dom")
    dom = proc.stdout
    assert "Uncaught" not in proc.stderr, proc.stderr[-2000:]
    assert not re.search(r"CONSOLE.*(error|Error)", proc.stderr), proc.stderr[-2000:]
    assert 'data-js-errors="0"' in dom
    svgs = int(re.search(r'data-rendered-svgs="(\d+)"', dom).group(1))
    assert svgs >= 4  # gantt, cumulative, contracts, carbon all drawn
    gantt = dom[dom.index('id="gantt"'):]
    gantt = gantt[:gantt.index("</figure>")]
    assert 'class="main-svg"' in gantt
    moving = sum(1 for a in small_plan().applications if a.start is not None)
    assert len(re.findall(r'<g class="point"', gantt)) == moving == 6
    totals = small_plan().totals
    assert f'data-plan-cost="{totals.cost}"' in dom
    assert f'data-plan-co2e="{totals.co2e_tonnes}"' in dom


def test_screenshot_and_pdf(reports_dir: Path) -> None:
    shot = reports_dir / "roadmap.png"
    _run(reports_dir / "roadmap.html", f"--screenshot={shot}", "--window-size=1280,2400",
         "--hide-scrollbars")
    assert shot.exists() and shot.read_bytes()[:4] == b"\x89PNG"
    pdf = reports_dir / "roadmap.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert pdf.stat().st_size > 20_000


def test_frontier_page_renders_and_a_click_shows_a_summary(tmp_path: Path) -> None:
    from estate.frontier import Marker, PointSpec, assemble
    from estate.summary import PlanSummary
    from reports.frontier import write_frontier_html

    def s(t: float, c: float) -> PlanSummary:
        return PlanSummary(status="optimal", tonnes=t, cost=c, cost_discounted=c,
                           objective=c, bound=c - 10.0, gap=0.001, exits={"DC1": "2027-01"},
                           moved=3, applications=4, contracts_ended=1, contracts=2)

    front = assemble([(PointSpec("point-1", 0, "least_cost"), s(40.0, 1000.0)),
                      (PointSpec("point-2", 1, "capped", 30.0), s(25.0, 1100.0)),
                      (PointSpec("point-3", 2, "least_carbon"), s(10.0, 1500.0))],
                     carbon_values={"low": 100.0, "central": 200.0, "high": 300.0},
                     carbon_year=2026, baseline=Marker("do nothing", 60.0, 1400.0, 1300.0))
    page = write_frontier_html(front, tmp_path / "frontier.html")
    dom = _run(page, "--dump-dom").stdout
    assert 'data-js-errors="0"' in dom
    assert int(re.search(r'data-rendered-svgs="(\d+)"', dom).group(1)) >= 2
    summary = dom[dom.index('id="frontier-summary"'):]
    # the front trace is drawn by tonnes: its first point is point-3
    assert "point-3" in summary[:400] and "least carbon" in summary[:400]
