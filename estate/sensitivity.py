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

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.plan import Plan
from estate.scenario import Override, Scenario

__all__ = ["ASSUMPTIONS", "Assumption", "BreakEven", "BreakEvenSearch", "Effect",
           "Sensitivity", "effect_of", "read_sensitivity", "sensitivity_scenarios"]


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
    #: How a value reads for the board (``v`` the value, ``p`` 100 × it);
    #: empty for an assumption that is not a number (no break-even).
    at: str = ""

    @property
    def numeric(self) -> bool:
        """Whether a value between low and high means something (bisectable)."""
        return bool(self.at) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                     for v in (self.low, self.high))

    def value_words(self, v: float) -> str:
        """``v`` as the board reads it (``62 VMs per administrator``)."""
        return self.at.format(v=v, p=100 * v)


#: The assumptions varied, with their ranges and why those ranges.
ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("cloud-pricing", "cloud pricing basis", "cloud_pricing", "reserved_3y", "payg",
               "3-year reservations", "pay as you go",
               "the cheapest basis in the reference data (3-year reservations, the default, "
               "as Azure Migrate) and the dearest (pay as you go, no commitment), at every "
               "cloud site; affects generated cloud options only"),
    Assumption("cloud-price-level", "cloud price level", "reference.cloud.price_level",
               0.8, 1.2, "20 % below list", "20 % above list",
               "estimate: a negotiated discount or a price rise of a fifth on the cloud "
               "provider's prices (VM, storage, backup, monitoring); generated cloud options only",
               at="cloud prices at {p:.0f} % of list"),
    Assumption("vms-per-admin", "VMs per administrator", "reference.labour.vms_per_admin",
               150, 50, "150", "50", "industry rules of thumb 50-150 (reference data)",
               at="{v:.0f} VMs per administrator"),
    Assumption("cloud-labour", "administration of a rehosted VM as a share of on-premises",
               "reference.labour.cloud_fraction_rehost", 0.5, 1.0, "50 %", "100 %",
               "the reference value 70 % (Azure Migrate's business case keeps cloud labour "
               "as its own share) minus 20 points, and no saving at all",
               at="rehosted VMs' administration at {p:.0f} % of on-premises"),
    Assumption("hypervisor", "hypervisor subscription", "reference.hypervisor.per_core_year",
               106.3, 275.59, "vSphere Foundation (£106 a core-year)",
               "Cloud Foundation (£276 a core-year)",
               "VVF ~USD 135 and VCF ~USD 350 per core a year, at 1.27 USD/GBP",
               at="a hypervisor subscription of £{v:,.0f} a core-year"),
    Assumption("electricity", "electricity price", "reference.power_price_per_kwh", 0.22, 0.33,
               "22 p/kWh", "33 p/kWh",
               "a framework contract below the reference 2025 business rate of 26 p, and the "
               "2023/24 public-sector average of 33 p",
               at="electricity at {p:.1f} p/kWh"),
    Assumption("carbon-price", "carbon price series", "carbon_price_series", "low", "high",
               "low appraisal series", "high appraisal series",
               "the UK appraisal values' low and high series (reference data)"),
    Assumption("discount-rate", "discount rate", "discount_rate", 0.015, 0.055, "1.5 %",
               "5.5 %", "the Green Book's 3.5 % plus or minus two points",
               at="a discount rate of {p:.2f} %"),
    Assumption("rehost-one-off", "who moves the VMs (rehost one-off)",
               "reference.migration.partner_share", 1.0, 0.0,
               "a specialist partner (USD 50 a small VM)", "the council's own team "
               "(USD 200 a small VM)",
               "SmartAzureCalculator: USD 200 a VM in-house, USD 50 with a specialist; "
               "generated options only",
               at="a partner moving {p:.0f} % of the VMs"),
    Assumption("on-prem-pue", "power usage effectiveness of the council's own server rooms",
               "reference.pue.on_prem", 1.58, 2.0,
               "1.58 (a large operator's hall)", "2.0 (an older server room)",
               "Uptime Institute Global Data Center Survey 2023 average 1.58; the US EPA's "
               "2007 report to Congress on data-centre efficiency took 2.0 for typical "
               "enterprise rooms; the reference value is Azure Migrate's 1.80",
               at="a server-room PUE of {v:.2f}"),
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
                "swing": self.swing, "flips": self.flips,
                "base_npv": self.base_npv, "base_moved": self.base_moved}


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


@dataclass(frozen=True)
class BreakEven:
    """Where an assumption that changes decisions flips them, found by bisection.

    Between ``value`` and ``other`` (the bracket left after ``steps`` halvings
    of the low-high range) the number of applications moved changes:
    ``moved`` at ``value`` (the side that moves more), ``moved_other`` at
    ``other``. Both ends are solved plans.
    """

    assumption: Assumption
    value: float
    other: float
    moved: int
    moved_other: int
    steps: int

    @property
    def more(self) -> int:
        """How many more applications the plan moves at ``value`` than at ``other``."""
        return self.moved - self.moved_other

    @property
    def direction(self) -> str:
        """``lower`` or ``higher``: which side of ``value`` moves more."""
        return "lower" if self.value < self.other else "higher"

    def words(self) -> str:
        """The finding in plain words, for the board."""
        a = self.assumption
        n = self.more
        return (f"At {a.value_words(self.value)} or {self.direction}, the plan moves {n} more "
                f"application{'s' if n != 1 else ''} ({self.moved} against {self.moved_other} "
                f"at {a.value_words(self.other)}).")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.assumption.name, "value": self.value, "other": self.other,
                "moved": self.moved, "moved_other": self.moved_other, "more": self.more,
                "direction": self.direction, "steps": self.steps, "words": self.words()}


