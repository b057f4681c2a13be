"""The neighbourhood search's ``rest`` step (issue 23, session 13): the rest
of a pool emptied, scheduled by the list scheduler and polished by CP-SAT.

On the 1,000-VM export-shaped estate the minute's plans empty DC03 and DC02
and keep about 200 VMs of DC01's clusters to the horizon's end; the LP with
its chords moves every VM by month 24. A plan that moves DC01's retained
VMs *and* its members going live late (in the months its last clusters'
VMs would otherwise wait for) to the team's free months before the site's
next costs closes the whole site, and is cheaper (``docs/solver.md``, *A
whole site emptied in the team's free months*). No step before reaches it:
the ``lp`` step frees only the retained members (and at most 400) and must
repair a hint that retains them; ``close`` keeps each application on its
option; ``pool`` frees a whole pool, most of which already left early.

A ``rest`` step takes one pool (a cluster or a site with a fixed cost,
:func:`solver.model.emptying.emptiable`) that ``plan`` does not empty: its
members retained or going live after ``late`` × the horizon (with their
``together`` partners) are placed again by the list scheduler
(:func:`solver.model.heuristic.first_plan`, the one home of the scheduling
rules), every other application held at its pair: once at the cheapest
months (the scheduler counts group costs, sites included) and once at the
earliest (a cluster's hosts go only when all its load has left, which
those costs do not see), as :func:`~solver.model.emptying.empty_whole`
does. When the cheaper candidate is complete and cheaper than ``plan``
(the exact objective), it is checked by an ordinary neighbourhood step
(``lns.sub_solve``) whose free applications are the re-placed ones, each
held to its pair in the candidate: the model checks every rule (team days,
go-live limit, ``before`` / ``together``, freezes) at no cost (0.2 s on
1,000 VMs). Freeing them to any moving pair instead gave CP-SAT too much to
do: on the 1,000-VM plan's DC01 (260 applications) no solution in 1
deterministic s, the candidate itself in 3; within ±2 months of the
candidate's, the candidate itself in 1 and 3. The months are left to the
``shift`` sweeps the better plan wakes. The pools are taken in
turn, each at most once per plan value (:class:`Rests`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solver.model.build import Choice
from solver.model.costs import Weights, dot
from solver.model.extract import derive
from solver.model.heuristic import Pairs, first_plan
from solver.model.prep import Prep

if TYPE_CHECKING:
    from solver.model.lns import Domains  # the one home of the neighbourhoods' type


class Rests:
    """The rest of one pool emptied a step, the pools in turn.

    Parameters
    ----------
    prep
        The estate.
    unit
        Each application's ``together`` group (itself included), as
        :class:`solver.model.lns.Neighbourhoods` keeps it.
    pools
        ``(name, applications)`` of each pool, in the order they are taken.
    w
        The weights of the objective (the list scheduler ranks by them).
    late
        A member going live after ``late`` × the horizon is placed again
        with the retained ones.
    """

    def __init__(self, prep: Prep, unit: dict[str, list[str]],
                 pools: list[tuple[str, list[str]]], w: Weights, late: float = 0.5) -> None:
        if not 0.0 < late <= 1.0:
            raise ValueError("a rest step needs 0 < late <= 1")
        self.prep, self.unit, self.pools, self.w = prep, unit, pools, w
        self.cut = int(late * prep.H)
        self.pairs: Pairs | None = None  # built at the first step
        self.tried: set[tuple[int, float]] = set()  # (pool index, plan value)
        self.last = ""  # the name of the pool of the last step

    def rest(self, plan: Choice, apps: list[str]) -> set[str]:
        """The members of a pool ``plan`` does not empty that a step places
        again (retained, or live after the cut; with ``together`` partners);
        empty when ``plan`` retains none of them."""
        if not any(plan[a][0] == "retain" for a in apps):
            return set()
        out: set[str] = set()
        for a in apps:
            key, L = plan[a]
            if key == "retain" or L > self.cut:
                out.update(self.unit.get(a, [a]))
        return out

    def due(self, plan: Choice, value: float) -> bool:
        """Whether some pool with a rest has not been tried at ``value``."""
        return any((i, value) not in self.tried and self.rest(plan, apps)
                   for i, (_, apps) in enumerate(self.pools))

    def next(self, plan: Choice, value: float) -> tuple[Choice, float, Domains] | None:
        """The next untried pool's candidate (call after :meth:`due`): the
        plan with its rest placed again, its exact objective and the
        neighbourhood of the re-placed applications (each held to its pair in
        the candidate); None when the
        candidate is incomplete or not cheaper than ``value``."""
        i, apps = next((i, apps) for i, (_, apps) in enumerate(self.pools)
                       if (i, value) not in self.tried and self.rest(plan, apps))
        self.tried.add((i, value))
        self.last = self.pools[i][0]
        free = self.rest(plan, apps)
        if self.pairs is None:
            self.pairs = Pairs(self.prep)
        moving = self.pairs.moving(free)
        if moving is None:
            return None  # one of them may not move
        fixed = {a: p for a, p in plan.items() if a not in free}
        cands = []
        for earliest in (False, True):
            cand = first_plan(moving, self.w, group_aware=True, fixed=fixed, earliest=earliest)
            if len(cand) == len(plan):
                cands.append((dot(self.w, derive(self.prep, cand).vec), earliest, cand))
        if not cands:
            return None
        v, _, cand = min(cands, key=lambda t: (t[0], t[1]))
        if not v < value - 1e-6 * max(1.0, abs(value)):
            return None
        return cand, v, {a: frozenset((cand[a],)) for a in free}
