"""Write an :class:`Estate` as the estate workbook of the inventory spec.

:func:`estate_to_sheets` turns an estate into the sheets and columns of
:mod:`inventory.schema` (plus ``pins`` and ``actuals`` sheets when the estate
has them); :func:`write_estate`
saves them as an ``.xlsx`` workbook (atomic, formula-safe) or a folder of
``.csv`` files. Loading the result with :func:`inventory.load.load_estate`
gives back an equal estate.

Cells: lists joined with ``; ``, months ``YYYY-MM``, dates ``YYYY-MM-DD``,
effort ``team=days; team=days``, booleans ``yes``/``no``, ``None`` a blank
cell, numbers as numbers. Generated options (``Option.generated``) are not
written: the loader's resolver generates them again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.model import Estate, Settings
from estate.months import format_month_names
from inventory import schema
from inventory.tables import write_csv_folder, write_xlsx

Sheets = dict[str, tuple[list[str], list[list[Any]]]]

#: Sheet -> columns written, in schema order (:mod:`inventory.schema`; the
#: columns the planner reads: informational ones are only ever kept, never made).
COLUMNS: dict[str, list[str]] = {
    name: schema.columns(name, used_only=True) for name in schema.READ_SHEETS}


def _num(x: float | int | None) -> float | int | None:
    """A number cell: whole floats as ints (``12.0`` -> ``12``), ``None`` blank."""
    if x is None:
        return None
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


def _num_text(x: float) -> str:
    """A number inside a text cell (``10``, ``2.5``), exact."""
    v = _num(x)
    return str(v) if isinstance(v, int) else repr(v)


def _text(x: str | None) -> str | None:
    return x if x else None


def _list(items: tuple[str, ...]) -> str | None:
    return "; ".join(items) if items else None


def _yes(x: bool) -> str:
    return "yes" if x else "no"


def _effort(effort: dict[str, float]) -> str | None:
    return "; ".join(f"{t}={_num_text(d)}" for t, d in effort.items()) or None


def _settings_rows(s: Settings) -> list[list[Any]]:
    """Settings that are needed (the horizon) or differ from the defaults."""
    d = Settings(horizon_start=s.horizon_start)
    rows: list[list[Any]] = [["horizon_start", s.horizon_start],
                             ["horizon_months", s.horizon_months]]
    if s.discount_rate != d.discount_rate:
        rows.append(["discount_rate", _num(s.discount_rate)])
    if s.carbon_price is not None:
        rows.append(["carbon_price", _num(s.carbon_price)])
    if s.team_days_per_month != d.team_days_per_month:
        rows.append(["team_days_per_month", _num(s.team_days_per_month)])
    if s.max_critical_in_flight != d.max_critical_in_flight:
        rows.append(["max_critical_in_flight", s.max_critical_in_flight])
    if s.max_golives_per_month is not None:
        rows.append(["max_golives_per_month", s.max_golives_per_month])
    if s.resident_notice_weeks != d.resident_notice_weeks:
        rows.append(["resident_notice_weeks", s.resident_notice_weeks])
    for key in ("organisation", "strategy"):
        if getattr(s, key):
            rows.append([key, getattr(s, key)])
    if s.freeze_months:
        rows.append(["freeze_months", format_month_names(s.freeze_months)])
    if s.unsupported_os_policy != d.unsupported_os_policy:
        rows.append(["unsupported_os_policy", s.unsupported_os_policy])
    if s.unsupported_os_grace_months != d.unsupported_os_grace_months:
        rows.append(["unsupported_os_grace_months", s.unsupported_os_grace_months])
    if s.ha_spare_hosts != d.ha_spare_hosts:
        rows.append(["ha_spare_hosts", s.ha_spare_hosts])
    if s.vcpus_per_core is not None:
        rows.append(["vcpus_per_core", _num(s.vcpus_per_core)])
    if isinstance(s.grid_kg_per_kwh, dict):
        rows.append(["grid_kg_per_kwh", "; ".join(
            f"{y}={_num_text(v)}" for y, v in sorted(s.grid_kg_per_kwh.items()))])
    elif s.grid_kg_per_kwh is not None:
        rows.append(["grid_kg_per_kwh", _num(s.grid_kg_per_kwh)])
    for key, value in s.extra.items():
        rows.append([key, value])
    return rows


def _rows(sheet: str, rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Rows given as ``{column: value}`` in the sheet's column order (missing: blank)."""
    cols = COLUMNS[sheet]
    unknown = {k for r in rows for k in r} - set(cols)
    if unknown:
        raise ValueError(f"columns {sorted(unknown)} are not in the schema of {sheet}")
    return cols, [[r.get(c) for c in cols] for r in rows]


