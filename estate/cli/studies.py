"""The batches behind ``estate frontier`` and ``estate scenarios``.

:func:`run_frontier` solves the cost–carbon front by the ε-constraint method
(:mod:`estate.frontier`): the two ends and "this plan" (the balanced
objective) first, then -- as soon as both ends are known -- the capped
points between them, all as one Dask batch (:mod:`estate.cli.batch`).
:func:`run_scenarios` plans each named what-if (:mod:`estate.scenario`) in
one batch. Both write each plan as it finishes (``DIR/<name>/plan.json`` and
the job that made it, ``job.json``), skip the jobs already done with
``resume``, and then write the comparison files.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from estate.cli import batch
from estate.cli.batch import JobFailed, SolveJob
from estate.cli.pipeline import plan_inputs, read_pins, resolve_estate
from estate.errors import EstateError, Issue
from estate.frontier import (
    Frontier,
    Marker,
    PointSpec,
    appraisal_values,
    assemble,
    end_specs,
    interior_specs,
)
from estate.model import Estate, Pin
from estate.pins import apply_pins, pins_to_json
from estate.plan import Plan, Totals, read_plan
from estate.scenario import Scenario, ScenarioOutcome, check_scenarios, scenario_estate
from estate.summary import PlanSummary, summarise
from solver.epsilon import Epsilon

__all__ = ["BatchOptions", "FrontierRun", "ScenariosRun", "run_frontier", "run_scenarios"]

PLAN_DIR = "plan"  # "this plan" of a front
Done = Callable[[str, PlanSummary | None, str], None]


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch: per-solve limits and where.

    ``workers`` are CP-SAT threads per solve; ``processes`` local Dask worker
    processes (default ``cores // workers``); ``scheduler`` an existing Dask
    scheduler (``tcp://HOST:PORT``) instead of a local cluster; ``resume``
    keeps the plans of an earlier run of the same batch in the output folder.
    """

    time_limit: float = 60.0
    workers: int = 1
    seed: int = 0
    scheduler: str | None = None
    processes: int | None = None
    resume: bool = False


@dataclass
class _Writer:
    """Writes each finished job's plan and its ``job.json``; finds resumable ones."""

    out: Path
    resume: bool
    done: Done | None
    plans: dict[str, Plan] = field(default_factory=dict)
    failed: list[JobFailed] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    raw: Estate | None = None

    def signature(self, job: SolveJob) -> dict[str, Any]:
        eps = job.epsilon or Epsilon()
        return json.loads(json.dumps({
            "name": job.name, "inputs": job.inputs, "objective": job.objective,
            "carbon_price": job.carbon_price, "cap_tonnes": eps.cap_tonnes,
            "fewest_tonnes": eps.fewest_tonnes, "pins": pins_to_json(job.pins),
            "assumptions": job.assumptions}, default=str))

    def reuse(self, job: SolveJob) -> bool:
        """Whether ``job`` was done by an earlier run (then its plan is loaded)."""
        folder = self.out / job.name
        if not self.resume or not (folder / "job.json").is_file():
            return False
        try:
            old = json.loads((folder / "job.json").read_text(encoding="utf-8"))
            plan = read_plan(folder / "plan.json")
        except (OSError, ValueError, EstateError):
            return False
        new = self.signature(job)
        cap_old, cap_new = old.pop("cap_tonnes", None), new.pop("cap_tonnes", None)
        same_cap = (cap_old is None) == (cap_new is None) and (
            cap_old is None or math.isclose(cap_old, cap_new, rel_tol=1e-9, abs_tol=1e-9))
        if old != new or not same_cap:
            return False
        self.plans[job.name] = plan
        self.resumed.append(job.name)
        self._tell(job.name, plan, "resumed")
        return True

    def write(self, job: SolveJob, outcome: Plan | JobFailed) -> None:
        if isinstance(outcome, JobFailed):
            self.failed.append(outcome)
            if self.done is not None:
                self.done(job.name, None, f"failed: {outcome.message}")
            return
        folder = self.out / job.name
        folder.mkdir(parents=True, exist_ok=True)
        outcome.write(folder / "plan.json")
        (folder / "job.json").write_text(json.dumps(self.signature(job), indent=2) + "\n",
                                         encoding="utf-8")
        self.plans[job.name] = outcome
        self._tell(job.name, outcome, "")

    def _tell(self, name: str, plan: Plan, note: str) -> None:
        if self.done is not None and self.raw is not None:
            self.done(name, summarise(self.raw, plan), note)


# -- the front ---------------------------------------------------------------------
@dataclass(frozen=True)
class FrontierRun:
    """What :func:`run_frontier` did: the front, files written, failures."""

    frontier: Frontier
    written: list[Path]
    failed: list[JobFailed]
    resumed: list[str]
    plans: dict[str, Plan]


def _marker(name: str, t: Totals | None) -> Marker | None:
    return None if t is None else Marker(name, t.co2e_tonnes, t.cost, t.cost_discounted)


