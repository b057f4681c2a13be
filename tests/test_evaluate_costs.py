"""Each cost and carbon term of docs/planning-model.md, worked out by hand.

Unless said otherwise: horizon 2025-04 + 12 months (t=0 is 2025-04, t=8 is
2025-12, t=9 is 2026-01, t=11 is 2026-03), discount rate 0, carbon price 0.
"""

from __future__ import annotations

import pytest

from estate.model import Option
from estate.plan import Decision
from solver.evaluate import baseline, evaluate
from tests.estates import app, contract, dep, make_estate, option, retain, server, site


def total(ev, cat: str) -> float:
    return sum(ev.ledger.cost[cat])


def kg(ev, cat: str) -> float:
    return sum(ev.ledger.carbon[cat])


def test_application_running_and_one_off_costs() -> None:
    # A1: current 100 while t < L, then 40. Starts 2025-06 (s=2), d=3 -> L=5.
    #     running 100*5 + 40*7 = 780; one-off 300/3 = 100 in months 2, 3, 4.
    # A2: retained, current 50 * 12 = 600 (its retain row's 999 is ignored).
    # A3: retired from 2025-04 (s=0, d=1, L=1): 70 in month 0, then 0 (the
    #     retire row's monthly 999 is ignored). One-off 20 in month 0.
    est = make_estate(
        apps=[app("A1", current_monthly_cost=100), app("A2", current_monthly_cost=50),
              app("A3", current_monthly_cost=70)],
        options=[option("A1", duration=3, one_off_cost=300, monthly_cost=40),
                 Option("A2", "retain", "DC1", monthly_cost=999, one_off_cost=999),
                 option("A3", "retire", duration=1, one_off_cost=20, monthly_cost=999)],
    )
    ev = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-06"),
                        Decision("A2", "retain"),
                        Decision("A3", "retire", target_site=None, start="2025-04")])
    assert ev.feasible, ev.violations
    assert total(ev, "applications") == pytest.approx(780 + 600 + 70)
    assert ev.ledger.cost["one_off"][:5] == pytest.approx([20, 0, 100, 100, 100])
    assert total(ev, "one_off") == pytest.approx(320)
    assert ev.totals.cost == pytest.approx(780 + 600 + 70 + 320)
    assert [a.live_from for a in ev.applications] == ["2025-09", None, "2025-05"]
    assert ev.applications[0].start == "2025-06"


def test_server_energy_on_prem_colo_and_cloud_site() -> None:
    # UK grid 0.2 in 2025, 0.1 in 2026 (months 0-8 in 2025, 9-11 in 2026).
    # S1 at DC1 (on_prem, PUE 1.5, £0.2/kWh), 100 W, serves A1 live from 5:
    #   kWh/month = 100*730/1000*1.5 = 109.5 -> £21.9, 21.9 kg; 5 months:
    #   £109.5, 109.5 kg.
    # S2 at COLO (colo, PUE 2, £0.1, own grid 0.3), 50 W, serves retained A2:
    #   kWh = 50*0.73*2 = 73 -> £7.3 and 21.9 kg a month, 12 months:
    #   £87.6, 262.8 kg.
    # S3 at CLOUD (cloud, PUE 1.2, grid 0.1), 200 W, serves retained A2:
    #   kWh = 175.2 -> £0, 17.52 kg * 12 = 210.24 kg.
    # S4 at DC1, 100 W, serves retained A2: 109.5 kWh * (9*0.2 + 3*0.1)
    #   = 229.95 kg, £21.9 * 12 = 262.8.
    # V1 virtual on host H0 (0 W, serves nothing -> zombie): V1's 500 W never count.
    # A1 at CLOUD after L=5: 50 kWh * 1.2 * 0.1 = 6 kg * 7 months = 42 kg, £0.
    est = make_estate(
        apps=[app("A1"), app("A2")],
        sites=[site("DC1", pue=1.5, power_price_per_kwh=0.2),
               site("COLO", "colo", pue=2.0, power_price_per_kwh=0.1, grid_kg_per_kwh=0.3),
               site("CLOUD", "cloud", pue=1.2, power_price_per_kwh=0.5, grid_kg_per_kwh=0.1)],
        servers=[server("S1", watts=100, apps=["A1"]),
                 server("S2", "COLO", watts=50, apps=["A2"]),
                 server("S3", "CLOUD", kind="virtual", watts=200, apps=["A2"]),
                 server("S4", watts=100, apps=["A2"]),
                 server("H0", kind="host"),
                 server("V1", kind="virtual", host_id="H0", watts=500, apps=["A2"])],
        options=[option("A1", duration=5, monthly_kwh=50), retain("A2")],
        grid={2025: 0.2, 2026: 0.1},
    )
    ev = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-04")])
    assert ev.feasible, ev.violations
    assert total(ev, "server_energy") == pytest.approx(109.5 + 87.6 + 262.8)
    assert kg(ev, "onprem_energy") == pytest.approx(109.5 + 262.8 + 210.24 + 229.95)
    assert kg(ev, "target_energy") == pytest.approx(42)
    assert ev.ledger.carbon["target_energy"][4:6] == pytest.approx([0, 6])
    assert ev.totals.co2e_tonnes == pytest.approx((109.5 + 262.8 + 210.24 + 229.95 + 42) / 1000)


