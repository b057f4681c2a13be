"""Clusters as pools in the CP-SAT model (the rule: :mod:`estate.clusters`).

For each cluster C with m hosts ranked by latest end of life and each month
t, an integer ``n[C,t]`` (hosts in service) bounded below by the rule, and
the hosts' costs as a function of it:

* loads, exact, by a chain over the months (every ``x`` once per resource)::

      load[C,t] = load[C,t+1] + Σ_{a, o} w_a · x[a,o,L=t+1]     (load[C,H] = 0)

  ``w_a`` the units (vCPU × 1000, GB × 1024) of the one-application members
  of ``a``; a member with several applications (or an application without
  ``x`` in the light model) adds ``w · u[i,t]`` with ``u`` a literal each of
  its applications' ``ge[a,t+1]`` implies;
* ``add_cluster_hosts``, per resource with one host's units ``cap``::

      cap·n[C,t] + W·full[C,t] >= load[C,t] + cap·spare·any[C,t]
      n[C,t] >= m·full[C,t]          (the ceiling is capped at m hosts)
      Σ loads + Σ sizeless members <= M·any[C,t]

  (``cap = 0``, unknown, is ``load <= W·full``: any load keeps every host);
* ``cluster_terms``: ``cost[C,t] = Element(n[C,t], [C_t(0), …, C_t(m)])``
  with ``C_t(k) = Σ_{r<=k} (f_r(t+1) - f_r(t))`` and ``f_r(D)`` the energy
  and end-of-life table of the host of rank r
  (:meth:`solver.model.prep.Prep.host_table`): host r is in service in month t
  when ``n[C,t] >= r``, so ``D_r >= t+1`` then.

Every lower bound holds for the rule's own n(t), and ``C_t`` is
non-decreasing, so the minimum sets ``n`` to the rule's value: the model's
objective and bound are the rule's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from estate.clusters import Cluster, hosts_needed, needed_by_month
from estate.policy import os_deadlines
from solver.model.variables import ge, present

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.costs import Weights, _Terms


def _member_literal(b: Builder, apps: frozenset[str], t: int
                    ) -> int | cp_model.IntVar:
    """``[D_member > t]`` bounded below: ``ge[a,t+1]`` of its one application, or a
    literal every application's ``ge`` implies (or 0 / 1 when decided)."""
    last = _held_last(b, apps)
    if last is not None:  # no variable: decided, ge(b, a, t + 1) = [L_a >= t + 1]
        return int(last >= t + 1)
    lits = [ge(b, a, t + 1) if present(b, a) else 0 for a in sorted(apps)]
    if any(isinstance(x, int) and x == 1 for x in lits):
        return 1
    real = [x for x in lits if not isinstance(x, int)]
    if not real:
        return 0
    if len(real) == 1:
        return real[0]
    key = (apps, t)
    got = b.member_cache.get(key)
    if got is None:
        got = b.m.new_bool_var(f"in_service[{'+'.join(sorted(apps))},t={t}]")
        for x in real:
            b.m.add_implication(x, got)
        b.member_cache[key] = got
    return got


def _held_last(b: Builder, apps: frozenset[str]) -> int | None:
    """The latest go-live month of ``apps`` where none has variables (held or
    absent: -1 when none is held), else None; cached per model (a
    neighbourhood's model asks it of every member, every month)."""
    got = b.held_last.get(apps)
    if got is None:
        if any(a in b.live for a in apps):
            got = -2  # has variables
        else:
            got = max((b.held[a][1] for a in apps if a in b.held), default=-1)
        b.held_last[apps] = got
    return None if got == -2 else got


Terms = tuple[list[cp_model.IntVar], list[int]]


