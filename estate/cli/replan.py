"""``estate plan --from-actuals``: re-plan from today, keeping what happened.

The rules are :func:`estate.actuals.replan_of` (one home); this module only
finds the previous plan in the register, applies the rules and solves, and
records them in ``plan.json`` (``assumptions.from_actuals`` and the pins) so
that ``estate check`` and ``estate report`` apply the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from estate.actuals import apply_replan, replan_of
from estate.cli import pipeline
from estate.errors import EstateError, Issue
from estate.model import Estate
from estate.months import is_month
from estate.plan import Plan
from estate.register import Register
from estate.register.register import PlanEntry
from estate.resolve import resolve
from solver.solve import Progress


def this_month() -> str:
    """The current month (UTC), ``YYYY-MM``."""
    return datetime.now(UTC).strftime("%Y-%m")


def previous_plan(reg: Register | None) -> tuple[PlanEntry | None, Plan | None]:
    """The register's newest plan with a schedule (``estate plan`` or a re-plan)."""
    if reg is None:
        return None, None
    entry = reg.latest()
    return (entry, reg.plan(entry.plan_id)) if entry is not None else (None, None)


def plan_from_actuals(raw: Estate, today: str, previous: Plan | None, *,
                      reference: Path | None = None, time_limit: float = 60.0,
                      workers: int | None = None, seed: int = 0, objective: str = "balanced",
                      carbon_price: float | None = None,
                      progress: Progress | None = None) -> pipeline.PlanRun:
    """Plan ``raw`` from ``today`` (see :func:`estate.actuals.replan_of`).

    Raises
    ------
    EstateError
        When ``today`` is not a month within the horizon.
    """
    st = raw.settings
    if not is_month(today):
        raise EstateError(Issue("--today", f"{today!r} is not a month YYYY-MM"))
    from estate.months import add_months

    end = add_months(st.horizon_start, st.horizon_months - 1)
    if not st.horizon_start <= today <= end:
        raise EstateError(Issue("--today", f"{today} is outside the workbook's horizon "
                                f"({st.horizon_start} to {end}); give --today a month "
                                "within it"))
    pins, rp = replan_of(resolve(raw, reference), today, previous)
    estate = apply_replan(pipeline.resolve_estate(raw, pins=pins, pins_source="actuals",
                                                  reference=reference), rp)
    return pipeline.solve_resolved(estate, inputs=pipeline.plan_inputs(raw, reference),
                                   pins=pins, time_limit=time_limit, workers=workers,
                                   seed=seed, objective=objective, carbon_price=carbon_price,
                                   progress=progress,
                                   assumptions={"from_actuals": rp.to_json()})


def history_notes(run: pipeline.PlanRun) -> list[str]:
    """The rules of the whole estate the re-plan's actuals broke before its
    first planned month (:func:`solver.rules.past_breaches`), in words."""
    from estate.derive import build_schedule
    from estate.violation import recorded
    from solver.rules import past_breaches

    p = run.result.plan
    if not p.has_schedule:
        return []
    return [recorded(v) for v in past_breaches(run.estate, build_schedule(run.estate,
                                                                          p.decisions))]
