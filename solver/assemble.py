"""The one place a :class:`~estate.plan.Plan` is put together from a search.

:func:`solver.solve.search` only solves: it returns a :class:`Solved` — the
decisions, status, bound, conflicts and log, in the estate's terms, with no
CP-SAT object. :func:`assemble` derives everything else from the decisions
with the derivation the evaluator, ``estate check`` and the reports use
(:func:`solver.evaluate.evaluate` over :mod:`estate.derive`): application,
server, contract and site rows, totals and ledgers; and the baseline and the
greedy plan beside them. So ``plan.json`` and the reports come from the same
derivation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from estate.model import Estate
from estate.plan import Decision, Plan, Status
from estate.violation import Violation
from solver.evaluate import baseline, evaluate
from solver.result import Result


@dataclass(frozen=True)
class Solved:
    """What a search found.

    Attributes
    ----------
    estate
        The resolved estate searched, with the carbon price the objective used.
    status
        ``optimal``, ``feasible``, ``infeasible`` or ``unknown``.
    decisions
        One decision per application (``None`` without a plan).
    bound
        A proven lower bound on the objective (£), ``None`` without a plan.
    t0
        ``time.monotonic()`` when the solve started.
    greedy
        The greedy plan's decisions, ``None`` when it breaks a rule.
    assumptions
        ``plan.json``'s ``assumptions``.
    conflicts
        For ``infeasible``: the clashing rules, as records
        (:func:`solver.model.explain.conflict_records`).
    log
        What the search did, line by line.
    objective
        The objective (£) of the decisions by the search's own tables.
    """

    estate: Estate
    status: Status
    decisions: tuple[Decision, ...] | None
    bound: float | None
    t0: float
    greedy: tuple[Decision, ...] | None
    assumptions: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[Violation, ...] = ()
    log: tuple[str, ...] = ()
    objective: float | None = None


def assemble(solved: Solved) -> Result:
    """The :class:`~solver.result.Result` of a search: its plan, derived once.

    A plan without a schedule (``infeasible``, ``unknown``) carries only the
    baseline and the conflicts.
    """
    est = solved.estate
    st = est.settings
    base = baseline(est)
    if solved.decisions is None or solved.status not in ("optimal", "feasible"):
        plan = Plan(status=solved.status, objective=None, bound=None, gap=None,
                    solve_seconds=time.monotonic() - solved.t0,
                    horizon_start=st.horizon_start, horizon_months=st.horizon_months,
                    baseline=base.totals, greedy=None, assumptions=dict(solved.assumptions),
                    conflicts=solved.conflicts, baseline_ledger=base.ledger)
        return Result(plan, log=solved.log, searched_objective=solved.objective)
    assert solved.bound is not None
    ev = evaluate(est, list(solved.decisions), check=False)
    greedy = evaluate(est, list(solved.greedy), check=False) if solved.greedy else None
    objective = ev.totals.objective
    plan = Plan(
        status=solved.status, objective=objective, bound=solved.bound,
        gap=max(objective - solved.bound, 0.0) / max(abs(objective), 1.0),
        solve_seconds=time.monotonic() - solved.t0, horizon_start=st.horizon_start,
        horizon_months=st.horizon_months, applications=ev.applications, servers=ev.servers,
        contracts=ev.contracts, sites=ev.sites, totals=ev.totals, baseline=base.totals,
        greedy=None if greedy is None else greedy.totals,
        assumptions=dict(solved.assumptions), conflicts=(), ledger=ev.ledger,
        baseline_ledger=base.ledger, greedy_ledger=None if greedy is None else greedy.ledger,
        greedy_applications=() if greedy is None else greedy.applications,
    )
    return Result(plan, log=solved.log, searched_objective=solved.objective)