def _chain(b: Builder, name: str, weights: dict[str, int]) -> list[cp_model.IntVar | None]:
    """``load[t]`` for t = 0 … H-1 of one-application members with ``x``: an exact
    chain from the top (each ``x[a,o,L]`` enters the row of month L-1); ``None``
    where it is 0."""
    H = b.prep.H
    by_l: dict[int, list[tuple[cp_model.IntVar, int]]] = {}
    for a, w in weights.items():
        for (_, L), v in b.x[a].items():
            if L >= 1:
                by_l.setdefault(L, []).append((v, w))
    total = sum(weights.values())
    out: list[cp_model.IntVar | None] = [None] * H
    above: cp_model.IntVar | None = None
    for t in range(H - 1, -1, -1):
        step = by_l.get(t + 1, [])
        if step:
            var = b.m.new_int_var(0, total, f"{name}[t={t}]")
            vs, cs = [v for v, _ in step], [w for _, w in step]
            if above is not None:
                vs.append(above)
                cs.append(1)
            b.m.add(cp_model.LinearExpr.weighted_sum(vs, cs) == var)
            above = var
        out[t] = above
    return out


def _expr(vs: list[cp_model.IntVar], cs: list[int], const: int = 0) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.weighted_sum(vs, cs) + const


def add_cluster_hosts(b: Builder) -> None:
    """``n``, loads and the capacity rows of every cluster (module doc). A
    cluster whose applications are all held (``Builder(held=...)``) has the
    rule's own ``n(t)`` as constants (:func:`estate.clusters.needed_by_month`)
    and no row."""
    prep = b.prep
    H = prep.H
    b.cluster_n = {}
    for c in prep.clusters:
        if b.held and all(a in b.held for a in c.apps):
            needs = needed_by_month(c, {a: b.held[a][1] for a in c.apps}, H)
            b.cluster_n[c.name] = list(needs)
            for t, k in enumerate(needs):
                b.cluster_n_t[(c.name, t)] = k
            _unsupported_hosts(b, c.name, c.hosts, list(needs))
            continue
        m = len(c.hosts)
        keep = min(c.spare, m)
        single: list[dict[str, int]] = [{}, {}]
        other: list[tuple[frozenset[str], int, int]] = []
        for apps, cpu, ram in c.members:
            a = next(iter(apps)) if len(apps) == 1 else None
            if a is not None and a in b.x:
                for i, w in enumerate((cpu, ram)):
                    if w > 0:
                        single[i][a] = single[i].get(a, 0) + w
                if cpu <= 0 and ram <= 0:
                    other.append((apps, 0, 0))
            elif a is None or present(b, a):  # held ones: constant loads
                other.append((apps, cpu, ram))
        chains = [_chain(b, f"load[{c.name},{res}]", single[i])
                  for i, res in enumerate(("cpu", "ram"))]
        W = [sum(single[i].values()) + sum((x[1] if i == 0 else x[2]) for x in other)
             for i in (0, 1)]
        caps = (c.cap_cpu, c.cap_ram)
        need_full = c.spare > m or any(
            W[i] > 0 and (caps[i] <= 0 or W[i] > caps[i] * (m - c.spare)) for i in (0, 1))
        ns = []
        anys: list[cp_model.IntVar | None] = [None] * H
        fulls: list[cp_model.IntVar | None] = [None] * H
        for t in range(H):
            n = b.m.new_int_var(0, m, f"hosts[{c.name},t={t}]")
            ns.append(n)
            b.cluster_n_t[(c.name, t)] = n
            loads: list[tuple[list[cp_model.IntVar], list[int], int]] = []
            sizeless: list[cp_model.IntVar] = []
            fixed_any = 0
            lits = [(_member_literal(b, apps, t), cpu, ram) for apps, cpu, ram in other]
            for i in (0, 1):
                head = chains[i][t]
                vs: list[cp_model.IntVar] = [head] if head is not None else []
                cs: list[int] = [1] if head is not None else []
                const = 0
                for u, cpu, ram in lits:
                    size = cpu if i == 0 else ram
                    if size <= 0:
                        continue
                    if isinstance(u, int):
                        const += size * u
                    else:
                        vs.append(u)
                        cs.append(size)
                loads.append((vs, cs, const))
            b.cluster_load[(c.name, t)] = loads
            for u, cpu, ram in lits:
                if cpu <= 0 and ram <= 0:
                    if isinstance(u, int):
                        fixed_any |= u
                    else:
                        sizeless.append(u)
            if W[0] + W[1] == 0 and not sizeless and not fixed_any:
                continue
            anyv: cp_model.IntVar | None = None
            if keep >= 1:
                anyv = anys[t] = b.m.new_bool_var(f"any[{c.name},t={t}]")
                if fixed_any:
                    b.m.add(anyv == 1)
                vs = loads[0][0] + loads[1][0] + sizeless
                cs = loads[0][1] + loads[1][1] + [1] * len(sizeless)
                big = W[0] + W[1] + len(sizeless)
                b.m.add(_expr(vs, cs, loads[0][2] + loads[1][2]) <= big * anyv)
            full: cp_model.IntVar | None = None
            if need_full:
                full = fulls[t] = b.m.new_bool_var(f"full[{c.name},t={t}]")
                b.m.add(n >= m * full)
            rows = 0
            for i in (0, 1):
                if W[i] <= 0:
                    continue
                vs, cs, const = loads[i]
                if caps[i] <= 0:
                    assert full is not None
                    b.m.add(_expr(vs, cs, const) <= W[i] * full)
                    continue
                lhs_v: list[cp_model.IntVar] = [n]
                lhs_c: list[int] = [caps[i]]
                if full is not None:
                    lhs_v.append(full)
                    # the least big-M that frees the row at n = m (tight_pools),
                    # or the original, larger one by cap·m
                    lhs_c.append(max(0, W[i] + caps[i] * (keep - m)) if b.tight_pools
                                 else W[i] + caps[i] * keep)
                rhs_v, rhs_c = list(vs), list(cs)
                if anyv is not None:
                    rhs_v.append(anyv)
                    rhs_c.append(caps[i] * keep)
                b.m.add(_expr(lhs_v, lhs_c) >= _expr(rhs_v, rhs_c, const))
                rows += 1
                if b.tight_pools and W[i] > caps[i] * (m - keep):
                    _chord(b, n, anyv, keep, m, W[i], vs, cs, const)
            if anyv is not None and (sizeless or fixed_any or rows == 0):
                b.m.add(n >= keep * anyv)
            if b.member_links:
                _link_members(b, c, t, n, anyv)
        b.cluster_n[c.name] = list(ns)
        b.cluster_any[c.name] = anys
        b.cluster_full[c.name] = fulls
        _unsupported_hosts(b, c.name, c.hosts, list(ns))
        if b.time_cuts:
            add_time_cuts(b, c.name)
        if b.team_cuts:
            from solver.model.team_cuts import add_team_cuts, applies
            if applies(b):
                add_team_cuts(b, c, ns)


