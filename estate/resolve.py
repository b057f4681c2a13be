"""Resolve a raw estate: fill every blank the planner needs from reference data.

:func:`resolve` returns a copy with ``resolved=True`` in which settings, sites,
servers, teams and options are complete; ``Estate.estimated`` lists the path
of every filled value (``servers.S12.watts``, ``sites.DC1.pue``,
``settings.carbon_price``, ``settings.grid_kg_per_kwh.2027``,
``options.A7.rehost``, ``applications.A3.must_finish_by``) and
``Estate.assumptions`` is plan.json's ``assumptions`` block.

Keys of the settings sheet that are not planning settings (``Settings.extra``)
are reference overrides by dotted key (``pue.on_prem``, ``grid.2027``), or one
of :data:`EXTRA_SETTINGS`; anything else is an error.

This module uses the standard library only.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from estate import estimate as est
from estate import hardware, staying
from estate.cloudprice import BASES, DEFAULT_BASIS
from estate.errors import EstateError, Issue
from estate.model import (
    DEFAULT_TEAM,
    Application,
    Contract,
    Estate,
    Option,
    Server,
    Settings,
    Site,
    Team,
)
from estate.months import add_months, calendar_year, parse_month
from estate.reference import (
    USD_PER_GBP,
    Reference,
    check_override,
    is_known_key,
    load_reference,
    packaged_reference,
    retired_hint,
)

CARBON_SERIES = ("central", "low", "high")

#: Settings-sheet keys, beyond the spec's, that resolve understands.
EXTRA_SETTINGS: dict[str, str] = {
    "carbon_price_series": "central, low or high: the carbon value series for the default "
                           "carbon_price (default central)",
    "cloud_pricing": "payg, reserved_1y, reserved_3y, savings_plan_1y or savings_plan_3y: "
                     "the pricing basis of generated rehost options at every cloud site "
                     "(default reserved_3y, as Azure Migrate's business case); a row "
                     "cloud_pricing.SITE (a cloud site's id) sets one site's basis",
    "software_assurance": "yes or no: whether the council holds Software Assurance on its "
                          "Windows Server and SQL Server licences (default yes). Yes: the "
                          "licences travel to the cloud (Azure Hybrid Benefit) and their "
                          "assurance is paid; no: cloud prices include the licences and "
                          "no assurance is paid on premises",
    "usd_per_gbp": "US dollars to the pound for every price listed in dollars (overrides "
                   "the reference rate cloud.usd_per_gbp, dated)",
    "os_eos_must_finish_months": "months: an application on an out-of-support OS at the "
                                 "horizon start must be live elsewhere this many months "
                                 "after it (default: no deadline)",
}


def _issue(estate: Estate, key: str, message: str, value: str = "") -> Issue:
    return Issue(estate.source or "settings", message, sheet="settings",
                 row=estate.rows.get(("settings", key)), column="value" if value else "key",
                 value=value)


def _extras(estate: Estate, ref: Reference) -> tuple[Reference, dict[str, Any]]:
    """Apply the settings sheet's reference overrides; parse the extra settings."""
    issues: list[Issue] = []
    overrides: dict[str, float | str] = {}
    opts: dict[str, Any] = {"carbon_price_series": "central", "cloud_pricing": DEFAULT_BASIS,
                            "site_pricing": {}, "software_assurance": True,
                            "os_eos_must_finish_months": None}
    for key, raw in estate.settings.extra.items():
        text = str(raw).strip()
        if key == "carbon_price_series":
            if text.lower() not in CARBON_SERIES:
                issues.append(_issue(estate, key, "carbon_price_series must be central, low "
                                     "or high", text))
            opts[key] = text.lower()
        elif key == "cloud_pricing" or key.startswith("cloud_pricing."):
            _pricing(estate, key, text, opts, issues)
        elif key == "software_assurance":
            held = yes_no(raw)
            if held is None:
                issues.append(_issue(estate, key, "software_assurance must be yes or no "
                                     "(whether your Windows Server and SQL Server licences "
                                     "carry Software Assurance)", text))
            elif not held:
                opts[key] = False
                overrides.update({k: 0.0 for k in _ASSURANCE})
        elif key == "usd_per_gbp":
            try:
                overrides[USD_PER_GBP] = check_override(ref, USD_PER_GBP, text)
            except ValueError as exc:
                issues.append(_issue(estate, key, str(exc).replace(USD_PER_GBP, key), text))
        elif key == "os_eos_must_finish_months":
            try:
                n = float(text)
                if n < 0 or n != int(n):
                    raise ValueError
                opts[key] = int(n)
            except ValueError:
                issues.append(_issue(estate, key, "os_eos_must_finish_months must be a whole "
                                     "number of months, 0 or more", text))
        elif is_known_key(ref, key):
            try:
                overrides[key] = check_override(ref, key, text)
            except ValueError as exc:
                issues.append(_issue(estate, key, str(exc), text))
        else:
            known = list(ref.keys()) + list(EXTRA_SETTINGS)
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            hint = retired_hint(key) or hint
            issues.append(_issue(
                estate, key, f"unknown setting {key!r}: it is neither a planning setting nor "
                f"a reference value. {hint}Fix the spelling (run `estate reference` for the "
                "reference keys, e.g. pue.on_prem) or delete the row"))
    if issues:
        raise EstateError(issues)
    if overrides:
        ref = ref.with_overrides(overrides, "settings sheet")
    return ref, opts