class BreakEvenSearch:
    """Bisection of the assumptions whose low and high cases move a different
    number of applications, fed plans as a batch finishes them.

    :meth:`seen` takes each finished plan by folder name (``<name>-low``,
    ``<name>-high``, ``<name>-be<K>``) and returns the next case to plan, if
    any: once both cases of a numeric assumption are in and differ, the
    midpoint of the bracket; each plan at a midpoint replaces the bracket end
    whose number it is nearer (the ``high`` end on a tie), so the bracket
    keeps the larger change (on a real export a case moving 315 against 59
    must not be lost to a midpoint moving 317, a search's noise), up to
    ``steps`` plans an assumption. A case with no plan ends that assumption's
    search.
    """

    def __init__(self, assumptions: tuple[Assumption, ...] = ASSUMPTIONS,
                 steps: int = 4) -> None:
        self.steps = steps
        self._by = {a.name: a for a in assumptions if a.numeric}
        self._moved: dict[str, int | None] = {}
        #: name -> [low value, moved, high value, moved, probes so far, probing]
        self._bracket: dict[str, list[Any]] = {}
        self._stopped: set[str] = set()

    def _probe(self, name: str) -> list[Scenario]:
        b = self._bracket[name]
        if b[4] >= self.steps:
            return []
        a = self._by[name]
        b[4] += 1
        mid = (b[0] + b[2]) / 2
        b[5] = mid
        return [Scenario(f"{name}-be{b[4]}", (
            Override(a.key, mid), Override("description",
                                           f"{a.words}: {mid:g} (break-even search)")))]

    def seen(self, folder: str, plan: Plan | None) -> list[Scenario]:
        """Record a finished plan; the next case to plan (maybe none)."""
        name, _, case = folder.rpartition("-")
        if name not in self._by or name in self._stopped:
            return []
        moved = _moved(plan)
        if case in ("low", "high"):
            self._moved[case + ":" + name] = moved
            lo, hi = self._moved.get("low:" + name), self._moved.get("high:" + name)
            if moved is None:
                self._stopped.add(name)
                return []
            if lo is None or hi is None or lo == hi or name in self._bracket:
                return []
            a = self._by[name]
            self._bracket[name] = [float(a.low), lo, float(a.high), hi, 0, None]
            return self._probe(name)
        if not case.startswith("be") or name not in self._bracket:
            return []
        b = self._bracket[name]
        if moved is None:
            self._stopped.add(name)
            return []
        if abs(moved - b[1]) < abs(moved - b[3]):  # nearer the low end's: replaces it
            b[0], b[1] = b[5], moved
        else:
            b[2], b[3] = b[5], moved
        return self._probe(name)

    def results(self) -> list[BreakEven]:
        """The break-evens found (the bracket after the probes planned)."""
        out = []
        for name, (lo, m_lo, hi, m_hi, k, _) in self._bracket.items():
            if m_hi >= m_lo:
                out.append(BreakEven(self._by[name], hi, lo, m_hi, m_lo, k))
            else:
                out.append(BreakEven(self._by[name], lo, hi, m_lo, m_hi, k))
        return out


@dataclass(frozen=True)
class Sensitivity:
    """What ``estate sensitivity`` found: the effects and the break-evens."""

    effects: tuple[Effect, ...]
    break_evens: tuple[BreakEven, ...]


def read_sensitivity(path: str | Path) -> Sensitivity:
    """Read ``sensitivity.json`` (or the folder of ``estate sensitivity`` holding it).

    Raises
    ------
    EstateError
        Naming the file, when it is missing, not JSON or not of this kind.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "sensitivity.json"
    by = {a.name: a for a in ASSUMPTIONS}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        effects = tuple(
            Effect(by[d["name"]], (d["npv_low"], d["npv_high"]),
                   (d["moved_low"], d["moved_high"]), float(d["base_npv"]),
                   int(d["base_moved"]))
            for d in data["assumptions"])
        evens = tuple(BreakEven(by[d["name"]], float(d["value"]), float(d["other"]),
                                int(d["moved"]), int(d["moved_other"]), int(d["steps"]))
                      for d in data.get("break_even", ()))
    except OSError as exc:
        raise EstateError([Issue(str(p), f"cannot read it: {exc.strerror or exc}; give the "
                                 "folder `estate sensitivity` wrote")]) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise EstateError([Issue(str(p), f"not a sensitivity.json of this version of estate "
                                 f"({type(exc).__name__}: {exc}); run `estate sensitivity` "
                                 "again")]) from exc
    return Sensitivity(effects, evens)
