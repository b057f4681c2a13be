"""A decomposition bound: the estate cut into blocks, each solved on its own.

Export-shaped estates are hundreds of one-VM applications coupled only
through what they share (a cluster's hosts, a site's fixed cost, a contract,
the team's capacity, budget caps). The applications are partitioned into
*blocks* (by datacentre, a large datacentre by cluster; a cluster, a server,
a ``together`` unit and a ``before`` pair are never split) and the problem is
relaxed so that it falls apart into one independent problem per block:

* each application's own table goes to its block, unchanged;
* a group ``G`` (site, contract, multi-application server) whose members lie
  in several blocks costs ``f_G(max_{a∈G} L_a) >= Σ_b w_b·f_G(max_{a∈G∩b} L_a)``
  for any ``w_b >= 0`` with ``Σ_b w_b = 1`` (``f_G`` non-decreasing): block
  ``b`` gets the group restricted to its members with the table ``w_b·f_G``.
  Here all the weight goes to the block whose members leave last in the
  first plan (most members on a tie);
* a per-unit renewal ``vec·max(0, U - m)`` with ``U = Σ_b U_b`` (a sum over
  servers) is at least ``α·vec·(Σ_b U_b - m)`` for ``α ∈ [0, 1]``: with
  ``α = 1`` (the first plan counts more than ``m`` units) each block gets the
  renewal with ``min_units = 0`` over its own servers and ``-vec·m`` is a
  constant; with ``α = 0`` the term is dropped. A renewal whose servers all
  lie in one block stays whole, exact;
* team capacity, critical and go-live limits and budget caps are sums over
  applications: each block keeps the full cap for its own (a sum within the
  cap has every part within it); a ``loose`` split cost (>= 0) and a
  dependency between blocks are dropped.

So ``OPT >= constant + Σ_b OPT_b >= constant + Σ_b bound_b`` for any lower
bound ``bound_b`` of block ``b``'s problem, each block solved by CP-SAT on a
model built by the same :class:`~solver.model.build.Builder` and
:func:`~solver.model.costs.build_objective` as the full model (one home for
every rule and cost) on a restricted view of :class:`~solver.model.prep.Prep`
(:func:`block_prep`). Each block's bound is CP-SAT's bound in £ minus its
objective's rounding allowance (``err``), so the sum is a true lower bound of
the exact float objective. The pairs of each block are those of the full
model (pruned by the first plan's value): a plan at most that value uses no
other pair, so the relaxation of the optimum is still in every block's model.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain

from ortools.sat.python import cp_model

from estate.derive import components, together_groups
from estate.limits import EPS, binds, month_use
from solver.model.build import Builder, Choice
from solver.model.costs import Objective, Weights, build_objective, dot
from solver.model.extract import derive
from solver.model.prep import ZERO, AppPrep, Group, OptPrep, Prep, UnitTerm, Vec, vadd
from solver.model.variables import allowed_pairs

Prices = dict[str, list[float]]  # team -> £ (objective units) a team day in month t


@dataclass(frozen=True)
class Block:
    """A named set of applications solved on its own."""

    name: str
    apps: frozenset[str]


def partition(prep: Prep, max_apps: int | None = None) -> list[Block]:
    """Blocks of the estate: one per datacentre (the site that holds most of
    a component's servers), a datacentre above ``max_apps`` applications cut
    between its components (clusters, multi-application servers, ``together``
    units, ``before`` pairs: never split), largest first, into the fewest
    blocks of at most ``max_apps`` (a component larger than that is one
    block). Applications without a server form one block ``(no site)``."""
    linked = chain((sorted(apps) for apps in prep.server_set.values()),
                   (sorted(c.apps) for c in prep.clusters),
                   set(together_groups(prep.estate).values()),
                   ((d.from_id, d.to_id) for d in prep.estate.dependencies
                    if d.kind == "before"))
    comps = {unit[0]: list(unit) for unit in components(sorted(prep.app_ids), linked).values()}
    site_of_server = {s.server_id: s.site_id for s in prep.estate.servers}
    home: dict[str, str] = {}  # application -> the site of most of its servers
    for sid, apps in sorted(prep.server_set.items()):
        for a in apps:
            home.setdefault(a, site_of_server[sid])
    by_site: dict[str, list[list[str]]] = {}
    for members in comps.values():
        votes: dict[str, int] = {}
        for a in members:
            if a in home:
                votes[home[a]] = votes.get(home[a], 0) + 1
        site = max(sorted(votes), key=lambda s: votes[s]) if votes else "(no site)"
        by_site.setdefault(site, []).append(sorted(members))
    out: list[Block] = []
    for site in sorted(by_site):
        parts = sorted(by_site[site], key=lambda m: (-len(m), m[0]))
        total = sum(len(m) for m in parts)
        if max_apps is None or total <= max_apps:
            out.append(Block(site, frozenset(a for m in parts for a in m)))
            continue
        bins: list[list[str]] = []
        for m in parts:  # first fit, largest first
            for got in bins:
                if len(got) + len(m) <= max_apps:
                    got.extend(m)
                    break
            else:
                bins.append(list(m))
        for i, got in enumerate(bins, start=1):
            out.append(Block(f"{site}#{i}", frozenset(got)))
    return out


@dataclass
class Relaxation:
    """The blocks' restricted views of the estate and the constant (£, in
    the objective's weights) the relaxation adds outside every block."""

    blocks: list[tuple[Block, Prep]]
    constant: float
    split_groups: int = 0
    split_units: int = 0
    dropped_units: int = 0


def _scaled(table: list[Vec], share: float) -> list[Vec]:
    return [(share * v[0], share * v[1], share * v[2], share * v[3]) for v in table]


def team_prices(prep: Prep, w: Weights, start: Choice, factor: float = 1.0) -> Prices:
    """Prices of team days from a plan: each team whose load reaches its
    days in some month of ``start``; ``λ_t = μ·(T - t)`` before ``T`` (the
    month after the last one at capacity), 0 from ``T`` on, with ``μ``
    (× ``factor``) the median, over the moves in flight before ``T``, of
    what a month's delay costs the move per team day it needs (its own
    table's rise from ``L`` to ``L + 1`` over effort × duration): with these
    prices moving a flight a month earlier costs ``effort·d·μ`` more, so the
    median move is indifferent. Any prices >= 0 keep the bound valid."""
    H = prep.H
    out: Prices = {}
    moves = [(a, o.option, L - o.d) for a, (key, L) in start.items()
             for o in (prep.app_by_id[a].opt(key),) if o.moves and o.option is not None]
    use = month_use(prep.estate, moves)  # the one home of team loads
    for team, days in prep.team_caps.items():
        full = [t for t in range(H) if days > 0 and binds(prep.estate, t)
                and use.days.get((team, t), 0.0) >= days * (1 - 1e-9)]
        if not full:
            continue
        T = full[-1] + 1
        rates = []
        for a, (key, L) in start.items():
            o = prep.app_by_id[a].opt(key)
            e = o.effort.get(team, 0.0)
            if o.moves and e > 0 and L - o.d < T and L + 1 in o.table:
                rise = dot(w, o.table[L + 1]) - dot(w, o.table[L])
                rates.append(max(rise, 0.0) / (e * o.d))
        if not rates:
            continue
        rates.sort()
        mu = factor * rates[len(rates) // 2]
        if mu > 0:
            out[team] = [mu * (T - t) if t < T and binds(prep.estate, t) else 0.0
                         for t in range(H)]
    return out


def _priced_apps(prep: Prep, w: Weights, prices: Prices) -> dict[str, AppPrep]:
    """Copies of the applications whose moves use a priced team, each
    option's table raised by ``Σ_t λ_t·effort`` over its months in flight
    (in the discounted-£ component, so ``w·`` adds exactly that)."""
    if not prices or w[1] <= 0:
        return {}
    H = prep.H
    out: dict[str, AppPrep] = {}
    for ap in prep.apps:
        if not any(o.moves and any(o.effort.get(t, 0.0) for t in prices)
                   for o in ap.options):
            continue
        opts = []
        for o in ap.options:
            extra = [(p, o.effort.get(team, 0.0)) for team, p in prices.items()
                     if o.moves and o.effort.get(team, 0.0) > 0]
            if not extra:
                opts.append(o)
                continue
            table = {}
            for L, v in o.table.items():
                add = sum(e * sum(p[t] for t in range(max(L - o.d, 0), min(L, H)))
                          for p, e in extra)
                table[L] = (v[0], v[1] + add / w[1], v[2], v[3])
            opts.append(_with_table(o, table))
        out[ap.app_id] = AppPrep(ap.app_id, ap.critical, ap.current, opts, ap.has_retain,
                                 ap.earliest, ap.finish_by, ap.blackout, ap.sites)
    return out


def _with_table(o: OptPrep, table: dict[int, Vec]) -> OptPrep:
    new = copy.copy(o)
    new.table = table
    return new


def relax(prep: Prep, w: Weights, blocks: list[Block], start: Choice | None = None,
          prices: Prices | None = None) -> Relaxation:
    """The restricted, weighted views of ``prep`` for ``blocks`` (the module
    doc's relaxation; ``start``, a complete plan, chooses the weights;
    ``prices``, team days priced month by month)."""
    block_of = {a: i for i, bl in enumerate(blocks) for a in bl.apps}
    d = derive(prep, start) if start is not None and len(start) == len(prep.apps) else None
    groups: list[list[Group]] = [[] for _ in blocks]
    split_groups = 0
    for g in prep.groups:
        parts: dict[int, list[str]] = {}
        for a in g.apps:
            parts.setdefault(block_of[a], []).append(a)
        if len(parts) == 1:
            (i,) = parts
            groups[i].append(g)
            continue
        split_groups += 1
        ranks = {i: (_release(prep, g, members, start) if start is not None and d is not None
                     else 0, len(members)) for i, members in parts.items()}
        heavy = max(sorted(parts), key=lambda i: ranks[i])
        for i, members in parts.items():
            share = 1.0 if i == heavy else 0.0
            if share == 0.0:
                continue
            groups[i].append(Group(f"{g.name}|{blocks[i].name}", tuple(members),
                                   _scaled(g.table, share),
                                   tuple(a for a in g.kept if a in members)))
    server_block: dict[str, int] = {}
    for sid, apps in prep.server_set.items():
        got = {block_of[a] for a in apps if a in block_of}
        if len(got) == 1:
            server_block[sid] = next(iter(got))
    units: list[list[UnitTerm]] = [[] for _ in blocks]
    constant = dot(w, prep.constant)
    split_units = dropped = 0
    for ut in prep.unit_terms:
        parts_u: dict[int, list[tuple[str, float]]] = {}
        for sid, u in ut.counted:
            bi = server_block.get(sid)
            if bi is not None:  # a server no application keeps is never in service
                parts_u.setdefault(bi, []).append((sid, u))
        if len(parts_u) <= 1:
            for i, counted in parts_u.items():
                units[i].append(UnitTerm(ut.contract_id, ut.j, ut.t0, ut.vec, ut.min_units,
                                         tuple(counted)))
            continue
        above = True
        if d is not None:
            above = sum(u for sid, u in ut.counted if d.server_d.get(sid, 0) > ut.t0) \
                > ut.min_units
        if not above:
            dropped += 1
            continue
        split_units += 1
        constant -= dot(w, ut.vec) * ut.min_units
        for i, counted in parts_u.items():
            units[i].append(UnitTerm(ut.contract_id, ut.j, ut.t0, ut.vec, 0.0, tuple(counted)))
    priced = _priced_apps(prep, w, prices or {})
    for team, p in (prices or {}).items() if priced else ():
        days = prep.team_caps[team]
        constant -= sum(p) * days * (1 + EPS)
    views = [(bl, block_prep(prep, bl.apps, groups[i], units[i], priced))
             for i, bl in enumerate(blocks)]
    return Relaxation(views, constant, split_groups, split_units, dropped)


def _release(prep: Prep, g: Group, members: list[str], start: Choice) -> int:
    """``D`` of group ``g`` restricted to ``members`` in the plan ``start``."""
    sub = Group(g.name, tuple(members), g.table, tuple(a for a in g.kept if a in members))
    return prep.release(sub, {a: start[a] for a in members})


def block_prep(prep: Prep, apps: frozenset[str], groups: list[Group],
               unit_terms: list[UnitTerm], priced: dict[str, AppPrep] | None = None) -> Prep:
    """A view of ``prep`` with only ``apps`` (their clusters, the given
    groups and per-unit renewals, loose pairs inside the block), the full
    capacities and no constant; the applications' own tables are shared."""
    priced = priced or {}
    v = copy.copy(prep)
    v.apps = [priced.get(ap.app_id, ap) for ap in prep.apps if ap.app_id in apps]
    v.app_by_id = {ap.app_id: ap for ap in v.apps}
    v.app_ids = set(apps)
    v.constant = ZERO
    v.server_set = {s: got for s, got in prep.server_set.items() if got and got <= apps}
    v.site_set = {s: got & apps for s, got in prep.site_set.items()}
    allowed = {}  # per application: the same rules (a priced copy: its own options)
    for ap in v.apps:
        pairs = allowed_pairs(prep, prep.app_by_id[ap.app_id])
        if ap.app_id in priced:
            by_key = {o.key: o for o in ap.options}
            pairs = [(by_key[o.key], L) for o, L in pairs]
        allowed[ap.app_id] = pairs
    v.cache = {"allowed": allowed}
    if "os_deadlines" in prep.cache:
        v.cache["os_deadlines"] = prep.cache["os_deadlines"]
    v.clusters = [c for c in prep.clusters if c.apps and c.apps <= apps]
    v.pooled = {h for c in v.clusters for h in c.hosts}
    v.host_tables = {h: prep.host_tables[h] for h in v.pooled}
    v.groups = list(groups)
    v.group_index = {frozenset(g.apps): i for i, g in enumerate(v.groups) if not g.kept}
    v.unit_terms = list(unit_terms)
    v.loose = [x for x in prep.loose if x[0] in apps and x[1] in apps]
    return v


@dataclass
class BlockBound:
    """The summed bound (£), each block's (name, applications, £, its CP-SAT
    status), the log lines and the deterministic seconds used."""

    bound: float
    per_block: list[tuple[str, int, float, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    dtime: float = 0.0  # deterministic seconds used


def block_bound(prep: Prep, w: Weights, scale: float, blocks: list[Block], *,
                start: Choice | None = None,
                domains: dict[str, frozenset[tuple[str, int]]] | None = None,
                time_indexed: bool = True, member_links_max_apps: int = 500,
                tight_pools: bool = True, dtime: float = math.inf,
                seconds: float = math.inf, seed: int = 0,
                on_bound: Callable[[float], None] | None = None,
                stop: threading.Event | None = None,
                prices: Prices | None = None) -> BlockBound:
    """``constant + Σ_b bound_b`` (module doc): each block's model solved by
    CP-SAT with one worker at linearization level 2 for its share of
    ``dtime`` deterministic and ``seconds`` wall seconds (by its number of
    applications), its best bound taken. ``on_bound`` gets the sum each time
    a block's bound rises (the blocks not yet solved at their trivial
    bound). Pairs are restricted to ``domains`` (the full model's, pruned by
    the first plan) where given."""
    rel = relax(prep, w, blocks, start, prices)
    built: list[tuple[Block, Builder, Objective | None]] = []
    for bl, view in rel.blocks:
        dom = {a: domains[a] for a in bl.apps if a in domains} if domains else None
        links = len(view.apps) < member_links_max_apps
        b = Builder(view, time_indexed=time_indexed, domains=dom, member_links=links,
                    tight_pools=tight_pools)
        if b.trivially_infeasible:  # no pair left: no plan within the first plan's value
            built.append((bl, b, None))
            continue
        obj = build_objective(b, w, scale)
        b.m.minimize(obj.expr)
        if start is not None:
            b.hint({a: start[a] for a in bl.apps if a in start})
        built.append((bl, b, obj))
    # a block with no model (no pair within the first plan's value: cannot
    # happen from a complete first plan) or an infeasible one gives no bound
    current = [o.trivial_bound() if o is not None else -math.inf for _, _, o in built]
    lock = threading.Lock()
    out = BlockBound(rel.constant + sum(current))

    def offer(i: int, value: float) -> None:
        with lock:
            if value <= current[i]:
                return
            current[i] = value
            total = rel.constant + sum(current)
        if on_bound is not None and math.isfinite(total):
            on_bound(total)

    out.log.append(f"block bound: {len(blocks)} blocks "
                   f"({', '.join(f'{bl.name} {len(bl.apps)}' for bl in blocks)}), "
                   f"{rel.split_groups} groups split, {rel.split_units} per-unit renewals "
                   f"split, {rel.dropped_units} dropped")

    n_apps = max(sum(len(bl.apps) for bl, _, o in built if o is not None), 1)
    t_end = time.monotonic() + seconds
    dt_left = dtime
    apps_left = n_apps
    for i, (bl, b, got) in enumerate(built):
        if got is None:
            out.per_block.append((bl.name, len(bl.apps), math.inf, "INFEASIBLE"))
            continue
        if stop is not None and stop.is_set():
            out.per_block.append((bl.name, len(bl.apps), current[i], "NOT RUN"))
            continue
        share = len(bl.apps) / max(apps_left, 1)
        apps_left -= len(bl.apps)
        s = cp_model.CpSolver()
        p = s.parameters
        p.num_workers = 1
        p.linearization_level = 2
        p.cp_model_probing_level = 0
        p.random_seed = seed
        wall = max((t_end - time.monotonic()) * share, 0.05) if math.isfinite(seconds) else 1e9
        p.max_time_in_seconds = wall
        if math.isfinite(dt_left):
            p.max_deterministic_time = max(dt_left * share, 0.01)
        o = got
        s.best_bound_callback = lambda v, i=i, o=o: offer(i, o.to_units(v) - o.err)
        status = s.solve(b.m)
        out.dtime += s.deterministic_time
        if math.isfinite(dt_left):
            dt_left = max(dt_left - s.deterministic_time, 0.0)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or (
                status == cp_model.UNKNOWN and math.isfinite(s.best_objective_bound)):
            offer(i, got.to_units(s.best_objective_bound) - got.err)
        out.per_block.append((bl.name, len(bl.apps), current[i], s.status_name(status)))
        out.log.append(f"  block {bl.name} ({len(bl.apps)} applications): bound "
                       f"£{current[i]:,.0f}, {s.status_name(status)} in {s.wall_time:.1f}s "
                       f"({s.deterministic_time:.1f} deterministic s), "
                       f"{len(b.m.proto.constraints)} constraints")
    out.bound = rel.constant + sum(current)
    if any(st in ("INFEASIBLE", "MODEL_INVALID") for *_, st in out.per_block):
        out.bound = -math.inf
    out.log.append(f"block bound: £{out.bound:,.0f}")
    return out


def exact_block_sum(prep: Prep, w: Weights, blocks: list[Block], choice: Choice,
                    prices: Prices | None = None) -> float:
    """The relaxation's value of a complete plan (for tests: at most the
    plan's exact objective when the plan keeps every rule)."""
    rel = relax(prep, w, blocks, choice, prices)
    total = rel.constant
    for bl, view in rel.blocks:
        sub = {a: choice[a] for a in bl.apps}
        vec = derive(view, sub).vec
        total += dot(w, vec)
    return total


__all__ = ["Block", "BlockBound", "Prices", "Relaxation", "block_bound", "block_prep",
           "exact_block_sum", "partition", "relax", "team_prices", "vadd"]
