"""An estate the team's capacity makes infeasible: the message gives the demand
against the capacity and the smallest capacity that would do (horizon 12 months
from 2025-04)."""

from __future__ import annotations

from test_solver_factory import Team, app, make_estate, opt, run, server, site

from solver.model.domains import team_demand
from solver.model.explain import smallest_team_capacity
from solver.model.prep import Prep


def three_moves_by_month_4(days: float):  # type: ignore[no-untyped-def]
    # A, B, C run at DC1, which must be empty from 2025-08 (month 4). Each moves in 2
    # months at 30 days a month (60 days each, 180 in all) -> 180 / 4 = 45 days a month
    # on average. But a month holds floor(cap / 30) moves at once: 45 days fit one, so
    # the three take 6 months; 60 days fit two (A, B in months 0-1, C in 2-3).
    apps = [app(a, 10.0) for a in "ABC"]
    options = [o for a in "ABC" for o in (opt(a, "retain"),
                                          opt(a, d=2, effort={"migration": 30}))]
    sites = [site("DC1", exit_by="2025-08"), site("CLOUD", "cloud")]
    return make_estate(apps, options, sites=sites,
                       servers=[server(f"S{a}", (a,), site_id="DC1") for a in "ABC"],
                       teams=[Team("migration", days)])


def test_demand_and_smallest_capacity_in_the_message() -> None:
    r = run(three_moves_by_month_4(40))
    assert r.status == "infeasible"
    assert ("teams", ("migration",)) in {(c.rule, c.ids) for c in r.plan.conflicts}
    # the words are what this test is about: the demand and the smallest capacity
    text = " | ".join(c.text for c in r.plan.conflicts)
    assert "team migration has 40 days a month" in text
    assert "the 3 moves that must be live by 2025-08 need 180.0 days over 4 months" in text
    assert "45.0 days a month on average; at least 45 days a month would be needed" in text
    assert "60 days a month would make a plan possible" in text


def test_the_smallest_capacity_is_feasible_and_one_less_is_not() -> None:
    prep = Prep(three_moves_by_month_4(40))
    assert team_demand(prep, "migration")[:2] == (45.0, 180.0)
    assert smallest_team_capacity(prep, "migration") == 60
    assert run(three_moves_by_month_4(60)).status in ("optimal", "feasible")
    assert run(three_moves_by_month_4(59)).status == "infeasible"


def test_one_move_alone_needs_more_than_the_team_has() -> None:
    e = make_estate([app("A")], [opt("A", effort={"dba": 12.5})],
                    teams=[Team("migration", 100), Team("dba", 10)])
    r = run(e)
    got = {(c.rule, c.ids): c.text for c in r.plan.conflicts}
    assert set(got) == {("teams", ("dba",)), ("decision", ("A",))}
    text = got[("teams", ("dba",))]
    assert "team dba has 10 days a month, but a move that must happen needs 12.5 days a " \
           "month while in flight; at least 13 days a month would be needed" in text
    assert "13 days a month would make a plan possible" in text
