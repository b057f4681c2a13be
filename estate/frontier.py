"""The cost–carbon Pareto front: which plans to solve, and what they show.

``estate frontier`` solves a batch of plans by the ε-constraint method. The
two ends come first: the least discounted cost (carbon price 0; ties to fewer
tonnes) and the fewest undiscounted tonnes (ties to lower discounted cost).
Between them, ``n - 2`` points each minimise discounted cost subject to
tonnes ``<= ε``, with ``ε`` evenly spaced between the ends' tonnes
(:func:`interior_specs`). This module holds that arithmetic and the front's
reading: which points a time-limited solve left dominated
(:func:`assemble`), and the marginal abatement cost between neighbours set
against the appraisal carbon values (:func:`verdict`). It solves nothing.

Points are named ``point-1`` (least cost) … ``point-n`` (least carbon).

This module uses the standard library only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from estate.errors import EstateError, Issue
from estate.files import write_text
from estate.model import Estate
from estate.months import parse_month
from estate.resolve import carbon_values, workbook_reference
from estate.summary import PlanSummary, tonnes_text

__all__ = ["Frontier", "FrontierPoint", "Marker", "PointSpec", "appraisal_values", "assemble",
           "end_specs", "interior_specs", "read_frontier", "verdict"]

PointKind = Literal["least_cost", "least_carbon", "capped"]
SERIES = ("low", "central", "high")
TONNE_TOL = 1e-6  # 1 g: two points closer than this emit the same
PENNY = 0.01


@dataclass(frozen=True)
class PointSpec:
    """One solve of the front.

    ``index`` runs from 0 (least cost) to ``n - 1`` (least carbon);
    ``cap_tonnes`` is ``ε`` of a ``capped`` point.
    """

    name: str
    index: int
    kind: PointKind
    cap_tonnes: float | None = None

    @property
    def label(self) -> str:
        """What the point is, in words."""
        if self.kind == "least_cost":
            return "least cost"
        if self.kind == "least_carbon":
            return "least carbon"
        return f"≤ {tonnes_text(self.cap_tonnes or 0.0)}"


def point_name(index: int, n: int) -> str:
    """``point-<k>``, ``k = index + 1`` zero-padded to the width of ``n``."""
    return f"point-{index + 1:0{len(str(n))}d}"


def end_specs(n: int) -> tuple[PointSpec, PointSpec]:
    """The least-cost and least-carbon ends of an ``n``-point front."""
    if n < 2:
        raise ValueError(f"a front needs at least 2 points (got {n})")
    return (PointSpec(point_name(0, n), 0, "least_cost"),
            PointSpec(point_name(n - 1, n), n - 1, "least_carbon"))


def interior_specs(n: int, least_tonnes: float, most_tonnes: float) -> list[PointSpec]:
    """The ``n - 2`` capped points between the ends.

    ``ε_k = most - k·(most - least)/(n - 1)`` for ``k = 1 … n-2``: evenly
    spaced from the least-cost end's tonnes (``most``) down to the
    least-carbon end's (``least``). Empty when the ends emit the same (the
    front is a single point).
    """
    if n < 2:
        raise ValueError(f"a front needs at least 2 points (got {n})")
    if most_tonnes - least_tonnes <= TONNE_TOL:
        return []
    step = (most_tonnes - least_tonnes) / (n - 1)
    return [PointSpec(point_name(k, n), k, "capped", most_tonnes - k * step)
            for k in range(1, n - 1)]


@dataclass(frozen=True)
class Marker:
    """A reference plan drawn beside the front (baseline, greedy, this plan)."""

    name: str
    tonnes: float
    cost: float
    cost_discounted: float


@dataclass(frozen=True)
class FrontierPoint:
    """A solved point: its spec, its plan's figures and its place on the front.

    ``dominated_by`` names a point at most as dear and at most as carbon-heavy
    (one strictly less): the time-limited solve of this one fell short.
    ``same_as`` names an earlier point with the same plan figures. ``mac`` is
    the marginal abatement cost, £ (discounted) per tonne avoided, of moving
    to this point from ``mac_from``, its higher-carbon neighbour on the front.
    """

    spec: PointSpec
    summary: PlanSummary
    dominated_by: str | None = None
    same_as: str | None = None
    mac: float | None = None
    mac_from: str | None = None

    @property
    def on_front(self) -> bool:
        """A plan that nothing solved dominates (and not a repeat)."""
        return self.summary.has_plan and self.dominated_by is None and self.same_as is None


@dataclass(frozen=True)
class Frontier:
    """The front: its points (by index) and what they are read against.

    ``carbon_values`` are the appraisal carbon values (£/tCO2e, series low,
    central, high) of ``carbon_year``, the horizon's first year, as the
    planner prices carbon. ``plan`` is "this plan" (balanced objective).
    """

    points: tuple[FrontierPoint, ...]
    carbon_values: dict[str, float] = field(default_factory=dict)
    carbon_year: int | None = None
    baseline: Marker | None = None
    greedy: Marker | None = None
    plan: Marker | None = None
    plan_summary: PlanSummary | None = None
    workbook: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    complete: bool = True

    def point(self, name: str) -> FrontierPoint:
        """The point called ``name`` (``KeyError`` when absent)."""
        for p in self.points:
            if p.spec.name == name:
                return p
        raise KeyError(name)

    @property
    def front(self) -> list[FrontierPoint]:
        """The points on the front, from least cost to least carbon."""
        return [p for p in self.points if p.on_front]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (``frontier.json``)."""
        return {
            "points": [{"spec": asdict(p.spec), "summary": p.summary.to_dict(),
                        "dominated_by": p.dominated_by, "same_as": p.same_as, "mac": p.mac,
                        "mac_from": p.mac_from} for p in self.points],
            "carbon_values": dict(self.carbon_values), "carbon_year": self.carbon_year,
            "baseline": _marker_dict(self.baseline), "greedy": _marker_dict(self.greedy),
            "plan": _marker_dict(self.plan),
            "plan_summary": None if self.plan_summary is None else self.plan_summary.to_dict(),
            "workbook": self.workbook, "settings": dict(self.settings),
            "complete": self.complete,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Frontier:
        """The front of :meth:`to_dict` (``KeyError``/``TypeError``/``ValueError``
        on a bad mapping)."""
        points = tuple(FrontierPoint(
            PointSpec(**p["spec"]), PlanSummary.from_dict(p["summary"]),
            dominated_by=p.get("dominated_by"), same_as=p.get("same_as"), mac=p.get("mac"),
            mac_from=p.get("mac_from")) for p in d["points"])
        plan = d.get("plan_summary")
        return cls(points, carbon_values={k: float(v) for k, v in d["carbon_values"].items()},
                   carbon_year=d.get("carbon_year"), baseline=_marker(d.get("baseline")),
                   greedy=_marker(d.get("greedy")), plan=_marker(d.get("plan")),
                   plan_summary=None if plan is None else PlanSummary.from_dict(plan),
                   workbook=str(d.get("workbook", "")), settings=dict(d.get("settings", {})),
                   complete=bool(d.get("complete", True)))

    def write(self, path: str | Path) -> Path:
        """Write ``frontier.json`` (atomically)."""
        return write_text(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
                          + "\n")


def _marker_dict(m: Marker | None) -> dict[str, Any] | None:
    return None if m is None else asdict(m)


def _marker(d: dict[str, Any] | None) -> Marker | None:
    return None if d is None else Marker(**d)


def read_frontier(path: str | Path) -> Frontier:
    """Read ``frontier.json`` (or the folder holding it).

    Raises
    ------
    EstateError
        When the file is missing or is not a front written by ``estate frontier``.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "frontier.json"
    from estate.reading import load_json

    if not p.exists():
        raise EstateError(Issue(str(p), "cannot read the front (no such file); run "
                                "`estate frontier … --out DIR` first"))
    data = load_json(p, what="frontier.json written by `estate frontier`")
    try:
        return Frontier.from_dict(data)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EstateError(Issue(str(p), f"not a frontier.json written by `estate frontier` "
                                f"({type(exc).__name__}: {exc})")) from None


def _dominates(q: PlanSummary, p: PlanSummary) -> bool:
    assert q.tonnes is not None and p.tonnes is not None
    assert q.cost_discounted is not None and p.cost_discounted is not None
    no_worse = q.tonnes <= p.tonnes + TONNE_TOL and q.cost_discounted <= p.cost_discounted + PENNY
    better = q.tonnes < p.tonnes - TONNE_TOL or q.cost_discounted < p.cost_discounted - PENNY
    return no_worse and better


def _same(q: PlanSummary, p: PlanSummary) -> bool:
    assert q.tonnes is not None and p.tonnes is not None
    assert q.cost_discounted is not None and p.cost_discounted is not None
    return (abs(q.tonnes - p.tonnes) <= TONNE_TOL
            and abs(q.cost_discounted - p.cost_discounted) <= PENNY)


def assemble(solved: list[tuple[PointSpec, PlanSummary]], **kw: Any) -> Frontier:
    """The front of solved points: dominance, repeats and marginal abatement costs.

    Parameters
    ----------
    solved
        Each point's spec and its plan's summary (a point without a plan is
        kept, with no figures).
    **kw
        The other fields of :class:`Frontier`.

    Returns
    -------
    Frontier
        Points by index. A point another dominates is marked (never dropped);
        so is a repeat of an earlier point. Along the rest, from most to
        fewest tonnes, each point's ``mac`` = (its discounted cost - the
        previous point's) / (the previous point's tonnes - its tonnes).
    """
    ordered = sorted(solved, key=lambda sp: sp[0].index)
    points: list[FrontierPoint] = []
    for spec, s in ordered:
        point = FrontierPoint(spec, s)
        if s.has_plan:
            others = [(o, t) for o, t in ordered if o.name != spec.name and t.has_plan]
            over = next((o.name for o, t in others if _dominates(t, s)), None)
            same = next((o.name for o, t in others if o.index < spec.index and _same(t, s)),
                        None)
            point = replace(point, dominated_by=over, same_as=None if over else same)
        points.append(point)
    front = sorted((p for p in points if p.on_front),
                   key=lambda p: (-(p.summary.tonnes or 0.0), p.summary.cost_discounted or 0.0))
    macs: dict[str, tuple[float, str]] = {}
    for prev, cur in zip(front, front[1:], strict=False):
        avoided = (prev.summary.tonnes or 0.0) - (cur.summary.tonnes or 0.0)
        extra = (cur.summary.cost_discounted or 0.0) - (prev.summary.cost_discounted or 0.0)
        macs[cur.spec.name] = (extra / avoided, prev.spec.name)
    points = [replace(p, mac=macs[p.spec.name][0], mac_from=macs[p.spec.name][1])
              if p.spec.name in macs else p for p in points]
    return Frontier(tuple(points), **kw)


def verdict(mac: float | None, values: dict[str, float]) -> str:
    """A marginal abatement cost read against the appraisal carbon values.

    Returns
    -------
    str
        ``""`` without a cost; else where it falls: ``below the low value``,
        ``between the low and central values``, ``between the central and high
        values`` or ``above the high value`` (against the series present).
    """
    if mac is None:
        return ""
    known = [(s, values[s]) for s in SERIES if s in values]
    if not known:
        return ""
    if mac <= known[0][1]:
        return f"below the {known[0][0]} value"
    for (lo, a), (hi, b) in zip(known, known[1:], strict=False):
        if a < mac <= b:
            return f"between the {lo} and {hi} values"
    return f"above the {known[-1][0]} value"


def appraisal_values(estate: Estate, reference_file: str | Path | None = None
                     ) -> tuple[int, dict[str, float]]:
    """The appraisal carbon values (£/tCO2e) of the horizon's first year, per
    series (low, central, high), as the planner's default carbon price takes
    them (:func:`estate.resolve.carbon_value`, with the settings sheet's
    overrides such as ``carbon_price.high.2026`` applied).

    Raises
    ------
    EstateError
        A bad reference file or a bad override in the settings sheet.
    """
    year = parse_month(estate.settings.horizon_start)[0]
    ref = workbook_reference(estate, reference_file)
    values = carbon_values(ref, year)
    out = {name: values[name] for name in SERIES if name in values}
    return year, out
