"""The batch behind ``estate frontier`` (and what ``estate scenarios`` shares).

:func:`run_frontier` solves the cost–carbon front by the ε-constraint method
(:mod:`estate.frontier`) in stages of one Dask batch (:mod:`estate.cli.batch`):
this plan and the least-carbon end, the least-cost end, the capped points,
then the points another plan beats, solved again. :class:`Writer` writes each
plan as it finishes (``DIR/<name>/plan.json`` and the job that made it,
``job.json``) and finds the jobs a previous run finished (``resume``);
:mod:`estate.cli.scenario_batch` uses it for the scenarios.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.cli import batch
from estate.cli.batch import JobFailed, SolveJob
from estate.cli.pipeline import plan_inputs, resolve_estate
from estate.errors import EstateError, Issue, WriteError
from estate.files import check_output_dir, write_text
from estate.frontier import (
    Frontier,
    Marker,
    PointSpec,
    appraisal_values,
    assemble,
    end_specs,
    interior_specs,
    point_name,
)
from estate.links import refuse_links_below
from estate.locks import target_lock
from estate.model import Estate
from estate.pins import pins_to_json
from estate.plan import Plan, Totals, read_plan
from estate.reading import load_json
from estate.summary import PlanSummary, summarise
from solver.epsilon import Epsilon

__all__ = ["BatchOptions", "FrontierRun", "Writer", "run_frontier"]

PLAN_DIR = "plan"  # "this plan" of a front
#: The files of each job's folder.
JOB_FILES = ("plan.json", "job.json")
#: The files of a front's folder.
FRONT_FILES = ("frontier.json", "frontier.xlsx", "frontier.html")
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


DEFAULT_OPTIONS = BatchOptions()


@dataclass
class Writer:
    """Writes each finished job's plan and its ``job.json``; finds resumable ones."""

    out: Path
    resume: bool
    done: Done | None
    plans: dict[str, Plan] = field(default_factory=dict)
    failed: list[JobFailed] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    raw: Estate | None = None
    #: (job name, why): saved plans that did not check against the workbook
    distrusted: list[tuple[str, str]] = field(default_factory=list)
    #: Files this run has written so far (kept if a later write fails).
    written: list[Path] = field(default_factory=list)

    def signature(self, job: SolveJob) -> dict[str, Any]:
        eps = job.epsilon or Epsilon()
        return json.loads(json.dumps({
            "name": job.name, "inputs": job.inputs, "objective": job.objective,
            "carbon_price": job.carbon_price, "cap_tonnes": eps.cap_tonnes,
            "fewest_tonnes": eps.fewest_tonnes, "pins": pins_to_json(job.pins),
            "assumptions": job.assumptions,
            # only when left out, so that the job.json of earlier runs still match
            **({} if job.alternatives else {"alternatives": False})}, default=str))

    def reuse(self, job: SolveJob) -> bool:
        """Whether ``job`` was done by an earlier run (then its plan is loaded).

        The saved plan is trusted only when :func:`solver.check.check_plan`
        (the evaluator of ``estate check``, under the job's scenario) agrees
        with every figure it claims; otherwise it is solved again and noted in
        :attr:`distrusted` (an edited ``plan.json`` must not bend the front)."""
        folder = self.out / job.name
        if not self.resume or not (folder / "job.json").is_file():
            return False
        try:
            old = load_json(folder / "job.json", what="job.json")
            plan = read_plan(folder / "plan.json")
        except EstateError:
            return False
        new = self.signature(job)
        cap_old, cap_new = old.pop("cap_tonnes", None), new.pop("cap_tonnes", None)
        same_cap = (cap_old is None) == (cap_new is None) and (
            cap_old is None or math.isclose(cap_old, cap_new, rel_tol=1e-9, abs_tol=1e-9))
        if old != new or not same_cap:
            return False
        why = self._disagrees(job, plan)
        if why:
            self.distrusted.append((job.name, why))
            return False
        self.plans[job.name] = plan
        self.resumed.append(job.name)
        self.tell(job.name, plan, "resumed")
        return True

    def targets(self, names: Iterable[str], files: Iterable[str] = ()) -> list[Path]:
        """Every file a batch of jobs ``names`` (and ``files`` of the folder) writes."""
        return ([self.out / n / f for n in names for f in JOB_FILES]
                + [self.out / f for f in files])

    def check(self, names: Iterable[str], files: Iterable[str] = ()) -> None:
        """Before solving: the output folder can be written and nothing below it on
        the way to a file of the batch is a symbolic link (a folder link such as
        ``OUT/point-1`` would redirect its plan elsewhere).

        Raises
        ------
        EstateError
            Naming every link (and any other reason the folder cannot be written).
        """
        check_output_dir(self.out, files)
        refuse_links_below(self.out, self.targets(names, files))

    def _disagrees(self, job: SolveJob, plan: Plan) -> str:
        """Why a saved plan does not check against the workbook (``""``: it does)."""
        if self.raw is None:
            return "no workbook to check it against"
        from solver.check import check_plan

        try:
            report = check_plan(self.raw, plan, reference_file=job.inputs.get("reference"),
                                scenario_ok=True, verify=False)
        except EstateError as exc:
            return str(exc.issues[0])
        if report.ok:
            return ""
        n = len(report.differences)
        return f"{report.differences[0]}" + (f" (and {n - 1} more)" if n > 1 else "")

    def write(self, job: SolveJob, outcome: Plan | JobFailed, note: str = "") -> None:
        if isinstance(outcome, JobFailed):
            self.failed.append(outcome)
            if self.done is not None:
                self.done(job.name, None, f"failed: {outcome.message}")
            return
        folder = self.out / job.name
        refuse_links_below(self.out, self.targets([job.name]))
        folder.mkdir(parents=True, exist_ok=True)
        self.written.append(outcome.write(folder / "plan.json"))
        self.written.append(write_text(folder / "job.json",
                                       json.dumps(self.signature(job), indent=2) + "\n"))
        self.plans[job.name] = outcome
        self.tell(job.name, outcome, note)

    def write_all(self, steps: Iterable[Callable[[], Path]]) -> list[Path]:
        """Run each writing step in turn and record its file (so a step that
        fails leaves the earlier ones listed by :meth:`failed_after_writing`)."""
        written: list[Path] = []
        for step in steps:
            written.append(step())
            self.written.append(written[-1])
        return written

    def failed_after_writing(self, exc: Exception) -> EstateError:
        """The error of a batch that failed part-way (a full disk, a lost
        scheduler), saying which files it had written: they stay, for
        ``--resume``; an :class:`OSError` becomes a located message."""
        issues = (exc.issues if isinstance(exc, EstateError) else
                  [Issue(str(getattr(exc, "filename", None) or self.out),
                         f"cannot write: {getattr(exc, 'strerror', None) or exc}")])
        if not self.written:
            return exc if isinstance(exc, EstateError) else EstateError(issues)
        names = sorted({str(p.relative_to(self.out)) if p.is_relative_to(self.out) else str(p)
                        for p in self.written})
        more = Issue(str(self.out), f"written before the failure, and kept (rerun with "
                     f"--resume to go on): {', '.join(names[:12])}"
                     f"{' …' if len(names) > 12 else ''}")
        return WriteError([*issues, more], written=tuple(str(p) for p in self.written))

    def tell(self, name: str, plan: Plan, note: str) -> None:
        """Report a finished (or resumed) job's plan to ``done``."""
        if self.done is not None and self.raw is not None:
            self.done(name, summarise(self.raw, plan), note)


