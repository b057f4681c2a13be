"""Tiny resolved estates for the solver tests, built from the dataclasses.

Every number a resolved estate needs is filled. Defaults: horizon 12 months
from 2025-04, no discounting, carbon price 0, grid 0.2 kg/kWh, one team
``migration`` with 100 days a month, no critical limit binding.
"""

from __future__ import annotations

from typing import Any

from estate.model import (
    Application,
    BudgetYear,
    Contract,
    Dependency,
    Estate,
    Option,
    Pin,
    Server,
    Settings,
    Site,
    Team,
)

__all__ = ["app", "opt", "site", "server", "make_estate", "run", "row", "moved", "Dependency",
           "Contract",
           "BudgetYear", "Pin", "Team"]


def app(app_id: str, cost: float = 0.0, **kw: Any) -> Application:
    """An application costing ``cost`` a month as it is."""
    return Application(app_id=app_id, name=app_id, current_monthly_cost=cost, **kw)


def opt(app_id: str, strategy: str = "rehost", target: str | None = "CLOUD", d: int = 1,
        one_off: float = 0.0, monthly: float = 0.0, kwh: float = 0.0,
        effort: dict[str, float] | None = None) -> Option:
    """An option (``retain`` ignores every number)."""
    if strategy == "retain":
        return Option(app_id=app_id, strategy="retain", target_site=None)
    if strategy == "retire":
        target = None
    return Option(app_id=app_id, strategy=strategy, target_site=target, duration_months=d,
                  one_off_cost=one_off, monthly_cost=monthly, monthly_kwh=kwh,
                  effort=dict(effort or {}))


def site(site_id: str, kind: str = "on_prem", pue: float = 1.0, price: float = 0.0,
         fixed: float = 0.0, exit_by: str | None = None, grid: float | None = None) -> Site:
    """A site with every number filled."""
    return Site(site_id=site_id, kind=kind, pue=pue, power_price_per_kwh=price,
                monthly_fixed_cost=fixed, exit_by=exit_by, grid_kg_per_kwh=grid)


def server(server_id: str, apps: tuple[str, ...] = (), site_id: str = "DC", kind: str = "physical",
           watts: float = 0.0, eol: str | None = None, replacement: float = 0.0,
           embodied: float = 0.0, host: str | None = None) -> Server:
    """A server with every number filled."""
    return Server(server_id=server_id, site_id=site_id, kind=kind, host_id=host,
                  end_of_life=eol, watts=watts, replacement_cost=replacement,
                  embodied_kgco2e=embodied, app_ids=tuple(apps))


def make_estate(apps: list[Application], options: list[Option], *,
                servers: list[Server] | None = None, sites: list[Site] | None = None,
                deps: list[Dependency] | None = None, contracts: list[Contract] | None = None,
                teams: list[Team] | None = None, budget: list[BudgetYear] | None = None,
                pins: list[Pin] | None = None, H: int = 12, start: str = "2025-04",
                rate: float = 0.0, carbon_price: float = 0.0, grid: float = 0.2,
                **settings: Any) -> Estate:
    """A resolved estate (sites ``DC`` on-prem and ``CLOUD`` cloud by default)."""
    st = Settings(horizon_start=start, horizon_months=H, discount_rate=rate,
                  carbon_price=carbon_price,
                  grid_by_year={y: grid for y in range(2020, 2040)}, **settings)
    return Estate(
        settings=st,
        sites=tuple(sites if sites is not None else [site("DC"), site("CLOUD", "cloud")]),
        applications=tuple(apps), servers=tuple(servers or ()), options=tuple(options),
        dependencies=tuple(deps or ()), contracts=tuple(contracts or ()),
        teams=tuple(teams if teams is not None else [Team("migration", 100.0)]),
        budget=tuple(budget or ()), pins=tuple(pins or ()), resolved=True,
        assumptions={"estimated": []},
    )


def test_factory_builds_a_resolved_estate() -> None:
    e = make_estate([app("A", 10.0)], [opt("A", "retain"), opt("A")])
    assert e.resolved and e.options_by_app["A"][1].strategy == "rehost"


def run(e: Estate, **kw: Any) -> Any:
    """Solve with one worker, a fixed seed and a short time limit."""
    from solver.solve import solve

    kw.setdefault("time_limit", 10.0)
    kw.setdefault("workers", 1)
    kw.setdefault("seed", 0)
    return solve(e, **kw)


def row(result: Any, app_id: str) -> Any:
    """The plan row of an application."""
    return next(a for a in result.plan.applications if a.app_id == app_id)


def moved(result: Any) -> dict[str, tuple[str, str | None, str | None]]:
    """app -> (strategy, start, live_from)."""
    return {a.app_id: (a.strategy, a.start, a.live_from) for a in result.plan.applications}
