"""``estate check``: re-derive and re-cost a plan independently, strictly.

:func:`check_plan` recomputes every figure a ``plan.json`` claims from the
workbook (and the pins the plan records) with the reference evaluator
(:mod:`solver.evaluate`): derived state, totals, ledgers, baseline, greedy,
cloud alternatives and every planning rule. The evaluator repeats the same
arithmetic, so figures must agree to the penny (0.001 kg CO2e), absolutely
however large the totals, not within the 0.1 % that compares two independent
implementations. A claimed status is verified: an
``infeasible`` claim by looking for a plan (greedy, then the solver).

Every disagreement is a :class:`Difference` record, never a string to parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from estate.actuals import Replan, apply_replan
from estate.derive import AppState
from estate.errors import printable, shorten
from estate.fingerprint import fingerprint
from estate.model import Estate
from estate.months import month_index
from estate.pins import apply_pins, pins_from_json
from estate.plan import Decision, Ledger, Plan, Totals
from estate.scenario import scenario_estate, scenario_from_json
from estate.violation import Violation
from solver.alternatives import _minus, option_of, own_breaks
from solver.evaluate import Evaluation, baseline, evaluate
from solver.greedy import greedy
from solver.solve import solve

DifferenceKind = Literal["rule", "state", "total", "status", "inputs"]
TOTAL_FIELDS = ("cost", "cost_discounted", "co2e_tonnes", "objective")


@dataclass(frozen=True)
class Difference:
    """One way a plan disagrees with its recomputation.

    ``kind``: ``rule`` (a planning rule the plan breaks), ``state`` (a derived
    row: live-from, decommissioning, contract decision, site exit, …),
    ``total`` (a figure: totals, ledgers, alternatives), ``status`` (the
    claimed status or its objective, bound and gap), ``inputs`` (the plan was
    made from other inputs). ``where`` names the JSON path or id.
    """

    kind: DifferenceKind
    where: str
    message: str
    violation: Violation | None = None  # the broken rule, for kind ``rule``

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    """What :func:`check_plan` found.

    ``totals`` maps ``plan``, ``baseline`` and ``greedy`` to (claimed,
    recomputed) totals for display.
    """

    differences: tuple[Difference, ...]
    totals: dict[str, tuple[Totals | None, Totals | None]]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every figure agrees and every rule is kept."""
        return not self.differences

    def of_kind(self, *kinds: DifferenceKind) -> list[Difference]:
        """The differences of the given kinds."""
        return [d for d in self.differences if d.kind in kinds]


# -- strict comparison ------------------------------------------------------------
PENNY = 0.01
KG = 0.001  # in a ledger (kgCO2e)
TONNE_KG = 1e-6  # 0.001 kg, in tonnes


def same(a: float, b: float, floor: float = PENNY) -> bool:
    """Equal to within ``floor`` (a penny; 0.001 kg), absolutely: on an estate
    whose totals are £85 billion, £84 is a difference (a relative tolerance
    would pass it). Only the last few bits of a double (``2**-46`` relative,
    £0.001 on £85 billion) are allowed beyond."""
    return abs(a - b) < max(floor, 2.0**-46 * max(abs(a), abs(b)))


def _totals(what: str, claimed: Totals | None, mine: Totals | None) -> Iterator[Difference]:
    if claimed is None or mine is None:
        if (claimed is None) != (mine is None):
            say = "is null" if claimed is None else "has totals"
            found = "finds totals" if mine is not None else "finds none"
            yield Difference("total", what, f"the plan {say}; the evaluator {found}")
        return
    for name in TOTAL_FIELDS:
        x, y = getattr(claimed, name), getattr(mine, name)
        if not same(x, y, TONNE_KG if name == "co2e_tonnes" else PENNY):
            yield Difference("total", f"{what}.{name}",
                             f"the plan says {x!r}, the evaluator finds {y!r}")


