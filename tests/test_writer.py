"""The estate writer: spec columns, cell formats, formula safety, round trips."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from estate.errors import EstateError
from estate.model import Application, Option, Pin, Settings
from inventory.demo import demo_estate
from inventory.synth import synth_estate
from inventory.writer import COLUMNS, estate_to_sheets, write_estate

#: The columns the writer writes, sheet by sheet: the workbook contract
#: (docs/workbook.md) as of 2026-12-05, plus the extensions documented in
#: docs/interpretation.md (``department``, ``cpv_code``, ``total_value``;
#: ``non_digital_route``; the ``actuals`` sheet). A new column is added here on purpose.
WRITTEN = {
    "settings": ["key", "value"],
    "sites": ["site_id", "name", "kind", "pue", "power_price_per_kwh", "monthly_fixed_cost",
              "exit_by", "grid_kg_per_kwh", "country"],
    "applications": ["app_id", "name", "service", "criticality", "resident_facing",
                     "current_monthly_cost", "blackout_months", "earliest_start",
                     "must_finish_by", "non_digital_route", "data_residency"],
    "servers": ["server_id", "hostname", "site_id", "kind", "host_id", "vcpus", "ram_gb",
                "storage_gb", "os", "os_end_of_support", "end_of_life", "watts",
                "replacement_cost", "embodied_kgco2e", "app_ids", "purchase_date", "model",
                "cpu_model", "powerstate", "cluster", "sockets", "cores", "in_use_gb",
                "sql_edition", "sql_cores"],
    "options": ["app_id", "strategy", "target_site", "duration_months", "one_off_cost",
                "monthly_cost", "monthly_kwh", "effort"],
    "dependencies": ["from_id", "to_id", "kind", "split_cost_per_month"],
    "contracts": ["contract_id", "supplier", "title", "category", "annual_value", "start_date",
                  "end_date", "notice_months", "renewal_term_months", "renewal_uplift",
                  "covers", "estimated", "department", "cpv_code", "total_value",
                  "ends_with", "unit", "unit_price", "min_units"],
    "teams": ["team_id", "days_per_month"],
    "budget": ["financial_year", "one_off_limit"],
    "pins": ["app_id", "strategy", "start", "target_site"],
    "actuals": ["kind", "id", "month", "strategy", "target_site", "one_off_cost", "action",
                "annual_value", "status", "note"],
}


def test_columns_are_the_contracts() -> None:
    assert COLUMNS == WRITTEN
    documented = (Path(__file__).resolve().parents[1] / "docs" / "workbook.md").read_text(
        encoding="utf-8")
    for sheet, cols in WRITTEN.items():
        for col in cols:
            assert f"`{col}`" in documented, (sheet, col)


def test_sheets_and_cells() -> None:
    e = synth_estate(40, 2)
    sheets = estate_to_sheets(e)
    assert list(sheets) == ["settings", "sites", "applications", "servers", "options",
                            "dependencies", "contracts", "teams", "budget"]
    for name, (cols, rows) in sheets.items():
        assert cols == COLUMNS[name]
        assert all(len(r) == len(cols) for r in rows)
        for r in rows:
            assert all(v is None or (isinstance(v, (str, int, float)) and v != "") for v in r)
    settings = dict(sheets["settings"][1])
    assert settings == {"horizon_start": "2026-04", "horizon_months": 48,
                        "max_critical_in_flight": e.settings.max_critical_in_flight,
                        "freeze_months": "Dec"}
    apps = [dict(zip(COLUMNS["applications"], r, strict=True))
            for r in sheets["applications"][1]]
    assert {a["resident_facing"] for a in apps} == {"yes", "no"}
    opts = [dict(zip(COLUMNS["options"], r, strict=True)) for r in sheets["options"][1]]
    assert all(o["duration_months"] is None for o in opts if o["strategy"] == "retain")
    assert any(re.fullmatch(r"migration=[\d.]+; apps=[\d.]+", o["effort"] or "")
               for o in opts)
    servers = [dict(zip(COLUMNS["servers"], r, strict=True)) for r in sheets["servers"][1]]
    assert any(s["app_ids"] and ";" in s["app_ids"] for s in servers)
    assert all(isinstance(s["vcpus"], int) for s in servers)
    contracts = [dict(zip(COLUMNS["contracts"], r, strict=True))
                 for r in sheets["contracts"][1]]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["end_date"]) for c in contracts)


def test_settings_extra_generated_options_and_pins() -> None:
    e = synth_estate(10, 1)
    s = Settings("2026-04", 36, discount_rate=0.05, carbon_price=250.0,
                 max_golives_per_month=4, grid_kg_per_kwh={2026: 0.15, 2027: 0.125},
                 extra={"pue.on_prem": "1.7"})
    gen = Option(e.applications[0].app_id, "rehost", "AZ-UKS", 2, generated=True)
    pins = (Pin(e.applications[0].app_id, "retain"),
            Pin(e.applications[1].app_id, None, start="2027-01"))
    sheets = estate_to_sheets(replace(e, settings=s, options=e.options + (gen,), pins=pins))
    assert dict(sheets["settings"][1]) == {
        "horizon_start": "2026-04", "horizon_months": 36, "discount_rate": 0.05,
        "carbon_price": 250, "max_golives_per_month": 4,
        "grid_kg_per_kwh": "2026=0.15; 2027=0.125", "pue.on_prem": "1.7"}
    assert len(sheets["options"][1]) == len(e.options)
    assert sheets["pins"] == (["app_id", "strategy", "start", "target_site"],
                              [[pins[0].app_id, "retain", None, None],
                               [pins[1].app_id, None, "2027-01", None]])


EVIL = '=HYPERLINK("http://x","y")'


def _evil_estate():
    e = synth_estate(12, 4)
    apps = list(e.applications)
    apps[0] = replace(apps[0], name=EVIL)
    apps[1] = replace(apps[1], name="+44 1234", service="@SUM(A1)")
    apps[2] = replace(apps[2], name="-1")
    return replace(e, applications=tuple(apps))


def test_xlsx_never_holds_a_formula(tmp_path: Path) -> None:
    path = write_estate(_evil_estate(), tmp_path / "evil.xlsx")
    wb = openpyxl.load_workbook(path)  # not data_only: formulas would show as such
    ws = wb["applications"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    evil = next(c for c in cells if c.value == EVIL)
    assert evil.data_type == "s"
    assert {"+44 1234", "@SUM(A1)", "-1"} <= {c.value for c in cells}


def test_csv_quotes_dangerous_text(tmp_path: Path) -> None:
    folder = write_estate(_evil_estate(), tmp_path / "evil")
    text = (folder / "applications.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+44 1234" in text
    assert "\n=" not in text and ",=" not in text


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("which", ["demo", "synth", "evil", "pins", "clusters"])
def test_round_trip(tmp_path: Path, fmt: str, which: str) -> None:
    from inventory.load import load_estate

    if which == "demo":
        e = demo_estate()
    elif which == "synth":
        e = synth_estate(150, 9, horizon_start="2025-07", horizon_months=30)
    elif which == "evil":
        e = _evil_estate()
    else:
        e = synth_estate(20, 1)
        apps = list(e.applications)
        apps[0] = Application(apps[0].app_id, "Ünïcode — £ name", "", "low", True, 12.5,
                              (1, 12), "2026-06", "2029-01")
        e = replace(e, applications=tuple(apps),
                    settings=replace(e.settings, carbon_price=123.45, discount_rate=0.04,
                                     grid_kg_per_kwh=0.2),
                    pins=(Pin(apps[1].app_id, None, start="2026-09"),))
    if which == "clusters":  # issue 19's columns: cluster, SQL, in use, residency, policies
        e = synth_estate(20, 1)
        servers = [replace(s, cluster="CL", sockets=2.0, cores=24.0) if s.kind == "host"
                   else replace(s, in_use_gb=12.5, sql_edition="standard", sql_cores=4.0)
                   if s.kind == "virtual" else s for s in e.servers]
        apps = [replace(a, data_residency="uk") for a in e.applications]
        sites = [replace(x, country="GB") for x in e.sites]
        e = replace(e, servers=tuple(servers), applications=tuple(apps), sites=tuple(sites),
                    settings=replace(e.settings, unsupported_os_policy="esu",
                                     unsupported_os_grace_months=3, ha_spare_hosts=2,
                                     vcpus_per_core=3.0))
        assert any(s.cluster for s in e.servers)
    path = tmp_path / ("e.xlsx" if fmt == "xlsx" else "e")
    loaded = load_estate(write_estate(e, path))
    assert loaded == e


def test_bad_targets(tmp_path: Path) -> None:
    e = synth_estate(4, 0)
    for bad in ("x.csv", "x.xls"):
        with pytest.raises(EstateError, match="xlsx"):
            write_estate(e, tmp_path / bad)
    (tmp_path / "d.xlsx").mkdir()
    with pytest.raises(EstateError, match="folder"):
        write_estate(e, tmp_path / "d.xlsx")
    (tmp_path / "file").write_text("x")
    with pytest.raises(EstateError):
        write_estate(e, tmp_path / "file")


def test_cli_demo_and_synth(tmp_path: Path) -> None:
    from estate.cli import main

    runner = CliRunner()
    out = tmp_path / "demo.xlsx"
    r = runner.invoke(main, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and "applications: 300" in r.output
    r = runner.invoke(main, ["synth", "--apps", "30", "--seed", "4", "--out",
                             str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "s" / "applications.csv").exists() and "applications: 30" in r.output
    r = runner.invoke(main, ["synth", "--apps", "30", "--out", str(tmp_path / "s.csv")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    r = runner.invoke(main, ["synth", "--apps", "0"])
    assert r.exit_code == 2
    from estate.months import next_april
    from inventory.load import load_estate

    assert load_estate(out) == demo_estate()
    assert load_estate(tmp_path / "s") == synth_estate(30, 4, horizon_start=next_april())
