"""The library functions the commands call: the only place that ties
:mod:`inventory`, :mod:`solver` and :mod:`reports` together.

Each command parses its arguments, calls one function here and renders what
it returns; the functions raise :class:`estate.errors.EstateError` for bad
input and never print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue, Notice, PlanDisagrees, printable
from estate.fingerprint import fingerprint
from estate.frontier import read_frontier
from estate.model import Estate, Pin
from estate.pins import apply_pins, pins_of, pins_to_json
from estate.plan import Alternative, Plan, read_plan
from estate.resolve import resolve
from estate.sensitivity import read_sensitivity
from solver.alternatives import cloud_alternatives
from solver.check import CheckReport, check_plan, compare_plan, same
from solver.epsilon import Epsilon
from solver.result import Result
from solver.solve import Progress, effective_carbon_price, solve


def load(workbook: Path | None, demo: bool = False) -> Estate:
    """The raw estate of ``workbook``, or the bundled demo estate.

    Raises
    ------
    EstateError
        With every problem of the workbook; or when both or neither of a
        workbook and ``demo`` are given.
    """
    if demo == (workbook is not None):
        raise EstateError(Issue("estate", "give a WORKBOOK or --demo (not both)"))
    if workbook is None:
        from inventory.demo import demo_estate

        return demo_estate()
    from inventory.load import load_estate

    return load_estate(workbook)


def load_noting(workbook: Path | None, demo: bool = False
                ) -> tuple[Estate, tuple[Notice, ...]]:
    """:func:`load`, with the sheets and columns of the workbook that were ignored
    and the settings' warnings (a ``horizon_start`` before this month).

    Raises
    ------
    EstateError
        As :func:`load`.
    """
    if demo or workbook is None:
        return load(workbook, demo), ()
    from inventory.load import load_workbook

    loaded = load_workbook(workbook)
    assert loaded.estate is not None  # load_workbook raises otherwise
    return loaded.estate, loaded.notices_of("ignored") + tuple(
        n for n in loaded.notices_of("warning") if n.sheet == "settings")


def check_output_dir(out_dir: Path) -> None:
    """Fail before any long work when plan.json or a report could not be written
    into ``out_dir`` (a file in the way, a read-only file, a planted link).

    Raises
    ------
    EstateError
        Naming every problem.
    """
    from estate.files import check_output_dir as check
    from reports import OUTPUT_FILES

    check(out_dir, OUTPUT_FILES)


def read_pins(path: Path) -> tuple[Pin, ...]:
    """Every decision of an earlier ``plan.json`` as pins."""
    return pins_of(read_plan(path), str(path))


@dataclass(frozen=True)
class PlanRun:
    """An estate planned: the resolved estate (pins applied) and the result,
    whose plan records its inputs, pins and cloud alternatives."""

    estate: Estate
    result: Result


def plan_estate(raw: Estate, *, pins: tuple[Pin, ...] = (), pins_source: str = "pins",
                reference: Path | None = None, time_limit: float = 60.0,
                workers: int | None = None, seed: int = 0, objective: str = "balanced",
                carbon_price: float | None = None,
                progress: Progress | None = None, epsilon: Epsilon | None = None) -> PlanRun:
    """Resolve, pin, solve; complete the plan with its provenance and alternatives.

    Parameters
    ----------
    raw
        The workbook's estate as loaded.
    pins
        Decisions to keep (from ``--pins``), replacing the workbook's pins of
        the same applications; recorded in ``plan.json`` so that ``estate
        check`` applies them too.
    reference
        A TOML of reference-data overrides.
    time_limit, workers, seed, objective, carbon_price, progress, epsilon
        See :func:`solver.solve.solve`. Costing the cloud alternatives takes up
        to a quarter of ``time_limit`` more (20 s at most; those not reached
        are left out of the board's exceptions table, which says so).
    """
    estate = resolve_estate(raw, pins=pins, pins_source=pins_source, reference=reference)
    return solve_resolved(estate, inputs=plan_inputs(raw, reference), pins=pins,
                          time_limit=time_limit, workers=workers, seed=seed,
                          objective=objective, carbon_price=carbon_price, progress=progress,
                          epsilon=epsilon)


def resolve_estate(raw: Estate, *, pins: tuple[Pin, ...] = (), pins_source: str = "pins",
                   reference: Path | None = None) -> Estate:
    """``raw`` with ``pins`` applied, resolved (reference data from ``reference``)."""
    pinned = apply_pins(raw, pins, pins_source) if pins else raw
    return resolve(pinned, reference)


def plan_inputs(raw: Estate, reference: Path | None) -> dict[str, str | None]:
    """``plan.json``'s ``inputs``: the workbook's fingerprint, name and reference file."""
    return {"fingerprint": fingerprint(raw), "workbook": raw.source or "demo",
            "reference": str(reference) if reference else None}


def solve_resolved(estate: Estate, *, inputs: dict[str, str | None],
                   pins: tuple[Pin, ...] = (), time_limit: float = 60.0,
                   workers: int | None = None, seed: int = 0, objective: str = "balanced",
                   carbon_price: float | None = None, progress: Progress | None = None,
                   epsilon: Epsilon | None = None,
                   assumptions: dict[str, Any] | None = None, name: str = "plan",
                   alternatives: bool = True) -> PlanRun:
    """Solve a resolved estate and complete its plan: ``inputs``, the objective
    and carbon price (with any carbon cap), the pins, ``assumptions`` (extra
    entries, e.g. a scenario's overrides) and, unless ``alternatives`` is
    false, the cloud alternatives (a batch that compares plans only on their
    totals, such as ``estate sensitivity``, leaves them out: the plan then
    lists none, and a report made from it says none were costed).

    This half of :func:`plan_estate` needs no file: batches run it on Dask
    workers (:mod:`estate.cli.batch`). Every plan is verified (:func:`verify`)
    before it is returned; ``name`` names it in the error.

    Raises
    ------
    PlanDisagrees
        When the independent evaluator disagrees with the plan.
    """
    result = solve(estate, time_limit=time_limit, workers=workers, seed=seed,
                   objective=objective, carbon_price=carbon_price, progress=progress,
                   epsilon=epsilon)
    plan = result.plan
    price = effective_carbon_price(estate, objective, carbon_price)
    merged = dict(plan.assumptions)
    merged["objective"] = {**(merged.get("objective") or {}), "name": objective,
                           "carbon_price": price}
    if epsilon is not None and epsilon.fewest_tonnes:
        merged["objective"]["then"] = "fewest_tonnes"
    if pins:
        merged["pins"] = pins_to_json(pins)
    merged.update(assumptions or {})
    costed: tuple[Alternative, ...] = ()
    if plan.has_schedule and alternatives:
        priced = replace(estate, settings=replace(estate.settings, carbon_price=price))
        costed = cloud_alternatives(priced, plan.decisions,
                                    seconds=min(30.0, max(5.0, time_limit / 2)))
    plan = replace(plan, assumptions=merged, inputs=dict(inputs), alternatives=costed)
    verify(replace(estate, settings=replace(estate.settings, carbon_price=price)), plan, name,
           result.searched_objective)
    return PlanRun(estate, replace(result, plan=plan))


def verify(estate: Estate, plan: Plan, name: str = "plan",
           searched: float | None = None) -> None:
    """Re-derive and re-cost ``plan`` with the independent evaluator
    (:func:`solver.check.compare_plan`, what ``estate check`` runs) before
    anything is written: derived rows, totals, ledgers, every rule, the
    alternatives, the greedy plan, and the status (``optimal`` needs the
    objective at or above the bound, less a penny); and ``searched``, the
    objective by the search's own tables, against the plan's.

    Raises
    ------
    PlanDisagrees
        On any difference: a bug in the planner, not in the input.
    """
    diffs = [str(d) for d in compare_plan(estate, plan)]
    if (searched is not None and plan.objective is not None
            and not same(searched, plan.objective)):
        diffs.append(f"objective: the search's own tables give {searched!r}, the plan's "
                     f"derivation {plan.objective!r}")
    if diffs:
        raise PlanDisagrees(name, tuple(diffs), plan.to_json())


def write_outputs(run: PlanRun, out_dir: Path, *, pdf: bool = True,
                  warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write ``plan.json`` and every report of a planned estate into ``out_dir``, all
    or nothing (:func:`reports.write_outputs`)."""
    from reports import write_outputs as write_all

    return write_all(run.estate, run.result, out_dir, pdf=pdf, warn=warn)


def check(workbook: Path, plan_json: Path, *, reference: Path | None = None,
          against: Path | None = None, time_limit: float = 60.0,
          workers: int | None = None,
          scenario_ok: bool = False) -> tuple[Plan, CheckReport, CheckReport | None]:
    """Check ``plan_json`` (and ``against``, another plan of the same workbook);
    a plan's scenario applies only with ``scenario_ok``.

    Returns
    -------
    (plan, report, against report)
    """
    raw = load(workbook)
    plan = read_plan(plan_json)
    ref = str(reference) if reference else None
    report = check_plan(raw, plan, reference_file=ref, verify_seconds=time_limit,
                        workers=workers, scenario_ok=scenario_ok)
    other = None
    if against is not None:
        other_plan = read_plan(against)
        other = check_plan(raw, other_plan, reference_file=ref, verify_seconds=time_limit,
                           workers=workers, scenario_ok=scenario_ok)
        if (plan.status == "optimal" and other.ok and other_plan.objective is not None
                and plan.objective is not None
                and other_plan.objective < plan.objective - 0.01):
            from solver.check import Difference

            report = replace(report, differences=report.differences + (Difference(
                "status", "status", f"the plan claims to be optimal, but {against} keeps "
                f"every rule and costs £{plan.objective - other_plan.objective:,.2f} less"),))
    return plan, report, other


def _some(ids: list[str]) -> str:
    return printable(", ".join(ids[:5])) + (" …" if len(ids) > 5 else "")


def regenerate_reports(workbook: Path, plan_json: Path, out_dir: Path, *,
                       reference: Path | None = None, pdf: bool = True,
                       warn: Callable[[str], None] | None = None,
                       frontier: Path | None = None,
                       sensitivity: Path | None = None) -> list[Path]:
    """Write the reports of a saved plan without solving again (with the
    cost–carbon front of ``frontier``, a folder of ``estate frontier``, and
    what the answer hangs on from ``sensitivity``, a folder of ``estate
    sensitivity``, in the roadmap).

    Raises
    ------
    EstateError
        When the plan was made from another workbook (its inputs' fingerprint
        or its horizon differs, after the overrides of the scenario a plan of
        ``estate scenarios`` records) or either file is bad.
    """
    from reports import write_reports
    from solver.check import prepare

    raw = load(workbook)
    plan = read_plan(plan_json)
    problems = []
    claimed = plan.inputs.get("fingerprint")
    if claimed is None:
        problems.append("it has no input fingerprint (inputs.fingerprint), so nothing shows "
                        "it was made from this workbook")
    elif claimed != fingerprint(raw):
        problems.append("its input fingerprint is not this workbook's (another workbook, or "
                        "this one changed since the plan was made)")
    known = {a.app_id for a in raw.applications}
    extra = [a.app_id for a in plan.applications if a.app_id not in known]
    if extra:
        problems.append(f"it plans applications the workbook does not have "
                        f"({_some(extra)})")
    planned = {a.app_id for a in plan.applications}
    missing = [a.app_id for a in raw.applications if a.app_id not in planned]
    if plan.has_schedule and missing:
        problems.append(f"it leaves out {len(missing):,} of the workbook's "
                        f"{len(raw.applications):,} applications ({_some(missing)})")
    estate = None
    if not problems:
        # the workbook as the plan saw it: its pins, carbon price and scenario applied
        estate = prepare(raw, plan, str(reference) if reference else None)
        st = estate.settings
        if (plan.horizon_start, plan.horizon_months) != (st.horizon_start, st.horizon_months):
            problems.append(f"it plans {plan.horizon_months} months from "
                            f"{plan.horizon_start}, the workbook {st.horizon_months} months "
                            f"from {st.horizon_start}")
    if problems or estate is None:
        raise EstateError([Issue(str(plan_json), f"the plan was not made from {workbook}: "
                                 f"{p}; plan the workbook again with `estate plan`")
                           for p in problems])
    front = read_frontier(frontier) if frontier is not None else None
    sens = read_sensitivity(sensitivity) if sensitivity is not None else None
    return write_reports(estate, Result(plan), out_dir, pdf=pdf, warn=warn, frontier=front,
                         sensitivity=sens)
