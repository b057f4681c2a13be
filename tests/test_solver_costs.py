"""Every cost and carbon term on a 1–3 application estate whose optimum is
worked out by hand (horizon 12 months from 2025-04, no discounting unless
said, carbon price 0 unless said)."""

from __future__ import annotations

import pytest
from test_solver_factory import Contract, app, make_estate, opt, row, run, server, site

from estate.plan import Totals


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def test_running_one_off_and_monthly_cost() -> None:
    # A: retain 12×10 = 120; rehost d=2 at s=0: 2×10 + 30 + 10×2 = 70 -> rehost at 2025-04.
    # B: retain 12×5 = 60; retire d=1: 5 + 100 = 105 -> retain. Objective 70 + 60 = 130.
    e = make_estate([app("A", 10.0), app("B", 5.0)],
                    [opt("A", "retain"), opt("A", d=2, one_off=30, monthly=2),
                     opt("B", "retain"), opt("B", "retire", d=1, one_off=100)])
    r = run(e)
    assert r.status == "optimal"
    assert (row(r, "A").strategy, row(r, "A").start, row(r, "A").live_from) == (
        "rehost", "2025-04", "2025-06")
    assert row(r, "B").strategy == "retain" and row(r, "B").start is None
    assert r.objective == approx(130.0)
    assert r.plan.totals == Totals(130.0, 130.0, 0.0, 130.0)
    assert r.bound <= r.objective and r.gap < 1e-3


def test_server_energy_cost_and_carbon() -> None:
    # Server S at DC (PUE 1.5, £0.2/kWh) draws 1000 W: 1000×730/1000×1.5 = 1095 kWh a
    # month = £219 and 219 kg at 0.2 kg/kWh. Retain: 12×219 = 2628.
    # Rehost d=3 (one-off 500, £50 a month after): 3×219 + 500 + 9×50 = 1607 at s=0.
    e = make_estate([app("A")], [opt("A", "retain"), opt("A", d=3, one_off=500, monthly=50)],
                    sites=[site("DC", pue=1.5, price=0.2), site("CLOUD", "cloud")],
                    servers=[server("S", ("A",), watts=1000.0)])
    r = run(e)
    assert row(r, "A").start == "2025-04"
    assert r.plan.totals.cost == approx(1607.0)
    assert r.plan.totals.co2e_tonnes == approx(0.657)
    assert r.plan.servers[0].decommissioned == "2025-07"
    assert r.plan.sites[0].exit == "2025-07"


def _energy_choice() -> object:
    # A £100 a month now. rehost to CLOUD (PUE 1.2, 0.5 kg/kWh), £60 a month, 1000 kWh
    # -> 600 kg a month; repurchase to SAAS (0 kg/kWh), £90 a month. d=1, s=0.
    # Cost only: rehost 100 + 11×60 = 760 < repurchase 100 + 11×90 = 1090.
    # At £100/t: rehost adds 11×0.6×100 = 660 -> 1420 > 1090 -> repurchase.
    return make_estate([app("A", 100.0)],
                       [opt("A", "retain"), opt("A", "rehost", "CLOUD", monthly=60, kwh=1000),
                        opt("A", "repurchase", "SAAS", monthly=90)],
                       sites=[site("DC"), site("CLOUD", "cloud", pue=1.2, grid=0.5),
                              site("SAAS", "cloud", grid=0.0)], carbon_price=100.0)


def test_target_energy_and_carbon_price() -> None:
    e = _energy_choice()
    r = run(e)
    assert row(r, "A").strategy == "repurchase"
    assert r.objective == approx(1090.0)
    r0 = run(e, carbon_price=0.0)
    assert row(r0, "A").strategy == "rehost" and r0.objective == approx(760.0)
    assert r0.plan.totals.co2e_tonnes == approx(6.6)
    rc = run(e, objective="cost")
    assert row(rc, "A").strategy == "rehost"


def test_carbon_objective_minimises_tonnes_first() -> None:
    # Carbon: repurchase (0 t) beats rehost (6.6 t) even at carbon price 0.
    e = _energy_choice()
    r = run(e, objective="carbon", carbon_price=0.0)
    assert row(r, "A").strategy == "repurchase"
    assert r.plan.totals.co2e_tonnes == approx(0.0)


def test_discounting_defers_a_one_off() -> None:
    # A must move (no retain); running cost £10 before and after, so only the
    # one-off £120 (d=1) depends on s: 120·δ_s is least at s = 11 (2026-03).
    rate = 0.12
    e = make_estate([app("A", 10.0)], [opt("A", d=1, one_off=120, monthly=10)], rate=rate)
    r = run(e)
    assert row(r, "A").start == "2026-03"
    delta = [(1 + rate) ** (-t / 12) for t in range(12)]
    assert r.objective == approx(10 * sum(delta) + 120 * delta[11])
    assert r.plan.totals.cost == approx(240.0)


def test_site_fixed_cost_until_exit() -> None:
    # DC costs £1000 a month until its exit = max D of its servers. A and B move for
    # free / £100 at s=0 (L=1): exit 2025-05, 1000 + 100 = 1100 (retaining either: 12000+).
    e = make_estate([app("A"), app("B")],
                    [opt("A", "retain"), opt("A"), opt("B", "retain"), opt("B", one_off=100)],
                    sites=[site("DC", fixed=1000.0), site("CLOUD", "cloud")],
                    servers=[server("SA", ("A",)), server("SB", ("B",))])
    r = run(e)
    assert r.objective == approx(1100.0)
    assert r.plan.sites[0].exit == "2025-05"
    assert [s.decommissioned for s in r.plan.servers] == ["2025-05", "2025-05"]


