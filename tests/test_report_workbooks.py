"""contracts.xlsx and migration-plan.xlsx read back and compared with the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from test_report_helpers import (
    EVIL_FORMULA,
    SPEND,
    month_start,
    small_estate,
    small_plan,
)

from reports.contracts import write_contracts
from reports.facts import Facts
from reports.migration import write_migration


def _sheet(path: Path, name: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    out = []
    for r in rows[1:]:
        if r[0] is None:
            break
        out.append(dict(zip(header, r, strict=True)))
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("books")
    est, plan = small_estate(), small_plan()
    return {"contracts": write_contracts(est, plan, d / "contracts.xlsx"),
            "migration": write_migration(est, plan, d / "migration-plan.xlsx")}


def test_facts_recompute_the_hand_worked_contract_decisions() -> None:
    facts = Facts(small_estate(), small_plan())
    for c in facts.estate.contracts:
        cp = facts.contract_plan[c.contract_id]
        assert facts.plan_renewals(c) == cp.renewals, c.contract_id
        assert facts.spend(c) == pytest.approx(SPEND[c.contract_id][0])
        assert facts.spend(c, baseline=True) == pytest.approx(SPEND[c.contract_id][1])
    assert facts.replaced_in_baseline() == 2  # S1 and S9; the zombie S5 is not


def test_renewals_match_the_plan(books: dict[str, Path]) -> None:
    plan = small_plan()
    rows = _sheet(books["contracts"], "Renewals")
    assert [r["Contract"] for r in rows] == ["C5", "C1", "C2", "C6", "C3", "C4"]
    by_id = {r["Contract"]: r for r in rows}
    for cp in plan.contracts:
        r = by_id[cp.contract_id]
        assert r["Renewals"] == cp.renewals
        assert r["Paid until"] == month_start(cp.end)
        assert r["Notice by"] == (month_start(cp.notice_by) if cp.notice_by else None)
        plan_spend, base_spend = SPEND[cp.contract_id]
        assert r["Spend in horizon"] == pytest.approx(plan_spend)
        assert r["Baseline spend"] == pytest.approx(base_spend)
        assert r["Saving vs baseline"] == pytest.approx(base_spend - plan_spend)
    assert by_id["C1"]["Decision"] == "end"
    assert by_id["C2"]["Decision"] == "renew ×1 then end"
    assert by_id["C3"]["Decision"] == "runs on: covers nothing"
    assert by_id["C4"]["Decision"] == "keep"
    assert by_id["C1"]["Current end"] == dt.datetime(2026, 3, 31)
    assert "A1 Council Tax live in the cloud from 2025-09" in by_id["C1"]["Why"]
    assert "DC1 exits 2026-03" in by_id["C2"]["Why"]
    assert "zombie" in by_id["C5"]["Why"]
    assert by_id["C1"]["Annual value"] == 120000.0


def test_renewals_formatting(books: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(books["contracts"])["Renewals"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.freeze_panes in ("A2", "B2")
    assert ws.auto_filter.ref.startswith("A1:")
    soon = [r for r in range(2, 8) if ws.cell(r, col["Notice within 6 months"]).value == "yes"]
    assert [ws.cell(r, 1).value for r in soon] == ["C5"]
    assert ws.cell(soon[0], 1).fill.fgColor.rgb.endswith("FCE2B8")
    assert ws.cell(3, 1).fill.fgColor.rgb != ws.cell(soon[0], 1).fill.fgColor.rgb
    money = ws.cell(2, col["Annual value"])
    assert money.number_format == "£#,##0" and money.data_type == "n"
    assert ws.cell(2, col["Notice by"]).is_date
    assert ws.column_dimensions["M"].width >= 40  # Why (after Ends with)


def test_calendar(books: dict[str, Path]) -> None:
    rows = _sheet(books["contracts"], "Calendar")
    assert len(rows) == 24 and rows[0]["Month"] == dt.datetime(2025, 4, 1)
    by_month = {r["Month"]: r for r in rows}
    may = by_month[dt.datetime(2025, 5, 1)]
    assert may["Notices due"] == 1 and may["Give notice on"].startswith("C5")
    assert may["Contracts ending"] == 1 and may["Annual value ending"] == 2400.0
    jan = by_month[dt.datetime(2026, 1, 1)]
    assert jan["Give notice on"] == "C1 +Oracle"  # dangerous text kept as text
    sep = by_month[dt.datetime(2025, 9, 1)]
    assert "C2" in sep["Renewing (term ends, next starts)"]
    assert sum(r["Notices due"] for r in rows) == 4


def test_applications_match_the_plan(books: dict[str, Path]) -> None:
    plan = small_plan()
    rows = {r["Application"]: r for r in _sheet(books["migration"], "Applications")}
    assert len(rows) == 8
    for ap in plan.applications:
        r = rows[ap.app_id]
        assert r["Strategy"] == ap.strategy
        assert r["Start"] == (month_start(ap.start) if ap.start else None)
        assert r["Live from"] == (month_start(ap.live_from) if ap.live_from else None)
    assert rows["A1"]["Months in flight"] == 3
    assert rows["A1"]["Effort migration (days/month)"] == 10.0
    assert rows["A4"]["Effort infra (days/month)"] == 4.0
    assert rows["A1"]["One-off cost"] == 30000.0
    assert rows["A1"]["Monthly cost before"] == 1000.0
    assert rows["A1"]["Monthly cost after"] == 800.0
    assert rows["A6"]["Monthly cost after"] == 250.0  # retained keeps its current cost
    assert rows["A5"]["Monthly cost after"] == 0.0
    assert rows["A1"]["Move group (together)"] == rows["A2"]["Move group (together)"] == "A1"
    assert rows["A4"]["Depends on (before)"] == "A3"
    assert rows["A3"]["Needed by (before)"] == "A4"
    assert rows["A3"]["Name"] == EVIL_FORMULA


def test_months_sheet(books: dict[str, Path]) -> None:
    rows = _sheet(books["migration"], "Months")
    assert len(rows) == 24
    jun = rows[2]  # 2025-06: A1, A2 (from 2025-06) and A3 (2025-04..07) in flight
    assert jun["Month"] == dt.datetime(2025, 6, 1)
    assert jun["In flight"] == 3
    assert set(jun["Applications in flight"].split("; ")) == {"A1", "A2", "A3"}
    assert jun["migration load (days)"] == 10 + 5 + 8
    assert jun["migration capacity (days)"] == 30.0
    assert jun["Critical in flight"] == 1
    assert jun["One-off spend"] == pytest.approx(30000 / 3 + 20000 / 3 + 12000 / 4)
    aug = rows[4]  # go-live month of A1, A2 (live from 2025-09)
    assert set(aug["Applications going live"].split("; ")) == {"A1", "A2"}
    assert sum(r["Going live"] for r in rows) == 6


def test_servers_and_sites(books: dict[str, Path]) -> None:
    servers = _sheet(books["migration"], "Servers")
    assert servers[0]["Server"] == "S5" and servers[0]["Zombie"] == "yes"
    assert servers[0]["Hostname"] == "-old"
    by_id = {r["Server"]: r for r in servers}
    assert by_id["S9"]["Replaced"] == dt.datetime(2025, 12, 1)
    assert by_id["S9"]["Replacement"] == "replaced"
    assert by_id["S1"]["Replacement"] == "not replaced"
    assert by_id["S1"]["Decommissioned"] == dt.datetime(2025, 9, 1)
    sites = {r["Site"]: r for r in _sheet(books["migration"], "Sites")}
    assert sites["DC1"]["Exit"] == dt.datetime(2026, 3, 1)
    assert sites["DC1"]["Exit by"] == dt.datetime(2027, 1, 1)
    assert sites["DC1"]["Exit by met"] == "met"
    assert sites["COLO"]["Exit by met"] is None


def test_missed_exit_is_reported(tmp_path: Path) -> None:
    from dataclasses import replace

    from estate.plan import AppPlan
    plan = small_plan()
    # A7 (on S9 at DC1) relocated late: live from 2027-02, after DC1's exit_by 2027-01
    late = AppPlan("A7", "relocate", "COLO", "2026-12", "2027-02")
    plan = replace(plan, applications=tuple(late if a.app_id == "A7" else a
                                            for a in plan.applications))
    rows = {r["Site"]: r for r in _sheet(
        write_migration(small_estate(), plan, tmp_path / "m.xlsx"), "Sites")}
    assert rows["DC1"]["Exit by met"] == "missed"


def test_a_stale_roadmap_pdf_is_removed(tmp_path: Path) -> None:
    from reports import write_reports
    from solver.result import Result

    (tmp_path / "roadmap.pdf").write_bytes(b"%PDF of an earlier plan")
    warned: list[str] = []
    written = write_reports(small_estate(), Result(small_plan()), tmp_path, pdf=False,
                            warn=warned.append)
    assert tmp_path / "roadmap.pdf" not in written
    assert not (tmp_path / "roadmap.pdf").exists()
    assert warned and "earlier plan" in warned[0]


def test_notices_before_today_are_overdue(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Run on a day after some notice dates: those say ``overdue``, later ones
    keep their own flag; the roadmap says the same."""
    from estate.months import TODAY_ENV
    from reports.roadmap import render
    est, plan = small_estate(), small_plan()
    notices = {c.contract_id: c.notice_by for c in plan.contracts if c.notice_by}
    assert len(set(notices.values())) >= 2, "the fixture needs notices in different months"
    first = min(notices.values())
    y, m = (int(x) for x in first.split("-"))
    monkeypatch.setenv(TODAY_ENV, f"{y:04d}-{m:02d}-02")  # a day after the earliest notice
    path = write_contracts(est, plan, tmp_path / "contracts.xlsx")
    rows = {r["Contract"]: r for r in _sheet(path, "Renewals")}
    for cid, nb in notices.items():
        flag = rows[cid]["Notice within 6 months"]
        assert (flag == "overdue") == (nb == first), (cid, nb, flag)
    html = render(est, plan)
    assert "(overdue)" in html
    # once in the contracts table and once in the risk section
    assert html.count("(overdue)") == 2 * sum(1 for nb in notices.values() if nb == first)
