"""A re-plan holds a contract whose notice date has passed to its renewal
(:func:`estate.contracts.renewals_needed` with the first planned month), on a
2-application estate worked out by hand. Planner, greedy and ``estate check``
(the evaluator) agree to the penny."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_contract_rules import _agree, approx
from test_solver_factory import Contract, Pin, app, make_estate, opt, row, run

from estate.actuals import Replan, apply_replan
from estate.contracts import can_end, renewals_needed
from solver.check import compare_plan


def _estate(**kw: object) -> object:
    # Horizon 24 months from 2025-04 (month 0), no discounting, carbon 0.
    # C: £12,000 a year (£1,000 a month), current term ends 2025-12-31 (m = 8),
    # 12-month renewals, 6 months' notice, ends_with move, covers A.
    # A: £100 a month now; rehost (d = 1) £10 a month after.
    # B: £50 a month now; retire (d = 1, free).
    return make_estate(
        [app("A", 100.0), app("B", 50.0)],
        [opt("A", "retain"), opt("A", monthly=10.0), opt("B", "retain"), opt("B", "retire")],
        contracts=[Contract("C", 12000.0, "2025-12-31", notice_months=6, ends_with="move",
                            covers=("A",))],
        H=24, **kw)


def _replan(e: object, today: str = "2025-10") -> object:
    return apply_replan(e, Replan(today, not_before=("A", "B")))


def test_the_rule_itself() -> None:
    # m = 8, T = 12, n = 6, needed until N = 7.
    # Ordinary plan (first month 0): notice by 8 + 1 - 6 = 3 >= 0, it ends at 8: k = 0.
    assert renewals_needed(8, 12, 6, 7) == 0
    # Re-plan from month 6: notice by 3 < 6 has passed -> renews; next end 20,
    # notice by 15 >= 6: k = 1.
    assert renewals_needed(8, 12, 6, 7, first=6) == 1
    # Re-plan from month 3: notice by 3 is still ahead: k = 0.
    assert renewals_needed(8, 12, 6, 7, first=3) == 0
    # A term that ended before the first planned month is history: its notice
    # (by month 0 or later) was the programme's to give.
    assert can_end(4, 3, first=6) and not can_end(1, 3, first=6)
    # Needed beyond the term: as before (N = 10 -> k = 1 whatever first is).
    assert renewals_needed(8, 12, 6, 10, first=6) == 1 == renewals_needed(8, 12, 6, 10)


def test_a_replan_cannot_end_a_contract_whose_notice_has_passed() -> None:
    # Re-plan from 2025-10 (month 6): A and B may not start before month 6.
    # A rehosts starting 6, live from L = 7: 7×100 + 17×10 = 870.
    # B retires at L = 7: 7×50 = 350 (retain: 24×50 = 1,200).
    # C is needed until 7; its current term ends at m = 8 but notice was due by
    # 3 (2025-07), before today: it renews once (months 9…20, notice by 15 =
    # 2026-07) and ends 2026-12: 9×1,000 + 12×1,000 = 21,000.
    # (Kept, C would need k = 2: 9,000 + 12,000 + 3,000 = 24,000 with A at
    # 2,400: moving A still pays.) Objective 870 + 350 + 21,000 = 22,220.
    e = _replan(_estate())
    r = run(e)
    assert r.status == "optimal"
    assert (row(r, "A").strategy, row(r, "A").live_from) == ("rehost", "2025-11")
    assert (row(r, "B").strategy, row(r, "B").live_from) == ("retire", "2025-11")
    (c,) = r.plan.contracts
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 1, "2026-12", "2026-07")
    assert r.objective == approx(22220.0)
    _agree(e, r)


def test_the_same_move_planned_from_the_start_ends_it_at_its_term() -> None:
    # The same estate planned from month 0 with A and B held to start at
    # month 6 by their earliest start: notice by 3 >= 0 is still ahead, C ends
    # 2025-12 (k = 0): 9,000. Objective 870 + 350 + 9,000 = 10,220: the passed
    # notice costs the re-plan 12,000 (one more year of C).
    e = _estate()
    e = replace(e, applications=tuple(replace(a, earliest_start="2025-10")
                                      for a in e.applications))
    r = run(e)
    (c,) = r.plan.contracts
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 0, "2025-12", "2025-07")
    assert r.objective == approx(10220.0)
    _agree(e, r)
    assert run(_replan(_estate())).objective - r.objective == approx(12000.0)


def test_a_replan_before_the_notice_date_still_ends_it() -> None:
    # Re-plan from 2025-07 (month 3): notice by 3 is this month, not passed.
    # A and B go live at L = 4: A 4×100 + 20×10 = 600, B 4×50 = 200, C 9,000.
    e = _replan(_estate(), "2025-07")
    r = run(e)
    (c,) = r.plan.contracts
    assert (c.decision, c.renewals, c.end, c.notice_by) == ("end", 0, "2025-12", "2025-07")
    assert r.objective == approx(9800.0)
    _agree(e, r)


def test_a_pinned_early_move_does_not_end_it_and_check_refuses_the_impossible_end() -> None:
    # A pinned to rehost starting 2025-10 (the earliest it may): the pin holds,
    # C still renews once. A plan.json claiming C ends 2025-12 (notice by
    # 2025-07, before the re-plan's today) is refused by estate check.
    e = _replan(_estate(pins=[Pin("A", "rehost", target_site="CLOUD", start="2025-10")]))
    r = run(e)
    assert r.status == "optimal"
    assert row(r, "A").start == "2025-10"
    (c,) = r.plan.contracts
    assert (c.decision, c.renewals, c.end) == ("end", 1, "2026-12")
    bad = replace(r.plan, contracts=(replace(c, renewals=0, end="2025-12",
                                             notice_by="2025-07"),))
    diffs = compare_plan(e, bad)
    assert diffs and any("C" in str(d) for d in diffs)


@pytest.mark.parametrize("today", ["2025-04", "2025-07", "2025-10", "2026-01"])
def test_planner_greedy_and_check_agree_from_any_today(today: str) -> None:
    e = _replan(_estate(), today)
    _agree(e, run(e))


def test_notice_given_before_today_is_recorded_as_an_ended_actual() -> None:
    # As the re-plan above, but the council gave notice in time (by 2025-07):
    # the actuals record C `ended` 2025-12 (its last month paid). That term end
    # can still be ended: C ends 2025-12 (k = 0), 9,000: objective 870 + 350 +
    # 9,000 = 10,220, the same as planning from the start.
    from estate.actuals import Actual

    e = _estate()
    e = replace(e, actuals=(Actual("contract", "C", "2025-12", action="ended"),))
    e = _replan(e)
    r = run(e)
    (c,) = r.plan.contracts
    assert (c.decision, c.renewals, c.end) == ("end", 0, "2025-12")
    assert r.objective == approx(10220.0)
    _agree(e, r)
    # A proposed row does not count: C renews (22,220 as above).
    e2 = _replan(replace(_estate(), actuals=(Actual("contract", "C", "2025-12",
                                                    action="ended", status="proposed"),)))
    assert run(e2).objective == approx(22220.0)
