"""What the answer hangs on: the assumptions ``estate sensitivity`` varies.

Each assumption has a low and a high case, each one a :class:`Scenario` of
overrides (:mod:`estate.scenario`: settings, ``cloud_pricing`` and
``reference.KEY``), planned beside the base in one batch. An effect compares
a case's plan with the base's on two figures:

- **NPV against staying**: the baseline's discounted cost minus the plan's
  (positive: the plan saves money against doing nothing, discounted);
- **applications moved**: applications the plan does not retain.

Standard library and :mod:`estate` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from estate.plan import Plan
from estate.scenario import Override, Scenario

__all__ = ["ASSUMPTIONS", "Assumption", "Effect", "effect_of", "sensitivity_scenarios"]


@dataclass(frozen=True)
class Assumption:
    """One assumption: its name, what it is in words, and its two cases.

    ``low`` and ``high`` are the override values of ``key`` (a scenario key);
    ``low_words`` and ``high_words`` say them for the board.
    """

    name: str
    words: str
    key: str
    low: Any
    high: Any
    low_words: str
    high_words: str
    source: str


#: The assumptions varied, with their ranges and why those ranges.
ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("cloud-pricing", "cloud pricing basis", "cloud_pricing", "reserved_1y", "payg",
               "1-year reservations", "pay as you go",
               "the two bases in the reference data; affects generated cloud options only"),
    Assumption("cloud-price-level", "cloud price level", "reference.cloud.price_level",
               0.8, 1.2, "20 % below list", "20 % above list",
               "estimate: a negotiated discount or a price rise of a fifth on the cloud "
               "provider's prices (VM, storage, backup); generated cloud options only"),
    Assumption("vms-per-admin", "VMs per administrator", "reference.labour.vms_per_admin",
               150, 50, "150", "50", "industry rules of thumb 50-150 (reference data)"),
    Assumption("cloud-labour", "cloud labour as a share of on-premises labour",
               "reference.labour.cloud_fraction", 0.7, 1.0, "70 %", "100 %",
               "estimate: 70 % to the reference value 100 %"),
    Assumption("hypervisor", "hypervisor subscription", "reference.hypervisor.per_core_year",
               106.3, 275.59, "vSphere Foundation (£106 a core-year)",
               "Cloud Foundation (£276 a core-year)",
               "VVF ~USD 135 and VCF ~USD 350 per core a year, at 1.27 USD/GBP"),
    Assumption("electricity", "electricity price", "reference.power_price_per_kwh", 0.24, 0.33,
               "24 p/kWh", "33 p/kWh",
               "2025 business rates reported at ~24-28 p; the reference 2023/24 average 33 p"),
    Assumption("carbon-price", "carbon price series", "carbon_price_series", "low", "high",
               "low appraisal series", "high appraisal series",
               "the UK appraisal values' low and high series (reference data)"),
    Assumption("discount-rate", "discount rate", "discount_rate", 0.015, 0.055, "1.5 %",
               "5.5 %", "the Green Book's 3.5 % plus or minus two points"),
    Assumption("rehost-one-off", "rehost one-off a server",
               "reference.migration.rehost_cost_per_server", 157.0, 1500.0,
               "£157 (USD 200, in-house)", "£1,500 (partner-led)",
               "market range quoted in the reference data; generated options only"),
)


def sensitivity_scenarios(assumptions: tuple[Assumption, ...] = ASSUMPTIONS
                          ) -> list[Scenario]:
    """The base (no override) and a low and a high scenario per assumption,
    named ``<name>-low`` and ``<name>-high``."""
    out = [Scenario("base")]
    for a in assumptions:
        for case, value, words in (("low", a.low, a.low_words), ("high", a.high, a.high_words)):
            out.append(Scenario(f"{a.name}-{case}", (
                Override(a.key, value), Override("description", f"{a.words}: {words}"))))
    return out


@dataclass(frozen=True)
class Effect:
    """One assumption's low and high cases against the base.

    ``npv`` is each plan's NPV against staying (baseline discounted cost
    minus the plan's, £); ``moved`` its applications moved; ``None`` when the
    case has no plan.
    """

    assumption: Assumption
    npv: tuple[float | None, float | None]
    moved: tuple[int | None, int | None]
    base_npv: float
    base_moved: int

    @property
    def swing(self) -> float:
        """The largest change of NPV against staying from the base (£)."""
        return max((abs(v - self.base_npv) for v in self.npv if v is not None), default=0.0)

    @property
    def flips(self) -> bool:
        """Whether the two cases move a different number of applications."""
        lo, hi = self.moved
        return lo is not None and hi is not None and lo != hi

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        a = self.assumption
        return {"name": a.name, "assumption": a.words, "key": a.key,
                "low": a.low, "high": a.high, "low_words": a.low_words,
                "high_words": a.high_words, "source": a.source,
                "npv_low": self.npv[0], "npv_high": self.npv[1],
                "moved_low": self.moved[0], "moved_high": self.moved[1],
                "swing": self.swing, "flips": self.flips}


def _npv(plan: Plan | None) -> float | None:
    if plan is None or plan.totals is None or plan.baseline is None:
        return None
    return plan.baseline.cost_discounted - plan.totals.cost_discounted


def _moved(plan: Plan | None) -> int | None:
    if plan is None or plan.totals is None:
        return None
    return sum(1 for a in plan.applications if a.strategy != "retain")


def effect_of(a: Assumption, plans: Mapping[str, Plan]) -> Effect | None:
    """The effect of ``a`` from the plans by scenario folder name (``base``,
    ``<name>-low``, ``<name>-high``); ``None`` without a base plan."""
    base = plans.get("base")
    base_npv, base_moved = _npv(base), _moved(base)
    if base_npv is None or base_moved is None:
        return None
    lo, hi = plans.get(f"{a.name}-low"), plans.get(f"{a.name}-high")
    return Effect(a, (_npv(lo), _npv(hi)), (_moved(lo), _moved(hi)), base_npv, base_moved)
