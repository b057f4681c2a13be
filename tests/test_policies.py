"""The council's policies as rules, each on a one-application estate worked by
hand (12 months from 2025-04, no discounting, carbon price 0): data residency
and the unsupported-OS policy (flag / esu / forbid). Planner, greedy and
``estate check`` (:func:`solver.check.compare_plan`) must agree to the penny."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from test_solver_factory import app, make_estate, moved, opt, run, site

from estate.model import Estate, Server, Site
from estate.plan import Decision
from estate.policy import residency_allows, site_country
from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.greedy import greedy_decisions


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def agree(e: Estate, r: Any) -> None:
    """Planner and check agree exactly; the greedy plan, when there is one, is
    re-evaluated to the same totals as the plan reports."""
    assert r.status == "optimal"
    assert not compare_plan(e, r.plan)
    dec = greedy_decisions(e)
    if dec is not None:
        ev = evaluate(e, dec)
        assert r.plan.greedy is not None
        assert ev.totals.objective == approx(r.plan.greedy.objective)


# -- residency ------------------------------------------------------------------
SITES = [site("DC"), Site("EU-NE", "cloud", name="Azure northeurope", pue=1.0,
                          power_price_per_kwh=0.0, monthly_fixed_cost=0.0),
         Site("UK-S", "cloud", name="Azure uksouth", pue=1.0, power_price_per_kwh=0.0,
              monthly_fixed_cost=0.0)]


def _residency_estate(residency: str, **kw: Any) -> Estate:
    # A costs £100 a month as it is. Rehost to northeurope (IE) £10 a month,
    # to uksouth (GB) £40 a month, each one month in flight, no one-off.
    return make_estate([app("A", 100.0, data_residency=residency)],
                       [opt("A", "retain"), opt("A", target="EU-NE", monthly=10.0),
                        opt("A", target="UK-S", monthly=40.0)], sites=SITES, **kw)


def test_site_countries() -> None:
    assert [site_country(s) for s in SITES] == ["GB", "IE", "GB"]
    assert site_country(Site("X", "cloud")) is None
    assert site_country(Site("X", "cloud", country="FR")) == "FR"
    e = _residency_estate("eu")
    assert residency_allows(e, "A", "EU-NE") and residency_allows(e, "A", "UK-S")
    assert not residency_allows(replace(e, sites=(*e.sites, Site("US", "cloud",
                                                                 name="eastus"))), "A", "US")


def test_residency_changes_the_optimum() -> None:
    # any: northeurope live from month 1: 100 + 11 × 10 = 210.
    # uk: northeurope is refused; uksouth: 100 + 11 × 40 = 540 (retain 1,200).
    e = _residency_estate("any")
    r = run(e)
    assert r.plan.applications[0].target_site == "EU-NE" and r.objective == approx(210.0)
    agree(e, r)
    e = _residency_estate("uk")
    r = run(e)
    assert moved(r) == {"A": ("rehost", "2025-04", "2025-05")}
    assert r.plan.applications[0].target_site == "UK-S" and r.objective == approx(540.0)
    agree(e, r)
    dec = greedy_decisions(e)
    assert dec is not None and dec[0].target_site == "UK-S"


def test_check_names_a_residency_breach() -> None:
    e = _residency_estate("uk")
    ev = evaluate(e, [Decision("A", "rehost", target_site="EU-NE", start="2025-04")])
    assert any(v.rule == "residency" and v.ids == ("A", "EU-NE") for v in ev.violations), \
        ev.violations


def test_residency_infeasible_names_the_rule() -> None:
    # A must move by 2025-06 and its only move goes to Ireland.
    e = make_estate([app("A", 100.0, data_residency="uk", must_finish_by="2025-06")],
                    [opt("A", target="EU-NE", monthly=10.0)], sites=SITES)
    r = run(e)
    assert r.status == "infeasible"
    got = {(c.rule, c.ids) for c in r.plan.conflicts}
    assert ("residency", ("A", "EU-NE")) in got, r.plan.conflicts
    assert ("must_finish", ("A",)) in got, r.plan.conflicts


# -- unsupported operating systems --------------------------------------------------
def _os_estate(policy: str, grace: int = 0, esu: dict[str, Any] | None = None) -> Estate:
    # A (£100 a month) runs on S1, Windows Server 2012 out of support from 2025-07
    # (month 3). Rehost: one month in flight, £600 one-off, £60 a month after.
    srv = Server("S1", "DC", "physical", os="Windows Server 2012",
                 os_end_of_support="2025-07", watts=0.0, replacement_cost=0.0,
                 embodied_kgco2e=0.0, app_ids=("A",))
    e = make_estate([app("A", 100.0)], [opt("A", "retain"),
                                        opt("A", one_off=600.0, monthly=60.0)],
                    servers=[srv], unsupported_os_policy=policy,
                    unsupported_os_grace_months=grace)
    return replace(e, assumptions={"esu": esu}) if esu else e


def test_flag_keeps_the_cheapest() -> None:
    # retain 12 × 100 = 1,200 < move at L=1: 100 + 600 + 11 × 60 = 1,360.
    e = _os_estate("flag")
    r = run(e)
    assert r.plan.applications[0].strategy == "retain" and r.objective == approx(1200.0)
    agree(e, r)


def test_forbid_changes_the_optimum() -> None:
    # forbid, grace 0: D(S1) = L(A) <= 3. Cost 600 + 100 L + 60 (12 - L) is
    # least at L = 1: 1,360 (retain, L = H = 12 > 3, is not allowed).
    e = _os_estate("forbid")
    r = run(e)
    assert moved(r) == {"A": ("rehost", "2025-04", "2025-05")}
    assert r.objective == approx(1360.0)
    agree(e, r)
    ev = evaluate(e, [Decision("A", "retain")])
    assert any(v.rule == "unsupported_os" and v.ids == ("S1",) for v in ev.violations)


def test_forbid_grace_past_the_horizon_allows_staying() -> None:
    # grace 12: D <= 15 >= H, so retaining (D = 12) is allowed again: 1,200.
    e = _os_estate("forbid", grace=12)
    r = run(e)
    assert r.plan.applications[0].strategy == "retain" and r.objective == approx(1200.0)
    agree(e, r)


def test_forbid_with_no_move_is_infeasible() -> None:
    e = make_estate([app("A", 100.0)], [opt("A", "retain")],
                    servers=[Server("S1", "DC", "physical", os="Windows Server 2012",
                                    os_end_of_support="2025-07", watts=0.0,
                                    replacement_cost=0.0, embodied_kgco2e=0.0,
                                    app_ids=("A",))],
                    unsupported_os_policy="forbid")
    r = run(e)
    assert r.status == "infeasible"
    assert ("unsupported_os", ("S1",)) in {(c.rule, c.ids) for c in r.plan.conflicts}


def test_esu_pays_while_it_stays() -> None:
    # esu: £50 a month from month 3 while S1 is in service. Retain: 1,200 +
    # 9 × 50 = 1,650 > moving at L=1 (D = 1, nothing due): 1,360.
    e = _os_estate("esu", esu={"S1": [[3, 15, 50.0], [15, 27, 100.0]]})
    r = run(e)
    assert moved(r) == {"A": ("rehost", "2025-04", "2025-05")}
    assert r.objective == approx(1360.0)
    agree(e, r)
    ev = evaluate(e, [Decision("A", "retain")])
    assert sum(ev.ledger.cost["server_esu"]) == approx(450.0)
    assert ev.totals.cost == approx(1650.0)
    # moving at L = 5 pays months 3 and 4: 2 × 50
    ev = evaluate(e, [Decision("A", "rehost", target_site="CLOUD", start="2025-08")])
    assert sum(ev.ledger.cost["server_esu"]) == approx(100.0)


# -- residency in the workbook ----------------------------------------------------
def _book(tmp_path: Any, pins: str = "") -> Any:
    d = tmp_path / "wb"
    d.mkdir()
    (d / "settings.csv").write_text("key,value\nhorizon_start,2025-04\nhorizon_months,12\n")
    (d / "sites.csv").write_text("site_id,name,kind,country\nDC1,Civic,on_prem,\n"
                                 "AZ-NE,Azure northeurope,cloud,\nAZ-UKS,Azure uksouth,cloud,\n"
                                 "AWS-X,Somewhere,cloud,\n")
    (d / "applications.csv").write_text(
        "app_id,name,current_monthly_cost,data_residency\nA1,Housing,100,uk\n"
        "A2,Libraries,100,\nA3,Payroll,100,eu\n")
    (d / "servers.csv").write_text("server_id,site_id,kind,vcpus,ram_gb,app_ids\n"
                                   "S1,DC1,virtual,2,8,A1\nS2,DC1,virtual,2,8,A2\n"
                                   "S3,DC1,virtual,2,8,A3\n")
    (d / "options.csv").write_text(
        "app_id,strategy,target_site,duration_months,monthly_cost\nA1,retain,,,\n"
        "A1,rehost,AZ-NE,1,10\nA1,rehost,AZ-UKS,1,40\n")
    if pins:
        (d / "pins.csv").write_text(pins)
    return d


def test_validate_names_refused_options_and_generated_ones_stay_inside(tmp_path: Any) -> None:
    from estate.resolve import resolve
    from inventory.load import load_workbook

    res = load_workbook(_book(tmp_path))
    assert res.estate is not None
    warn = [n for n in res.notices if "data_residency" in n.message]
    assert any("row 3: A1 rehost to AZ-NE" in n.message and n.column == "target_site"
               for n in warn), [n.message for n in warn]
    assert any("AWS-X" in n.message and n.sheet == "sites" for n in warn)
    e = resolve(res.estate)
    gen = {(o.app_id, o.target_site) for o in e.options if o.generated and o.target_site}
    # A2 (any) may go anywhere; A3 (eu) to Ireland or the UK, not the unknown AWS-X
    assert ("A2", "AWS-X") in gen and ("A3", "AZ-NE") in gen and ("A3", "AZ-UKS") in gen
    assert ("A3", "AWS-X") not in gen


def test_a_pin_outside_the_residency_is_an_error(tmp_path: Any) -> None:
    from inventory.load import inspect_workbook

    res = inspect_workbook(_book(tmp_path, "app_id,strategy,target_site\nA1,rehost,AZ-NE\n"))
    assert res.estate is None
    bad = [i for i in res.issues if i.sheet == "pins"]
    assert bad and "residency" in str(bad[0]) and bad[0].column == "target_site"


def test_esu_policy_prices_updates_per_server_not_in_running_cost() -> None:
    from estate import staying
    from estate.model import Application, Estate, Settings
    from estate.model import Site as S
    from estate.resolve import resolve

    srv = Server("S1", "DC", "virtual", os="Windows Server 2012 R2", vcpus=4, ram_gb=8,
                 os_end_of_support="2023-10", sql_edition="standard", app_ids=("A",))

    def build(policy: str) -> Estate:
        return resolve(Estate(settings=Settings(horizon_start="2025-04",
                                                unsupported_os_policy=policy),
                              sites=(S("DC", "on_prem"),), applications=(
                                  Application("A", "A"),), servers=(srv,)))

    esu, flag = build("esu"), build("flag")
    costs = flag.assumptions["cost_of_staying"]["applications"]["A"]
    assert costs["extended_support"] > 0 and costs["sql_extended_support"] > 0
    assert esu.assumptions["cost_of_staying"]["applications"]["A"]["extended_support"] == 0
    # spans from the end of support (month -18): years 1-3 at 75/100/125 % of the
    # Windows (8-core minimum: 4 packs × £105.22) and SQL (2 packs × £3,106.30) licences
    win, sql = 4 * 105.22, 2 * 3106.30
    spans = esu.assumptions["esu"]["S1"]
    assert [(a, b) for a, b, _ in spans] == [(-18, -6), (-6, 6), (6, 18)]
    for (_, _, x), k in zip(spans, (0.75, 1.0, 1.25), strict=True):
        assert x == pytest.approx((win + sql) * k / 12)
    assert staying.esu_table(flag) == {}
    # the difference in running cost is what the plan now pays month by month
    assert (flag.app_by_id["A"].current_monthly_cost or 0) > (
        esu.app_by_id["A"].current_monthly_cost or 0)
