"""Conflicts of an infeasible estate are :class:`~estate.violation.Violation`
records with the rule ids ``estate check`` uses (horizon 12 months from
2025-04, no discounting).

For every hard rule a tiny estate that cannot keep it: the conflicts name the
rule by id and ids, and a schedule that breaks the same rule is reported by
the evaluator (what ``estate check`` runs) with the same rule id and the same
id at fault. Tests assert on ids, never on wording.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from test_solver_factory import (
    BudgetYear,
    Dependency,
    Pin,
    Team,
    app,
    make_estate,
    opt,
    run,
    server,
    site,
)

from estate.errors import EstateError
from estate.model import Estate, Server, Site
from estate.plan import Decision, Plan, plan_from_dict
from estate.violation import RULE_IDS, Violation
from solver.evaluate import evaluate
from solver.model.explain import RULE_OF, conflict_paragraph

CLOUD = [site("DC"), site("CLOUD", "cloud")]
EU = [site("DC"), Site("EU-NE", "cloud", name="Azure northeurope", pue=1.0,
                       power_price_per_kwh=0.0, monthly_fixed_cost=0.0)]


def move(app_id: str, start: str = "2025-04", target: str = "CLOUD") -> Decision:
    return Decision(app_id, "rehost", target_site=target, start=start)


@dataclass(frozen=True)
class Case:
    """An estate with no plan, the conflict expected, and a schedule breaking
    that rule, and what the evaluator says of that schedule."""

    estate: Callable[[], Estate]
    conflict: tuple[str, tuple[str, ...]]
    broken: list[Decision]
    month: str | None = None
    checked: tuple[str, tuple[str, ...]] | None = None

    @property
    def expected_check(self) -> tuple[str, tuple[str, ...]]:
        """The evaluator's (rule id, id at fault) for ``broken``: by default
        the conflict's rule and first id."""
        return self.checked or (self.conflict[0], self.conflict[1][:1])


