"""Read what-if scenarios from a ``scenarios`` sheet or a TOML file.

Sheet (in the estate workbook or a workbook of its own; or ``scenarios.csv``
in a folder): columns ``scenario``, ``key``, ``value``; one override a row,
the rows of a scenario together or not. A row with a name and no key names a
scenario with no override (the workbook as it is)::

    scenario        | key                  | value
    base            |                      |
    early exit      | exit_by.DC1          | -12
    tight budget    | budget_factor        | 0.6
    high carbon     | carbon_price_series  | high

TOML: a table per scenario, its keys the overrides (nested tables join
with dots, so ``exit_by.DC1 = "2028-04"`` works; quote a financial year:
``budget."2027/28" = 2e6``)::

    [base]
    [early-exit]
    description = "Exit DC1 a year earlier"
    exit_by.DC1 = -12

The overrides are checked against the estate by
:func:`estate.scenario.check_scenarios`; this module checks the form only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.reading import load_toml
from estate.scenario import Override, Scenario
from inventory.tables import read_tables

__all__ = ["read_scenarios"]

SHEET = "scenarios"
COLUMNS = ("scenario", "key", "value")


def _flatten(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out += _flatten(v, key)
        else:
            out.append((key, v))
    return out


def _from_toml(path: Path) -> list[Scenario]:
    data = load_toml(path, what="scenarios file")
    issues: list[Issue] = []
    out: list[Scenario] = []
    for name, body in data.items():
        if not isinstance(body, dict):
            issues.append(Issue(str(path), f"{name!r} is not a scenario: write each scenario "
                                f"as a table, [name], with its overrides under it"))
            continue
        overrides = tuple(Override(k, v) for k, v in _flatten(body))
        out.append(Scenario(str(name), overrides, source=str(path)))
    if issues:
        raise EstateError(issues)
    return out


def _from_sheet(path: Path) -> list[Scenario]:
    tables = read_tables(path)
    table = tables.sheets.get(SHEET)
    file = tables.file_of(SHEET)
    if table is None:
        raise EstateError(Issue(str(path), f"has no {SHEET!r} sheet (columns scenario, key, "
                                "value); add one, or give a TOML file of scenarios"))
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise EstateError(Issue(file, f"the sheet lacks the column(s) {', '.join(missing)}; "
                                "its header row must read scenario, key, value",
                                sheet=SHEET, row=1))
    issues: list[Issue] = []
    rows: dict[str, tuple[str, int, list[Override]]] = {}
    for r in table.rows:
        name, key = r.get("scenario"), r.get("key")
        if not name:
            issues.append(Issue(file, "the scenario name is blank", sheet=SHEET,
                                row=r.number, column="scenario"))
            continue
        entry = rows.setdefault(name.lower(), (name, r.number, []))
        if key:
            entry[2].append(Override(key, r.get("value"), row=r.number))
        elif r.get("value"):
            issues.append(Issue(file, "a value without a key", sheet=SHEET, row=r.number,
                                column="key"))
    if issues:
        raise EstateError(issues)
    if not rows:
        raise EstateError(Issue(file, "the sheet lists no scenario", sheet=SHEET))
    return [Scenario(name, tuple(ovs), source=file, sheet=SHEET, row=row)
            for name, row, ovs in rows.values()]


def read_scenarios(path: str | Path) -> list[Scenario]:
    """The scenarios of a TOML file (``.toml``) or of the ``scenarios`` sheet of
    a workbook (or ``scenarios.csv`` of a folder), in the order given.

    Raises
    ------
    EstateError
        With every problem of form (the overrides themselves are checked
        against the estate by :func:`estate.scenario.check_scenarios`).
    """
    p = Path(path)
    if p.suffix.lower() == ".toml":
        return _from_toml(p)
    return _from_sheet(p)
