"""Name the rules that cannot hold together when an estate has no plan.

The explanation model (:class:`solver.model.build.Builder` with
``explain=True``) allows every horizon-feasible choice and enforces each rule
instance — a site's ``exit_by``, an application's ``must_finish_by``,
``earliest_start``, the residents' notice, blackouts, a pin, a ``before`` or ``together`` edge, a
team's capacity, the critical and go-live limits, a budget year, freeze — by
its own literal. CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a
core; a deletion pass then drops every rule whose removal keeps the estate
infeasible, so the set named is minimal (when time allows).
"""

from __future__ import annotations

import copy
import math
import time

from ortools.sat.python import cp_model

from estate.limits import resident_live_from
from estate.months import label_at
from estate.violation import Violation
from solver.model.build import Builder
from solver.model.domains import RuleId, describe, team_demand, team_words
from solver.model.prep import Prep


def _solve(b: Builder, assume: list[RuleId], seconds: float, seed: int
           ) -> tuple[cp_model.CpSolverStatus, list[RuleId]]:
    b.m.clear_assumptions()
    b.m.add_assumptions([b.rules[r] for r in assume])
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(seconds, 0.05)
    s.parameters.num_workers = 1
    s.parameters.cp_model_presolve = False  # cores are only reliable without presolve
    s.parameters.random_seed = seed
    status = s.solve(b.m)
    core: list[RuleId] = []
    if status == cp_model.INFEASIBLE:
        by_index = {lit.index: r for r, lit in b.rules.items()}
        core = [by_index[i] for i in s.sufficient_assumptions_for_infeasibility()
                if i in by_index]
    return status, core


def find_conflicts(prep: Prep, *, seconds: float = 20.0, seed: int = 0) -> list[RuleId]:
    """A small set of rule ids that cannot hold together (empty if none found).

    Parameters
    ----------
    prep
        The estate tables.
    seconds
        Time allowed for the whole search.
    seed
        CP-SAT random seed.
    """
    t0 = time.monotonic()
    b = Builder(prep, explain=True)
    rules = sorted(b.rules)
    status, core = _solve(b, rules, seconds / 2, seed)
    if status != cp_model.INFEASIBLE:
        return []
    core = sorted(set(core)) or rules
    i = 0
    while i < len(core):
        left = seconds - (time.monotonic() - t0)
        if left <= 0:
            break
        trial = core[:i] + core[i + 1:]
        st, sub = _solve(b, trial, min(left, max(1.0, seconds / 10)), seed)
        if st == cp_model.INFEASIBLE:
            sub_set = set(sub) & set(trial)
            core = sorted(sub_set) if sub_set and len(sub_set) < len(trial) else trial
            core = [r for r in core]  # keep order stable
            i = min(i, len(core))
        else:
            i += 1
    return core


def smallest_team_capacity(prep: Prep, team: str, *, seconds: float = 10.0,
                           seed: int = 0) -> int | None:
    """The smallest whole number of days a month for ``team`` with which every
    rule can hold together, ``None`` when none is found in ``seconds``.

    A bisection between the lower bound of :func:`solver.model.domains.team_demand`
    and a capacity that lets every move run at once, each step a feasibility
    solve of the explanation model with all rules assumed.
    """
    t0 = time.monotonic()
    low = max(math.ceil(team_demand(prep, team)[0] - 1e-9), math.floor(
        prep.team_caps.get(team, 0.0)) + 1)
    high = max(low, math.ceil(sum(max((o.effort.get(team, 0.0) for o in ap.options),
                                      default=0.0) for ap in prep.apps)))

    def feasible(days: int) -> bool | None:
        left = seconds - (time.monotonic() - t0)
        if left <= 0:
            return None
        trial = copy.copy(prep)
        trial.team_caps = {**prep.team_caps, team: float(days)}
        b = Builder(trial, explain=True)
        status, _ = _solve(b, sorted(b.rules), left, seed)
        if status == cp_model.INFEASIBLE:
            return False
        return True if status in (cp_model.FEASIBLE, cp_model.OPTIMAL) else None

    if feasible(high) is not True:
        return None
    while low < high:
        mid = (low + high) // 2
        ok = feasible(mid)
        if ok is None:
            return None
        low, high = (low, mid) if ok else (mid + 1, high)
    return high


#: The :data:`estate.violation.RULE_IDS` id of each kind of explanation rule: the
#: id ``estate check`` gives the same rule when a schedule breaks it.
RULE_OF = {"must_move": "decision", "pin": "pin", "earliest": "earliest_start",
           "finish": "must_finish", "residents": "residents", "blackout": "blackout",
           "freeze": "freeze", "exit": "site_exit", "before": "before",
           "together": "together", "team": "teams", "critical": "critical",
           "golive": "golives", "budget": "budget", "residency": "residency",
           "unsupported_os": "unsupported_os"}


def _ids_and_month(prep: Prep, rule: RuleId) -> tuple[tuple[str, ...], str | None]:
    """The ids a conflict names (in ``estate check``'s order: the one at fault
    first) and the rule's own month, when it has one."""
    e = prep.estate
    kind, rest = rule[0], tuple(rule[1:])
    if kind == "before":  # ("before", first, then): check names the dependant first
        return (rest[1], rest[0]), None
    if kind == "exit":
        return (rest[0], *sorted(prep.site_set.get(rest[0], ()))), e.site_by_id[rest[0]].exit_by
    if kind == "critical":
        return tuple(a.app_id for a in prep.apps if a.critical), None
    if kind == "budget":
        by = next(b for b in e.budget if b.first_year == int(rest[0]))
        return (by.financial_year,), None
    if kind == "finish":
        return rest, e.app_by_id[rest[0]].must_finish_by
    if kind == "earliest":
        return rest, e.app_by_id[rest[0]].earliest_start
    if kind == "residents":
        return rest, label_at(prep.start, resident_live_from(e) - 1)
    return rest, None


def conflict_records(prep: Prep, rules: list[RuleId], *, seconds: float = 10.0,
                     seed: int = 0) -> tuple[Violation, ...]:
    """The rules as :class:`~estate.violation.Violation` records, most specific
    first: rule id (:data:`RULE_OF`), ids, month and words. A team's capacity is
    given with the days a month the forced moves need and, when a search within
    ``seconds`` finds it, the smallest capacity that would do."""
    order = {"must_move": 0, "pin": 1, "earliest": 2, "finish": 3, "residents": 4,
             "blackout": 4, "freeze": 5, "exit": 6, "before": 7, "together": 8, "team": 9,
             "critical": 10, "golive": 11, "budget": 12}
    out = []
    for r in sorted(rules, key=lambda r: (order.get(r[0], 99), r)):
        if r[0] == "team":
            text = team_words(prep, r[1], smallest_team_capacity(
                prep, r[1], seconds=seconds, seed=seed))
        else:
            text = describe(prep, r)
        ids, month = _ids_and_month(prep, r)
        out.append(Violation(RULE_OF[r[0]], ids, month, text))
    return tuple(out)


def conflict_paragraph(conflicts: tuple[Violation, ...] | list[Violation]) -> str:
    """One readable paragraph: "No plan keeps all of these rules: …"."""
    texts = [c.text for c in conflicts]
    if not texts:
        return "No plan fits the horizon, but no single set of rules could be named."
    if len(texts) == 1:
        return f"No plan keeps this rule: {texts[0]}."
    return ("No plan keeps all of these rules together: " + "; ".join(texts[:-1])
            + f"; and {texts[-1]}.")