def _ledgers(what: str, claimed: Ledger | None, mine: Ledger) -> Iterator[Difference]:
    if claimed is None:
        return
    for part, floor in (("cost", PENNY), ("carbon", KG)):
        ours, theirs = getattr(mine, part), getattr(claimed, part)
        for cat in sorted(set(ours) | set(theirs)):
            a, b = theirs.get(cat), ours.get(cat)
            if a is None or b is None or len(a) != len(b):
                yield Difference("total", f"{what}.{part}.{cat}", "missing or of the wrong "
                                 "length")
                continue
            bad = [t for t, (x, y) in enumerate(zip(a, b, strict=True))
                   if not same(x, y, floor)]
            if bad:
                t = bad[0]
                yield Difference("total", f"{what}.{part}.{cat}[{t}]",
                                 f"the plan says {a[t]!r}, the evaluator finds {b[t]!r}"
                                 + (f" ({len(bad)} months differ)" if len(bad) > 1 else ""))


def _rows(kind: str, key: str, claimed: Sequence[Any], mine: Sequence[Any],
          fields: Sequence[str]) -> Iterator[Difference]:
    theirs = {getattr(r, key): r for r in claimed}
    for row in mine:
        rid = getattr(row, key)
        other = theirs.pop(rid, None)
        if other is None:
            yield Difference("state", f"{kind} {rid}", "missing from the plan")
            continue
        for f in fields:
            if getattr(other, f) != getattr(row, f):
                yield Difference("state", f"{kind} {rid}",
                                 f"{f} is {getattr(other, f)!r} in the plan, the evaluator "
                                 f"finds {getattr(row, f)!r}")
    for rid in theirs:
        yield Difference("state", f"{kind} {rid}", "in the plan but not in the estate")


# -- the parts of a check -----------------------------------------------------------
def _schedule(estate: Estate, plan: Plan, ev: Evaluation) -> Iterator[Difference]:
    yield from (Difference("rule", f"rules.{v.rule}", v.text, v) for v in ev.violations)
    yield from _rows("application", "app_id", plan.applications, ev.applications,
                     ("strategy", "target_site", "start", "live_from"))
    yield from _rows("server", "server_id", plan.servers, ev.servers,
                     ("decommissioned", "zombie", "replaced"))
    yield from _rows("contract", "contract_id", plan.contracts, ev.contracts,
                     ("decision", "renewals", "end", "notice_by"))
    yield from _rows("site", "site_id", plan.sites, ev.sites, ("exit",))
    yield from _totals("totals", plan.totals, ev.totals)
    yield from _ledgers("ledger", plan.ledger, ev.ledger)


def _status(plan: Plan) -> Iterator[Difference]:
    """The objective, bound and gap against the totals, as the contract defines them."""
    t = plan.totals
    if plan.has_schedule:
        if t is None or plan.objective is None or plan.bound is None or plan.gap is None:
            yield Difference("status", "status", f"a {plan.status} plan needs objective, "
                             "bound, gap and totals")
            return
        if not same(plan.objective, t.objective):
            yield Difference("status", "objective", f"{plan.objective!r} is not "
                             f"totals.objective {t.objective!r}")
        if plan.bound > plan.objective + max(0.01, 1e-9 * abs(plan.objective)):
            yield Difference("status", "bound", f"the bound {plan.bound!r} is above the "
                             f"objective {plan.objective!r}")
        gap = (plan.objective - plan.bound) / max(abs(plan.objective), 1.0)
        if abs(gap - plan.gap) > 1e-9:
            yield Difference("status", "gap", f"{plan.gap!r} is not (objective − bound) / "
                             f"max(|objective|, 1) = {gap!r}")
        return
    nulls = {"objective": plan.objective, "bound": plan.bound, "gap": plan.gap,
             "totals": plan.totals, "greedy": plan.greedy}
    for name, value in nulls.items():
        if value is not None:
            yield Difference("status", name, f"must be null in a plan whose status is "
                             f"{plan.status}")
    if plan.applications or plan.servers or plan.contracts or plan.sites:
        yield Difference("status", "status", f"a plan whose status is {plan.status} has "
                         "no schedule: the applications, servers, contracts and sites "
                         "lists must be empty")
    if plan.status == "infeasible" and not plan.conflicts:
        yield Difference("status", "conflicts", "an infeasible plan names the rules that "
                         "cannot hold together")


