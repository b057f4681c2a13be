"""Derived state and one violation test per constraint (docs/planning-model.md).

Horizon 2025-04 + 12 months unless said otherwise (t=0 is 2025-04).
"""

from __future__ import annotations

import pytest

from estate.model import BudgetYear, Pin, Team
from estate.plan import Decision
from estate.violation import Violation
from solver.evaluate import evaluate
from tests.estates import app, dep, make_estate, option, retain, server, site


def D(aid: str, start: str | None, strategy: str = "rehost", target: str | None = "CLOUD"):
    if strategy == "retire":
        target = None
    return Decision(aid, strategy, target_site=target, start=start)


def only(ev, rule: str, *ids: str, month: str | None = None) -> Violation:
    """The single violation: of ``rule``, involving ``ids`` (the one at fault
    first), in ``month`` when given. Tests assert on records, not wording."""
    assert len(ev.violations) == 1, ev.violations
    v = ev.violations[0]
    assert v.rule == rule, v
    assert v.ids[:len(ids)] == ids, v
    if month is not None:
        assert v.month == month, v
    assert v.text
    return v


# -- derived state --------------------------------------------------------------
def test_host_decommissioned_from_guests_and_own_apps_zombies_and_site_exit() -> None:
    # H1 hosts V1 (A1, L=5) and V2 (A2, L=8) -> D = 8 (2025-12).
    # H2 serves A3 itself (L=10) and hosts V3 (serves nothing) -> D = 10.
    # H3 hosts only V4 which serves nothing -> zombie host, D = 0 (2025-04).
    # P1 serves retained A4 -> D = 12, printed 2026-04 (after the horizon).
    # DC1 (H1, V1, V2, H2, V3) exits at 10; DC2 (H3, V4) at 0; DC3 (P1) at 12.
    est = make_estate(
        apps=[app(a) for a in ("A1", "A2", "A3", "A4")],
        sites=[site("DC1"), site("DC2"), site("DC3"), site("CLOUD", "cloud")],
        servers=[server("H1", kind="host"),
                 server("V1", kind="virtual", host_id="H1", apps=["A1"]),
                 server("V2", kind="virtual", host_id="H1", apps=["A2"]),
                 server("H2", kind="host", apps=["A3"]),
                 server("V3", kind="virtual", host_id="H2"),
                 server("H3", "DC2", kind="host"),
                 server("V4", "DC2", kind="virtual", host_id="H3"),
                 server("P1", "DC3", apps=["A4"])],
        options=[o for a in ("A1", "A2", "A3") for o in (option(a, duration=1), retain(a))]
        + [retain("A4")],
        max_critical_in_flight=5,
    )
    ev = evaluate(est, [D("A1", "2025-08"), D("A2", "2025-11"), D("A3", "2026-01")])
    assert ev.feasible, ev.violations
    got = {s.server_id: (s.decommissioned, s.zombie) for s in ev.servers}
    assert got == {
        "H1": ("2025-12", False), "V1": ("2025-09", False), "V2": ("2025-12", False),
        "H2": ("2026-02", False), "V3": ("2025-04", True), "H3": ("2025-04", True),
        "V4": ("2025-04", True), "P1": ("2026-04", False),
    }
    assert {s.site_id: s.exit for s in ev.sites} == {
        "DC1": "2026-02", "DC2": "2025-04", "DC3": "2026-04", "CLOUD": "2025-04"}
    assert ev.applications[3].live_from is None and ev.applications[3].strategy == "retain"


def test_live_in_last_month_is_printed_after_horizon() -> None:
    est = make_estate()
    ev = evaluate(est, [D("A1", "2026-02")])  # d=2 -> L=12=H
    assert ev.feasible, ev.violations
    assert ev.applications[0].live_from == "2026-04"
    assert ev.servers[0].decommissioned == "2026-04"


# -- one test per rule ---------------------------------------------------------------
def test_feasible_plan_has_no_violations() -> None:
    ev = evaluate(make_estate(), [D("A1", "2025-04"), D("A2", "2025-06")])
    assert ev.violations == () and ev.feasible


def test_before() -> None:
    est = make_estate(dependencies=[dep("A1", "A2", "before")],
                      options=[retain("A1"), option("A1"), option("A2"),
                               option("A2", "retire", duration=1), retain("A2")])
    # A1 live from 2 (2025-06); A2 starts 2025-05 -> too early
    only(evaluate(est, [D("A1", "2025-04"), D("A2", "2025-05")]), "before", "A2", "A1",
         month="2025-05")
    assert evaluate(est, [D("A1", "2025-04"), D("A2", "2025-06")]).feasible
    only(evaluate(est, [D("A2", "2025-06")]), "before", "A2", "A1", month=None)
    # a retire is not a move to a target: before does not apply
    assert evaluate(est, [D("A2", "2025-04", "retire")]).feasible


