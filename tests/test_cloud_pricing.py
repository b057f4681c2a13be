"""Cloud pricing bases per site, providers, Azure Hybrid Benefit and the exchange rate.

Every estate here pins the reference values the hand-worked figures rest on
(labour, backup, network share, licences) in its settings sheet, so that a
change of those figures elsewhere in the reference data does not move them.
Cloud VM prices are stored in USD a month and converted at 1.27 USD/GBP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_solver_factory import run

from estate.cloudprice import CloudTerms, price_provider, site_provider
from estate.errors import EstateError
from estate.estimate import rehost_monthly
from estate.model import Application, Estate, Server, Settings, Site
from estate.reference import load_reference
from estate.resolve import resolve
from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.greedy import greedy

#: Reference values pinned: no cloud labour, backup, monitoring or network share,
#: the v2026.2 Windows licence figures and a £1,000 rehost one-off (in house).
PIN = {"labour.cloud_fraction_rehost": "0", "cloud_backup.instance_small": "0",
       "cloud_backup.instance_per_500gb": "0", "cloud_backup.storage_per_gb_month": "0",
       "cloud_monitoring.per_vm_month": "0", "network.share_of_compute_storage": "0",
       "os_licence.windows_2core_pack": "105.22", "os_licence.amortisation_years": "5",
       "os_licence.software_assurance_fraction": "0.25", "sql_server.min_cores": "4",
       "cloud.price_level": "1", "migration.partner_share": "0",
       "migration.rehost_in_house_per_vm": "1000", "migration.small_max_vcpus": "4",
       "migration.effort_days_per_server": "1"}
LINUX, WINDOWS = "Ubuntu Linux 22.04 (64-bit)", "Microsoft Windows Server 2019 (64-bit)"


def _sites() -> tuple[Site, ...]:
    return (Site("DC1", "on_prem", pue=1.0, power_price_per_kwh=0.0, monthly_fixed_cost=0.0),
            Site("AZ", "cloud", name="Azure UK South"), Site("AWS-LDN", "cloud"),
            Site("GCP1", "cloud", name="Google London"), Site("C9", "cloud", name="Cloud 9"))


def _server(sid: str, app: str, os: str, **kw: Any) -> Server:
    return Server(sid, "DC1", "virtual", vcpus=2, ram_gb=8, storage_gb=0, os=os,
                  watts=0.0, replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(app,), **kw)


def _raw(servers: tuple[Server, ...], apps: tuple[Application, ...], horizon: int = 36,
         sites: tuple[Site, ...] | None = None, **extra: str) -> Estate:
    st = Settings("2025-04", horizon_months=horizon, discount_rate=0.0, carbon_price=0.0,
                  extra={**PIN, **extra})
    return Estate(settings=st, sites=sites or _sites(), applications=apps, servers=servers)


def _one(cost: float = 0.0) -> tuple[tuple[Server, ...], tuple[Application, ...]]:
    """One Linux VM (2 vCPU, 8 GB, no disk) serving A1."""
    return (_server("V1", "A1", LINUX),), (Application("A1", "A1", current_monthly_cost=cost),)


def _rehost(est: Estate, app: str) -> dict[str, float]:
    return {o.target_site or "": o.monthly_cost for o in est.options
            if o.app_id == app and o.strategy == "rehost"}


def test_provider_comes_from_the_site_id_or_name() -> None:
    sites = {s.site_id: s for s in _sites()}
    assert [site_provider(sites[k]) for k in ("AZ", "AWS-LDN", "GCP1", "C9", "DC1")] == [
        "azure", "aws", "google", None, None]
    assert price_provider(sites["C9"]) == "azure"  # a cloud naming none: Azure prices


def test_each_basis_per_site_hand_worked() -> None:
    # One Linux VM, 2 vCPU / 8 GB, no disk: monthly = the VM alone (pins above).
    # cloud_pricing payg for every site, savings_plan_3y at AWS-LDN, reserved_1y at GCP1:
    #   AZ   D2s v5 payg          USD 87.15 / 1.27 = 68.6220
    #   AWS  m6i.large SP 3y      USD 81.03 x 0.50 = 40.52 / 1.27 = 31.9055
    #   GCP  n2-standard-2 CUD 1y USD 91.323 x 0.63 = 57.53 / 1.27 = 45.2992
    #   C9   (no provider named: Azure) payg = 68.6220
    est = resolve(_raw(*_one(),
                       **{"cloud_pricing": "payg", "cloud_pricing.AWS-LDN": "savings_plan_3y",
                          "cloud_pricing.GCP1": "reserved_1y"}))
    got = _rehost(est, "A1")
    assert got == pytest.approx({"AZ": 87.15 / 1.27, "AWS-LDN": 40.52 / 1.27,
                                 "GCP1": 57.53 / 1.27, "C9": 87.15 / 1.27})
    # cheapest first
    firsts = [o.target_site for o in est.options if o.strategy == "rehost"]
    assert firsts[0] == "AWS-LDN"
    assert est.assumptions["cloud_pricing"]["sites"]["GCP1"] == {"provider": "google",
                                                                  "basis": "reserved_1y"}


@pytest.mark.parametrize(("basis", "usd"), [
    ("payg", 87.15), ("reserved_1y", 54.03), ("reserved_3y", 33.12),
    ("savings_plan_1y", 57.52), ("savings_plan_3y", 38.35)])
def test_every_basis_of_an_azure_site(basis: str, usd: float) -> None:
    # the default (no cloud_pricing row) is reserved_3y: USD 87.15 x 0.38 = 33.12
    extra = {} if basis == "reserved_3y" else {"cloud_pricing.AZ": basis}
    est = resolve(_raw(*_one(),
                       **extra))
    assert _rehost(est, "A1")["AZ"] == pytest.approx(usd / 1.27)


def test_usd_per_gbp_setting_converts_every_usd_price() -> None:
    est = resolve(_raw(*_one(),
                       usd_per_gbp="1.25", cloud_pricing="payg"))
    got = _rehost(est, "A1")
    assert got["AZ"] == pytest.approx(87.15 / 1.25)
    assert got["AWS-LDN"] == pytest.approx(81.03 / 1.25)
    ref = est.assumptions["reference"]["cloud.usd_per_gbp"]
    assert ref["value"] == 1.25 and ref["source"] == "settings sheet"


def test_azure_hybrid_benefit_on_and_off_for_a_windows_vm() -> None:
    # Windows Server 2019, 2 vCPU: 8-core minimum = 4 packs x 105.22 = 420.88.
    # With Software Assurance at Azure (payg): the licence travels, VM at the Linux rate:
    #   68.6220 + 420.88 x (1/5 + 0.25) / 12 (15.7830)                    = 84.4050
    # Without: Azure charges Windows, USD 0.046 x 2 vCPU x 730 h = 67.16 = 52.8819 a month
    #   68.6220 + 52.8819                                                  = 121.5039
    # AWS never takes Windows licences on shared tenancy: licence-included either way
    #   m6i.large 81.03 / 1.27 (63.8031) + 52.8819                         = 116.6850
    def priced(**extra: str) -> Estate:
        return resolve(_raw((_server("W1", "A1", WINDOWS),), (Application("A1", "A1"),),
                            cloud_pricing="payg", **extra))
    held, not_held = priced(), priced(software_assurance="no")
    assert _rehost(held, "A1")["AZ"] == pytest.approx(84.4050, abs=1e-4)
    assert _rehost(not_held, "A1")["AZ"] == pytest.approx(121.5039, abs=1e-4)
    assert _rehost(held, "A1")["AWS-LDN"] == pytest.approx(116.6850, abs=1e-4)
    assert _rehost(not_held, "A1")["AWS-LDN"] == pytest.approx(116.6850, abs=1e-4)
    # staying without Software Assurance pays no assurance: 420.88 x 0.25 / 12 = 8.7683 less
    stay = [e.app_by_id["A1"].current_monthly_cost or 0.0 for e in (held, not_held)]
    assert stay[0] - stay[1] == pytest.approx(8.7683, abs=1e-4)
    assert not_held.assumptions["cloud_pricing"]["software_assurance"] is False


def test_sql_server_licence_with_and_without_software_assurance() -> None:
    # SQL Server Standard on a 2-vCPU Linux VM (no Windows licence), Azure payg.
    # Held: the SQL licence travels: 4-core minimum = 2 packs x 3,106.30 = 6,212.60;
    #   x (1/5 + sql assurance 0.25) / 12 = 232.9725 on top of 68.6220      = 301.5945
    # Not held: USD 0.10 x max(2, 4) x 730 = 292 / 1.27 = 229.9213           = 298.5433
    def priced(**extra: str) -> float:
        srv = _server("S1", "A1", LINUX, sql_edition="standard")
        est = resolve(_raw((srv,), (Application("A1", "A1"),), cloud_pricing="payg",
                           **{"sql_server.standard_2core_pack": "3106.30",
                              "sql_server.software_assurance_fraction": "0.25"}, **extra))
        return _rehost(est, "A1")["AZ"]
    assert priced() == pytest.approx(301.5945, abs=1e-4)
    assert priced(software_assurance="no") == pytest.approx(298.5433, abs=1e-4)


def test_aws_site_is_priced_from_the_aws_rows() -> None:
    ref = load_reference()
    srv = _server("V1", "A1", LINUX)
    aws = CloudTerms("aws", "payg")
    base, _ = rehost_monthly(srv, aws, ref.with_overrides(
        {k: float(v) for k, v in PIN.items()}, "test"))
    assert base == pytest.approx(81.03 / 1.27)
    # a quote for the AWS instance moves the AWS option only
    quoted = resolve(_raw((srv,), (Application("A1", "A1"),), cloud_pricing="payg",
                          **{"cloud.vm_aws.m6i_large.payg": "50.8"}))
    got = _rehost(quoted, "A1")
    assert got["AWS-LDN"] == pytest.approx(50.8 / 1.27)
    assert got["AZ"] == pytest.approx(87.15 / 1.27)


@pytest.mark.parametrize(("key", "value", "words"), [
    ("cloud_pricing", "reserved_5y", "cloud_pricing must be one of payg, reserved_1y, "
                                     "reserved_3y, savings_plan_1y, savings_plan_3y"),
    ("cloud_pricing.DC1", "payg", "'DC1' is a on_prem site, not a cloud site"),
    ("cloud_pricing.NOPE", "payg", "'NOPE' is not a site"),
    ("software_assurance", "maybe", "software_assurance must be yes or no"),
    ("usd_per_gbp", "0", "usd_per_gbp is an exchange rate"),
])
def test_bad_setting_is_an_error(key: str, value: str, words: str) -> None:
    with pytest.raises(EstateError) as err:
        resolve(_raw((_server("V1", "A1", LINUX),), (Application("A1", "A1"),),
                     **{key: value}))
    assert words in str(err.value)


def test_bad_settings_name_sheet_row_and_column_and_write_nothing(tmp_path: Path) -> None:
    from estate.cli import main
    from inventory.writer import write_estate

    raw = _raw(*_one(100.0),
               **{"cloud_pricing.AZ": "reserved_5y", "software_assurance": "perhaps"})
    wb = tmp_path / "estate.xlsx"
    write_estate(raw, wb)
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["plan", str(wb), "--out", str(out), "--time-limit", "5",
                                    "--workers", "1"])
    assert res.exit_code != 0
    text = res.output
    assert "Traceback" not in text
    assert "sheet settings" in text and "cloud_pricing.az must be one of payg" in text
    assert "software_assurance must be yes or no" in text  # all errors at once
    # the settings rows: the planning settings first, then the extras in order
    import openpyxl

    ws = openpyxl.load_workbook(wb)["settings"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    assert f"row {rows['cloud_pricing.AZ']}, column value: cloud_pricing" in text
    assert f"row {rows['software_assurance']}, column value: software" in text
    assert not out.exists() or not any(out.iterdir())


def _agreement_estate() -> Estate:
    sites = tuple(s for s in _sites() if s.site_id in ("DC1", "AZ", "AWS-LDN"))
    raw = _raw((_server("V1", "A1", LINUX), _server("W2", "A2", WINDOWS)),
               (Application("A1", "A1", current_monthly_cost=200.0),
                Application("A2", "A2", current_monthly_cost=30.0)),
               horizon=12, sites=sites, **{"cloud_pricing.AWS-LDN": "payg"})
    return resolve(raw)


def test_planner_greedy_and_check_agree_with_a_reserved_3y_site() -> None:
    """12 months from 2025-04, no discounting, carbon price 0, servers draw nothing.

    A1: Linux 2 vCPU, £200 a month now. Rehost to AZ (default reserved_3y):
    D2s v5 USD 33.12 / 1.27 = 26.0787 a month, one-off £1,000, 1 month in
    flight; at AWS-LDN (cloud_pricing.AWS-LDN = payg) m6i.large 63.8031.
    Best: AZ from month 0, live month 1: 1,000 + 200 + 11 x 26.0787 = 1,486.8661
    (staying: 2,400; AWS-LDN: 1,000 + 200 + 11 x 63.8031 = 1,901.8346).
    A2: Windows 2 vCPU, £30 a month now. AZ: 26.0787 + 15.7830 (licence
    travels) = 41.8617 a month: 1,000 + 30 + 11 x 41.8617 = 1,490.48 > staying
    360. AWS-LDN: 63.8031 + 52.8819 dearer still. A2 stays.
    Optimum: 1,486.8661 + 360 = 1,846.8661.
    """
    e = _agreement_estate()
    assert _rehost(e, "A1") == pytest.approx({"AZ": 33.12 / 1.27, "AWS-LDN": 81.03 / 1.27})
    r = run(e)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(1846.8661, abs=1e-3)
    chosen = {a.app_id: (a.strategy, a.target_site) for a in r.plan.applications}
    assert chosen == {"A1": ("rehost", "AZ"), "A2": ("retain", "DC1")}
    ev = evaluate(e, r.plan.decisions)
    assert ev.totals.objective == pytest.approx(r.objective, abs=0.005)
    assert compare_plan(e, r.plan) == []
    _, g = greedy(e)
    assert g is not None and r.plan.greedy is not None
    assert g.totals.objective == pytest.approx(r.plan.greedy.objective, abs=0.005)


def test_scenarios_set_a_site_basis_and_software_assurance() -> None:
    from estate.scenario import Override, Scenario, scenario_estate

    raw = _raw((_server("W1", "A1", WINDOWS),), (Application("A1", "A1"),),
               **{"cloud_pricing.AZ": "reserved_1y"})
    s = Scenario("no SA, AZ payg", (Override("software_assurance", "no"),
                                    Override("cloud_pricing.az", "PAYG")), source="s.toml")
    e = scenario_estate(raw, s)
    # Azure payg without Hybrid Benefit: 68.6220 + 52.8819 (see the test above)
    assert _rehost(e, "A1")["AZ"] == pytest.approx(121.5039, abs=1e-4)
    # a scenario's cloud_pricing applies to every site: the workbook's AZ row gives way
    e = scenario_estate(raw, Scenario("all 3y", (Override("cloud_pricing", "reserved_3y"),),
                                      source="s.toml"))
    assert e.assumptions["cloud_pricing"]["sites"]["AZ"]["basis"] == "reserved_3y"
    with pytest.raises(EstateError) as err:
        scenario_estate(raw, Scenario("bad", (Override("cloud_pricing.DC1", "payg"),
                                              Override("software_assurance", "maybe")),
                                      source="s.toml"))
    assert "unknown cloud site 'DC1'" in str(err.value)
    assert "must be yes or no" in str(err.value)


def test_the_board_reads_how_cloud_moves_were_priced(tmp_path: Path) -> None:
    from report_audit import board_words, visible_text

    from reports.roadmap import write_roadmap

    e = _agreement_estate()
    r = run(e)
    page = visible_text(write_roadmap(e, r.plan, tmp_path / "roadmap.html"))
    said = ("Cloud moves the planner estimated: list prices with 3-year reservations at AZ "
            "(Azure); pay-as-you-go prices at AWS-LDN (AWS); Windows Server and SQL Server "
            "licences move with the servers (Software Assurance held).")
    assert said in page
    assert board_words("roadmap.html", said) == []


def test_bad_settings_come_with_the_other_errors(tmp_path: Path) -> None:
    """A bad settings value is reported in the same run as an error elsewhere
    (here a server on a site that does not exist), not only once that is fixed."""
    from dataclasses import replace

    from estate.cli import main
    from inventory.writer import write_estate

    servers, apps = _one(100.0)
    servers = (replace(servers[0], site_id="NOWHERE"),)
    raw = _raw(servers, apps, cloud_pricing="reserved_5y")
    wb = tmp_path / "estate.xlsx"
    write_estate(raw, wb)
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["plan", str(wb), "--out", str(out), "--time-limit", "5",
                                    "--workers", "1"])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "NOWHERE" in res.output  # the structural error
    assert "cloud_pricing must be one of payg" in res.output  # and the setting, at once
    assert not out.exists()
    res = CliRunner().invoke(main, ["validate", str(wb)])
    assert res.exit_code != 0
    assert "NOWHERE" in res.output and "cloud_pricing must be one of payg" in res.output
