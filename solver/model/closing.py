"""The neighbourhood search's ``close`` step (issue 23): one pool's whole set
of moves re-timed at once, so that the month it closes can move.

A cluster's hosts, its per-core contract and a site's fixed cost stop only
when the pool's last application leaves. On the SizingWorkshop sample the
minute's plans empty the small clusters (``Cluster1``, ``Mgmt``) before
their contracts' first renewal, at the cost of using the team's scarce
months for them; the cheaper plan found in 337 s renews those contracts
once, lets their last members wait until the site closes anyway and gives
the team's months to the large cluster (``docs/solver.md``, *Re-timing a
pool's closing*). No ``shift`` window reaches that: it is a jump of a year
for a handful of applications, and it pays only when all of a pool's last
members jump together.

A ``close`` step frees every moving application of one pool (a cluster or a
site with a fixed cost, :func:`solver.model.emptying.emptiable`; with its
``together`` partners), each restricted to **its own option** and to any
month from ``back`` months before the pool's first go-live to the horizon's
end (within the pairs no rule forbids), every other application held. It is
the neighbourhood search's ordinary sub-model (``lns.sub_solve``): team
days, go-live limit, ``before`` / ``together``, freezes and notice stay in
their one home, the model.

The pools are taken in turn, in estate order (:class:`Closings`), skipping
those with no moving application or more than ``max_apps``; a round over
every pool that improved nothing puts the ``close`` steps to sleep until
another kind of step improves the plan (:meth:`Closings.record`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solver.model.build import Choice
from solver.model.prep import Prep
from solver.model.variables import allowed_pairs

if TYPE_CHECKING:
    from solver.model.lns import Domains  # the one home of the neighbourhoods' type


class Closings:
    """One pool's moving applications re-timed a step, the pools in turn.

    Parameters
    ----------
    prep
        The estate.
    unit
        Each application's ``together`` group (itself included), as
        :class:`solver.model.lns.Neighbourhoods` keeps it.
    pools
        ``(name, applications)`` of each pool, in the order they are taken.
    max_apps
        A pool whose plan moves more applications than this is skipped.
    back
        How many months before the pool's first go-live its applications may
        take.
    """

    def __init__(self, prep: Prep, unit: dict[str, list[str]],
                 pools: list[tuple[str, list[str]]], max_apps: int = 150,
                 back: int = 2) -> None:
        if max_apps < 1 or back < 0:
            raise ValueError("a close step needs max_apps >= 1 and back >= 0")
        self.prep, self.unit, self.back, self.max_apps = prep, unit, back, max_apps
        self.pools = pools
        self.cursor = 0  # the index in ``pools`` of the next pool
        self.left = len(pools)  # pools still to try in the round under way
        self.gained = False  # whether the round under way improved the plan
        self.asleep = False
        self.last = ""  # the name of the pool of the last step

    def _members(self, plan: Choice, apps: list[str]) -> list[str]:
        return [a for a in apps if self.prep.app_by_id[a].opt(plan[a][0]).moves]

    def due(self, plan: Choice) -> bool:
        """Whether a ``close`` step is due: not while asleep, and some pool
        has between 1 and ``max_apps`` moving applications in ``plan``. A
        round that ends without a better plan falls asleep."""
        if self.asleep:
            return False
        if not any(0 < len(self._members(plan, apps)) <= self.max_apps
                   for _, apps in self.pools):
            return False
        if self.left <= 0:
            if not self.gained:
                self.asleep = True
                return False
            self.left, self.gained = len(self.pools), False
        return True

    def record(self, kind: str, improved: bool) -> None:
        """A step of ``kind`` ended (``improved``: with a better plan): a
        ``close`` step's counts for the round; another kind's better plan
        wakes the ``close`` steps for a new round."""
        if kind == "close":
            self.gained |= improved
        elif improved and self.asleep:
            self.asleep, self.left, self.gained = False, len(self.pools), False

    def next(self, plan: Choice) -> tuple[str, Domains]:
        """The next pool's name and neighbourhood (call after :meth:`due`)."""
        for _ in range(len(self.pools)):
            name, apps = self.pools[self.cursor]
            self.cursor = (self.cursor + 1) % len(self.pools)
            self.left -= 1
            members = self._members(plan, apps)
            if 0 < len(members) <= self.max_apps:
                self.last = name
                return name, self.domains(plan, members)
        return "", {}

    def domains(self, plan: Choice, members: list[str]) -> Domains:
        """``members`` (moving applications of one pool of ``plan``) with
        their ``together`` partners, each restricted to its option and to
        the months from ``back`` before the members' first go-live (or its
        own month, if earlier) to the horizon's end."""
        lo = min(plan[a][1] for a in members) - self.back
        out: Domains = {}
        for a in members:
            for b in self.unit.get(a, [a]):
                if b in out:
                    continue
                key, L = plan[b]
                start = min(L, lo)
                pairs = {(o.key, m) for o, m in allowed_pairs(self.prep, self.prep.app_by_id[b])
                         if o.key == key and m >= start}
                pairs.add((key, L))
                out[b] = frozenset(pairs)
        return out