def test_site_fixed_cost_until_exit() -> None:
    # DC1 £1000/month; its only server S1 serves A1, live from 5 -> exit 5:
    #   £5000. CLOUD £500/month has no servers -> exit 0 -> £0.
    est = make_estate(
        apps=[app("A1")],
        sites=[site("DC1", monthly_fixed_cost=1000), site("CLOUD", "cloud",
                                                          monthly_fixed_cost=500)],
        servers=[server("S1", apps=["A1"])],
    )
    ev = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-07")])
    assert total(ev, "site_fixed") == pytest.approx(5000)
    assert [(s.site_id, s.exit) for s in ev.sites] == [("DC1", "2025-09"), ("CLOUD", "2025-04")]
    # the baseline keeps DC1 all 12 months: £12,000
    assert total(baseline(est), "site_fixed") == pytest.approx(12000)


def test_replacement_at_end_of_life() -> None:
    # S1 (eol 2025-08, e=4) serves A1 live from 5: D=5 > 4 -> replaced in
    #   month 4: £2000 and 300 kg.
    # S2 (eol 2025-01, e=-3 -> 0) serves retained A2: D=12 > 0 -> replaced in
    #   month 0 (2025-04): £1000, 100 kg.
    # S3 (eol 2026-04, e=12 = H) serves A2: not replaced.
    # S4 (eol 2025-05) serves nothing: zombie, D=0 -> not replaced.
    # S5 (eol 2025-09, e=5) serves A1: D=5, not > 5 -> not replaced.
    # V1 virtual with an end of life: never replaced.
    est = make_estate(
        apps=[app("A1"), app("A2")],
        servers=[server("S1", apps=["A1"], end_of_life="2025-08", replacement_cost=2000,
                        embodied_kgco2e=300),
                 server("S2", apps=["A2"], end_of_life="2025-01", replacement_cost=1000,
                        embodied_kgco2e=100),
                 server("S3", apps=["A2"], end_of_life="2026-04", replacement_cost=7000),
                 server("S4", end_of_life="2025-05", replacement_cost=7000),
                 server("S5", apps=["A1"], end_of_life="2025-09", replacement_cost=7000),
                 server("V1", kind="virtual", apps=["A2"], end_of_life="2025-05",
                        replacement_cost=7000)],
        options=[option("A1", duration=5), retain("A2")],
    )
    ev = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-04")])
    assert ev.ledger.cost["replacement"][0] == pytest.approx(1000)
    assert ev.ledger.cost["replacement"][4] == pytest.approx(2000)
    assert total(ev, "replacement") == pytest.approx(3000)
    assert kg(ev, "embodied") == pytest.approx(400)
    replaced = {s.server_id: s.replaced for s in ev.servers}
    assert replaced == {"S1": "2025-08", "S2": "2025-04", "S3": None, "S4": None, "S5": None,
                        "V1": None}