def test_replacement_avoided_by_moving_before_end_of_life() -> None:
    # P (EOL 2025-10, e'=6) is replaced for £5000 when D > 6. A: £100 now, £150 after
    # rehost (d=1): retain 1200 + 5000; move as late as possible with L <= 6:
    # 6×100 + 6×150 = 1500 (start 2025-09, live 2025-10).
    e = make_estate([app("A", 100.0)], [opt("A", "retain"), opt("A", monthly=150)],
                    servers=[server("P", ("A",), eol="2025-10", replacement=5000,
                                    embodied=2000)])
    r = run(e)
    assert (row(r, "A").start, row(r, "A").live_from) == ("2025-09", "2025-10")
    assert r.objective == approx(1500.0)
    assert r.plan.servers[0].replaced is None and r.plan.totals.co2e_tonnes == approx(0.0)


def test_host_replacement_and_embodied_carbon() -> None:
    # Host H (EOL 2025-10) carries V1 (A) and V2 (B); D(H) = max(L_A, L_B).
    # Each app £100 now, £150 after. Both L=6: 2×1500 = 3000 < both retained
    # 2400 + 5000. With the replacement cost at 0 both stay: 2400, and the
    # embodied 2000 kg is counted in month 6.
    servers = [server("H", kind="host", eol="2025-10", replacement=5000, embodied=2000),
               server("V1", ("A",), kind="virtual", host="H"),
               server("V2", ("B",), kind="virtual", host="H")]
    opts = [opt("A", "retain"), opt("A", monthly=150), opt("B", "retain"), opt("B", monthly=150)]
    r = run(make_estate([app("A", 100.0), app("B", 100.0)], opts, servers=servers))
    assert row(r, "A").live_from == row(r, "B").live_from == "2025-10"
    assert r.objective == approx(3000.0)
    servers[0] = server("H", kind="host", eol="2025-10", replacement=0, embodied=2000)
    r = run(make_estate([app("A", 100.0), app("B", 100.0)], opts, servers=servers))
    assert r.objective == approx(2400.0)
    assert r.plan.totals.co2e_tonnes == approx(2.0)
    assert r.plan.servers[0].replaced == "2025-10"


def test_contract_renewal_avoided() -> None:
    # C: £12000 a year (£1000 a month), ends 2025-06-30 (m=2), T=12, notice 3, covers A.
    # N = L_A. k=0 needs m+1 = 3 >= N and 3-3 >= 0: so L_A <= 3 ends it (base months
    # 0..2 = 3000); else one renewal, months 3..11 = 9000 more.
    # A: £50 now, £60 after rehost: L=3 -> 3×50 + 9×60 + 3000 = 3690 (retain: 12600).
    e = make_estate([app("A", 50.0)], [opt("A", "retain"), opt("A", monthly=60)],
                    contracts=[Contract("C", 12000.0, "2025-06-30", notice_months=3,
                                        renewal_term_months=12, covers=("A",))])
    r = run(e)
    assert row(r, "A").live_from == "2025-07"
    assert r.objective == approx(3690.0)
    c = r.plan.contracts[0]
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 0, "2025-06", "2025-04")


def test_contract_kept_with_uplift() -> None:
    # Covers nothing: N = H, kept. Term to 2025-06 (3×1000), then renewal 1 at
    # +10 %: 9×1100 = 9900 -> 12900 whatever A does (A retains at no cost).
    e = make_estate([app("A")], [opt("A", "retain")],
                    contracts=[Contract("C", 12000.0, "2025-06-30", renewal_uplift=0.1)])
    r = run(e)
    assert r.objective == approx(12900.0)
    c = r.plan.contracts[0]
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("keep", 1, "2026-06", None)


def test_loose_split_cost() -> None:
    # A: £50 now, free after (d=1). B (free) may start at 2025-10 at the earliest (L>=7).
    # Split £100 a month while exactly one has moved to a target. L_A <= L_B:
    # 50·L_A + 100·(L_B - L_A) -> least with L_A = L_B = 7: 350.
    from test_solver_factory import Dependency

    e = make_estate([app("A", 50.0), app("B", earliest_start="2025-10")],
                    [opt("A", "retain"), opt("A"), opt("B", "retain"), opt("B")],
                    deps=[Dependency("A", "B", "loose", 100.0)])
    r = run(e)
    assert row(r, "A").live_from == row(r, "B").live_from == "2025-11"
    assert r.objective == approx(350.0)


def test_loose_split_not_charged_for_retirement() -> None:
    # B retires at L=1 (free; £10 in its month of flight); A stays (retain £0). B has
    # moved but not to a target and A has not moved: no split. Objective 10 even with
    # £100 a month split (retaining B: 120).
    from test_solver_factory import Dependency

    e = make_estate([app("A"), app("B", 10.0)],
                    [opt("A", "retain"), opt("B", "retain"), opt("B", "retire")],
                    deps=[Dependency("A", "B", "loose", 100.0)])
    r = run(e)
    assert row(r, "B").strategy == "retire" and r.objective == approx(10.0)
