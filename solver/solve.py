"""Plan an estate with CP-SAT: :func:`solve`.

The model is built by :mod:`solver.model`; see ``docs/solver.md``. The plan's
totals are recomputed exactly in floats from the tables of
:mod:`solver.model.prep` for the chosen values; the reported bound is CP-SAT's
bound converted back to £ minus the largest rounding error the integer
scaling can introduce, so it stays a valid lower bound.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from estate.model import Estate
from estate.plan import AppPlan, Decision, Plan, Totals
from solver.epsilon import Epsilon
from solver.model.build import Builder, Choice
from solver.model.constraints import add_carbon_cap
from solver.model.costs import Objective, Weights, build_objective, dot
from solver.model.explain import conflict_texts, find_conflicts
from solver.model.extract import (
    app_rows,
    choice_from_decisions,
    decisions,
    derive,
    state_rows,
    totals,
)
from solver.model.heuristic import first_plan
from solver.model.prep import Prep
from solver.result import Result

Progress = Callable[[float, float, float, float], None]
OBJECTIVES = ("balanced", "cost", "carbon")
SCALE = 100.0  # objective in pence
CARBON_SCALE = 1000.0  # carbon phase in grams
KG_WEIGHTS: Weights = (0.0, 0.0, 1.0, 0.0)  # undiscounted kgCO2e
FEWEST_TONNES_SHARE = 0.15  # of the search time, for Epsilon.fewest_tonnes
MEMORY_MB = 3300.0  # the search stops (keeping the best plan) above this process size
LARGE = 2000  # applications: above this, a lighter model (no time-indexed rows, default LP)


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports (elapsed, best objective £, bound £, gap) on each improving solution."""

    def __init__(self, obj: Objective, t0: float, progress: Progress | None) -> None:
        super().__init__()
        self.obj, self.t0, self.progress = obj, t0, progress
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.progress is None:
            return
        value = self.obj.to_units(self.objective_value)
        bound = self.obj.to_units(self.best_objective_bound) - self.obj.err
        gap = (value - bound) / max(abs(value), 1.0)
        self.progress(time.monotonic() - self.t0, value, bound, max(gap, 0.0))


def _reference() -> tuple[Any, Any, Any]:
    """D's ``baseline``, ``evaluate`` and ``greedy_decisions`` (None when absent)."""
    try:
        from solver.evaluate import baseline, evaluate
    except ImportError:
        baseline = evaluate = None
    try:
        from solver.greedy import greedy_decisions
    except ImportError:
        greedy_decisions = None
    return baseline, evaluate, greedy_decisions


def _run(b: Builder, obj: Objective, seconds: float, workers: int, seed: int, t0: float,
         progress: Progress | None) -> tuple[int, cp_model.CpSolver]:
    b.m.minimize(obj.expr)
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(seconds, 0.1)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    tune(s.parameters, workers, large=len(b.prep.apps) > LARGE)
    done = threading.Event()
    fired: list[float] = []
    watch = threading.Thread(target=_watch_memory, args=(s, done, fired), daemon=True)
    watch.start()
    try:
        status = s.solve(b.m, _Callback(obj, t0, progress))
    finally:
        done.set()
        watch.join()
    if fired:
        b.log.append(f"search stopped at {fired[0]:,.0f} MB (memory cap {MEMORY_MB:,.0f} MB)")
    return status, s


def _rss_mb() -> float | None:
    """Resident size of this process in MB (Linux ``/proc``; None elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _watch_memory(s: cp_model.CpSolver, done: threading.Event, fired: list[float]) -> None:
    """Stop the search (CP-SAT keeps its best plan) when the process grows
    beyond ``MEMORY_MB``."""
    while not done.wait(0.5):
        rss = _rss_mb()
        if rss is None:
            return
        if rss > MEMORY_MB:
            fired.append(rss)
            s.stop_search()
            return


def tune(params: Any, workers: int, large: bool = False) -> None:
    """CP-SAT parameters measured on the demo and synthetic estates.

    With few workers the full-problem worker is ``max_lp`` (linearization
    level 2: clauses, implications and the cumulative relaxations enter the
    LP, which lifts the bound by several per cent) beside the LNS workers;
    probing in presolve is off (it cost a fifth of the time limit for little).
    (A watchdog stops the search, keeping its best plan, when the process
    reaches ``MEMORY_MB``: on 3,000 applications CP-SAT grows by ~15 MB/s.)
    """
    params.cp_model_probing_level = 0
    if 2 <= workers <= 3 and not large:
        params.subsolvers.append("max_lp")
        if workers == 3:
            params.subsolvers.append("core")


def effective_carbon_price(estate: Estate, objective: str, carbon_price: float | None) -> float:
    """The £/tCO2e the objective uses: 0 for ``cost``, else the override or the
    estate's resolved carbon price."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective {objective!r} must be one of {OBJECTIVES}")
    if objective == "cost":
        return 0.0
    if carbon_price is not None:
        return float(carbon_price)
    return float(estate.settings.carbon_price or 0.0)