def add_time_cuts(b: Builder, name: str) -> None:
    """Time-coupled cuts of one pool: nothing it keeps rises from a month to
    the next::

        n[C,t+1] <= n[C,t]      any[C,t+1] <= any[C,t]      full[C,t+1] <= full[C,t]

    Valid for some optimal plan, so the bound stays a bound. Take any
    feasible plan and set ``n[C,t]`` to the rule's own
    (:func:`estate.clusters.needed_by_month`), ``any[C,t]`` to "some member
    in service" and ``full[C,t]`` to ``[n[C,t] = m]``. A member in service in
    month t+1 is in service in month t (``u[i,t] = [D_i > t]``), so the set
    in service, the loads and hence the rule's ``n`` only fall over time, and
    so do ``any`` and ``full``. Every row of :func:`add_cluster_hosts` holds
    for those values (they are lower bounds on ``n``, met by the rule's; a
    full pool only relaxes its rows), and so does the unsupported-OS cap
    ``n[C,t] <= r - 1`` for t >= x (the rule's ``n`` is the least any plan
    can have). Nothing costs less with more hosts: the host table ``C_t`` is
    non-decreasing (:func:`cluster_terms` refuses one that is not) and a
    per-core renewal priced by :func:`host_on` costs more with more hosts in
    service. So the plan's cost does not rise and a cheapest plan survives
    the cuts: the model's optimum, and any valid bound on it, is unchanged.
    (The rule's ``n`` is non-increasing by construction: :func:`estate.clusters.host_d`
    counts a host's months in service.)"""
    for series in (b.cluster_n[name], b.cluster_any.get(name, []),
                   b.cluster_full.get(name, [])):
        for now, nxt in zip(series, series[1:], strict=False):
            if now is None or nxt is None or isinstance(now, int) or isinstance(nxt, int):
                continue
            b.m.add(nxt <= now)


