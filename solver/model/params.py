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
from solver.model.params_lns import LnsParams
from solver.model.params_lp import LpParams


@dataclass(frozen=True)
class SolveParams(LnsParams, LpParams):
    """How :func:`solver.solve.solve` spends its time and memory.

    The neighbourhood search's fields are documented on
    :class:`~solver.model.params_lns.LnsParams` and the LP bound's on
    :class:`~solver.model.params_lp.LpParams`; both are inherited here.

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
    empty_whole_share
        After the first plan is chosen, candidates that empty a whole site or
        cluster are tried on top of it (:mod:`solver.model.emptying`); no new
        candidate starts after this share of the search time left (a guard:
        on 1,000 export-shaped VMs they took about 4–9 s). 0 turns them off.
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
    empty_whole_light
        Whether the first plan's emptying of whole sites and clusters
        (``empty_whole_share``) also runs where the full model will be the
        light one of a pooled estate (:func:`solver.model.bound_first.light_for`:
        more than ``large_apps`` applications, more than ``pooled_lp_share``
        of them in clusters). False (the default): not there. On 3,000
        export-shaped VMs it found nothing cheaper in every run measured
        (17–20 s on a quiet machine, up to 41 s loaded), while the light
        model's LP, whose rounds the time limit cuts short, waited for it;
        the neighbourhood search's empty-first targets (``lns_empty_first``)
        empty pools there instead (``docs/solver.md``, *3,000 VMs: time for a
        second chord round*).
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
    pooled_lp_share: float = 0.5
    single_worker_lean: bool = True
    single_worker_lean_small: bool = True
    dtime_per_second: float = 0.4
    dtime_limit: float | None = None
    light_lp_worker: bool = False
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
    empty_whole_share: float = 0.25
    twin_side: str = "ours"
    cp_sat: tuple[tuple[str, Any], ...] = ()
    empty_whole_light: bool = False

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