def estate_to_sheets(estate: Estate) -> Sheets:
    """The estate as sheets ``{name: (columns, rows)}`` of the workbook schema.

    Parameters
    ----------
    estate
        A raw estate (a resolved one is written with its filled values, which
        then read back as given rather than estimated).

    Returns
    -------
    dict
        ``settings``, ``sites``, ``applications``, ``servers``, ``options``,
        ``dependencies``, ``contracts``, ``teams``, ``budget`` always (optional
        sheets may have no rows), and ``pins`` when the estate has pins. Cell
        values are ``str``, ``int``, ``float`` or ``None`` (blank).
    """
    e = estate
    sheets: Sheets = {"settings": (COLUMNS["settings"], _settings_rows(e.settings))}
    sheets["sites"] = _rows("sites", [dict(
        site_id=s.site_id, name=_text(s.name), kind=s.kind, pue=_num(s.pue),
        power_price_per_kwh=_num(s.power_price_per_kwh),
        monthly_fixed_cost=_num(s.monthly_fixed_cost), exit_by=s.exit_by,
        grid_kg_per_kwh=_num(s.grid_kg_per_kwh), country=s.country) for s in e.sites])
    sheets["applications"] = _rows("applications", [dict(
        app_id=a.app_id, name=a.name, service=_text(a.service), criticality=a.criticality,
        resident_facing=_yes(a.resident_facing),
        current_monthly_cost=_num(a.current_monthly_cost),
        blackout_months=_text(format_month_names(a.blackout_months)),
        earliest_start=a.earliest_start, must_finish_by=a.must_finish_by,
        non_digital_route=_text(a.non_digital_route),
        data_residency=None if a.data_residency == "any" else a.data_residency)
        for a in e.applications])
    sheets["servers"] = _rows("servers", [dict(
        server_id=s.server_id, hostname=_text(s.hostname), site_id=s.site_id, kind=s.kind,
        host_id=s.host_id, vcpus=_num(s.vcpus), ram_gb=_num(s.ram_gb),
        storage_gb=_num(s.storage_gb), os=_text(s.os), os_end_of_support=s.os_end_of_support,
        end_of_life=s.end_of_life, watts=_num(s.watts), replacement_cost=_num(s.replacement_cost),
        embodied_kgco2e=_num(s.embodied_kgco2e), app_ids=_list(s.app_ids),
        purchase_date=s.purchase_date, model=_text(s.model), cpu_model=_text(s.cpu_model),
        powerstate=_text(s.powerstate), cluster=_text(s.cluster), sockets=_num(s.sockets),
        cores=_num(s.cores), in_use_gb=_num(s.in_use_gb), sql_edition=_text(s.sql_edition),
        sql_cores=_num(s.sql_cores))
        for s in e.servers])
    sheets["options"] = _rows("options", [dict(
        app_id=o.app_id, strategy=o.strategy, target_site=o.target_site,
        duration_months=None if o.strategy == "retain" else o.duration_months,
        one_off_cost=_num(o.one_off_cost), monthly_cost=_num(o.monthly_cost),
        monthly_kwh=_num(o.monthly_kwh), effort=_effort(o.effort))
        for o in e.options if not o.generated])
    sheets["dependencies"] = _rows("dependencies", [dict(
        from_id=d.from_id, to_id=d.to_id, kind=d.kind,
        split_cost_per_month=(_num(d.split_cost_per_month)
                              if d.kind == "loose" or d.split_cost_per_month else None))
        for d in e.dependencies])
    sheets["contracts"] = _rows("contracts", [dict(
        contract_id=c.contract_id, supplier=_text(c.supplier), title=_text(c.title),
        category=_text(c.category), annual_value=_num(c.annual_value),
        start_date=c.start_date, end_date=c.end_date, notice_months=c.notice_months,
        renewal_term_months=c.renewal_term_months, renewal_uplift=_num(c.renewal_uplift),
        covers=_list(c.covers), estimated=_yes(c.estimated) if c.estimated else None,
        department=_text(c.department), cpv_code=_text(c.cpv_code),
        total_value=_num(c.total_value), ends_with=_text(c.ends_with),
        unit=c.unit, unit_price=_num(c.unit_price),
        min_units=_num(c.min_units) if c.min_units else None)
        for c in e.contracts])
    sheets["teams"] = _rows("teams", [dict(team_id=t.team_id,
                                           days_per_month=_num(t.days_per_month))
                                      for t in e.teams])
    sheets["budget"] = _rows("budget", [dict(financial_year=b.financial_year,
                                             one_off_limit=_num(b.one_off_limit))
                                        for b in e.budget])
    if e.pins:
        sheets["pins"] = _rows("pins", [dict(app_id=p.app_id, strategy=p.strategy,
                                             start=p.start, target_site=p.target_site)
                                        for p in e.pins])
    if e.actuals:
        sheets["actuals"] = _rows("actuals", [dict(
            kind=a.kind, id=a.item_id, month=a.month, strategy=a.strategy,
            target_site=a.target_site, one_off_cost=_num(a.one_off_cost), action=a.action,
            annual_value=_num(a.annual_value), status=a.status, note=_text(a.note))
            for a in e.actuals])
    return sheets


