"""Which pool the neighbourhood search's LP-guided step empties next
(:class:`LpTargets`; the step itself is :func:`solver.model.lns.search`'s
kind ``lp``).

Each pool the LP's values nearly empty and the best plan does not
(:meth:`solver.model.lns.Neighbourhoods.lp_targets`) is tried once per set of
LP values: a later chord round's values (the light model's LP,
``SolveParams.lp_light_reoffer``) make every pool a target again.
``empty_first``: until the LP's values arrive, every pool whose retained
applications the step can free (at most ``max_size``) is a target, the most
retained first, as if the LP emptied them all, every other step
(``SolveParams.lns_empty_first``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from solver.model.build import Choice

if TYPE_CHECKING:
    from solver.model.lns import Neighbourhoods

NO_LP: dict[str, float] = {}  # LP values retaining nothing: every pool a target


class LpTargets:
    """The LP-guided step's targets, each tried once per set of LP values.

    Parameters
    ----------
    lp
        Gives the LP's retained share of each application, or None (not yet,
        or never); None: no LP at all.
    ratio
        A pool is a target where the LP retains at most ``ratio`` × what the
        plan retains.
    empty_first
        Until ``lp()`` gives values, every pool is a target (:data:`NO_LP`).
    """

    def __init__(self, lp: Callable[[], dict[str, float] | None] | None, ratio: float,
                 empty_first: bool = False) -> None:
        self.lp, self.ratio, self.empty_first = lp, ratio, empty_first
        self.tried: set[int] = set()  # pools emptied (or tried) with the values ``seen``
        self.seen: dict[str, float] | None = None

    def next(self, nb: Neighbourhoods, plan: Choice, step: int = 0
             ) -> tuple[int, float, float] | None:
        """The next pool to empty, ``(pool index, applications the plan
        retains, the LP's retained sum)``, marked tried; None: none left, or
        an odd ``step`` before the LP's values (``empty_first``: every other
        step, so the other kinds run in between)."""
        shares = self.lp() if self.lp is not None else None
        if shares is None and self.empty_first:
            if step % 2:
                return None
            shares = NO_LP
        if shares is None:
            return None
        if shares is not self.seen:
            self.tried.clear()
            self.seen = shares
        if shares is NO_LP:  # every pool the step can free, the most retained first
            found = sorted(nb.lp_targets(plan, shares, self.ratio, whole=False),
                           key=lambda t: (-t[1], t[0]))
        else:
            found = nb.lp_targets(plan, shares, self.ratio)
        got = next((t for t in found if t[0] not in self.tried), None)
        if got is not None:
            self.tried.add(got[0])
        return got
