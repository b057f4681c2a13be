"""The checks of :class:`solver.model.params.SolveParams`' values (kept apart
so that ``params.py`` holds the fields and their reasons only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solver.model.params import SolveParams


def check_params(p: SolveParams) -> None:
    """Raise ``ValueError`` naming the first field whose value is out of range."""
    for name in ("reserve_fraction", "memory_fraction", "single_worker_lns_share",
                 "carbon_phase_share", "lns_max_pooled_share", "empty_whole_share",
                 "pooled_lp_share", "block_share", "lp_bound_share",
                 "lp_bound_cut_share", "pool_cut_share", "pool_cut_min_gain",
                 "lp_bound_light", "lns_lp_ratio", "lp_light_fit",
                 "lp_bound_light_one", "lean_lns_share", "lp_light_warm",
                 "lp_block_lagrange"):
        v = getattr(p, name)
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{name} = {v} must lie in [0, 1]")
    lean = p.lp_bound_lean_cut_share
    if lean is not None and not 0.0 <= lean <= 1.0:
        raise ValueError(f"lp_bound_lean_cut_share = {lean} must lie in [0, 1]")
    if p.lns_min_size < 1 or p.lns_max_size < p.lns_min_size:
        raise ValueError("need 1 <= lns_min_size <= lns_max_size")
    if p.lns_shift_every < 0 or p.lns_shift_months < 3:
        raise ValueError("need lns_shift_every >= 0 and lns_shift_months >= 3")
    if p.lns_close_every < 0 or p.lns_close_max_apps < 1 or p.lns_close_step_dtime <= 0:
        raise ValueError("need lns_close_every >= 0, lns_close_max_apps >= 1 and "
                         "lns_close_step_dtime > 0")
    if p.lns_rest_every < 0 or p.lns_rest_step_dtime <= 0 or not 0 < p.lns_rest_late <= 1:
        raise ValueError("need lns_rest_every >= 0, lns_rest_step_dtime > 0 and "
                         "0 < lns_rest_late <= 1")
    from solver.model.shift import MODES

    if set(p.lns_shift_modes) - set(MODES):
        raise ValueError(f"lns_shift_modes = {p.lns_shift_modes} must be some of {MODES}")
    for name in ("lp_engine", "lp_light_engine"):
        if getattr(p, name) not in ("glop", "highs"):
            raise ValueError(f"{name} = {getattr(p, name)!r} must be 'glop' or 'highs'")
    if p.twin_side not in ("", "seed", "ours"):
        raise ValueError(f"twin_side = {p.twin_side!r} must be '', 'seed' or 'ours'")
    if p.dtime_per_second <= 0 or p.lns_step_dtime <= 0:
        raise ValueError("dtime_per_second and lns_step_dtime must be positive")