#: Software Assurance fees, 0 when the council holds none (``software_assurance`` no).
_ASSURANCE = ("os_licence.software_assurance_fraction", "sql_server.software_assurance_fraction")


def yes_no(raw: Any) -> bool | None:
    """``True`` / ``False`` for yes / no (also y, true, 1 / n, false, 0, none), else ``None``."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("yes", "y", "true", "1", "held"):
        return True
    if text in ("no", "n", "false", "0", "none"):
        return False
    return None


def _pricing(estate: Estate, key: str, text: str, opts: dict[str, Any],
             issues: list[Issue]) -> None:
    """``cloud_pricing`` (every cloud site) or ``cloud_pricing.SITE`` (one)."""
    basis = text.lower()
    if basis not in BASES:
        issues.append(_issue(estate, key, f"{key} must be one of {', '.join(BASES)} "
                             "(pay as you go, 1- or 3-year reservation, 1- or 3-year "
                             "savings plan)", text))
        return
    if key == "cloud_pricing":
        opts["cloud_pricing"] = basis
        return
    site_id = key.split(".", 1)[1]
    site = estate.site_by_id.get(site_id)
    if site is None:  # the settings sheet's keys are read in lower case
        site = next((s for s in estate.sites if s.site_id.lower() == site_id.lower()), None)
    if site is None or site.kind != "cloud":
        clouds = [s.site_id for s in estate.sites if s.kind == "cloud"]
        what = "is not a site" if site is None else f"is a {site.kind} site, not a cloud site"
        issues.append(_issue(estate, key, f"{key}: {site_id!r} {what}; write "
                             "cloud_pricing.<id of a cloud site> ("
                             + (", ".join(clouds) or "the sites sheet has no cloud site")
                             + ") or delete the row"))
        return
    opts["site_pricing"][site.site_id] = basis


def _nearest(series: dict[int, float], year: int) -> float:
    if year in series:
        return series[year]
    return series[min(series) if year < min(series) else max(series)]


def carbon_value(ref: Reference, series: str, year: int) -> float:
    """The carbon value (£/tCO2e) of ``series`` (low, central, high) for
    ``year``: the one rule for taking a price from a series, which the default
    ``carbon_price`` and the front's appraisal values both use. The year's
    own value, else the first year's before the series starts, else its last
    year's."""
    return _nearest(ref.series(f"carbon_price.{series}"), year)


def carbon_values(ref: Reference, year: int) -> dict[str, float]:
    """:func:`carbon_value` of ``year`` for every series the reference data has."""
    return {name: carbon_value(ref, name, year) for name in CARBON_SERIES
            if ref.series(f"carbon_price.{name}")}


def workbook_reference(estate: Estate, reference_file: str | Path | None = None) -> Reference:
    """The reference data a raw estate is resolved with: the packaged data,
    ``reference_file`` (``--reference``) and the settings sheet's overrides.

    Raises
    ------
    EstateError
        A bad reference file, or an unknown or bad key in the settings sheet.
    """
    return _extras(estate, load_reference(reference_file))[0]


def horizon_years(settings: Settings) -> list[int]:
    """Every calendar year the horizon touches."""
    first = parse_month(settings.horizon_start)[0]
    last = calendar_year(settings.horizon_start, settings.horizon_months - 1)
    return list(range(first, last + 1))


