"""Large neighbourhood search around the best plan, with neighbourhoods that
follow the estate's structure.

Each step frees a set of applications (a *neighbourhood*), holds every other
application at its (option, L) in the best plan (``Builder(domains=...)``:
only that pair gets an ``x``), and solves the small model that results with CP-SAT
(one worker, a deterministic time limit, the best plan as a complete hint). A
plan whose exact float objective is lower replaces the best plan. Sizes adapt
per neighbourhood kind: a sub-problem solved to optimality grows the next one,
one that ran out of time shrinks it.

Neighbourhoods (every one is closed over ``together`` pairs):

* ``window`` — the applications whose flight is nearest a random month;
* ``retained`` — half retained applications, half a time window (lets a
  retained application find room to move);
* ``group`` — the applications of one server / host / site / contract group
  (what a decommission date depends on; drawn by what the date can cost) plus
  a time window around them;
* ``keep`` — every application of such a group, each either kept as it is or
  retained (a whole site or host kept instead of emptied, in one step);
* ``pool`` — every application of one cluster or of one site with a fixed
  cost (:func:`solver.model.emptying.emptiable`, drawn by what keeping it can
  cost), at most 4 × the kind's size and ``max_size`` of them; when the whole group is free, every
  other time it must be emptied (no ``retain`` pair): the all-or-nothing
  saving a one-at-a-time move never sees;
* ``team`` — the applications using one team, nearest a random month;
* ``linked`` — an application and its neighbours through ``before``,
  ``together`` and ``loose`` dependencies and shared groups (breadth first);
* ``random`` — applications drawn at random;
* ``lp`` (not drawn: LP-guided, where the full model's LP relaxation was
  solved and handed over, ``lp``) — a cluster or site (as ``pool``) whose
  applications the LP retains at most ``lp_ratio`` as much as the best plan
  does: the ones the plan retains freed and forced to move (the pool
  emptied), once each, before any drawn kind: the LP points at the
  all-or-nothing saving the drawn kinds rarely reach
  (:meth:`Neighbourhoods.lp_targets`, :meth:`Neighbourhoods.emptied`);
* ``shift`` (not drawn: every ``shift_every``-th step where asked) — the
  go-live months of every moving application in a window of months, options
  fixed, the windows sweeping the plan (:mod:`solver.model.shift`);
* ``close`` (not drawn: every ``close_every``-th step where asked) — one
  pool's moving applications at any later month (:mod:`solver.model.closing`).

With one worker the search is deterministic: random choices come from the
seed, each sub-problem stops on deterministic time, and the loop stops on a
deterministic time budget (a wall-clock deadline only guards the time limit).
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from estate.derive import together_groups
from solver.model.budget import Budget
from solver.model.build import Builder, Choice
from solver.model.cap import Cap
from solver.model.closing import Closings
from solver.model.costs import Weights, build_objective, dot, pruned_domains
from solver.model.emptying import emptiable
from solver.model.extract import derive
from solver.model.lp_step import LpTargets
from solver.model.prep import Prep
from solver.model.rest import Rests
from solver.model.shift import Sweep
from solver.model.variables import allowed_pairs

KINDS = ("window", "retained", "group", "keep", "team", "linked", "random", "pool")
Domains = dict[str, frozenset[tuple[str, int]] | None]


@dataclass
class LnsStats:
    """What the search did, for the log."""

    steps: int = 0
    improved: int = 0
    dtime: float = 0.0
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    guided: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One log line."""
        kinds = "".join(f"{k} {v[1]}/{v[0]}, " for k, v in sorted(self.by_kind.items()))
        lp = f"; LP-guided: {', '.join(self.guided)}" if self.guided else ""
        return (f"neighbourhood search: {self.improved} improvements in {self.steps} steps "
                f"({kinds}{self.dtime:.1f} deterministic s{lp})")


