"""The residents rule (docs/planning-model.md, *Constraints*): a resident-facing
application that moves (retire included) goes live no earlier than
``resident_notice_weeks`` after the plan starts; reports say when to tell
residents. Worked by hand; horizon 12 months from 2025-04 unless said otherwise.

8 weeks after 1 Apr 2025 is 27 May 2025, so the first go-live month whose
first day is that late is Jun 2025 (index 2): live from index 3 (2025-07) at
the earliest, and residents are told by 1 Jun 2025 - 8 weeks = 6 Apr 2025.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_solver_factory import app, make_estate, moved, opt, run

from estate.limits import resident_live_from, tell_residents_by
from estate.model import Estate, Settings
from estate.plan import Decision
from solver.evaluate import evaluate
from solver.greedy import greedy_decisions
from solver.model.domains import describe
from solver.model.prep import Prep


@pytest.mark.parametrize(("start", "weeks", "live_from", "tell_by"), [
    ("2025-04", 8, 3, dt.date(2025, 4, 6)),   # 27 May -> Jun go-live; 1 Jun - 56 days
    ("2025-04", 0, 1, dt.date(2025, 4, 1)),   # no notice: go live in month 0
    ("2026-02", 4, 2, dt.date(2026, 2, 1)),   # 1 Feb + 28 days = 1 Mar exactly: Mar go-live
    ("2025-04", 9, 4, dt.date(2025, 4, 29)),  # 3 Jun -> Jul go-live; 1 Jul - 63 days
])
def test_earliest_go_live_by_hand(start: str, weeks: int, live_from: int,
                                  tell_by: dt.date) -> None:
    st = Settings(horizon_start=start, resident_notice_weeks=weeks)
    assert resident_live_from(Estate(settings=st)) == live_from
    assert tell_residents_by(st, live_from - 1) == tell_by
    assert tell_by >= dt.date(int(start[:4]), int(start[5:]), 1)


def _estate(weeks: int = 8, **kw: object):
    # R (resident-facing) and B (back office) each cost £100 a month now and
    # nothing after a free 1-month move. Without the rule both go live in
    # 2025-04 (L = 1): 100 + 100. With it R goes live in 2025-06 at the
    # earliest (L = 3): 300 + 100 = 400.
    return make_estate([app("R", 100.0, resident_facing=True, **kw), app("B", 100.0)],
                       [opt("R", "retain"), opt("R"), opt("B", "retain"), opt("B")],
                       resident_notice_weeks=weeks)


def test_solver_moves_the_go_live() -> None:
    r = run(_estate())
    assert moved(r) == {"R": ("rehost", "2025-06", "2025-07"),
                        "B": ("rehost", "2025-04", "2025-05")}
    assert r.objective == pytest.approx(400.0)
    r0 = run(_estate(weeks=0))
    assert moved(r0)["R"] == ("rehost", "2025-04", "2025-05")
    assert r0.objective == pytest.approx(200.0)


def test_retire_counts_as_a_change_residents_see() -> None:
    # Retiring R (1 month, free) is also held back to a 2025-06 go-live: 300.
    e = make_estate([app("R", 100.0, resident_facing=True)], [opt("R", "retire")])
    assert moved(run(e))["R"] == ("retire", "2025-06", "2025-07")


def test_evaluator_names_the_rule() -> None:
    e = _estate()
    early = [Decision("R", "rehost", target_site="CLOUD", start="2025-05"),
             Decision("B", "rehost", target_site="CLOUD", start="2025-04")]
    ev = evaluate(e, early, check=True)
    assert [(v.rule, v.ids, v.month) for v in ev.violations] == [
        ("residents", ("R",), "2025-05")]
    ok = [Decision("R", "rehost", target_site="CLOUD", start="2025-06"), early[1]]
    assert evaluate(e, ok, check=True).feasible


def test_greedy_keeps_the_rule() -> None:
    got = {d.app_id: d.start for d in greedy_decisions(_estate()) or []}
    assert got == {"R": "2025-06", "B": "2025-04"}


def test_infeasible_when_a_deadline_leaves_no_notice() -> None:
    # R must be live by 2025-06 (L <= 2) but may go live in 2025-06 (L = 3) at
    # the earliest: no plan.
    r = run(_estate(must_finish_by="2025-06"))
    assert r.status == "infeasible"
    assert {(c.rule, c.ids) for c in r.plan.conflicts} == {("residents", ("R",)),
                                                             ("must_finish", ("R",))}
    text = " | ".join(c.text for c in r.plan.conflicts)
    assert "application R is resident-facing" in text
    assert "8 weeks ahead (resident_notice_weeks)" in text and "2025-06 at the earliest" in text
    assert "application R must_finish_by 2025-06" in text


def test_describe_words() -> None:
    prep = Prep(_estate(weeks=4))
    assert describe(prep, ("residents", "R")) == (
        "application R is resident-facing: residents are told 4 weeks ahead "
        "(resident_notice_weeks), so it goes live in 2025-05 at the earliest")