def _settings(s: Settings, ref: Reference, series: str, filled: list[str]) -> Settings:
    grid_ref = ref.series("grid")
    grid: dict[int, float] = {}
    for year in horizon_years(s):
        if isinstance(s.grid_kg_per_kwh, int | float):
            grid[year] = float(s.grid_kg_per_kwh)
        elif isinstance(s.grid_kg_per_kwh, dict) and year in s.grid_kg_per_kwh:
            grid[year] = float(s.grid_kg_per_kwh[year])
        else:
            grid[year] = _nearest(grid_ref, year)
            filled.append(f"settings.grid_kg_per_kwh.{year}")
    price = s.carbon_price
    if price is None:
        start_year = parse_month(s.horizon_start)[0]
        price = carbon_value(ref, series, start_year)
        filled.append("settings.carbon_price")
    vpc = s.vcpus_per_core  # a reference default, recorded in assumptions.settings
    if vpc is None:
        vpc = ref.number("hardware.vcpus_per_core")
    return replace(s, carbon_price=price, grid_by_year=grid, vcpus_per_core=vpc,
                   hours_per_month=ref.number("ccf.hours_per_month"),
                   extend_support_fraction=ref.number("hardware.extend_support_fraction"),
                   extend_support_years=int(ref.number("hardware.extend_support_max_years")))


def _site(site: Site, ref: Reference, filled: list[str]) -> Site:
    pue, price = site.pue, site.power_price_per_kwh
    if pue is None:
        pue = est.site_pue(site, ref)
        filled.append(f"sites.{site.site_id}.pue")
    if price is None:
        price = ref.number("power_price_per_kwh") if site.kind != "cloud" else 0.0
        filled.append(f"sites.{site.site_id}.power_price_per_kwh")
    fixed = site.monthly_fixed_cost
    if fixed is None and site.kind == "cloud":
        fixed = 0.0  # the contract's rule, not an estimate
    return replace(site, pue=pue, power_price_per_kwh=price, monthly_fixed_cost=fixed)


def _facilities(base: Estate, ref: Reference, filled: list[str],
                ) -> tuple[tuple[Site, ...], dict[str, float], dict[str, float]]:
    """Fill blank ``monthly_fixed_cost`` of on_prem / colo sites from their IT load."""
    serving = staying.in_service(base)
    loads: dict[str, float] = {}
    fees: dict[str, float] = {}
    sites = []
    for site in base.sites:
        if site.monthly_fixed_cost is None:
            loads[site.site_id] = staying.it_load_kw(base, site.site_id, serving)
            fees[site.site_id] = staying.facilities_monthly(site, loads[site.site_id], ref)
            site = replace(site, monthly_fixed_cost=fees[site.site_id])
            filled.append(f"sites.{site.site_id}.monthly_fixed_cost")
        sites.append(site)
    return tuple(sites), loads, fees


def _server(srv: Server, ref: Reference, filled: list[str]) -> Server:
    values: dict[str, Any] = {}
    for name, fn in (("watts", est.server_watts), ("replacement_cost", est.replacement_cost),
                     ("embodied_kgco2e", est.embodied_kg)):
        if getattr(srv, name) is None:
            values[name] = fn(srv, ref)
            filled.append(f"servers.{srv.server_id}.{name}")
    if srv.os_end_of_support is None:
        eos = est.os_end_of_support(srv.os, ref)
        if eos is not None:
            values["os_end_of_support"] = eos
            filled.append(f"servers.{srv.server_id}.os_end_of_support")
    if srv.end_of_life is None and srv.kind != "virtual":
        eol = hardware.end_of_life(srv, ref)
        if eol is not None:
            values["end_of_life"] = eol
            filled.append(f"servers.{srv.server_id}.end_of_life")
    return replace(srv, **values) if values else srv


def out_of_support(estate: Estate,
                   ref: Reference | None = None) -> list[tuple[str, str, str, str]]:
    """Applications on an out-of-support OS or platform at the horizon start.

    A server is out of support when its ``os_end_of_support`` (else the month
    estimated from its ``os`` text) is at or before ``horizon_start``. An
    application is listed for each such server serving it, and for the host
    of each of its virtual servers when that host is out of support.

    Returns
    -------
    list of (app_id, server_id, os, end_of_support_month)
        Sorted by application, then server.
    """
    start = estate.settings.horizon_start
    bad: dict[str, tuple[str, str]] = {}
    for s in estate.servers:
        eos = s.os_end_of_support or est.os_end_of_support(s.os, ref)
        if eos is not None and eos <= start:
            bad[s.server_id] = (s.os, eos)
    out: set[tuple[str, str, str, str]] = set()
    for s in estate.servers:
        for sid in (s.server_id, s.host_id):
            if sid is not None and sid in bad:
                for app in s.app_ids:
                    out.add((app, sid, *bad[sid]))
    return sorted(out)


