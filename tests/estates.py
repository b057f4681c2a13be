"""Small resolved estates for tests, built from keyword overrides.

Every number is filled (``resolved=True``) and defaults to zero, so a test
sets exactly the figures it works out by hand::

    est = make_estate(apps=[app("A1", current_monthly_cost=100)], horizon_months=6)

Defaults of :func:`make_estate`: horizon 2025-04 + 12 months, discount rate 0,
carbon price 0, UK grid 0.2 kg/kWh every year, team ``migration`` with 60 days
a month, one critical application in flight at most; sites ``DC1`` (on_prem)
and ``CLOUD`` (cloud), both PUE 1 and power price 0; applications ``A1`` and
``A2``, each served by one physical server (``S1``, ``S2`` at ``DC1``) and
with options ``retain`` and ``rehost`` to ``CLOUD`` (2 months, no cost).

:func:`sample_estate` is a richer 4-application estate with non-zero figures
everywhere (host and guests, contracts, dependencies, budget).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

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

if TYPE_CHECKING:
    from solver.model.build import Builder
    from solver.model.costs import Objective
    from solver.model.prep import Prep

HS = "2025-04"
__all__ = ["Application", "BudgetYear", "Contract", "Dependency", "Estate", "Option", "Pin",
           "Server", "Settings", "Site", "Team", "app", "contract", "dep", "make_estate",
           "option", "retain", "sample_estate", "server", "site", "HS"]


def site(site_id: str, kind: str = "on_prem", **kw: Any) -> Site:
    """A site with PUE 1, power price 0 (override any field)."""
    kw.setdefault("pue", 1.0)
    kw.setdefault("power_price_per_kwh", 0.0)
    return Site(site_id=site_id, kind=kind, **kw)


def app(app_id: str, **kw: Any) -> Application:
    """An application named after its id."""
    kw.setdefault("name", app_id)
    return Application(app_id=app_id, **kw)


def server(server_id: str, site_id: str = "DC1", kind: str = "physical",
           apps: Iterable[str] = (), **kw: Any) -> Server:
    """A server drawing 0 W, replaced at no cost (override any field)."""
    for name in ("watts", "replacement_cost", "embodied_kgco2e"):
        kw.setdefault(name, 0.0)
    return Server(server_id=server_id, site_id=site_id, kind=kind, app_ids=tuple(apps), **kw)


def option(app_id: str, strategy: str = "rehost", target_site: str | None = "CLOUD",
           duration: int = 2, **kw: Any) -> Option:
    """A moving option (``retire`` drops the target)."""
    if strategy == "retire":
        target_site = None
    return Option(app_id=app_id, strategy=strategy, target_site=target_site,
                  duration_months=duration, **kw)


def retain(app_id: str, site_id: str = "DC1") -> Option:
    """The retain option of an application."""
    return Option(app_id=app_id, strategy="retain", target_site=site_id)


def dep(from_id: str, to_id: str, kind: str, split: float = 0.0) -> Dependency:
    """A dependency."""
    return Dependency(from_id, to_id, kind, split)


def contract(contract_id: str, annual_value: float, end_date: str, **kw: Any) -> Contract:
    """A contract (``covers`` may be any iterable of ids)."""
    if "covers" in kw:
        kw["covers"] = tuple(kw["covers"])
    return Contract(contract_id=contract_id, annual_value=annual_value, end_date=end_date, **kw)


def make_estate(*, apps: Iterable[Application] | None = None,
                sites: Iterable[Site] | None = None,
                servers: Iterable[Server] | None = None,
                options: Iterable[Option] | None = None,
                dependencies: Iterable[Dependency] = (),
                contracts: Iterable[Contract] = (),
                teams: Iterable[Team] | None = None,
                budget: Iterable[BudgetYear] = (),
                pins: Iterable[Pin] = (),
                grid: float | dict[int, float] = 0.2,
                **settings: Any) -> Estate:
    """A resolved estate; every argument overrides a default (see module doc).

    ``settings`` are :class:`~estate.model.Settings` fields; ``grid`` is the UK
    factor, one number for every year 2020–2040 or a year -> factor mapping.
    When ``apps`` is given without ``servers``/``options``, those default to
    none and to ``retain`` + 2-month ``rehost`` to ``CLOUD`` for each app.
    """
    defaults = apps is None
    app_list = [app("A1"), app("A2")] if apps is None else list(apps)
    if servers is None:
        servers = [server("S1", apps=["A1"]), server("S2", apps=["A2"])] if defaults else []
    if options is None:
        options = [o for a in app_list for o in (retain(a.app_id), option(a.app_id))]
    if sites is None:
        sites = [site("DC1"), site("CLOUD", "cloud")]
    grid_by_year = dict(grid) if isinstance(grid, dict) else dict.fromkeys(range(2020, 2041), grid)
    cfg: dict[str, Any] = {"horizon_start": HS, "horizon_months": 12, "discount_rate": 0.0,
                           "carbon_price": 0.0}
    cfg.update(settings)
    cfg["grid_by_year"] = grid_by_year
    return Estate(
        settings=Settings(**cfg),
        sites=tuple(sites),
        applications=tuple(app_list),
        servers=tuple(servers),
        options=tuple(options),
        dependencies=tuple(dependencies),
        contracts=tuple(contracts),
        teams=tuple(teams) if teams is not None else (Team("migration", 60.0),),
        budget=tuple(budget),
        pins=tuple(pins),
        resolved=True,
    )


def sample_estate(**overrides: Any) -> Estate:
    """Four applications with non-zero figures everywhere (48-month horizon).

    ``A1`` (critical) and ``A2`` run on virtual servers of host ``H1`` at the
    on-prem ``DC1`` (which the council leases); ``A3`` on physical ``P1`` at
    ``COLO``; ``A4`` on physical ``P2`` at ``DC1``. ``A1`` before ``A2``;
    ``A3`` together with ``A4``; ``A1``-``A3`` loose. Three contracts.
    """
    kw: dict[str, Any] = {
        "horizon_months": 48, "discount_rate": 0.035, "carbon_price": 250.0,
        "sites": [
            site("DC1", pue=1.8, power_price_per_kwh=0.3, monthly_fixed_cost=4000.0),
            site("COLO", "colo", pue=1.4, power_price_per_kwh=0.25, monthly_fixed_cost=1500.0),
            site("CLOUD", "cloud", pue=1.1, grid_kg_per_kwh=0.05),
            site("SAAS", "cloud", pue=1.2),
        ],
        "apps": [
            app("A1", criticality="critical", current_monthly_cost=900.0),
            app("A2", current_monthly_cost=400.0, blackout_months=(2, 3)),
            app("A3", current_monthly_cost=650.0),
            app("A4", current_monthly_cost=120.0, must_finish_by="2028-01"),
        ],
        "servers": [
            server("H1", kind="host", watts=600.0, end_of_life="2026-06",
                   replacement_cost=9000.0, embodied_kgco2e=1200.0),
            server("V1", kind="virtual", host_id="H1", apps=["A1"], watts=80.0),
            server("V2", kind="virtual", host_id="H1", apps=["A2"], watts=60.0),
            server("P1", "COLO", apps=["A3"], watts=300.0, end_of_life="2024-12",
                   replacement_cost=5000.0, embodied_kgco2e=900.0),
            server("P2", apps=["A4"], watts=250.0, end_of_life="2030-01",
                   replacement_cost=4000.0, embodied_kgco2e=800.0),
        ],
        "options": [
            retain("A1"), option("A1", "rehost", "CLOUD", 3, one_off_cost=30000.0,
                                 monthly_cost=700.0, monthly_kwh=90.0,
                                 effort={"migration": 20.0}),
            option("A1", "repurchase", "SAAS", 4, one_off_cost=12000.0, monthly_cost=1100.0,
                   effort={"migration": 10.0}),
            retain("A2"), option("A2", "replatform", "CLOUD", 2, one_off_cost=8000.0,
                                 monthly_cost=250.0, monthly_kwh=40.0,
                                 effort={"migration": 15.0}),
            retain("A3", "COLO"), option("A3", "rehost", "CLOUD", 2, one_off_cost=6000.0,
                                         monthly_cost=500.0, monthly_kwh=120.0,
                                         effort={"migration": 25.0}),
            option("A4", "retire", None, 1, one_off_cost=1500.0,
                   effort={"migration": 5.0}),
            option("A4", "rehost", "CLOUD", 2, one_off_cost=3000.0, monthly_cost=90.0,
                   monthly_kwh=30.0, effort={"migration": 10.0}),
        ],
        "dependencies": [dep("A1", "A2", "before"), dep("A3", "A4", "together"),
                         dep("A1", "A3", "loose", 150.0)],
        "contracts": [
            contract("C-DC1", 24000.0, "2026-03-31", start_date="2023-04-01",
                     notice_months=6, renewal_term_months=12, renewal_uplift=0.03,
                     covers=["DC1"]),
            contract("C-A1", 18000.0, "2025-09-30", notice_months=3, renewal_term_months=12,
                     renewal_uplift=0.05, covers=["A1"]),
            contract("C-NET", 6000.0, "2027-03-31", covers=[]),
        ],
        "teams": [Team("migration", 40.0)],
        "budget": [BudgetYear("2025/26", 40000.0)],
    }
    kw.update(overrides)
    return make_estate(**kw)


class Priced(NamedTuple):
    """An estate's model as :func:`solver.solve.solve` builds it: the estate
    at its balanced carbon price, the spec's weights, the objective in pence
    and minimised."""

    prep: Prep
    b: Builder
    obj: Objective
    w: tuple[float, float, float, float]


def priced_model(e: Estate, **builder: Any) -> Priced:
    """``e``'s model (``builder``: the :class:`solver.model.build.Builder`
    arguments) with the objective ``(0, 1, 0, cp/1000)`` in pence, minimised."""
    from dataclasses import replace

    from solver.model.build import Builder
    from solver.model.costs import build_objective
    from solver.model.prep import Prep
    from solver.solve import effective_carbon_price

    cp = effective_carbon_price(e, "balanced", None)
    prep = Prep(replace(e, settings=replace(e.settings, carbon_price=cp)))
    w = (0.0, 1.0, 0.0, cp / 1000.0)
    b = Builder(prep, **builder)
    obj = build_objective(b, w, 100.0)
    b.m.minimize(obj.expr)
    return Priced(prep, b, obj, w)
