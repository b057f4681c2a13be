"""The solver-neutral result of planning."""

from __future__ import annotations

from dataclasses import dataclass, field

from estate.plan import Plan


@dataclass(frozen=True)
class Result:
    """What a solve returns. Infeasible or timed out is a status, not an exception.

    Attributes
    ----------
    status
        ``optimal``, ``feasible``, ``infeasible`` or ``unknown`` (no plan found
        within the time limit).
    objective, bound, gap
        Discounted objective (£) of the plan recomputed exactly, a proven lower
        bound on it, and ``(objective - bound) / max(|objective|, 1)``; ``None``
        without a plan.
    seconds
        Wall-clock seconds spent solving.
    plan
        The whole plan (the content of ``plan.json``), always present: an
        infeasible result carries the baseline and the conflicts.
    """

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    plan: Plan
    log: tuple[str, ...] = field(default=())
