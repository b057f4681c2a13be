"""Decisions -> month indices and derived state (docs/planning-model.md, *Derived state*).

The one place where the rules that turn decisions into derived state are
written down: used by the reference evaluator (:mod:`solver.evaluate`), the
greedy plan, the solver's first plan and the reports. (The CP-SAT cost
tables in :mod:`solver.model.prep` are a deliberately separate second
implementation of the server/site maxima, checked against this one by the
property tests; every contract rule they use comes from
:mod:`estate.contracts`, as here.)

It maps each :class:`~estate.plan.Decision` to an option of the estate and
derives, as month indices on the axis ``0 … H-1``,

- per application: start ``s``, duration ``d``, live-from ``L = s + d``
  (``L = H`` for a retained application);
- per server: decommission month ``D`` and replacement month;
- per site: exit month;
- per contract: ``m``, ``T``, ``n``, ``b``, ``N``, renewals ``k``, end month,
  notice month and the decision ``end``/``keep`` -- by the rules of
  :mod:`estate.contracts`, the one home of every contract rule.

Standard library and :mod:`estate` only.
"""


from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from estate.clusters import clustered_hosts, clusters, host_d, pool_release, refresh
from estate.contracts import ContractTerms, contract_terms
from estate.model import DEFAULT_TEAM, Estate, Option, Strategy
from estate.months import label_at, month_index
from estate.plan import Decision
from estate.policy import residency_allows

Unit = tuple[str, ...]


@dataclass(frozen=True)
class AppState:
    """One application's decision as month indices.

    ``option`` is ``None`` for an implicit retain (no retain row).
    ``s`` is ``None`` for a retained application; ``L`` is then ``H``.
    """

    app_id: str
    option: Option | None
    strategy: Strategy
    target_site: str | None
    s: int | None
    d: int
    L: int

    @property
    def moves(self) -> bool:
        """True unless retained (retire is a move)."""
        return self.s is not None

    @property
    def to_target(self) -> bool:
        """True when it moves to a target site (not retained, not retired)."""
        return self.s is not None and self.strategy != "retire"

    @property
    def flight(self) -> range:
        """Months in flight ``s … s+d-1`` (empty when retained)."""
        return range(0) if self.s is None else range(self.s, self.s + self.d)


@dataclass(frozen=True)
class Schedule:
    """Everything derived from a set of decisions, as month indices."""

    horizon: int
    apps: dict[str, AppState]
    server_d: dict[str, int]
    replaced: dict[str, int | None]
    site_exit: dict[str, int]
    contracts: dict[str, ContractTerms]
    problems: tuple[str, ...]


def _retained(estate: Estate, app_id: str, dec: Decision | None, problems: list[str]) -> AppState:
    """State of a retained application (reporting a retain that is not allowed)."""
    H = estate.settings.horizon_months
    opts = estate.options_by_app.get(app_id, ())
    keep = next((o for o in opts if o.strategy == "retain"), None)
    if keep is None and opts:
        problems.append(f"{app_id} is retained but has no retain option (it must move)")
    if dec is not None and dec.start is not None:
        problems.append(f"{app_id} is retained but has a start ({dec.start})")
    target = keep.target_site if keep is not None else (dec.target_site if dec else None)
    return AppState(app_id, keep, "retain", target, None, 0, H)


def _app_states(estate: Estate, decisions: Sequence[Decision],
                problems: list[str]) -> dict[str, AppState]:
    hs = estate.settings.horizon_start
    given: dict[str, Decision] = {}
    for one in decisions:
        if one.app_id not in estate.app_by_id:
            problems.append(f"decision for unknown application {one.app_id}")
        elif one.app_id in given:
            problems.append(f"{one.app_id} has more than one decision")
        else:
            given[one.app_id] = one
    states: dict[str, AppState] = {}
    for app in estate.applications:
        aid = app.app_id
        dec = given.get(aid)
        if dec is None or dec.strategy == "retain":
            states[aid] = _retained(estate, aid, dec, problems)
            continue
        opt = next((o for o in estate.options_by_app.get(aid, ())
                    if o.strategy == dec.strategy and o.target_site == dec.target_site), None)
        where = f" to {dec.target_site}" if dec.target_site else ""
        if opt is None:
            problems.append(f"{aid}: unknown option {dec.strategy}{where} (treated as retained)")
            states[aid] = _retained(estate, aid, None, [])
            continue
        try:
            s = None if dec.start is None else month_index(hs, dec.start)
        except ValueError:
            s = None
        if s is None:
            problems.append(f"{aid}: {dec.strategy}{where} needs a start month in YYYY-MM form "
                            f"(got {dec.start!r}; treated as retained)")
            states[aid] = _retained(estate, aid, None, [])
            continue
        d = opt.duration_months
        states[aid] = AppState(aid, opt, opt.strategy, opt.target_site, s, d, s + d)
    return states


def _servers(estate: Estate, states: dict[str, AppState]) -> dict[str, int]:
    """Decommission month D of every server (hosts after their guests; a host of
    a cluster by the cluster rule, :func:`estate.clusters.host_d`)."""
    D: dict[str, int] = {}
    for srv in estate.servers:
        D[srv.server_id] = max((states[a].L for a in srv.app_ids if a in states), default=0)
    for host_id, guests in estate.guests_by_host.items():
        if host_id in D:
            D[host_id] = max([D[host_id]] + [D[g.server_id] for g in guests])
    live = {a: st.L for a, st in states.items()}
    for c in clusters(estate):
        D.update(host_d(c, live, estate.settings.horizon_months))
    return D


