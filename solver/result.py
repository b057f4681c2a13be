"""The solver-neutral result of planning."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from estate.plan import Plan, Status


@dataclass(frozen=True)
class Result:
    """What a solve returns. Infeasible or timed out is a status, not an exception.

    Attributes
    ----------
    plan
        The whole plan (the content of ``plan.json``), always present: an
        infeasible result carries the baseline and the conflicts.
    log
        What the solver did, line by line (the benchmarks print it).
    searched_objective
        The objective (£) as the search computed it from its own tables; the
        plan's is derived again from the decisions, and the two must agree to
        the penny (``estate plan`` checks it before writing).
    """

    plan: Plan
    _: KW_ONLY
    log: tuple[str, ...] = ()
    searched_objective: float | None = None

    @property
    def status(self) -> Status:
        """``optimal``, ``feasible``, ``infeasible`` or ``unknown`` (no plan found
        within the time limit)."""
        return self.plan.status

    @property
    def objective(self) -> float | None:
        """Discounted objective (£) of the plan recomputed exactly; ``None`` without one."""
        return self.plan.objective

    @property
    def bound(self) -> float | None:
        """A proven lower bound on the objective (£); ``None`` without a plan."""
        return self.plan.bound

    @property
    def gap(self) -> float | None:
        """``(objective - bound) / max(|objective|, 1)``; ``None`` without a plan."""
        return self.plan.gap

    @property
    def seconds(self) -> float:
        """Wall-clock seconds spent solving."""
        return self.plan.solve_seconds
