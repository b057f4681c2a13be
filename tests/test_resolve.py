"""resolve: every blank filled, every filled path listed, overrides honoured."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from estate.errors import EstateError
from estate.model import Application, Estate, Option, Server, Settings, Site, Team
from estate.resolve import out_of_support, resolve


def raw(**settings: object) -> Estate:
    s = Settings("2025-04", horizon_months=36, **settings)  # 2025-04 .. 2028-03
    return Estate(
        settings=s,
        sites=(Site("DC1", "on_prem"), Site("CO", "colo", pue=1.3, power_price_per_kwh=0.2),
               Site("AZ", "cloud", name="Azure UK South")),
        applications=(Application("A1", "Payroll"), Application("A2", "CRM"),
                      Application("A3", "Old", must_finish_by="2027-01")),
        servers=(
            Server("H1", "DC1", "host", vcpus=32, ram_gb=512, os="VMware ESXi 7.0 U3"),
            Server("V1", "DC1", "virtual", host_id="H1", vcpus=4, ram_gb=16, storage_gb=0,
                   os="Microsoft Windows Server 2012 R2 (64-bit)", app_ids=("A1",)),
            Server("P1", "CO", "physical", watts=300, replacement_cost=5000,
                   embodied_kgco2e=900, os="CentOS 7", os_end_of_support="2026-06",
                   app_ids=("A2", "A3")),
        ),
        options=(Option("A2", "rehost", "AZ", 2, 1000, 50, 5),
                 Option("A2", "retain")),
    )


def test_fills_every_blank_and_lists_the_paths() -> None:
    est = resolve(raw())
    assert est.resolved
    s = est.settings
    assert s.carbon_price == pytest.approx(273.25)  # central 2025
    assert s.grid_by_year == pytest.approx({2025: 0.177, 2026: 0.1516, 2027: 0.1262,
                                            2028: 0.1008})
    assert est.grid_factor(2027) == pytest.approx(0.1262)
    site = est.site_by_id
    assert (site["DC1"].pue, site["DC1"].power_price_per_kwh) == (1.8, 0.26)
    assert (site["CO"].pue, site["CO"].power_price_per_kwh) == (1.3, 0.2)  # given: kept
    assert (site["AZ"].pue, site["AZ"].power_price_per_kwh) == (1.18, 0.0)
    for srv in est.servers:
        assert srv.watts is not None and srv.replacement_cost is not None
        assert srv.embodied_kgco2e is not None
    srv = est.server_by_id
    assert srv["H1"].watts == pytest.approx(100 + 6 * 32 + 0.375 * 512)
    assert srv["V1"].watts == pytest.approx(14.752)
    assert srv["V1"].os_end_of_support == "2023-10"
    assert srv["H1"].os_end_of_support == "2025-10"
    assert (srv["P1"].watts, srv["P1"].os_end_of_support) == (300, "2026-06")  # given: kept
    assert est.teams == (Team("migration", 60.0),)
    gen = [o for o in est.options if o.generated]
    assert [(o.app_id, o.strategy) for o in gen] == [
        ("A1", "retain"), ("A1", "rehost"), ("A3", "retain"), ("A3", "rehost")]
    assert len(est.options) == 6
    assert set(est.estimated) == {
        "settings.carbon_price", *(f"settings.grid_kg_per_kwh.{y}" for y in range(2025, 2029)),
        "sites.DC1.pue", "sites.DC1.power_price_per_kwh",
        "sites.AZ.pue", "sites.AZ.power_price_per_kwh",
        "servers.H1.watts", "servers.H1.replacement_cost", "servers.H1.embodied_kgco2e",
        "servers.H1.os_end_of_support",
        "servers.V1.watts", "servers.V1.replacement_cost", "servers.V1.embodied_kgco2e",
        "servers.V1.os_end_of_support",
        "sites.DC1.monthly_fixed_cost", "sites.CO.monthly_fixed_cost",
        *(f"applications.{a}.current_monthly_cost" for a in ("A1", "A2", "A3")),
        "options.A1.retain", "options.A1.rehost@AZ", "options.A3.retain",
        "options.A3.rehost@AZ"}
    # a cloud site's blank fixed cost is 0 by rule, not an estimate
    assert site["AZ"].monthly_fixed_cost == 0.0


def test_assumptions_block() -> None:
    est = resolve(raw())
    a = est.assumptions
    json.dumps(a)  # JSON-ready
    assert a["estimated"] == list(est.estimated)
    assert a["reference_version"] == "2026.2"
    assert a["settings"]["carbon_price"] == pytest.approx(273.25)
    assert a["settings"]["grid_by_year"]["2026"] == pytest.approx(0.1516)
    assert a["sites"]["DC1"] == {"pue": 1.8, "power_price_per_kwh": 0.26,
                                 "grid_kg_per_kwh": None,
                                 "monthly_fixed_cost": est.site_by_id["DC1"].monthly_fixed_cost}
    assert a["applications"]["A1"]["current_monthly_cost"] == pytest.approx(
        est.app_by_id["A1"].current_monthly_cost)
    staying = a["cost_of_staying"]
    assert set(staying["per_year"]) >= {"labour", "facilities", "hardware_refresh"}
    assert staying["applications"]["A1"]["labour"] > 0
    assert set(a["servers"]["P1"]) >= {"watts", "replacement_cost", "embodied_kgco2e"}
    assert [(o["app_id"], o["strategy"]) for o in a["options"]][:2] == [
        ("A1", "retain"), ("A1", "rehost")]
    rebuilt = [Option(**o) for o in a["options"]]  # a checker can rebuild them
    assert rebuilt == [o for o in est.options if o.generated]


def test_resolving_twice_returns_the_same_estate() -> None:
    once = resolve(raw())
    assert resolve(once) is once


def test_settings_override_changes_resolved_figures() -> None:
    est = resolve(raw(extra={"pue.on_prem": "2.0", "power_price_per_kwh": "£0.25",
                             "carbon_price.central.2025": "300", "grid.2026": "0.1"}))
    assert est.site_by_id["DC1"].pue == 2.0
    assert est.site_by_id["DC1"].power_price_per_kwh == 0.25
    assert est.settings.carbon_price == 300
    assert est.settings.grid_by_year[2026] == 0.1
    assert est.assumptions["settings"]["extra"]["pue.on_prem"] == "2.0"


def test_grid_and_carbon_price_settings() -> None:
    est = resolve(raw(grid_kg_per_kwh=0.2, carbon_price=0.0))
    assert set(est.settings.grid_by_year.values()) == {0.2}
    assert est.settings.carbon_price == 0.0
    assert not any(p.startswith("settings.") for p in est.estimated)
    est = resolve(raw(grid_kg_per_kwh={2026: 0.15}))
    assert est.settings.grid_by_year[2026] == 0.15
    assert est.settings.grid_by_year[2027] == pytest.approx(0.1262)
    assert "settings.grid_kg_per_kwh.2026" not in est.estimated
    assert "settings.grid_kg_per_kwh.2027" in est.estimated
    est = resolve(raw(extra={"carbon_price_series": "high"}))
    assert est.settings.carbon_price == pytest.approx(273.25 * 1.5)


def test_horizon_beyond_the_table_holds_the_last_year() -> None:
    est = resolve(replace(raw(), settings=Settings("2034-01", horizon_months=48)))
    assert est.settings.grid_by_year[2037] == pytest.approx(0.020)
    assert list(est.settings.grid_by_year) == [2034, 2035, 2036, 2037]


def test_unknown_setting_is_an_error_naming_sheet_and_key() -> None:
    est = replace(raw(extra={"pue.on_prim": "2.0", "pue.colo": "0.9"}),
                  source="estate.xlsx", rows={("settings", "pue.on_prim"): 7})
    with pytest.raises(EstateError) as exc:
        resolve(est)
    issues = exc.value.issues
    assert len(issues) == 2
    first = issues[0]
    assert (first.file, first.sheet, first.row) == ("estate.xlsx", "settings", 7)
    assert "pue.on_prim" in first.message and "pue.on_prem" in first.message  # suggestion
    assert "delete the row" in first.message
    assert "at least 1.0" in issues[1].message


def test_reference_file_override(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "council.toml"
    f.write_text("power_price_per_kwh = 0.21\n")
    est = resolve(raw(), f)
    assert est.site_by_id["DC1"].power_price_per_kwh == 0.21
    assert est.assumptions["reference_version"] == "2026.2+council.toml"


def test_out_of_support_and_deadline() -> None:
    est = raw()
    # at 2025-04: V1 (Windows 2012 R2, 2023-10) is out; its host H1 (ESXi 7.0, 2025-10) not yet;
    # P1 given 2026-06: not yet.
    assert out_of_support(est) == [
        ("A1", "V1", "Microsoft Windows Server 2012 R2 (64-bit)", "2023-10")]
    later = replace(est, settings=Settings("2026-06"))
    assert [(a, s) for a, s, *_ in out_of_support(later)] == [
        ("A1", "H1"), ("A1", "V1"), ("A2", "P1"), ("A3", "P1")]
    res = resolve(replace(later, settings=Settings("2026-06", extra={
        "os_eos_must_finish_months": "12"})))
    apps = res.app_by_id
    assert apps["A1"].must_finish_by == "2027-06"
    assert apps["A2"].must_finish_by == "2027-06"
    assert apps["A3"].must_finish_by == "2027-01"  # its own deadline is kept
    assert "applications.A1.must_finish_by" in res.estimated
    assert "applications.A3.must_finish_by" not in res.estimated
    with pytest.raises(EstateError, match="whole number"):
        resolve(replace(est, settings=Settings("2025-04", extra={
            "os_eos_must_finish_months": "soon"})))