class Neighbourhoods:
    """Precomputed structure of an estate for choosing neighbourhoods."""

    def __init__(self, prep: Prep, max_size: int = 400) -> None:
        self.prep = prep
        self.max_size = max_size
        self.apps = [ap.app_id for ap in prep.apps]
        self.links: dict[str, set[str]] = {a: set() for a in self.apps}
        for d in prep.estate.dependencies:
            if d.from_id in self.links and d.to_id in self.links:
                self.links[d.from_id].add(d.to_id)
                self.links[d.to_id].add(d.from_id)
        groups = together_groups(prep.estate)
        self.unit = {a: [m for m in groups.get(a, (a,)) if m in self.links]
                     for a in self.apps}
        self.groups = [list(g.apps) for g in prep.groups]
        self.groups_of: dict[str, list[int]] = {a: [] for a in self.apps}
        for gi, g in enumerate(self.groups):
            for a in g:
                self.groups_of[a].append(gi)
        # a group is drawn with probability proportional to what its decommission
        # date can cost (its table's range, all four components)
        ranges = [sum(abs(x - y) for x, y in zip(g.table[-1], g.table[0], strict=True))
                  for g in prep.groups]
        self.group_weights = _cumulative([r + 1e-9 for r in ranges])
        self.teams = sorted(prep.team_caps)
        pools = emptiable(prep)
        self.pools = [sorted(apps) for _, apps, _ in pools]
        self.pool_names = [name for name, _, _ in pools]
        self.pool_weights = _cumulative([stake + 1e-9 for _, _, stake in pools])

    def close(self, free: set[str]) -> set[str]:
        """``free`` with every ``together`` partner of its applications."""
        out = set()
        for a in free:
            out.update(self.unit[a])
        return out

    def _span(self, plan: Choice, a: str) -> tuple[int, int] | None:
        key, L = plan[a]
        o = self.prep.app_by_id[a].opt(key)
        return (L - o.d, L) if o.moves else None

    def _nearest(self, plan: Choice, cands: list[str], t: int, n: int,
                 rng: random.Random) -> list[str]:
        """The ``n`` moving applications of ``cands`` whose flight is nearest month ``t``."""
        scored = []
        for a in cands:
            span = self._span(plan, a)
            if span is None:
                continue
            lo, hi = span
            dist = 0 if lo <= t < hi else min(abs(t - lo), abs(t - hi + 1))
            scored.append((dist, rng.random(), a))
        scored.sort()
        return [a for _, _, a in scored[:n]]

    def _group(self, rng: random.Random) -> list[str]:
        """A group drawn by weight."""
        r = rng.random() * self.group_weights[-1]
        gi = min(bisect.bisect_left(self.group_weights, r), len(self.groups) - 1)
        return self.groups[gi]

    def pick(self, kind: str, plan: Choice, size: int, rng: random.Random) -> Domains:
        """A neighbourhood of about ``size`` applications: app id -> the pairs it
        may take (None: every allowed pair); the others keep their pair."""
        if kind == "keep" and self.groups:
            return self._keep_or_retain(plan, size, rng)
        if kind == "pool" and self.pools:
            return self._pool(min(4 * size, self.max_size), rng)
        return dict.fromkeys(self.close(self._free(kind, plan, size, rng)))

    def _keep_or_retain(self, plan: Choice, size: int, rng: random.Random) -> Domains:
        """The applications of a weighted group, each kept as it is or retained:
        a decision about a whole server, site or contract in one step."""
        g = self._group(rng)
        cap = 4 * size
        apps = self.close(set(g if len(g) <= cap else rng.sample(g, cap)))
        out: Domains = {}
        for a in apps:
            ap = self.prep.app_by_id[a]
            pairs = {plan[a]}
            if any(o.key == "retain" for o in ap.options):
                pairs.add(("retain", self.prep.H))
            out[a] = frozenset(pairs)
        return out

    def _pool(self, cap: int, rng: random.Random) -> Domains:
        """Every application of a weighted site or cluster (at most ``cap``);
        a whole one must be emptied every other time."""
        r = rng.random() * self.pool_weights[-1]
        g = self.pools[min(bisect.bisect_left(self.pool_weights, r), len(self.pools) - 1)]
        whole = len(g) <= cap
        apps = self.close(set(g if whole else rng.sample(g, cap)))
        if not (whole and rng.random() < 0.5):
            return dict.fromkeys(apps)
        return self._emptied(apps)

    def _emptied(self, apps: set[str]) -> Domains:
        """``apps`` free, each restricted to its moving pairs (none may stay)."""
        out: Domains = {}
        for a in apps:
            ap = self.prep.app_by_id[a]
            moving = frozenset((o.key, L) for o, L in allowed_pairs(self.prep, ap) if o.moves)
            out[a] = moving or None
        return out

    def lp_targets(self, plan: Choice, lp: dict[str, float], ratio: float,
                   whole: bool = True) -> list[tuple[int, float, float]]:
        """The pools (clusters and sites, :func:`~solver.model.emptying.emptiable`)
        the LP nearly empties and ``plan`` does not: ``(pool index, applications
        the plan retains, the LP's retained sum)`` of each whole pool of at most
        ``max_size`` applications where the LP's sum is at most ``ratio`` × the
        plan's count (and the plan retains at least two), the least LP share
        of the plan's first (ties: estate order). ``whole`` False: any pool
        whose retained applications (those the step frees) are at most
        ``max_size``."""
        out = []
        for gi, g in enumerate(self.pools):
            if whole and len(g) > self.max_size:
                continue
            kept = sum(1 for a in g if plan[a][0] == "retain")
            if kept > self.max_size:
                continue
            share = sum(lp.get(a, 0.0) for a in g)
            if kept >= 2 and share <= ratio * kept:
                out.append((gi, float(kept), share))
        out.sort(key=lambda t: (t[2] / t[1], t[0]))
        return out

    def emptied(self, gi: int, plan: Choice) -> Domains:
        """The applications of pool ``gi`` that ``plan`` retains (with their
        ``together`` partners), free and forced to move; the pool's others
        keep their pairs (they already leave it): the pool emptied. Freeing
        the whole pool instead (as ``pool`` does) was measured worse: from
        the same plan of 1,000 export-shaped VMs and 4 deterministic s, the
        whole cluster of 119 VMs forced empty gave −£19,611, +£5,191,
        −£24,251, +£3,753 and +£6,711 with seeds 1 to 5 (a hint the model
        must repair), its 57 retained VMs alone −£27,109, −£27,109 and
        −£27,047 with seeds 1 to 3 (``docs/solver.md``)."""
        return self._emptied(self.close({a for a in self.pools[gi] if plan[a][0] == "retain"}))

    def _free(self, kind: str, plan: Choice, size: int, rng: random.Random) -> set[str]:
        H = self.prep.H
        t = rng.randrange(H)
        if kind == "window":
            free = set(self._nearest(plan, self.apps, t, size, rng))
        elif kind == "retained":
            kept = [a for a in self.apps if self._span(plan, a) is None]
            free = set(rng.sample(kept, min(len(kept), size // 2)))
            free |= set(self._nearest(plan, self.apps, t, size - len(free), rng))
        elif kind == "group" and self.groups:
            g = self._group(rng)
            free = set(g if len(g) <= 2 * size else rng.sample(g, 2 * size))
            spans = [s for a in free if (s := self._span(plan, a)) is not None]
            if spans:
                t = sorted(s[1] for s in spans)[len(spans) // 2] - 1
            free |= set(self._nearest(plan, self.apps, t, max(size - len(free), 0), rng))
        elif kind == "team" and self.teams:
            team = self.teams[rng.randrange(len(self.teams))]
            users = [a for a in self.apps
                     if self.prep.app_by_id[a].opt(plan[a][0]).effort.get(team, 0.0) > 0]
            free = set(self._nearest(plan, users, t, size, rng))
        elif kind == "linked":
            free = self._linked(rng.choice(self.apps), size, rng)
        else:
            free = set(rng.sample(self.apps, min(size, len(self.apps))))
        return free

    def _linked(self, seed_app: str, size: int, rng: random.Random) -> set[str]:
        """Breadth first from ``seed_app`` over dependencies and shared groups."""
        seen = {seed_app}
        frontier = [seed_app]
        while frontier and len(seen) < size:
            nxt: list[str] = []
            for a in frontier:
                near = set(self.links[a])
                for gi in self.groups_of[a]:
                    g = self.groups[gi]
                    near.update(g if len(g) <= 8 else rng.sample(g, 8))
                for b in sorted(near - seen):
                    if len(seen) >= size:
                        break
                    seen.add(b)
                    nxt.append(b)
            rng.shuffle(nxt)
            frontier = nxt
        return seen


def sub_model(prep: Prep, plan: Choice, value: float, free: Domains, time_indexed: bool,
              w: Weights, held: bool = True, links: bool = True) -> Builder:
    """The model of the neighbourhood ``free`` of ``plan`` (whose objective is
    ``value``), without objective. The free applications' pairs are pruned by
    ``value`` (:func:`~solver.model.costs.pruned_domains`). ``held``: the
    others are constants (``Builder(held=...)``, a model the size of the
    neighbourhood); else each keeps one ``x`` (``Builder(domains=...)``, the
    whole estate's model with most of it fixed). Both have the same feasible
    set and objective up to a constant. ``links``: the pools' member links
    (valid cuts, :func:`solver.model.clusters._link_members`; without them
    the same feasible set and objective, a model cheaper to build)."""
    domains: dict[str, frozenset[tuple[str, int]]] = {}
    for a, keep in pruned_domains(prep, w, value, free).items():
        restrict = free[a]
        domains[a] = keep if restrict is None else keep & restrict
    fixed = {a: v for a, v in plan.items() if a not in free}
    if held and time_indexed:
        return Builder(prep, domains=domains, time_indexed=True, held=fixed,
                       member_links=links)
    domains.update((a, frozenset((v,))) for a, v in fixed.items())
    return Builder(prep, domains=domains, time_indexed=time_indexed, member_links=links)


def sub_solve(prep: Prep, plan: Choice, value: float, free: Domains, w: Weights,
              scale: float, caps: tuple[Cap, ...], seed: int, dtime: float, budget: Budget,
              time_indexed: bool, held: bool = True, presolve: bool = True,
              links: bool = True) -> tuple[cp_model.CpSolverStatus, Choice | None, float]:
    """Solve the neighbourhood ``free`` of ``plan`` (whose objective is
    ``value``; :func:`sub_model`, ``held`` and ``links`` as there): (status,
    choice or None, dtime). ``presolve``: CP-SAT's presolve on the sub-model."""
    b = sub_model(prep, plan, value, free, time_indexed, w, held, links)
    obj = build_objective(b, w, scale)
    for cap in caps:
        cap.add(b)
    b.m.minimize(obj.expr)
    b.hint(plan)
    s = cp_model.CpSolver()
    p = s.parameters
    p.num_workers = 1
    p.random_seed = seed
    p.max_deterministic_time = dtime
    p.max_time_in_seconds = max(budget.deadline - time.monotonic(), 0.01)
    p.cp_model_probing_level = 0
    p.linearization_level = 2
    p.cp_model_presolve = presolve
    status = budget.run(s, b.m)
    if status is None:
        return cp_model.UNKNOWN, None, 0.0
    got = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        got = b.choice_of(s)
    return status, got, s.deterministic_time


def search(prep: Prep, plan: Choice, w: Weights, scale: float, budget: Budget, *,
           seed: int = 0, caps: tuple[Cap, ...] = (), step_dtime: float = 1.0,
           size: int = 40, min_size: int = 4, max_size: int = 400,
           kinds: tuple[str, ...] = KINDS,
           time_indexed: bool = True,
           on_improve: Callable[[Choice, float], None] | None = None,
           held: bool = True, presolve: bool | None = None,
           rebase: Callable[[], tuple[Choice | None, float]] | None = None,
           pool_step_dtime: float | None = None,
           lp: Callable[[], dict[str, float] | None] | None = None,
           lp_step_dtime: float = 3.0, lp_ratio: float = 0.65,
           shift_every: int = 0, shift_months: int = 4, shift_step_dtime: float | None = None,
           shift_modes: tuple[str, ...] = (), shift_links: bool = True,
           empty_first: bool = False, close_every: int = 0,
           close_step_dtime: float = 1.0, close_max_apps: int = 60,
           rest_every: int = 0, rest_step_dtime: float = 1.0, rest_late: float = 0.5
           ) -> tuple[Choice, LnsStats]:
    """Improve ``plan`` (complete, valid) until the budget is spent.

    ``held`` and ``presolve``: how each step's model is built and solved
    (:func:`sub_model`, :func:`sub_solve`; ``shift_links``: the ``shift``
    steps' models with the member links); ``presolve`` None: only on an
    estate with clusters (their rows gain from it; elsewhere it costs more
    than it saves).

    Returns the best plan found and statistics. ``on_improve(plan, value)`` is
    called with each better plan (value = exact float objective). ``rebase()``,
    called before each step, may offer a better plan found elsewhere (another
    search beside this one) to continue from: (plan or None, its value).
    ``pool_step_dtime``: the deterministic seconds of a ``pool`` step (a whole
    cluster or site, often emptied: larger than the others), by default
    ``step_dtime``. ``lp()``, called before each step, may give the LP
    relaxation's retained share of each application (None: not yet, or
    never): while a pool it nearly empties (:meth:`Neighbourhoods.lp_targets`,
    ``lp_ratio``) has not been tried with these values
    (:class:`~solver.model.lp_step.LpTargets`), the step empties it (kind ``lp``, with
    ``lp_step_dtime``; no random draw, so an estate without such a pool
    searches exactly as without ``lp``); ``empty_first``: until ``lp()``
    gives values, every pool is such a target (as if the LP emptied them
    all). ``shift_every`` > 0: every
    ``shift_every``-th step, the first included, is a ``shift`` step
    (:class:`solver.model.shift.Sweep`, windows of ``shift_months``; with
    ``shift_step_dtime``, by default ``step_dtime``); 0: none.
    ``shift_modes``: the sweep's other modes, taking over in turn after a
    sweep that improved nothing (:data:`solver.model.shift.MODES`; their
    steps count as ``shift:MODE`` in the statistics). ``close_every`` > 0:
    every ``close_every``-th step (while due, and once a ``shift`` sweep has
    passed the plan's last go-live) re-times one pool's moves
    (:class:`solver.model.closing.Closings`, pools of at most
    ``close_max_apps`` moving applications, ``close_step_dtime``); 0: none.
    ``rest_every`` > 0: every ``rest_every``-th step (while due; before
    ``close``, the sweeps passed or not) empties the rest of one pool
    (:class:`solver.model.rest.Rests`, ``rest_late``, ``rest_step_dtime``).
    """
    rng = random.Random(seed)
    if presolve is None:
        presolve = bool(prep.clusters)
    nb = Neighbourhoods(prep, max_size)
    best, best_val = dict(plan), dot(w, derive(prep, plan).vec)
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"neighbourhood kinds must be some of {KINDS} (got {kinds})")
    sizes = dict.fromkeys(kinds, float(min(size, len(nb.apps))))
    score = dict.fromkeys(kinds, 1.0)
    stats = LnsStats()
    targets = LpTargets(lp, lp_ratio, empty_first)  # the LP-guided step's pools
    sweep = Sweep(prep, nb.unit, shift_months, modes=shift_modes) if shift_every > 0 else None
    closings = (Closings(prep, nb.unit, list(zip(nb.pool_names, nb.pools, strict=True)),
                         close_max_apps) if close_every > 0 else None)
    rests = (Rests(prep, nb.unit, list(zip(nb.pool_names, nb.pools, strict=True)), w,
                   rest_late) if rest_every > 0 else None)
    while budget.left() > 0.05:
        if rebase is not None:
            other, other_val = rebase()
            if other is not None and other_val < best_val - 1e-6 * max(1.0, abs(best_val)):
                best, best_val = dict(other), other_val
                if sweep is not None:
                    sweep.record("rebase", True)
        target = targets.next(nb, best, stats.steps)
        label, start, start_val = "", best, best_val
        if target is not None:
            kind, free = "lp", nb.emptied(target[0], best)
            dt = min(lp_step_dtime, budget.left())
        elif (rests is not None and stats.steps % rest_every == rest_every - 1
              and rests.due(best, best_val)):
            cand = rests.next(best, best_val)
            if cand is None:  # nothing cheaper to start from: a step of no time
                stats.steps += 1
                stats.by_kind.setdefault("rest", [0, 0])[0] += 1
                continue
            kind, (start, start_val, free) = "rest", cand
            dt = min(rest_step_dtime, budget.left())
        elif (closings is not None and stats.steps % close_every == close_every - 1
              and (sweep is None or sweep.passes > 0 or sweep.asleep) and closings.due(best)):
            kind, (_, free) = "close", closings.next(best)
            dt = min(close_step_dtime, budget.left())
        elif (sweep is not None and stats.steps % shift_every == 0
              and sweep.due(best)):
            kind, (_, free) = "shift", sweep.next(best)
            if sweep.mode_name != "plain":
                label = f"shift:{sweep.mode_name}"
            dt = min(shift_step_dtime or step_dtime, budget.left())
        else:
            kind = _choose(score, rng)
            n = max(min_size, min(int(sizes[kind]), len(nb.apps)))
            free = nb.pick(kind, best, n, rng)
            dt = min(pool_step_dtime if kind == "pool" and pool_step_dtime else step_dtime,
                     budget.left())
        status, got, used = sub_solve(prep, start, start_val, free, w, scale, caps,
                                      rng.randrange(1 << 30), dt, budget, time_indexed,
                                      held, presolve, shift_links or kind != "shift")
        budget.used += used
        stats.steps += 1
        stats.dtime += used
        rec = stats.by_kind.setdefault(label or kind, [0, 0])
        rec[0] += 1
        gain = 0.0
        if got is not None and len(got) == len(best):
            val = dot(w, derive(prep, got).vec)
            if val < best_val - 1e-6 * max(1.0, abs(best_val)):
                gain = (best_val - val) / max(abs(best_val), 1.0)
                best, best_val = got, val
                stats.improved += 1
                rec[1] += 1
                if on_improve is not None:
                    on_improve(best, best_val)
        if target is not None:
            stats.guided.append(f"{nb.pool_names[target[0]]} ({target[1]:.0f} retained, "
                                f"LP {target[2]:.1f}) {-gain * 100:+.2f} %")
            continue
        if sweep is not None:
            sweep.record(kind, gain > 0)
        if closings is not None:
            closings.record(kind, gain > 0)
        if kind in ("shift", "close", "rest"):
            continue
        if status == cp_model.OPTIMAL:
            sizes[kind] = min(max_size, sizes[kind] * 1.2 + 1)
        else:
            sizes[kind] = max(min_size, sizes[kind] * 0.8)
        score[kind] = 0.8 * score[kind] + 0.2 * (1.0 if gain > 0 else 0.1)
    return best, stats


def _cumulative(xs: list[float]) -> list[float]:
    out, total = [], 0.0
    for x in xs:
        total += x
        out.append(total)
    return out


def _choose(score: dict[str, float], rng: random.Random) -> str:
    """A kind drawn with probability proportional to its recent success."""
    total = sum(score.values())
    r = rng.random() * total
    for k, v in score.items():
        r -= v
        if r <= 0:
            return k
    return next(reversed(score))
