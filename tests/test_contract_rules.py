"""What ends a contract (``ends_with``) and per-unit renewals, on 2–3 application
estates worked out by hand (horizon 12 months from 2025-04, no discounting,
carbon price 0). Planner, greedy and the evaluator (``estate check``) must
agree to the penny."""

from __future__ import annotations

import pytest
from test_solver_factory import Contract, app, make_estate, opt, row, run

from estate.contracts import ends_with, rule_defaulted
from estate.derive import build_schedule
from estate.model import Pin, Server
from estate.plan import Decision
from solver.check import compare_plan
from solver.evaluate import evaluate
from solver.greedy import greedy


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _agree(e, r) -> None:  # type: ignore[no-untyped-def]
    """Planner, evaluator, check and greedy agree to the penny."""
    ev = evaluate(e, r.plan.decisions)
    assert ev.totals.objective == pytest.approx(r.objective, abs=0.005)
    assert ev.contracts == r.plan.contracts
    assert compare_plan(e, r.plan) == []
    _, g = greedy(e)
    if g is not None:
        assert r.plan.greedy is not None
        assert g.totals.objective == pytest.approx(r.plan.greedy.objective, abs=0.005)
    assert r.bound <= r.objective + 1e-6


def _licences(rule_a: str = "") -> object:
    # LA: £12,000 a year (£1,000 a month), current term ends 2025-06-30 (m = 2),
    # 12-month renewals, 3 months' notice, category licence, covers A.
    # LB: £6,000 a year (£500 a month), same dates, licence, covers B.
    # A: £50 a month now; rehost (d=1) £20 a month after; no retire option.
    # B: £40 a month now; retire (d=1, free).
    return make_estate(
        [app("A", 50.0), app("B", 40.0)],
        [opt("A", "retain"), opt("A", monthly=20.0), opt("B", "retain"), opt("B", "retire")],
        contracts=[Contract("LA", 12000.0, "2025-06-30", category="licence", covers=("A",),
                            ends_with=rule_a),
                   Contract("LB", 6000.0, "2025-06-30", category="licence", covers=("B",))])


def test_a_licence_survives_a_rehost_and_ends_with_a_retire() -> None:
    # Blank ends_with + category licence -> retire. A's rehost leaves its software
    # running: LA is needed until H = 12, k = 1 (2 + 12 + 1 >= 12): 3×1,000 + 9×1,000
    # = 12,000 whenever A moves, so A rehosts at L = 1: 50 + 11×20 = 270.
    # B retires at L = 1 (start 2025-04): 40 + LB's current term 3×500 = 1,540
    # (retain: 12×40 + 6,000 = 6,480); LB ends 2025-06, notice by m+1-n = 0 (2025-04).
    # Objective 270 + 12,000 + 1,540 = 13,810.
    e = _licences()
    assert [ends_with(c) for c in e.contracts] == ["retire", "retire"]
    assert all(rule_defaulted(c) for c in e.contracts)
    r = run(e)
    assert r.status == "optimal"
    assert (row(r, "A").strategy, row(r, "A").live_from) == ("rehost", "2025-05")
    assert (row(r, "B").strategy, row(r, "B").live_from) == ("retire", "2025-05")
    la, lb = r.plan.contracts
    assert (la.decision, la.renewals, la.end, la.notice_by) == ("keep", 1, "2026-06", None)
    assert (lb.decision, lb.renewals, lb.end, lb.notice_by) == ("end", 0, "2025-06", "2025-04")
    assert r.objective == approx(13810.0)
    _agree(e, r)


def test_the_same_licence_with_ends_with_move_ends_at_the_rehost() -> None:
    # ends_with = move: LA is needed until L_A; A rehosts at L = 1 <= 3 ends it after
    # its current term: 270 + 3,000. B as above (1,540). Objective 4,810.
    e = _licences("move")
    r = run(e)
    la = r.plan.contracts[0]
    assert (la.decision, la.renewals, la.end) == ("end", 0, "2025-06")
    assert r.objective == approx(4810.0)
    _agree(e, r)


def test_a_never_contract_renews_to_the_horizon() -> None:
    # WAN: £24,000 a year (£2,000 a month), ends 2025-06-30 (m = 2), never, covers A.
    # A rehosts (d=1) at L = 1 (£50 -> £0 a month): 50. The WAN is still needed until
    # H = 24: k = 2 (2 + 24 + 1 >= 24; one renewal gives 15 < 24): 24 months × 2,000
    # = 48,000. Objective 48,050; decision keep, last paid month 2027-06.
    e = make_estate([app("A", 50.0)], [opt("A", "retain"), opt("A")], H=24,
                    contracts=[Contract("WAN", 24000.0, "2025-06-30", category="connectivity",
                                        covers=("A",), ends_with="never")])
    r = run(e)
    assert row(r, "A").live_from == "2025-05"
    wan = r.plan.contracts[0]
    assert (wan.decision, wan.renewals, wan.end, wan.notice_by) == ("keep", 2, "2027-06", None)
    assert r.objective == approx(48050.0)
    _agree(e, r)


