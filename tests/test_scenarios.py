"""What-if scenarios: overrides applied to an estate, bad ones located before
anything is solved, scenarios read from a sheet or TOML, planned in a batch
and compared; each plan re-checks with its scenario."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from frontier_estates import tradeoff_estate

from estate.cli import main, pipeline
from estate.cli.scenario_batch import run_scenarios, with_base
from estate.cli.studies import BatchOptions
from estate.errors import EstateError
from estate.plan import read_plan
from estate.resolve import resolve
from estate.scenario import (
    Override,
    Scenario,
    apply_scenario,
    check_scenarios,
    restrict_options,
    scenario_estate,
    scenario_from_json,
)
from inventory.scenarios import read_scenarios
from inventory.synth import synth_estate
from inventory.writer import write_estate


def raw_estate():
    """12 synthetic applications: DC1 exit_by 2027-10, budget 2026/27 and 2027/28
    at £100,000, teams migration (10 days), apps, network."""
    return synth_estate(12, 3, horizon_start="2026-04", horizon_months=24)


def sc(name: str, **overrides: object) -> Scenario:
    return Scenario(name, tuple(Override(k.replace("__", "."), v)
                                for k, v in overrides.items()), source="s.toml")


def test_each_override_changes_what_it_names() -> None:
    raw = raw_estate()
    s = Scenario("all", (
        Override("carbon_price", "123.5"), Override("discount_rate", 0.05),
        Override("horizon_months", 30), Override("freeze_months", "Dec; Jan"),
        Override("resident_notice_weeks", 12), Override("max_golives_per_month", "4"),
        Override("exit_by.DC1", -6), Override("exit_by.DC2", "2027-09"),
        Override("budget.2026/27", 50000), Override("budget.2028/29", "75,000"),
        Override("team.apps", 7.5), Override("description", "everything")))
    e = apply_scenario(raw, s)
    st = e.settings
    assert (st.carbon_price, st.discount_rate, st.horizon_months) == (123.5, 0.05, 30)
    assert (st.freeze_months, st.resident_notice_weeks, st.max_golives_per_month) == (
        (1, 12), 12, 4)
    assert e.site_by_id["DC1"].exit_by == "2027-04"  # 2027-10 moved 6 months earlier
    assert e.site_by_id["DC2"].exit_by == "2027-09"
    assert {b.financial_year: b.one_off_limit for b in e.budget} == {
        "2026/27": 50000.0, "2027/28": 100000.0, "2028/29": 75000.0}
    assert e.team_by_id["apps"].days_per_month == 7.5
    assert e.team_by_id["migration"].days_per_month == 10.0
    assert raw.site_by_id["DC1"].exit_by == "2027-10"  # the raw estate is untouched


def test_budget_factor_series_and_exclusions() -> None:
    raw = raw_estate()
    e = apply_scenario(raw, sc("b", budget_factor=0.5, carbon_price_series="HIGH"))
    assert [b.one_off_limit for b in e.budget] == [50000.0, 50000.0]
    high = resolve(e)
    assert high.settings.carbon_price > resolve(raw).settings.carbon_price
    s = sc("x", exclude_target_sites="AWS*", exclude_strategies=["refactor", "replatform"])
    est = scenario_estate(raw, s)
    assert not [o for o in est.options if o.moves and o.target_site == "AWS-LON"]
    assert not [o for o in est.options if o.strategy in ("refactor", "replatform")]
    assert [o for o in est.options if o.strategy == "retain"]  # retain stays
    assert restrict_options(resolve(raw), sc("none")) == resolve(raw)


def test_bad_overrides_are_all_located_before_anything_is_solved() -> None:
    raw = raw_estate()
    bad = Scenario("bad", (
        Override("exit_by.DC9", "2027-01", row=3), Override("team.ops", 5, row=4),
        Override("exclude_strategies", "rehost, teleport", row=5),
        Override("exclude_target_sites", "GCP*", row=6), Override("discount_rte", 0.1, row=7),
        Override("carbon_price", "lots", row=8), Override("exit_by.DC2", "-3", row=9),
        Override("budget.2026-27", 1, row=10)),
        source="w.xlsx", sheet="scenarios", row=2)
    with pytest.raises(EstateError) as err:
        check_scenarios(raw, [sc("fine", carbon_price=1), bad])
    text = [str(i) for i in err.value.issues]
    assert len(text) == 8, text
    assert all(i.file == "w.xlsx" and i.sheet == "scenarios" for i in err.value.issues)
    assert [i.row for i in err.value.issues] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "unknown site 'DC9'; did you mean" in text[0] and "column key" in text[0]
    assert "unknown team 'ops'" in text[1]
    assert "unknown strategy 'teleport'" in text[2]
    assert "no site matches 'GCP*'" in text[3]
    assert "unknown key" in text[4] and "discount_rate" in text[4]
    assert "must be a number" in text[5] and "column value" in text[5]
    assert "has no exit_by in the workbook" in text[6]
    assert "2026-27" in text[7]
    with pytest.raises(EstateError, match="given twice"):
        check_scenarios(raw, [sc("a"), sc("A")])


def test_reading_toml_and_a_sheet(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text('[base]\n[early]\ndescription = "a year earlier"\nexit_by.DC1 = -12\n'
                    'budget."2026/27" = 1e5\n', encoding="utf-8")
    got = read_scenarios(toml)
    assert [s.name for s in got] == ["base", "early"]
    assert {o.key: o.value for o in got[1].overrides} == {
        "description": "a year earlier", "exit_by.DC1": -12, "budget.2026/27": 1e5}
    (tmp_path / "bad.toml").write_text('x = 1\n[ok]\n', encoding="utf-8")
    with pytest.raises(EstateError, match="'x' is not a scenario"):
        read_scenarios(tmp_path / "bad.toml")
    book = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "scenarios"
    for row in (["scenario", "key", "value"], ["base", None, None],
                ["early", "exit_by.DC1", -12], ["cheap", "carbon_price", 0],
                ["early", "description", "a year earlier"]):
        ws.append(row)
    wb.save(book)
    got = read_scenarios(book)
    assert [(s.name, s.row) for s in got] == [("base", 2), ("early", 3), ("cheap", 4)]
    assert [(o.key, o.value, o.row) for o in got[1].overrides] == [
        ("exit_by.DC1", "-12", 3), ("description", "a year earlier", 5)]
    ws.append([None, "carbon_price", 5])
    wb.save(book)
    with pytest.raises(EstateError, match="row 6, column scenario: the scenario name is blank"):
        read_scenarios(book)


def test_base_comes_first_and_is_added_when_missing() -> None:
    assert [s.name for s in with_base([sc("x"), sc("Base")])] == ["Base", "x"]
    assert [s.name for s in with_base([sc("x")])] == ["base", "x"]
    s = sc("x", carbon_price=5, pins="p.json")
    assert scenario_from_json(s.to_json()).value("carbon_price") == 5
    assert "pins" not in s.to_json()["overrides"]


def test_scenarios_planned_compared_and_checked(tmp_path: Path) -> None:
    # The hand-worked estate (frontier_estates): with carbon at £1,000/t both
    # switches pay (A: £50 for 0.22 t, B: £100 for 0.11 t, worth £220 and £110);
    # without replatform both rehost.
    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    scenarios = tmp_path / "s.toml"
    scenarios.write_text('[priced]\ncarbon_price = 1000\n\n[no-replatform]\n'
                         'exclude_strategies = ["replatform"]\ncarbon_price = 1000\n',
                         encoding="utf-8")
    res = CliRunner().invoke(main, ["scenarios", str(workbook), str(scenarios), "--out",
                                    str(tmp_path / "out"), "--time-limit", "5", "--workers",
                                    "1", "--processes", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    strategies = {name: {a.app_id: a.strategy
                         for a in read_plan(out / name / "plan.json").applications}
                  for name in ("base", "priced", "no-replatform")}
    assert strategies == {"base": {"A": "rehost", "B": "rehost"},
                          "priced": {"A": "replatform", "B": "replatform"},
                          "no-replatform": {"A": "rehost", "B": "rehost"}}
    for name in strategies:
        _, report, _ = pipeline.check(workbook, out / name / "plan.json", scenario_ok=True)
        assert report.ok, (name, report.differences)
        assert any("checked under it (--scenario-ok)" in n for n in report.notes)
    # without --scenario-ok the workbook's own rules hold: the priced plan's carbon
    # price is not the workbook's, and the note names the scenario
    _, report, _ = pipeline.check(workbook, out / "priced" / "plan.json")
    assert not report.ok
    assert any("scenario 'priced'" in n and "workbook's own rules" in n for n in report.notes)
    assert read_plan(out / "priced" / "plan.json").assumptions["scenario"] == {
        "name": "priced", "overrides": {"carbon_price": 1000}}
    wb = openpyxl.load_workbook(out / "scenarios.xlsx")
    ws = wb["scenarios"]
    rows = list(ws.iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    assert [r[0] for r in rows[1:]] == ["base", "priced", "no-replatform"]
    assert [r[col["Discounted cost (£)"]] for r in rows[1:]] == pytest.approx(
        [4200.0, 4350.0, 4200.0])
    fill = ws.cell(row=3, column=col["Discounted cost (£)"] + 1).fill.fgColor.rgb
    plain = ws.cell(row=4, column=col["Discounted cost (£)"] + 1).fill.fgColor.rgb
    assert fill.endswith("FCE2B8") and not plain.endswith("FCE2B8")
    page = (out / "scenarios.html").read_text(encoding="utf-8")
    assert page.count("data-scenario=") == 3 and 'class="num diff"' in page


def test_a_bad_override_writes_nothing(tmp_path: Path) -> None:
    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    scenarios = tmp_path / "s.toml"
    scenarios.write_text('[x]\nexit_by.NOPE = "2025-09"\nexclude_target_sites = "GCP"\n',
                         encoding="utf-8")
    res = CliRunner().invoke(main, ["scenarios", str(workbook), str(scenarios), "--out",
                                    str(tmp_path / "out"), "--quiet"])
    assert res.exit_code == 1
    assert "2 problems found; nothing was written" in res.output
    assert "unknown site 'NOPE'" in res.output and "no site matches 'GCP'" in res.output
    assert not (tmp_path / "out").exists()


def test_a_scenario_keeps_the_decisions_of_its_pins_file(tmp_path: Path) -> None:
    # Pins from a plan that rehosts A: with carbon at £1,000/t A would switch,
    # but its pinned decision holds; B still switches.
    import json

    from estate.plan import Plan

    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    data = Plan(status="feasible", objective=None, bound=None, gap=None, solve_seconds=0.0,
                horizon_start="2025-04", horizon_months=12).to_dict()
    data["applications"] = [{"app_id": "A", "strategy": "rehost", "target_site": "CLOUD",
                             "start": "2025-04", "live_from": "2025-05"}]
    (tmp_path / "old.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "s.toml").write_text('[keep-a]\ncarbon_price = 1000\npins = "old.json"\n'
                                     '[missing]\npins = "nope.json"\n', encoding="utf-8")
    found = read_scenarios(tmp_path / "s.toml")
    with pytest.raises(EstateError, match="no such file"):
        run_scenarios(pipeline.load(workbook), found, tmp_path / "out",
                      options=BatchOptions(time_limit=5.0, workers=1, processes=1),
                      relative_to=tmp_path)
    run = run_scenarios(pipeline.load(workbook), found[:1], tmp_path / "out",
                        options=BatchOptions(time_limit=5.0, workers=1, processes=1),
                        relative_to=tmp_path)
    plan = run.plans["keep-a"]
    assert {a.app_id: a.strategy for a in plan.applications} == {"A": "rehost",
                                                                  "B": "replatform"}
    assert plan.assumptions["pins"][0]["app_id"] == "A"
    _, report, _ = pipeline.check(workbook, tmp_path / "out" / "keep-a" / "plan.json",
                                  scenario_ok=True)
    assert report.ok, report.differences


@pytest.mark.slow
def test_the_demo_scenarios_each_take_effect(tmp_path: Path) -> None:
    from estate.months import add_months, financial_year
    from inventory.demo import demo_estate

    raw = demo_estate()
    found = [sc("base"), sc("exit DC1 a year earlier", exit_by__DC1=-12),
             sc("budget capped", budget_factor=0.5),
             sc("high carbon values", carbon_price_series="high")]
    run = run_scenarios(raw, found, tmp_path, options=BatchOptions(
        time_limit=6.0, workers=1, processes=2))
    assert [o.folder for o in run.outcomes] == ["base", "exit-dc1-a-year-earlier",
                                                "budget-capped", "high-carbon-values"]
    plans = {o.folder: read_plan(tmp_path / o.folder / "plan.json") for o in run.outcomes}
    assert all(p.has_schedule for p in plans.values())
    # exit DC1 a year earlier: 36 -> 24 months after the start, and the plan empties
    # DC1 by then
    hs = raw.settings.horizon_start
    assert raw.site_by_id["DC1"].exit_by == add_months(hs, 36)
    exits = {s.site_id: s.exit for s in plans["exit-dc1-a-year-earlier"].sites}
    assert exits["DC1"] <= add_months(hs, 24)
    assert run.outcomes[1].summary.exits["DC1"] == exits["DC1"]  # what the comparison shows
    assert set(run.outcomes[1].summary.exits) == {"DC1", "DC2"}  # the data centres
    # budget capped: every financial year's one-off spend within half its limit
    ledger = plans["budget-capped"].ledger
    assert ledger is not None
    spend: dict[str, float] = {}
    for t, v in enumerate(ledger.cost["one_off"]):
        fy = financial_year(raw.settings.horizon_start, t)
        spend[fy] = spend.get(fy, 0.0) + v
    for b in raw.budget:
        assert spend.get(b.financial_year, 0.0) <= 0.5 * b.one_off_limit + 0.01
    # high carbon values: the objective prices carbon at the high series' value
    price = {k: p.assumptions["objective"]["carbon_price"] for k, p in plans.items()}
    assert price["high-carbon-values"] == pytest.approx(1.5 * price["base"])
    for folder, plan in plans.items():
        scen = plan.assumptions["scenario"]["name"]
        assert scen == next(o.scenario.name for o in run.outcomes if o.folder == folder)
    assert (tmp_path / "scenarios.xlsx").exists() and (tmp_path / "scenarios.html").exists()


def test_a_scenario_with_another_horizon_is_reported(tmp_path: Path) -> None:
    # The scenario plans 18 months instead of the workbook's 12: `estate report`
    # with the base workbook applies the scenario the plan records, so the
    # horizons agree and the reports are written; a plan edited to claim
    # another horizon is still refused.
    workbook = write_estate(tradeoff_estate(), tmp_path / "tradeoff.xlsx")
    scenarios = tmp_path / "s.toml"
    scenarios.write_text("[longer]\nhorizon_months = 18\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["scenarios", str(workbook), str(scenarios), "--out",
                                    str(tmp_path / "out"), "--time-limit", "5", "--workers",
                                    "1", "--processes", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    plan_json = tmp_path / "out" / "longer" / "plan.json"
    assert read_plan(plan_json).horizon_months == 18
    written = pipeline.regenerate_reports(workbook, plan_json, tmp_path / "rep", pdf=False)
    assert {p.name for p in written} >= {"contracts.xlsx", "migration-plan.xlsx",
                                         "roadmap.html"}
    forged = tmp_path / "forged.json"
    forged.write_text(plan_json.read_text(encoding="utf-8").replace(
        '"horizon_months": 18', '"horizon_months": 24', 1), encoding="utf-8")
    with pytest.raises(EstateError, match="24 months"):
        pipeline.regenerate_reports(workbook, forged, tmp_path / "rep2", pdf=False)


def test_reference_and_cloud_pricing_overrides() -> None:
    raw = raw_estate()  # DC2 has no PUE in the workbook: it takes pue.on_prem (1.8)
    base = scenario_estate(raw, None)
    assert base.site_by_id["DC2"].pue == 1.8
    e = scenario_estate(raw, sc("what-if", reference__pue__on_prem="2.1",
                                cloud_pricing="PAYG"))
    assert e.site_by_id["DC2"].pue == 2.1 and e.site_by_id["DC1"].pue == 1.8  # DC1 given
    assert e.settings.extra["cloud_pricing"] == "payg"
    with pytest.raises(EstateError) as err:
        check_scenarios(raw, [sc("bad", reference__pue__onprem=2, reference__pue__colo="abc",
                                 cloud_pricing="cheap")])
    text = str(err.value)
    assert "did you mean reference.pue.on_prem?" in text
    assert "pue.colo expects a number (found 'abc')" in text
    assert "key 'cloud_pricing': must be one of payg, reserved_1y, reserved_3y" in text
