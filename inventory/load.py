"""Load an estate workbook (``.xlsx`` or a folder of ``.csv``) into an :class:`Estate`.

Every sheet and column of :mod:`inventory.schema` (documented in
``docs/workbook.md``) is read here. Names are checked first
(:mod:`inventory.structure`: near misses are errors, unknown names are
ignored and reported as notices). Every cell is untrusted text: each is parsed by
:mod:`inventory.cells`, and every problem becomes an :class:`Issue` naming the
file, sheet, Excel row and column. Problems in cells and problems across
objects (:func:`inventory.validate.validate_estate`) are collected together and
raised at once as one :class:`EstateError`.

A row with a bad cell is still built when its id is present, with a neutral
value in place of the bad one, so that one mistake does not cascade into
"unknown id" errors elsewhere; the estate is never returned in that case.

:func:`inspect_workbook` returns everything (estate or issues, and notices)
without raising, for ``estate validate``; :func:`load_workbook` raises on
issues and returns the notices; :func:`load_estate` returns only the estate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from estate.errors import EstateError, Issue, Notice
from estate.model import (
    Estate,
)
from inventory import schema
from inventory.sheets import SheetReader
from inventory.structure import check_structure
from inventory.tables import Tables, read_tables
from inventory.validate import validate_estate
from inventory.warnings import plan_warnings

#: Sheets a workbook must have (from :mod:`inventory.schema`).
REQUIRED_SHEETS = schema.REQUIRED_SHEETS

#: Columns a sheet must have when it is present (from :mod:`inventory.schema`).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    name: s.required_columns for name, s in schema.SHEETS.items() if s.required_columns}


@dataclass(frozen=True)
class Loaded:
    """A workbook as read: the estate, or every problem, and what the user should know.

    Attributes
    ----------
    source : str
        The workbook or folder read.
    estate : Estate or None
        The raw estate; ``None`` when there are issues.
    issues : tuple of Issue
        Every problem found (empty when ``estate`` is given).
    notices : tuple of Notice
        Ignored sheets and columns, defaults assumed (an empty or missing
        settings sheet) and warnings about what would make a plan meaningless.
    """

    source: str
    estate: Estate | None
    issues: tuple[Issue, ...] = ()
    notices: tuple[Notice, ...] = ()

    def notices_of(self, kind: str) -> tuple[Notice, ...]:
        """The notices of one kind (``ignored``, ``assumed`` or ``warning``)."""
        return tuple(n for n in self.notices if n.kind == kind)


_ID_OF = {
    "sites": "site_id", "applications": "app_id", "servers": "server_id",
    "contracts": "contract_id", "teams": "team_id",
}


def _parse(tables: Tables, ld: SheetReader) -> tuple[Estate, list[Issue]]:
    """Every sheet into model objects, then the checks across them."""
    settings = ld.settings()
    parts: dict[str, list[Any]] = {
        "sites": ld.sites(), "applications": ld.applications(), "servers": ld.servers(),
        "options": ld.options(), "dependencies": ld.dependencies(),
        "contracts": ld.contracts(), "teams": ld.teams(), "budget": ld.budget(),
        "pins": ld.pins(), "actuals": ld.actuals(),
    }
    rows: dict[tuple[str, str], int] = {}
    for sheet, objs in parts.items():
        numbers = ld.positions.get(sheet, [])
        key = _ID_OF.get(sheet)
        for i, (obj, n) in enumerate(zip(objs, numbers, strict=True)):
            rows.setdefault((sheet, getattr(obj, key) if key else str(i)), n)
    rows.update({("settings", k): n for k, n in ld.setting_rows.items()})
    objects: dict[str, Any] = {k: tuple(v) for k, v in parts.items()}
    estate = Estate(settings=settings, **objects, source=tables.source, rows=rows)

    def locate(sheet: str, index: int) -> tuple[str, int | None]:
        numbers = ld.positions.get(sheet, [])
        return tables.file_of(sheet), numbers[index] if 0 <= index < len(numbers) else None

    return estate, ld.issues + validate_estate(estate, locate)


def inspect_tables(tables: Tables, *, resolve: bool = False) -> Loaded:
    """Check already-read sheet tables; never raises for a problem in them.

    Missing required sheets or columns are reported with the other problems
    of names (near misses, repeated columns) and nothing else, as nothing
    else can be read reliably; otherwise every cell and cross-object problem
    is reported at once. Warnings about what would make a plan meaningless
    (:func:`inventory.warnings.plan_warnings`) are given for a valid estate.
    With ``resolve``, the estate is also resolved against the reference data
    (:func:`estate.resolve.resolve`), so that what only planning would find
    (an unknown settings key, a bad reference override) is reported too.
    """
    shape = check_structure(tables)
    if shape.blocking:
        return Loaded(tables.source, None, tuple(_sorted(shape.blocking + shape.issues)),
                      tuple(shape.notices))
    ld = SheetReader(tables)
    estate, issues = _parse(tables, ld)
    notices = shape.notices + ld.notices
    issues = shape.issues + issues
    if issues:
        # the settings sheet's values are otherwise checked only when resolving:
        # report them with the rest, so every problem comes at once
        issues = issues + _settings_issues(estate)
        return Loaded(tables.source, None, tuple(_sorted(issues)), tuple(notices))
    if resolve:
        from estate.resolve import resolve as resolve_estate

        try:
            resolve_estate(estate)
        except EstateError as exc:
            return Loaded(tables.source, None, tuple(exc.issues), tuple(notices))
    notices += plan_warnings(estate, tables.file_of)
    return Loaded(tables.source, estate, (), tuple(notices))


def _settings_issues(estate: Estate) -> list[Issue]:
    """Problems of the settings sheet's keys and values (an unknown key, a bad
    value or reference override), found by the one check resolving runs
    (:func:`estate.resolve.workbook_reference`)."""
    from estate.resolve import workbook_reference

    try:
        workbook_reference(estate)
    except EstateError as exc:
        return list(exc.issues)
    return []


def inspect_workbook(path: str | os.PathLike[str], *, resolve: bool = True) -> Loaded:
    """Read and check a workbook; every problem comes back in ``issues`` (never raised).

    Parameters
    ----------
    path
        An ``.xlsx`` workbook, or a folder holding ``sites.csv``,
        ``applications.csv``, ``servers.csv`` and any optional sheets.
    resolve
        Also resolve it against the reference data (see :func:`inspect_tables`).
    """
    try:
        tables = read_tables(path, only=schema.READ_SHEETS)
    except EstateError as exc:
        return Loaded(str(path), None, tuple(exc.issues))
    return inspect_tables(tables, resolve=resolve)


def load_workbook(path: str | os.PathLike[str]) -> Loaded:
    """Load a workbook: its estate (never ``None``) and its notices.

    Raises
    ------
    EstateError
        Listing every problem (file, sheet, row, column, value, what to do).
    """
    loaded = inspect_workbook(path, resolve=False)  # the planner resolves it itself
    if loaded.issues:
        raise EstateError(list(loaded.issues))
    return loaded


def estate_from_tables(tables: Tables) -> Estate:
    """Parse and validate already-read sheet tables into a raw :class:`Estate`.

    Raises
    ------
    EstateError
        With every problem found: missing sheets or columns first (with the
        other problems of names, as nothing else can be read reliably), else
        every cell and cross-object problem at once.
    """
    loaded = inspect_tables(tables)
    if loaded.estate is None:
        raise EstateError(list(loaded.issues))
    return loaded.estate


_SHEET_ORDER = list(schema.SHEETS)


def _sorted(issues: list[Issue]) -> list[Issue]:
    """Issues in workbook order: by sheet, then row (stable otherwise)."""
    def key(i: Issue) -> tuple[int, int]:
        s = _SHEET_ORDER.index(i.sheet) if i.sheet in _SHEET_ORDER else len(_SHEET_ORDER)
        return (s, i.row if i.row is not None else 0)
    return sorted(issues, key=key)


def load_estate(path: str | os.PathLike[str]) -> Estate:
    """Load and fully validate an estate workbook (``.xlsx``) or folder of ``.csv``.

    Parameters
    ----------
    path
        An ``.xlsx`` workbook, or a folder holding ``sites.csv``,
        ``applications.csv``, ``servers.csv`` and any optional sheets.

    Returns
    -------
    Estate
        The *raw* estate (blanks are ``None``), objects in workbook order,
        ``rows`` mapping ``(sheet, id)`` to the Excel row.

    Raises
    ------
    EstateError
        Listing every problem (file, sheet, row, column, value, what to do).
    """
    estate = load_workbook(path).estate
    assert estate is not None  # load_workbook raises otherwise
    return estate
