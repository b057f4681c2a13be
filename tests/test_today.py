"""Plans start today: a blank horizon_start is the first month after today, a
given one in the past is a warning, and notices before today are overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from estate.months import TODAY_ENV, default_horizon_start, overdue, today
from inventory.load import load_workbook


def test_default_start_is_next_month() -> None:
    assert default_horizon_start(dt.date(2026, 12, 5)) == "2027-01"
    assert default_horizon_start(dt.date(2026, 4, 1)) == "2026-05"
    assert default_horizon_start(dt.date(2027, 1, 31)) == "2027-02"


def test_today_is_injectable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-12-05")
    assert today() == dt.date(2026, 12, 5)
    assert default_horizon_start() == "2027-01"
    monkeypatch.setenv(TODAY_ENV, "5/12/2026")
    with pytest.raises(ValueError, match="ESTATE_TODAY"):
        today()


def test_overdue_is_before_today() -> None:
    day = dt.date(2026, 12, 5)
    assert overdue("2026-11", day) and overdue("2026-12", day)  # by 1 Dec: already past
    assert not overdue("2027-01", day) and not overdue(None, day)


def _book(tmp_path: Path, start: str | None) -> Path:
    d = tmp_path / "wb"
    d.mkdir()
    settings = "key,value\nhorizon_months,12\n" + (f"horizon_start,{start}\n" if start else "")
    (d / "settings.csv").write_text(settings)
    (d / "sites.csv").write_text("site_id,kind\nDC1,on_prem\nAZ,cloud\n")
    (d / "applications.csv").write_text("app_id,name,current_monthly_cost\nA1,App,100\n")
    (d / "servers.csv").write_text("server_id,site_id,kind,app_ids\nS1,DC1,physical,A1\n")
    return d


def test_blank_start_is_next_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-12-05")
    res = load_workbook(_book(tmp_path, None))
    assert res.estate is not None and res.estate.settings.horizon_start == "2027-01"
    assert any(n.kind == "assumed" and "2027-01" in n.message for n in res.notices)
    assert not any(n.kind == "warning" and "before this month" in n.message
                   for n in res.notices)


def test_past_start_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-12-05")
    res = load_workbook(_book(tmp_path, "2026-04"))
    assert res.estate is not None and res.estate.settings.horizon_start == "2026-04"
    warn = [n for n in res.notices if n.kind == "warning" and "before this month" in n.message]
    assert len(warn) == 1 and "2026-04" in warn[0].message and "2027-01" in warn[0].message
    assert warn[0].sheet == "settings"
    (tmp_path / "x").mkdir()
    res = load_workbook(_book(tmp_path / "x", "2026-12"))
    assert not any("before this month" in n.message for n in res.notices)
