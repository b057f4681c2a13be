"""First plans that empty a whole site or cluster.

A datacentre's fixed cost stops only when its last application leaves, and a
cluster's hosts are released only as its load leaves (the last ones with its
last VM): a plan that moves one application at a time sees no gain until the
last one moves. :func:`empty_whole` therefore tries, on top of a complete
plan, to move *every* application of one site or cluster: the group's
applications (closed over ``together`` partners) lose their ``retain`` pairs
and are placed again by the list scheduler
(:func:`solver.model.heuristic.first_plan`, the one home of the scheduling
rules), every other application held at its pair; once at their cheapest
months (the scheduler counts the increase of group costs, sites included) and
once at the earliest months team capacity and the rules allow (a cluster's
hosts go only when all its load has left, which the scheduler's group costs
do not see). Each candidate is valued by the caller's exact objective; the
cheapest one that passes the caller's check replaces the plan, and the others
are tried again on top of it (greedily) until none helps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from estate.derive import together_groups
from solver.model.build import Choice
from solver.model.costs import Weights
from solver.model.heuristic import Pairs, first_plan
from solver.model.prep import Prep, Vec


def emptiable(prep: Prep) -> list[tuple[str, frozenset[str], float]]:
    """``(name, applications, stake)`` of every site whose fixed cost depends
    on when its last application leaves, and of every cluster: distinct sets
    of applications, each closed over ``together`` partners, in estate order.
    The stake is what keeping it to the horizon's end rather than emptying it
    at once can cost (the range of its site table, or of its hosts' tables,
    all four components summed): a weight for drawing it, not a saving."""
    H = prep.H
    units = together_groups(prep.estate)
    out: dict[frozenset[str], tuple[str, float]] = {}

    def add(apps: frozenset[str], name: str, tables: list[list[Vec]]) -> None:
        closed = frozenset(m for a in apps for m in units.get(a, (a,)))
        stake = sum(abs(x - y) for t in tables for x, y in zip(t[H], t[0], strict=True))
        if closed:
            out.setdefault(closed, (name, stake))

    for site in prep.estate.sites:
        apps = prep.site_set.get(site.site_id, frozenset())
        table = prep.site_table(site.site_id)
        if apps and table[0] != table[H]:
            add(apps, f"site {site.site_id}", [table])
    for c in prep.clusters:
        add(c.apps, f"cluster {c.name}", [prep.host_table(h) for h in c.hosts])
    return [(name, apps, stake) for apps, (name, stake) in out.items()]


def worth_emptying(pairs: Pairs, groups: list[tuple[str, frozenset[str], float]]
                   ) -> list[tuple[str, frozenset[str], float]]:
    """The groups of which some application may stay (``retain``): one none
    of whose applications may stay is the list scheduler's own job (PSPLIB:
    every job moves), nothing to empty."""
    return [g for g in groups if any(k == "retain" for a in g[1] for k, _ in pairs.x.get(a, {}))]


@dataclass
class Emptied:
    """What :func:`empty_whole` did: the groups emptied (in order, with the
    value after each), candidates tried and seconds spent."""

    emptied: list[tuple[str, float]] = field(default_factory=list)
    tried: int = 0
    seconds: float = 0.0

    def line(self, start: float) -> str:
        """One log line (``start``: the value of the plan it began from)."""
        if not self.emptied:
            return (f"emptying whole sites and clusters: no candidate cheaper than the "
                    f"first plan ({self.tried} tried in {self.seconds:.1f} s)")
        steps = ", then ".join(f"{n}: {v:,.0f}" for n, v in self.emptied)
        return (f"emptying whole sites and clusters: {steps} from {start:,.0f} "
                f"({self.tried} candidates in {self.seconds:.1f} s)")


def empty_whole(pairs: Pairs, w: Weights, base: Choice,
                value: Callable[[Choice], float | None], ok: Callable[[Choice], bool],
                deadline: float | None = None,
                groups: list[tuple[str, frozenset[str], float]] | None = None
                ) -> tuple[Choice, Emptied]:
    """``base`` improved greedily by emptying whole sites and clusters.

    Parameters
    ----------
    pairs
        The allowed pairs of every application.
    w
        The weights the list scheduler ranks by.
    base
        A complete plan.
    value
        The exact objective of a complete plan, or None when the plan is not
        acceptable (incomplete, or over a cap).
    ok
        Whether a plan keeps every rule (called on a candidate only when it
        would win).
    deadline
        ``time.monotonic()`` after which no further round starts.
    groups
        The groups to try (default: :func:`emptiable`).

    Returns
    -------
    tuple
        The best plan (``base`` itself when no candidate was cheaper) and
        what was done.
    """
    t0 = time.monotonic()
    todo = worth_emptying(pairs, emptiable(pairs.prep) if groups is None else groups)
    stats = Emptied()
    best, start_v = base, value(base)
    if start_v is None or not todo:
        return base, stats
    best_v = start_v

    def trials(plan: Choice, apps: frozenset[str]) -> list[tuple[float, bool, Choice]]:
        """The candidates emptying ``apps`` on top of ``plan`` cheaper than ``best_v``."""
        moving = pairs.moving(apps)
        if moving is None:
            return []  # one of them may not move
        fixed = {a: p for a, p in plan.items() if a not in apps}
        out = []
        for earliest in (False, True):
            cand = first_plan(moving, w, group_aware=True, fixed=fixed, earliest=earliest)
            stats.tried += 1
            v = value(cand) if len(cand) == len(plan) else None
            if v is not None and v < best_v - 1e-6 * max(1.0, abs(best_v)):
                out.append((v, earliest, cand))
        return out

    # every group on top of the first plan, then (cheapest first) each of the
    # others on top of the best plan so far
    first: list[tuple[float, int, bool, Choice]] = []
    for gi, (_, apps, _) in enumerate(todo):
        if deadline is not None and time.monotonic() >= deadline:
            break
        first.extend((v, gi, e, c) for v, e, c in trials(best, apps))
    first.sort(key=lambda t: (t[0], t[1], t[2]))
    order = list(dict.fromkeys(gi for _, gi, _, _ in first))
    done: set[int] = set()
    for v, gi, e, c in first:
        if ok(c):
            best_v, best = v, c
            done.add(gi)
            stats.emptied.append((_label(todo[gi][0], e), v))
            break
    for gi in order if done else ():
        if gi in done or (deadline is not None and time.monotonic() >= deadline):
            continue
        for v, e, c in sorted(trials(best, todo[gi][1]), key=lambda t: (t[0], t[1])):
            if ok(c):
                best_v, best = v, c
                stats.emptied.append((_label(todo[gi][0], e), v))
                break
    stats.seconds = time.monotonic() - t0
    return best, stats


def _label(name: str, earliest: bool) -> str:
    return f"{name} ({'earliest' if earliest else 'cheapest'} months)"