def test_together() -> None:
    est = make_estate(dependencies=[dep("A1", "A2", "together")],
                      options=[retain("A1"), option("A1", duration=2), retain("A2"),
                               option("A2", duration=3)], max_critical_in_flight=2)
    only(evaluate(est, [D("A1", "2025-04"), D("A2", "2025-04")]), "together", "A1", "A2")
    only(evaluate(est, [D("A1", "2025-04")]), "together", "A2", "A1")
    assert evaluate(est, [D("A1", "2025-05"), D("A2", "2025-04")]).feasible
    assert evaluate(est, []).feasible


def test_team_capacity_per_team_and_month() -> None:
    est = make_estate(options=[retain("A1"), option("A1", effort={"migration": 40}),
                               retain("A2"), option("A2", effort={"migration": 30,
                                                                  "dev": 10})],
                      teams=[Team("migration", 60), Team("dev", 5)])
    ev = evaluate(est, [D("A1", "2025-04"), D("A2", "2025-05")])
    # migration: 70 days in 2025-05 only; dev: 10 > 5 in 2025-05 and 2025-06
    assert len(ev.violations) == 3, ev.violations
    assert {(v.rule, v.ids, v.month) for v in ev.violations} == {
        ("teams", ("dev", "A2"), "2025-05"), ("teams", ("dev", "A2"), "2025-06"),
        ("teams", ("migration", "A1", "A2"), "2025-05")}
    assert [(v.rule, v.ids, v.month) for v in evaluate(
        est, [D("A1", "2025-04"), D("A2", "2025-06")]).violations] == [
        ("teams", ("dev", "A2"), "2025-06"), ("teams", ("dev", "A2"), "2025-07")]


def test_unknown_team_in_effort() -> None:
    est = make_estate(options=[retain("A1"), option("A1", effort={"ghosts": 1}), retain("A2")])
    only(evaluate(est, [D("A1", "2025-04")]), "unknown_team", "A1", "ghosts")


def test_max_critical_in_flight() -> None:
    est = make_estate(apps=[app("A1", criticality="critical"),
                            app("A2", criticality="critical")])
    only(evaluate(est, [D("A1", "2025-04"), D("A2", "2025-05")]), "critical", "A1", "A2",
         month="2025-05")
    assert evaluate(est, [D("A1", "2025-04"), D("A2", "2025-06")]).feasible


def test_max_golives_per_month() -> None:
    est = make_estate(max_golives_per_month=1, max_critical_in_flight=2,
                      options=[option("A1", duration=1), option("A2", duration=2),
                               retain("A1"), retain("A2")])
    only(evaluate(est, [D("A1", "2025-05"), D("A2", "2025-04")]), "golives", month="2025-05")
    # a retire counts as a go-live too
    est2 = make_estate(max_golives_per_month=1,
                       options=[option("A1", "retire", duration=1), option("A2", duration=1),
                                retain("A1"), retain("A2")])
    only(evaluate(est2, [D("A1", "2025-05", "retire"), D("A2", "2025-05")]), "golives",
         month="2025-05")


def test_blackout_months() -> None:
    est = make_estate(apps=[app("A1", blackout_months=(5,)), app("A2")])
    only(evaluate(est, [D("A1", "2025-04")]), "blackout", "A1", month="2025-05")
    assert evaluate(est, [D("A1", "2025-06")]).feasible


def test_freeze_months_forbid_go_live() -> None:
    est = make_estate(freeze_months=(12,))
    # start 2025-11, d=2: go-live month 2025-12 (live from January) -> forbidden
    only(evaluate(est, [D("A1", "2025-11")]), "freeze", "A1", month="2025-12")
    # in flight in December but live from December's successor month... go-live Jan: ok
    assert evaluate(est, [D("A1", "2025-12")]).feasible


def test_earliest_start_and_horizon() -> None:
    est = make_estate(apps=[app("A1", earliest_start="2025-06"), app("A2")])
    only(evaluate(est, [D("A1", "2025-05")]), "earliest_start", "A1", month="2025-05")
    only(evaluate(make_estate(), [D("A1", "2025-03")]), "horizon", "A1", month="2025-03")
    only(evaluate(make_estate(), [D("A1", "2026-03")]), "horizon", "A1", month="2026-05")


