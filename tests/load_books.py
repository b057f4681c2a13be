"""A small valid estate workbook as sheets, for the loader/validator/graph tests.

``base_sheets()`` returns ``{sheet: (columns, rows)}`` (fresh lists every call)
that tests modify before writing with :func:`write_book` (``.xlsx``) or
:func:`write_folder` (CSV folder). Row ``i`` of a sheet (0-based) is Excel row
``i + 2``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from inventory.tables import write_csv_folder, write_xlsx

Sheets = dict[str, tuple[list[str], list[list[Any]]]]


def base_sheets() -> Sheets:
    """A valid estate touching every sheet and most columns."""
    return {
        "settings": (["key", "value", "note"], [
            ["horizon_start", "2025-04", "first month"],
            ["horizon_months", 36, ""],
            ["discount_rate", "3.5%", ""],
            ["carbon_price", 0, ""],
            ["freeze_months", "Dec; Mar", ""],
            ["max_golives_per_month", 3, ""],
            ["grid_kg_per_kwh", "2025=0.2; 2026=0.18", ""],
            ["pue.cloud", "1.1", "reference override"],
        ]),
        "sites": (["site_id", "name", "kind", "pue", "power_price_per_kwh",
                   "monthly_fixed_cost", "exit_by", "grid_kg_per_kwh"], [
            ["DC1", "Town Hall", "on_prem", 1.6, 0.25, "£5,000", "2028-03", None],
            ["AZ", "Azure UK South", "cloud", 1.1, None, None, None, 0.1],
            ["COLO", "Colo", "Colo", None, None, 1200, None, None],
        ]),
        "applications": (["app_id", "name", "service", "criticality", "resident_facing",
                          "current_monthly_cost", "blackout_months", "earliest_start",
                          "must_finish_by", "owner"], [
            ["A1", "Revenues", "Revenues & Benefits", "critical", "yes", "1,200", "Feb; Mar",
             None, None, "x"],
            ["A2", "Benefits", "Revenues & Benefits", None, "no", 800, None,
             dt.datetime(2025, 6, 1), None, ""],
            ["A3", "Care records", "Adult Social Care", "High", None, 500, None, None,
             "2027-03", ""],
            ["A4", "Intranet", "Corporate", "low", "n", None, None, None, None, ""],
            ["A5", "Old payroll", "HR", "medium", "false", 300, None, None, None, ""],
        ]),
        "servers": (["server_id", "hostname", "site_id", "kind", "host_id", "vcpus", "ram_gb",
                     "storage_gb", "os", "os_end_of_support", "end_of_life", "watts",
                     "replacement_cost", "embodied_kgco2e", "app_ids"], [
            ["H1", "esx1", "DC1", "host", None, 32, 512, None, "ESXi", None, "2026-09", 400,
             "£15,000", 1200, None],
            ["V1", "rev01", "DC1", "virtual", "H1", 4, 16, 200, "Windows 2016", "2027-01-12",
             None, None, None, None, "A1"],
            ["V2", "ben01", "DC1", "virtual", "H1", 2, 8, 100, None, None, None, None, None,
             None, "A2"],
            ["P1", "care01", "DC1", "physical", None, 8, 64, 500, None, None, "2026-01", 250,
             None, None, "A3; A4"],
            ["P2", "intra2", "COLO", "physical", None, 2, 4, None, None, None, None, 90, None,
             None, "A4"],
            ["Z1", "old01", "DC1", "physical", None, None, None, None, None, None, None, 150,
             None, None, None],
            ["H2", "esx2", "DC1", "host", None, 16, 128, None, None, None, None, None, None,
             None, None],
            ["V3", "dead01", "DC1", "virtual", "H2", 1, 2, None, None, None, None, None, None,
             None, None],
        ]),
        "options": (["app_id", "strategy", "target_site", "duration_months", "one_off_cost",
                     "monthly_cost", "monthly_kwh", "effort"], [
            ["A1", "retain", None, None, None, None, None, None],
            ["A1", "rehost", "AZ", 3, "£12,000", 900, 100, "migration=10"],
            ["A2", "rehost", "AZ", 2, 5000, 600, 50, 4],
            ["A2", "retain", "DC1", None, None, None, None, None],
            ["A3", "refactor", "AZ", 6, 40000, 400, 80, "dev=5; migration=2"],
            ["A3", "relocate", "COLO", 2, 3000, 0, 120, None],
            ["A5", "repurchase", None, 2, 1000, 250, None, None],
            ["A5", "retire", None, 1, 500, None, None, None],
        ]),
        "dependencies": (["from_id", "to_id", "kind", "split_cost_per_month"], [
            ["A1", "A2", "together", None],
            ["A2", "A3", "before", None],
            ["A3", "A4", "loose", 100],
        ]),
        "contracts": (["contract_id", "supplier", "title", "category", "annual_value",
                       "start_date", "end_date", "notice_months", "renewal_term_months",
                       "renewal_uplift", "covers"], [
            ["C1", "Civica", "Revenues licence", "licence", "£24,000",
             dt.datetime(2024, 4, 1), dt.datetime(2026, 3, 31), None, None, None, "A1; H1"],
            ["C2", "Equinix", "Colo space", "datacentre", 60000, None, "2027-06-30", 6, 24,
             "3%", "COLO"],
        ]),
        "teams": (["team_id", "days_per_month"], [["migration", 60], ["dev", 20]]),
        "budget": (["financial_year", "one_off_limit"], [["2025/26", "100,000"]]),
        "pins": (["app_id", "strategy", "start", "target_site"], [
            ["A5", "retire", "2025-09", None],
        ]),
    }


def write_book(sheets: Sheets, path: Path) -> Path:
    """Write ``sheets`` as an ``.xlsx`` workbook at ``path``."""
    write_xlsx(sheets, path)
    return path


def _csv_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return v


def write_folder(sheets: Sheets, folder: Path) -> Path:
    """Write ``sheets`` as a folder of ``.csv`` files (dates as ``YYYY-MM-DD``)."""
    write_csv_folder({n: (c, [[_csv_value(v) for v in r] for r in rows])
                      for n, (c, rows) in sheets.items()}, folder)
    return folder


def set_cell(sheets: Sheets, sheet: str, index: int, column: str, value: Any) -> int:
    """Set ``column`` of data row ``index``; return its Excel row number."""
    cols, rows = sheets[sheet]
    rows[index][cols.index(column)] = value
    return index + 2