def solve(estate: Estate, *, time_limit: float = 60.0, workers: int | None = None,
          seed: int = 0, objective: str = "balanced", carbon_price: float | None = None,
          progress: Progress | None = None, hint: bool = True,
          time_indexed: bool | None = None, epsilon: Epsilon | None = None) -> Result:
    """Plan a resolved estate.

    Parameters
    ----------
    estate
        A resolved estate (``estate.resolve.resolve``).
    time_limit
        Seconds for the whole solve (explaining an infeasible estate included).
    workers
        CP-SAT workers (default: ``os.cpu_count()``).
    seed
        CP-SAT random seed.
    objective
        ``balanced`` (the spec's objective), ``cost`` (carbon price 0) or
        ``carbon`` (least tonnes CO2e, then the balanced objective among them).
    carbon_price
        £/tCO2e overriding the estate's.
    progress
        Called with ``(elapsed s, best objective £, bound £, gap)`` on each
        improving solution.
    hint
        Give the greedy plan (when there is one) to CP-SAT as a hint.
    time_indexed
        Add the time-indexed capacity rows (stronger bound, larger model);
        default: only up to ``LARGE`` applications.
    epsilon
        A carbon cap, a tie-break to fewer tonnes and a hint within the cap
        (one solve of the cost–carbon front, :class:`solver.epsilon.Epsilon`).

    Returns
    -------
    Result
        ``optimal`` / ``feasible`` with a plan, ``infeasible`` with conflicts,
        or ``unknown`` when no plan was found in time.
    """
    t0 = time.monotonic()
    cp = effective_carbon_price(estate, objective, carbon_price)
    est = replace(estate, settings=replace(estate.settings, carbon_price=cp))
    prep = Prep(est)
    workers = workers or os.cpu_count() or 1
    baseline_fn, evaluate_fn, greedy_fn = _reference()
    log: list[str] = []

    large = len(prep.apps) > LARGE
    if time_indexed is None:
        time_indexed = not large
    b = Builder(prep, time_indexed=time_indexed)
    log.append(f"model built at {time.monotonic() - t0:.1f}s")
    greedy_decs = greedy_fn(est) if greedy_fn is not None else None
    log.append(f"greedy done at {time.monotonic() - t0:.1f}s")
    if b.trivially_infeasible:
        return _infeasible(est, prep, t0, time_limit, seed, baseline_fn, log)

    w: Weights = (0.0, 1.0, 0.0, cp / 1000.0)
    obj = build_objective(b, w, SCALE)
    eps = epsilon or Epsilon()
    need_kg = objective == "carbon" or eps.cap_tonnes is not None or eps.fewest_tonnes
    kg = build_objective(b, KG_WEIGHTS, CARBON_SCALE) if need_kg else None
    cap_kg = None if eps.cap_tonnes is None else eps.cap_tonnes * 1000.0
    if cap_kg is not None and kg is not None:
        add_carbon_cap(b, kg, cap_kg)
        log.append(f"carbon cap: {eps.cap_tonnes:,.3f} t (rounding allowance "
                   f"{2 * kg.err:,.3f} kg)")
    hinted = None
    if hint:
        hinted = _hint(b, prep, greedy_decs, KG_WEIGHTS if objective == "carbon" else w, log,
                       cap_kg=cap_kg, given=eps.hint)
    log.append(f"search starts at {time.monotonic() - t0:.1f}s")
    proven = True
    if objective == "carbon" and kg is not None:
        status, s = _run(b, kg, (time_limit - (time.monotonic() - t0)) / 2, workers, seed,
                         t0, None)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            proven = status == cp_model.OPTIMAL
            best = int(round(s.objective_value))
            b.m.add(kg.expr <= best)
            b.m.clear_hints()
            hinted = b.choice_of(s.boolean_value)
            b.hint(hinted)
            log.append(f"carbon phase: {kg.to_units(best) / 1000:.3f} t "
                       f"({s.status_name(status)})")
    # keep a little time for the exact totals, ledgers and the plan
    reserve = min(20.0, 0.04 * time_limit)
    remaining = time_limit - (time.monotonic() - t0) - reserve
    if eps.fewest_tonnes:
        remaining *= 1.0 - FEWEST_TONNES_SHARE
    status, s = _run(b, obj, remaining, workers, seed, t0, progress)
    log.extend(b.log)
    log.append(f"cp-sat: {s.status_name(status)} in {s.wall_time:.2f}s, "
               f"{len(b.m.proto.variables)} variables, {len(b.m.proto.constraints)} "
               f"constraints")
    if status == cp_model.INFEASIBLE:
        return _infeasible(est, prep, t0, time_limit, seed, baseline_fn, log,
                           cap_tonnes=eps.cap_tonnes)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError("internal error: CP-SAT model invalid: " + b.m.validate())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        choice = b.choice_of(s.boolean_value)
        proven = proven and status == cp_model.OPTIMAL
    else:
        known = _checked_hint(est, prep, hinted, cap_kg, evaluate_fn)
        if known is None:
            return _empty(est, "unknown", t0, baseline_fn, log)
        log.append("no plan from CP-SAT in time: the hinted plan is returned (the "
                   "evaluator finds every rule kept)")
        choice, proven = known, False
    bound = obj.to_units(_finite_bound(s, obj)) - obj.err
    if eps.fewest_tonnes and kg is not None and status in (cp_model.OPTIMAL,
                                                            cp_model.FEASIBLE):
        left = time_limit - (time.monotonic() - t0) - reserve
        choice, proven = _fewest_tonnes(b, obj, kg, s, choice, proven, left, workers, seed,
                                        t0, log)
    der = derive(prep, choice)
    tot = totals(der.vec, cp)
    gap = max(tot.objective - bound, 0.0) / max(abs(tot.objective), 1.0)
    plan_status = "optimal" if proven else "feasible"
    servers, contracts, sites = state_rows(prep, der)
    decs = decisions(prep, choice)
    base_ev = baseline_fn(est) if baseline_fn is not None else None
    greedy_ev = (evaluate_fn(est, list(greedy_decs))
                 if evaluate_fn is not None and greedy_decs is not None else None)
    ledger = evaluate_fn(est, decs).ledger if evaluate_fn is not None else None
    seconds = time.monotonic() - t0
    plan = Plan(
        status=plan_status, objective=tot.objective, bound=bound, gap=gap,
        solve_seconds=seconds, horizon_start=prep.start, horizon_months=prep.H,
        applications=app_rows(prep, choice), servers=servers, contracts=contracts,
        sites=sites, totals=tot,
        baseline=_totals_of(base_ev), greedy=_totals_of(greedy_ev),
        assumptions=_assumptions(estate, eps, kg), conflicts=(), ledger=ledger,
        baseline_ledger=getattr(base_ev, "ledger", None),
        greedy_ledger=getattr(greedy_ev, "ledger", None),
        greedy_applications=_greedy_rows(prep, greedy_decs),
    )
    return Result(plan, log=tuple(log))