def test_loose_split_cost() -> None:
    # A1 -- A2 loose, £30 a month while exactly one side has moved.
    # (a) A1 live at CLOUD from 3, A2 from 7: months 3..6 -> 4 * 30 = 120.
    # (b) A1 live from 5, A2 retained: months 5..11 -> 7 * 30 = 210.
    # (c) A1 retired from 3, A2 live from 7: a retired side never "has moved
    #     to a target", and from 7 A2 has moved but A1 is not "not yet moved":
    #     0.
    est = make_estate(
        apps=[app("A1"), app("A2")],
        options=[option("A1", duration=3), option("A1", "retire", duration=3),
                 option("A2", duration=3), retain("A1"), retain("A2")],
        dependencies=[dep("A1", "A2", "loose", 30)],
    )
    a = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-04"),
                       Decision("A2", "rehost", target_site="CLOUD", start="2025-08")])
    assert total(a, "split") == pytest.approx(120)
    assert a.ledger.cost["split"][2:8] == pytest.approx([0, 30, 30, 30, 30, 0])
    b = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-06")])
    assert total(b, "split") == pytest.approx(210)
    c = evaluate(est, [Decision("A1", "retire", target_site=None, start="2025-04"),
                       Decision("A2", "rehost", target_site="CLOUD", start="2025-08")])
    assert total(c, "split") == 0


def _contracts_estate(*contracts):
    return make_estate(
        apps=[app("A1"), app("A2")],
        servers=[server("S1", apps=["A1"]), server("S9")],
        options=[option("A1", duration=5), retain("A1"), retain("A2")],
        contracts=list(contracts),
    )


def test_contract_current_term_before_horizon_is_renewed() -> None:
    # m = 2024-12 = -4, T = 12, n = 3, covers A1 (L = 5): N = 5.
    # k: j=0 -> -3 >= 5? no; j=1 -> m+T+1 = 9 >= 5 and 9-3 >= 0 -> k = 1.
    # end = 8 (2025-12), notice_by = 8+1-3 = 6 (2025-10), decision end.
    # cost: current term ends before the horizon; renewal 1 in months -3..8
    #   -> 0..8: 9 * 1200/12 = 900.
    est = _contracts_estate(contract("C1", 1200, "2024-12-31", covers=["A1"]))
    ev = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-04")])
    c = ev.contracts[0]
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 1, "2025-12", "2025-10")
    assert total(ev, "contracts") == pytest.approx(900)
    assert ev.ledger.cost["contracts"][8:10] == pytest.approx([100, 0])


def test_contract_renewals_with_uplift_kept() -> None:
    # m = 2025-06 = 2, b = 2025-01 = -3, T = 6, n = 1, uplift 10 %, covers
    # retained A2 -> N = H = 12 -> keep. k: j=1 -> 9 < 12; j=2 -> 15 >= 12 -> 2.
    # end = 2 + 12 = 14 (2026-06), notice_by null.
    # cost: months 0..2 at 100 = 300; renewal 1 months 3..8 at 110 = 660;
    #       renewal 2 months 9..14 -> 9..11 at 121 = 363. Total 1323.
    est = _contracts_estate(contract("C1", 1200, "2025-06-30", start_date="2025-01-01",
                                     renewal_term_months=6, notice_months=1,
                                     renewal_uplift=0.1, covers=["A2"]))
    ev = evaluate(est, [])
    c = ev.contracts[0]
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("keep", 2, "2026-06", None)
    assert total(ev, "contracts") == pytest.approx(1323)
    assert ev.ledger.cost["contracts"][8:10] == pytest.approx([110, 121])