def _replacements(estate: Estate, D: dict[str, int]) -> dict[str, int | None]:
    """Replacement month e' of each server (``None`` when not replaced)."""
    H = estate.settings.horizon_months
    out: dict[str, int | None] = {}
    pooled = clustered_hosts(estate)
    for srv in estate.servers:
        out[srv.server_id] = None
        if srv.server_id in pooled:
            r = refresh(estate, srv, D[srv.server_id])
            out[srv.server_id] = r.month if r.kind == "replace" else None
        elif srv.kind in ("physical", "host") and srv.end_of_life is not None:
            e = max(month_index(estate.settings.horizon_start, srv.end_of_life), 0)
            if e < H and D[srv.server_id] > e:
                out[srv.server_id] = e
    return out


def build_schedule(estate: Estate, decisions: Sequence[Decision]) -> Schedule:
    """Map decisions to options and derive every month of the plan.

    Applications without a decision are retained. Problems with the
    decisions themselves (unknown option, missing start, …) are collected in
    ``Schedule.problems``; such an application is treated as retained.

    Raises
    ------
    ValueError
        When the estate is not resolved.
    """
    if not estate.resolved:
        raise ValueError("the evaluator needs a resolved estate; call estate.resolve.resolve")
    problems: list[str] = []
    states = _app_states(estate, decisions, problems)
    D = _servers(estate, states)
    exits: dict[str, int] = {s.site_id: 0 for s in estate.sites}
    for srv in estate.servers:
        exits[srv.site_id] = max(exits.get(srv.site_id, 0), D[srv.server_id])

    def app_of(x: str) -> tuple[int, str] | None:
        st = states.get(x)
        return None if st is None else (st.L, st.strategy)

    # a contract covering a host of a cluster serves its pool (estate.clusters.release)
    pools = pool_release(clusters(estate), {a: st.L for a, st in states.items()})
    return Schedule(
        horizon=estate.settings.horizon_months,
        apps=states,
        server_d=D,
        replaced=_replacements(estate, D),
        site_exit=exits,
        contracts=contract_terms(estate, app_of, D, exits, pools),
        problems=tuple(problems),
    )


def team_capacity(estate: Estate) -> dict[str, float]:
    """Days a month of each team; without teams, ``migration`` has
    ``settings.team_days_per_month`` (inventory.md, *settings*)."""
    if estate.teams:
        return {t.team_id: t.days_per_month for t in estate.teams}
    return {DEFAULT_TEAM: estate.settings.team_days_per_month}


def label(estate: Estate, t: int) -> str:
    """``YYYY-MM`` of month index ``t`` of the estate's horizon."""
    return label_at(estate.settings.horizon_start, t)


def retain_all(estate: Estate) -> list[Decision]:
    """A retain decision for every application (the *baseline*)."""
    return [Decision(a.app_id, "retain") for a in estate.applications]


def kwh_per_month(watts: float, estate: Estate) -> float:
    """kWh a month of an average draw of ``watts`` (``settings.hours_per_month``
    hours, 730 unless the reference data is overridden)."""
    return watts * estate.settings.hours_per_month / 1000


# -- move groups -----------------------------------------------------------------
def components(items: Iterable[str], joined: Iterable[Iterable[str]]) -> dict[str, Unit]:
    """The connected component of every item (its sorted members) when the
    items of each collection in ``joined`` are linked together (names not in
    ``items`` are ignored; an item linked to nothing is alone)."""
    parent = {x: x for x in items}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in joined:
        present = [x for x in group if x in parent]
        for x in present[1:]:
            ra, rb = find(present[0]), find(x)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = defaultdict(list)
    for x in parent:
        members[find(x)].append(x)
    units = {root: tuple(sorted(ms)) for root, ms in members.items()}
    return {x: units[find(x)] for x in parent}


def together_groups(estate: Estate) -> dict[str, Unit]:
    """The ``together`` group of every application: the sorted members of its
    connected component of ``together`` edges (itself alone when it has none)."""
    return components((a.app_id for a in estate.applications),
                      ((d.from_id, d.to_id) for d in estate.dependencies
                       if d.kind == "together"))


def units_in_order(estate: Estate) -> list[Unit]:
    """``together`` groups and single applications, topologically by ``before``.

    Members of a unit are sorted by app_id; among units ready at the same
    time the one with the smallest app_id comes first. Units on a ``before``
    cycle (which no plan can satisfy) follow in app_id order.
    """
    unit_of = together_groups(estate)
    succ: dict[Unit, set[Unit]] = {u: set() for u in unit_of.values()}
    indeg = dict.fromkeys(succ, 0)
    for dep in estate.dependencies:
        if dep.kind != "before" or dep.from_id not in unit_of or dep.to_id not in unit_of:
            continue
        u, v = unit_of[dep.from_id], unit_of[dep.to_id]
        if u != v and v not in succ[u]:
            succ[u].add(v)
            indeg[v] += 1
    ready = [(u[0], u) for u, n in indeg.items() if n == 0]
    heapq.heapify(ready)
    order: list[Unit] = []
    while ready:
        _, u = heapq.heappop(ready)
        order.append(u)
        for v in succ[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                heapq.heappush(ready, (v[0], v))
    placed = set(order)
    order += sorted((u for u in succ if u not in placed), key=lambda u: u[0])
    return order


def cloud_options(estate: Estate, app_id: str) -> list[Option]:
    """The application's options that run at a cloud site it may target (one
    without ``exit_by``, allowed by its ``data_residency``)."""
    out = []
    for o in estate.options_by_app.get(app_id, ()):
        site = estate.site_by_id.get(o.target_site or "")
        if o.to_target and site is not None and site.kind == "cloud" and site.exit_by is None \
                and residency_allows(estate, app_id, site.site_id):
            out.append(o)
    return out
