"""Plan an estate with CP-SAT: :func:`solve`.

The model is built by :mod:`solver.model`; see ``docs/solver.md``. The search
(:mod:`solver.model.search`) runs CP-SAT on the full model beside a
neighbourhood search (:mod:`solver.model.lns`). :func:`search` only solves: it
returns the decisions, status, bound and log (:class:`~solver.assemble.Solved`);
:func:`solve` hands them to :func:`solver.assemble.assemble`, which derives the
plan's rows, totals and ledgers exactly in floats with the evaluator's
derivation. The reported bound is CP-SAT's bound converted back to £ minus the
largest rounding error the integer scaling can introduce, so it stays a valid
lower bound.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Any

from estate.model import Estate
from estate.plan import Decision, Status
from estate.violation import Violation
from solver.assemble import Solved, assemble
from solver.epsilon import Epsilon
from solver.evaluate import evaluate
from solver.greedy import greedy_decisions
from solver.model.bound_first import light_for, light_model, pooled_first
from solver.model.build import Builder, Choice
from solver.model.cap import Cap
from solver.model.constraints import add_carbon_cap
from solver.model.costs import (
    Objective,
    Weights,
    build_objective,
    dot,
    pruned_domains,
    trivial_bound,
)
from solver.model.emptying import emptiable, empty_whole, worth_emptying
from solver.model.explain import conflict_records, find_conflicts
from solver.model.extract import (
    choice_from_decisions,
    decisions,
    derive,
    totals,
)
from solver.model.heuristic import Pairs, first_plan
from solver.model.params import SolveParams
from solver.model.prep import Prep
from solver.model.search import Outcome, Progress, run_search, tune
from solver.model.variables import allowed_pairs
from solver.result import Result

__all__ = ["OBJECTIVES", "Epsilon", "Progress", "SolveParams", "Solved",
           "effective_carbon_price", "search", "solve", "tune"]

OBJECTIVES = ("balanced", "cost", "carbon")
SCALE = 100.0  # objective in pence
CARBON_SCALE = 1000.0  # carbon phase in grams
FEWEST_TONNES_SHARE = 0.15  # of the search time, for Epsilon.fewest_tonnes
KG_WEIGHTS: Weights = (0.0, 0.0, 1.0, 0.0)  # undiscounted kgCO2e


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


@dataclass
class _Run:
    """One solve in progress: inputs, the model, the clock and the log."""

    est: Estate
    original: Estate
    prep: Prep
    w: Weights
    t0: float
    deadline: float  # end of the search (the reserve is kept after it)
    limit: float  # t0 + time_limit
    workers: int
    seed: int
    params: SolveParams
    log: list[str]
    eps: Epsilon = Epsilon()
    greedy: list[Decision] | None = None
    caps: tuple[Cap, ...] = ()  # limits every plan keeps (the carbon cap)
    b: Builder | None = None  # the full model
    kg_err: float = 0.0  # rounding of the full model's carbon objective (kg)

    def at(self) -> str:
        return f"{time.monotonic() - self.t0:.1f}s"


def solve(estate: Estate, *, time_limit: float = 60.0, workers: int | None = None,
          seed: int = 0, objective: str = "balanced", carbon_price: float | None = None,
          progress: Progress | None = None, hint: bool = True,
          time_indexed: bool | None = None, epsilon: Epsilon | None = None,
          params: SolveParams | None = None) -> Result:
    """Plan a resolved estate: :func:`search`, then the plan assembled from its
    decisions by :func:`solver.assemble.assemble` (the one derivation).

    Parameters
    ----------
    estate
        A resolved estate (``estate.resolve.resolve``).
    time_limit
        Seconds for the whole solve (explaining an infeasible estate included);
        it is overrun by at most about a second.
    workers
        Threads (default: ``os.cpu_count()``). With one, the plan depends only
        on the inputs, ``seed`` and ``time_limit`` (see :class:`SolveParams`).
    seed
        Random seed of CP-SAT and the neighbourhood search.
    objective
        ``balanced`` (the spec's objective), ``cost`` (carbon price 0) or
        ``carbon`` (least tonnes CO2e, then the balanced objective among them).
    carbon_price
        £/tCO2e overriding the estate's.
    progress
        Called with ``(elapsed s, best objective £, bound £, gap)`` on each
        improving plan (from any thread).
    hint
        Start from the best constructive plan (greedy or list-scheduled) and
        improve it by neighbourhood search; without, CP-SAT alone.
    time_indexed
        Add the time-indexed capacity rows to the full model (stronger bound,
        larger model); default: see :class:`SolveParams`.
    epsilon
        A carbon cap, a tie-break to fewer tonnes and a hint within the cap
        (one solve of the cost–carbon front, :class:`solver.epsilon.Epsilon`).
    params
        Search parameters (:class:`SolveParams`; defaults documented there).

    Returns
    -------
    Result
        ``optimal`` / ``feasible`` with a plan, ``infeasible`` with conflicts,
        or ``unknown`` when no plan was found in time.
    """
    return assemble(search(estate, time_limit=time_limit, workers=workers, seed=seed,
                           objective=objective, carbon_price=carbon_price,
                           progress=progress, hint=hint, time_indexed=time_indexed,
                           epsilon=epsilon, params=params))


def search(estate: Estate, *, time_limit: float = 60.0, workers: int | None = None,
           seed: int = 0, objective: str = "balanced", carbon_price: float | None = None,
           progress: Progress | None = None, hint: bool = True,
           time_indexed: bool | None = None, epsilon: Epsilon | None = None,
           params: SolveParams | None = None) -> Solved:
    """Only solve: the decisions, status, bound, conflicts and log of a resolved
    estate (the parameters are :func:`solve`'s), no plan rows or totals."""
    run = _start(estate, time_limit, workers, seed, objective, carbon_price,
                 params or SolveParams(), epsilon or Epsilon())
    empty = run.params.empty_whole_share > 0 and (
        run.params.empty_whole_light or not light_for(run.prep, time_indexed, run.params))
    start, partial = _first_plan(run, objective, empty) if hint else (None, {})
    build = run.params.build_per_app * len(run.prep.apps)
    if start is not None and time.monotonic() + build >= run.deadline and objective != "carbon":
        return _no_time(run, start)
    b = _model(run, start, objective, time_indexed)
    if b.trivially_infeasible:
        return _infeasible(run)
    if start is None and partial:
        run.log.append(f"hint: {b.hint(partial)} of {len(run.prep.apps)} applications")
    run.log.append(f"search starts at {run.at()}")
    out, proven = _search(run, objective, start, progress)
    if out.status == "infeasible":
        return _infeasible(run)
    if out.plan is None:
        return _empty(run, "unknown")
    return _result(run, out, proven)


def _start(estate: Estate, time_limit: float, workers: int | None, seed: int, objective: str,
           carbon_price: float | None, params: SolveParams, eps: Epsilon) -> _Run:
    """Tables and the greedy plan; the clock starts here."""
    t0 = time.monotonic()
    cp = effective_carbon_price(estate, objective, carbon_price)
    est = replace(estate, settings=replace(estate.settings, carbon_price=cp))
    prep = Prep(est)
    search_end = t0 + time_limit - params.reserve(time_limit, len(prep.apps))
    run = _Run(est, estate, prep, (0.0, 1.0, 0.0, cp / 1000.0), t0, search_end,
               t0 + time_limit, workers or os.cpu_count() or 1, seed, params, [], eps)
    if eps.cap_tonnes is not None:
        run.caps = (Cap(KG_WEIGHTS, CARBON_SCALE, eps.cap_tonnes * 1000.0),)
    run.greedy = greedy_decisions(est)
    run.log.append(f"greedy done at {run.at()}")
    return run


def _first_plan(run: _Run, objective: str, empty: bool = True
                ) -> tuple[Choice | None, Choice]:
    """The best complete plan (by the first phase's objective) of the greedy, the
    list scheduler and ``epsilon.hint`` that the evaluator finds keeps every
    rule and every cap (None when there is none), improved by emptying whole
    sites and clusters when that is cheaper (:func:`_emptied`; ``empty``:
    tried at all, ``SolveParams.empty_whole_share`` and
    ``empty_whole_light``), and the list scheduler's last, maybe partial,
    plan."""
    prep = run.prep
    w = KG_WEIGHTS if objective == "carbon" else run.w
    offers: list[tuple[str, Choice]] = []
    if run.eps.hint:
        offers.append(("given plan", choice_from_decisions(prep, list(run.eps.hint))))
    if run.greedy is not None:
        offers.append(("greedy plan", choice_from_decisions(prep, list(run.greedy))))
    pairs = Pairs(prep)
    mine: Choice = {}
    for aware, ratio in ((True, False), (True, True), (False, False)):
        if mine and time.monotonic() >= run.deadline:
            break  # no time for another variant
        mine = first_plan(pairs, w, group_aware=aware, ratio=ratio)
        how = ", ".join(x for x, on in (("group costs", aware), ("Smith ratio", ratio)) if on)
        offers.append((f"list-scheduled plan ({how or 'plain'})", mine))
    cands = []
    for name, choice in offers:
        value = _value(run, w, choice)
        if value is not None:
            cands.append((value, name, choice))
    bases: list[tuple[float, str, Choice]] = []
    groups = worth_emptying(pairs, emptiable(prep)) if empty else []
    one = not groups
    for value, name, choice in sorted(cands, key=lambda c: c[0]):
        if bases and ("group costs" not in name or choice == bases[0][2]):
            continue  # after the best: the best group-aware list-scheduled plan too
        if name == "greedy plan" or _keeps_rules(run, choice):
            if not bases:
                run.log.append(f"hint: {name}, objective {value:,.0f} at {run.at()}")
            bases.append((value, name, choice))
            if one or "group costs" in name:
                break
    if bases:
        return _emptied(run, pairs, w, bases, groups), mine
    within = " within the carbon cap" if run.caps else ""
    run.log.append(f"hint: no complete plan{within}")
    return None, mine


def _emptied(run: _Run, pairs: Pairs, w: Weights, bases: list[tuple[float, str, Choice]],
             groups: list[tuple[str, frozenset[str], float]]) -> Choice:
    """The best plan that empties whole sites and clusters on top of one of
    ``bases`` (the first plan and the best group-aware list-scheduled plan:
    the cheapest base does not always lead to the cheapest emptied plan), when
    cheaper than the first plan by the same exact objective, within every cap
    and passing the evaluator (:func:`solver.model.emptying.empty_whole`);
    else the first plan."""
    best_v, _, best = bases[0]
    if not groups:
        return best
    now = time.monotonic()
    limit = now + run.params.empty_whole_share * max(run.deadline - now, 0.0)
    for value, name, start in bases:
        got, done = empty_whole(pairs, w, start, lambda c: _value(run, w, c),
                                lambda c: _keeps_rules(run, c), limit, groups)
        run.log.append(f"{done.line(value)} (from the {name}), at {run.at()}")
        if done.emptied and done.emptied[-1][1] < best_v:
            best_v, best = done.emptied[-1][1], got
    return best


def _value(run: _Run, w: Weights, choice: Choice) -> float | None:
    """The exact objective (weights ``w``) of a complete plan within every cap,
    else None (incomplete, or over a cap)."""
    if len(choice) != len(run.prep.apps):
        return None
    vec = derive(run.prep, choice).vec
    return dot(w, vec) if all(cap.keeps(vec) for cap in run.caps) else None


def _keeps_rules(run: _Run, choice: Choice) -> bool:
    """Whether the evaluator finds that a complete plan keeps every rule."""
    return not evaluate(run.est, decisions(run.prep, choice)).violations


def _no_time(run: _Run, start: Choice) -> Solved:
    """The first plan, when the time limit leaves no time to build the model
    (a large estate, a short limit); the bound is the trivial one."""
    run.log.append(f"no time left for the model at {run.at()}: the first plan is returned")
    value = dot(run.w, derive(run.prep, start).vec)
    return _result(run, Outcome("feasible", start, value, trivial_bound(run.prep, run.w)), False)


def _model(run: _Run, start: Choice | None, objective: str, time_indexed: bool | None
           ) -> Builder:
    """The full model, its pairs pruned by the first plan's objective
    (:func:`~solver.model.costs.pruned_domains`; not for ``carbon``, whose first
    phase has another objective). Time-indexed rows unless the estate is large
    or the months left after pruning are many (a long schedule: the lighter
    model searches faster)."""
    prep, params = run.prep, run.params
    domains = None
    months = prep.H
    if start is not None and objective != "carbon":
        upper = dot(run.w, derive(prep, start).vec)
        domains = pruned_domains(prep, run.w, upper)
        kept = sum(len(d) for d in domains.values())
        total = sum(len(allowed_pairs(prep, ap)) for ap in prep.apps)
        months = max((L for d in domains.values() for _, L in d if L < prep.H), default=0)
        run.log.append(f"pruned by the first plan's objective: {kept:,} of {total:,} "
                       f"(option, month) pairs kept, moves live by month {months}")
    time_indexed = not light_model(prep, time_indexed, params, months)
    links = params.links_for(len(prep.apps))
    run.b = Builder(prep, time_indexed=time_indexed, domains=domains,
                    core=params.scheduling_core, member_links=links,
                    tight_pools=params.tight_pools, time_cuts=params.time_cuts,
                    team_cuts=params.team_cuts, closure_cuts=params.closure_cuts,
                    unary_hosts=params.unary_for(
                        run.workers, pooled_first(prep, time_indexed, run.workers, params)))
    run.log.append(f"model built at {run.at()} ({'time-indexed' if time_indexed else 'light'})")
    return run.b


def _search(run: _Run, objective: str, start: Choice | None,
            progress: Progress | None) -> tuple[Outcome, bool]:
    """The carbon phase (``carbon`` objective), the main objective, and the
    fewest-tonnes phase (``epsilon.fewest_tonnes``). Returns the main
    phase's outcome (its plan replaced by the last phase's) and whether every
    phase was proven optimal."""
    b = run.b
    assert b is not None
    need_kg = objective == "carbon" or run.caps or run.eps.fewest_tonnes
    kg = build_objective(b, KG_WEIGHTS, CARBON_SCALE) if need_kg else None
    for cap in run.caps:
        assert kg is not None
        run.kg_err = kg.err
        add_carbon_cap(b, kg, cap.limit)
        run.log.append(f"carbon cap: {cap.limit / 1000:,.3f} t (rounding allowance "
                       f"{2 * kg.err:,.3f} kg)")
    proven = True
    search_end = run.deadline
    if run.eps.fewest_tonnes:
        search_end -= FEWEST_TONNES_SHARE * (run.deadline - time.monotonic())
    if objective == "carbon" and kg is not None:
        end = time.monotonic() + run.params.carbon_phase_share * (search_end - time.monotonic())
        first = _phase(run, kg, KG_WEIGHTS, start, end, None)
        if first.plan is not None and first.value is not None:
            proven = first.status == "optimal"
            start = first.plan
            _hold(run, Cap(KG_WEIGHTS, CARBON_SCALE, first.value))
            run.log.append(f"carbon phase: {first.value / 1000:.3f} t ({first.status})")
    obj = build_objective(b, run.w, SCALE)
    out = _phase(run, obj, run.w, start, search_end, progress)
    proven = proven and out.status == "optimal"
    if kg is not None and run.eps.fewest_tonnes and out.plan is not None and out.value is not None:
        _hold(run, Cap(run.w, SCALE, out.value))
        last = _phase(run, kg, KG_WEIGHTS, out.plan, run.deadline, None)
        run.log.append(f"fewest-tonnes phase: {(last.value or 0.0) / 1000:.3f} t "
                       f"({last.status})")
        proven = proven and last.status == "optimal"
        out = Outcome(out.status, last.plan, out.value, out.bound, out.log)
    return out, proven


def _phase(run: _Run, obj: Objective, w: Weights, start: Choice | None, end: float,
           progress: Progress | None) -> Outcome:
    """One objective over the full model and the neighbourhood search."""
    assert run.b is not None
    out = run_search(run.b, obj, w, start, workers=run.workers, seed=run.seed, deadline=end,
                     params=run.params, t0=run.t0, progress=progress, caps=run.caps)
    run.log.extend(out.log)
    return out


def _hold(run: _Run, cap: Cap) -> None:
    """Keep ``cap`` in the full model and every later neighbourhood."""
    assert run.b is not None
    cap.add(run.b)
    run.caps = (*run.caps, cap)


def _result(run: _Run, out: Outcome, proven: bool) -> Solved:
    """The chosen decisions, status and bound (:func:`solver.assemble.assemble`
    derives the rest)."""
    assert out.plan is not None
    status: Status = "optimal" if proven else "feasible"
    exact = totals(derive(run.prep, out.plan).vec, run.est.settings.carbon_price or 0.0)
    return Solved(run.est, status, tuple(decisions(run.prep, out.plan)), out.bound, run.t0,
                  None if run.greedy is None else tuple(run.greedy), _assumptions(run),
                  log=tuple(run.log), objective=exact.objective)


def _assumptions(run: _Run) -> dict[str, Any]:
    """The estate's assumptions, with the carbon cap and its rounding allowance
    (``objective.co2e_cap_tonnes``, ``objective.co2e_cap_rounding_tonnes``)."""
    out = dict(run.original.assumptions)
    if run.eps.cap_tonnes is not None:
        out["objective"] = {"co2e_cap_tonnes": run.eps.cap_tonnes,
                            "co2e_cap_rounding_tonnes": 2.0 * run.kg_err / 1000.0}
    return out


def _empty(run: _Run, status: Status, conflicts: tuple[Violation, ...] = ()) -> Solved:
    return Solved(run.est, status, None, None, run.t0, None, dict(run.original.assumptions),
                  conflicts, tuple(run.log))


def _infeasible(run: _Run) -> Solved:
    """Name the clashing rules within what is left of the time limit."""
    left = run.limit - time.monotonic()
    seconds = min(max(left - 0.5, 0.5), run.params.explain_max_seconds)
    rules = find_conflicts(run.prep, seconds=seconds, seed=run.seed)
    found = conflict_records(run.prep, rules)
    if not found and run.eps.cap_tonnes is not None:
        found = (Violation("carbon_cap", (), None,
                           f"no plan that keeps every rule emits at most "
                           f"{run.eps.cap_tonnes:,.3f} tCO2e (the carbon cap)"),)
    if not found:
        forced = tuple(a.app_id for a in run.prep.apps if not a.has_retain)
        found = (Violation("horizon", forced, None,
                           f"the {run.prep.H}-month horizon from {run.prep.start} is too "
                           "short for the applications that must move"),)
    return _empty(run, "infeasible", found)
