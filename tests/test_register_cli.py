"""``estate plan`` records into the register; ``estate history`` lists and
``estate diff`` explains; a bad ``--db`` stops the plan before anything is
written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from estate.cli import main
from tests.test_plan_cli import workbook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    import reports

    monkeypatch.setattr(reports, "write_reports", lambda *a, **k: [])
    monkeypatch.delenv("ESTATE_DB", raising=False)


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def plan(*args: str) -> object:
    return run("plan", *args, "--time-limit", "5", "--workers", "1", "--quiet")


def test_plans_are_recorded_listed_and_explained(tmp_path: Path) -> None:
    # A1 costs £500 a month staying: rehosting (£300 a month, £2,000 once) wins.
    # At £3,000 a month in the cloud it is kept; the diff ties that to A1's option.
    book = workbook(tmp_path)
    r = plan(str(book), "--out", str(tmp_path / "one"))
    assert r.exit_code == 0, r.output
    assert "recorded as plan #1 in" in r.output
    options = book / "options.csv"
    options.write_text(options.read_text().replace("A1,rehost,AZ,2,2000,300,",
                                                   "A1,rehost,AZ,2,2000,3000,"))
    r = plan(str(book), "--out", str(tmp_path / "two"), "--name", "Cabinet March 2027")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "estate.db").exists()

    r = run("history", str(book), "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [(x["plan_id"], x["name"], x["current"]) for x in rows] == [
        (1, None, False), (2, "Cabinet March 2027", True)]
    assert rows[1]["settings"]["time_limit"] == 5
    r = run("history", str(book))
    assert "Cabinet March 2027" in r.output and "   2*" in r.output

    r = run("diff", "#1", "Cabinet March 2027", "--workbook", str(book))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    [a1] = [x for x in lines if x.strip().startswith("A1:")]
    assert "rehost at AZ" in a1 and "-> retain" in a1
    assert "options A1/rehost/AZ: monthly_cost 300.0 -> 3000.0" in a1
    assert "input differences (1):" in r.output
    # plan.json paths work too, the register found beside their workbook
    r = run("diff", str(tmp_path / "one" / "plan.json"), str(tmp_path / "two"))
    assert r.exit_code == 0, r.output
    assert "monthly_cost 300.0 -> 3000.0" in r.output

    r = plan(str(book), "--out", str(tmp_path / "three"), "--name", "Cabinet March 2027")
    assert r.exit_code == 1 and "already called" in r.output
    assert not (tmp_path / "three").exists()


def test_no_register_and_its_clash_with_name(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    r = plan(str(book), "--out", str(tmp_path / "out"), "--no-register")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "estate.db").exists() and "recorded" not in r.output
    r = plan(str(book), "--out", str(tmp_path / "o2"), "--no-register", "--name", "x")
    assert r.exit_code == 1 and "--no-register" in r.output


def test_a_foreign_db_stops_the_plan_before_anything_is_written(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    db = tmp_path / "notes.db"
    db.write_text("meeting notes, not a database\n" * 20)
    before = db.read_bytes()
    r = plan(str(book), "--out", str(tmp_path / "out"), "--db", str(db))
    assert r.exit_code == 1
    assert "not an estate register" in r.output and "nothing was written" in r.output
    assert not (tmp_path / "out").exists() and db.read_bytes() == before


def test_two_plans_at_once_into_one_register(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    db = tmp_path / "shared.db"
    procs = [subprocess.Popen(
        [sys.executable, "-m", "estate", "plan", str(book), "--out", str(tmp_path / f"o{i}"),
         "--db", str(db), "--name", f"run {i}", "--time-limit", "5", "--workers", "1",
         "--quiet", "--no-pdf"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True) for i in (1, 2)]
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out
    r = run("history", "--db", str(db), "--json")
    assert sorted(x["name"] for x in json.loads(r.output)) == ["run 1", "run 2"]


def test_scenario_plans_are_recorded_with_their_names(tmp_path: Path) -> None:
    book = workbook(tmp_path)
    toml = tmp_path / "sc.toml"
    toml.write_text("[dear_carbon]\ncarbon_price = 100\n", encoding="utf-8")
    r = run("scenarios", str(book), str(toml), "--out", str(tmp_path / "sc"), "--time-limit",
            "5", "--workers", "1", "--processes", "1", "--quiet")
    assert r.exit_code == 0, r.output
    rows = json.loads(run("history", str(book), "--json").output)
    assert [(x["kind"], x["label"]) for x in rows] == [("scenario", "base"),
                                                       ("scenario", "dear_carbon")]
    r = run("diff", "#1", "#2", "--workbook", str(book))
    assert "objective carbon_price: 0.0 -> 100.0" in r.output
    assert "scenario base -> dear_carbon" in r.output


def test_replan_from_actuals_keeps_what_happened_and_checks(tmp_path: Path) -> None:
    # Plan #1: A1 rehosts from 2025-04 (2 months, live 2025-06); A2 retires from
    # 2025-04. Actuals: A1 went live late, 2025-08; A2 has not moved. Re-planned
    # from 2025-09: A1 is pinned to start 2025-06 (live 2025-08); A2 retires as
    # early as it now can, from 2025-09 (each month earlier saves its £100 and
    # its server's energy). `estate check` agrees with every figure.
    book = workbook(tmp_path)
    assert plan(str(book), "--out", str(tmp_path / "one")).exit_code == 0
    (book / "actuals.csv").write_text(
        "kind,id,month,strategy,target_site\napplication,A1,2025-08,rehost,AZ\n",
        encoding="utf-8")
    r = plan(str(book), "--out", str(tmp_path / "re"), "--from-actuals", "--today", "2025-09")
    assert r.exit_code == 0, r.output
    assert "compared with the previous plan #1" in r.output
    assert "re-plans from 2025-09: 1 moves done" in r.output
    data = json.loads((tmp_path / "re" / "plan.json").read_text())
    apps = {a["app_id"]: a for a in data["applications"]}
    assert (apps["A1"]["start"], apps["A1"]["live_from"]) == ("2025-06", "2025-08")
    assert (apps["A2"]["strategy"], apps["A2"]["start"]) == ("retire", "2025-09")
    assert data["assumptions"]["from_actuals"]["today"] == "2025-09"
    rows = json.loads(run("history", str(book), "--json").output)
    assert [x["kind"] for x in rows] == ["plan", "replan"]
    r = run("check", str(book), str(tmp_path / "re" / "plan.json"), "--time-limit", "5",
            "--workers", "1")
    assert r.exit_code == 0, r.output
    # today must lie in the horizon
    r = plan(str(book), "--out", str(tmp_path / "x"), "--from-actuals", "--today", "2031-01")
    assert r.exit_code == 1 and "outside the workbook's horizon" in r.output


def test_a_plan_written_but_not_recorded_says_so(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from estate.errors import EstateError, Issue
    from estate.register import Register

    def fail(*_: object, **__: object) -> int:
        raise EstateError(Issue("estate.db", "the disk is full"))

    monkeypatch.setattr(Register, "record", fail)
    book = workbook(tmp_path)
    r = plan(str(book), "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "was written to" in r.output and "not recorded" in r.output
    assert "the disk is full" in r.output and "nothing was written" not in r.output
    assert (tmp_path / "out" / "plan.json").exists()


def test_replan_is_infeasible_when_an_overdue_move_cannot_finish(tmp_path: Path) -> None:
    # A1 must finish by 2025-06; plan #1 does so. No actual records it, so re-planned
    # from 2025-09 it may not start before 2025-09: no plan can keep both rules,
    # and the message names them (exit 4).
    book = workbook(tmp_path, finish="2025-06")
    assert plan(str(book), "--out", str(tmp_path / "one")).exit_code == 0
    r = plan(str(book), "--out", str(tmp_path / "re"), "--from-actuals", "--today", "2025-09")
    assert r.exit_code == 4, r.output
    assert "A1" in r.output and "2025-09" in r.output and "must_finish_by" in r.output


def test_replan_keeps_a_past_freeze_breach_and_reports_it(tmp_path: Path) -> None:
    # Freeze July. A1 actually went live from 2025-08: its go-live month, July
    # 2025, was frozen. Re-planned from 2025-09 the breach is history: the
    # re-plan is feasible, says so in a note, passes `estate check`, and the
    # progress report lists it (History sheet). A go-live planned in July 2026
    # would still be refused (tests/test_replan_past_rules.py).
    book = workbook(tmp_path)
    settings = book / "settings.csv"
    settings.write_text(settings.read_text() + "freeze_months,Jul\n", encoding="utf-8")
    assert plan(str(book), "--out", str(tmp_path / "one")).exit_code == 0
    (book / "actuals.csv").write_text(
        "kind,id,month,strategy,target_site\napplication,A1,2025-08,rehost,AZ\n",
        encoding="utf-8")
    r = plan(str(book), "--out", str(tmp_path / "re"), "--from-actuals", "--today", "2025-09")
    assert r.exit_code == 0, r.output
    assert "note: actuals broke rule freeze in 2025-07: A1 goes live in 2025-07" in r.output
    assert "recorded, not re-decided" in r.output
    r = run("check", str(book), str(tmp_path / "re" / "plan.json"), "--time-limit", "5",
            "--workers", "1")
    assert r.exit_code == 0, r.output
    r = run("progress", str(book), "--against", "#2", "--out", str(tmp_path / "p"),
            "--today", "2025-09", "--no-pdf")
    assert r.exit_code == 0, r.output
    assert "actuals broke rule freeze in 2025-07" in r.output
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "p" / "progress.xlsx")["History"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(x[0], x[1]) for x in rows] == [("freeze", "2025-07")]
    html = (tmp_path / "p" / "progress.html").read_text()
    assert "Rules broken in past months" in html and "freeze" in html


def test_progress_lists_contracts_whose_notice_passed(tmp_path: Path) -> None:
    # C1 (£1,200 a year, term to 2025-09-30, 3 months' notice, covers A2): plan
    # #1 retires A2 from 2025-04 and ends C1 2025-09, notice by 2025-07. On
    # 2025-08 nothing records the notice: progress says "notice passed" and
    # the re-plan from 2025-08 renews C1 to 2026-09 (notice by 2025-07 < today).
    # Recording C1 `ended` 2025-09 (notice given) lets it end 2025-09 again.
    book = workbook(tmp_path)
    (book / "contracts.csv").write_text(
        "contract_id,supplier,annual_value,end_date,notice_months,renewal_term_months,covers,"
        "ends_with\nC1,Acme,1200,2025-09-30,3,12,A2,move\n", encoding="utf-8")
    assert plan(str(book), "--out", str(tmp_path / "one")).exit_code == 0
    one = json.loads((tmp_path / "one" / "plan.json").read_text())
    assert [(c["end"], c["notice_by"]) for c in one["contracts"]] == [("2025-09", "2025-07")]
    r = run("progress", str(book), "--against", "#1", "--out", str(tmp_path / "p"),
            "--today", "2025-08", "--no-pdf")
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook

    rows = list(load_workbook(tmp_path / "p" / "progress.xlsx")["Contracts"]
                .iter_rows(min_row=2, values_only=True))
    assert [(x[0], x[5]) for x in rows] == [("C1", "notice passed")]
    assert "notice passed" in (tmp_path / "p" / "progress.html").read_text()
    r = plan(str(book), "--out", str(tmp_path / "re"), "--from-actuals", "--today", "2025-08")
    assert r.exit_code == 0, r.output
    re_ = json.loads((tmp_path / "re" / "plan.json").read_text())
    assert [(c["end"], c["renewals"]) for c in re_["contracts"]] == [("2026-09", 1)]
    r = run("diff", "#1", "#2", "--workbook", str(book))
    assert "C1: end (last paid 2025-09, 0 renewals) -> end (last paid 2026-09, 1 renewals)" \
        "  <- its notice (by 2025-07) passed before B re-plans from 2025-08" in r.output
    assert run("check", str(book), str(tmp_path / "re" / "plan.json"), "--time-limit", "5",
               "--workers", "1").exit_code == 0
    (book / "actuals.csv").write_text("kind,id,month,action\ncontract,C1,2025-09,ended\n",
                                      encoding="utf-8")
    r = plan(str(book), "--out", str(tmp_path / "re2"), "--from-actuals", "--today",
             "2025-08", "--no-register")
    assert r.exit_code == 0, r.output
    re2 = json.loads((tmp_path / "re2" / "plan.json").read_text())
    assert [(c["end"], c["renewals"]) for c in re2["contracts"]] == [("2025-09", 0)]
    assert run("check", str(book), str(tmp_path / "re2" / "plan.json"), "--time-limit", "5",
               "--workers", "1").exit_code == 0


def test_progress_against_a_replan_counts_a_renegotiation_saving(tmp_path: Path) -> None:
    # C1 (£1,200 a year, covers A1) renegotiated to £900 in 2025-06: a saving
    # of £300 a year, whether progress compares with plan #1 or with the
    # re-plan #2 (which prices C1 at £900 throughout).
    book = workbook(tmp_path)
    (book / "contracts.csv").write_text(
        "contract_id,supplier,annual_value,end_date,notice_months,renewal_term_months,covers,"
        "ends_with\nC1,Acme,1200,2026-09-30,3,12,A1,never\n", encoding="utf-8")
    assert plan(str(book), "--out", str(tmp_path / "one")).exit_code == 0
    (book / "actuals.csv").write_text(
        "kind,id,month,action,annual_value\ncontract,C1,2025-06,renegotiated,900\n",
        encoding="utf-8")
    r = plan(str(book), "--out", str(tmp_path / "re"), "--from-actuals", "--today", "2025-08")
    assert r.exit_code == 0, r.output
    for against in ("#1", "#2"):
        r = run("progress", str(book), "--against", against, "--out",
                str(tmp_path / f"p{against[1]}"), "--today", "2025-08", "--no-pdf")
        assert r.exit_code == 0, r.output
        assert "Savings from contract reduction (£ a year): 300.0 of 0" \
            in r.output, r.output