def _carbon_cap(plan: Plan) -> Iterator[Difference]:
    """A plan made under a carbon cap (a point of ``estate frontier``) keeps it:
    ``totals.co2e_tonnes <= co2e_cap_tonnes + co2e_cap_rounding_tonnes`` (the
    model's rounding allowance, a few grams an application)."""
    recorded = plan.assumptions.get("objective") or {}
    cap = recorded.get("co2e_cap_tonnes")
    if cap is None or plan.totals is None:
        return
    allowance = recorded.get("co2e_cap_rounding_tonnes", 0.0)
    if not isinstance(cap, int | float) or not isinstance(allowance, int | float) \
            or not 0.0 <= allowance <= max(1.0, 0.001 * cap):
        yield Difference("status", "assumptions.objective", f"the carbon cap {cap!r} t or its "
                         f"rounding allowance {allowance!r} t is not a sensible number")
        return
    tonnes = plan.totals.co2e_tonnes
    if tonnes > cap + allowance + TONNE_KG:
        yield Difference("status", "assumptions.objective.co2e_cap_tonnes",
                         f"the plan emits {tonnes:,.6f} t, above its carbon cap of {cap:,.6f} t "
                         f"(+ {allowance:,.6f} t rounding)")


def _greedy(estate: Estate, plan: Plan) -> Iterator[Difference]:
    decisions, ev = greedy(estate)
    if plan.has_schedule:
        yield from _totals("greedy", plan.greedy, None if ev is None else ev.totals)
    if ev is not None and decisions is not None:
        yield from _ledgers("greedy_ledger", plan.greedy_ledger, ev.ledger)
        if plan.greedy_applications:
            yield from _rows("greedy application", "app_id", plan.greedy_applications,
                             ev.applications, ("strategy", "target_site", "start"))


def _alternatives(estate: Estate, plan: Plan, ev: Evaluation) -> Iterator[Difference]:
    decisions = plan.decisions
    known = set(ev.violations)
    for i, alt in enumerate(plan.alternatives):
        switched = [Decision(alt.app_id, alt.strategy, target_site=alt.target_site,
                             start=alt.start) if d.app_id == alt.app_id else d
                    for d in decisions]
        if alt.app_id not in estate.app_by_id:
            yield Difference("state", f"alternatives[{i}]", f"unknown application "
                             f"{alt.app_id}")
            continue
        other = evaluate(estate, switched, check=True)
        yield from _totals(f"alternatives[{i}].delta", alt.delta,
                           _minus(other.totals, ev.totals))
        new = [v for v in other.violations if v not in known]
        breaks = tuple(v.text for v in new)
        if breaks != alt.breaks:
            yield Difference("state", f"alternatives[{i}].breaks",
                             f"the plan lists {len(alt.breaks)} broken rules, the evaluator "
                             f"finds {len(breaks)}")
        o = option_of(estate, alt)
        s = month_index(estate.settings.horizon_start, alt.start)
        own = () if o is None else own_breaks(
            estate, AppState(alt.app_id, o, o.strategy, o.target_site, s, o.duration_months,
                             s + o.duration_months), new, other.load_violations)
        if own != alt.own_breaks:
            yield Difference("state", f"alternatives[{i}].own_breaks",
                             f"the plan lists {len(alt.own_breaks)} of the application's own "
                             f"rules broken, the evaluator finds {len(own)}")


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: json.dumps(d, sort_keys=True)}