def _frontier(raw: Estate, specs: list[PointSpec], w: _Writer, values: tuple[int, dict],
              settings: dict[str, Any], complete: bool) -> Frontier:
    solved = [(s, summarise(raw, w.plans[s.name])) for s in specs if s.name in w.plans]
    solved += [(s, PlanSummary(status=f"failed: {f.message}"))
               for s in specs for f in w.failed if f.name == s.name]
    any_plan = next((p for p in w.plans.values() if p.baseline is not None), None)
    this = w.plans.get(PLAN_DIR)
    price = (this.assumptions.get("objective") or {}).get("carbon_price") if this else None
    label = "this plan" + (f" (carbon at £{price:,.0f}/t)" if price is not None else "")
    return assemble(
        solved, carbon_values=values[1], carbon_year=values[0],
        baseline=_marker("do nothing (baseline)", any_plan.baseline if any_plan else None),
        greedy=_marker("greedy (cloud first)", any_plan.greedy if any_plan else None),
        plan=_marker(label, this.totals if this is not None else None),
        plan_summary=summarise(raw, this) if this is not None else None,
        workbook=raw.source or "demo", settings=settings, complete=complete)


def run_frontier(raw: Estate, points: int, out_dir: Path, *, reference: Path | None = None,
                 options: BatchOptions = BatchOptions(), plan: bool = True,
                 started: Callable[[int], None] | None = None,
                 done: Done | None = None) -> FrontierRun:
    """Solve the cost–carbon front of ``raw`` with ``points`` points.

    Parameters
    ----------
    raw
        The estate as loaded.
    points
        Points on the front, the two ends included (at least 2).
    out_dir
        Folder for ``point-*/plan.json``, ``plan/plan.json`` (this plan, when
        ``plan``), ``frontier.json``, ``frontier.xlsx`` and ``frontier.html``.
    reference
        A TOML of reference-data overrides.
    options
        Limits per solve and where the batch runs.
    plan
        Also solve "this plan" (the balanced objective), marked on the chart.
    started, done
        Called with the number of jobs, and with each job's name, summary and
        a note (``resumed``, ``failed: …``) as it finishes.

    Raises
    ------
    EstateError
        Bad input (before anything is solved).
    """
    if points < 2:
        raise EstateError(Issue("--points", f"a front needs at least 2 points (got {points})"))
    estate = resolve_estate(raw, reference=reference)
    values = appraisal_values(raw, reference)
    inputs = plan_inputs(raw, reference)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = {"points": points, "time_limit": options.time_limit,
                "workers": options.workers, "seed": options.seed,
                "scheduler": options.scheduler or "local"}

    def job(name: str, objective: str, **kw: Any) -> SolveJob:
        return SolveJob(name, estate, inputs, objective=objective,
                        time_limit=options.time_limit, workers=options.workers,
                        seed=options.seed, **kw)

    low, high = end_specs(points)
    ends = [job(low.name, "cost", epsilon=Epsilon(fewest_tonnes=True)),
            job(high.name, "carbon", carbon_price=0.0)]
    first = ends + ([job(PLAN_DIR, "balanced")] if plan else [])
    specs: list[PointSpec] = [low, high]
    w = _Writer(out_dir, options.resume, done, raw=raw)

    def inner() -> list[SolveJob]:
        a, b = w.plans.get(low.name), w.plans.get(high.name)
        if a is None or b is None or a.totals is None or b.totals is None:
            return []
        caps = interior_specs(points, b.totals.co2e_tonnes, a.totals.co2e_tonnes)
        specs[1:1] = caps
        hint = b.decisions
        return [job(s.name, "cost", epsilon=Epsilon(cap_tonnes=s.cap_tonnes,
                                                     fewest_tonnes=True, hint=hint))
                for s in caps]

    def finished(j: SolveJob, outcome: Plan | JobFailed) -> list[SolveJob]:
        w.write(j, outcome)
        more: list[SolveJob] = []
        if j.name in (low.name, high.name) and all(e.name in w.plans for e in ends):
            more = [m for m in inner() if not w.reuse(m)]
        _frontier(raw, specs, w, values, settings, complete=False).write(
            out_dir / "frontier.json")
        return more

    todo = [j for j in first if not w.reuse(j)]
    if started is not None:
        started(len(first) + max(points - 2, 0))
    more = inner() if all(e.name in w.plans for e in ends) else []
    todo += [m for m in more if not w.reuse(m)]
    if todo:
        with batch.cluster(options.scheduler, processes=options.processes,
                           workers=options.workers) as client:
            batch.run_batch(client, todo, finished)
    front = _frontier(raw, specs, w, values, settings, complete=not w.failed)
    written = [front.write(out_dir / "frontier.json")]
    from reports.frontier import write_frontier_html, write_frontier_xlsx

    written.append(write_frontier_xlsx(front, out_dir / "frontier.xlsx"))
    written.append(write_frontier_html(front, out_dir / "frontier.html"))
    return FrontierRun(front, written, w.failed, w.resumed, w.plans)


