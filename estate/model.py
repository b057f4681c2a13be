"""The domain model: an estate of sites, applications, servers and contracts.

Every object is a frozen dataclass that checks its own fields on construction
(raising :class:`ValueError`). Checks *across* objects (unknown ids, cycles,
``host_id`` pointing at a non-host, …) live in one place:
:func:`inventory.validate.validate_estate`.

Fields the workbook may leave blank are ``None`` in a *raw* estate, as loaded.
:func:`estate.resolve.resolve` fills every blank from the reference data and
returns a *resolved* estate (``Estate.resolved`` is true) in which every number
the planner needs is present; the paths of the filled values are listed in
``Estate.estimated``. The solver and evaluator accept only resolved estates.

This module uses the standard library only.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

from estate.actuals import Actual
from estate.checks import (
    MAX_HORIZON_MONTHS,
    check,
    check_month,
    check_nonneg,
    check_size,
)
from estate.months import month_index, parse_date
from estate.settings import Settings

SITE_KINDS = ("on_prem", "colo", "cloud")
SERVER_KINDS = ("physical", "host", "virtual")
CRITICALITIES = ("critical", "high", "medium", "low")
Strategy = Literal["rehost", "replatform", "refactor", "repurchase", "relocate", "retire",
                   "retain"]
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
DEPENDENCY_KINDS = ("together", "before", "loose")
#: What ends a contract (``contracts.ends_with``); blank: from the category.
ENDS_WITH = ("retire", "move", "never")
#: What a per-unit contract counts (``contracts.unit``).
CONTRACT_UNITS = ("core", "host", "server", "vm")
DEFAULT_TEAM = "migration"
RESIDENCIES = ("uk", "eu", "any")
SQL_EDITIONS = ("standard", "enterprise")


def strategy_moves(strategy: str) -> bool:
    """Whether ``strategy`` changes anything: every strategy but ``retain``."""
    return strategy != "retain"


def runs_at_target(strategy: str) -> bool:
    """Whether an application runs at a target site after ``strategy``: every
    strategy but ``retain`` and ``retire``."""
    return strategy not in ("retain", "retire")


@dataclass(frozen=True)
class Site:
    """A place applications run: an on-prem data centre, a colo or a cloud region.

    ``monthly_fixed_cost`` is ``None`` when the workbook leaves it blank (the
    resolver fills it: estimated from the IT load at ``on_prem``/``colo``
    sites, 0 at ``cloud`` sites); an explicit 0 means none.
    """

    site_id: str
    kind: str
    name: str = ""
    pue: float | None = None
    power_price_per_kwh: float | None = None
    monthly_fixed_cost: float | None = None
    exit_by: str | None = None
    grid_kg_per_kwh: float | None = None
    country: str | None = None

    def __post_init__(self) -> None:
        check(bool(self.site_id), "site_id must not be blank")
        if self.country is not None:
            check(len(self.country) == 2 and self.country.isalpha()
                   and self.country.isupper(),
                   f"country {self.country!r} must be a two-letter ISO code such as GB or IE")
        check(self.kind in SITE_KINDS, f"kind {self.kind!r} must be one of {SITE_KINDS}")
        if self.pue is not None:
            check(self.pue >= 1.0, f"pue must be at least 1.0 (got {self.pue})")
            check_size(self.pue, "pue")
        check_nonneg(self.power_price_per_kwh, "power_price_per_kwh")
        check_nonneg(self.monthly_fixed_cost, "monthly_fixed_cost")
        check_month(self.exit_by, "exit_by")
        check_nonneg(self.grid_kg_per_kwh, "grid_kg_per_kwh")


@dataclass(frozen=True)
class Application:
    """An application of the estate (``applications`` sheet).

    ``current_monthly_cost`` is ``None`` when blank (the resolver estimates it
    from the application's servers); an explicit 0 means none.
    """

    app_id: str
    name: str
    service: str = ""
    criticality: str = "medium"
    resident_facing: bool = False
    current_monthly_cost: float | None = None
    blackout_months: tuple[int, ...] = ()
    earliest_start: str | None = None
    must_finish_by: str | None = None
    non_digital_route: str = ""
    data_residency: str = "any"

    def __post_init__(self) -> None:
        check(self.data_residency in RESIDENCIES,
               f"data_residency {self.data_residency!r} must be one of {', '.join(RESIDENCIES)}")
        check(bool(self.app_id), "app_id must not be blank")
        check(bool(self.name), "name must not be blank")
        check(
            self.criticality in CRITICALITIES,
            f"criticality {self.criticality!r} must be one of {CRITICALITIES}",
        )
        check_nonneg(self.current_monthly_cost, "current_monthly_cost")
        check(all(1 <= m <= 12 for m in self.blackout_months), "blackout_months must be 1-12")
        check_month(self.earliest_start, "earliest_start")
        check_month(self.must_finish_by, "must_finish_by")


@dataclass(frozen=True)
class Server:
    """A physical server, a hypervisor host or a virtual machine.

    ``purchase_date`` (``YYYY-MM-DD``), ``model`` and ``cpu_model`` are the
    hardware facts from which a blank ``end_of_life`` is estimated.
    ``powerstate`` is the discovery tool's word (RVTools ``poweredOff``);
    an application whose servers are all powered off gets a generated
    ``retire`` option.
    """

    server_id: str
    site_id: str
    kind: str
    hostname: str = ""
    host_id: str | None = None
    vcpus: float | None = None
    ram_gb: float | None = None
    storage_gb: float | None = None
    os: str = ""
    os_end_of_support: str | None = None
    end_of_life: str | None = None
    watts: float | None = None
    replacement_cost: float | None = None
    embodied_kgco2e: float | None = None
    app_ids: tuple[str, ...] = ()
    purchase_date: str | None = None
    model: str = ""
    cpu_model: str = ""
    powerstate: str = ""
    cluster: str = ""
    sockets: float | None = None
    cores: float | None = None
    in_use_gb: float | None = None
    sql_edition: str = ""
    sql_cores: float | None = None

    @property
    def powered_off(self) -> bool:
        """True when ``powerstate`` says the server is powered off."""
        return self.powerstate.replace(" ", "").replace("_", "").lower() in (
            "poweredoff", "off", "stopped")

    def __post_init__(self) -> None:
        check(bool(self.server_id), "server_id must not be blank")
        check(self.kind in SERVER_KINDS, f"kind {self.kind!r} must be one of {SERVER_KINDS}")
        if self.host_id is not None:
            check(self.kind == "virtual", "only a virtual server may have a host_id")
        check(self.sql_edition in ("", *SQL_EDITIONS),
               f"sql_edition {self.sql_edition!r} must be one of {', '.join(SQL_EDITIONS)} "
               "or blank")
        for name in ("vcpus", "ram_gb", "storage_gb", "watts", "replacement_cost",
                     "embodied_kgco2e", "sockets", "cores", "in_use_gb", "sql_cores"):
            check_nonneg(getattr(self, name), name)
        check_month(self.os_end_of_support, "os_end_of_support")
        check_month(self.end_of_life, "end_of_life")
        if self.purchase_date is not None:
            parse_date(self.purchase_date)


@dataclass(frozen=True)
class Option:
    """One allowed strategy of an application (``options`` sheet).

    ``effort`` maps team id -> days a month while in flight. ``generated`` is
    true for options estimated from the servers (no ``options`` rows).
    """

    app_id: str
    strategy: Strategy
    target_site: str | None = None
    duration_months: int = 0
    one_off_cost: float = 0.0
    monthly_cost: float = 0.0
    monthly_kwh: float = 0.0
    effort: dict[str, float] = field(default_factory=dict)
    generated: bool = False

    def __post_init__(self) -> None:
        check(
            self.strategy in STRATEGIES,
            f"strategy {self.strategy!r} must be one of {STRATEGIES}",
        )
        if self.strategy != "retain":
            check(1 <= self.duration_months <= MAX_HORIZON_MONTHS,
                   f"duration_months must be 1 to {MAX_HORIZON_MONTHS}")
        if self.strategy == "retire":
            check(self.target_site is None, "a retire option has no target_site")
        for name in ("one_off_cost", "monthly_cost", "monthly_kwh"):
            check_nonneg(getattr(self, name), name)
        for team, days in self.effort.items():
            check(days >= 0, f"effort for team {team!r} must not be negative")
            check_size(days, f"effort for team {team!r}")

    @property
    def key(self) -> tuple[str, str, str | None]:
        """``(app_id, strategy, target_site)``: identifies the option."""
        return (self.app_id, self.strategy, self.target_site)

    @property
    def moves(self) -> bool:
        """True for every strategy but ``retain`` (:func:`strategy_moves`)."""
        return strategy_moves(self.strategy)

    @property
    def to_target(self) -> bool:
        """True when the application runs at a target site afterwards
        (:func:`runs_at_target`)."""
        return runs_at_target(self.strategy)


@dataclass(frozen=True)
class Dependency:
    """A dependency between two applications."""

    from_id: str
    to_id: str
    kind: str
    split_cost_per_month: float = 0.0

    def __post_init__(self) -> None:
        check(
            self.kind in DEPENDENCY_KINDS,
            f"kind {self.kind!r} must be one of {DEPENDENCY_KINDS}",
        )
        check(self.from_id != self.to_id, "a dependency must join two different applications")
        check_nonneg(self.split_cost_per_month, "split_cost_per_month")


@dataclass(frozen=True)
class Contract:
    """An ICT contract (``contracts`` sheet). Dates are ``YYYY-MM-DD``.

    ``estimated`` marks a row an import estimated (e.g. hypervisor
    subscriptions no contract covers) rather than read from a register.
    ``department``, ``cpv_code`` and ``total_value`` (£ over the whole
    contract) are kept from a contract register for procurement; the planner
    does not use them.

    ``ends_with`` is what ends it (``retire``, ``move``, ``never``; blank:
    from the category, see :func:`estate.contracts.ends_with`). A per-unit
    contract has ``unit`` (``core``, ``host``, ``server``, ``vm``) and
    ``unit_price`` (£ a year per unit): each renewal is priced at
    ``max(min_units, units in service) × unit_price``.
    """

    contract_id: str
    annual_value: float
    end_date: str
    supplier: str = ""
    title: str = ""
    category: str = ""
    start_date: str | None = None
    notice_months: int = 3
    renewal_term_months: int = 12
    renewal_uplift: float = 0.0
    covers: tuple[str, ...] = ()
    estimated: bool = False
    department: str = ""
    cpv_code: str = ""
    total_value: float | None = None
    ends_with: str = ""
    unit: str | None = None
    unit_price: float | None = None
    min_units: float = 0.0

    def __post_init__(self) -> None:
        check(bool(self.contract_id), "contract_id must not be blank")
        check(self.ends_with in ENDS_WITH + ("",),
               f"ends_with {self.ends_with!r} must be one of {ENDS_WITH} (or blank)")
        if self.unit is not None:
            check(self.unit in CONTRACT_UNITS,
                   f"unit {self.unit!r} must be one of {CONTRACT_UNITS}")
            check(self.unit_price is not None, "a per-unit contract needs unit_price")
        else:
            check(self.unit_price is None and not self.min_units,
                   "unit_price and min_units need a unit (core, host, server or vm)")
        check_nonneg(self.unit_price, "unit_price")
        check_nonneg(self.min_units, "min_units")
        check_nonneg(self.annual_value, "annual_value")
        parse_date(self.end_date)
        if self.start_date is not None:
            parse_date(self.start_date)
            check(self.start_date <= self.end_date, "start_date must not be after end_date")
        check(0 <= self.notice_months <= 2 * MAX_HORIZON_MONTHS,
               f"notice_months must be 0 to {2 * MAX_HORIZON_MONTHS}")
        check(1 <= self.renewal_term_months <= 2 * MAX_HORIZON_MONTHS,
               f"renewal_term_months must be 1 to {2 * MAX_HORIZON_MONTHS}")
        check(-1 < self.renewal_uplift <= 10, "renewal_uplift must be above -1 and at most "
               "10 (a fraction: 0.03 is 3 %)")
        check_nonneg(self.total_value, "total_value")


@dataclass(frozen=True)
class Team:
    """A team whose days a month bound the effort in flight."""

    team_id: str
    days_per_month: float

    def __post_init__(self) -> None:
        check(bool(self.team_id), "team_id must not be blank")
        check_nonneg(self.days_per_month, "days_per_month")


@dataclass(frozen=True)
class BudgetYear:
    """One-off spend limit of a financial year (``2025/26``)."""

    financial_year: str
    one_off_limit: float

    def __post_init__(self) -> None:
        fy = self.financial_year
        ok = len(fy) == 7 and fy[4] == "/" and fy[:4].isdigit() and fy[5:].isdigit()
        check(ok and (int(fy[:4]) + 1) % 100 == int(fy[5:]),
               f"financial_year {fy!r} must look like 2025/26")
        check_nonneg(self.one_off_limit, "one_off_limit")

    @property
    def first_year(self) -> int:
        """Calendar year in which the financial year starts (April)."""
        return int(self.financial_year[:4])


@dataclass(frozen=True)
class Pin:
    """A decision an architect has taken: the planner keeps it.

    ``strategy`` (and ``target_site`` when given) fix the option; ``start``
    (``YYYY-MM``) fixes the start month. Either may be ``None`` (free). The
    same fields, in the same order, as :class:`estate.plan.Decision`.
    """

    app_id: str
    strategy: Strategy | None = None
    _: KW_ONLY
    target_site: str | None = None
    start: str | None = None

    def __post_init__(self) -> None:
        if self.strategy is not None:
            check(self.strategy in STRATEGIES, f"strategy {self.strategy!r} is not known")
        check_month(self.start, "start")
        if self.strategy == "retain":
            check(self.start is None, "a retained application has no start")


@dataclass(frozen=True)
class Estate:
    """A whole estate: everything the planner reads.

    Objects are kept in workbook order. ``source`` names the file it came from;
    ``rows`` maps ``(sheet, id)`` to the Excel row number, for messages (sheets
    without an id column -- options, dependencies, budget, pins, actuals -- use
    the object's position in its tuple, as text, for ``id``). ``actuals``
    (what really happened, :mod:`estate.actuals`) are not planning inputs: the
    fingerprint leaves them out. ``plan_from`` (``YYYY-MM``) is the first month
    a re-plan decides (``estate plan --from-actuals``, set by
    :func:`estate.actuals.apply_replan`); ``None`` for an ordinary plan, which
    decides from the horizon's first month.
    """

    settings: Settings
    sites: tuple[Site, ...] = ()
    applications: tuple[Application, ...] = ()
    servers: tuple[Server, ...] = ()
    options: tuple[Option, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    contracts: tuple[Contract, ...] = ()
    teams: tuple[Team, ...] = ()
    budget: tuple[BudgetYear, ...] = ()
    pins: tuple[Pin, ...] = ()
    actuals: tuple[Actual, ...] = ()
    plan_from: str | None = None
    resolved: bool = False
    estimated: tuple[str, ...] = ()
    assumptions: dict[str, Any] = field(default_factory=dict, compare=False)
    source: str = field(default="", compare=False)
    rows: dict[tuple[str, str], int] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        check_month(self.plan_from, "plan_from")

    # -- lookups (computed once) --------------------------------------------
    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        """Sites by id."""
        return {s.site_id: s for s in self.sites}

    @cached_property
    def app_by_id(self) -> dict[str, Application]:
        """Applications by id."""
        return {a.app_id: a for a in self.applications}

    @cached_property
    def server_by_id(self) -> dict[str, Server]:
        """Servers by id."""
        return {s.server_id: s for s in self.servers}

    @cached_property
    def contract_by_id(self) -> dict[str, Contract]:
        """Contracts by id."""
        return {c.contract_id: c for c in self.contracts}

    @cached_property
    def options_by_app(self) -> dict[str, tuple[Option, ...]]:
        """Options of each application (every application has a key)."""
        out: dict[str, list[Option]] = {a.app_id: [] for a in self.applications}
        for o in self.options:
            out.setdefault(o.app_id, []).append(o)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def servers_by_app(self) -> dict[str, tuple[Server, ...]]:
        """Servers that serve each application (every application has a key)."""
        out: dict[str, list[Server]] = {a.app_id: [] for a in self.applications}
        for s in self.servers:
            for a in s.app_ids:
                out.setdefault(a, []).append(s)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def guests_by_host(self) -> dict[str, tuple[Server, ...]]:
        """Virtual servers of each host (every host has a key)."""
        out: dict[str, list[Server]] = {s.server_id: [] for s in self.servers if s.kind == "host"}
        for s in self.servers:
            if s.host_id is not None:
                out.setdefault(s.host_id, []).append(s)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def team_by_id(self) -> dict[str, Team]:
        """Teams by id."""
        return {t.team_id: t for t in self.teams}

    @cached_property
    def first_planned(self) -> int:
        """Month index of the first month the plan decides: ``plan_from`` on the
        horizon's axis (never before 0), else 0. Months before it are history:
        what the actuals record there is fact, not re-decided."""
        if self.plan_from is None:
            return 0
        return max(0, month_index(self.settings.horizon_start, self.plan_from))

    @cached_property
    def pin_by_app(self) -> dict[str, Pin]:
        """Pins by application id."""
        return {p.app_id: p for p in self.pins}

    def grid_factor(self, year: int) -> float:
        """UK grid kgCO2e/kWh of a calendar year (resolved estates only)."""
        table = self.settings.grid_by_year
        if year in table:
            return table[year]
        if not table:
            raise ValueError("grid factors are not resolved; call estate.resolve.resolve")
        nearest = min(table) if year < min(table) else max(table)
        return table[nearest]


__all__ = [
    "Application", "BudgetYear", "Contract", "Dependency", "Estate", "Option", "Pin",
    "Server", "Settings", "Site", "Team",
]
