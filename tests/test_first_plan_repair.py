"""The list-scheduled first plan repairs itself when a unit that must move
finds no room left (:func:`solver.model.heuristic.first_plan`).

Horizon 6 months from 2025-04. Team ``migration`` has 10 days a month and
every move takes 10 days a month: one application in flight a month. A, B and
D each must be live by 2025-08 (``L <= 4``: in flight in months 0 … 3) and
cost £100, £90 and £50 a month as they are, nothing after the move. A and B
move in one month, D in two; B's blackout is May (month 1).

First pass, by deadline then saving (A 300, B 270, D 100): A goes live from
month 1 (in flight month 0); B cannot be in flight in month 0 (A) nor 1
(blackout), so month 2; D needs two months in a row among {1, 3}: none, and
it may not stay, so it is left out. The repair places D first: months 0-1,
then A month 2 and B month 3 (£100·3 + £90·4 + £50·2 = £760): complete.

The optimum (worked out over D's three possible pairs of months): D in
{2, 3} (£50·4 = 200), B month 0 (£90·1), A month 1 (£100·2): £490.
"""

from __future__ import annotations

import pytest
from test_solver_factory import Team, app, make_estate, moved, opt, run

from solver.evaluate import evaluate
from solver.model.extract import decisions
from solver.model.heuristic import Pairs, first_plan
from solver.model.prep import Prep

W = (0.0, 1.0, 0.0, 0.0)


def _estate():  # type: ignore[no-untyped-def]
    eff = {"migration": 10.0}
    apps = [app("A", 100.0, must_finish_by="2025-08"),
            app("B", 90.0, must_finish_by="2025-08", blackout_months=(5,)),
            app("D", 50.0, must_finish_by="2025-08")]
    options = [opt("A", effort=eff), opt("B", effort=eff), opt("D", d=2, effort=eff)]
    return make_estate(apps, options, teams=[Team("migration", 10.0)], H=6)


def test_a_unit_left_out_is_placed_first_on_the_next_pass() -> None:
    e = _estate()
    prep = Prep(e)
    once = first_plan(Pairs(prep), W, repairs=0)
    assert set(once) == {"A", "B"}  # D found no room
    plan = first_plan(Pairs(prep), W)
    assert {a: L for a, (_, L) in plan.items()} == {"D": 2, "A": 3, "B": 4}
    assert not evaluate(e, decisions(prep, plan)).violations


def test_the_solver_finds_the_optimum_from_the_repaired_plan() -> None:
    r = run(_estate())
    assert r.status == "optimal"
    assert r.objective == pytest.approx(490.0)
    assert moved(r) == {"B": ("rehost", "2025-04", "2025-05"),
                        "A": ("rehost", "2025-05", "2025-06"),
                        "D": ("rehost", "2025-06", "2025-08")}
