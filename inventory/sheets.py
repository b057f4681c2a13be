"""Read each sheet of an estate workbook into model objects (:class:`SheetReader`).

Every cell is untrusted text: each is parsed by :mod:`inventory.cells`, and
every problem becomes an :class:`~estate.errors.Issue` naming the file, sheet,
Excel row and column. A row with a bad cell is still built when its id is
present, with a neutral value in place of the bad one, so that one mistake does
not cascade into "unknown id" errors elsewhere. :mod:`inventory.load` puts the
sheets together and runs the checks across them.
"""

from __future__ import annotations

from typing import Any

from estate.actuals import ACTUAL_KINDS, ACTUAL_STATUSES, CONTRACT_ACTIONS, Actual
from estate.errors import Issue, Notice
from estate.model import (
    CONTRACT_UNITS,
    CRITICALITIES,
    DEFAULT_TEAM,
    DEPENDENCY_KINDS,
    ENDS_WITH,
    RESIDENCIES,
    SERVER_KINDS,
    SITE_KINDS,
    SQL_EDITIONS,
    STRATEGIES,
    Application,
    BudgetYear,
    Contract,
    Dependency,
    Option,
    Pin,
    Server,
    Settings,
    Site,
    Team,
)
from estate.months import default_horizon_start, month_index, this_month
from estate.resolve import EXTRA_SETTINGS
from estate.settings import OS_POLICIES
from inventory import cells, schema
from inventory.cells import RowCells as _Cells
from inventory.cells import build as _build
from inventory.names import near_miss, normalise_name
from inventory.tables import Row, Tables

#: Settings keys a misspelt key is compared with (the planner's own and the extras).
_SETTING_KEYS = tuple(s.key for s in schema.SETTINGS) + tuple(EXTRA_SETTINGS)


_SKIP, _NONE, _EXTRA = object(), object(), object()


def _setting_value(c: _Cells, key: str, raw: str) -> Any:
    """The parsed value of a planning setting (``None`` when the cell is bad),
    or a marker: ``_SKIP`` (nothing to set), ``_NONE`` (explicitly no limit),
    ``_EXTRA`` (not a planning setting: a reference override or a mistake)."""
    if key == "horizon_start":
        return c.parse("value", cells.parse_month_text, None)
    if key in ("horizon_months", "max_critical_in_flight", "resident_notice_weeks",
               "unsupported_os_grace_months", "ha_spare_hosts"):
        return c.integer("value", None, minimum=1 if key == "horizon_months" else 0)
    if key == "unsupported_os_policy":
        return c.choice("value", OS_POLICIES, None)
    if key == "vcpus_per_core":
        return c.number("value", None, minimum=0.01, rule="must be positive")
    if key in ("organisation", "strategy"):
        return raw.strip()
    if key == "max_golives_per_month":
        if raw.strip().lower() in ("none", "no limit", "unlimited"):
            return _NONE
        return c.integer("value", None, minimum=0)
    if key == "discount_rate":
        value = c.number("value", None, minimum=None, maximum=1.0, percent=True)
        if value is not None and value <= -1:
            c.bad("value", raw, "discount_rate must be above -1")
            return None
        return value
    if key in ("carbon_price", "team_days_per_month"):
        return c.number("value", None)
    if key == "freeze_months":
        return _SKIP if raw.strip().lower() == "none" else c.months("value")
    if key == "grid_kg_per_kwh":
        return c.parse("value", cells.parse_grid, None)
    return _EXTRA