def test_contract_starting_inside_horizon() -> None:
    # b = 2025-07 = 3, m = 2025-09 = 5, covers S9 (zombie, D = 0): N = 0.
    # k = 0 (m+1 = 6 >= 0, 6-3 >= 0): end 5 (2025-09), notice_by 3 (2025-07).
    # cost: months 3..5 at 100 = 300.
    est = _contracts_estate(contract("C1", 1200, "2025-09-30", start_date="2025-07-15",
                                     covers=["S9"]))
    ev = evaluate(est, [])
    assert ev.ledger.cost["contracts"][2:7] == pytest.approx([0, 100, 100, 100, 0])
    c = ev.contracts[0]
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 0, "2025-09", "2025-07")


def test_contract_notice_too_late_forces_a_renewal() -> None:
    # m = 2025-05 = 1, n = 3, T = 12, covers zombie S9 -> N = 0.
    # j=0: m+1 = 2 >= 0 but 2-3 = -1 < 0 (notice month before the horizon);
    # j=1: 14 >= 0, 11 >= 0 -> k = 1. end = 13 (2026-05), notice_by = 11
    # (2026-03), decision end (N = 0 < 12).
    # cost: months 0..1 at 100 = 200; renewal 1 months 2..13 -> 2..11: 1000.
    est = _contracts_estate(contract("C1", 1200, "2025-05-31", covers=["S9"]))
    ev = evaluate(est, [])
    c = ev.contracts[0]
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 1, "2026-05", "2026-03")
    assert total(ev, "contracts") == pytest.approx(1200)


def test_contract_covering_nothing_is_kept() -> None:
    # covers nothing -> N = H = 12. m = 2025-12 = 8, T = 12: k = 1 (21 >= 12).
    # end 20 (2026-12), keep. cost 9 * 100 + renewal months 9..11: 300 = 1200.
    # A site's exit counts too: covering DC1 whose S1 serves A1 (L = 5) ->
    # N = 5: k = 0 (9 >= 5, 9-3 >= 0), end 2025-12, notice 2025-10, cost 900.
    est = _contracts_estate(contract("C1", 1200, "2025-12-31"),
                            contract("C2", 1200, "2025-12-31", covers=["DC1"]))
    ev = evaluate(est, [Decision("A1", "rehost", target_site="CLOUD", start="2025-04")])
    c1, c2 = ev.contracts
    assert (c1.decision, c1.renewals, c1.end, c1.notice_by) == ("keep", 1, "2026-12", None)
    assert (c2.decision, c2.renewals, c2.end, c2.notice_by) == ("end", 0, "2025-12", "2025-10")
    assert total(ev, "contracts") == pytest.approx(1200 + 900)


def test_discounting_and_carbon_price() -> None:
    # H = 3, r = 12 %: A1 costs £100 a month; S1 (on-prem, PUE 1, price 0)
    # draws 1000 W -> 730 kWh * 0.2 = 146 kg a month; carbon price £50/t.
    # f(t) = 1.12^(-t/12): f(1) = 0.990600..., f(2) = 0.981289...
    # cost 300; tonnes 0.438; cost_discounted = 100 * (1 + f1 + f2) = 297.1890;
    # objective = (100 + 50 * 0.146) * (1 + f1 + f2) = 107.3 * 2.971890 = 318.8838.
    est = make_estate(apps=[app("A1", current_monthly_cost=100)],
                      servers=[server("S1", watts=1000, apps=["A1"])],
                      options=[retain("A1")], horizon_months=3, discount_rate=0.12,
                      carbon_price=50.0)
    ev = evaluate(est, [])
    assert ev.totals.cost == pytest.approx(300)
    assert ev.totals.co2e_tonnes == pytest.approx(0.438)
    assert ev.totals.cost_discounted == pytest.approx(297.1890, abs=1e-3)
    assert ev.totals.objective == pytest.approx(318.8838, abs=1e-3)
    assert baseline(est).totals == ev.totals
