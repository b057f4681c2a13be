"""Tiny random estates for property tests, and their brute-force optimum.

:func:`tiny_estates` is a hypothesis strategy: 2–4 applications, random webs of
``together`` / ``before`` / ``loose`` links, options with and without
``retain``, moves dearer and cheaper than staying, servers whose end of life
falls inside or after the horizon, a site exit, a budget, blackout and freeze
months, critical applications and go-live limits. Horizons are short enough
that :func:`brute_force` can try every combination of decisions.

Used by ``tests/test_solver_vs_evaluator.py`` (a few hundred examples in CI) and
``benchmarks/bench_property.py`` (thousands).
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st
from test_solver_factory import BudgetYear, Dependency, Team, app, make_estate, opt, server, site

from estate.model import Estate
from estate.months import add_months, financial_year
from estate.plan import Decision
from solver.evaluate import evaluate

#: Most decision combinations :func:`brute_force` is asked to try.
MAX_COMBINATIONS = 1500


@st.composite
def tiny_estates(draw: Any) -> Estate:
    """A random tiny resolved estate (see the module docstring)."""
    n = draw(st.integers(2, 4))
    H = 5 if n == 2 else 4
    start = draw(st.sampled_from(["2025-04", "2025-11"]))
    ids = [f"A{i}" for i in range(1, n + 1)]
    exit_by = draw(st.integers(2, H + 1)) if draw(st.integers(0, 3)) == 0 else None
    sites = [site("DC", pue=1.5, price=0.2, fixed=draw(st.sampled_from([0.0, 500.0])),
                  exit_by=None if exit_by is None else add_months(start, exit_by)),
             site("CLOUD", "cloud", pue=1.1)]
    apps, options, servers = [], [], []
    for i, a in enumerate(ids):
        kw: dict[str, Any] = {}
        if draw(st.booleans()) and draw(st.booleans()):
            kw["criticality"] = "critical"
        if draw(st.integers(0, 5)) == 0:
            kw["blackout_months"] = (draw(st.integers(1, 12)),)
        if draw(st.integers(0, 5)) == 0:
            kw["must_finish_by"] = add_months(start, draw(st.integers(1, H + 1)))
        apps.append(app(a, draw(st.sampled_from([0.0, 100.0, 400.0])), **kw))
        if draw(st.integers(0, 3)) > 0:
            options.append(opt(a, "retain"))
        moves = 1 if n == 4 else draw(st.integers(1, 2))
        for strategy in draw(st.lists(st.sampled_from(["rehost", "retire"]), min_size=moves,
                                      max_size=moves, unique=True)):
            options.append(opt(a, strategy, d=draw(st.integers(1, 2)),
                               one_off=draw(st.sampled_from([0.0, 300.0, 2000.0])),
                               monthly=draw(st.sampled_from([0.0, 50.0, 600.0])),
                               kwh=draw(st.sampled_from([0.0, 200.0])),
                               effort={"migration": draw(st.sampled_from([0.0, 20.0, 30.0]))}))
        eol = draw(st.one_of(st.none(), st.integers(-1, H + 1)))
        servers.append(server(f"P{i}", (a,), watts=draw(st.sampled_from([0.0, 300.0])),
                              eol=None if eol is None else add_months(start, eol),
                              replacement=draw(st.sampled_from([0.0, 2500.0])),
                              embodied=500.0))
    deps = []
    for i, j in itertools.combinations(range(n), 2):
        kind = draw(st.sampled_from([None, None, "together", "before", "loose"]))
        if kind is None:
            continue
        a, b = (ids[i], ids[j]) if draw(st.booleans()) else (ids[j], ids[i])
        deps.append(Dependency(a, b, kind, 75.0 if kind == "loose" else 0.0))
    budget = []
    if draw(st.integers(0, 3)) == 0:
        budget.append(BudgetYear(financial_year(start, 0), draw(st.sampled_from([500.0,
                                                                                 2500.0]))))
    return make_estate(
        apps, options, servers=servers, sites=sites, deps=deps, budget=budget,
        teams=[Team("migration", draw(st.sampled_from([40.0, 100.0])))], H=H, start=start,
        rate=draw(st.sampled_from([0.0, 0.035])), carbon_price=draw(st.sampled_from([0.0,
                                                                                    250.0])),
        max_critical_in_flight=1, max_golives_per_month=draw(st.sampled_from([None, 1])),
        freeze_months=draw(st.sampled_from([(), (12,)])))


def all_decisions(e: Estate) -> list[list[Decision]]:
    """Per application, every decision: each option, and each start that ends
    within the horizon."""
    H, hs = e.settings.horizon_months, e.settings.horizon_start
    per_app = []
    for a in e.applications:
        ds = []
        for o in e.options_by_app[a.app_id]:
            if o.strategy == "retain":
                ds.append(Decision(a.app_id, "retain", target_site=o.target_site))
                continue
            ds += [Decision(a.app_id, o.strategy, target_site=o.target_site,
                            start=add_months(hs, s))
                   for s in range(0, H - o.duration_months + 1)]
        per_app.append(ds)
    return per_app


def combinations(e: Estate) -> int:
    """How many plans :func:`brute_force` would try."""
    out = 1
    for ds in all_decisions(e):
        out *= len(ds)
    return out


def brute_force(e: Estate) -> float | None:
    """The least objective of a plan keeping every rule (None: no such plan)."""
    best = None
    for decs in itertools.product(*all_decisions(e)):
        ev = evaluate(e, list(decs))
        if ev.feasible and (best is None or ev.totals.objective < best):
            best = ev.totals.objective
    return best
