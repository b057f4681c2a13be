"""``estate plan``: workbook in, plan.json out, exit codes 0 / 1 / 2, pins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import main

SHEETS = {
    "settings.csv": "key,value\nhorizon_start,2025-04\nhorizon_months,12\n"
                    "discount_rate,0\ncarbon_price,0\n",
    "sites.csv": "site_id,name,kind,pue,power_price_per_kwh,monthly_fixed_cost\n"
                 "DC1,Main,on_prem,1.5,0.2,1000\nAZ,Azure,cloud,1.1,,\n",
    "applications.csv": "app_id,name,current_monthly_cost,must_finish_by\n"
                        "A1,Payroll,500,{finish}\nA2,Library,100,\n",
    "servers.csv": "server_id,site_id,kind,watts,replacement_cost,embodied_kgco2e,app_ids\n"
                   "S1,DC1,physical,400,3000,800,A1\nS2,DC1,physical,300,3000,800,A2\n",
    "options.csv": "app_id,strategy,target_site,duration_months,one_off_cost,monthly_cost,"
                   "monthly_kwh,effort\nA1,retain,DC1,,,,,\nA1,rehost,AZ,2,2000,300,100,20\n"
                   "A2,retain,DC1,,,,,\nA2,retire,,1,500,,,5\n",
}


def workbook(tmp: Path, finish: str = "") -> Path:
    book = tmp / "book"
    book.mkdir()
    for name, text in SHEETS.items():
        (book / name).write_text(text.format(finish=finish), encoding="utf-8")
    return book


@pytest.fixture(autouse=True)
def no_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    import reports

    monkeypatch.setattr(reports, "write_reports", lambda *a, **k: [])


def plan(*args: str) -> object:
    return CliRunner().invoke(main, ["plan", *args, "--time-limit", "5", "--workers", "1",
                                     "--quiet"])


def test_plan_writes_plan_json(tmp_path: Path) -> None:
    # A1: retain 12×500 + S1 energy vs rehost at s=0; A2 retires at s=0. Every figure
    # is rechecked by the evaluator.
    out = tmp_path / "out"
    r = plan(str(workbook(tmp_path)), "--out", str(out))
    assert r.exit_code == 0, r.output
    data = json.loads((out / "plan.json").read_text())
    assert data["status"] == "optimal"
    apps = {a["app_id"]: a for a in data["applications"]}
    assert (apps["A1"]["strategy"], apps["A1"]["start"]) == ("rehost", "2025-04")
    assert apps["A2"]["strategy"] == "retire"
    assert data["objective"] == data["totals"]["objective"]
    assert data["bound"] <= data["objective"] and data["baseline"]["objective"] > data["objective"]
    assert "vs baseline" in r.output and "objective" in r.output
    from estate.plan import read_plan
    from estate.resolve import resolve
    from inventory.load import load_estate
    from solver.check import compare_plan

    est = resolve(load_estate(tmp_path / "book"))
    assert compare_plan(est, read_plan(out / "plan.json")) == []


def test_infeasible_exit_4_names_the_rule(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = plan(str(workbook(tmp_path, finish="2025-05")), "--out", str(out))
    assert r.exit_code == 4, r.output  # its own code (2 is a usage error)
    data = json.loads((out / "plan.json").read_text())
    assert data["status"] == "infeasible" and data["objective"] is None
    assert data["applications"] == [] and data["baseline"]
    # the conflicts are records; the message prints each one's words
    named = [(c["rule"], c["ids"], c["month"]) for c in data["conflicts"]]
    assert ("must_finish", ["A1"], "2025-05") in named, named
    assert all(c["text"] in r.output for c in data["conflicts"])


def test_pins_from_a_previous_plan(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    first = tmp_path / "first"
    assert plan(str(book), "--out", str(first)).exit_code == 0
    data = json.loads((first / "plan.json").read_text())
    for a in data["applications"]:  # move A1 later, keep A2 as it is
        if a["app_id"] == "A1":
            a["start"], a["live_from"] = "2025-09", "2025-11"
    (first / "plan.json").write_text(json.dumps(data))
    second = tmp_path / "second"
    r = plan(str(book), "--out", str(second), "--pins", str(first / "plan.json"))
    assert r.exit_code == 0, r.output
    apps = {a["app_id"]: a for a in json.loads((second / "plan.json").read_text())[
        "applications"]}
    assert apps["A1"]["start"] == "2025-09" and apps["A2"]["strategy"] == "retire"


def test_pins_with_unknown_application(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    first = tmp_path / "first"
    assert plan(str(book), "--out", str(first)).exit_code == 0
    data = json.loads((first / "plan.json").read_text())
    data["applications"][0]["app_id"] = "NOPE"
    (first / "plan.json").write_text(json.dumps(data))
    r = plan(str(book), "--out", str(tmp_path / "x"), "--pins", str(first / "plan.json"))
    assert r.exit_code == 1 and "NOPE" in r.output


def test_objective_options(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    for objective in ("cost", "carbon"):
        out = tmp_path / objective
        r = plan(str(book), "--out", str(out), "--objective", objective, "--carbon-price", "80")
        assert r.exit_code == 0, r.output


def test_needs_a_workbook_or_demo(tmp_path: Path) -> None:
    r = plan("--out", str(tmp_path))
    assert r.exit_code == 1 and "WORKBOOK or --demo" in r.output


def test_a_past_start_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from estate.months import TODAY_ENV

    monkeypatch.setenv(TODAY_ENV, "2026-12-05")  # the workbook starts in 2025-04
    res = CliRunner().invoke(main, ["plan", str(workbook(tmp_path)), "--out",
                                    str(tmp_path / "out"), "--time-limit", "5",
                                    "--workers", "1", "--no-pdf"])
    assert res.exit_code == 0, res.output
    assert "warning:" in res.output and "horizon_start 2025-04 is before this month" \
        in res.output and "2027-01" in res.output
