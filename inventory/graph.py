"""The estate as a graph (networkx): what runs where, what depends on what.

Nodes are applications, servers, hosts, sites and contracts (node attribute
``type``); edges are typed (edge attribute ``type`` and the edge key):

* ``serves``     server -> application (the server's ``app_ids``)
* ``hosted_on``  virtual server -> host
* ``located_at`` server -> site (where it runs today)
* ``covers``     contract -> application, server or site
* ``together``, ``before``, ``loose``  application -> application (``from_id -> to_id``)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from estate.derive import together_groups
from estate.files import atomic_write
from estate.model import Estate

NODE_TYPES = ("application", "server", "host", "site", "contract")
EDGE_TYPES = ("serves", "hosted_on", "located_at", "covers", "together", "before", "loose")


def _attrs(obj: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in vars(obj).items():
        if k.startswith("_") or k in skip:
            continue
        out[k] = v
    return out


def build_graph(estate: Estate) -> nx.MultiDiGraph:
    """Build the typed graph of an estate.

    Node ids are the estate's string ids; each node carries ``type`` (one of
    :data:`NODE_TYPES`) and the object's fields (``None`` for blanks, tuples
    for lists). Edges carry ``type`` (one of :data:`EDGE_TYPES`); dependency
    edges also carry ``split_cost_per_month``. References to unknown ids are
    skipped (a loaded estate has none).

    Parameters
    ----------
    estate
        A raw or resolved estate.

    Returns
    -------
    networkx.MultiDiGraph
    """
    g = nx.MultiDiGraph(name=estate.source or "estate")
    for s in estate.sites:
        g.add_node(s.site_id, type="site", **_attrs(s, ("site_id",)))
    for a in estate.applications:
        g.add_node(a.app_id, type="application", **_attrs(a, ("app_id",)))
    for sv in estate.servers:
        g.add_node(sv.server_id, type="host" if sv.kind == "host" else "server",
                   **_attrs(sv, ("server_id",)))
    for c in estate.contracts:
        g.add_node(c.contract_id, type="contract", **_attrs(c, ("contract_id",)))

    def typed(node: str, *types: str) -> bool:
        return node in g and g.nodes[node].get("type") in types

    for sv in estate.servers:
        if typed(sv.site_id, "site"):
            g.add_edge(sv.server_id, sv.site_id, key="located_at", type="located_at")
        if sv.host_id is not None and typed(sv.host_id, "host", "server"):
            g.add_edge(sv.server_id, sv.host_id, key="hosted_on", type="hosted_on")
        for app_id in sv.app_ids:
            if typed(app_id, "application"):
                g.add_edge(sv.server_id, app_id, key="serves", type="serves")
    for c in estate.contracts:
        for x in c.covers:
            if x in g and x != c.contract_id:
                g.add_edge(c.contract_id, x, key="covers", type="covers")
    for d in estate.dependencies:
        if typed(d.from_id, "application") and typed(d.to_id, "application"):
            g.add_edge(d.from_id, d.to_id, key=d.kind, type=d.kind,
                       split_cost_per_month=d.split_cost_per_month)
    return g


def _dependency_graph(estate: Estate, kind: str) -> nx.DiGraph:
    g = nx.DiGraph()
    for d in estate.dependencies:
        if d.kind == kind and d.from_id != d.to_id:
            g.add_edge(d.from_id, d.to_id)
    return g


def move_groups(estate: Estate) -> list[list[str]]:
    """Applications that must move together: connected components of ``together``
    (:func:`estate.derive.together_groups`, the one derivation).

    Returns
    -------
    list of list of str
        Each group sorted by id, groups sorted; applications in no
        ``together`` dependency (singletons) are left out.
    """
    units = set(together_groups(estate).values())
    return sorted(list(u) for u in units if len(u) > 1)


def before_cycle(estate: Estate) -> list[str] | None:
    """A cycle of ``before`` dependencies, or ``None`` when there is none.

    Returns
    -------
    list of str or None
        The cycle as a closed walk starting and ending at its smallest id,
        e.g. ``["A1", "A2", "A3", "A1"]`` for ``A1 → A2 → A3 → A1``.
    """
    g = _dependency_graph(estate, "before")
    try:
        edges = nx.find_cycle(g, source=sorted(g.nodes))
    except nx.NetworkXNoCycle:
        return None
    nodes = [u for u, _v in edges]
    i = nodes.index(min(nodes))
    nodes = nodes[i:] + nodes[:i]
    return nodes + [nodes[0]]


def zombie_servers(estate: Estate) -> list[str]:
    """Servers that nothing needs: D = 0 in docs/planning-model.md.

    A server is a zombie when it serves no (known) application and hosts no
    virtual server that is not itself a zombie; so a host whose guests are all
    zombies, and which serves nothing itself, is a zombie too.

    Returns
    -------
    list of str
        Server ids in workbook order.
    """
    apps = set(estate.app_by_id)
    guests: dict[str, list[str]] = {}
    for s in estate.servers:
        if s.host_id is not None:
            guests.setdefault(s.host_id, []).append(s.server_id)
    serves = {s.server_id: any(a in apps for a in s.app_ids) for s in estate.servers}
    memo: dict[str, bool] = {}

    def needed(sid: str, seen: frozenset[str] = frozenset()) -> bool:
        if sid in memo:
            return memo[sid]
        if sid in seen:
            return False
        result = serves.get(sid, False) or any(
            needed(g, seen | {sid}) for g in guests.get(sid, ()))
        memo[sid] = result
        return result

    return [s.server_id for s in estate.servers if not needed(s.server_id)]


def multi_site_applications(estate: Estate) -> dict[str, list[str]]:
    """Applications served by servers at more than one site.

    Returns
    -------
    dict
        ``app_id -> sorted site ids``, in workbook order of applications.
    """
    sites: dict[str, set[str]] = {}
    for s in estate.servers:
        for a in s.app_ids:
            sites.setdefault(a, set()).add(s.site_id)
    return {a.app_id: sorted(sites[a.app_id]) for a in estate.applications
            if len(sites.get(a.app_id, ())) > 1}


@dataclass(frozen=True)
class Chain:
    """A chain of ``before`` dependencies and its shortest possible length."""

    apps: tuple[str, ...]
    months: int

    def __str__(self) -> str:
        return " → ".join(self.apps) + f" ({self.months} months)"


def min_move_months(estate: Estate, app_id: str) -> int:
    """Fewest months in flight of any non-retain option of an application.

    1 when it has no non-retain option listed (a raw estate's application with
    no ``options`` rows gets a generated one on resolve, at least a month).
    """
    durations = [o.duration_months for o in estate.options_by_app.get(app_id, ())
                 if o.moves]
    return max(1, min(durations)) if durations else 1


def critical_chains(estate: Estate, k: int = 5) -> list[Chain]:
    """The ``k`` longest chains of ``before`` dependencies.

    ``before`` (a, b) means b cannot start until a is live, so a chain
    ``a1 → a2 → … → an`` takes at least the sum of each member's shortest
    move (:func:`min_move_months`) — a lower bound on the calendar time the
    chain needs, whatever else the plan does. For each application that ends
    a chain (no outgoing ``before``), the heaviest chain ending there is
    found (longest path in the DAG); the ``k`` heaviest of those are returned,
    longest first (ties by ids). Chains of one application are left out.

    Raises
    ------
    ValueError
        When the ``before`` dependencies form a cycle (a loaded estate has none).
    """
    g = _dependency_graph(estate, "before")
    if not nx.is_directed_acyclic_graph(g):
        raise ValueError("the before dependencies form a cycle")
    weight = {n: min_move_months(estate, n) for n in g.nodes}
    best: dict[str, tuple[int, tuple[str, ...]]] = {}
    for n in nx.lexicographical_topological_sort(g):
        preds = [best[p] for p in g.predecessors(n)]
        if preds:
            w = max(pw for pw, _ in preds)
            path = min(pp for pw, pp in preds if pw == w)
            best[n] = (w + weight[n], path + (n,))
        else:
            best[n] = (weight[n], (n,))
    chains = [Chain(best[n][1], best[n][0]) for n in g.nodes
              if g.out_degree(n) == 0 and len(best[n][1]) > 1]
    chains.sort(key=lambda c: (-c.months, c.apps))
    return chains[:k]


def _graphml_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, tuple | list):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{a}={b}" for a, b in v.items())
    return str(v)


def write_graphml(estate: Estate, path: str | os.PathLike[str]) -> None:
    """Write :func:`build_graph` as GraphML (blanks as empty text, lists as ``a; b``).

    The file is written to a temporary name and moved into place
    (:func:`estate.files.atomic_write`: an existing file keeps its permissions;
    a read-only file or a symbolic link is refused).

    GraphML has no null, so ``None`` becomes ``""``; tuples become ``;``
    lists and mappings ``k=v; …``. Each attribute keeps one type across nodes
    (numbers that are blank on some nodes are written as text on all nodes
    that carry that attribute, since GraphML declares one type per key).
    """
    g = build_graph(estate)
    out = nx.MultiDiGraph(name=str(g.graph.get("name", "")))
    node_attrs = [{k: _graphml_value(v) for k, v in d.items()} for _n, d in g.nodes(data=True)]
    # one type per attribute name: mixed types (a number blank elsewhere) -> text
    kinds: dict[str, set[type]] = {}
    for d in node_attrs:
        for k, v in d.items():
            kinds.setdefault(k, set()).add(type(v))
    for (n, _), d in zip(g.nodes(data=True), node_attrs, strict=True):
        out.add_node(n, **{k: (str(v) if len(kinds[k]) > 1 else v) for k, v in d.items()})
    for u, v, key, d in g.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, **{a: _graphml_value(b) for a, b in d.items()})
    atomic_write(path, lambda tmp: nx.write_graphml(out, tmp))


def summary(estate: Estate) -> dict[str, Any]:
    """Counts that describe an estate at a glance (for ``estate validate``).

    Returns
    -------
    dict
        ``applications``, ``servers`` (by kind), ``sites`` (by kind),
        ``contracts``, ``options``, ``dependencies`` (by kind), ``move_groups``,
        ``zombie_servers`` (count) and ``multi_site_applications`` (count).
    """
    def by_kind(objs: Iterable[Any], attr: str = "kind") -> dict[str, int]:
        out: dict[str, int] = {}
        for o in objs:
            out[getattr(o, attr)] = out.get(getattr(o, attr), 0) + 1
        return out

    return {
        "applications": len(estate.applications),
        "servers": by_kind(estate.servers),
        "sites": by_kind(estate.sites),
        "contracts": len(estate.contracts),
        "options": len(estate.options),
        "dependencies": by_kind(estate.dependencies),
        "move_groups": len(move_groups(estate)),
        "zombie_servers": len(zombie_servers(estate)),
        "multi_site_applications": len(multi_site_applications(estate)),
    }