def _json_settings(s: Settings) -> dict[str, Any]:
    d = asdict(s)
    d["freeze_months"] = list(s.freeze_months)
    if isinstance(s.grid_kg_per_kwh, dict):
        d["grid_kg_per_kwh"] = {str(k): v for k, v in s.grid_kg_per_kwh.items()}
    d["grid_by_year"] = {str(k): v for k, v in s.grid_by_year.items()}
    return d


def _option_dict(o: Option) -> dict[str, Any]:
    d = asdict(o)
    d["effort"] = dict(o.effort)
    return d


def resolve(estate: Estate, reference_file: str | Path | None = None, *,
            reference: Reference | None = None) -> Estate:
    """Fill every blank the planner needs; record what was estimated.

    Parameters
    ----------
    estate : Estate
        A raw estate (as loaded). A resolved one is returned unchanged.
    reference_file : str or Path, optional
        A TOML file overriding reference values (``--reference FILE``).
    reference : Reference, optional
        Reference data to use instead of loading it (tests, callers that
        already loaded it); ``reference_file`` is then ignored.

    Returns
    -------
    Estate
        A copy with ``resolved=True``: ``settings.carbon_price`` and
        ``settings.grid_by_year`` (every calendar year of the horizon), each
        site's ``pue`` and ``power_price_per_kwh``, each server's ``watts``,
        ``replacement_cost``, ``embodied_kgco2e`` (and ``os_end_of_support``
        when its ``os`` is recognised), a ``migration`` team when there is no
        teams sheet, generated options for applications with no options rows,
        ``estimated`` and ``assumptions``.

    Raises
    ------
    EstateError
        An unknown or bad key in the settings sheet, or a bad reference file.
    """
    if estate.resolved:
        return estate
    ref = reference if reference is not None else load_reference(reference_file)
    ref, opts = _extras(estate, ref)
    plain, ref = ref, ref.tracking()
    filled: list[str] = []
    contracts = _hypervisor_estimates(estate, plain, ref, filled)
    settings = _settings(estate.settings, ref, opts["carbon_price_series"], filled)
    servers = tuple(_server(s, ref, filled) for s in estate.servers)
    teams = estate.teams or (Team(DEFAULT_TEAM, settings.team_days_per_month),)
    base = replace(estate, settings=settings, servers=servers, teams=teams,
                   contracts=contracts, sites=tuple(_site(s, ref, filled) for s in estate.sites))
    sites, loads, fees = _facilities(base, ref, filled)
    app_costs = staying.estimate_applications(base, estate.applications, ref)
    apps = tuple(replace(a, current_monthly_cost=sum(app_costs[a.app_id].values()))
                 if a.app_id in app_costs else a for a in estate.applications)
    filled += [f"applications.{a}.current_monthly_cost" for a in app_costs]
    apps = _deadlines(base, apps, opts["os_eos_must_finish_months"], ref, filled)
    base = replace(base, sites=sites, applications=apps)
    generated = _generated(base, ref, opts, filled)
    resolved = replace(base, options=estate.options + tuple(generated), resolved=True,
                       estimated=tuple(filled))
    inputs = staying.StayingInputs(app_costs, loads, fees)
    out = _assumptions(resolved, generated, filled, ref, inputs, app_costs)
    out["cloud_pricing"] = _cloud_terms(resolved, opts)
    return replace(resolved, assumptions=out)


def _cloud_terms(estate: Estate, opts: dict[str, Any]) -> dict[str, Any]:
    """plan.json's ``assumptions.cloud_pricing``: how each cloud site was priced."""
    sites = {}
    for s in estate.sites:
        if s.kind == "cloud":
            t = est.site_terms(s, opts["cloud_pricing"], opts["site_pricing"],
                               opts["software_assurance"])
            sites[s.site_id] = {"provider": t.provider, "basis": t.basis}
    return {"software_assurance": opts["software_assurance"], "sites": sites}


