"""The demo estate planned as a new user would, with a short time limit: the
residents' notice holds and ``estate check`` agrees, a plan made with a
handful of pins checks, every sentence of the reports passes the audit, and
the PDF a board member reads has a time axis on every Gantt page and the
applications' names. One plan (and one PDF) is shared by the module.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_audit import audit, counts, page_text, pdf_text

from estate.cli import main
from estate.cli.pipeline import PlanRun, plan_estate, write_outputs
from estate.limits import resident_live_from
from estate.model import Estate
from estate.months import label_at
from inventory.demo import demo_estate
from solver.check import check_plan

pytestmark = pytest.mark.slow

SECONDS = 20.0


@pytest.fixture(scope="module")
def raw() -> Estate:
    return demo_estate()


@pytest.fixture(scope="module")
def demo(raw: Estate, tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanRun, Path]:
    """The demo planned for a few seconds, with every report (the PDF when
    Chromium is installed)."""
    run = plan_estate(raw, time_limit=SECONDS, workers=2, seed=0)
    assert run.result.plan.has_schedule, run.result.plan.status
    out = tmp_path_factory.mktemp("demo")
    write_outputs(run, out, pdf=True, warn=lambda m: None)
    return run, out


def test_no_resident_facing_change_before_residents_can_be_told(
        raw: Estate, demo: tuple[PlanRun, Path]) -> None:
    run, _ = demo
    plan = run.result.plan
    first = label_at(raw.settings.horizon_start, resident_live_from(raw))
    year = raw.settings.horizon_start[:4]
    assert raw.settings.horizon_start == f"{year}-04"  # the demo starts in April
    assert first == f"{year}-07"  # 1 Apr + 8 weeks = 27 May: Jun go-live, live from Jul
    facing = {a.app_id for a in raw.applications if a.resident_facing}
    moved = [a for a in plan.applications if a.app_id in facing and a.start is not None]
    assert moved and all(a.live_from is not None and a.live_from >= first for a in moved)
    report = check_plan(raw, plan)
    assert report.ok, [str(d) for d in report.differences][:5]


def test_plan_with_a_handful_of_pins_then_check(demo: tuple[PlanRun, Path],
                                                tmp_path: Path) -> None:
    # as a user would: keep five decisions of the first plan (the plan.json
    # edited down to them), plan again with --pins, then check with the workbook
    _, out = demo
    first = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    moving = [a for a in first["applications"] if a["start"] is not None]
    first["applications"] = moving[:3] + moving[-2:]
    pins = tmp_path / "five.json"
    pins.write_text(json.dumps(first), encoding="utf-8")
    runner = CliRunner()
    again = tmp_path / "again"
    res = runner.invoke(main, ["plan", "--demo", "--pins", str(pins), "--out", str(again),
                               "--time-limit", str(SECONDS), "--workers", "2", "--seed", "1",
                               "--no-pdf", "--quiet"])
    assert res.exit_code == 0, res.output
    plan = json.loads((again / "plan.json").read_text(encoding="utf-8"))
    assert len(plan["assumptions"]["pins"]) == 5
    got = {a["app_id"]: a for a in plan["applications"]}
    for a in first["applications"]:
        assert {k: got[a["app_id"]][k] for k in ("strategy", "target_site", "start")} == \
            {k: a[k] for k in ("strategy", "target_site", "start")}
    book = tmp_path / "demo.xlsx"
    assert runner.invoke(main, ["demo", "--out", str(book)]).exit_code == 0
    res = runner.invoke(main, ["check", str(book), str(again / "plan.json")])
    assert res.exit_code == 0 and "OK: every figure agrees" in res.output, res.output[-2000:]


def test_reports_pass_the_audit(raw: Estate, demo: tuple[PlanRun, Path]) -> None:
    run, out = demo
    assert audit(out, raw) == []
    n = counts(out / "roadmap.html")
    assert n["total"] == len(raw.applications) == 300
    text = page_text(out / "roadmap.html")
    assert "Borough of Wessexford Council" in text
    price = run.result.plan.assumptions["objective"]["carbon_price"]
    assert f"carbon priced at £{price:,.0f} a tonne" in text
    greedy = run.result.plan.greedy
    assert greedy is not None and f"greedy cloud-first plan ({greedy.co2e_tonnes:,.1f} t)" in text


def _pages(pdf: Path) -> list[str]:
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for i in range(1, n + 1)]


GANTT_LEGEND = ("goes live (end of month)", "freeze month", "blackout (service)")
#: A time axis: quarter months in a row, and the years of the horizon.
AXIS = re.compile(r"Apr\s+Jul\s+Oct\s+Jan\s+Apr")


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdftoppm") is None,
                    reason="chromium or poppler-utils is not installed")
def test_pdf_pages(raw: Estate, demo: tuple[PlanRun, Path]) -> None:
    run, out = demo
    pdf = out / "roadmap.pdf"
    assert pdf.exists()
    pages = _pages(pdf)
    html = (out / "roadmap.html").read_text(encoding="utf-8")
    gantt_pages = int(re.search(r'<div id="gantt" data-bars="\d+" data-pages="(\d+)"',
                                html).group(1))
    gantt = [p for p in pages if all(w in p for w in GANTT_LEGEND)]
    assert len(gantt) == gantt_pages >= 5
    for text in gantt:  # every Gantt page has its time axis (above and below the bars)
        assert len(AXIS.findall(text)) >= 2, text[:400]
        y0 = int(raw.settings.horizon_start[:4])
        assert all(str(y) in text for y in range(y0, y0 + 5))
    # every moving application is named on a Gantt page
    shown = "\n".join(gantt)
    for a in run.result.plan.applications:
        if a.start is not None:
            name = raw.app_by_id[a.app_id].name
            assert f"· {a.app_id}" in shown
            if len(name) <= 38:
                assert name in shown, name
    assert 15 <= len(pages) <= 60
    # every page renders to an image that is not blank
    with_images = out / "pages"
    with_images.mkdir()
    subprocess.run(["pdftoppm", "-r", "12", "-gray", str(pdf), str(with_images / "p")],
                   check=True, timeout=120)
    images = sorted(with_images.glob("p-*.pgm"))
    assert len(images) == len(pages)
    for img in images:
        data = img.read_bytes()
        pixels = data[len(data) - _pgm_size(data):]
        assert min(pixels) < 128, f"{img.name} is blank"
    assert pdf_text(pdf) is not None


def _pgm_size(data: bytes) -> int:
    """Number of pixels of a binary PGM (``P5``) image."""
    w, h = (int(x) for x in data.split(b"\n", 2)[1].split())
    return w * h
