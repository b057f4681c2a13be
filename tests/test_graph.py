"""inventory.graph: typed graph, move groups, zombies, chains, GraphML, `estate graph`."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from load_books import base_sheets, write_book

from estate.cli import main
from estate.model import Application as App
from estate.model import Dependency, Estate, Option, Server, Settings, Site
from inventory.graph import (
    before_cycle,
    build_graph,
    critical_chains,
    move_groups,
    multi_site_applications,
    summary,
    write_graphml,
    zombie_servers,
)
from inventory.load import load_estate


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(base_sheets(), tmp_path_factory.mktemp("g") / "estate.xlsx")


@pytest.fixture(scope="module")
def est(book: Path) -> Estate:
    return load_estate(book)


def test_nodes_and_typed_edges(est: Estate) -> None:
    g = build_graph(est)
    types = nx.get_node_attributes(g, "type")
    assert types["A1"] == "application" and types["H1"] == "host" and types["V1"] == "server"
    assert types["DC1"] == "site" and types["C1"] == "contract"
    assert g.number_of_nodes() == 5 + 8 + 3 + 2
    edges = {(u, v, d["type"]) for u, v, d in g.edges(data=True)}
    assert ("V1", "A1", "serves") in edges and ("V1", "H1", "hosted_on") in edges
    assert ("P2", "COLO", "located_at") in edges and ("C1", "H1", "covers") in edges
    assert ("A1", "A2", "together") in edges and ("A2", "A3", "before") in edges
    assert ("A3", "A4", "loose") in edges
    kinds = [d["type"] for _u, _v, d in g.edges(data=True)]
    assert kinds.count("located_at") == 8 and kinds.count("serves") == 5
    assert g.edges["A3", "A4", "loose"]["split_cost_per_month"] == 100


def _est(deps: list[tuple[str, str, str]], n: int = 6,
         options: tuple[Option, ...] = ()) -> Estate:
    apps = tuple(App(f"A{i}", f"a{i}") for i in range(1, n + 1))
    return Estate(settings=Settings("2025-04"), sites=(Site("DC1", "on_prem"),),
                  applications=apps,
                  servers=(Server("S1", "DC1", "physical", app_ids=tuple(a.app_id
                                                                           for a in apps)),),
                  options=options,
                  dependencies=tuple(Dependency(a, b, k) for a, b, k in deps))


def test_move_groups_are_components_of_together() -> None:
    e = _est([("A3", "A1", "together"), ("A2", "A1", "together"), ("A5", "A4", "together"),
              ("A6", "A1", "before"), ("A6", "A5", "loose")])
    assert move_groups(e) == [["A1", "A2", "A3"], ["A4", "A5"]]
    assert move_groups(_est([])) == []


def test_before_cycle() -> None:
    assert before_cycle(_est([("A1", "A2", "before"), ("A2", "A3", "before")])) is None
    cyc = before_cycle(_est([("A3", "A2", "before"), ("A2", "A4", "before"),
                             ("A4", "A3", "before"), ("A1", "A2", "before")]))
    assert cyc == ["A2", "A4", "A3", "A2"]


def test_zombies_include_hosts_of_zombies_only() -> None:
    e = Estate(settings=Settings("2025-04"), sites=(Site("DC1", "on_prem"),),
               applications=(App("A1", "a"),),
               servers=(Server("H1", "DC1", "host"),
                        Server("G1", "DC1", "virtual", host_id="H1"),
                        Server("G2", "DC1", "virtual", host_id="H1"),
                        Server("H2", "DC1", "host"),
                        Server("G3", "DC1", "virtual", host_id="H2", app_ids=("A1",)),
                        Server("G4", "DC1", "virtual", host_id="H2"),
                        Server("H3", "DC1", "host", app_ids=("A1",)),
                        Server("P1", "DC1", "physical")))
    assert zombie_servers(e) == ["H1", "G1", "G2", "G4", "P1"]


def test_zombies_in_workbook(est: Estate) -> None:
    assert zombie_servers(est) == ["Z1", "H2", "V3"]


def test_multi_site_applications(est: Estate) -> None:
    assert multi_site_applications(est) == {"A4": ["COLO", "DC1"]}


def test_critical_chains_sum_shortest_moves() -> None:
    opts = (Option("A1", "rehost", None, 3), Option("A1", "refactor", None, 5),
            Option("A1", "retain"), Option("A2", "retire", None, 1),
            Option("A3", "rehost", None, 4), Option("A5", "retain"))
    e = _est([("A1", "A2", "before"), ("A2", "A3", "before"), ("A4", "A3", "before"),
              ("A5", "A6", "before")], options=opts)
    chains = critical_chains(e, k=5)
    # A1(3) → A2(1) → A3(4) = 8 beats A4(1) → A3; A5 has only retain: counts 1
    assert [(c.apps, c.months) for c in chains] == [(("A1", "A2", "A3"), 8),
                                                    (("A5", "A6"), 2)]
    assert str(chains[0]) == "A1 → A2 → A3 (8 months)"
    assert critical_chains(e, k=1) == chains[:1]
    with pytest.raises(ValueError):
        critical_chains(_est([("A1", "A2", "before"), ("A2", "A1", "before")]))


def test_graphml_round_trip_has_no_none(est: Estate, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "e.graphml"
    write_graphml(est, out)
    text = out.read_text(encoding="utf-8")
    assert "None" not in text
    g = nx.read_graphml(out)
    assert g.nodes["A1"]["type"] == "application" and g.nodes["P1"]["app_ids"] == "A3; A4"
    assert g.nodes["V3"]["watts"] == ""  # blank, not None
    assert g.number_of_edges() == build_graph(est).number_of_edges()


def test_summary(est: Estate) -> None:
    s = summary(est)
    assert s["servers"] == {"host": 2, "virtual": 3, "physical": 3}
    assert (s["applications"], s["move_groups"], s["zombie_servers"]) == (5, 1, 3)


def test_graph_command(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    r = CliRunner().invoke(main, ["graph", str(book), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "A1, A2" in r.output and "A2 → A3 (4 months)" in r.output
    assert nx.read_graphml(out).number_of_nodes() == 18


def test_graph_command_default_out_and_bad_input(tmp_path: Path) -> None:
    book = write_book(base_sheets(), tmp_path / "mine.xlsx")
    r = CliRunner().invoke(main, ["graph", str(book)])
    assert r.exit_code == 0 and (tmp_path / "mine.graphml").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_text("nope")
    r = CliRunner().invoke(main, ["graph", str(bad), "--out", str(tmp_path / "x.graphml")])
    assert r.exit_code == 1 and "not an .xlsx" in r.output
    assert not (tmp_path / "x.graphml").exists()