def _hypervisor_estimates(estate: Estate, plain: Reference, ref: Reference,
                          filled: list[str]) -> tuple[Contract, ...]:
    """The contracts, with each hypervisor subscription an import estimated
    (``estimated``, ``unit = core``, ``unit_price`` the packaged
    ``hypervisor.per_core_year`` it was estimated at) priced at the value in
    force when that differs (a ``--reference`` file, a settings-sheet or
    scenario override: e.g. ``estate sensitivity``'s Cloud Foundation case),
    its annual value in proportion. A price the user changed is kept."""
    key = "hypervisor.per_core_year"
    was, now = packaged_reference().number(key), plain.number(key)
    if abs(now - was) < 1e-9:
        return estate.contracts
    out = []
    for c in estate.contracts:
        if (c.estimated and c.unit == "core" and c.unit_price is not None
                and abs(c.unit_price - was) < 1e-6):
            c = replace(c, unit_price=ref.number(key), annual_value=c.annual_value * now / was)
            filled.append(f"contracts.{c.contract_id}.unit_price")
        out.append(c)
    return tuple(out)


def _deadlines(base: Estate, apps: tuple[Application, ...], months: int | None,
               ref: Reference, filled: list[str]) -> tuple[Application, ...]:
    """``must_finish_by`` for applications on an out-of-support OS (extra setting)."""
    if months is None:
        return apps
    late = {a for a, *_ in out_of_support(base, ref)}
    deadline = add_months(base.settings.horizon_start, months)
    out = []
    for a in apps:
        if a.app_id in late and a.must_finish_by is None:
            a = replace(a, must_finish_by=deadline)
            filled.append(f"applications.{a.app_id}.must_finish_by")
        out.append(a)
    return tuple(out)


def _generated(base: Estate, ref: Reference, opts: dict[str, Any],
               filled: list[str]) -> list[Option]:
    out: list[Option] = []
    for app in base.applications:
        if not base.options_by_app.get(app.app_id):
            for o in est.generated_options(base, app, ref, pricing=opts["cloud_pricing"],
                                           site_pricing=opts["site_pricing"],
                                           software_assurance=opts["software_assurance"]):
                out.append(o)
                target = f"@{o.target_site}" if o.strategy == "rehost" else ""
                filled.append(f"options.{app.app_id}.{o.strategy}{target}")
    return out


def _assumptions(est_: Estate, generated: list[Option], filled: list[str], ref: Reference,
                 inputs: staying.StayingInputs,
                 app_costs: dict[str, dict[str, float]]) -> dict[str, Any]:
    """plan.json's ``assumptions`` block of a resolved estate."""
    out: dict[str, Any] = {
        "settings": _json_settings(est_.settings),
        "sites": {s.site_id: {"pue": s.pue, "power_price_per_kwh": s.power_price_per_kwh,
                              "grid_kg_per_kwh": s.grid_kg_per_kwh,
                              "monthly_fixed_cost": s.monthly_fixed_cost} for s in est_.sites},
        "servers": {s.server_id: {"watts": s.watts, "replacement_cost": s.replacement_cost,
                                  "embodied_kgco2e": s.embodied_kgco2e,
                                  "os_end_of_support": s.os_end_of_support,
                                  "end_of_life": s.end_of_life} for s in est_.servers},
        "teams": {t.team_id: t.days_per_month for t in est_.teams},
        "options": [_option_dict(o) for o in generated],
        "estimated": list(filled),
        "reference_version": ref.version,
    }
    # every reference entry the estimates above read, with unit, year and source
    apps: dict[str, dict[str, Any]] = {}
    for a in est_.applications:
        if a.app_id in app_costs:
            apps.setdefault(a.app_id, {})["current_monthly_cost"] = a.current_monthly_cost
        if f"applications.{a.app_id}.must_finish_by" in filled:
            apps.setdefault(a.app_id, {})["must_finish_by"] = a.must_finish_by
    if apps:
        out["applications"] = apps
    esu = staying.esu_table(est_, ref)
    if esu:
        out["esu"] = esu
    out["cost_of_staying"] = staying.breakdown(est_, inputs, ref)
    out["reference"] = {k: {f: v for f, v in ref.entry(k).as_dict().items() if f != "key"}
                        for k in sorted(ref.used or ())}
    return out