def _unsupported_hosts(b: Builder, name: str, hosts: tuple[str, ...],
                       ns: list[cp_model.IntVar | int]) -> None:
    """Under ``unsupported_os_policy = forbid``, a host of rank r past its end of
    support + grace x is gone: ``n[C,t] <= r - 1`` for t >= x (rule
    ``("unsupported_os", host)`` in explain mode)."""
    limits = b.prep.cache.get("os_deadlines_servers")
    if limits is None:
        limits = b.prep.cache["os_deadlines_servers"] = os_deadlines(b.prep.estate)
    for r, h in enumerate(hosts, start=1):
        x = limits.get(h)
        if x is None or x >= b.prep.H:
            continue
        for t in range(max(x, 0), b.prep.H):
            n = ns[t]
            if isinstance(n, int):  # held: the rule's n
                if n > r - 1:
                    b.m.add_bool_or([])  # infeasible as held
                continue
            ct = b.m.add(n <= r - 1)
            if b.explain:
                ct.only_enforce_if(b.rule(("unsupported_os", h)))


def _chord(b: Builder, n: cp_model.IntVar, anyv: cp_model.IntVar | None, keep: int,
           m: int, total: int, vs: list[cp_model.IntVar], cs: list[int], const: int) -> None:
    """The chord cut of a pool whose whole load needs more than its ``m - spare``
    hosts::

        W·n[C,t] >= W·spare·any[C,t] + (m - spare)·load[C,t]

    Valid: for ``0 < load <= W``, ``min(m, spare + ceil(load/cap)) >= spare +
    (m - spare)·load/W`` because ``W/cap >= m - spare`` and the left side is
    concave in ``load``; it is the concave rule's chord from an empty pool to
    a full one. Without it the LP can meet a full pool's load with half its
    hosts (``full`` at one half)."""
    lhs = total * n
    rhs = (m - keep) * _expr(vs, cs, const)
    if anyv is not None and keep:
        rhs = rhs + total * keep * anyv
    b.m.add(lhs >= rhs)


def _link_members(b: Builder, c: Cluster, t: int, n: cp_model.IntVar,
                  anyv: cp_model.IntVar | None) -> None:
    """Disaggregated linking of each member to the pool (valid cuts, exact
    objective): a member in service in month t keeps at least the hosts the
    rule needs for it alone, ``need_i = hosts_needed(C, cpu_i, ram_i, any)``
    (:func:`estate.clusters.hosts_needed`; ``n(t)`` only grows with the set in
    service), so::

        u[i,t] => n[C,t] >= need_i        (one implication per member)
        u[i,t] => any[C,t]

    with ``u[i,t] = [D_i > t]`` (``ge[a,t+1]`` of a one-application VM). The
    aggregated rows bound ``n`` by the summed load only (``n >= load/cap +
    spare·any`` with ``any >= load/W``): in the LP the last VM of a pool keeps
    a sliver of a host, where the rule keeps ``spare + 1`` hosts until it
    leaves. Here the LP pays ``need_i · u[i,t]`` at least."""
    by_need: dict[int, list[cp_model.IntVar]] = {}
    to_any: list[cp_model.IntVar] = []
    top = -1  # the largest need of a member surely in service (-1: none)
    for apps, cpu, ram in c.members:
        u = _member_literal(b, apps, t)
        if isinstance(u, int) and u == 0:
            continue
        need = hosts_needed(c, cpu, ram, True)
        if isinstance(u, int):
            top = max(top, need)
            continue
        if anyv is not None:
            to_any.append(u)
        if need:
            by_need.setdefault(need, []).append(u)
    if top > 0:  # one row for the members surely in service: the largest need
        b.m.add(n >= top)
    if top >= 0 and anyv is not None:
        b.m.add(anyv == 1)
    ons = {need: _at_least(b, c.name, need, t) for need in by_need}
    start = len(b.m.proto.constraints)  # the implications alone (Builder.link_cts)
    for u in to_any:
        assert anyv is not None
        b.m.add_implication(u, anyv)
    for need, us in by_need.items():
        for u in us:
            b.m.add_implication(u, ons[need])
    b.link_cts.append((start, len(b.m.proto.constraints)))