def _inputs(raw: Estate, estate: Estate, plan: Plan) -> Iterator[Difference]:
    st = estate.settings
    if (plan.horizon_start, plan.horizon_months) != (st.horizon_start, st.horizon_months):
        yield Difference("inputs", "horizon", f"the plan has {plan.horizon_start} + "
                         f"{plan.horizon_months} months, the workbook {st.horizon_start} + "
                         f"{st.horizon_months} months")
        return
    claimed = plan.inputs.get("fingerprint")
    if claimed is not None and claimed != fingerprint(raw):
        yield Difference("inputs", "inputs.fingerprint", "the plan was made from another "
                         "workbook (or this one has changed since)")
    # recorded by the plan, applied by prepare()
    mine = ("pins", "objective", "scenario", "from_actuals")
    ours = _flatten({k: v for k, v in estate.assumptions.items() if k not in mine})
    theirs = _flatten({k: v for k, v in plan.assumptions.items() if k not in mine})
    differ = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    if differ:
        first = differ[0]
        yield Difference("inputs", "assumptions", f"{len(differ)} resolved values differ "
                         f"from this workbook's (first: {first}: the plan has "
                         f"{theirs.get(first, 'nothing')}, now {ours.get(first, 'nothing')}); "
                         "was the plan made with --reference?")


def prepare(raw: Estate, plan: Plan, reference_file: str | None = None, *,
            scenario: bool = True) -> Estate:
    """The resolved estate a plan is checked against: the workbook's, with the
    pins the plan records (``assumptions.pins``) applied and the carbon price
    its objective used (``assumptions.objective.carbon_price``: ``--objective
    cost`` and ``--carbon-price`` override the workbook's); a plan of ``estate
    scenarios`` has its scenario's overrides (``assumptions.scenario``) applied
    unless ``scenario`` is false (then the workbook's own rules hold), a re-plan of
    ``estate plan --from-actuals`` its rules (``assumptions.from_actuals``)."""
    pins = pins_from_json(plan.assumptions.get("pins"))
    pinned = apply_pins(raw, pins, "plan.json assumptions.pins") if pins else raw
    what_if = scenario_from_json(plan.assumptions.get("scenario") if scenario else None,
                                 "plan.json assumptions.scenario")
    estate = scenario_estate(pinned, what_if, reference_file)
    replan = Replan.from_json(plan.assumptions.get("from_actuals"))
    if replan is not None:  # estate plan --from-actuals: nothing starts before its today
        estate = apply_replan(estate, replan)
    price = (plan.assumptions.get("objective") or {}).get("carbon_price")
    if isinstance(price, int | float) and not isinstance(price, bool):
        estate = replace(estate, settings=replace(estate.settings, carbon_price=float(price)))
    return estate


def compare_plan(estate: Estate, plan: Plan) -> list[Difference]:
    """Every way ``plan`` disagrees with a resolved estate (nothing is solved).

    Checks the horizon; the baseline; the claimed status against objective,
    bound, gap and the empty lists the contract asks of a plan without a
    schedule; re-evaluates the decisions (every broken rule is a ``rule``
    difference) and compares derived rows, totals and ledgers; the cloud
    alternatives; the greedy plan. An empty list means the plan agrees.
    """
    st = estate.settings
    if (plan.horizon_start, plan.horizon_months) != (st.horizon_start, st.horizon_months):
        return [Difference("inputs", "horizon", f"the plan has {plan.horizon_start} + "
                           f"{plan.horizon_months} months, the workbook {st.horizon_start} + "
                           f"{st.horizon_months} months")]
    base = baseline(estate)
    diffs = list(_totals("baseline", plan.baseline, base.totals))
    diffs += _ledgers("baseline_ledger", plan.baseline_ledger, base.ledger)
    diffs += _status(plan)
    diffs += _carbon_cap(plan)
    if plan.has_schedule:
        ev = evaluate(estate, plan.decisions, check=True)
        diffs += _schedule(estate, plan, ev)
        diffs += _alternatives(estate, plan, ev)
    diffs += _greedy(estate, plan)
    return diffs


