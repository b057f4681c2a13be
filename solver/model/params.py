"""Tunable parameters of a solve: :class:`SolveParams`.

Every number that steers the search lives here with its default and the
reason for it, so that a caller (a benchmark, a batch of scenario solves) can
change one without touching the code. The defaults were measured on the demo,
the synthetic estates and PSPLIB (``benchmarks/``, ``docs/solver.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solver.model.memory import machine_memory_mb
from solver.model.params_check import check_params


@dataclass(frozen=True)
class SolveParams:
    """How :func:`solver.solve.solve` spends its time and memory.

    Attributes
    ----------
    reserve_fraction, reserve_max, reserve_per_app
        Kept after the search for the exact totals, the evaluator's ledgers and
        the plan: ``reserve_fraction`` of ``time_limit`` (at most
        ``reserve_max`` seconds), or ``reserve_per_app`` seconds an
        application if more. Those took 0.0006–0.002 s an application
        (PSPLIB j120, the demo, 1,000 and 3,000 applications), so the
        per-application reserve is half as much again.
    build_per_app
        Seconds an application to build the full model, about: when less is
        left after the first plan, that plan is returned (a large estate with
        a short time limit).
    large_apps, time_indexed_max_months
        The full model has time-indexed rows (capacity per month, ``before``
        and ``together`` month by month: a strong LP) unless the estate has
        more than ``large_apps`` applications (a smaller LP, far less memory;
        the neighbourhood search keeps them in its small models) or moves can
        still go live after month ``time_indexed_max_months`` once pruned (a
        long schedule, where the lighter model searches much faster).
    memory_fraction, memory_cap_mb
        The watchdog stops the full-model search (keeping its best plan) when
        the process grows beyond ``memory_cap_mb`` MB, by default
        ``memory_fraction`` of the machine's memory. It is a guard, not a
        budget: no benchmark estate comes near it.
    scheduling_core
        Add the integer scheduling core to the full model (linear
        precedences between ``live`` variables; in the light model an ``end``
        variable per group channelled to its literals), so CP-SAT's scheduling
        propagators and neighbourhoods apply.
    lns
        Run the neighbourhood search (:mod:`solver.model.lns`) beside (two or
        more workers) or before (one worker) the full-model search.
    lns_min_apps
        Below this many applications the full model alone is used: CP-SAT's
        own portfolio (an LP worker beside its neighbourhoods) was better there
        (demo, PSPLIB); above, its model is too slow to re-solve and ours wins.
    lns_max_pooled_share
        With two or more workers the neighbourhood search is left out (every
        worker on the full model) when more than this share of the
        applications run in clusters, as in an imported RVTools export. By
        default 1 (never): measured at 0.5, the gap at 60 s fell from 24.5 %
        to 2.9 % (export-shaped 637 VMs), 20.8 % to 1.7 % (1,000 VMs) and
        13.8 % to 2.3 % (the SizingWorkshop sample), with the same plans on
        the synthetic exports but a plan 0.47 % dearer on the sample (the
        neighbourhoods found £34k there): a better proof for a worse plan,
        so not the default (``docs/solver.md``). Estates without clusters
        are never affected.
    pooled_lp_share
        With two workers, the neighbourhood search running and more than this
        share of the applications in clusters (an imported export), CP-SAT's
        worker on the full model is its LP worker (``max_lp``) alone: no
        interleaved neighbourhoods, local search or feasibility jump (CP-SAT
        runs it as a two-thread search whose first-solution helper completes
        the hint in about a second and stops, so it holds one core). On those
        estates the LP worker makes the whole bound (all root cut rounds) and
        the interleaved worker never found a plan, while the single-thread
        search that one worker gets otherwise dives with the LP at every node
        and hardly lifts the bound: measured, ``docs/solver.md``. Estates
        without clusters are never affected; 1 turns it off.
    single_worker_lean
        With one worker on such a pooled estate, the full model first as that
        lean LP worker (CP-SAT's two-thread framing; one core once its helper
        has completed the hint, about a second), for ``1 -
        single_worker_lns_share`` of the budget, then the neighbourhood search
        from the best plan: the live line shows the final bound from the
        middle of the run, not the trivial one until the end. Measured on the
        637-VM export-shaped estate at 24 deterministic s: the same plan, bound
        £4.91M -> £5.48M (gap 20.9 % -> 11.8 %) against the single-thread
        search after the neighbourhoods (``docs/solver.md``). The plan stays
        the neighbourhood search's, deterministic for a seed; the bound can
        vary a little with the machine (two threads share it for a second).
    single_worker_lean_small
        The one-worker bound-first schedule (``single_worker_lean``) also
        below ``lns_min_apps`` applications (a pooled estate only): measured
        on the 300-VM export-shaped estate at 24 deterministic s, bound
        £2,678,048 -> £2,719,429 (gap 3.73 % -> 2.24 %), plan £2,781,718 ->
        £2,781,675: CP-SAT's single-thread search at linearization level 2
        does not reach the root LP's level that its lean LP worker reaches in
        half the budget (``docs/solver.md``). Estates without clusters are
        never affected.
    lns_step_dtime
        Deterministic seconds each neighbourhood may use.
    lns_pool_step_dtime
        Deterministic seconds a ``pool`` neighbourhood (a whole cluster or
        site, emptied every other time; only when ``pool`` is in
        ``lns_kinds``) may use; None: ``lns_step_dtime``.
    lns_lp_guided
        The neighbourhood search's LP-guided step (:mod:`solver.model.lns`):
        where the full model's LP relaxation was solved (the LP bound with
        the sub-pool chords, ``pool_cut_rounds``), each cluster or site whose
        applications the LP retains at most ``lns_lp_ratio`` as much as the
        best plan does is freed and must be emptied, once, with
        ``lns_lp_step_dtime`` deterministic seconds (``docs/solver.md``,
        *An LP-guided neighbourhood*).
    lns_lp_step_dtime, lns_lp_ratio
        See ``lns_lp_guided``.
    lns_held
        Build each neighbourhood's model over its free applications only
        (``Builder(held=...)``: the others are constants on the right-hand
        sides); off, every held application keeps one ``x`` in a model of the
        whole estate. Same optimum either way; the first is cheaper. None
        (the default): on. Until session 11 off with the light full model of
        a pooled estate (:func:`solver.model.bound_first.pooled_light`): on
        3,000 export-shaped VMs they peaked at 3.5 GB against 2.0 GB without,
        most of it the held members' link rows, one a member and month then;
        now 1.9 GB, with more steps (``docs/solver.md``).
    lns_presolve
        Run CP-SAT's presolve on each neighbourhood's model; None (the
        default): only on estates with clusters. Measured on the same 17
        neighbourhoods of synthetic 1,000 applications (no clusters), without
        presolve: 29 % fewer deterministic and 39 % fewer CPU seconds, one
        more solved to optimality; on 7 of the 1,000-VM export-shaped estate
        (pooled) 24 % more deterministic seconds and fewer solved (scratch
        runs, ``docs/solver.md``).
    lns_shift_every, lns_shift_months, lns_shift_step_dtime
        On a pooled estate every ``lns_shift_every``-th neighbourhood (0: none)
        frees the go-live months of the moving applications in a window of
        ``lns_shift_months`` (options fixed; :mod:`solver.model.shift`), with
        ``lns_shift_step_dtime`` deterministic s (None: ``lns_step_dtime``).
        ``lns_shift_modes``: the sweep's modes (:data:`solver.model.shift.MODES`)
        that take over in turn after a sweep that improved nothing (empty,
        the default: the sweeps sleep).
    lns_close_every, lns_close_step_dtime, lns_close_max_apps
        On a pooled estate every ``lns_close_every``-th neighbourhood (0: none)
        re-times the moves of one pool of at most ``lns_close_max_apps``
        moving applications, the pools in turn (options fixed, any later
        month; :mod:`solver.model.closing`), with ``lns_close_step_dtime``
        deterministic s.
    lns_size, lns_min_size, lns_max_size
        First, smallest and largest number of applications a neighbourhood frees.
    lns_kinds
        The neighbourhoods drawn from (:data:`solver.model.lns.KINDS`).
    single_worker_lns_share
        With one worker, the share of the search budget the neighbourhood
        search gets before the full model is solved from its best plan.
    lean_lns_share
        With two workers where CP-SAT's LP worker runs alone beside the
        neighbourhood search (:func:`solver.model.bound_first.lean_for`): the
        share of the wall time left after the LP bound's rounds that a second
        neighbourhood search (the next seed; both continue from the best plan
        of either) gets in CP-SAT's slot before the LP worker; 0 (the
        default): none (``docs/solver.md``, *The sample's plan in a minute*).
    dtime_per_second
        With one worker every stop is deterministic: the search budget is
        ``time_limit × dtime_per_second`` deterministic seconds (CP-SAT's
        machine-independent work measure), so a seed gives the same plan every
        time. The wall clock still ends the search at the time limit on a slow
        or busy machine (the log then says so, and the plan may differ).
    dtime_limit
        When set, each search thread (the full model, the neighbourhood
        search) also stops after this many deterministic seconds; with one
        worker it replaces ``time_limit × dtime_per_second``. For comparable
        experiments on a busy machine.
    light_lp_worker
        In the light model too, the full-problem worker is ``max_lp`` (see
        :func:`solver.model.search.tune`); by default the light model (long
        schedules) gets CP-SAT's own portfolio, which found shorter schedules
        on PSPLIB j120.
    lp_worker
        The CP-SAT subsolver of the full-problem worker with two or three
        workers (:func:`solver.model.search.tune`): ``max_lp`` (linearization
        level 2, the LP at every node); ``lb_tree_search`` (the same LP, a
        search tree kept to raise the lower bound) was measured against it on
        the export-shaped estates (``docs/solver.md``).
    light_ignore_subsolvers
        CP-SAT subsolvers left out in the light model (long schedules): its
        generic neighbourhoods, feasibility pump and local search, so that the
        scheduling neighbourhoods (time window, intervals, precedences,
        resource windows) and the random ones get the interleaved worker's
        time. Measured on PSPLIB j120 (``docs/solver.md``).
    explain_max_seconds
        At most this long to name the clashing rules of an infeasible estate.
    carbon_phase_share
        Share of the search time the ``carbon`` objective's first phase
        (least tonnes) gets.
    member_links
        Link each VM of a cluster to the pool's host count the strong way
        (one implication a member and month: in service, it keeps the hosts
        the rule needs for it alone; :mod:`solver.model.clusters`). Valid
        cuts, same optimum; measured on export-shaped estates
        (``docs/solver.md``). Off only to measure without them (in the full
        model: the neighbourhood search's small models always have them);
        see also ``member_links_max_apps``.
    member_links_max_apps
        The member links are left out of the full model from this many
        applications on (the neighbourhood search's small models keep them):
        they double the constraints of an export-shaped estate's model, and
        from about 600 VMs its root LP does not finish within a minute, so
        the smaller LP reaches the stronger bound sooner. Measured (one
        thread, the LP worker alone, deterministic budgets): 637 VMs £5.98M
        at 15 deterministic s without them against £5.52M with them (level by
        40); 1,000 VMs £8.90M against £8.29M at 30; the SizingWorkshop sample
        £5.76M against £5.47M. On 300 VMs, whose LP is solved, they lift the
        bound (``docs/solver.md``).
    tight_pools
        A pool's capacity rows with the least big-M that lets a full pool
        keep all its hosts (not one host's load more) and the chord cut
        ``W·n >= W·spare·any + (m - spare)·load`` when its whole load needs
        them all (:mod:`solver.model.clusters`). Valid, same optimum; off only
        to measure without them (in the full model, as ``member_links``).
    time_cuts
        Time-coupled cuts of each pool in the full model: its host count,
        ``any`` and ``full`` never rise from one month to the next
        (:func:`solver.model.clusters.add_time_cuts`; valid for some
        optimal plan, so the optimum and the bound are unchanged). Measured
        in ``docs/solver.md`` (*Time-coupled cuts*).
    team_cuts
        Cuts tying each pool's host count in month t to the members the
        team's days up to t can have moved (:mod:`solver.model.team_cuts`;
        valid for every plan). Measured in ``docs/solver.md`` (*Time-coupled
        cuts*).
    closure_cuts
        Covers on how many sites, servers or contracts of a disjoint family
        can have closed by each month (:mod:`solver.model.closure_cuts`;
        valid for every plan). Off: measured in ``docs/solver.md``.
    unary_hosts
        Each pool's host-count literals ``[n[C,t] >= r]`` (what a per-core
        renewal and the member links use) as the unary encoding of
        ``n[C,t]`` (:func:`solver.model.clusters._unary`): exact, a stronger
        LP. None (the default): where the LP bound runs (one worker,
        ``lp_bound_max_workers``; two on a lean estate,
        ``lp_bound_lean_workers``, or on a small pooled one, ``lp_bound_alone``;
        :meth:`unary_for`), whose LP it lifts (GLOP's
        LP of 1,000 export-shaped VMs £8.75M -> £8.88M); CP-SAT's own LP
        gains nothing measurable from it (``docs/solver.md``, *Time-coupled
        cuts* and *Where the gap lives*).
    pool_cut_rounds
        Where the LP bound runs first on a time-indexed model with clusters,
        this many rounds of sub-pool chord cuts (:mod:`solver.model.pool_cuts`:
        a pool's hosts bounded by the load of the members the LP keeps in
        it), each separated from GLOP's solution, added to the LP (re-solved,
        from scratch: GLOP gives no warm start here) and to the CP-SAT model,
        as many rounds as fit in the LP bound's share of the wall time.
        Valid cuts: same optimum. 0 turns them off. Measured in
        ``docs/solver.md`` (*Where the gap lives*): one worker, 24
        deterministic s, bound 300 VMs £2.719M -> £2.762M, 1,000 VMs
        £8.75M -> £9.02M (with ``unary_hosts``), the same plans.
    empty_whole_share
        After the first plan is chosen, candidates that empty a whole site or
        cluster are tried on top of it (:mod:`solver.model.emptying`); no new
        candidate starts after this share of the search time left (a guard:
        on 1,000 export-shaped VMs they took about 4–9 s). 0 turns them off.
    block_share
        On a pooled estate (more than ``pooled_lp_share`` of the applications
        in clusters) of at least two blocks, the share of CP-SAT's budget
        spent first on the decomposition bound (:mod:`solver.model.blocks`:
        the estate cut into blocks by datacentre, each a time-indexed model
        solved on its own, the sum a valid bound; below ``lns_min_apps`` with
        two workers, on one of CP-SAT's workers beside the full model); the
        full model then gets the rest and the reported bound is the stronger
        of the two. 0 (the default) turns it off; 1 leaves the full model
        out. Measured with deterministic budgets, it proved less than the
        full model in the same time on the export-shaped estates of 300 and
        1,000 VMs (``docs/solver.md``), so it is off.
    block_prices
        Team days priced month by month in the decomposition bound (a
        Lagrangian relaxation of the team's capacity,
        :func:`solver.model.blocks.team_prices`), the first plan's median
        price times this; 0 leaves the team's capacity to each block whole.
    block_max_apps
        A datacentre with more applications than this is cut between its
        clusters (never splitting one) into blocks of at most this many.
    lp_bound_everywhere
        With one worker (``lp_bound_max_workers``), the LP bound runs first on
        every time-indexed model, not only pooled ones: on the demo GLOP
        proves £55.64M in 3 s, above CP-SAT's bound after a minute with two
        workers (``docs/solver.md``). The deterministic budget is fixed
        before it, so the plans are those of a run without it.
    lp_bound_lean_workers
        With two to this many workers the LP bound (and its sub-pool chords,
        ``pool_cut_rounds``, and the unary host counts, ``unary_hosts``) also
        runs first on an estate whose full model has CP-SAT's LP worker alone
        beside the neighbourhood search (:func:`solver.model.bound_first.lean_lp`,
        from ``lns_min_apps`` applications): the cuts it adds lift that
        worker's bound (quiet machine, 60 s, two workers: 637 export-shaped
        VMs 1.10 % -> 0.93 %, 1,000 VMs 3.79 % -> 3.29 %; ``docs/solver.md``).
        0 (or 1): with one worker only, as ``lp_bound_max_workers`` says.
    lp_bound_alone
        With two workers the LP bound (its sub-pool chords and the unary host
        counts) also runs first, on one thread, on a pooled estate that CP-SAT
        searches alone (below ``lns_min_apps``: no neighbourhood search;
        :func:`solver.model.bound_first.alone_for`): the chords go into
        CP-SAT's model, whose two workers then search it. Scratch runs
        (60 s, busy machine; ``docs/solver.md``): 300 export-shaped VMs, bound
        £2.721M -> £2.757M, gap 2.19 % -> 0.88 %, the same plan.
    lp_bound_cut_share
        Where the LP bound runs with sub-pool chords on a pooled estate (more
        than ``pooled_lp_share`` in clusters), the share of the wall time
        left it gets (``lp_bound_share`` elsewhere): 1,000 export-shaped VMs
        need round 0 and round 1 (about 5 + 12 s on a shared machine) to
        prove £9.00M, not £8.88M, with one worker in a minute.
    lp_bound_lean_cut_share
        The same share where the LP bound runs in CP-SAT's LP worker's slot
        beside the neighbourhood search (two workers, a pooled estate of
        ``lns_min_apps`` applications or more: :func:`solver.model.bound_first.lean_for`);
        None: ``lp_bound_cut_share``. The neighbourhood search keeps its
        core whatever the share; 1,000 export-shaped VMs, 60 s, busy machine:
        round 1 fitted in 3 of 3 runs at 0.7 (2.25–2.28 %), 0 of 2 at 0.4.
    pool_cut_share, pool_cut_min_gain
        Each round of sub-pool chords adds this share of the cuts separated,
        the most violated first (GLOP's re-solve grows much faster than the
        cuts: 1,000 VMs, half of round 0's cuts proved £9.00M in 12.5 s, all
        of them £9.02M in 15–19 s); no round follows one that raised the
        bound by less than ``pool_cut_min_gain`` of it.
    pool_cover_cuts
        Where the LP bound runs with sub-pool chords, the rounded cover cuts
        (:func:`solver.model.pool_cuts.separate_covers`: a pool keeps the
        rule's own step for the members the LP keeps, less a host's worth for
        each that leaves) separated beside them, each round. Valid cuts: same
        optimum. Off: +£1.2k on the sample's LP after 8 rounds with twice
        the terms (``docs/solver.md``, session 9).
    lazy_links
        Where the LP bound runs with sub-pool chords, the member links' rows
        (``member_links``) start out of GLOP's LP and enter it round by round
        where its solution violates them (:func:`solver.model.lp_bound.relax_split`;
        each round's LP a relaxation still, so the bound stays valid): on 300
        export-shaped VMs round 0 takes about 1 s, not 15–38 s, and the rounds
        reach £2.756M in 8 s (one worker's model). No effect on a model
        without the links (500 applications and more).
    lp_bound_max_workers, lp_bound_share
        On a pooled estate searched with CP-SAT's LP worker alone beside the
        neighbourhood search (:func:`solver.model.bound_first.lean_lp`), with at
        most ``lp_bound_max_workers`` workers, the full model's LP relaxation
        is first solved by OR-Tools' own LP solver (GLOP, dual simplex) in the
        LP worker's slot, for at most ``lp_bound_share`` of
        the wall time left, and its bound (the Lagrangian of the dual,
        :mod:`solver.model.lp_bound`) offered with CP-SAT's: the stronger is
        reported. It takes wall time, not deterministic time (GLOP is
        deterministic; the wall share only guards a busy machine). Measured
        (scratch runs, ``docs/solver.md``): GLOP solves the LP of 1,000
        export-shaped VMs in about 5 s, £8.75M against the £8.44M CP-SAT's LP
        worker proves with one worker's 24 deterministic s, but below the
        £8.91M it proves in 60 s with two: so by default one worker only
        (0 turns it off, 2 measures it with two).
    lp_bound_light
        With the light full model (3,000 applications and more) of a pooled
        estate (:func:`solver.model.bound_first.pooled_light`), the share of the
        wall time left given first, in CP-SAT's slot, to the LP bound of a
        time-indexed model of the same estate built for it alone (no member
        links; dropped after). 0 turns it off. 3,000 export-shaped VMs: LP
        £27.33M against the £26.26M the light model proves in 300 s; GLOP's
        round 0 takes 1.3–2.6 minutes in the run, so 0.85 (from 0.4) leaves
        time for a chord round (``lp_light_cuts``; ``docs/solver.md``);
        ``lp_bound_light_one`` with one worker (the search runs after it).
    lp_light_cuts
        That LP with the sub-pool chords' rounds (``pool_cut_rounds``, into
        GLOP's rows only) and its column values to the LP-guided
        neighbourhood kind (``lns_lp_guided``; ``docs/solver.md``).
    lp_light_dual, lp_light_fit
        That LP's GLOP through MathOpt (a round stopped by the time limit
        still gives its dual's bound), another round while ``lp_light_fit``
        of the last round's time is left. ``lp_light_warm`` > 0: rounds after
        the first from the last one's basis where one from scratch would not
        finish (:class:`~solver.model.glop_dual.WarmGlop`), another round
        while that share of the last round's time is left (0: off).
    twin_side
        With two workers on an estate CP-SAT searches alone (fewer than
        ``lns_min_apps`` applications, a time-indexed model, at most
        ``pooled_lp_share`` of them in clusters, some application may stay:
        the demo), one thread runs the one-worker search (CP-SAT's
        single-thread search from the first plan) and the other
        ``"ours"`` (the default): the LP bound, then our neighbourhood search,
        which continues from each better plan the full model finds; or
        ``"seed"``: a one-thread CP-SAT solve of a copy of the model from the
        same first plan with the next seed. ``""``: CP-SAT's two-worker
        portfolio instead (its ``max_lp`` worker beside its neighbourhoods),
        which found no plan with that worker on the demo, where the
        single-thread search finds its best (``docs/solver.md``, *Two workers
        on the demo*).
    cp_sat
        Extra CP-SAT parameters for the full-model search, as ``(name,
        value)`` pairs (e.g. ``(("linearization_level", 1),)``).
    lp_block_lagrange
        After the LP bound's chord rounds on a time-indexed pooled estate,
        this share of the wall time left goes to the Lagrangian bound by
        blocks (:mod:`solver.model.lagrange`: a block per cluster, the rows
        that couple them priced by the last round's duals, each block solved
        by CP-SAT, the smallest first, any block not solved counting its
        share of the LP's bound); 0 (the default): not run
        (``docs/solver.md``, *A Lagrangian bound by blocks from the LP's
        duals*).
    lns_shift_links
        The pools' member links in each ``shift`` step's model (valid cuts:
        the same plans either way). None (the default): on, except with the
        light full model of a pooled estate
        (:func:`solver.model.bound_first.lns_links`), where a step's model
        spent most of its time building them (3,000 export-shaped VMs:
        ``docs/solver.md``). The other steps keep them: without them a
        pool's forced emptying found no plan in its time there.
    lp_light_reoffer
        Each chord round of the light model's LP (not only round 0) gives its
        column values to the LP-guided step, which then tries every pool the
        new values nearly empty (:func:`solver.model.bound_first._lp_light`).
    lns_empty_first
        Until the LP's values arrive, the LP-guided step takes every pool
        whose retained applications are at most ``lns_max_size`` as a target,
        once each, the most retained first, as if the LP emptied them all
        (:class:`solver.model.lp_step.LpTargets`; None, the default: with the
        light full model of a pooled estate, whose LP arrives after minutes,
        :func:`solver.model.bound_first.lns_empty_first`).
    """

    reserve_fraction: float = 0.01
    reserve_max: float = 20.0
    reserve_per_app: float = 0.003
    build_per_app: float = 0.001
    large_apps: int = 2000
    time_indexed_max_months: int = 72
    memory_fraction: float = 0.5
    memory_cap_mb: float | None = None
    scheduling_core: bool = True
    lns: bool = True
    lns_min_apps: int = 500
    lns_max_pooled_share: float = 1.0
    pooled_lp_share: float = 0.5
    single_worker_lean: bool = True
    single_worker_lean_small: bool = True
    lns_step_dtime: float = 1.0
    lns_pool_step_dtime: float | None = None
    lns_lp_guided: bool = True
    lns_lp_step_dtime: float = 3.0
    lns_lp_ratio: float = 0.65
    lns_held: bool | None = None
    lns_presolve: bool | None = None
    lns_shift_every: int = 1
    lns_shift_months: int = 4
    lns_shift_step_dtime: float | None = None
    lns_shift_modes: tuple[str, ...] = ()
    lns_size: int = 40
    lns_min_size: int = 4
    lns_max_size: int = 400
    lns_kinds: tuple[str, ...] = ("window", "retained", "group", "keep", "team", "linked",
                                  "random")
    single_worker_lns_share: float = 0.5
    lean_lns_share: float = 0.0
    dtime_per_second: float = 0.4
    dtime_limit: float | None = None
    light_lp_worker: bool = False
    lp_worker: str = "max_lp"
    light_ignore_subsolvers: tuple[str, ...] = (
        "feasibility_pump", "ls", "rins/rens", "graph_arc_lns", "graph_cst_lns",
        "graph_dec_lns", "graph_var_lns")
    explain_max_seconds: float = 30.0
    carbon_phase_share: float = 0.5
    member_links: bool = True
    member_links_max_apps: int = 500
    tight_pools: bool = True
    time_cuts: bool = False
    team_cuts: bool = False
    closure_cuts: bool = False
    unary_hosts: bool | None = None
    pool_cut_rounds: int = 4
    empty_whole_share: float = 0.25
    block_share: float = 0.0
    block_prices: float = 1.0
    block_max_apps: int | None = None
    lp_bound_max_workers: int = 1
    lp_bound_lean_workers: int = 2
    lp_bound_alone: bool = True
    lazy_links: bool = True
    pool_cover_cuts: bool = False
    lp_bound_share: float = 0.25
    lp_bound_cut_share: float = 0.4
    lp_bound_lean_cut_share: float | None = 0.7
    pool_cut_share: float = 0.5
    pool_cut_min_gain: float = 0.0005
    lp_bound_light: float = 0.85
    lp_bound_light_one: float = 0.4
    lp_light_cuts: bool = True
    lp_light_dual: bool = True
    lp_light_fit: float = 0.5
    lp_light_warm: float = 0.1
    lp_bound_everywhere: bool = True
    twin_side: str = "ours"
    cp_sat: tuple[tuple[str, Any], ...] = ()
    lp_block_lagrange: float = 0.0
    lns_shift_links: bool | None = None
    lp_light_reoffer: bool = True
    lns_empty_first: bool | None = None
    lns_close_every: int = 4
    lns_close_step_dtime: float = 1.0
    lns_close_max_apps: int = 60

    def __post_init__(self) -> None:
        check_params(self)

    def reserve(self, time_limit: float, apps: int = 0) -> float:
        """Seconds kept after the search for totals, ledgers and the plan."""
        return max(min(self.reserve_max, self.reserve_fraction * time_limit),
                   self.reserve_per_app * apps)

    def unary_for(self, workers: int, lean: bool = False) -> bool:
        """Whether the full model states the pools' host counts in unary
        (``unary_hosts``; by default where the LP bound runs: with at most
        ``lp_bound_max_workers`` workers, or ``lp_bound_lean_workers`` where
        the estate is ``lean``, :func:`solver.model.bound_first.lean_for`)."""
        if self.unary_hosts is not None:
            return self.unary_hosts
        return (workers <= self.lp_bound_max_workers
                or (lean and 1 < workers <= self.lp_bound_lean_workers))

    def lp_bound_for(self, workers: int, lean: bool) -> bool:
        """Whether the LP bound runs first on a time-indexed full model searched
        with ``workers`` workers (``lean``: by CP-SAT's LP worker alone beside
        the neighbourhood search)."""
        return ((workers <= self.lp_bound_max_workers and (lean or self.lp_bound_everywhere))
                or (lean and 1 < workers <= self.lp_bound_lean_workers))

    def links_for(self, apps: int) -> bool:
        """Whether the full model of an estate of ``apps`` applications has the
        member links (``member_links``, left out from ``member_links_max_apps``)."""
        return self.member_links and apps < self.member_links_max_apps

    def memory_cap(self) -> float | None:
        """The watchdog's cap in MB (None when the machine's memory is unknown)."""
        if self.memory_cap_mb is not None:
            return self.memory_cap_mb
        total = machine_memory_mb()
        return None if total is None else self.memory_fraction * total

