"""The board roadmap's figures, the page's content and formula/markup safety."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from test_report_helpers import (
    EVIL_FORMULA,
    EVIL_HTML,
    small_estate,
    small_plan,
    small_result,
)

from estate.plan import Plan
from estate.violation import Violation
from reports import board, write_reports
from reports.facts import Facts, status_words
from reports.figures import contract_pages, gantt_blocks, gantt_pages, paginate
from reports.roadmap import render


@pytest.fixture(scope="module")
def facts() -> Facts:
    return Facts(small_estate(), small_plan())


@pytest.fixture(scope="module")
def page() -> str:
    return render(small_estate(), small_plan())


def test_headline_numbers(facts: Facts) -> None:
    plan = facts.plan
    h = board.headline(facts)
    assert h["plan"]["cost"] == plan.totals.cost
    assert h["cost_saving"] == pytest.approx(plan.baseline.cost - plan.totals.cost)
    assert h["co2e_saving"] == pytest.approx(plan.baseline.co2e_tonnes
                                             - plan.totals.co2e_tonnes)
    fy = board.by_financial_year(facts)
    assert [r["fy"] for r in fy] == ["2025/26", "2026/27"]
    assert sum(r["plan_cost"] for r in fy) == pytest.approx(plan.totals.cost)
    assert sum(r["baseline_t"] for r in fy) == pytest.approx(plan.baseline.co2e_tonnes)
    sites = {s["site_id"]: s for s in board.site_exits(facts)}
    assert sites["DC1"]["exit"] == "2026-03" and sites["DC1"]["met"] is True
    assert "AWS" not in sites
    assert board.contract_summary(facts) == {
        "today_count": 6, "today_value": 209400.0, "end_count": 2, "end_value": 15000.0}
    s = board.server_summary(facts)
    assert (s["decommissioned"], s["replaced"], s["baseline_replaced"], s["avoided"]) == (
        7, 1, 2, 1)


def test_status_words() -> None:
    assert status_words(small_plan("optimal")) == "proven optimal"
    assert status_words(small_plan("feasible")) == "within 2.0 % of the best possible"
    assert status_words(replace(small_plan(), status="infeasible")) == "no plan: infeasible"


def test_cloud_first_exceptions(facts: Facts) -> None:
    rows = {r["app_id"]: r for r in board.exceptions(facts)}
    # every app still running outside the cloud (A5 is retired: not an exception)
    assert set(rows) == {"A6", "A7", "A8"}
    assert rows["A6"]["reason"] == "none of its options runs at a cloud site"
    assert rows["A7"]["chosen"] == "relocate to COLO, goes live in Feb 2026"  # live from Mar
    assert rows["A8"]["reason"].startswith("pinned")
    # A7's reason quotes the plan's exact alternative (see test_alternatives.py)
    alt = facts.alternative["A7"]
    assert rows["A7"]["costed"] and rows["A7"]["kind"] == board.COSTS_MORE
    assert f"rehost to AWS starting {board._month_words(alt.start)}" in rows["A7"]["reason"]
    assert f"the cheapest of {alt.months_tried} start months tried" in rows["A7"]["reason"]
    assert f"£{alt.delta.cost_discounted:,.0f} extra (discounted)" in rows["A7"]["reason"]
    assert f"{abs(alt.delta.co2e_tonnes):,.2f} t CO2e" in rows["A7"]["reason"]
    assert rows["A7"]["extra"] == alt.delta.cost_discounted
    assert "_" not in rows["A7"]["reason"] and "(A" not in rows["A7"]["reason"]


def test_resident_changes(facts: Facts) -> None:
    rows = board.resident_changes(facts)
    assert [r["app_id"] for r in rows] == ["A1", "A4", "A7"]
    # A1 goes live in 2025-08 (live from 2025-09): tell residents 8 weeks before 1 Aug.
    assert rows[0]["tell_by"] == dt.date(2025, 8, 1) - dt.timedelta(weeks=8)
    assert rows[0]["change"] == "rehost to AWS"
    est = facts.estate
    four = replace(est, settings=replace(est.settings, resident_notice_weeks=4))
    assert board.resident_changes(Facts(four, facts.plan))[0]["tell_by"] == dt.date(2025, 7, 4)
    services = board.resident_services(rows)
    assert [(s["service"], s["count"]) for s in services] == [
        ("@Housing", 1), ("Libraries", 1), ("Revenues & Benefits", 1)]
    assert all(s["routes"] == "" and s["unrecorded"] for s in services)


def test_the_non_digital_route_is_shown(facts: Facts) -> None:
    est = facts.estate
    apps = tuple(replace(a, non_digital_route="library counters") if a.app_id == "A7" else a
                 for a in est.applications)
    with_route = Facts(replace(est, applications=apps), facts.plan)
    services = {s["service"]: s for s in board.resident_services(
        board.resident_changes(with_route))}
    assert services["Libraries"]["routes"] == "library counters"
    assert services["Libraries"]["unrecorded"] == []
    page = render(replace(est, applications=apps), facts.plan)
    assert "library counters: open from" in page
    assert ("not recorded in the workbook (the non-digital route column of the "
            "applications sheet)") in page


def test_gantt_has_one_row_per_moving_application(facts: Facts) -> None:
    blocks = gantt_blocks(facts)
    assert [s for s, _ in blocks] == ["@Housing", "Adult Social Care", "HR", "Libraries",
                                      "Revenues & Benefits"]
    rows = [row for _, rs in blocks for row in rs]
    assert all(len(row) == 1 for row in rows)  # one row each: the names fit on the axis
    assert sorted(row[0] for row in rows) == ["A1", "A2", "A3", "A4", "A5", "A7"]
    [(fig, n)] = gantt_pages(facts)
    assert n == 6
    assert sum(len(t.y) for t in fig.data if t.type == "bar") == 6
    labels = list(fig.layout.yaxis.ticktext)
    assert "Council Tax · A1" in labels and "<b>Revenues &amp; Benefits</b>" in labels
    assert "Old Payroll · A5" in labels
    hover = [h for t in fig.data if t.type == "bar" for h in t.hovertext]
    assert any(h.startswith("A1 Council Tax<br>") and "rehost to AWS" in h for h in hover)
    assert any("retired" in h for h in hover) and not any("None" in h for h in hover)
    vlines = [s for s in fig.layout.shapes if s.type == "line" and s.yref == "paper"]
    assert [s.x0 for s in vlines] == ["2026-03-01"]  # DC1 exit (COLO stays open)
    freeze = [s for s in fig.layout.shapes if s.type == "rect" and s.yref == "paper"]
    assert {s.x0 for s in freeze} == {"2025-12-01", "2026-12-01"}
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis2.side == "top"


def test_a_very_large_plan_packs_rows(facts: Facts, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.figures as figures
    monkeypatch.setattr(figures, "MAX_NAMED_ROWS", 3)
    blocks = dict(gantt_blocks(facts))
    # A1 and A2 overlap (2025-06 to 2025-09): two rows; nothing else shares an area
    assert blocks["Revenues & Benefits"] == [["A1"], ["A2"]]
    [(fig, n)] = gantt_pages(facts)
    assert n == 6
    assert [t for t in fig.layout.yaxis.ticktext if not t.startswith("<b>")] == []
    assert sorted(x for t in fig.data if t.type == "bar" for x in t.text) == [
        "A1", "A2", "A3", "A4", "A5", "A7"]


def test_paging_breaks_between_blocks() -> None:
    blocks = [("a", list(range(5))), ("b", list(range(4))), ("c", list(range(12)))]
    pages = paginate(blocks, page_rows=10, first_rows=8)
    # first page: a (1 + 5 rows) and no room for b (1 + 4); then b; c split in two
    assert [[(t, len(r), c) for t, r, c in p] for p in pages] == [
        [("a", 5, False)], [("b", 4, False)], [("c", 9, False)], [("c", 3, True)]]
    assert all(sum(1 + len(r) for _, r, _ in p) <= 10 for p in pages)


def test_contract_pages_name_every_contract_in_full(facts: Facts) -> None:
    [(fig, n)] = contract_pages(facts)
    assert n == 6
    labels = list(fig.layout.yaxis.ticktext)
    assert "C2 Datacentre Ltd" in labels and "C1 +Oracle" in labels


def test_carbon_and_estimates(facts: Facts) -> None:
    rows = board.carbon_by_fy(facts)
    total = sum(r["plan_t"] for r in rows)
    assert total == pytest.approx(facts.plan.totals.co2e_tonnes)
    assert rows[0]["categories"]["embodied"] == pytest.approx(0.9)
    assert board.estimate_counts(facts) == [
        ("Server power draw (watts)", 2),
        ("Generated options (applications with none in the workbook)", 1)]


def test_page_is_self_contained(page: str) -> None:
    assert len(re.findall(r"plotly\.js v\d", page)) == 1  # one inline copy
    assert not re.search(r"<script[^>]+src=", page)
    from plotly.offline import get_plotlyjs
    ours = page.replace(get_plotlyjs().replace("</script", "<\\/script"), "")
    assert len(ours) < len(page) / 10  # the bundle really is inline
    assert not re.search(r"https?://", ours)  # nothing of ours fetches anything
    assert re.search(r'<div id="gantt" data-bars="6" data-pages="1"', page)
    plan = small_plan()
    assert f'data-plan-cost="{plan.totals.cost}"' in page
    assert f'data-baseline-co2e="{plan.baseline.co2e_tonnes}"' in page
    assert 'scope="col"' in page and 'scope="row"' in page and "aria-label=" in page
    assert "proven optimal" in page and "@page" in page
    assert "Tell residents" in page and "non-digital" in page


def test_inventory_markup_is_escaped(page: str) -> None:
    assert EVIL_HTML not in page
    assert "&lt;script&gt;alert(" in page  # shown as text in the tables
    assert "<script>alert" not in page


def test_no_formula_in_any_workbook(tmp_path: Path) -> None:
    written = write_reports(small_estate(), small_result(), tmp_path, pdf=False)
    assert [p.name for p in written] == ["contracts.xlsx", "migration-plan.xlsx",
                                         "roadmap.html"]
    seen = set()
    for p in written[:2]:
        wb = openpyxl.load_workbook(p)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (p.name, ws.title, cell.coordinate)
                    if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                        seen.add(cell.value)
                        assert cell.quotePrefix
    assert {EVIL_FORMULA, "+Oracle", "=cmd|' /C calc'!A0", "-old", "@Housing"} <= seen


def test_infeasible_plan_still_reports(tmp_path: Path) -> None:
    p = small_plan()
    plan = Plan(status="infeasible", objective=None, bound=None, gap=None, solve_seconds=1.0,
                horizon_start=p.horizon_start, horizon_months=p.horizon_months,
                baseline=p.baseline, baseline_ledger=p.baseline_ledger,
                conflicts=(Violation("site_exit", ("DC1", "A6"), "2027-01",
                                     "DC1 must exit by 2027-01 but A6 <b>GIS</b> cannot move"),))
    html = render(small_estate(), plan)
    assert '<li data-rule="site_exit">' in html
    assert "no plan: infeasible" in html
    assert "A6 &lt;b&gt;GIS&lt;/b&gt; cannot move" in html
    from solver.result import Result
    written = write_reports(small_estate(), Result(plan),
                            tmp_path, pdf=False)
    assert len(written) == 3


def test_control_characters_do_not_break_a_workbook(tmp_path: Path) -> None:
    from reports.migration import write_migration
    est = small_estate()
    apps = (replace(est.applications[0], name="Tax\x01\x1b system"),) + est.applications[1:]
    path = write_migration(replace(est, applications=apps), small_plan(), tmp_path / "m.xlsx")
    assert openpyxl.load_workbook(path)["Applications"]["B2"].value == "Tax system"


def test_the_cost_carbon_choice_in_words(facts: Facts) -> None:
    # The demo's case: the plan emits 479 t against greedy's 370 t because it
    # prices carbon at the appraisal value; greedy costs £8.6m more (discounted).
    from estate.plan import Totals
    plan = replace(facts.plan, totals=Totals(50e6, 47e6, 479.0, 47.1e6),
                   baseline=Totals(53e6, 50e6, 650.0, 50.2e6),
                   greedy=Totals(60e6, 55.6e6, 370.0, 55.7e6),
                   assumptions={"objective": {"name": "balanced", "carbon_price": 277.5}})
    words = board.carbon_choice(Facts(facts.estate, plan))
    assert words[0] == ("This plan emits 479.0 t CO2e over 24 months: 171.0 t less than doing "
                        "nothing (650.0 t) and 109.0 t more than the greedy cloud-first plan "
                        "(370.0 t).")
    assert "carbon priced at £278 a tonne" in words[1]
    # £8,600,000 / 109 t = £78,899 a tonne avoided, far above the £278 carbon price
    assert words[2].startswith("The lower-carbon route: the greedy plan emits 109.0 t less "
                               "but costs £8,600,000 more, discounted: £78,899 for each tonne "
                               "avoided, against the £278 this plan puts on a tonne.")
    cost_only = replace(plan, assumptions={"objective": {"name": "cost", "carbon_price": 0.0}})
    assert "chosen on cost alone" in board.carbon_choice(Facts(facts.estate, cost_only))[1]
    h = board.headline(Facts(facts.estate, plan))
    assert h["co2e_words"] == ("171.0 t less than doing nothing (26.3 %); 109.0 t more than "
                               "greedy (370.0 t)")


def test_why_the_plan_costs_more_names_the_exit(facts: Facts) -> None:
    from estate.plan import Totals

    est, plan = facts.estate, facts.plan
    assert plan.totals is not None and plan.baseline is not None
    dear = replace(plan, baseline=replace(plan.totals, cost_discounted=plan.totals
                                          .cost_discounted - 1000.0,
                                          co2e_tonnes=plan.totals.co2e_tonnes + 2.0))
    held = sorted({s.site_id for s in est.servers})
    site = next(s for s in est.sites if s.site_id == held[0])
    dated = replace(est, sites=tuple(replace(s, exit_by="2026-03") if s is site else s
                                     for s in est.sites))
    lines = board.why_it_costs(Facts(dated, dear))
    # doing nothing keeps every site open to the horizon's end: past its exit date
    assert lines[0].startswith("Why the plan costs more than doing nothing: doing nothing "
                               "would keep DC1 Civic Centre DC (to be left by Jan 2027)")
    assert f"{site.site_id}" in lines[0] and "(to be left by Mar 2026)" in lines[0]
    assert "£1,000 extra (discounted) pays for the exit and the carbon avoided" in lines[0]
    price = carbon_price_of(Facts(dated, dear))
    assert lines[1] == (f"The plan also avoids 2.0 t CO2e, worth £{2 * price:,.0f} at the "
                        f"carbon price it was chosen with (£{price:,.0f} a tonne).")
    cheap = replace(plan, baseline=replace(plan.totals, cost_discounted=plan.totals
                                           .cost_discounted + 1.0))
    assert board.why_it_costs(Facts(dated, cheap)) == []
    assert isinstance(plan.totals, Totals)


def carbon_price_of(facts: Facts) -> float:
    from reports.facts import carbon_price

    return carbon_price(facts.estate, facts.plan) or 0.0
