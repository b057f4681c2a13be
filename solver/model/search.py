"""Running the search: CP-SAT on the full model, beside our neighbourhood
search on large estates.

* Below ``SolveParams.lns_min_apps`` applications, CP-SAT alone (with two or
  three workers its ``max_lp`` worker beside its own neighbourhoods); with
  one worker on a pooled estate the bound-first schedule below all the same
  (``SolveParams.single_worker_lean_small``).
* Otherwise, with two or more workers, the neighbourhood search
  (:mod:`solver.model.lns`) runs in its own thread on one core while CP-SAT
  solves the full model with the other workers; with one worker, the
  neighbourhood search first (``single_worker_lns_share`` of the budget), then
  CP-SAT from its best plan. The full model proves the bound; the best plan
  of either is kept.
* With one worker every stop is deterministic (a budget of deterministic
  seconds; the wall clock only guards the time limit), so a seed gives the
  same plan every time.

A :class:`Tracker` holds the best plan and bound of both and reports progress.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from solver.model import lns
from solver.model.blocks import Block
from solver.model.bound_first import (
    alone_for,
    blocks_first,
    close_every,
    lean_for,
    lean_lp,
    lns_empty_first,
    lns_for,
    lns_held,
    lns_links,
    lp_bound_first,
    pooled_share,
    rest_every,
    shift_every,
    twin,
    use_blocks,
)
from solver.model.build import Builder, Choice
from solver.model.cap import Cap
from solver.model.costs import Objective, Weights
from solver.model.heuristic import retain_idle_moves
from solver.model.memory import rss_mb
from solver.model.params import SolveParams
from solver.model.tracker import Progress, SolutionCallback, Tracker


@dataclass
class Outcome:
    """What a search found: ``status`` is ``optimal``, ``feasible``,
    ``infeasible`` or ``unknown``; ``bound`` is a valid lower bound (£)."""

    status: str
    plan: Choice | None
    value: float | None
    bound: float
    log: list[str] = field(default_factory=list)


#: CP-SAT subsolvers left out when its LP worker runs alone (``lean``): with
#: ``use_lns`` off these are the rest of its portfolio beside the full-problem
#: worker and the first-solution helper.
LEAN_IGNORE = ("fj", "ls", "feasibility_pump", "rins/rens")


def tune(p: Any, workers: int, large: bool, params: SolveParams, light: bool = False,
         lean: bool = False) -> None:
    """CP-SAT parameters of the full-model search (measured, see docs/solver.md).

    Probing in presolve is off (it cost a fifth of the time limit for little).
    With one to three workers the full-problem worker is ``max_lp``
    (linearization level 2: clauses, implications and the cumulative
    relaxations enter the LP; it lifts the bound and its LP-guided dives find
    good plans); on large estates and in the light model (unless
    ``params.light_lp_worker``) CP-SAT's default. The light model leaves out
    ``params.light_ignore_subsolvers``. ``lean`` (two workers beside the
    neighbourhood search on a pooled estate, ``params.pooled_lp_share``): the
    ``max_lp`` worker alone, with a first-solution helper that completes the
    hint and stops; no interleaved subsolvers. ``params.cp_sat`` last.
    """
    p.cp_model_probing_level = 0
    if light:
        p.ignore_subsolvers.extend(params.light_ignore_subsolvers)
    lp_worker = not large and (not light or params.light_lp_worker)
    if lp_worker:
        if workers == 1:
            p.linearization_level = 2
        elif workers <= 3:
            p.subsolvers.append(params.lp_worker)
            if workers == 3:
                p.subsolvers.append("core")
        if lean and workers == 2:
            p.use_lns = False
            p.ignore_subsolvers.extend(LEAN_IGNORE)
    for name, value in params.cp_sat:
        if isinstance(value, (list, tuple)):  # a repeated field, e.g. ignore_subsolvers
            getattr(p, name).extend(value)
        else:
            setattr(p, name, value)


def full_solve(b: Builder, tracker: Tracker, *, workers: int, seed: int, seconds: float,
               dtime: float, params: SolveParams, log: list[str], lean: bool = False,
               s: cp_model.CpSolver | None = None, plans: bool = False
               ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """CP-SAT on the full model (its objective already set), guarded by the
    memory watchdog (``lean``: see :func:`tune`; ``s``: the solver to use, so
    that another thread can stop it; ``plans``: each better plan goes to the
    tracker as it is found, not only its value)."""
    s = cp_model.CpSolver() if s is None else s
    p = s.parameters
    p.max_time_in_seconds = max(seconds, 0.05)
    if math.isfinite(dtime):
        p.max_deterministic_time = max(dtime, 0.01)
    p.num_workers = workers
    p.random_seed = seed
    tune(p, workers, len(b.prep.apps) > params.large_apps, params, not b.time_indexed, lean)
    s.best_bound_callback = lambda v: tracker.offer_bound(tracker.obj.to_units(v)
                                                          - tracker.obj.err)
    cap = params.memory_cap()
    done = threading.Event()
    fired: list[float] = []
    watch = threading.Thread(target=_watch_memory, args=(s, cap, done, fired), daemon=True)
    if cap is not None:
        watch.start()
    try:
        status = s.solve(b.m, SolutionCallback(tracker, plans))
    finally:
        done.set()
        if cap is not None:
            watch.join()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # CP-SAT calls no bound callback when it proves optimality: the proof's
        # bound is shown here, as the search ends, not after the outcome.
        tracker.offer_bound(tracker.obj.to_units(s.best_objective_bound) - tracker.obj.err)
    if fired:
        log.append(f"memory watchdog: full-model search stopped at {fired[0]:,.0f} MB "
                   f"(cap {cap:,.0f} MB)")
    log.append(f"full model: {s.status_name(status)} in {s.wall_time:.1f}s "
               f"({s.deterministic_time:.1f} deterministic s), {len(b.m.proto.variables)} "
               f"variables, {len(b.m.proto.constraints)} constraints, "
               + ("its LP worker alone" if lean and workers == 2 else f"{workers} worker(s)"))
    return status, s


def _watch_memory(s: cp_model.CpSolver, cap: float, done: threading.Event,
                  fired: list[float]) -> None:
    """Stop the search (CP-SAT keeps its best plan) when the process grows beyond ``cap`` MB."""
    while not done.wait(0.5):
        rss = rss_mb()
        if rss is None:
            return
        if rss > cap:
            fired.append(rss)
            s.stop_search()
            return


def run_search(b: Builder, obj: Objective, w: Weights, start: Choice | None, *,
               workers: int, seed: int, deadline: float, params: SolveParams, t0: float,
               progress: Progress | None = None, caps: tuple[Cap, ...] = ()) -> Outcome:
    """Minimise ``obj`` over the full model ``b`` from the plan ``start``."""
    tracker = Tracker(b, obj, w, t0, progress)
    log: list[str] = []
    b.m.minimize(obj.expr)
    b.m.clear_hints()
    if start is not None and len(start) == len(b.prep.apps):
        tracker.offer_plan(start, tracker.exact(start))
    use_lns = tracker.plan is not None and lns_for(b.prep, b.time_indexed, workers, params)
    if (params.lns and not use_lns and workers > 1 and tracker.plan is not None
            and len(b.prep.apps) >= params.lns_min_apps):
        log.append(f"neighbourhood search left out: {pooled_share(b):.0%} of the "
                   "applications run in clusters (every worker on the full model)")
    if workers == 1:
        status, s = _sequential(b, obj, tracker, use_lns, seed, deadline, params, caps, log)
    elif not use_lns and twin(b, workers, params):
        status, s = _twin(b, obj, tracker, seed, deadline, params, caps, log)
    else:
        status, s = _parallel(b, obj, tracker, use_lns, workers, seed, deadline, params, caps,
                              log)
    return _outcome(b, tracker, status, s, log)


def _lns(b: Builder, obj: Objective, tracker: Tracker, budget: lns.Budget, seed: int,
         params: SolveParams, caps: tuple[Cap, ...], log: list[str], *,
         rebase: bool = False, prefix: str = "") -> None:
    """The neighbourhood search from the tracker's plan (``rebase``: it
    continues from any better plan another search offers the tracker)."""
    assert tracker.plan is not None
    _, stats = lns.search(
        b.prep, tracker.plan, tracker.w, obj.scale, budget, seed=seed, caps=caps,
        step_dtime=params.lns_step_dtime, size=params.lns_size,
        min_size=params.lns_min_size, max_size=params.lns_max_size,
        kinds=params.lns_kinds, on_improve=tracker.offer_plan, held=lns_held(b, params),
        presolve=params.lns_presolve, pool_step_dtime=params.lns_pool_step_dtime,
        rebase=tracker.best if rebase else None,
        lp=tracker.lp_retained if params.lns_lp_guided else None,
        lp_step_dtime=params.lns_lp_step_dtime, lp_ratio=params.lns_lp_ratio,
        shift_every=shift_every(b.prep, params), shift_months=params.lns_shift_months,
        shift_step_dtime=params.lns_shift_step_dtime, shift_modes=params.lns_shift_modes,
        shift_links=lns_links(b, params),
        empty_first=params.lns_lp_guided and lns_empty_first(b, params),
        close_every=close_every(b.prep, params), close_step_dtime=params.lns_close_step_dtime,
        close_max_apps=params.lns_close_max_apps, rest_every=rest_every(b, params),
        rest_step_dtime=params.lns_rest_step_dtime, rest_late=params.lns_rest_late)
    log.append(prefix + stats.line()
               + (" (stopped by the wall clock)" if budget.wall_stopped else ""))


def _sequential(b: Builder, obj: Objective, tracker: Tracker, use_lns: bool, seed: int,
                deadline: float, params: SolveParams, caps: tuple[Cap, ...], log: list[str]
                ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """One worker: the full model's LP bound first (a time-indexed model,
    ``params.lp_bound_everywhere``: the live line shows a real bound from the
    start), then the neighbourhood search, then the full model from its best
    plan (deterministic budget, computed before the LP; wall-clock guard). On a pooled estate
    (``params.single_worker_lean`` and :func:`lean_lp`) the other way round:
    the full model's LP worker first, so the live line shows the bound the
    final report uses from the middle of the run, then the neighbourhood
    search."""
    total = params.dtime_per_second * max(deadline - time.monotonic(), 0.0)
    if params.dtime_limit is not None:
        total = params.dtime_limit
    if use_lns and params.single_worker_lean and lean_lp(b, params):
        return _bound_first(b, obj, tracker, seed, deadline, total, params, caps, log)
    used = 0.0
    lp_bound_first(b, obj, tracker, 1, deadline, params, log, lean=False)
    blocks = use_blocks(b, params, tracker)
    if blocks:  # the blocks first, in the full model's share
        part = params.block_share * (1.0 - params.single_worker_lns_share if use_lns else 1.0)
        used = blocks_first(b, obj, tracker, blocks, seed, part * (deadline - time.monotonic()),
                             part * total, params, log)
    if use_lns:
        budget = lns.Budget(total * params.single_worker_lns_share, deadline)
        _lns(b, obj, tracker, budget, seed, params, caps, log)
        used += budget.used
    if tracker.plan is not None:
        b.hint(tracker.plan)
    left = total - used
    status, s = full_solve(b, tracker, workers=1, seed=seed,
                           seconds=deadline - time.monotonic(), dtime=left, params=params,
                           log=log)
    if (status == cp_model.FEASIBLE or status == cp_model.UNKNOWN) and (
            s.deterministic_time < 0.99 * left and time.monotonic() >= deadline - 0.05):
        _busy(log)
    return status, s


def _busy(log: list[str]) -> None:
    log.append("the wall clock ended the search before its deterministic budget "
               "(a busy machine): another run may give another plan")


def _bound_first(b: Builder, obj: Objective, tracker: Tracker, seed: int, deadline: float,
                 total: float, params: SolveParams, caps: tuple[Cap, ...], log: list[str]
                 ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """One worker on a pooled estate: CP-SAT's LP worker alone on the full
    model (``1 - single_worker_lns_share`` of the budget and of the wall
    time), then the neighbourhood search from the best plan with the rest."""
    share = 1.0 - params.single_worker_lns_share
    used = 0.0
    lp_bound_first(b, obj, tracker, 1, deadline, params, log, lean=True)
    blocks = use_blocks(b, params, tracker)
    if blocks:
        used = blocks_first(b, obj, tracker, blocks, seed,
                             params.block_share * share * (deadline - time.monotonic()),
                             params.block_share * share * total, params, log)
    if tracker.plan is not None:
        b.hint(tracker.plan)
    status, s = full_solve(b, tracker, workers=2, seed=seed,
                           seconds=share * (deadline - time.monotonic()),
                           dtime=0.0 if blocks and params.block_share >= 1
                           else max(share * total - used, 0.0), params=params, log=log,
                           lean=True)
    used += s.deterministic_time
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return status, s
    if status == cp_model.FEASIBLE:
        mine = b.choice_of(s)
        tracker.offer_plan(mine, tracker.exact(mine), ties=True)
    if tracker.plan is not None:
        budget = lns.Budget(max(total - used, 0.0), deadline)
        _lns(b, obj, tracker, budget, seed, params, caps, log)
        if budget.wall_stopped:
            _busy(log)
    return status, s


def _twin(b: Builder, obj: Objective, tracker: Tracker, seed: int, deadline: float,
          params: SolveParams, caps: tuple[Cap, ...], log: list[str]
          ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """Two workers, CP-SAT alone on a time-indexed estate without pools
    (:func:`~solver.model.bound_first.twin`): the one-worker search on one
    thread (CP-SAT's single-thread search at linearization level 2 from the
    first plan, the same seed) and, on the other, ``params.twin_side``: a
    one-thread CP-SAT solve of a copy of the model from the same hint with
    the next seed (``seed``; the LP bound first in the full model's thread), or
    (``ours``) the LP bound and then the neighbourhood search, which
    continues from each better plan of the full model. Each
    offers its plans and bounds to the tracker; whichever proves optimality
    stops the other. So two workers find at least what one finds once its
    search has had the one-worker budget: CP-SAT's own two-worker portfolio
    (its ``max_lp`` worker beside its neighbourhoods) found no plan with that
    worker on the demo, where the single-thread search finds its best
    (docs/solver.md, *Two workers on the demo*).
    """
    cap_dt = math.inf if params.dtime_limit is None else params.dtime_limit
    if tracker.plan is not None:
        b.hint(tracker.plan)
    ours = params.twin_side == "ours"
    main, side = cp_model.CpSolver(), cp_model.CpSolver()
    budget = lns.Budget(cap_dt, deadline)
    got: list[cp_model.CpSolverStatus] = []
    failed: list[BaseException] = []
    side_log: list[str] = []
    if ours:
        def work() -> None:
            try:
                # the LP bound here, so the full model starts at once
                lp_bound_first(b, obj, tracker, 1, deadline, params, side_log, lean=False,
                               beside=True)
                _lns(b, obj, tracker, budget, seed + 1, params, caps, side_log,
                     rebase=True, prefix="beside it (ours): ")
            except BaseException as exc:  # re-raised in the caller's thread below
                failed.append(exc)
    else:
        copy = b.m.clone()
        p = side.parameters
        p.num_workers, p.random_seed, p.cp_model_probing_level = 1, seed + 1, 0
        p.linearization_level = 2
        p.max_time_in_seconds = max(deadline - time.monotonic(), 0.05)
        if math.isfinite(cap_dt):
            p.max_deterministic_time = max(cap_dt, 0.01)
        side.best_bound_callback = lambda v: tracker.offer_bound(tracker.obj.to_units(v)
                                                                 - tracker.obj.err)

        def work() -> None:
            try:
                got.append(side.solve(copy, SolutionCallback(tracker)))
                if got[0] in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                    main.stop_search()
                side_log.append(f"beside it ({params.twin_side}): {side.status_name(got[0])} "
                                f"in {side.wall_time:.1f}s ({side.deterministic_time:.1f} "
                                "deterministic s)")
            except BaseException as exc:
                failed.append(exc)

    thread = None
    if tracker.plan is not None:
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
    if thread is None or not ours:
        lp_bound_first(b, obj, tracker, 1, deadline, params, log, lean=False)
    status, s = full_solve(b, tracker, workers=1, seed=seed,
                           seconds=deadline - time.monotonic(), dtime=cap_dt, params=params,
                           log=log, s=main, plans=ours)
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        side.stop_search()
        budget.halt()
    if thread is not None:
        thread.join()
    if failed:
        raise failed[0]
    log.extend(side_log)
    other = got[0] if got else cp_model.UNKNOWN
    if other in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        mine = b.choice_of(side)
        tracker.offer_plan(mine, tracker.exact(mine))
        if other == cp_model.OPTIMAL and status != cp_model.OPTIMAL:
            tracker.offer_bound(tracker.obj.to_units(side.best_objective_bound)
                                - tracker.obj.err)
            return other, side
    return status, s


def _parallel(b: Builder, obj: Objective, tracker: Tracker, use_lns: bool, workers: int,
              seed: int, deadline: float, params: SolveParams, caps: tuple[Cap, ...],
              log: list[str]) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
    """Two or more workers: the neighbourhood search on one core, CP-SAT on
    the full model with the others (with two on a pooled estate, its LP
    worker alone: :func:`lean_lp`); stops both when the full model is
    solved."""
    cap_dt = math.inf if params.dtime_limit is None else params.dtime_limit
    budget = lns.Budget(cap_dt, deadline)
    lns_log: list[str] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            _lns(b, obj, tracker, budget, seed + 1, params, caps, lns_log,
                 rebase=params.lean_lns_share > 0)
        except BaseException as exc:  # re-raised in the caller's thread below
            failed.append(exc)

    thread = None
    if use_lns:
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
    lean = use_lns and lean_for(b.prep, b.time_indexed, workers, params)
    side = None
    halt = threading.Event()
    blocks = use_blocks(b, params, tracker)
    if not use_lns and blocks:
        # CP-SAT alone: the blocks on one of its workers for block_share of the time
        side_log: list[str] = []
        end = time.monotonic() + params.block_share * (deadline - time.monotonic())

        def side_bound(parts: list[Block] = blocks) -> None:
            try:
                blocks_first(b, obj, tracker, parts, seed, end - time.monotonic(),
                              params.block_share * cap_dt, params, side_log, halt)
            except BaseException as exc:
                failed.append(exc)

        side = threading.Thread(target=side_bound, daemon=True)
        side.start()
        workers = max(workers - 1, 1)
    alone = alone_for(b.prep, b.time_indexed, workers, params)
    if lean or alone or not b.time_indexed:  # in CP-SAT's slot, first
        lp_bound_first(b, obj, tracker, workers, deadline, params, log, lean=lean or alone)
    if use_lns and blocks:  # in CP-SAT's slot, first
        used = blocks_first(b, obj, tracker, blocks, seed,
                             params.block_share * (deadline - time.monotonic()),
                             params.block_share * cap_dt, params, log)
        cap_dt = max(cap_dt - used, 0.01)
    if lean and use_lns and params.lean_lns_share > 0 and tracker.plan is not None:
        # a second neighbourhood search in CP-SAT's slot, from the best plan of either
        end = time.monotonic() + params.lean_lns_share * max(deadline - time.monotonic(), 0.0)
        _lns(b, obj, tracker, lns.Budget(cap_dt, end), seed + 2, params, caps, log,
             rebase=True, prefix="in CP-SAT's slot: ")
    if tracker.plan is not None:
        b.hint(tracker.plan)
    status, s = full_solve(b, tracker, workers=2 if lean else workers - 1 if use_lns else workers,
                           seed=seed, seconds=deadline - time.monotonic(),
                           dtime=cap_dt, params=params, log=log, lean=lean)
    if thread is not None:
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            budget.halt()
        thread.join()
    if side is not None:
        halt.set()  # a block being solved ends within its own share of the time
        side.join()
        log.extend(side_log)
    if failed:
        raise failed[0]
    log.extend(lns_log)
    return status, s


def _outcome(b: Builder, tracker: Tracker, status: cp_model.CpSolverStatus, s: cp_model.CpSolver,
             log: list[str]) -> Outcome:
    """The best plan of both searches, the bound (every bound was offered to
    the tracker during the search, the last by :func:`full_solve`), and the
    status."""
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError("internal error: CP-SAT model invalid: " + b.m.validate())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        mine = b.choice_of(s)
        tracker.offer_plan(mine, tracker.exact(mine), ties=True)
    if status == cp_model.INFEASIBLE and tracker.plan is None:
        return Outcome("infeasible", None, None, tracker.bound, log)
    if tracker.plan is None:
        return Outcome("unknown", None, None, tracker.bound, log)
    kind = "optimal" if status == cp_model.OPTIMAL else "feasible"
    plan = retain_idle_moves(b.prep, tracker.w, tracker.plan)
    value = tracker.exact(plan)
    if value < tracker.value:  # on the progress line too: the plan reported is this one
        log.append(f"idle moves retained: £{tracker.value - value:,.0f} cheaper")
        tracker.offer_plan(plan, value)
    return Outcome(kind, plan, min(tracker.value, value), tracker.bound, log)
