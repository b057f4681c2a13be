"""Clusters as pools in the CP-SAT model (the rule: :mod:`estate.clusters`).

For each cluster C with m hosts ranked by latest end of life, month t and
level r = 1 … m, a literal ``y[C,t,r] >= [n_t >= r]`` (host of rank r in
service in month t; members only leave, so the true values never rise). With ``u[i,t]`` the
in-service literal of member i (``ge[a,t+1]`` for a one-application member,
else a literal implied by each of its applications' ``ge``) and w its units:

* ``add_cluster_hosts``: for every level k = spare … m-1 (``n_t <= k`` ⇒
  both ceilings fit in k - spare hosts; with ``cap = 0``, unknown, any load
  needs every host)::

      Σ_i cpu_i·u[i,t] <= (k - spare)·cap_cpu + M_cpu·y[C,t,k+1]
      Σ_i ram_i·u[i,t] <= (k - spare)·cap_ram + M_ram·y[C,t,k+1]

  and ``u[i,t] ⇒ y[C,t,min(m, spare)]`` (something in service keeps the
  spare hosts). A capacity of 0 (unknown) makes any load need all m hosts.
* ``cluster_terms``: host h of rank r, ``D_h = Σ_t y[C,t,r]``, costs
  ``f_h(0) + Σ_{k=1..H} (f_h(k) - f_h(k-1))·y[C,k-1,r]`` with ``f_h`` its
  energy and end-of-life table (:meth:`solver.model.prep.Prep.host_table`).

Every literal is only bounded from below by the loads, so a plan's true n(t)
is always feasible and, f_h being non-decreasing, the minimum sets y to it:
the model's optimum and bound are those of the rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from estate.clusters import hosts_needed
from solver.model.variables import ge

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.costs import Weights, _Terms


def _member_literal(b: Builder, apps: frozenset[str], t: int
                    ) -> int | cp_model.IntVar:
    """``[D_member > t]`` bounded below: ``ge[a,t+1]`` of its one application, or a
    literal every application's ``ge`` implies (or 0 / 1 when decided)."""
    lits = [ge(b, a, t + 1) if a in b.live else 0 for a in sorted(apps)]
    if any(isinstance(x, int) and x == 1 for x in lits):
        return 1
    real = [x for x in lits if not isinstance(x, int)]
    if not real:
        return 0
    if len(real) == 1:
        return real[0]
    key = ("member", apps, t)
    got = b.group_cache.get(key)
    if got is None:
        got = b.m.new_bool_var(f"in_service[{'+'.join(sorted(apps))},t={t}]")
        for x in real:
            b.m.add_implication(x, got)
        b.group_cache[key] = got
    return got


def add_cluster_hosts(b: Builder) -> None:
    """The ``y`` literals and the capacity rows of every cluster (module doc).

    Each ``y[C,t,r]`` is forced on its own by the row of level r-1, so the
    order chains between levels and months (which the minimum satisfies
    anyway) are left out; a member with no size keeps the spare hosts through
    an implication, the others through the level-``spare`` rows. A month whose
    members are all decided gets constants, not rows.
    """
    prep = b.prep
    H = prep.H
    b.cluster_y = {}
    for c in prep.clusters:
        m = len(c.hosts)
        y = {(t, r): b.m.new_bool_var(f"hosts[{c.name},t={t},n>={r}]")
             for t in range(H) for r in range(1, m + 1)}
        b.cluster_y[c.name] = y
        for t in range(H):
            members = [(_member_literal(b, apps, t), cpu, ram) for apps, cpu, ram in c.members]
            members = [(u, cpu, ram) for u, cpu, ram in members
                       if not (isinstance(u, int) and u == 0)]
            if not members:
                continue
            if all(isinstance(u, int) for u, _, _ in members):  # decided: n(t) is known
                n = hosts_needed(c, sum(x for _, x, _ in members),
                                 sum(x for _, _, x in members), True)
                for r in range(1, n + 1):
                    b.m.add(y[t, r] == 1)
                continue
            keep = min(m, c.spare)
            if keep >= 1:
                for u, cpu, ram in members:
                    if isinstance(u, int):
                        b.m.add(y[t, keep] == 1)
                    elif cpu <= 0 and ram <= 0:
                        b.m.add_implication(u, y[t, keep])
            sized: list[tuple[int | cp_model.IntVar, int, int]] = [
                (u, int(cpu), int(ram)) for u, cpu, ram in members]
            for pick, cap in ((1, c.cap_cpu), (2, c.cap_ram)):
                terms: list[tuple[int | cp_model.IntVar, int]] = [
                    (u, cpu if pick == 1 else ram) for u, cpu, ram in sized]
                terms = [(u, x) for u, x in terms if x > 0]
                if not terms:
                    continue
                total: int = sum(x for _, x in terms)
                load = cp_model.LinearExpr.weighted_sum([u for u, _ in terms],
                                                        [w for _, w in terms])
                for k in range(c.spare, m):
                    room = (k - c.spare) * cap
                    if room >= total:
                        break
                    b.m.add(load <= room + y[t, k + 1] * int(total - room))


def cluster_terms(b: Builder, w: Weights, scale: float, t_: _Terms) -> None:
    """Objective terms of every clustered host (module doc)."""
    from solver.model.costs import dot

    prep = b.prep
    for c in prep.clusters:
        y = b.cluster_y[c.name]
        for r, h in enumerate(c.hosts, start=1):
            table = prep.host_tables[h]
            t_.constant += dot(w, table[0])
            for k in range(1, prep.H + 1):
                delta = dot(w, table[k]) - dot(w, table[k - 1])
                if delta == 0.0:
                    continue
                if delta < 0:
                    raise ValueError(f"host {h}: cost decreases at D={k} under these "
                                     "weights (extended support against replacement)")
                coeff = int(round(scale * delta))
                if coeff == 0:
                    t_.active += abs(scale * delta)
                    continue
                t_.add(y[k - 1, r], coeff, 0.5)