def _hint(b: Builder, prep: Prep, greedy_decs: Any, w: Weights,
          log: list[str], *, cap_kg: float | None = None,
          given: Sequence[Decision] = ()) -> Choice | None:
    """Hint the cheapest complete plan of the greedy (D's), our list scheduler
    and ``given`` (decisions of a known plan) -- among those within ``cap_kg``
    undiscounted kgCO2e when a cap is set. Returns the complete plan hinted
    (``None`` when only a partial one was)."""
    cands: list[tuple[float, str, Choice]] = []

    def offer(name: str, choice: Choice) -> None:
        if len(choice) == len(prep.apps):
            vec = derive(prep, choice).vec
            if cap_kg is None or vec[2] <= cap_kg:
                cands.append((dot(w, vec), name, choice))

    if given:
        offer("given plan", choice_from_decisions(prep, list(given)))
    if greedy_decs is not None:
        offer("greedy plan", choice_from_decisions(prep, list(greedy_decs)))
    for aware, ratio in ((True, False), (True, True), (False, False)):
        mine = first_plan(b, w, group_aware=aware, ratio=ratio)
        how = ", ".join(x for x, on in (("group costs", aware), ("Smith ratio", ratio)) if on)
        offer(f"list-scheduled plan ({how or 'plain'})", mine)
    if not cands:
        n = b.hint(mine)
        within = " within the carbon cap" if cap_kg is not None else ""
        log.append(f"hint: no complete plan{within}; list-scheduled plan for {n} of "
                   f"{len(prep.apps)} applications")
        return None
    value, name, choice = min(cands, key=lambda c: c[0])
    b.hint(choice)
    log.append(f"hint: {name}, objective £{value:,.0f}")
    return choice


