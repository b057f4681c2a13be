"""Assemble the CP-SAT model of a prepared estate."""

from __future__ import annotations

from ortools.sat.python import cp_model

from estate.clusters import needed_by_month
from solver.model.capacity import (
    add_budget,
    add_critical_limit,
    add_golive_limit,
    add_team_capacity,
)
from solver.model.clusters import add_cluster_hosts
from solver.model.constraints import (
    add_dependency_order,
    add_domain_rules,
    add_together,
)
from solver.model.domains import RuleId
from solver.model.extract import Choice
from solver.model.prep import Prep
from solver.model.variables import add_choice_variables, add_intervals, ge


class Builder:
    """The CP-SAT model of one estate and the handles to its variables.

    Parameters
    ----------
    prep
        Tables of the estate.
    explain
        Build the explanation model: every horizon-feasible choice exists and
        each rule instance is enforced by an assumption literal (``rules``);
        no objective.
    time_indexed
        Add the time-indexed capacity rows next to the cumulative constraints
        (a stronger LP relaxation; larger model).
    core
        Add the integer scheduling core next to the time-indexed literals:
        linear precedences between ``live`` variables (CP-SAT's scheduling
        propagators and neighbourhoods then apply) and, in a model without
        time-indexed rows, an ``end`` variable per group channelled to its
        literals in place of the month-by-month implications.
    domains
        Applications restricted to some of their allowed (option key, L)
        pairs: only those get an ``x``. A neighbourhood search holds most
        applications at one pair and restricts or frees the others.
    member_links
        Link each member of a cluster to the pool's host count the strong way
        (:func:`solver.model.clusters.add_cluster_hosts`): valid cuts that
        lift the LP bound on export-shaped estates.
    tight_pools
        A pool's capacity rows with the least big-M and its chord cut
        (:func:`solver.model.clusters.add_cluster_hosts`).
    time_cuts
        Time-coupled cuts of each pool: its host count, ``any`` and ``full``
        never rise from one month to the next
        (:func:`solver.model.clusters.add_time_cuts`).
    team_cuts
        Cuts tying each pool's host count to the team's cumulative capacity
        (:mod:`solver.model.team_cuts`).
    unary_hosts
        Each pool's ``[n[C,t] >= r]`` literals (per-core renewals, member
        links) as the unary encoding of ``n[C,t]``
        (:func:`solver.model.clusters._unary`).
    closure_cuts
        Covers on how many groups of a disjoint family can have closed by
        each month, added with the objective
        (:mod:`solver.model.closure_cuts`).
    held
        Applications held at one (option key, L) each as constants (a
        neighbourhood search's fixed part): no variable, interval or row of
        their own; every constraint family counts them on its right-hand side
        (their load, budget, release months, cluster loads) and the objective
        counts their cost as a constant. The same feasible set and objective
        (up to that constant) as holding them through ``domains``, in a model
        the size of the free part. Time-indexed, non-explain models only.
    """

    def __init__(self, prep: Prep, *, explain: bool = False, time_indexed: bool = True,
                 core: bool = True,
                 domains: dict[str, frozenset[tuple[str, int]]] | None = None,
                 member_links: bool = True, tight_pools: bool = True,
                 held: Choice | None = None, time_cuts: bool = False,
                 team_cuts: bool = False, unary_hosts: bool = False,
                 closure_cuts: bool = False) -> None:
        if held and (explain or not time_indexed):
            raise ValueError("held applications need a time-indexed, non-explain model")
        self.prep = prep
        self.held: dict[str, tuple[str, int]] = dict(held or {})
        self.member_links = member_links
        self.tight_pools = tight_pools
        self.time_cuts = time_cuts
        self.team_cuts = team_cuts
        self.unary_hosts = unary_hosts
        self.closure_cuts = closure_cuts
        self.closure_rows: set = set()  # closure_cuts.add_closure_covers' rows
        self.core = core
        # the light model states group costs through end[G] (the time-indexed
        # one through implications: there end[G] slowed the LP and took memory)
        self.group_ends = core and not time_indexed
        self.domains = domains or {}
        self.m = cp_model.CpModel()
        self.explain = explain
        self.time_indexed = time_indexed
        self.x: dict[str, dict[tuple[str, int], cp_model.IntVar]] = {}
        # light model: applications whose timing alone matters, option key and L values
        self.timing_only: dict[str, tuple[str, list[int]]] = {}
        self.choose: dict[str, dict[str, cp_model.IntVar]] = {}
        self.live: dict[str, cp_model.IntVar] = {}
        self.retain: dict[str, cp_model.IntVar | None] = {}
        self.flight: dict[str, dict[str, cp_model.IntervalVar]] = {}
        self.golive: dict[str, cp_model.IntervalVar] = {}
        self.ge_cache: dict = {}
        self.sb_cache: dict = {}
        self.group_cache: dict = {}
        self.kept_cache: dict = {}  # contract_costs.kept_literal
        self.host_on_cache: dict = {}  # clusters.host_on: (cluster, rank, t) -> [n >= rank]
        self.cover_cache: dict[int, tuple[list[int], list[str]]] = {}
        self.release_cache: dict[int, tuple[int, bool]] = {}  # costs._held_release
        self.group_sets: list[frozenset[str]] | None = None
        self.group_end: dict[int, cp_model.IntVar] = {}
        self.split_terms: list = []
        self.log: list[str] = []
        self.empty_apps: list[str] = []
        self.rules: dict[RuleId, cp_model.IntVar] = {}
        self.cluster_n: dict[str, list[cp_model.IntVar | int]] = {}
        self.cluster_n_t: dict[tuple[str, int], cp_model.IntVar | int] = {}
        self.member_cache: dict[tuple[frozenset[str], int], cp_model.IntVar] = {}
        # a member without variables: the last month its held applications run (clusters)
        self.held_last: dict[frozenset[str], int] = {}
        # the proto constraints [start, end) of the member links (clusters._link_members)
        self.link_cts: list[tuple[int, int]] = []
        self.coupling_cts: tuple[int, int] = (0, 0)  # set below
        # (cluster, t) -> the load of each resource (cpu, ram) as (vars, coeffs, const)
        self.cluster_load: dict[tuple[str, int], list[tuple[list, list[int], int]]] = {}
        # per cluster, its any[C,t] / full[C,t] by month (None where absent)
        self.cluster_any: dict[str, list[cp_model.IntVar | None]] = {}
        self.cluster_full: dict[str, list[cp_model.IntVar | None]] = {}
        add_choice_variables(self)
        if self.empty_apps and not explain:
            return  # some application has no allowed choice: infeasible as it stands
        add_intervals(self)
        add_domain_rules(self)
        add_dependency_order(self)
        add_together(self)
        first = len(self.m.proto.constraints)
        add_team_capacity(self)
        add_critical_limit(self)
        add_golive_limit(self)
        add_budget(self)
        # the proto constraints [start, end) of the capacities shared by every
        # application (team days, critical, go-lives, budget: lagrange.py)
        self.coupling_cts = (first, len(self.m.proto.constraints))
        add_cluster_hosts(self)

    @property
    def trivially_infeasible(self) -> bool:
        """Some application has no allowed (option, month) at all."""
        return bool(self.empty_apps)

    def rule(self, rule: RuleId) -> cp_model.IntVar:
        """The assumption literal of a rule instance (explain mode)."""
        lit = self.rules.get(rule)
        if lit is None:
            lit = self.m.new_bool_var("rule[" + ",".join(rule) + "]")
            self.rules[rule] = lit
        return lit

    def choice_of(self, s: cp_model.CpSolver) -> Choice:
        """The chosen (option, L) of every application in the solver's solution."""
        out: Choice = dict(self.held)
        for a, (key, _) in self.timing_only.items():
            out[a] = (key, int(s.value(self.live[a])))
        value = s.boolean_value
        for a, xs in self.x.items():
            for (key, L), v in xs.items():
                if value(v):
                    out[a] = (key, L)
                    break
        return out

    def hint(self, choice: Choice) -> int:
        """Hint a complete assignment derived from ``choice`` (e.g. the greedy
        plan): ``x``, ``live``, ``choose``, the order literals, group literals
        and split variables. Applications missing from ``choice`` or whose pair
        is not in the model are left unhinted. Returns the number of hinted
        applications."""
        prep = self.prep
        values: dict[int, tuple[cp_model.IntVar, int]] = {}

        def put(var: cp_model.IntVar | int, value: int | bool) -> None:
            if not isinstance(var, int):
                values.setdefault(var.index, (var, int(value)))

        lives: dict[str, int] = {a: L for a, (_, L) in self.held.items()}
        for a, (key, domain) in self.timing_only.items():
            pick = choice.get(a)
            if pick is not None and pick[0] == key and pick[1] in domain:
                lives[a] = pick[1]
                put(self.live[a], pick[1])
        for a, xs in self.x.items():
            pick = choice.get(a)
            if pick is None or pick not in xs:
                continue
            lives[a] = pick[1]
            for pair, v in xs.items():
                put(v, pair == pick)
            put(self.live[a], pick[1])
            for okey, c in self.choose.get(a, {}).items():
                put(c, okey == pick[0])
            o = prep.app_by_id[a].opt(pick[0])
            for k, lit in self.sb_cache.get(a, (0, 0, {}))[2].items():
                put(lit, o.to_target and pick[1] - o.d < k)
        for a, (_lo, _hi, lits) in self.ge_cache.items():
            if a in lives:
                for k, lit in lits.items():
                    put(lit, lives[a] >= k)
        top: dict[int, int | None] = {}

        def release(gi: int) -> int | None:
            if gi not in top:
                g = prep.groups[gi]
                apps = [a for a in g.apps if a in self.live or a in self.held]
                top[gi] = (prep.release(g, {a: choice[a] for a in apps})
                           if all(a in lives for a in apps) else None)
            return top[gi]

        for (gi, k), lit in self.group_cache.items():
            d = release(gi)
            if d is not None:
                put(lit, d >= k)
        for gi, end in self.group_end.items():
            d = release(gi)
            if d is not None:
                put(end, d)
        for pool in prep.clusters:  # hosts the rule needs for the hinted plan
            ns = self.cluster_n.get(pool.name)
            if ns and all(a in lives for a in pool.apps):
                needs = needed_by_month(pool, lives, prep.H)
                for n, need in zip(ns, needs, strict=True):
                    put(n, need)
                for (name, r, t), lit in self.host_on_cache.items():
                    if name == pool.name:
                        put(lit, needs[t] >= r)
        for u, wa, c_wait, mo, c_moved in self.split_terms:
            if choice.get(wa) in c_wait and choice.get(mo) in c_moved:
                put(u, max(0, c_wait[choice[wa]] - c_moved[choice[mo]]))
        for var, value in values.values():
            self.m.add_hint(var, value)
        return len(lives)


__all__ = ["Builder", "Choice", "ge"]
