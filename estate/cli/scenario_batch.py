"""The batch behind ``estate scenarios``: every named what-if
(:mod:`estate.scenario`) planned in one Dask batch and compared.

Each plan is written as it finishes (``DIR/<scenario>/plan.json`` and its
``job.json``); ``resume`` keeps those a previous run finished; then
``scenarios.json``, ``scenarios.xlsx`` and ``scenarios.html``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from estate.cli import batch
from estate.cli.batch import JobFailed, SolveJob
from estate.cli.pipeline import plan_inputs, read_pins
from estate.cli.studies import DEFAULT_OPTIONS, BatchOptions, Done, Writer
from estate.errors import EstateError, Issue
from estate.files import write_text
from estate.locks import target_lock
from estate.model import Estate, Pin
from estate.pins import apply_pins
from estate.plan import Plan
from estate.scenario import Scenario, ScenarioOutcome, check_scenarios, scenario_estate
from estate.summary import PlanSummary, summarise
from solver.epsilon import Epsilon

#: The files of a scenarios batch's folder.
SCENARIO_FILES = ("scenarios.json", "scenarios.xlsx", "scenarios.html")

__all__ = ["ScenariosRun", "folder_name", "prepare_scenarios", "run_scenarios", "with_base"]


@dataclass(frozen=True)
class ScenariosRun:
    """What :func:`run_scenarios` did: each scenario's outcome, files, failures."""

    outcomes: list[ScenarioOutcome]
    written: list[Path]
    failed: list[JobFailed]
    resumed: list[str]
    plans: dict[str, Plan]
    distrusted: list[tuple[str, str]] = field(default_factory=list)


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
                      relative_to: Path, alternatives: bool = True
                      ) -> list[tuple[Scenario, str, SolveJob]]:
    """Check every scenario and build its job (nothing is solved); ``alternatives``
    false leaves the cloud alternatives out of the plans.

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
            assumptions={"scenario": sc.to_json()}, alternatives=alternatives)))
    if issues:
        raise EstateError(issues)
    return out


def run_scenarios(raw: Estate, scenarios: Sequence[Scenario], out_dir: Path, *,
                  reference: Path | None = None, objective: str = "balanced",
                  options: BatchOptions = DEFAULT_OPTIONS, relative_to: Path = Path("."),
                  started: Callable[[int], None] | None = None,
                  done: Done | None = None,
                  more: Callable[[str, Plan | None], Sequence[Scenario]] | None = None,
                  alternatives: bool = True, hint_from_base: bool = False) -> ScenariosRun:
    """Plan every scenario (a ``base`` first) in one batch and compare them.

    Writes ``DIR/<scenario>/plan.json`` as each finishes (``estate check
    WORKBOOK DIR/<scenario>/plan.json --scenario-ok`` applies the scenario it
    records), then
    ``scenarios.json``, ``scenarios.xlsx`` and ``scenarios.html``.

    Raises
    ------
    EstateError
        Any bad override (unknown site, key, team or strategy; a bad value; a
        missing pins file), located, before anything is solved.

    Notes
    -----
    ``more(folder, plan)``, called as each plan is done (``None`` when it
    failed), may give further scenarios; they join the same batch (a resumed
    one is reused like the others) and their plans are in the result's
    ``plans`` (not in the comparison files). ``alternatives`` false leaves
    the plans' cloud alternatives out (see
    :func:`estate.cli.pipeline.solve_resolved`).

    ``hint_from_base`` plans the base first and offers its decisions to every
    other scenario's solve as a starting plan (:class:`solver.epsilon.Epsilon`
    ``hint``, beside the greedy and list-scheduled plans; the cheapest that
    keeps the scenario's rules is the start). A scenario that changes only
    prices then ends no worse than the base's decisions priced its way, so a
    difference between two plans is the scenario's, not a short search's.
    The hint changes where the search starts, nothing it must satisfy; a
    failed base leaves the others unhinted.
    """
    jobs = prepare_scenarios(raw, with_base(scenarios), options=options,
                             reference=reference, objective=objective,
                             relative_to=relative_to, alternatives=alternatives)
    w = Writer(out_dir, options.resume, done, raw=raw)
    w.check([name for _, name, _ in jobs], SCENARIO_FILES)
    try:
        with target_lock(out_dir, inside=True):
            out_dir.mkdir(parents=True, exist_ok=True)
            taken = {name for _, name, _ in jobs}

            base_name = jobs[0][1]  # with_base puts the base first
            held: list[SolveJob] = []
            hint: list[Epsilon] = []

            def hinted(j: SolveJob) -> SolveJob:
                return replace(j, epsilon=hint[0]) if hint and j.name != base_name else j

            def released(name: str, plan: Plan | None) -> list[SolveJob]:
                """The jobs held for the base, once it is done (hinted by its plan)."""
                if name != base_name or not held:
                    return []
                if plan is not None and plan.has_schedule:
                    hint.append(Epsilon(hint=tuple(plan.decisions)))
                out = [hinted(j) for j in held if not w.reuse(j)]
                for j in held:
                    if j.name in w.plans:
                        out += follow(j.name, w.plans[j.name])
                held.clear()
                return out

            def follow(name: str, plan: Plan | None) -> list[SolveJob]:
                out = released(name, plan)
                if more is None:
                    return out
                new = [hinted(j) for _, _, j in prepare_scenarios(
                    raw, more(name, plan), options=options, reference=reference,
                    objective=objective, relative_to=relative_to,
                    alternatives=alternatives)
                       if j.name not in taken]
                taken.update(j.name for j in new)
                if new and started is not None:  # the progress total grows with them
                    started(len(taken))
                for j in new:
                    out += follow(j.name, w.plans[j.name]) if w.reuse(j) else [j]
                return out

            if hint_from_base:
                held += [j for _, _, j in jobs[1:]]
                todo = [j for _, _, j in jobs[:1] if not w.reuse(j)]
                if base_name in w.plans:
                    todo += follow(base_name, w.plans[base_name])
            else:
                todo = [j for _, _, j in jobs if not w.reuse(j)]
                for _, name, _ in jobs:
                    if name in w.plans:
                        todo += follow(name, w.plans[name])
            if started is not None:
                started(len(taken))

            def after(j: SolveJob, o: Plan | JobFailed) -> list[SolveJob]:
                w.write(j, o)
                return follow(j.name, None if isinstance(o, JobFailed) else o)

            if todo:
                with batch.cluster(options.scheduler, processes=options.processes,
                                   workers=options.workers) as client:
                    batch.run_batch(client, todo, after)
            failed = {f.name: f.message for f in w.failed}
            outcomes = [ScenarioOutcome(sc, name, summarise(raw, w.plans[name]) if name in w.plans
                                        else PlanSummary(status=f"failed: {failed.get(name, '')}"))
                        for sc, name, _ in jobs]
            from reports.scenarios import write_scenarios_html, write_scenarios_xlsx

            rows = [{"name": o.scenario.name, "folder": o.folder,
                     "overrides": o.scenario.to_json()["overrides"], "summary": asdict(o.summary)}
                    for o in outcomes]
            written = w.write_all((
                lambda: write_text(out_dir / "scenarios.json",
                                   json.dumps(rows, indent=2, default=str) + "\n"),
                lambda: write_scenarios_xlsx(outcomes, out_dir / "scenarios.xlsx"),
                lambda: write_scenarios_html(outcomes, out_dir / "scenarios.html")))
            return ScenariosRun(outcomes, written, w.failed, w.resumed, w.plans, w.distrusted)
    except (EstateError, OSError) as exc:
        raise w.failed_after_writing(exc) from exc