class SheetReader:
    """Reads each sheet of ``tables`` into model objects, collecting issues."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables
        self.issues: list[Issue] = []
        self.notices: list[Notice] = []
        # sheet -> Excel row of each object, in the estate's tuple order
        self.positions: dict[str, list[int]] = {}
        # settings key (normalised) -> its Excel row, for errors found when resolving
        self.setting_rows: dict[str, int] = {}

    def rows(self, sheet: str) -> list[tuple[_Cells, Row]]:
        table = self.t.sheets.get(sheet)
        if table is None:
            return []
        file = self.t.file_of(sheet)
        return [(_Cells(file, sheet, r, self.issues, decimal=table.decimal), r)
                for r in table.rows]

    def keep(self, sheet: str, out: list[Any], obj: Any, row: Row) -> None:
        if obj is not None:
            out.append(obj)
            self.positions.setdefault(sheet, []).append(row.number)

    def assumed(self, given: set[str], start: str, months: int) -> None:
        """Say which horizon was assumed when the settings sheet does not give its start
        (the default start moves with today's date, so the plan would too)."""
        if "horizon_start" in given:
            return
        table = self.t.sheets.get("settings")
        where = ("there is no settings sheet" if table is None else
                 "the settings sheet is empty" if not table.rows else
                 "the settings sheet has no horizon_start")
        self.notices.append(Notice(
            "assumed", f"{where}: the plan covers {months} months from {start} (the first "
            "month after today, so it moves as the date does)"
            + ("; every other setting takes its default" if table is None or not table.rows
               else "") + ". Add a horizon_start row (YYYY-MM) to the settings sheet to fix "
            "it", file=self.t.file_of("settings"), sheet="settings"))

    def past_start(self, given: set[str], start: str) -> None:
        """Warn when a given ``horizon_start`` lies before the current month: the
        plan's first months (and any notice due in them) are already past."""
        now = this_month()
        if "horizon_start" in given and month_index(now, start) < 0:
            self.notices.append(Notice(
                "warning", f"horizon_start {start} is before this month ({now}): the plan "
                "schedules work in months that have passed and notices may be overdue. Set "
                f"horizon_start to {default_horizon_start()} (or clear it: the plan then "
                "starts next month)", file=self.t.file_of("settings"), sheet="settings",
                column="value"))

    # -- sheets ----------------------------------------------------------------
    def settings(self) -> Settings:
        kw: dict[str, Any] = {"horizon_start": default_horizon_start()}
        extra: dict[str, str] = {}
        seen: dict[str, int] = {}
        given: set[str] = set()
        for c, r in self.rows("settings"):
            key = normalise_name(r.get("key"))
            if not key:
                c.bad("key", "", "key is blank; write a setting name such as horizon_start")
                continue
            if key in seen:
                c.bad("key", key, f"setting {key!r} is given twice (first in row {seen[key]}); "
                      "keep one")
                continue
            seen[key] = r.number
            raw = r.get("value")
            if raw:
                given.add(key)
            c.label = key
            if not raw:
                continue
            value = _setting_value(c, key, raw)
            if value is _SKIP:
                continue
            if value is _NONE:
                kw[key] = None
                continue
            if value is _EXTRA:
                # cloud_pricing.SITE: one site's pricing basis, checked when resolving
                intended = (None if key.startswith("cloud_pricing.")
                            else near_miss(key, _SETTING_KEYS))
                if intended is not None:
                    c.bad("key", key, f"unknown setting {key!r}: did you mean {intended!r}? "
                          "Fix the spelling (as it is, the row would not count)")
                    continue
                extra[key] = raw
                continue
            if value is not None:
                kw[key] = value
        kw["extra"] = extra
        self.setting_rows = dict(seen)
        self.assumed(given, kw["horizon_start"], kw.get("horizon_months", 48))
        self.past_start(given, kw["horizon_start"])
        file = self.t.file_of("settings")
        try:
            return Settings(**kw)
        except ValueError as exc:
            self.issues.append(Issue(file, str(exc), sheet="settings"))
            return Settings(horizon_start=default_horizon_start())

    def sites(self) -> list[Site]:
        out: list[Site] = []
        for c, r in self.rows("sites"):
            sid = c.text("site_id", required=True)
            kind = c.choice("kind", SITE_KINDS, None, required=True)
            kw = dict(
                site_id=sid, kind=kind or "on_prem", name=r.get("name"),
                pue=c.number("pue", None, minimum=1.0, rule="must be at least 1.0"),
                power_price_per_kwh=c.number("power_price_per_kwh"),
                monthly_fixed_cost=c.number("monthly_fixed_cost"),
                exit_by=c.month("exit_by"),
                grid_kg_per_kwh=c.number("grid_kg_per_kwh"),
                country=c.parse("country", cells.parse_country, None))
            obj = _build(Site, c, **kw) if sid else None
            self.keep("sites", out, obj, r)
        return out

    def applications(self) -> list[Application]:
        out: list[Application] = []
        for c, r in self.rows("applications"):
            aid = c.text("app_id", required=True)
            name = c.text("name", required=True)
            kw = dict(
                app_id=aid, name=name or aid, service=r.get("service"),
                criticality=c.choice("criticality", CRITICALITIES, "medium") or "medium",
                resident_facing=c.boolean("resident_facing", False),
                current_monthly_cost=c.number("current_monthly_cost"),
                blackout_months=c.months("blackout_months"),
                earliest_start=c.month("earliest_start"),
                must_finish_by=c.month("must_finish_by"),
                non_digital_route=r.get("non_digital_route"),
                data_residency=c.choice("data_residency", RESIDENCIES, "any") or "any")
            obj = _build(Application, c, **kw) if aid else None
            self.keep("applications", out, obj, r)
        return out

    def servers(self) -> list[Server]:
        out: list[Server] = []
        table = self.t.sheets.get("servers")
        named_hosts = {r.get("host_id") for r in table.rows} if table else set()
        for c, r in self.rows("servers"):
            sid = c.text("server_id", required=True)
            site = c.text("site_id")  # blank: reported by validate_estate
            kind = c.choice("kind", SERVER_KINDS, None, required=True)
            host = r.get("host_id") or None
            if host is not None and kind in ("physical", "host"):
                c.bad("host_id", host, f"only a virtual server runs on a host; this server is "
                      f"{kind}: clear host_id or set kind to virtual")
                host = None
            if kind is None:  # neutral stand-in so other rows are checked as usual
                kind = "virtual" if host else ("host" if sid in named_hosts else "physical")
            nums = {k: c.number(k) for k in ("vcpus", "ram_gb", "storage_gb", "watts",
                                              "replacement_cost", "embodied_kgco2e",
                                              "in_use_gb", "sql_cores")}
            for k in ("sockets", "cores"):
                got = c.integer(k, None, minimum=0)
                nums[k] = None if got is None else float(got)
            kw = dict(
                server_id=sid, site_id=site, kind=kind,
                hostname=r.get("hostname"), host_id=host, os=r.get("os"),
                os_end_of_support=c.month("os_end_of_support"),
                end_of_life=c.month("end_of_life"), app_ids=c.ids("app_ids"),
                purchase_date=c.date("purchase_date"), model=r.get("model"),
                cpu_model=r.get("cpu_model"), powerstate=r.get("powerstate"),
                cluster=r.get("cluster"),
                sql_edition=c.choice("sql_edition", SQL_EDITIONS, "") or "", **nums)
            obj = _build(Server, c, **kw) if sid else None
            self.keep("servers", out, obj, r)
        return out

    def options(self) -> list[Option]:
        out: list[Option] = []
        default_team = DEFAULT_TEAM
        for c, r in self.rows("options"):
            aid = c.text("app_id", required=True)
            strategy = c.choice("strategy", STRATEGIES, None, required=True)
            target = r.get("target_site") or None
            if strategy == "retire" and target is not None:
                c.bad("target_site", target, "a retire option has no target_site; clear it")
                target = None
            if strategy not in (None, "retain") and not r.get("duration_months"):
                c.bad("duration_months", "", f"duration_months is required for a {strategy} "
                      "option: months in flight, at least 1")
            duration = c.integer("duration_months", None, minimum=1)
            effort = c.parse("effort", lambda t: cells.parse_effort(t, default_team), {})
            kw = dict(
                app_id=aid, strategy=strategy, target_site=target,
                duration_months=duration if duration is not None else
                (0 if strategy == "retain" else 1),
                one_off_cost=c.number("one_off_cost", 0.0),
                monthly_cost=c.number("monthly_cost", 0.0),
                monthly_kwh=c.number("monthly_kwh", 0.0), effort=effort)
            obj = _build(Option, c, **kw) if aid and strategy else None
            self.keep("options", out, obj, r)
        return out

    def dependencies(self) -> list[Dependency]:
        out: list[Dependency] = []
        for c, r in self.rows("dependencies"):
            a = c.text("from_id", required=True)
            b = c.text("to_id", required=True)
            kind = c.choice("kind", DEPENDENCY_KINDS, None, required=True)
            split = c.number("split_cost_per_month", 0.0)
            obj = None
            if a and b and a == b:
                c.bad("to_id", b, f"a dependency joins two different applications; from_id and "
                      f"to_id are both {a!r}")
            elif a and b and kind:
                obj = _build(Dependency, c, from_id=a, to_id=b, kind=kind,
                             split_cost_per_month=split)
            self.keep("dependencies", out, obj, r)
        return out

    def contracts(self) -> list[Contract]:
        out: list[Contract] = []
        for c, r in self.rows("contracts"):
            cid = c.text("contract_id", required=True)
            value = c.number("annual_value", None)
            if not r.get("annual_value"):
                c.bad("annual_value", "", "annual_value is required: £ a year")
            end = c.date("end_date", month_end=True, required=True)
            start = c.date("start_date")
            if start and end and start > end:
                c.bad("start_date", r.get("start_date"),
                      f"start_date {start} is after end_date {end}; the current term must "
                      "start before it ends")
                start = None
            uplift = c.number("renewal_uplift", 0.0, minimum=None, maximum=1.0, percent=True)
            if uplift is not None and uplift <= -1:
                c.bad("renewal_uplift", r.get("renewal_uplift"),
                      "renewal_uplift must be above -1 (a fraction: 0.03 for 3%)")
                uplift = 0.0
            kw = dict(
                contract_id=cid, annual_value=value or 0.0,
                end_date=end or "9999-12-31", supplier=r.get("supplier"),
                title=r.get("title"), category=r.get("category"), start_date=start,
                notice_months=c.integer("notice_months", 3, minimum=0),
                renewal_term_months=c.integer("renewal_term_months", 12, minimum=1),
                renewal_uplift=uplift, covers=c.ids("covers"),
                estimated=c.boolean("estimated", False), department=r.get("department"),
                cpv_code=r.get("cpv_code"), total_value=c.number("total_value"),
                **_per_unit(c))
            obj = _build(Contract, c, **kw) if cid else None
            self.keep("contracts", out, obj, r)
        return out

    def teams(self) -> list[Team]:
        out: list[Team] = []
        for c, r in self.rows("teams"):
            tid = c.text("team_id", required=True)
            if not r.get("days_per_month"):
                c.bad("days_per_month", "", "days_per_month is required: team days a month")
            days = c.number("days_per_month", 0.0)
            obj = _build(Team, c, team_id=tid, days_per_month=days) if tid else None
            self.keep("teams", out, obj, r)
        return out

    def budget(self) -> list[BudgetYear]:
        out: list[BudgetYear] = []
        for c, r in self.rows("budget"):
            fy = c.parse("financial_year", cells.parse_financial_year, None)
            if not r.get("financial_year"):
                c.bad("financial_year", "", "financial_year is required, such as 2025/26")
            limit = c.number("one_off_limit", None)
            obj = None
            if fy and limit is not None:  # a blank limit: that year is unlimited
                obj = _build(BudgetYear, c, financial_year=fy, one_off_limit=limit)
            self.keep("budget", out, obj, r)
        return out

    def actuals(self) -> list[Actual]:
        out: list[Actual] = []
        for c, r in self.rows("actuals"):
            kind = c.choice("kind", ACTUAL_KINDS, None, required=True)
            item = c.text("id", required=True)
            month = c.month("month")
            if not r.get("month"):
                c.bad("month", "", "month is required: when it happened (YYYY-MM)")
            obj = None
            if kind and item and month:
                obj = _build(Actual, c, kind=kind, item_id=item, month=month,
                             strategy=c.choice("strategy", STRATEGIES, None),
                             target_site=r.get("target_site") or None,
                             one_off_cost=c.number("one_off_cost", None),
                             action=c.choice("action", CONTRACT_ACTIONS, None),
                             annual_value=c.number("annual_value", None),
                             status=c.choice("status", ACTUAL_STATUSES, "confirmed")
                             or "confirmed",
                             note=r.get("note") or "")
            self.keep("actuals", out, obj, r)
        return out

    def pins(self) -> list[Pin]:
        out: list[Pin] = []
        for c, r in self.rows("pins"):
            aid = c.text("app_id", required=True)
            strategy = c.choice("strategy", STRATEGIES, None)
            start = c.month("start")
            if strategy == "retain" and start:
                c.bad("start", r.get("start"), "a retained application has no start; clear "
                      "start or pin another strategy")
                start = None
            obj = None
            if aid:
                obj = _build(Pin, c, app_id=aid, strategy=strategy, start=start,
                             target_site=r.get("target_site") or None)
            self.keep("pins", out, obj, r)
        return out


def _per_unit(c: Any) -> dict[str, Any]:
    """``ends_with``, ``unit``, ``unit_price`` and ``min_units`` of a contract row
    (a price or minimum without a unit, or a unit without a price, is an error
    naming the cell)."""
    unit = c.choice("unit", CONTRACT_UNITS, None)
    price = c.number("unit_price")
    least = c.number("min_units", 0.0)
    if unit is None and (price is not None or least):
        c.bad("unit", c.row.get("unit") or "",
              "unit_price and min_units need a unit: core, host, server or vm")
        price, least = None, 0.0
    if unit is not None and price is None:
        c.bad("unit_price", "", f"a per-{unit} contract needs unit_price: £ a year per {unit}")
        unit, least = None, 0.0
    return dict(ends_with=c.choice("ends_with", ENDS_WITH, "") or "", unit=unit,
                unit_price=price, min_units=least or 0.0)