def write_estate(estate: Estate, path: str | os.PathLike[str], *,
                 follow_symlinks: bool = False) -> Path:
    """Write the estate workbook: ``.xlsx`` when ``path`` ends so, else a CSV folder.

    The ``.xlsx`` is written atomically (a temporary file moved into place) and
    no cell is ever a formula (text such as ``=HYPERLINK(...)`` stays text).

    Parameters
    ----------
    estate
        The estate to write (see :func:`estate_to_sheets`).
    path
        ``something.xlsx``, or a folder (created if missing) that receives
        ``settings.csv``, ``sites.csv``, ``applications.csv``, …

    Returns
    -------
    Path
        ``path``, so that ``load_estate(write_estate(e, p))`` reads it back.

    Notes
    -----
    An existing workbook keeps its permissions; a read-only one is refused,
    and a symbolic link is written through only with ``follow_symlinks``
    (:mod:`estate.files`). In a CSV folder the sheets are replaced as one
    change, and the files of sheets this estate does not have (an old
    ``pins.csv``) are removed with it.

    Raises
    ------
    EstateError
        When ``path`` names another kind of file (``.csv``, ``.xls``, …), is an
        existing file that is not ``.xlsx``, or cannot be written.
    """
    p = Path(path)
    is_xlsx = p.suffix.lower() == ".xlsx"
    if not is_xlsx and (p.suffix.lower() in _NOT_FOLDERS or p.is_file()):
        raise EstateError(Issue(str(p), "write the estate to a path ending in .xlsx, or to a "
                                "folder that will hold one .csv file per sheet"))
    if is_xlsx and p.is_dir():
        raise EstateError(Issue(str(p), "is a folder; give a file name ending in .xlsx"))
    sheets = estate_to_sheets(estate)
    try:
        if is_xlsx:
            write_xlsx(sheets, p, follow_symlinks=follow_symlinks)
        else:
            stale = [f"{n}.csv" for n in schema.READ_SHEETS if n not in sheets]
            write_csv_folder(sheets, p, remove=stale)
    except OSError as exc:
        raise EstateError(Issue(str(p), f"cannot write: {exc.strerror or exc}")) from exc
    return p


_NOT_FOLDERS = (".csv", ".xls", ".xlsm", ".xlsb", ".ods", ".json", ".txt", ".zip")
