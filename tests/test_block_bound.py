"""The decomposition bound (``solver.model.blocks``): the estate cut into
blocks, each solved on its own, the sum a valid lower bound.

* By hand: a site's fixed cost shared by two applications in two blocks.
* Property: on random tiny estates (``tests/tiny_estates.py``) the block bound
  is at most the brute-force optimum for every partition of the applications,
  and the relaxation's value of the optimal plan at most its objective; with
  one block it is the optimum; blocks that share nothing (two sites, no
  binding capacity) give the optimum.
* Team days priced month by month (a Lagrangian relaxation of the team's
  capacity): still at most the optimum, for any prices >= 0.
* Per-unit contracts over the hosts of two clusters in two blocks (the
  renewal split with ``α = 1``): still at most the brute-force optimum.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_solver_factory import Contract, Team, app, make_estate, opt, server, site
from tiny_estates import brute_force, combinations, tiny_estates

from estate.model import Estate, Server
from solver.model.blocks import (
    Block,
    block_bound,
    exact_block_sum,
    partition,
    relax,
    team_prices,
)
from solver.model.costs import dot
from solver.model.extract import choice_from_decisions, derive
from solver.model.prep import Prep
from solver.solve import effective_carbon_price

SCALE = 100.0


def _weights(e: Estate) -> tuple[float, float, float, float]:
    cp = effective_carbon_price(e, "balanced", None)
    return (0.0, 1.0, 0.0, cp / 1000.0)


def _prep(e: Estate) -> Prep:
    from dataclasses import replace
    cp = effective_carbon_price(e, "balanced", None)
    return Prep(replace(e, settings=replace(e.settings, carbon_price=cp)))


def _bound(e: Estate, blocks: list[Block], start: dict | None = None) -> float:
    prep = _prep(e)
    return block_bound(prep, _weights(e), SCALE, blocks, start=start).bound


def _set_partitions(items: list[str]) -> list[list[list[str]]]:
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for part in _set_partitions(rest):
        out.append([[first], *part])
        for i in range(len(part)):
            out.append([*part[:i], [first, *part[i]], *part[i + 1:]])
    return out


def _best_plan(e: Estate) -> tuple[float, Any] | None:
    import itertools

    from tiny_estates import all_decisions

    from solver.evaluate import evaluate
    best = None
    for decs in itertools.product(*all_decisions(e)):
        ev = evaluate(e, list(decs))
        if ev.feasible and (best is None or ev.totals.objective < best[0]):
            best = (ev.totals.objective, list(decs))
    return best


def test_a_shared_site_cost_split_between_two_blocks_by_hand() -> None:
    """Site DC costs £1,000 a month while anything runs there; 4 months, no
    discounting, carbon price 0, no energy. A1 costs £100 a month as it is,
    A2 nothing; each can rehost (1 month, free; afterwards A1 £0, A2 £50 a
    month) or stay. The optimum moves both live from month 1: site 1 × £1,000
    + A1 £100 + A2 3 × £50 = £1,250 (A2 staying keeps the site: £4,000 +).

    Blocks {A1}, {A2}, the first plan that optimum: both leave at month 1 (a
    tie, one member each), so the site's weight goes to the first block. Block
    {A1}: min over L of £100·L + £1,000·L = £1,100 (L = 1). Block {A2}: its
    own cost only, least when it stays (£0). Bound £1,100 ≤ £1,250. With the
    site's weight on {A2} instead (A1's block listed second): {A2} min(stay
    £4,000, move at 1: £1,000 + £150) = £1,150, {A1} £100: £1,250, exact.
    With one block: the optimum £1,250."""
    e = make_estate([app("A1", 100.0), app("A2", 0.0)],
                    [opt("A1", "retain"), opt("A1", monthly=0.0),
                     opt("A2", "retain"), opt("A2", monthly=50.0)],
                    servers=[server("P1", ("A1",)), server("P2", ("A2",))],
                    sites=[site("DC", fixed=1000.0), site("CLOUD", "cloud")], H=4)
    best = brute_force(e)
    assert best == pytest.approx(1250.0)
    start = {"A1": ("rehost@CLOUD", 1), "A2": ("rehost@CLOUD", 1)}
    b1 = _bound(e, [Block("1", frozenset({"A1"})), Block("2", frozenset({"A2"}))], start)
    assert b1 == pytest.approx(1100.0, abs=0.05)
    assert b1 <= 1100.0
    b2 = _bound(e, [Block("2", frozenset({"A2"})), Block("1", frozenset({"A1"}))], start)
    assert b2 == pytest.approx(1250.0, abs=0.05)
    assert b2 <= 1250.0
    whole = _bound(e, [Block("all", frozenset({"A1", "A2"}))], start)
    assert whole == pytest.approx(1250.0, abs=0.05) and whole <= 1250.0
    prep = _prep(e)
    assert exact_block_sum(prep, _weights(e), [Block("1", frozenset({"A1"})),
                                               Block("2", frozenset({"A2"}))],
                           start) == pytest.approx(1250.0)


def test_partition_keeps_sites_apart_and_clusters_whole() -> None:
    """Two datacentres: one block each; a server shared by two applications
    keeps them together; ``max_apps`` cuts a site between components."""
    e = make_estate([app(a) for a in ("A1", "A2", "A3", "A4")],
                    [opt(a, "retain") for a in ("A1", "A2", "A3", "A4")],
                    servers=[server("P1", ("A1", "A2")), server("P3", ("A3",)),
                             server("P4", ("A4",), site_id="DC2")],
                    sites=[site("DC"), site("DC2"), site("CLOUD", "cloud")], H=3)
    blocks = partition(_prep(e))
    assert sorted((bl.name, sorted(bl.apps)) for bl in blocks) == [
        ("DC", ["A1", "A2", "A3"]), ("DC2", ["A4"])]
    cut = partition(_prep(e), max_apps=2)
    assert sorted(sorted(bl.apps) for bl in cut) == [["A1", "A2"], ["A3"], ["A4"]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(tiny_estates())
def test_block_bound_is_below_the_brute_force_optimum_for_every_partition(e: Estate) -> None:
    if combinations(e) > 600:
        return
    found = _best_plan(e)
    if found is None:
        return
    best, decs = found
    prep = _prep(e)
    w = _weights(e)
    choice = choice_from_decisions(prep, decs)
    assert dot(w, derive(prep, choice).vec) == pytest.approx(best, rel=1e-9, abs=1e-6)
    ids = sorted(prep.app_ids)
    for parts in _set_partitions(ids):
        blocks = [Block(str(i), frozenset(p)) for i, p in enumerate(parts)]
        for start in (choice, None):
            got = block_bound(prep, w, SCALE, blocks, start=start).bound
            assert got <= best + 1e-6, (parts, got, best)
        # the relaxation's value of the optimal plan is at most its objective
        assert exact_block_sum(prep, w, blocks, choice) <= best + 1e-6
    whole = block_bound(prep, w, SCALE, [Block("all", frozenset(ids))], start=choice).bound
    assert whole == pytest.approx(best, abs=0.5)
    # team days priced (a Lagrangian relaxation): still below, for any prices >= 0
    rng = random.Random(len(ids) * 7 + int(best))
    priced = [{"migration": [rng.choice([0.0, 5.0, 40.0]) for _ in range(prep.H)]}]
    priced.append(team_prices(prep, w, choice, 3.0))
    singles = [Block(a, frozenset({a})) for a in ids]
    for prices in priced:
        got = block_bound(prep, w, SCALE, singles, start=choice, prices=prices).bound
        assert got <= best + 1e-6, (prices, got, best)
        assert exact_block_sum(prep, w, singles, choice, prices) <= best + 1e-6


def _two_sites(seed: int) -> Estate:
    """Two datacentres with fixed costs, two or three applications each on
    their own servers, no shared contract, team capacity too large to bind."""
    rng = random.Random(seed)
    apps, options, servers = [], [], []
    for s in ("DC", "DC2"):
        for i in range(rng.randint(1, 2)):
            a = f"{s}-A{i}"
            apps.append(app(a, rng.choice([0.0, 100.0, 400.0])))
            options.append(opt(a, "retain"))
            options.append(opt(a, d=rng.randint(1, 2), one_off=rng.choice([0.0, 300.0]),
                               monthly=rng.choice([0.0, 50.0, 600.0]),
                               effort={"migration": rng.choice([0.0, 10.0])}))
            servers.append(server(f"P-{a}", (a,), site_id=s,
                                  watts=rng.choice([0.0, 300.0]),
                                  eol=rng.choice([None, "2025-06"]),
                                  replacement=rng.choice([0.0, 2500.0])))
    return make_estate(apps, options, servers=servers,
                       sites=[site("DC", fixed=rng.choice([0.0, 500.0]), price=0.2),
                              site("DC2", fixed=rng.choice([300.0, 900.0]), price=0.2),
                              site("CLOUD", "cloud")],
                       teams=[Team("migration", 1000.0)], H=4,
                       carbon_price=rng.choice([0.0, 250.0]))


@pytest.mark.parametrize("seed", range(6))
def test_blocks_that_share_nothing_give_the_optimum(seed: int) -> None:
    e = _two_sites(seed)
    best = brute_force(e)
    assert best is not None
    prep = _prep(e)
    blocks = partition(prep)
    assert len(blocks) == 2
    got = block_bound(prep, _weights(e), SCALE, blocks).bound
    assert got <= best + 1e-6
    assert got == pytest.approx(best, abs=0.5)


def _two_clusters(seed: int) -> Estate:
    """Two clusters in two datacentres; a per-core subscription covering
    every host (its renewals split between the blocks)."""
    rng = random.Random(seed)
    servers: list[Server] = []
    apps, options = [], []
    for s, cl in (("DC", "CL1"), ("DC2", "CL2")):
        hosts = [Server(f"{cl}-H{i}", s, "host", cluster=cl, cores=rng.choice([4, 8]),
                        sockets=1, ram_gb=32, watts=rng.choice([0.0, 300.0]),
                        replacement_cost=0.0, embodied_kgco2e=0.0) for i in range(2)]
        servers += hosts
        for i in range(rng.randint(1, 2)):
            a = f"{cl}-A{i}"
            apps.append(app(a, rng.choice([50.0, 200.0])))
            options += [opt(a, "retain"), opt(a, d=1, one_off=rng.choice([0.0, 300.0]),
                                               monthly=rng.choice([20.0, 120.0]))]
            servers.append(Server(f"{cl}-V{i}", s, "virtual", host_id=hosts[0].server_id,
                                  cluster=cl, vcpus=rng.choice([2, 8]), ram_gb=8, watts=0.0,
                                  replacement_cost=0.0, embodied_kgco2e=0.0, app_ids=(a,)))
    hosts_ids = tuple(x.server_id for x in servers if x.kind == "host")
    contracts = [Contract("VS", 2400.0, "2025-05-28", renewal_term_months=2, notice_months=0,
                          category="licence", unit="core",
                          unit_price=rng.choice([120.0, 600.0]),
                          min_units=rng.choice([0.0, 8.0]), covers=hosts_ids)]
    return make_estate(apps, options, servers=servers,
                       sites=[site("DC", price=0.2, fixed=rng.choice([0.0, 400.0])),
                              site("DC2", price=0.2), site("CLOUD", "cloud")], H=6,
                       contracts=contracts)


@pytest.mark.parametrize("seed", range(6))
def test_per_unit_renewals_split_between_clusters_stay_below_the_optimum(seed: int) -> None:
    e = _two_clusters(seed)
    found = _best_plan(e)
    assert found is not None
    best, decs = found
    prep = _prep(e)
    w = _weights(e)
    blocks = partition(prep)
    assert len(blocks) == 2
    choice = choice_from_decisions(prep, decs)
    rel = relax(prep, w, blocks, choice)
    assert rel.split_units + rel.dropped_units > 0  # the renewals span both blocks
    for start in (choice, None):
        got = block_bound(prep, w, SCALE, blocks, start=start).bound
        assert got <= best + 1e-6, (got, best)
    assert exact_block_sum(prep, w, blocks, choice) <= best + 1e-6


def test_prices_make_blocks_pay_for_the_team_time_they_share_by_hand() -> None:
    """Two applications, each £100 a month as it is, rehost free (1 month, 10
    team days) and free afterwards; the team has 10 days a month; 3 months, no
    discounting. One moves in month 0 (live from 1), the other in month 1
    (live from 2): £100 + £200 = £300, the optimum.

    One block each, full capacity each: both live from 1, £100 + £100 = £200.
    With the price λ_0 = £100 a team day in month 0 (0 after): a move in
    month 0 costs 10 × £100 = £1,000 more, so each block's best is min(live
    from 1 at £100 + £1,000, live from 2 at £200) = £200, and the constant
    is -λ_0 × 10 days = -£1,000: 200 + 200 - 1,000 = -£600, weaker. With
    λ_0 = £10: live from 1 costs £100 + £100 = £200 = live from 2; constant
    -£100: 200 + 200 - 100 = £300, the optimum."""
    e = make_estate([app("A1", 100.0), app("A2", 100.0)],
                    [opt("A1", "retain"), opt("A1", effort={"migration": 10.0}),
                     opt("A2", "retain"), opt("A2", effort={"migration": 10.0})],
                    teams=[Team("migration", 10.0)], H=3)
    assert brute_force(e) == pytest.approx(300.0)
    blocks = [Block("1", frozenset({"A1"})), Block("2", frozenset({"A2"}))]
    prep = _prep(e)
    w = _weights(e)
    assert block_bound(prep, w, SCALE, blocks).bound == pytest.approx(200.0, abs=0.05)
    for lam, want in ((100.0, -600.0), (10.0, 300.0)):
        prices = {"migration": [lam, 0.0, 0.0]}
        got = block_bound(prep, w, SCALE, blocks, prices=prices).bound
        assert got == pytest.approx(want, abs=0.05) and got <= 300.0


@pytest.mark.parametrize("workers", [1, 2])
def test_the_planner_runs_the_blocks_first_and_keeps_the_stronger_bound(workers: int) -> None:
    """A pooled estate of two clusters in two datacentres, CP-SAT alone
    (fewer than ``lns_min_apps`` applications): with ``block_share`` the log
    shows the blocks' bound, the live line shows a bound the blocks proved,
    and the plan and its bound keep their meaning (the brute-force optimum,
    bound at most it)."""
    from solver.model.params import SolveParams
    from solver.solve import solve

    e = _two_clusters(3)
    best = brute_force(e)
    seen: list[tuple[float, float, float, float]] = []
    r = solve(e, time_limit=20.0, workers=workers, seed=0,
              params=SolveParams(block_share=0.5, pooled_lp_share=0.0),
              progress=lambda *a: seen.append(a))
    assert any(line.startswith("block bound: £") for line in r.log), r.log
    assert r.objective == pytest.approx(best, abs=1e-6)
    assert r.bound <= r.objective + 1e-6
    assert r.bound <= best + 1e-6
    assert all(b <= best + 1e-6 for _, _, b, _ in seen)