# -- the front ---------------------------------------------------------------------
@dataclass(frozen=True)
class FrontierRun:
    """What :func:`run_frontier` did: the front, files written, failures, plans
    resumed and saved plans solved again because they did not check."""

    frontier: Frontier
    written: list[Path]
    failed: list[JobFailed]
    resumed: list[str]
    plans: dict[str, Plan]
    distrusted: list[tuple[str, str]] = field(default_factory=list)


def _marker(name: str, t: Totals | None) -> Marker | None:
    return None if t is None else Marker(name, t.co2e_tonnes, t.cost, t.cost_discounted)


def _frontier(raw: Estate, specs: list[PointSpec], w: Writer, values: tuple[int, dict],
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


class _Front:
    """The front's batch as stages: (1) this plan (the balanced objective) and
    the least-carbon end; (2) the least-cost end, hinted with this plan (in
    stage 1 when there is no "this plan"), and an end that another plan of the
    batch beats, solved again hinted with that plan; (3) the capped points,
    each hinted with the cheapest plan known to keep its cap; (4) a capped
    point that a known plan beats within its cap, and the least-cost end when
    a capped point is cheaper, solved again hinted with it. The caps stay those
    set from the ends as stage 2 left them. A stage with nothing to solve is
    skipped."""

    def __init__(self, raw: Estate, estate: Estate, points: int, options: BatchOptions,
                 plan: bool, w: Writer, inputs: dict[str, str | None],
                 started: Callable[[int], None] | None) -> None:
        self.raw, self.estate, self.points, self.options = raw, estate, points, options
        self.w, self.inputs, self.started = w, inputs, started
        self.low, self.high = end_specs(points)
        self.specs: list[PointSpec] = [self.low, self.high]
        self.stages = [self._first, self._ends, self._inner, self._repair_inner]
        self.with_plan = plan
        self.outstanding: set[str] = set()
        self.repairing: dict[str, Plan] = {}
        self.total = len(self._first()) + (1 if plan else 0) + max(points - 2, 0)

    def job(self, name: str, objective: str, **kw: Any) -> SolveJob:
        return SolveJob(name, self.estate, self.inputs, objective=objective,
                        time_limit=self.options.time_limit, workers=self.options.workers,
                        seed=self.options.seed, **kw)

    def _end(self, spec: PointSpec, hint: tuple = ()) -> SolveJob:
        if spec.kind == "least_cost":
            return self.job(spec.name, "cost", epsilon=Epsilon(fewest_tonnes=True, hint=hint))
        return self.job(spec.name, "carbon", carbon_price=0.0,
                        epsilon=Epsilon(hint=hint) if hint else None)

    def _capped(self, spec: PointSpec, hint: tuple = ()) -> SolveJob:
        return self.job(spec.name, "cost", epsilon=Epsilon(
            cap_tonnes=spec.cap_tonnes, fewest_tonnes=True, hint=hint))

    def _known(self) -> list[tuple[float, float, Plan]]:
        """(tonnes, discounted £, plan) of every plan with a schedule so far."""
        return [(p.totals.co2e_tonnes, p.totals.cost_discounted, p)
                for p in self.w.plans.values() if p.has_schedule and p.totals is not None]

    def _within(self, cap: float | None) -> Plan | None:
        """The cheapest known plan emitting at most ``cap`` tonnes."""
        ok = [k for k in self._known() if cap is None or k[0] <= cap]
        return min(ok, key=lambda k: (k[1], k[0]))[2] if ok else None

    def _first(self) -> list[SolveJob]:
        if self.with_plan:
            return [self.job(PLAN_DIR, "balanced"), self._end(self.high)]
        return [self._end(self.low), self._end(self.high)]

    def _repair(self, spec: PointSpec, better: Plan) -> SolveJob:
        self.repairing[spec.name] = self.w.plans[spec.name]
        hint = better.decisions
        return self._capped(spec, hint) if spec.kind == "capped" else self._end(spec, hint)

    def _ends(self) -> list[SolveJob]:
        out = []
        low, high = self.w.plans.get(self.low.name), self.w.plans.get(self.high.name)
        cheapest = self._within(None)
        if low is None and self.with_plan:
            out.append(self._end(self.low, cheapest.decisions if cheapest else ()))
        elif low is not None and low.totals is not None and cheapest is not None:
            assert cheapest.totals is not None
            if cheapest.totals.cost_discounted < low.totals.cost_discounted - 0.01:
                out.append(self._repair(self.low, cheapest))
        known = self._known()
        if high is not None and high.totals is not None and known:
            least = min(known, key=lambda k: (k[0], k[1]))
            if least[0] < high.totals.co2e_tonnes - 1e-6:
                out.append(self._repair(self.high, least[2]))
        return out

    def _inner(self) -> list[SolveJob]:
        a, b = self.w.plans.get(self.low.name), self.w.plans.get(self.high.name)
        if a is None or b is None or a.totals is None or b.totals is None:
            return []
        caps = interior_specs(self.points, b.totals.co2e_tonnes, a.totals.co2e_tonnes)
        self.specs[1:1] = caps
        out = []
        for spec in caps:
            hint = self._within(spec.cap_tonnes)
            out.append(self._capped(spec, hint.decisions if hint is not None else ()))
        return out

    def _repair_inner(self) -> list[SolveJob]:
        low = self.w.plans.get(self.low.name)
        cheapest = self._within(None)
        out = []
        if low is not None and low.totals is not None and cheapest is not None:
            assert cheapest.totals is not None
            if cheapest.totals.cost_discounted < low.totals.cost_discounted - 0.01:
                out.append(self._repair(self.low, cheapest))
        for spec in self.specs:
            mine = self.w.plans.get(spec.name)
            better = self._within(spec.cap_tonnes)
            if spec.kind != "capped" or mine is None or better is None:
                continue
            assert better.totals is not None
            if mine.totals is None or (better.totals.cost_discounted
                                       < mine.totals.cost_discounted - 0.01):
                out.append(self._repair(spec, better))
        return out

    def advance(self) -> list[SolveJob]:
        """The jobs of the next stage with something to solve (``[]``: done)."""
        while not self.outstanding and self.stages:
            jobs = self.stages.pop(0)()
            todo = [j for j in jobs if j.name in self.repairing or not self.w.reuse(j)]
            repairs = sum(1 for j in todo if j.name in self.repairing)
            if repairs:
                self.total += repairs
                if self.started is not None:
                    self.started(self.total)
            self.outstanding = {j.name for j in todo}
            if todo:
                return todo
        return []

    def finished(self, job: SolveJob, outcome: Plan | JobFailed) -> list[SolveJob]:
        """Record a finished job (a repair only when it is better) and go on."""
        old = self.repairing.pop(job.name, None)
        if old is not None and (isinstance(outcome, JobFailed) or not _better(
                next(s for s in self.specs if s.name == job.name), outcome, old)):
            self.w.tell(job.name, old, "solved again: nothing better found")
        else:
            self.w.write(job, outcome, "solved again, hinted" if old is not None else "")
        self.outstanding.discard(job.name)
        return self.advance()


def _better(spec: PointSpec, new: Plan, old: Plan) -> bool:
    """Whether ``new`` is a better plan than ``old`` for the point ``spec``."""
    if new.totals is None:
        return False
    if old.totals is None:
        return True
    a, b = new.totals, old.totals
    if spec.kind == "least_carbon":
        return (a.co2e_tonnes, a.cost_discounted) < (b.co2e_tonnes - 1e-6, b.cost_discounted)
    return (a.cost_discounted, a.co2e_tonnes) < (b.cost_discounted - 0.01, b.co2e_tonnes)


def run_frontier(raw: Estate, points: int, out_dir: Path, *, reference: Path | None = None,
                 options: BatchOptions = DEFAULT_OPTIONS, plan: bool = True,
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
        Called with the number of jobs (again when it grows), and with each
        job's name, summary and a note (``resumed``, ``failed: …``) as it
        finishes.

    Raises
    ------
    EstateError
        Bad input (before anything is solved).
    """
    if points < 2:
        raise EstateError(Issue("--points", f"a front needs at least 2 points (got {points})"))
    estate = resolve_estate(raw, reference=reference)
    values = appraisal_values(raw, reference)
    w = Writer(out_dir, options.resume, done, raw=raw)
    w.check([PLAN_DIR] + [point_name(i, points) for i in range(points)], FRONT_FILES)
    try:
        with target_lock(out_dir, inside=True):
            out_dir.mkdir(parents=True, exist_ok=True)
            settings = {"points": points, "time_limit": options.time_limit,
                        "workers": options.workers, "seed": options.seed,
                        "scheduler": options.scheduler or "local"}
            front = _Front(raw, estate, points, options, plan, w, plan_inputs(raw, reference),
                           started)
            if started is not None:
                started(front.total)

            def finished(j: SolveJob, outcome: Plan | JobFailed) -> list[SolveJob]:
                more = front.finished(j, outcome)
                w.written.append(_frontier(raw, front.specs, w, values, settings,
                                           complete=False).write(out_dir / "frontier.json"))
                return more

            todo = front.advance()
            if todo:
                with batch.cluster(options.scheduler, processes=options.processes,
                                   workers=options.workers) as client:
                    batch.run_batch(client, todo, finished)
            result = _frontier(raw, front.specs, w, values, settings, complete=not w.failed)
            from reports.frontier import write_frontier_html, write_frontier_xlsx

            written = w.write_all((
                lambda: result.write(out_dir / "frontier.json"),
                lambda: write_frontier_xlsx(result, out_dir / "frontier.xlsx"),
                lambda: write_frontier_html(result, out_dir / "frontier.html")))
            return FrontierRun(result, written, w.failed, w.resumed, w.plans, w.distrusted)
    except (EstateError, OSError) as exc:
        raise w.failed_after_writing(exc) from exc
