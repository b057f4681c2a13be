"""A plan: decisions, derived state, totals and the ``plan.json`` schema.

The shape follows ``planning-model.md`` section *plan.json*. Everything is
named by string ids and ``YYYY-MM`` months. :class:`Ledger` carries the month
by month figures (by category) that reports draw; it is not part of the
spec's ``plan.json`` schema but is written to it under ``"ledger"`` so that a
report can be regenerated from ``plan.json`` alone.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PLAN_STATUSES = ("optimal", "feasible", "infeasible", "unknown")

COST_CATEGORIES = (
    "applications",  # current_monthly_cost before L, option monthly_cost after
    "one_off",  # migration one-off cost spread over flight
    "server_energy",  # on-prem / colo server electricity
    "site_fixed",  # site monthly_fixed_cost until exit
    "replacement",  # hardware replacement at end of life
    "split",  # loose dependency split costs
    "contracts",  # contract terms and renewals
)
CARBON_CATEGORIES = (
    "onprem_energy",  # servers in service at their sites
    "target_energy",  # applications live at target sites
    "embodied",  # replacement hardware
)


@dataclass(frozen=True)
class Decision:
    """The decision for one application: an option and (unless retained) a start."""

    app_id: str
    strategy: str
    target_site: str | None = None
    start: str | None = None


@dataclass(frozen=True)
class AppPlan:
    """One row of ``applications`` in plan.json."""

    app_id: str
    strategy: str
    target_site: str | None
    start: str | None
    live_from: str | None


@dataclass(frozen=True)
class ServerPlan:
    """One row of ``servers`` in plan.json."""

    server_id: str
    decommissioned: str
    zombie: bool
    replaced: str | None


@dataclass(frozen=True)
class ContractPlan:
    """One row of ``contracts`` in plan.json."""

    contract_id: str
    decision: str  # "end" | "keep"
    renewals: int
    end: str
    notice_by: str | None


@dataclass(frozen=True)
class SitePlan:
    """One row of ``sites`` in plan.json."""

    site_id: str
    exit: str


@dataclass(frozen=True)
class Totals:
    """Cash cost (undiscounted), discounted cost, tonnes CO2e and objective."""

    cost: float
    cost_discounted: float
    co2e_tonnes: float
    objective: float


@dataclass(frozen=True)
class Ledger:
    """Month by month figures of one plan (index 0 … H-1).

    ``cost[cat][t]`` in £ (undiscounted), ``carbon[cat][t]`` in kgCO2e.
    """

    cost: dict[str, list[float]] = field(default_factory=dict)
    carbon: dict[str, list[float]] = field(default_factory=dict)

    def cost_at(self, t: int) -> float:
        """Total cost of month ``t``."""
        return sum(v[t] for v in self.cost.values())

    def carbon_at(self, t: int) -> float:
        """Total kgCO2e of month ``t``."""
        return sum(v[t] for v in self.carbon.values())


@dataclass(frozen=True)
class Plan:
    """A whole plan as written to ``plan.json``."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_seconds: float
    horizon_start: str
    horizon_months: int
    applications: tuple[AppPlan, ...] = ()
    servers: tuple[ServerPlan, ...] = ()
    contracts: tuple[ContractPlan, ...] = ()
    sites: tuple[SitePlan, ...] = ()
    totals: Totals | None = None
    baseline: Totals | None = None
    greedy: Totals | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[str, ...] = ()
    ledger: Ledger | None = None
    baseline_ledger: Ledger | None = None
    greedy_ledger: Ledger | None = None
    greedy_applications: tuple[AppPlan, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in PLAN_STATUSES:
            raise ValueError(f"status {self.status!r} must be one of {PLAN_STATUSES}")

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The decisions of the plan (what pins and the evaluator read)."""
        return tuple(
            Decision(a.app_id, a.strategy, a.target_site, a.start) for a in self.applications
        )

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain JSON-able data, in the spec's key order."""
        d = asdict(self)
        d["applications"] = [asdict(a) for a in self.applications]
        d["conflicts"] = list(self.conflicts)
        return d

    def write(self, path: str | Path) -> Path:
        """Write ``plan.json`` atomically; a symbolic link or read-only file is refused
        (:func:`estate.files.write_text`)."""
        from estate.files import write_text

        return write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")


def _totals(d: dict[str, Any] | None) -> Totals | None:
    return None if d is None else Totals(**{k: d[k] for k in Totals.__dataclass_fields__})


def _ledger(d: dict[str, Any] | None) -> Ledger | None:
    return None if d is None else Ledger(cost=d.get("cost", {}), carbon=d.get("carbon", {}))


def plan_from_dict(d: dict[str, Any]) -> Plan:
    """Build a :class:`Plan` from parsed ``plan.json`` data.

    Raises
    ------
    ValueError
        When a required key is missing or malformed.
    """
    try:
        return Plan(
            status=d["status"],
            objective=d.get("objective"),
            bound=d.get("bound"),
            gap=d.get("gap"),
            solve_seconds=float(d.get("solve_seconds", 0.0)),
            horizon_start=d["horizon_start"],
            horizon_months=int(d["horizon_months"]),
            applications=tuple(AppPlan(**a) for a in d.get("applications", [])),
            servers=tuple(ServerPlan(**s) for s in d.get("servers", [])),
            contracts=tuple(ContractPlan(**c) for c in d.get("contracts", [])),
            sites=tuple(SitePlan(**s) for s in d.get("sites", [])),
            totals=_totals(d.get("totals")),
            baseline=_totals(d.get("baseline")),
            greedy=_totals(d.get("greedy")),
            assumptions=d.get("assumptions", {}),
            conflicts=tuple(d.get("conflicts", [])),
            ledger=_ledger(d.get("ledger")),
            baseline_ledger=_ledger(d.get("baseline_ledger")),
            greedy_ledger=_ledger(d.get("greedy_ledger")),
            greedy_applications=tuple(AppPlan(**a) for a in d.get("greedy_applications", [])),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a plan.json: {exc}") from exc


def read_plan(path: str | Path) -> Plan:
    """Read ``plan.json`` (raises ``ValueError`` on a malformed file)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read plan: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a plan.json (expected a JSON object)")
    return plan_from_dict(data)
