"""``estate progress``: plan against actual on a two-application estate,
worked by hand, read back from progress.xlsx and progress.html."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from estate.cli import main
from estate.progress import quarter_of
from tests.test_plan_cli import workbook


@pytest.fixture(autouse=True)
def no_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    import reports

    monkeypatch.setattr(reports, "write_reports", lambda *a, **k: [])
    monkeypatch.delenv("ESTATE_DB", raising=False)


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def _sheet(path: Path, name: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_quarters_are_financial() -> None:
    assert [quarter_of("2025-04", t) for t in (0, 2, 3, 8, 9, 11, 12)] == [
        "2025/26 Q1", "2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4", "2025/26 Q4",
        "2026/27 Q1"]


def test_progress_against_a_plan(tmp_path: Path) -> None:
    # The plan (#1): A1 rehosts from 2025-04 (2 months, £2,000 one-off) and is live
    # 2025-06; A2 retires from 2025-04 (1 month, £500), gone 2025-05.
    # What happened by 2025-10: A1 went live 2025-07 (a month late) for £2,600;
    # A2 has not gone (overdue); server S1 was switched off in 2025-07.
    # Months compared: 2025-04 … 2025-09 = 2025/26 Q1 and Q2.
    # One-off as happened: A1 £2,600 over its flight 2025-05/06 (Q1); A2, overdue,
    # goes live in 2025-10 at the earliest: its £500 in 2025-09 (Q2).
    book = workbook(tmp_path)
    r = run("plan", str(book), "--out", str(tmp_path / "p"), "--time-limit", "5",
            "--workers", "1", "--quiet", "--name", "Budget 2025")
    assert r.exit_code == 0, r.output
    plan = json.loads((tmp_path / "p" / "plan.json").read_text())
    apps = {a["app_id"]: a for a in plan["applications"]}
    assert (apps["A1"]["live_from"], apps["A2"]["live_from"]) == ("2025-06", "2025-05")
    (book / "actuals.csv").write_text(
        "kind,id,month,strategy,target_site,one_off_cost,note\n"
        "application,A1,2025-07,rehost,AZ,2600,supplier delay\n"
        "server,S1,2025-07,,,,\n", encoding="utf-8")
    out = tmp_path / "progress"
    r = run("progress", str(book), "--against", "Budget 2025", "--today", "2025-10",
            "--out", str(out), "--no-pdf")
    assert r.exit_code == 0, r.output
    assert "1 late" in r.output and "1 overdue" in r.output

    a = {x["Application"]: x for x in _sheet(out / "progress.xlsx", "Applications")}
    assert (a["A1"]["Timing"], a["A1"]["One-off actual (£)"], a["A1"]["Note"]) == (
        "late", 2600, "supplier delay")
    assert a["A2"]["Timing"] == "overdue" and a["A2"]["Done"] is None
    q = {x["Period"]: x for x in _sheet(out / "progress.xlsx", "Quarters")}
    assert list(q) == ["2025/26 Q1", "2025/26 Q2"]
    assert (q["2025/26 Q1"]["Moves planned"], q["2025/26 Q1"]["Moves made"]) == (2, 0)
    assert (q["2025/26 Q2"]["Moves made"], q["2025/26 Q2"]["Late"]) == (1, 1)
    assert q["2025/26 Q1"]["One-off planned (£)"] == pytest.approx(2500)
    assert q["2025/26 Q1"]["One-off spent (£)"] == pytest.approx(2600)
    assert q["2025/26 Q2"]["One-off spent (£)"] == pytest.approx(500)
    assert (q["2025/26 Q2"]["Servers off"], q["2025/26 Q2"]["kW off"]) == (1, 0.4)
    y = _sheet(out / "progress.xlsx", "Years")
    assert [x["Period"] for x in y] == ["2025/26"]
    assert y[0]["One-off spent (£)"] == pytest.approx(3100)
    # late, overdue and dearer than planned: more cash so far than the plan, which
    # already costs less than staying
    assert y[0]["Cash cost planned (£)"] < y[0]["Cash cost as happened (£)"]
    assert y[0]["Cash cost planned (£)"] < y[0]["Cash cost staying (£)"]
    html = (out / "progress.html").read_text(encoding="utf-8")
    assert "Budget 2025" in html and "supplier delay" in html and "overdue" in html