def _per_core(min_units: float = 0.0, pins: list[Pin] | None = None) -> object:
    # Hosts H1 (2 sockets × 12 cores: licensed max(24, 32) = 32) and H2 (2 × 20 = 40)
    # at DC; VM V1 on H1 serves A, V2 on H2 serves B. VS: per-core subscription,
    # £120 a core a year, current term £8,640 to 2025-06-30 (m = 2), quarterly renewals
    # (T = 3), 1 month notice, covers H1 and H2. A: £100 a month now, rehost (d=1) free
    # after. B: retain only.
    servers = [Server("H1", "DC", "host", sockets=2, cores=24),
               Server("H2", "DC", "host", sockets=2, cores=40),
               Server("V1", "DC", "virtual", host_id="H1", app_ids=("A",)),
               Server("V2", "DC", "virtual", host_id="H2", app_ids=("B",))]
    return make_estate(
        [app("A", 100.0), app("B")], [opt("A", "retain"), opt("A"), opt("B", "retain")],
        servers=servers, pins=pins,
        contracts=[Contract("VS", 8640.0, "2025-06-30", category="licence",
                            renewal_term_months=3, notice_months=1, covers=("H1", "H2"),
                            unit="core", unit_price=120.0, min_units=min_units)])


def test_a_per_core_subscription_falls_at_the_renewal_after_a_host_is_switched_off() -> None:
    # H2 runs to H = 12, so VS renews k = 3 times (t0 = 3, 6, 9), each quarter
    # priced at U(t0) × 120 × 3/12 = 30 £ per core. A rehosts at L = 1: H1 is off
    # from month 1 (D = 1), every renewal counts H2's 40 cores: 3 × 1,200 = 3,600.
    # Current term 3 × 720 = 2,160. A 100. Objective 5,860 (A retained: 1,200 +
    # 2,160 + 3 × 72 × 30 = 9,840).
    e = _per_core()
    r = run(e)
    assert row(r, "A").live_from == "2025-05"
    assert r.objective == approx(5860.0)
    _agree(e, r)
    terms = build_schedule(e, r.plan.decisions).contracts["VS"]
    assert terms.k == 3 and terms.units[1:4] == (40.0, 40.0, 40.0)
    assert terms.values[1:4] == (4800.0, 4800.0, 4800.0)


def test_the_renewal_after_the_switch_off_is_the_one_that_falls() -> None:
    # A pinned to start 2025-07 (s = 3, L = 4): H1 still runs in month t0 = 3, so
    # renewal 1 prices 72 cores (2,160); renewals 2 and 3 (t0 = 6, 9) 40 cores
    # (1,200 each). 400 + 2,160 + 2,160 + 2,400 = 7,120.
    e = _per_core(pins=[Pin("A", "rehost", target_site="CLOUD", start="2025-07")])
    ev = evaluate(e, [Decision("A", "rehost", target_site="CLOUD", start="2025-07")])
    assert ev.totals.objective == approx(7120.0)
    r = run(e)
    assert r.objective == approx(7120.0)
    terms = build_schedule(e, r.plan.decisions).contracts["VS"]
    assert terms.units[1:4] == (72.0, 40.0, 40.0)
    _agree(e, r)


def test_min_units_is_the_least_a_renewal_is_priced_at() -> None:
    # min_units 50: with A rehosted at L = 1 each renewal counts max(50, 40) = 50
    # cores: 3 × 50 × 30 = 4,500; 100 + 2,160 + 4,500 = 6,760.
    e = _per_core(min_units=50.0)
    r = run(e)
    assert r.objective == approx(6760.0)
    _agree(e, r)


def test_a_retire_contract_over_two_applications_needs_both_gone() -> None:
    # LX: £12,000 a year, ends 2025-06-30, licence (retire), covers A and B. A and B
    # each £100 a month now. A: retire (d=1) or retain; B: rehost (d=1, free) or
    # retain. B's rehost keeps the software: LX runs on (3,000 + 9,000 = 12,000)
    # whatever A does. A retires at L=1 (100) and B rehosts at L=1 (100): 12,200.
    e = make_estate([app("A", 100.0), app("B", 100.0)],
                    [opt("A", "retain"), opt("A", "retire"), opt("B", "retain"), opt("B")],
                    contracts=[Contract("LX", 12000.0, "2025-06-30", category="licence",
                                        covers=("A", "B"))])
    r = run(e)
    assert r.objective == approx(12200.0)
    assert r.plan.contracts[0].decision == "keep"
    _agree(e, r)
