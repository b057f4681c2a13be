"""A plan: decisions, derived state, totals and the ``plan.json`` schema.

The shape follows docs/planning-model.md, *plan.json* (see ``docs/plan-json.md``).
Everything is named by string ids and ``YYYY-MM`` months. :class:`Ledger`
carries the month by month figures (by category) that reports draw; it is not
part of the contract's schema but is written to ``plan.json`` under
``"ledger"`` so that a report can be regenerated from ``plan.json`` alone.

:func:`read_plan` checks a ``plan.json`` strictly (every key's type, every
month's form) and reports every problem at once with its JSON path.
"""

from __future__ import annotations

import json
import math
from dataclasses import KW_ONLY, asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from estate.errors import EstateError, Issue
from estate.model import STRATEGIES, Strategy
from estate.months import is_month
from estate.violation import RULE_IDS, Violation

Status = Literal["optimal", "feasible", "infeasible", "unknown"]
PLAN_STATUSES: tuple[Status, ...] = get_args(Status)
ContractDecision = Literal["end", "keep"]

COST_CATEGORIES = (
    "applications",  # current_monthly_cost before L, option monthly_cost after
    "one_off",  # migration one-off cost spread over flight
    "server_energy",  # on-prem / colo server electricity
    "server_esu",  # extended security updates while kept (unsupported_os_policy = esu)
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
    """The decision for one application: an option and (unless retained) a start.

    The same fields, in the same order, as :class:`estate.model.Pin`.
    """

    app_id: str
    strategy: Strategy
    _: KW_ONLY
    target_site: str | None = None
    start: str | None = None


@dataclass(frozen=True)
class AppPlan:
    """One row of ``applications`` in plan.json."""

    app_id: str
    strategy: Strategy
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
    decision: ContractDecision
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
class Alternative:
    """What moving one application to a cloud site instead would change.

    The plan's decisions with only ``app_id`` switched to ``strategy`` at
    ``target_site`` from ``start``, recomputed exactly: ``delta`` is its totals
    minus the plan's (positive = dearer / more carbon); ``breaks`` lists the
    rules the switched plan would break (empty when it keeps every one).
    ``own_breaks`` are those of ``breaks`` that are not shared loads (team
    days, critical in flight, go-lives, budgets): non-empty only when every
    start month tried breaks such a rule, so the application cannot move to
    the cloud on its own whatever the other moves do. ``months_tried`` is how
    many start months were costed; ``start`` is the cheapest of those that
    keep the application's own rules.
    """

    app_id: str
    strategy: Strategy
    target_site: str
    start: str
    delta: Totals
    breaks: tuple[str, ...] = ()
    own_breaks: tuple[str, ...] = ()
    months_tried: int = 1


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
    """A whole plan as written to ``plan.json``.

    ``inputs`` identifies what the plan was made from (``fingerprint`` of the
    workbook's estate, see :func:`estate.fingerprint.fingerprint`; the pins
    given on the command line are in ``assumptions["pins"]``).
    """

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    solve_seconds: float
    horizon_start: str
    horizon_months: int
    _: KW_ONLY
    applications: tuple[AppPlan, ...] = ()
    servers: tuple[ServerPlan, ...] = ()
    contracts: tuple[ContractPlan, ...] = ()
    sites: tuple[SitePlan, ...] = ()
    totals: Totals | None = None
    baseline: Totals | None = None
    greedy: Totals | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[Violation, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    alternatives: tuple[Alternative, ...] = ()
    ledger: Ledger | None = None
    baseline_ledger: Ledger | None = None
    greedy_ledger: Ledger | None = None
    greedy_applications: tuple[AppPlan, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in PLAN_STATUSES:
            raise ValueError(f"status {self.status!r} must be one of {PLAN_STATUSES}")

    @property
    def has_schedule(self) -> bool:
        """Whether the plan holds decisions (status optimal or feasible)."""
        return self.status in ("optimal", "feasible")

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The decisions of the plan (what pins and the evaluator read)."""
        return tuple(Decision(a.app_id, a.strategy, target_site=a.target_site, start=a.start)
                     for a in self.applications)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain JSON-able data, in the contract's key order."""
        d = asdict(self)
        d["conflicts"] = [c.to_dict() for c in self.conflicts]
        for a in d["alternatives"]:
            a["breaks"] = list(a["breaks"])
            a["own_breaks"] = list(a["own_breaks"])
        return d

    def to_json(self) -> str:
        """``plan.json``'s text."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    def write(self, path: str | Path) -> Path:
        """Write ``plan.json`` atomically; a symbolic link or read-only file is refused
        (:func:`estate.files.write_text`)."""
        from estate.files import write_text

        return write_text(path, self.to_json())


# -- reading plan.json ------------------------------------------------------------
class _Reader:
    """Typed access to parsed JSON, collecting every problem with its path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def bad(self, where: str, expected: str, found: Any) -> None:
        shown = json.dumps(found)[:60] if found is not _MISSING else "nothing"
        self.issues.append(Issue(self.file, f"{where}: expected {expected}, found {shown}"))

    def get(self, d: dict[str, Any], key: str, where: str, kind: str, *,
            optional: bool = False, default: Any = None) -> Any:
        value = d.get(key, _MISSING)
        path = f"{where}.{key}" if where else key
        if value is _MISSING or (value is None and kind.endswith("?")):
            if value is _MISSING and not optional and not kind.endswith("?"):
                self.bad(path, _KINDS[kind.rstrip("?")][0], value)
            return default if value is _MISSING else None
        desc, ok = _KINDS[kind.rstrip("?")]
        if not ok(value):
            self.bad(path, desc + (" or null" if kind.endswith("?") else ""), value)
            return default
        return value

    def rows(self, d: dict[str, Any], key: str, fields: dict[str, str],
             optional: bool = False) -> list[dict[str, Any]]:
        items = self.get(d, key, "", "list", optional=optional, default=[])
        out = []
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                self.bad(where, "an object", item)
                continue
            out.append({f: self.get(item, f, where, k) for f, k in fields.items()})
        return out

    def totals(self, d: dict[str, Any], key: str, optional: bool = False,
               where: str = "") -> Totals | None:
        t = self.get(d, key, where, "object?", optional=optional)
        if t is None:
            return None
        path = f"{where}.{key}" if where else key
        values = [self.get(t, f, path, "number", default=0.0)
                  for f in Totals.__dataclass_fields__]
        return Totals(*values)

    def ledger(self, d: dict[str, Any], key: str) -> Ledger | None:
        led = self.get(d, key, "", "object?", optional=True)
        if led is None:
            return None
        parts: dict[str, dict[str, list[float]]] = {}
        for part in ("cost", "carbon"):
            series = self.get(led, part, key, "object", default={})
            parts[part] = {}
            for cat, values in series.items():
                if not (isinstance(values, list) and all(_is_number(v) for v in values)):
                    self.bad(f"{key}.{part}.{cat}", "a list of numbers", values)
                    continue
                parts[part][cat] = [float(v) for v in values]
        return Ledger(cost=parts["cost"], carbon=parts["carbon"])


_MISSING = object()


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


_KINDS: dict[str, tuple[str, Any]] = {
    "str": ("a text", lambda v: isinstance(v, str) and v != ""),
    "month": ("a month YYYY-MM", lambda v: isinstance(v, str) and is_month(v)),
    "number": ("a finite number", _is_number),
    "int": ("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "count": ("a whole number ≥ 0",
              lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "horizon": ("a whole number ≥ 1",
                lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "status": (f"one of {', '.join(PLAN_STATUSES)}", lambda v: v in PLAN_STATUSES),
    "strategy": (f"one of {', '.join(STRATEGIES)}", lambda v: v in STRATEGIES),
    "decision": ("end or keep", lambda v: v in ("end", "keep")),
    "list": ("a list", lambda v: isinstance(v, list)),
    "object": ("an object", lambda v: isinstance(v, dict)),
    "rule": (f"a rule id, one of {', '.join(RULE_IDS)}", lambda v: v in RULE_IDS),
    "texts": ("a list of texts", lambda v: isinstance(v, list)
              and all(isinstance(x, str) for x in v)),
}

_APP = {"app_id": "str", "strategy": "strategy", "target_site": "str?", "start": "month?",
        "live_from": "month?"}
_SERVER = {"server_id": "str", "decommissioned": "month", "zombie": "bool",
           "replaced": "month?"}
_CONTRACT = {"contract_id": "str", "decision": "decision", "renewals": "count",
             "end": "month", "notice_by": "month?"}
_SITE = {"site_id": "str", "exit": "month"}
_ALTERNATIVE = {"app_id": "str", "strategy": "strategy", "target_site": "str",
                "start": "month", "delta": "object", "breaks": "texts"}


def _conflicts(r: _Reader, d: dict[str, Any]) -> tuple[Violation, ...]:
    """``conflicts``: records ``{rule, ids, month, text}``; a plain text (a plan.json
    that gave its conflicts in words only) is read as rule ``unnamed``."""
    out = []
    for i, item in enumerate(r.get(d, "conflicts", "", "list", optional=True, default=[])):
        where = f"conflicts[{i}]"
        if isinstance(item, str) and item:
            out.append(Violation("unnamed", (), None, item))
            continue
        if not isinstance(item, dict):
            r.bad(where, "an object {rule, ids, month, text}", item)
            continue
        rule = r.get(item, "rule", where, "rule")
        ids = r.get(item, "ids", where, "texts")
        month = r.get(item, "month", where, "month?")
        text = r.get(item, "text", where, "str")
        if None not in (rule, ids, text):
            out.append(Violation(rule, tuple(ids), month, text))
    return tuple(out)


def _alternatives(r: _Reader, d: dict[str, Any]) -> tuple[Alternative, ...]:
    out = []
    rows = r.rows(d, "alternatives", _ALTERNATIVE, optional=True)
    items = d.get("alternatives") or []
    for i, row in enumerate(rows):
        where = f"alternatives[{i}]"
        delta = r.totals({"delta": row.pop("delta") or {}}, "delta", where=where)
        breaks = row.pop("breaks")
        item = items[i] if isinstance(items, list) and isinstance(items[i], dict) else {}
        own = r.get(item, "own_breaks", where, "texts", optional=True, default=[])
        tried = r.get(item, "months_tried", where, "int", optional=True, default=1)
        if delta is not None and None not in row.values() and breaks is not None \
                and own is not None:
            out.append(Alternative(**row, delta=delta, breaks=tuple(breaks),
                                   own_breaks=tuple(own), months_tried=tried))
    return tuple(out)


def plan_from_dict(d: Any, file: str = "plan.json") -> Plan:
    """Build a :class:`Plan` from parsed ``plan.json`` data, checking every field.

    Raises
    ------
    EstateError
        With every problem found, each naming the file and the JSON path
        (``applications[3].start: expected a month YYYY-MM or null, found 12``).
    """
    r = _Reader(file)
    if not isinstance(d, dict):
        raise EstateError(Issue(file, "not a plan.json: expected a JSON object"))
    status = r.get(d, "status", "", "status")
    head = {k: r.get(d, k, "", kind) for k, kind in (
        ("objective", "number?"), ("bound", "number?"), ("gap", "number?"),
        ("horizon_start", "month"), ("horizon_months", "horizon"))}
    seconds = r.get(d, "solve_seconds", "", "number", optional=True, default=0.0)
    apps = r.rows(d, "applications", _APP)
    body = dict(
        applications=tuple(AppPlan(**a) for a in apps),
        servers=tuple(ServerPlan(**s) for s in r.rows(d, "servers", _SERVER)),
        contracts=tuple(ContractPlan(**c) for c in r.rows(d, "contracts", _CONTRACT)),
        sites=tuple(SitePlan(**s) for s in r.rows(d, "sites", _SITE)),
        totals=r.totals(d, "totals"), baseline=r.totals(d, "baseline"),
        greedy=r.totals(d, "greedy"),
        assumptions=r.get(d, "assumptions", "", "object", optional=True, default={}),
        conflicts=_conflicts(r, d),
        inputs=r.get(d, "inputs", "", "object", optional=True, default={}),
        alternatives=_alternatives(r, d),
        ledger=r.ledger(d, "ledger"), baseline_ledger=r.ledger(d, "baseline_ledger"),
        greedy_ledger=r.ledger(d, "greedy_ledger"),
        greedy_applications=tuple(AppPlan(**a) for a in r.rows(
            d, "greedy_applications", _APP, optional=True)),
    )
    if r.issues:
        raise EstateError(r.issues)
    return Plan(cast(Status, status), head["objective"], head["bound"], head["gap"],
                float(seconds), head["horizon_start"], head["horizon_months"], **body)


#: Largest plan.json read (a 3,000-application plan with ledgers is ~10 MB).
MAX_PLAN_BYTES = 64 * 2**20


def read_plan(path: str | Path) -> Plan:
    """Read and check ``plan.json``.

    Raises
    ------
    EstateError
        When the file cannot be read, is not JSON or breaks the schema
        (every problem, located).
    """
    from estate.reading import load_json

    p = Path(path)
    data = load_json(p, MAX_PLAN_BYTES, "plan.json")
    return plan_from_dict(data, str(p))
