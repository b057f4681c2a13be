"""One line about a plan: what a board compares between plans.

:func:`summarise` reduces a :class:`~estate.plan.Plan` to the figures the
cost–carbon front (``estate frontier``) and the scenario comparison
(``estate scenarios``) set side by side: tonnes, cash and discounted cost,
bound and gap, the data-centre exits, how many applications change and how
many contracts end, the first and last go-live.

This module uses the standard library only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from estate.model import Estate
from estate.months import add_months
from estate.plan import Plan

__all__ = ["PlanSummary", "data_centres", "summarise", "tonnes_text"]


def tonnes_text(t: float) -> str:
    """Tonnes for a person: ``1,234.5 t``; three decimals below 10 t."""
    return f"{t:,.3f} t" if abs(t) < 10 else f"{t:,.1f} t"


@dataclass(frozen=True)
class PlanSummary:
    """The comparable figures of one plan (``None`` where the plan has none).

    ``exits`` maps each data centre (an ``on_prem`` or ``colo`` site that
    hosts servers at the start) to the month it is empty, or ``None`` when it
    is still in use at the end of the horizon.
    """

    status: str
    tonnes: float | None = None
    cost: float | None = None
    cost_discounted: float | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    exits: dict[str, str | None] = field(default_factory=dict)
    moved: int = 0
    applications: int = 0
    contracts_ended: int = 0
    contracts: int = 0
    first_golive: str | None = None
    last_golive: str | None = None
    carbon_price: float | None = None

    @property
    def has_plan(self) -> bool:
        """Whether the plan has a schedule (and so figures)."""
        return self.tonnes is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlanSummary:
        """The summary of :meth:`to_dict` (unknown keys are ignored)."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})


def data_centres(estate: Estate) -> list[str]:
    """Ids of the ``on_prem`` and ``colo`` sites holding servers, in workbook order."""
    used = {s.site_id for s in estate.servers}
    return [s.site_id for s in estate.sites if s.kind != "cloud" and s.site_id in used]


def summarise(estate: Estate, plan: Plan) -> PlanSummary:
    """The figures of ``plan``, a plan of ``estate`` (raw or resolved).

    Parameters
    ----------
    estate
        The estate planned (its sites and servers name the data centres).
    plan
        The plan.

    Returns
    -------
    PlanSummary
        Every figure; a plan without a schedule has only its status.
    """
    price = (plan.assumptions.get("objective") or {}).get("carbon_price")
    if not plan.has_schedule or plan.totals is None:
        return PlanSummary(status=plan.status, seconds=plan.solve_seconds,
                           applications=len(estate.applications), carbon_price=price)
    end = add_months(plan.horizon_start, plan.horizon_months)
    site_exit = {s.site_id: s.exit for s in plan.sites}
    exits = {sid: (None if site_exit.get(sid, end) >= end else site_exit[sid])
             for sid in data_centres(estate)}
    # go-live month = the month before "live from" (s + d - 1), the reports' one convention
    lives = sorted(add_months(a.live_from, -1) for a in plan.applications
                   if a.live_from is not None)
    t = plan.totals
    return PlanSummary(
        status=plan.status, tonnes=t.co2e_tonnes, cost=t.cost,
        cost_discounted=t.cost_discounted, objective=plan.objective, bound=plan.bound,
        gap=plan.gap, seconds=plan.solve_seconds, exits=exits,
        moved=sum(1 for a in plan.applications if a.strategy != "retain"),
        applications=len(plan.applications),
        contracts_ended=sum(1 for c in plan.contracts if c.decision == "end"),
        contracts=len(plan.contracts),
        first_golive=lives[0] if lives else None, last_golive=lives[-1] if lives else None,
        carbon_price=price)
