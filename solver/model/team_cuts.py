"""Cuts tying a pool's host count to the team's cumulative capacity.

The chord cut of :mod:`solver.model.clusters` is the convex hull of one
month's (load, n) pairs, but the LP reaches its points by mixing a pool left
whole with a pool emptied early, which the team may not have the days for:
with 60 days a month and one day a VM, 227 VMs cannot have left by month 1.
So for pool C and month t, with ``I`` the members whose being in service
(``u[i,t]``) is still open and ``k(t) = Σ_{i∈I} (1 - u[i,t])`` how many of
them have left by t:

* every member that has left by t went live at some ``L <= t`` and so spent
  at least its least effort ``e_i`` (over its moves, on each team) in a
  month before t; the team had ``days · t`` days in those months, so
  ``k(t) <= K_t``, the most members whose least efforts fit;
* with k members gone, at best the k largest loads (CPU and RAM taken
  apart) have gone, so ``n[C,t] >= h(k) = hosts_needed(C, cpu - top_k cpu,
  ram - top_k ram, True)`` (some member of ``I`` stays in service while
  ``k < |I|``);
* ``add_team_cuts``: for each month with ``K_t < |I|``, the lower convex
  envelope of ``(k, h(k))`` over ``k = 0 … K_t``, one row per segment::

      n[C,t] >= h(k_a) + s_a · (k(t) - k_a)

Valid for every plan (a bound on what any plan can do), not only an optimal
one, so the optimum and every bound are unchanged. Only the full model of an
ordinary plan (no held applications, not a re-plan: from the first planned
month every month's team days count), time-indexed, not in explain mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from estate.clusters import Cluster, hosts_needed
from solver.model.hull import lower_hull

if TYPE_CHECKING:
    from solver.model.build import Builder


def applies(b: Builder) -> bool:
    """Whether the cuts apply to this model (module doc)."""
    return (b.time_indexed and not b.held and not b.explain
            and b.prep.estate.first_planned == 0 and bool(b.prep.team_caps))


def least_effort(b: Builder, apps: frozenset[str], team: str) -> float:
    """Team days a member that leaves within the horizon spends at least in
    the months before it leaves: the sum over its applications of the least
    effort of any move (0 when some move needs none or runs before month 0)."""
    out = 0.0
    prep = b.prep
    for a in apps:
        xs = b.x.get(a)
        if not xs:
            return 0.0
        ap = prep.app_by_id[a]
        least = None
        for key, L in xs:
            o = ap.opt(key)
            if not o.moves or L >= prep.H:
                continue
            e = o.effort.get(team, 0.0) if (o.d >= 1 and L >= 1) else 0.0
            least = e if least is None else min(least, e)
        out += least or 0.0
    return out


def most_gone(efforts: list[float], days: float) -> int:
    """How many members can have left with ``days`` team days: the smallest
    efforts first."""
    k, used = 0, 0.0
    for e in sorted(efforts):
        if used + e > days + 1e-9:
            break
        used += e
        k += 1
    return k


def needs_after(c: Cluster, sizes: list[tuple[int, int]], fixed: tuple[int, int],
                most: int) -> list[int]:
    """``h(k)`` for k = 0 … most: the hosts the rule needs at least once any
    k of the open members have left (the largest CPU and RAM loads apart)."""
    cpu = sorted((s[0] for s in sizes), reverse=True)
    ram = sorted((s[1] for s in sizes), reverse=True)
    tot_cpu, tot_ram = sum(cpu) + fixed[0], sum(ram) + fixed[1]
    out = []
    gone_cpu = gone_ram = 0
    for k in range(most + 1):
        if k:
            gone_cpu += cpu[k - 1]
            gone_ram += ram[k - 1]
        out.append(hosts_needed(c, tot_cpu - gone_cpu, tot_ram - gone_ram, True))
    return out


def _gone(b: Builder, apps: frozenset[str], t: int) -> int | cp_model.LinearExprT:
    """``1 - u[i,t]``: the member has left by month t. For a one-application
    member with ``x``, ``Σ x[a,o,L]`` over its pairs with ``L <= t`` (no new
    variable); else ``1 - u`` of :func:`solver.model.clusters._member_literal`.
    0 / 1 when decided."""
    from solver.model.clusters import _member_literal

    a = next(iter(apps)) if len(apps) == 1 else None
    xs = b.x.get(a) if a is not None else None
    if xs:
        early = [v for (_, L), v in xs.items() if L <= t]
        if not early:
            return 0
        if len(early) == len(xs):
            return 1
        return cp_model.LinearExpr.sum(early)
    return 1 - _member_literal(b, apps, t)


def add_team_cuts(b: Builder, c: Cluster, ns: list[cp_model.IntVar]) -> int:
    """The rows of the module doc for pool ``c`` (its ``n[C,t]`` in ``ns``);
    returns how many were added."""
    prep = b.prep
    rows = 0
    teams = [(team, days) for team, days in prep.team_caps.items() if days >= 0]
    efforts = {team: [least_effort(b, apps, team) for apps, _, _ in c.members]
               for team, _ in teams}
    for t in range(1, prep.H):
        gone: list[cp_model.LinearExprT] = []  # 1 - u[i,t] of each open member
        sizes: list[tuple[int, int]] = []
        fixed = [0, 0]
        most = None
        per_team: dict[str, list[float]] = {team: [] for team, _ in teams}
        for i, (apps, cpu, ram) in enumerate(c.members):
            g = _gone(b, apps, t)
            if isinstance(g, int):
                if not g:
                    fixed[0] += cpu
                    fixed[1] += ram
                continue
            gone.append(g)
            sizes.append((cpu, ram))
            for team, _ in teams:
                per_team[team].append(efforts[team][i])
        if len(gone) < 2:
            continue
        for team, days in teams:
            k = most_gone(per_team[team], days * t)
            most = k if most is None else min(most, k)
        if most is None or most >= len(gone):
            continue
        h = needs_after(c, sizes, (fixed[0], fixed[1]), most)
        corners = lower_hull(list(enumerate(h)))
        n = ns[t]
        k_t = cp_model.LinearExpr.sum(gone)
        for (k0, h0), (k1, h1) in zip(corners, corners[1:], strict=False):
            # (k1 - k0)·n >= (k1 - k0)·h0 + (h1 - h0)·(k(t) - k0)
            dk, dh = k1 - k0, h1 - h0
            b.m.add(dk * n >= dk * h0 + dh * (k_t - k0))
            rows += 1
        if len(corners) == 1:
            b.m.add(n >= h[0])
            rows += 1
    return rows