# -- scenarios -----------------------------------------------------------------------
@dataclass(frozen=True)
class ScenariosRun:
    """What :func:`run_scenarios` did: each scenario's outcome, files, failures."""

    outcomes: list[ScenarioOutcome]
    written: list[Path]
    failed: list[JobFailed]
    resumed: list[str]
    plans: dict[str, Plan]


def folder_name(name: str, taken: set[str]) -> str:
    """A folder name for a scenario: lower-case letters, digits and ``-``; unique."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


def _pins_of(sc: Scenario, relative_to: Path) -> tuple[Pin, ...]:
    path = sc.pins_path
    if path is None:
        return ()
    p = Path(path)
    if not p.is_absolute():
        p = relative_to / p
    if not p.is_file():
        raise EstateError(Issue(sc.source or "scenarios", f"scenario {sc.name!r}, key 'pins': "
                                f"no such file {str(p)!r} (a path is read relative to the "
                                "scenarios file)", sheet=sc.sheet, row=sc.row))
    return read_pins(p)


def with_base(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The scenarios, with a ``base`` (no override) first unless one is named so."""
    if any(s.name.strip().lower() == "base" for s in scenarios):
        return sorted(scenarios, key=lambda s: s.name.strip().lower() != "base")
    return [Scenario("base"), *scenarios]


def prepare_scenarios(raw: Estate, scenarios: Sequence[Scenario], *, options: BatchOptions,
                      reference: Path | None, objective: str,
                      relative_to: Path) -> list[tuple[Scenario, str, SolveJob]]:
    """Check every scenario and build its job (nothing is solved).

    Raises
    ------
    EstateError
        With every bad override of every scenario at once.
    """
    check_scenarios(raw, scenarios)
    inputs = plan_inputs(raw, reference)
    issues: list[Issue] = []
    out: list[tuple[Scenario, str, SolveJob]] = []
    taken: set[str] = set()
    for sc in scenarios:
        try:
            pins = _pins_of(sc, relative_to)
            pinned = apply_pins(raw, pins, f"scenario {sc.name} pins") if pins else raw
            estate = scenario_estate(pinned, sc, reference)
        except EstateError as exc:
            issues += exc.issues
            continue
        name = folder_name(sc.name, taken)
        out.append((sc, name, SolveJob(
            name, estate, inputs, pins=pins, objective=objective,
            time_limit=options.time_limit, workers=options.workers, seed=options.seed,
            assumptions={"scenario": sc.to_json()})))
    if issues:
        raise EstateError(issues)
    return out


def run_scenarios(raw: Estate, scenarios: Sequence[Scenario], out_dir: Path, *,
                  reference: Path | None = None, objective: str = "balanced",
                  options: BatchOptions = BatchOptions(), relative_to: Path = Path("."),
                  started: Callable[[int], None] | None = None,
                  done: Done | None = None) -> ScenariosRun:
    """Plan every scenario (a ``base`` first) in one batch and compare them.

    Writes ``DIR/<scenario>/plan.json`` as each finishes (``estate check
    WORKBOOK DIR/<scenario>/plan.json`` applies the scenario it records), then
    ``scenarios.json``, ``scenarios.xlsx`` and ``scenarios.html``.

    Raises
    ------
    EstateError
        Any bad override (unknown site, key, team or strategy; a bad value; a
        missing pins file), located, before anything is solved.
    """
    jobs = prepare_scenarios(raw, with_base(scenarios), options=options,
                             reference=reference, objective=objective,
                             relative_to=relative_to)
    out_dir.mkdir(parents=True, exist_ok=True)
    w = _Writer(out_dir, options.resume, done, raw=raw)
    todo = [j for _, _, j in jobs if not w.reuse(j)]
    if started is not None:
        started(len(jobs))
    if todo:
        with batch.cluster(options.scheduler, processes=options.processes,
                           workers=options.workers) as client:
            batch.run_batch(client, todo, lambda j, o: w.write(j, o))
    failed = {f.name: f.message for f in w.failed}
    outcomes = [ScenarioOutcome(sc, name, summarise(raw, w.plans[name]) if name in w.plans
                                else PlanSummary(status=f"failed: {failed.get(name, '')}"))
                for sc, name, _ in jobs]
    from reports.scenarios import write_scenarios_html, write_scenarios_xlsx

    path = out_dir / "scenarios.json"
    path.write_text(json.dumps([{"name": o.scenario.name, "folder": o.folder,
                                 "overrides": o.scenario.to_json()["overrides"],
                                 "summary": asdict(o.summary)} for o in outcomes],
                               indent=2, default=str) + "\n", encoding="utf-8")
    written = [path, write_scenarios_xlsx(outcomes, out_dir / "scenarios.xlsx"),
               write_scenarios_html(outcomes, out_dir / "scenarios.html")]
    return ScenariosRun(outcomes, written, w.failed, w.resumed, w.plans)
