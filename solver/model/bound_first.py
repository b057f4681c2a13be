"""What runs first in the search's full-model slot, and the estate tests
that decide the schedule (:mod:`solver.model.search` runs them).

* :func:`pooled_share`, :func:`pooled_light`, :func:`lean_lp`,
  :func:`lns_held`: which schedule and which neighbourhood models an estate
  gets;
* :func:`lp_bound_first`: the one place that says where the LP bound
  (:mod:`solver.model.lp_bound`) runs;
* :func:`use_blocks`, :func:`blocks_first`: the decomposition bound
  (:mod:`solver.model.blocks`, off by default).

Each offers its bound to the search's tracker, so the live line shows it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from solver.model.blocks import Block, block_bound, partition, team_prices
from solver.model.build import Builder
from solver.model.costs import Objective, build_objective
from solver.model.glop import Glop, lp_first, pounds
from solver.model.glop_dual import DualGlop, WarmGlop
from solver.model.highs_lp import HighsLp
from solver.model.lagrange import block_lagrangian
from solver.model.lp_bound import Relaxation, proto_of, relax
from solver.model.params import SolveParams
from solver.model.pool_cuts import lp_with_pool_cuts
from solver.model.prep import Prep

if TYPE_CHECKING:
    import threading

    from solver.model.tracker import Tracker


def pooled_share(b: Builder | Prep) -> float:
    """The share of the applications that run in a cluster (a pool's member)."""
    prep = b.prep if isinstance(b, Builder) else b
    if not prep.apps:
        return 0.0
    pooled: set[str] = set()
    for c in prep.clusters:
        pooled |= c.apps
    return len(pooled) / len(prep.apps)


def pooled(b: Builder | Prep, params: SolveParams) -> bool:
    """Whether the estate is pooled: more than ``params.pooled_lp_share`` of
    its applications in clusters (as an imported RVTools export is)."""
    return pooled_share(b) > params.pooled_lp_share


def pooled_light(b: Builder, params: SolveParams) -> bool:
    """Whether the full model is the light one (no time-indexed rows) on a
    pooled estate (more than ``params.pooled_lp_share`` in clusters)."""
    return not b.time_indexed and pooled(b, params)


def light_model(prep: Prep, time_indexed: bool | None, params: SolveParams,
                months: int | None = None) -> bool:
    """Whether the full model is the light one (no time-indexed rows):
    ``time_indexed`` False, or None (the planner's choice) with more than
    ``params.large_apps`` applications or, once the first plan's pruning has
    said by which month the moves can go live (``months``), more than
    ``params.time_indexed_max_months`` such months. Before the first plan
    (``months`` None) a True answer is sure; a False one may still turn True
    with the months."""
    if time_indexed is not None:
        return not time_indexed
    return len(prep.apps) > params.large_apps or (
        months is not None and months > params.time_indexed_max_months)


def light_for(prep: Prep, time_indexed: bool | None, params: SolveParams) -> bool:
    """Whether the full model will surely be the light one of a pooled estate
    (:func:`pooled_light`), known before the first plan: :func:`light_model`
    without the months, and more than ``params.pooled_lp_share`` of the
    applications in clusters."""
    return light_model(prep, time_indexed, params) and pooled(prep, params)


def lns_held(b: Builder, params: SolveParams) -> bool:
    """Whether the neighbourhoods' models are built over their free
    applications only (``params.lns_held``; None: yes — until session 11 not
    with the light full model of a pooled estate, :func:`pooled_light`,
    where they cost memory, most of it rows the member links no longer
    repeat)."""
    if params.lns_held is None:
        return True
    return params.lns_held


def lns_links(b: Builder, params: SolveParams) -> bool:
    """Whether the ``shift`` steps' models have the pools' member links
    (``params.lns_shift_links``; None: except with the light full model of
    a pooled estate, :func:`pooled_light`, where building them for the whole
    estate took most of each step's time)."""
    if params.lns_shift_links is None:
        return not pooled_light(b, params)
    return params.lns_shift_links


def lns_empty_first(b: Builder, params: SolveParams) -> bool:
    """Whether the LP-guided step empties every pool once before the LP's
    values arrive (``params.lns_empty_first``; None: with the light full
    model of a pooled estate, :func:`pooled_light`, whose LP arrives after
    minutes)."""
    if params.lns_empty_first is None:
        return pooled_light(b, params)
    return params.lns_empty_first


def lean_lp(b: Builder, params: SolveParams) -> bool:
    """Whether CP-SAT's LP worker runs alone beside the neighbourhood search
    (``params.pooled_lp_share``): a pooled estate whose full model has the
    ``max_lp`` worker (time-indexed, at most ``large_apps`` applications)."""
    return _lean(b.prep, b.time_indexed, params)


def _lean(prep: Prep, time_indexed: bool, params: SolveParams) -> bool:
    return (time_indexed and len(prep.apps) <= params.large_apps
            and pooled(prep, params))


def shift_every(prep: Prep, params: SolveParams) -> int:
    """How often the neighbourhood search takes a ``shift`` step
    (:mod:`solver.model.shift`): every ``params.lns_shift_every``-th step on
    a pooled estate (more than ``params.pooled_lp_share`` in clusters), never
    elsewhere (on the demo, no clusters, it cost plan: ``docs/solver.md``)."""
    return params.lns_shift_every if pooled(prep, params) else 0


def close_every(prep: Prep, params: SolveParams) -> int:
    """How often the neighbourhood search takes a ``close`` step
    (:mod:`solver.model.closing`): every ``params.lns_close_every``-th step on
    a pooled estate, as :func:`shift_every`; never elsewhere."""
    return params.lns_close_every if pooled(prep, params) else 0


def rest_every(b: Builder, params: SolveParams) -> int:
    """How often the neighbourhood search takes a ``rest`` step
    (:mod:`solver.model.rest`): every ``params.lns_rest_every``-th step on a
    pooled estate, as :func:`close_every`, but not with its light full model
    (:func:`pooled_light`: 3,000 VMs, where the step's list scheduling runs
    beside GLOP's chord rounds and was not measured apart from the load);
    never elsewhere."""
    return params.lns_rest_every if b.time_indexed and pooled(b, params) else 0


def lns_for(prep: Prep, time_indexed: bool, workers: int, params: SolveParams) -> bool:
    """Whether the neighbourhood search runs (given a complete first plan):
    from ``params.lns_min_apps`` applications, or with one worker on a pooled
    estate at any size (the bound-first schedule, ``single_worker_lean_small``);
    with more workers only while at most ``params.lns_max_pooled_share`` of the
    applications are in clusters."""
    small_lean = (workers == 1 and params.single_worker_lean_small
                  and params.single_worker_lean and _lean(prep, time_indexed, params))
    return (params.lns and (len(prep.apps) >= params.lns_min_apps or small_lean)
            and (workers == 1 or pooled_share(prep) <= params.lns_max_pooled_share))


def lean_for(prep: Prep, time_indexed: bool, workers: int, params: SolveParams) -> bool:
    """Whether two workers search a full model of ``prep`` with CP-SAT's LP
    worker alone beside the neighbourhood search (:func:`lns_for` and
    :func:`lean_lp`; given a complete first plan): known before the model is
    built, so it also chooses ``unary_hosts``."""
    return (workers == 2 and lns_for(prep, time_indexed, workers, params)
            and _lean(prep, time_indexed, params))


def alone_for(prep: Prep, time_indexed: bool, workers: int, params: SolveParams) -> bool:
    """Whether two workers run CP-SAT alone (no neighbourhood search: below
    ``lns_min_apps``, :func:`lns_for`) on a pooled estate whose full model has
    the LP worker, with the LP bound and its sub-pool chords first on one
    thread (``params.lp_bound_alone``): the chords go into CP-SAT's model."""
    return (workers == 2 and params.lp_bound_alone and _lean(prep, time_indexed, params)
            and not lns_for(prep, time_indexed, workers, params))


def pooled_first(prep: Prep, time_indexed: bool, workers: int, params: SolveParams) -> bool:
    """Whether two workers run the LP bound first on this pooled estate
    (:func:`lean_for` or :func:`alone_for`; given a complete first plan): known
    before the model is built, so it also chooses ``unary_hosts``."""
    return (lean_for(prep, time_indexed, workers, params)
            or alone_for(prep, time_indexed, workers, params))


def cut_share(prep: Prep, time_indexed: bool, workers: int, params: SolveParams) -> float:
    """The share of the wall time left that the LP bound with sub-pool chords
    gets: ``params.lp_bound_lean_cut_share`` (when set) beside the
    neighbourhood search (:func:`lean_for`), ``params.lp_bound_cut_share`` on
    any other pooled estate with the LP worker (:func:`_lean`), else
    ``params.lp_bound_share``."""
    if not _lean(prep, time_indexed, params):
        return params.lp_bound_share
    if params.lp_bound_lean_cut_share is not None and lean_for(prep, time_indexed, workers,
                                                               params):
        return params.lp_bound_lean_cut_share
    return params.lp_bound_cut_share


def twin(b: Builder, workers: int, params: SolveParams) -> bool:
    """Whether two workers run the one-worker search on one thread and a
    second search beside it (``params.twin_side``, :func:`solver.model.search._twin`)
    instead of CP-SAT's two-worker portfolio: a time-indexed model of an
    estate with at most ``params.pooled_lp_share`` of its applications in
    clusters, some of which may stay (a ``retain`` pair in the model: not a pure
    schedule such as PSPLIB, where CP-SAT's own scheduling neighbourhoods
    were measured best), searched by CP-SAT alone."""
    return (workers == 2 and bool(params.twin_side) and b.time_indexed
            and not pooled(b, params)
            and any(key == "retain" for xs in b.x.values() for key, _ in xs))


def use_blocks(b: Builder, params: SolveParams, tracker: Tracker) -> list[Block] | None:
    """The blocks when the decomposition bound runs first (``params.block_share``):
    a pooled estate whose full model has the LP worker (time-indexed, at most
    ``large_apps`` applications), a complete first plan and more than one
    block; else None."""
    if not (params.block_share > 0 and tracker.plan is not None
            and pooled(b, params)):
        return None
    blocks = partition(b.prep, params.block_max_apps)
    if len(blocks) > 1 and max(len(bl.apps) for bl in blocks) <= params.large_apps:
        return blocks
    return None


def blocks_first(b: Builder, obj: Objective, tracker: Tracker, blocks: list[Block],
                  seed: int, seconds: float, dtime: float, params: SolveParams,
                  log: list[str], stop: threading.Event | None = None) -> float:
    """The decomposition bound (:mod:`solver.model.blocks`) for ``seconds``
    wall and ``dtime`` deterministic seconds, each rise of the summed bound
    offered to the tracker (so the live line shows it). Returns the
    deterministic seconds used."""
    t = time.monotonic()
    assert tracker.plan is not None
    prices = (team_prices(b.prep, tracker.w, tracker.plan, params.block_prices)
              if params.block_prices > 0 else None)
    got = block_bound(b.prep, tracker.w, obj.scale, blocks, start=tracker.plan,
                      domains=b.domains or None, time_indexed=True,
                      member_links_max_apps=params.member_links_max_apps,
                      tight_pools=b.tight_pools, dtime=dtime, seconds=seconds, seed=seed,
                      on_bound=tracker.offer_bound, prices=prices, stop=stop)
    tracker.offer_bound(got.bound)
    log.extend(got.log)
    log.append(f"block bound done in {time.monotonic() - t:.1f}s")
    return got.dtime


def lp_bound_first(b: Builder, obj: Objective, tracker: Tracker, workers: int, deadline: float,
              params: SolveParams, log: list[str], lean: bool, beside: bool = False) -> None:
    """The LP bound (:mod:`solver.model.lp_bound`) first, in the full model's
    slot: the one place that says where it runs. A time-indexed full model
    gets its own LP with at most ``params.lp_bound_max_workers`` workers, on
    a pooled estate searched by the lean LP worker or by CP-SAT alone
    (``lean``: :func:`pooled_first`) or, with
    ``params.lp_bound_everywhere``, on any, and with at most
    ``params.lp_bound_lean_workers`` where ``lean``
    (:meth:`~solver.model.params.SolveParams.lp_bound_for`); the light full model of a pooled
    estate gets the LP of a time-indexed model built for it
    (:func:`_lp_light`). ``beside``: the model is being searched on another
    thread (the twin schedule), so it is only read: no sub-pool chords, which
    would add rows and literals to it. With sub-pool chords on a pooled
    estate the LP gets ``params.lp_bound_cut_share`` of the wall time left
    (``params.lp_bound_lean_cut_share``, when set, where it runs beside the
    neighbourhood search: :func:`lean_for`), else ``params.lp_bound_share``,
    and its column values go to the tracker (``params.lns_lp_guided``: the
    neighbourhood search's LP-guided kind, :mod:`solver.model.lns`)."""
    if not b.time_indexed:
        _lp_light(b, obj, tracker, deadline, params, log, workers)
    elif params.lp_bound_for(workers, lean):
        left = max(deadline - time.monotonic(), 0.0)
        if params.pool_cut_rounds > 0 and b.prep.clusters and not beside:
            share = cut_share(b.prep, b.time_indexed, workers, params)
            duals: list[tuple[Relaxation, np.ndarray, list[int], int]] = []
            glop, fit = lp_solver(params, params.lp_pooled_dual, before=workers == 1)
            lp_with_pool_cuts(b, obj, share * left, params.pool_cut_rounds,
                              tracker.offer_bound, log, lazy_links=params.lazy_links,
                              share=params.pool_cut_share, min_gain=params.pool_cut_min_gain,
                              leftover=workers > 1,
                              on_primal=tracker.offer_lp if params.lns_lp_guided else None,
                              covers=params.pool_cover_cuts, glop=glop, fit=fit,
                              on_dual=(lambda *got: duals.append(got))
                              if params.lp_block_lagrange > 0 else None)
            if duals:
                seconds = params.lp_block_lagrange * max(deadline - time.monotonic(), 0.0)
                block_lagrange(b, obj, tracker, *duals[-1], seconds, log)
        else:
            lp_first(b.m, obj, params.lp_bound_share * left, tracker.offer_bound, log)


def block_lagrange(b: Builder, obj: Objective, tracker: Tracker, r: Relaxation,
                   y: np.ndarray, starts: list[int], first_added: int, seconds: float,
                   log: list[str]) -> None:
    """The Lagrangian bound by blocks (:mod:`solver.model.lagrange`) from the
    LP's duals ``y`` of ``r`` (read from ``b``'s model with ``starts``): a
    block per cluster (the applications in none: one block), the capacities
    every application shares relaxed, for ``seconds`` of wall time, each rise
    offered to the tracker (the live line shows it)."""
    t = time.monotonic()
    home = {a: c.name for c in b.prep.clusters for a in c.apps}
    label = {v.index: home.get(a, "(in no cluster)") for a, xs in b.x.items()
             for v in xs.values() if not isinstance(v, int)}
    try:
        got = block_lagrangian(proto_of(b.m), r, y, starts, first_added, label,
                               range(*b.coupling_cts), seconds=seconds,
                               budget=seconds - (time.monotonic() - t),
                               on_bound=lambda v: tracker.offer_bound(pounds(r, v, obj)))
    except ValueError as err:  # the model's variables are not the LP's columns
        log.append(f"Lagrangian bound by blocks: not run ({err})")
        return
    bound = pounds(r, got.bound, obj)
    tracker.offer_bound(bound)
    solved = [p for p in got.parts if p.status != "NOT RUN"]
    gain = r.scaling * sum(max(p.bound - p.lp_part, 0.0) for p in solved) / obj.scale
    log.append(f"Lagrangian bound by blocks: £{bound:,.0f} in {time.monotonic() - t:.1f}s "
               f"({len(solved)} of {len(got.parts)} blocks solved, £{gain:,.0f} above the "
               f"LP's share; {got.rows} coupling rows priced: "
               + ", ".join(f"{p.name} {p.status.lower()}" for p in solved) + ")")


def lp_solver(params: SolveParams, dual: bool, before: bool = False, light: bool = False
              ) -> tuple[type[Glop], float]:
    """GLOP's class for the chord rounds and their ``fit``
    (:func:`~solver.model.pool_cuts.lp_with_pool_cuts`): with ``dual``, GLOP
    through MathOpt, so a round the time cuts short still gives its bound —
    :class:`~solver.model.glop_dual.WarmGlop` while ``params.lp_light_warm``
    > 0 (another round while that share of the last one's time is left),
    else :class:`~solver.model.glop_dual.DualGlop` (``params.lp_light_fit``);
    without, ``pywraplp``'s :class:`~solver.model.glop.Glop` (a round only
    when one as long as the last still fits). ``before``: the LP runs before
    the search (one worker), its time the search's: a round only when one as
    long as the last still fits, whichever the class (a round that then
    overruns still gives its bound through MathOpt). ``params.lp_engine``
    (``params.lp_light_engine`` for the ``light`` model's LP) ``"highs"``:
    :class:`~solver.model.highs_lp.HighsLp` whatever ``dual`` (HiGHS gives
    no dual when stopped: a round only when one as long as the last still
    fits)."""
    if (params.lp_light_engine if light else params.lp_engine) == "highs":
        return HighsLp, 1.0
    if not dual:
        return Glop, 1.0
    if params.lp_light_warm > 0:
        return WarmGlop, 1.0 if before else params.lp_light_warm
    return DualGlop, 1.0 if before else params.lp_light_fit


def _lp_light(b: Builder, obj: Objective, tracker: Tracker, deadline: float,
              params: SolveParams, log: list[str], workers: int) -> None:
    """With the light full model of a pooled estate (``params.lp_bound_light``
    > 0, more than ``pooled_lp_share`` of the applications in clusters): the
    LP bound of a time-indexed model of the same estate (the same ``Builder``, pairs
    and objective weights, without member links), built for it alone and
    dropped after, for at most ``lp_bound_light`` of the wall time left
    (``lp_bound_light_one`` with one ``workers``: the search runs after it).
    With ``params.lp_light_cuts`` its LP gets ``pool_cut_rounds`` rounds of
    the sub-pool chords (:func:`~solver.model.pool_cuts.lp_with_pool_cuts`,
    separated by the time-indexed model's ``Builder``), into GLOP's rows only:
    the light CP-SAT model, whose variables differ, gets none. Its column
    values go to the tracker by application id (``params.lns_lp_guided``:
    the neighbourhood search's LP-guided kind; ``params.lp_light_reoffer``:
    each round's, not only round 0's). ``params.lp_light_dual``:
    GLOP through MathOpt (:class:`~solver.model.glop_dual.DualGlop`), so a
    round the time cuts short still gives its bound, and another round starts
    while ``lp_light_fit`` of the last one's time is left.
    ``params.lp_light_warm`` > 0: :class:`~solver.model.glop_dual.WarmGlop`
    (a round that would not finish from scratch starts from the last round's
    basis, so a stopped round keeps most of its gain), another round while
    that share of the last round's time is left."""
    share = params.lp_bound_light if workers > 1 else params.lp_bound_light_one
    if params.lp_bound_light <= 0 or share <= 0 or not pooled_light(b, params):
        return
    t = time.monotonic()
    ti = Builder(b.prep, time_indexed=True, domains=b.domains or None,
                 core=params.scheduling_core, member_links=False, tight_pools=b.tight_pools,
                 closure_cuts=params.closure_cuts)
    if ti.trivially_infeasible:
        return
    o = build_objective(ti, tracker.w, obj.scale)
    ti.m.minimize(o.expr)
    log.append(f"time-indexed model for the light model's LP built in "
               f"{time.monotonic() - t:.1f}s")
    end = time.monotonic() + share * max(deadline - time.monotonic(), 0.0)
    if params.lp_light_cuts and b.prep.clusters:
        # the model stays while the rounds separate their cuts; dropped on return
        model = ti

        def primal(x: np.ndarray) -> None:
            tracker.offer_lp(x, model, again=params.lp_light_reoffer)

        glop, fit = lp_solver(params, params.lp_light_dual, light=True)
        lp_with_pool_cuts(ti, o, end - time.monotonic(), params.pool_cut_rounds,
                          tracker.offer_bound, log, share=params.pool_cut_share,
                          min_gain=params.pool_cut_min_gain, to_model=False,
                          on_primal=primal if params.lns_lp_guided else None,
                          glop=glop, fit=fit)
        return
    # the model and its proto are dropped as soon as each is read (memory)
    r = relax(proto_of(ti.m))
    o = replace(o, variables=[], coeffs=[], labels=[])
    del ti
    lp_first(r, o, end - time.monotonic(), tracker.offer_bound, log)