def _checked_hint(est: Estate, prep: Prep, choice: Choice | None, cap_kg: float | None,
                  evaluate_fn: Any) -> Choice | None:
    """The hinted plan, when CP-SAT found none in time, if the evaluator finds
    it keeps every rule (and the carbon cap)."""
    if choice is None or evaluate_fn is None or len(choice) != len(prep.apps):
        return None
    if cap_kg is not None and derive(prep, choice).vec[2] > cap_kg:
        return None
    return None if evaluate_fn(est, decisions(prep, choice)).violations else choice


def _finite_bound(s: cp_model.CpSolver, obj: Objective) -> float:
    """CP-SAT's bound (scaled), or the trivial one (every coefficient is >= 0,
    so 0) when it proved none."""
    value = s.best_objective_bound
    return value if math.isfinite(value) else float(min(0, sum(c for c in obj.coeffs
                                                                if c < 0)))


def _fewest_tonnes(b: Builder, obj: Objective, kg: Objective, s: cp_model.CpSolver,
                   choice: Choice, proven: bool, seconds: float, workers: int, seed: int,
                   t0: float, log: list[str]) -> tuple[Choice, bool]:
    """Tie-break: fewest kg among plans whose scaled objective is at most the
    best found (``obj.expr <= value``), hinted with that plan. Returns the
    choice and whether both phases are optimal; keeps ``choice`` when the
    phase finds nothing in time."""
    b.m.add(obj.expr <= int(round(s.objective_value)))
    b.m.clear_hints()
    b.hint(choice)
    status, s2 = _run(b, kg, seconds, workers, seed, t0, None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.append(f"fewest-tonnes phase: {s2.status_name(status)}; the main phase's plan "
                   "is kept")
        return choice, False
    log.append(f"fewest-tonnes phase: {kg.to_units(s2.objective_value) / 1000:.3f} t "
               f"({s2.status_name(status)})")
    return b.choice_of(s2.boolean_value), proven and status == cp_model.OPTIMAL


def _assumptions(estate: Estate, eps: Epsilon, kg: Objective | None) -> dict[str, Any]:
    """The estate's assumptions, with the carbon cap and its rounding allowance
    (``objective.co2e_cap_tonnes``, ``objective.co2e_cap_rounding_tonnes``)."""
    out = dict(estate.assumptions)
    if eps.cap_tonnes is not None and kg is not None:
        out["objective"] = {"co2e_cap_tonnes": eps.cap_tonnes,
                            "co2e_cap_rounding_tonnes": 2.0 * kg.err / 1000.0}
    return out


def _totals_of(ev: Any) -> Totals | None:
    return None if ev is None else ev.totals


def _greedy_rows(prep: Prep, decs: Any) -> tuple[AppPlan, ...]:
    if decs is None:
        return ()
    choice: Choice = choice_from_decisions(prep, list(decs))
    if len(choice) != len(prep.apps):
        return ()
    return app_rows(prep, choice)


def _empty(est: Estate, status: str, t0: float, baseline_fn: Any, log: list[str],
           conflicts: tuple[str, ...] = ()) -> Result:
    base_ev = baseline_fn(est) if baseline_fn is not None else None
    seconds = time.monotonic() - t0
    plan = Plan(status=status, objective=None, bound=None, gap=None, solve_seconds=seconds,
                horizon_start=est.settings.horizon_start,
                horizon_months=est.settings.horizon_months,
                baseline=_totals_of(base_ev), greedy=None,
                assumptions=dict(est.assumptions), conflicts=conflicts,
                baseline_ledger=getattr(base_ev, "ledger", None))
    return Result(plan, log=tuple(log))


def _infeasible(est: Estate, prep: Prep, t0: float, time_limit: float, seed: int,
                baseline_fn: Any, log: list[str], cap_tonnes: float | None = None) -> Result:
    left = max(time_limit - (time.monotonic() - t0), 5.0)
    rules = find_conflicts(prep, seconds=min(left, 30.0), seed=seed)
    texts = conflict_texts(prep, rules)
    if not texts and cap_tonnes is not None:
        texts = (f"no plan that keeps every rule emits at most {cap_tonnes:,.3f} tCO2e "
                 "(the carbon cap)",)
    if not texts:
        texts = (f"the {prep.H}-month horizon from {prep.start} is too short for the "
                 "applications that must move",)
    return _empty(est, "infeasible", t0, baseline_fn, log, texts)