def _at_least(b: Builder, name: str, r: int, t: int) -> int | cp_model.IntVar:
    """``[n[C,t] >= r]`` as a literal (cached; hinted with ``n``)."""
    key = (name, r, t)
    got = b.host_on_cache.get(key)
    if got is None:
        n = b.cluster_n_t[(name, t)]
        if isinstance(n, int):
            return int(n >= r)
        if b.unary_hosts:
            return _unary(b, name, n, t)[r - 1]
        got = b.m.new_bool_var(f"host_on[{name},rank={r},t={t}]")
        b.m.add(n >= r).only_enforce_if(got)
        b.m.add(n <= r - 1).only_enforce_if(got.Not())
        b.host_on_cache[key] = got
    return got


def _unary(b: Builder, name: str, n: cp_model.IntVar, t: int) -> list[cp_model.IntVar]:
    """Every ``[n[C,t] >= r]``, r = 1 … m, at once, as the unary encoding of
    ``n`` (``Builder(unary_hosts=True)``)::

        n[C,t] = Σ_r on[r,t]        on[r+1,t] <= on[r,t]

    Exact (``on[r,t] = [n >= r]`` is the only solution for an integer ``n``)
    and, unlike the two half-reified bounds of each literal alone, the LP
    convex hull of ``n``'s values: with ``n`` at 5.5 of 10 hosts the LP
    cannot keep ``Σ_r on[r,t]`` (what a per-core renewal pays for) at 2.2."""
    m = int(list(n.proto.domain)[-1])
    lits = []
    for r in range(1, m + 1):
        lit = b.m.new_bool_var(f"host_on[{name},rank={r},t={t}]")
        b.m.add(n >= r).only_enforce_if(lit)
        b.m.add(n <= r - 1).only_enforce_if(lit.Not())
        b.host_on_cache[(name, r, t)] = lit
        lits.append(lit)
    b.m.add(cp_model.LinearExpr.sum(lits) == n)
    for hi, lo in zip(lits[1:], lits, strict=False):
        b.m.add_implication(hi, lo)
    return lits


def host_on(b: Builder, server_id: str, t: int) -> int | cp_model.IntVar:
    """``[D_h > t]`` of a pooled host: host of rank r is in service in month t
    exactly when ``n[C,t] >= r`` (:func:`estate.clusters.host_d`). A literal
    equivalent to that (cached; hinted with ``n``), 0 outside the horizon.
    Used where something is priced by the hosts still in service, e.g. a
    per-core contract's renewal (:mod:`solver.model.contract_costs`)."""
    if not 0 <= t < b.prep.H:
        return 0
    c = next(c for c in b.prep.clusters if server_id in c.hosts)
    r = c.hosts.index(server_id) + 1
    return _at_least(b, c.name, r, t)


def cluster_terms(b: Builder, w: Weights, scale: float, t_: _Terms) -> None:
    """Objective terms of every cluster's hosts (module doc): one ``Element`` a
    month, its table rounded to whole scaled units (half a unit of error)."""
    from solver.model.costs import dot

    prep = b.prep
    for c in prep.clusters:
        tables = [prep.host_tables[h] for h in c.hosts]
        t_.constant += sum(dot(w, f[0]) for f in tables)
        for t, n in enumerate(b.cluster_n[c.name]):
            steps = []
            for r, f in enumerate(tables, start=1):
                delta = dot(w, f[t + 1]) - dot(w, f[t])
                if delta < 0:
                    raise ValueError(f"host {c.hosts[r - 1]}: cost decreases at D={t + 1} "
                                     "under these weights (extended support against "
                                     "replacement)")
                steps.append(delta)
            table = [0]
            acc = 0.0
            for d in steps:
                acc += d
                table.append(int(round(scale * acc)))
            if table[-1] == 0:
                t_.active += abs(scale * acc)
                continue
            if isinstance(n, int):  # every member held: the rule's n, a constant
                t_.constant += table[n] / scale
                t_.active += 0.5
                continue
            cost = b.m.new_int_var(0, table[-1], f"host_cost[{c.name},t={t}]")
            b.m.add_element(n, table, cost)
            t_.add(cost, 1, 0.5, f"pool={c.name},t={t}")
