"""``estate progress``'s library half: plan against actual.

Ties the pieces together: the plan (a ``plan.json`` or a register name), the
workbook's actuals, the evaluator costing what happened
(:func:`estate.actuals.as_happened`), the comparison
(:func:`estate.progress.progress`) and the report (:mod:`reports.progress`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from estate.actuals import as_happened, confirmed
from estate.cli import pipeline, registry
from estate.derive import build_schedule
from estate.errors import EstateError, Issue
from estate.fingerprint import fingerprint
from estate.months import add_months, is_month
from estate.progress import Progress, progress
from estate.violation import recorded
from solver.check import prepare
from solver.evaluate import evaluate
from solver.rules import past_breaches, violations


def progress_against(workbook: Path, against: str, today: str, *, db: str | None = None,
                     reference: Path | None = None) -> tuple[Progress, str, list[str], str]:
    """The comparison of the plan ``against`` with the actuals of ``workbook``
    up to ``today``; the plan's name; notes for the user; the report's title
    (the organisation, else the workbook's name).

    Raises
    ------
    EstateError
        When the plan cannot be found or was made of other applications, or
        ``today`` is not a month.
    """
    if not is_month(today):
        raise EstateError(Issue("--today", f"{today!r} is not a month YYYY-MM"))
    raw = pipeline.load(workbook)
    where = registry.location(workbook, db)
    reg = None
    if where is not None and not (isinstance(where, Path) and not where.exists()):
        reg = registry.open_register(where)
    try:
        name, plan, _ = registry.resolve_plan(reg, against)
    finally:
        if reg is not None:
            reg.close()
    if not plan.has_schedule:
        raise EstateError(Issue(name, f"the plan is {plan.status}: it has no schedule to "
                                "compare with"))
    known = {a.app_id for a in raw.applications}
    missing = [a.app_id for a in plan.applications if a.app_id not in known]
    if missing:
        raise EstateError(Issue(name, f"the plan has applications the workbook does not "
                                f"({', '.join(missing[:5])}); compare it with its own "
                                "workbook"))
    notes = []
    if plan.inputs.get("fingerprint") not in (None, fingerprint(raw)):
        notes.append(f"the workbook changed since {name} was made; its figures are the "
                     "workbook's as it is now")
    end = add_months(plan.horizon_start, plan.horizon_months)
    if not plan.horizon_start < today <= end:
        notes.append(f"today ({today}) is outside the plan's horizon ({plan.horizon_start} "
                     f"to {add_months(end, -1)}); "
                     + ("nothing is compared yet" if today <= plan.horizon_start
                        else "every month is compared"))
    estate = prepare(raw, plan, str(reference) if reference else None)
    happened_estate, decisions = as_happened(estate, plan, today)
    ev = evaluate(happened_estate, decisions)
    # what happened before today is fact: every rule it broke is reported,
    # whether or not the plan compared with is a re-plan
    sched = build_schedule(happened_estate, decisions)
    broken = tuple(violations(replace(happened_estate, plan_from=None), sched))
    # the history: the moves the actuals record, nothing the plan only expected
    done = confirmed(raw.actuals, "application")
    recorded_moves = build_schedule(happened_estate, [d for d in decisions if d.app_id in done])
    history = tuple(past_breaches(replace(happened_estate, plan_from=today), recorded_moves))
    notes += [recorded(v) for v in history]
    title = raw.settings.organisation or Path(workbook).stem
    # savings are measured from the workbook's values (a re-plan prices a
    # renegotiated contract at its new value throughout)
    before = {c.contract_id: c.annual_value for c in raw.contracts}
    valued = replace(estate, contracts=tuple(
        replace(c, annual_value=before.get(c.contract_id, c.annual_value))
        for c in estate.contracts))
    return (progress(valued, plan, today, ev.ledger, broken, history), name, notes,
            title)
