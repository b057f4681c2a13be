"""The LP bound's parameters (GLOP, chord rounds, decomposition and
Lagrangian bounds), a part of :class:`solver.model.params.SolveParams`
(which inherits them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LpParams:
    """The LP bound's parameters (inherited by ``SolveParams``).

    Attributes
    ----------
    lp_worker
        The CP-SAT subsolver of the full-problem worker with two or three
        workers (:func:`solver.model.search.tune`): ``max_lp`` (linearization
        level 2, the LP at every node); ``lb_tree_search`` (the same LP, a
        search tree kept to raise the lower bound) was measured against it on
        the export-shaped estates (``docs/solver.md``).
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
        round 0 takes 1.3–2.6 minutes in the run, so 0.85 (from 0.4) left
        time for a chord round (``lp_light_cuts``); 0.98 (session 12) leaves a
        warm round 2 (``lp_light_warm``) about 40 s, stopped by the time
        limit with its dual's bound (after it the light CP-SAT search proves
        nothing; 0.95 left 26 s: ``docs/solver.md``, *3,000 VMs: time for a
        second chord round*); ``lp_bound_light_one`` with one worker (the search runs
        after it).
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
    lp_pooled_dual
        The chord rounds of a time-indexed pooled estate's own LP through
        MathOpt as the light model's are (``lp_light_warm``, ``lp_light_fit``;
        :func:`solver.model.bound_first.lp_solver`): a round the time cuts
        short still gives its bound, where ``pywraplp``'s GLOP gives nothing
        and a round starts only when one as long as the last still fits.
        True (session 12): on 1,000 export-shaped VMs with two workers round
        2 needs about 17 s and is given 14–16 s; stopped, it keeps nearly all
        its gain (£9,033,036 against £9,034,229 whole), where ``pywraplp``'s
        gives none (£9,003,634; ``docs/solver.md``, *A stopped chord round
        keeps its bound on the time-indexed path*). With one worker the LP runs
        before the search, its time the search's: a round starts only when
        one as long as the last still fits, as with ``pywraplp``'s, but one
        that overruns keeps its bound (``bound_first.lp_solver``,
        ``before``).
    lp_block_lagrange
        After the LP bound's chord rounds on a time-indexed pooled estate,
        this share of the wall time left goes to the Lagrangian bound by
        blocks (:mod:`solver.model.lagrange`: a block per cluster, the rows
        that couple them priced by the last round's duals, each block solved
        by CP-SAT, the smallest first, any block not solved counting its
        share of the LP's bound); 0 (the default): not run
        (``docs/solver.md``, *A Lagrangian bound by blocks from the LP's
        duals*).
    lp_light_reoffer
        Each chord round of the light model's LP (not only round 0) gives its
        column values to the LP-guided step, which then tries every pool the
        new values nearly empty (:func:`solver.model.bound_first._lp_light`).
    lp_engine, lp_light_engine
        The LP solver of the chord rounds of a time-indexed pooled estate's
        own LP (``lp_engine``) and of the light model's (``lp_light_engine``;
        :func:`solver.model.bound_first.lp_solver`): ``"glop"`` (GLOP, as
        ``lp_light_dual``, ``lp_pooled_dual`` and ``lp_light_warm`` choose)
        or ``"highs"`` (HiGHS's dual simplex through MathOpt,
        :class:`~solver.model.highs_lp.HighsLp`: no dual when stopped, so a
        round only when one as long as the last still fits;
        ``docs/solver.md``, *HiGHS for the chord rounds*).
    """

    lp_worker: str = "max_lp"
    pool_cut_rounds: int = 4
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
    lp_bound_light: float = 0.98
    lp_bound_light_one: float = 0.4
    lp_light_cuts: bool = True
    lp_light_dual: bool = True
    lp_light_fit: float = 0.5
    lp_light_warm: float = 0.1
    lp_pooled_dual: bool = True
    lp_bound_everywhere: bool = True
    lp_block_lagrange: float = 0.0
    lp_light_reoffer: bool = True
    lp_engine: str = "glop"
    lp_light_engine: str = "glop"