def check_plan(raw: Estate, plan: Plan, *, reference_file: str | None = None,
               verify_seconds: float = 60.0, workers: int | None = None,
               scenario_ok: bool = False, verify: bool = True) -> CheckReport:
    """Recompute every figure of ``plan`` from the workbook's estate, strictly.

    Parameters
    ----------
    raw
        The estate as loaded from the workbook (not resolved).
    plan
        The plan to check (``estate.plan.read_plan``).
    reference_file
        Reference data overrides the plan was made with (``--reference``).
    verify_seconds
        Time allowed to look for a plan when the plan claims ``infeasible``,
        and to prove an ``optimal`` claim again (:mod:`solver.verify`).
    workers
        CP-SAT workers for that search.
    scenario_ok
        Check a plan of ``estate scenarios`` under the scenario it records
        (``assumptions.scenario``); otherwise the workbook's own rules hold
        and a note names the scenario.
    verify
        Verify ``optimal`` and ``unknown`` claims (:func:`solver.verify.verify_status`).

    Returns
    -------
    CheckReport
        Every :class:`Difference`, (claimed, recomputed) totals, and notes.
    """
    notes: list[str] = _scenario_notes(plan, scenario_ok)
    estate = prepare(raw, plan, reference_file, scenario=scenario_ok)
    diffs = list(_inputs(raw, estate, plan))
    if any(d.where == "horizon" for d in diffs):
        return CheckReport(tuple(diffs), {}, tuple(notes))
    diffs += compare_plan(estate, plan)
    _, g = greedy(estate)
    totals = {"baseline": (plan.baseline, baseline(estate).totals),
              "greedy": (plan.greedy, None if g is None else g.totals)}
    if plan.has_schedule:
        totals["plan"] = (plan.totals, evaluate(estate, plan.decisions, check=False).totals)
    if verify and not diffs:
        from solver.verify import verify_status

        claims, said = verify_status(estate, plan, verify_seconds, workers)
        diffs += claims
        notes += said
    if plan.status == "infeasible":
        found, note = _find_plan(estate, verify_seconds, workers)
        notes.append(note)
        if found or note.startswith("could not"):
            diffs.append(Difference("status", "status", note))
    return CheckReport(tuple(diffs), totals, tuple(notes))


def _scenario_notes(plan: Plan, scenario_ok: bool) -> list[str]:
    """Name the scenario a plan records, and what it is checked against."""
    recorded = plan.assumptions.get("scenario")
    if not recorded:
        return []
    sc = scenario_from_json(recorded, "plan.json assumptions.scenario")
    if sc is None:
        return []
    n = len(sc.overrides)
    said = f"scenario {sc.name!r} ({n} override{'s' if n != 1 else ''}"
    said += (": " + "; ".join(f"{o.key} = {o.value!r}" for o in sc.overrides[:5])
             + (" …" if n > 5 else "") if n else "") + ")"
    said = printable(shorten(said, 300))
    if scenario_ok:
        return [f"the plan was made under {said}; checked under it (--scenario-ok)"]
    return [f"the plan was made under {said}; checked against the workbook's own rules "
            "(give --scenario-ok to check it under the scenario)"]


def _find_plan(estate: Estate, seconds: float, workers: int | None) -> tuple[bool, str]:
    """Whether the estate has a plan keeping every rule (greedy first, then CP-SAT)."""
    decisions, ev = greedy(estate)
    if ev is not None:
        return True, ("the plan claims infeasible, but the greedy plan keeps every rule "
                      f"(objective £{ev.totals.objective:,.2f})")
    r = solve(estate, time_limit=seconds, workers=workers)
    if r.status in ("optimal", "feasible"):
        return True, ("the plan claims infeasible, but the solver found a plan keeping "
                      f"every rule (objective £{r.objective:,.2f})")
    if r.status == "infeasible":
        return False, "infeasible: confirmed (the solver proves no plan keeps every rule)"
    return False, (f"could not confirm the infeasible claim within {seconds:g} s; "
                   "rerun with a longer --time-limit")