CASES = {
    # A must stay (retain only), B must move (no retain): before needs A moved first.
    "before": Case(lambda: make_estate([app("A"), app("B")], [opt("A", "retain"), opt("B")],
                                       deps=[Dependency("A", "B", "before")]),
                   ("before", ("B", "A")), [Decision("A", "retain"), move("B")]),
    "together": Case(lambda: make_estate([app("A"), app("B")], [opt("A", "retain"), opt("B")],
                                         deps=[Dependency("A", "B", "together")]),
                     ("together", ("A", "B")), [Decision("A", "retain"), move("B")]),
    # one move needs 12.5 days a month of a 10-day team
    "teams": Case(lambda: make_estate([app("A")], [opt("A", effort={"dba": 12.5})],
                                      teams=[Team("migration", 100), Team("dba", 10)]),
                  ("teams", ("dba",)), [move("A")]),
    "critical": Case(lambda: make_estate([app("A", criticality="critical")], [opt("A")],
                                         max_critical_in_flight=0),
                     ("critical", ("A",)), [move("A")]),
    # both must be live by 2025-05 (go live in April), one go-live a month
    "golives": Case(lambda: make_estate([app("A", must_finish_by="2025-05"),
                                         app("B", must_finish_by="2025-05")],
                                        [opt("A"), opt("B")], max_golives_per_month=1),
                    ("golives", ()), [move("A"), move("B")], checked=("golives", ("A",))),
    # must be live by 2025-05: in flight in April, blacked out
    "blackout": Case(lambda: make_estate([app("A", must_finish_by="2025-05",
                                              blackout_months=(4,))], [opt("A")]),
                     ("blackout", ("A",)), [move("A")]),
    # must be live by 2025-05: goes live in April, a freeze month
    "freeze": Case(lambda: make_estate([app("A", must_finish_by="2025-05")], [opt("A")],
                                       freeze_months=(4,)),
                   ("freeze", ()), [move("A")], checked=("freeze", ("A",))),
    "earliest_start": Case(lambda: make_estate([app("A", earliest_start="2025-09",
                                                    must_finish_by="2025-09")], [opt("A")]),
                           ("earliest_start", ("A",)), [move("A", "2025-08")], "2025-09"),
    "must_finish": Case(lambda: make_estate([app("A", must_finish_by="2025-04")],
                                            [opt("A", "retain"), opt("A")]),
                        ("must_finish", ("A",)), [Decision("A", "retain")], "2025-04"),
    # DC is exited by 2025-06 but A's only move takes 3 months and cannot start early
    "site_exit": Case(lambda: make_estate(
        [app("A", earliest_start="2025-05")], [opt("A", "retain"), opt("A", d=3)],
        sites=[site("DC", exit_by="2025-06"), site("CLOUD", "cloud")],
        servers=[server("S", ("A",))]),
        ("site_exit", ("DC", "A")), [move("A", "2025-05")], "2025-06"),
    # the only move targets a site being exited: the same literal as site_exit
    "exit_target": Case(lambda: make_estate(
        [app("A", must_finish_by="2025-09")], [opt("A", target="DC2")],
        sites=[site("DC"), site("DC2", exit_by="2027-01")]),
        ("site_exit", ("DC2",)), [move("A", target="DC2")], "2027-01",
        checked=("exit_target", ("A",))),
    # resident-facing, must be live by 2025-06; 8 weeks' notice: June at the earliest
    "residents": Case(lambda: make_estate([app("R", resident_facing=True,
                                                must_finish_by="2025-06")], [opt("R")],
                                          resident_notice_weeks=8),
                      ("residents", ("R",)), [move("R")], "2025-06"),
    "budget": Case(lambda: make_estate([app("A")], [opt("A", one_off=1000)],
                                       budget=[BudgetYear("2025/26", 500.0)]),
                   ("budget", ("2025/26",)), [move("A")]),
    "residency": Case(lambda: make_estate(
        [app("A", data_residency="uk", must_finish_by="2025-06")],
        [opt("A", target="EU-NE")], sites=EU),
        ("residency", ("A", "EU-NE")), [move("A", target="EU-NE")]),
    # S1 out of support from 2025-07 under forbid, and A cannot move
    "unsupported_os": Case(lambda: make_estate(
        [app("A")], [opt("A", "retain")],
        servers=[Server("S1", "DC", "physical", os="Windows Server 2012",
                        os_end_of_support="2025-07", watts=0.0, replacement_cost=0.0,
                        embodied_kgco2e=0.0, app_ids=("A",))],
        unsupported_os_policy="forbid"),
        ("unsupported_os", ("S1",)), [Decision("A", "retain")]),
    "pin": Case(lambda: make_estate([app("A", earliest_start="2025-09")],
                                    [opt("A", "retain"), opt("A")],
                                    pins=[Pin("A", start="2025-05")]),
                ("pin", ("A",)), [move("A", "2025-09")]),
    # no retain and a move longer than the horizon: retained without a retain option
    "decision": Case(lambda: make_estate([app("A")], [opt("A", d=13)]),
                     ("decision", ("A",)), [Decision("A", "retain")]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_conflict_names_the_rule_as_check_does(name: str) -> None:
    case = CASES[name]
    e = case.estate()
    r = run(e)
    assert r.status == "infeasible", r.status
    got = {(c.rule, c.ids): c for c in r.plan.conflicts}
    assert all(isinstance(c, Violation) and c.text for c in r.plan.conflicts)
    assert case.conflict in got, list(got)
    if case.month is not None:
        assert got[case.conflict].month == case.month
    checked = {(v.rule, v.ids[:1]) for v in evaluate(e, case.broken).violations}
    assert case.expected_check in checked, checked


def test_every_explanation_rule_has_a_check_rule_id() -> None:
    assert set(RULE_OF.values()) <= set(RULE_IDS)
    # every hard rule of the explanation model is exercised above
    assert set(RULE_OF.values()) <= {c.conflict[0] for c in CASES.values()}


def test_carbon_cap_id() -> None:
    from solver.epsilon import Epsilon

    e = make_estate([app("A", 1000.0, must_finish_by="2025-06")],
                    [opt("A", "rehost", monthly=100.0, kwh=100.0)])
    r = run(e, objective="cost", epsilon=Epsilon(cap_tonnes=0.010))
    assert [(c.rule, c.ids) for c in r.plan.conflicts] == [("carbon_cap", ())]


def _plan(conflicts: tuple[Violation, ...]) -> Plan:
    return Plan(status="infeasible", objective=None, bound=None, gap=None, solve_seconds=0.0,
                horizon_start="2025-04", horizon_months=12, conflicts=conflicts)


def test_plan_json_keeps_the_records() -> None:
    recs = (Violation("before", ("B", "A"), None, "A must be live before B starts"),
            Violation("must_finish", ("A",), "2025-04", "A must finish by 2025-04"))
    d = json.loads(_plan(recs).to_json())
    assert d["conflicts"][1] == {"rule": "must_finish", "ids": ["A"], "month": "2025-04",
                                 "text": "A must finish by 2025-04"}
    assert plan_from_dict(d).conflicts == recs


def test_plan_json_in_words_only_is_read_as_unnamed() -> None:
    d = json.loads(_plan(()).to_json())
    d["conflicts"] = ["site DC1 exit_by 2026-03"]
    assert plan_from_dict(d).conflicts == (
        Violation("unnamed", (), None, "site DC1 exit_by 2026-03"),)


def test_plan_json_bad_record_is_located() -> None:
    d = json.loads(_plan(()).to_json())
    d["conflicts"] = [{"rule": "nonsense", "ids": ["A"], "month": None, "text": "x"}, 3]
    with pytest.raises(EstateError) as err:
        plan_from_dict(d)
    text = str(err.value)
    assert "conflicts[0].rule" in text and "conflicts[1]" in text


def test_paragraph_lists_every_record() -> None:
    recs = (Violation("decision", ("A",), None, "one"), Violation("teams", ("x",), None, "two"))
    assert conflict_paragraph(recs).endswith("one; and two.")
    assert conflict_paragraph(recs[:1]) == "No plan keeps this rule: one."