def test_must_finish_by() -> None:
    est = make_estate(apps=[app("A1", must_finish_by="2025-06"), app("A2")])
    only(evaluate(est, []), "must_finish", "A1", month=None)
    only(evaluate(est, [D("A1", "2025-05")]), "must_finish", "A1", month="2025-07")  # L=3 > 2
    assert evaluate(est, [D("A1", "2025-04")]).feasible  # L=2
    # at or beyond the horizon end it constrains nothing
    late = make_estate(apps=[app("A1", must_finish_by="2026-04"), app("A2")])
    assert evaluate(late, []).feasible


def test_must_move_application_retained() -> None:
    est = make_estate(options=[option("A1"), retain("A2"), option("A2")])
    only(evaluate(est, []), "decision", "A1")


def test_site_exit_by() -> None:
    est = make_estate(sites=[site("DC1", exit_by="2025-07"), site("CLOUD", "cloud")])
    # S1 serves A1 live from 5 (2025-09) > exit_by 3 -> late; A2 (S2) retained too.
    ev = evaluate(est, [D("A1", "2025-07"), D("A2", "2025-04")])
    only(ev, "site_exit", "DC1", "S1", month="2025-09")
    assert evaluate(est, [D("A1", "2025-05"), D("A2", "2025-04")]).feasible


def test_option_targeting_a_site_to_be_exited() -> None:
    est = make_estate(sites=[site("DC1"), site("CLOUD", "cloud", exit_by="2030-01")])
    only(evaluate(est, [D("A1", "2025-04")]), "exit_target", "A1", "CLOUD")


def test_budget_per_financial_year() -> None:
    # A1: £600 over 2025-04..05 (FY 2025/26); A2: £400 over 2026-03..04:
    # £200 in FY 2025/26 and £200 in FY 2026/27 (H = 24).
    est = make_estate(horizon_months=24,
                      options=[retain("A1"), option("A1", one_off_cost=600), retain("A2"),
                               option("A2", one_off_cost=400)],
                      budget=[BudgetYear("2025/26", 800), BudgetYear("2026/27", 150)])
    only(evaluate(est, [D("A1", "2025-04"), D("A2", "2026-03")]), "budget", "2026/27")
    est2 = make_estate(horizon_months=24,
                       options=[retain("A1"), option("A1", one_off_cost=600), retain("A2"),
                                option("A2", one_off_cost=400)],
                       budget=[BudgetYear("2025/26", 799.99)])
    only(evaluate(est2, [D("A1", "2025-04"), D("A2", "2026-03")]), "budget", "2025/26")
    est3 = make_estate(horizon_months=24,
                       options=[retain("A1"), option("A1", one_off_cost=600, duration=3),
                                retain("A2")], budget=[BudgetYear("2025/26", 600)])
    assert evaluate(est3, [D("A1", "2025-04")]).feasible  # 3 * 200 = 600 exactly


def test_pins() -> None:
    est = make_estate(options=[retain("A1"), option("A1"), option("A1", "retire"),
                               retain("A2"), option("A2"), option("A2", "rehost", "DC1")],
                      pins=[Pin("A1", "retire", start="2025-06"), Pin("A2", target_site="CLOUD")])
    ev = evaluate(est, [D("A1", "2025-05"), D("A2", "2025-04", "rehost", "DC1")])
    assert len(ev.violations) == 3, ev.violations
    assert sorted((v.rule, v.ids) for v in ev.violations) == [
        ("pin", ("A1",)), ("pin", ("A1",)), ("pin", ("A2",))]
    ok = evaluate(est, [D("A1", "2025-06", "retire"), D("A2", "2025-08")])
    assert ok.feasible, ok.violations


def test_unknown_option_and_bad_decisions() -> None:
    est = make_estate()
    only(evaluate(est, [D("A1", "2025-04", "refactor")]), "decision", "A1")
    only(evaluate(est, [D("A1", None)]), "decision", "A1")
    only(evaluate(est, [D("ZZ", "2025-04")]), "decision")
    only(evaluate(est, [D("A1", "2025-04"), D("A1", "2025-06")]), "decision", "A1")
    # an unchecked evaluation reports nothing
    assert evaluate(est, [D("A1", "2025-04", "refactor")], check=False).violations == ()


def test_evaluator_requires_a_resolved_estate() -> None:
    from dataclasses import replace
    with pytest.raises(ValueError, match="resolve"):
        evaluate(replace(make_estate(), resolved=False), [])


def test_without_teams_migration_has_team_days_per_month() -> None:
    est = make_estate(teams=[], team_days_per_month=30,
                      options=[retain("A1"), option("A1", effort={"migration": 20}),
                               retain("A2"), option("A2", effort={"migration": 20})])
    only(evaluate(est, [D("A1", "2025-04"), D("A2", "2025-05")]), "teams", "migration", "A1",
         "A2", month="2025-05")
