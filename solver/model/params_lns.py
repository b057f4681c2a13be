"""The neighbourhood search's parameters, a part of
:class:`solver.model.params.SolveParams` (which inherits them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LnsParams:
    """The neighbourhood search's parameters (inherited by ``SolveParams``).

    Attributes
    ----------
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
    lns_rest_every, lns_rest_step_dtime, lns_rest_late
        On a pooled estate (not with its light full model) every
        ``lns_rest_every``-th neighbourhood (0: none),
        while due and before a ``close`` step, empties the rest of one pool
        the plan does not empty (its members retained or live after
        ``lns_rest_late`` × the horizon) by the list scheduler; a cheaper
        candidate is checked by the model (at most ``lns_rest_step_dtime``
        deterministic s; :mod:`solver.model.rest`).
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
    lns_shift_links
        The pools' member links in each ``shift`` step's model (valid cuts:
        the same plans either way). None (the default): on, except with the
        light full model of a pooled estate
        (:func:`solver.model.bound_first.lns_links`), where a step's model
        spent most of its time building them (3,000 export-shaped VMs:
        ``docs/solver.md``). The other steps keep them: without them a
        pool's forced emptying found no plan in its time there.
    lns_empty_first
        Until the LP's values arrive, the LP-guided step takes every pool
        whose retained applications are at most ``lns_max_size`` as a target,
        once each, the most retained first, as if the LP emptied them all
        (:class:`solver.model.lp_step.LpTargets`; None, the default: with the
        light full model of a pooled estate, whose LP arrives after minutes,
        :func:`solver.model.bound_first.lns_empty_first`).
    """

    lns: bool = True
    lns_min_apps: int = 500
    lns_max_pooled_share: float = 1.0
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
    lns_shift_links: bool | None = None
    lns_empty_first: bool | None = None
    lns_close_every: int = 4
    lns_close_step_dtime: float = 1.0
    lns_close_max_apps: int = 60
    lns_rest_every: int = 4
    lns_rest_step_dtime: float = 1.0
    lns_rest_late: float = 0.5
