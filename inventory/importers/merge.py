"""Merge imported rows into an estate workbook, at table level.

The target (``.xlsx`` or a folder of ``.csv``) is read with
:func:`inventory.tables.read_tables` when it exists, else it starts empty with
the required sheets and columns. Rows are matched by the sheet's id column
(``site_id``, ``app_id``, ``server_id``, ``contract_id``; dependencies by
``(from_id, to_id)``, either way round). A new row is added whole; in an
existing row only the columns the importer *owns* are updated, and a blank
imported value never clears a cell. Other columns, extra user columns, other
sheets and rows not in the import are kept as they are, and so are the user's
formulas in cells the import does not change. The result is written
atomically (:func:`inventory.tables.write_xlsx`: the workbook keeps its
permissions; a read-only one or a symbolic link is refused), a CSV folder as
one journaled change. An import that read no data rows writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.locks import target_lock
from inventory.importers.common import ImportResult, split_list
from inventory.tables import (
    Formula,
    Tables,
    cell_text,
    read_tables,
    write_csv_folder,
    write_xlsx,
)

SHEET_ORDER = ("settings", "sites", "applications", "servers", "options", "dependencies",
               "contracts", "teams", "budget")
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "sites": ("site_id",),
    "applications": ("app_id",),
    "servers": ("server_id",),
    "contracts": ("contract_id",),
    "dependencies": ("from_id", "to_id"),
    "teams": ("team_id",),
    "actuals": ("kind", "id"),
}
# Columns every new workbook starts with (required ones first, then common ones).
BASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "settings": ("key", "value"),
    "sites": ("site_id", "name", "kind"),
    "applications": ("app_id", "name", "service", "criticality"),
    "servers": ("server_id", "hostname", "site_id", "kind", "host_id", "vcpus", "ram_gb",
                "storage_gb", "os", "app_ids"),
    "dependencies": ("from_id", "to_id", "kind"),
    "contracts": ("contract_id", "supplier", "title", "category", "annual_value",
                  "start_date", "end_date"),
    "actuals": ("kind", "id", "month", "strategy", "target_site", "status", "note"),
}
DEFAULT_CLOUD_SITE = "CLOUD-UK"
REQUIRED_SHEETS = ("settings", "sites", "applications", "servers")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "settings": ("key", "value"),
    "sites": ("site_id", "kind"),
    "applications": ("app_id", "name"),
    "servers": ("server_id", "site_id", "kind"),
}
_PLAIN_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d{1,10})?$")


@dataclass
class SheetChange:
    """What a merge did to one sheet."""

    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    left_alone: int = 0
    removed: list[str] = field(default_factory=list)


@dataclass
class MergeReport:
    """Outcome of :func:`merge_into`: changes per sheet and problems found."""

    target: str
    created: bool
    changes: dict[str, SheetChange] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    written: bool = False

    def lines(self) -> list[str]:
        """Human-readable summary, one line per sheet touched."""
        out = []
        for sheet, ch in self.changes.items():
            text = (f"{sheet}: {len(ch.added)} added, {len(ch.updated)} updated, "
                    f"{ch.unchanged} unchanged, {ch.left_alone} left alone")
            if ch.updated:
                cols = sorted({c for cs in ch.updated.values() for c in cs})
                text += f" (updated columns: {', '.join(cols)})"
            if ch.removed:
                shown = ", ".join(ch.removed[:10]) + (" …" if len(ch.removed) > 10 else "")
                text += f"; {len(ch.removed)} removed ({shown})"
            out.append(text)
        return out


class _Sheet:
    """A mutable sheet: ordered columns and rows of text cells.

    ``formulas`` keeps the user's formulas: ``id(row) -> {column: (formula,
    value read)}``; a cell the merge does not change is written back as its
    formula.
    """

    def __init__(self, name: str, columns: Iterable[str] = (),
                 rows: Iterable[dict[str, str]] = ()) -> None:
        self.name = name
        self.columns: list[str] = list(dict.fromkeys(c for c in columns if c))
        self.rows: list[dict[str, str]] = list(rows)
        self.formulas: dict[int, dict[str, tuple[str, str]]] = {}

    def ensure_columns(self, cols: Iterable[str]) -> None:
        for c in cols:
            if c and c not in self.columns:
                self.columns.append(c)

    def key(self, row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row.get(c, "") for c in ID_COLUMNS.get(self.name, ()))


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    return cell_text(value)


def _typed(text: str) -> Any:
    """Text cell -> number when it is plainly one (round-trips through cell_text)."""
    if _PLAIN_NUMBER.match(text):
        return int(text) if "." not in text else float(text)
    return text


def _load(target: Path) -> tuple[dict[str, _Sheet], bool, bool]:
    """The target's sheets (every sheet, every column), whether it is new, whether a folder.

    An interrupted earlier import into a CSV folder is completed first
    (:func:`inventory.tables.read_tables`). Formulas are kept with the rows.
    """
    if not target.exists() and not target.is_symlink():
        return {}, True, target.suffix.lower() not in (".xlsx", ".xlsm")
    tables: Tables = read_tables(target)
    sheets: dict[str, _Sheet] = {}
    for name, t in tables.sheets.items():
        sheet = _Sheet(name, t.columns)
        for r in t.rows:
            row = dict(r.cells)
            sheet.rows.append(row)
            kept = {c: (f, row.get(c, "")) for (n, c), f in t.formulas.items() if n == r.number}
            if kept:
                sheet.formulas[id(row)] = kept
        sheets[name] = sheet
    return sheets, False, tables.is_folder


def _merge_sheet(sheet: _Sheet, rows: list[dict[str, Any]], owned: tuple[str, ...],
                 change: SheetChange) -> None:
    idcols = ID_COLUMNS.get(sheet.name, ())
    index: dict[tuple[str, ...], dict[str, str]] = {}
    for r in sheet.rows:
        k = sheet.key(r)
        index.setdefault(k, r)
        if sheet.name == "dependencies":
            index.setdefault(k[::-1], r)
    touched: set[int] = set()
    for new in rows:
        cells = {c: _text(v) for c, v in new.items()}
        sheet.ensure_columns(cells)
        k = tuple(cells.get(c, "") for c in idcols)
        label = " -> ".join(k) if len(k) > 1 else k[0]
        existing = index.get(k)
        if existing is None:
            stored = {c: v for c, v in cells.items() if v}
            sheet.rows.append(stored)
            index[k] = stored
            if sheet.name == "dependencies":
                index[k[::-1]] = stored
            change.added.append(label)
            touched.add(id(stored))
            continue
        if id(existing) in touched:
            continue
        touched.add(id(existing))
        changed = []
        for c in owned:
            v = cells.get(c, "")
            if v and existing.get(c, "") != v:
                existing[c] = v
                changed.append(c)
        if changed:
            change.updated[label] = changed
        else:
            change.unchanged += 1
    change.left_alone = sum(1 for r in sheet.rows if id(r) not in touched)


def _check_ids(sheets: dict[str, _Sheet], target: str) -> list[Issue]:
    """Ids must be unique across sites, applications and servers."""
    seen: dict[str, str] = {}
    issues = []
    for name, col in (("sites", "site_id"), ("applications", "app_id"),
                      ("servers", "server_id")):
        if name not in sheets:
            continue
        for i, row in enumerate(sheets[name].rows, start=2):
            v = row.get(col, "")
            if v and v in seen and seen[v] != name:
                issues.append(Issue(target, f"id {v!r} is used in both {seen[v]} and {name}; "
                                    "ids must be unique across sites, applications and "
                                    "servers — rename one", sheet=name, row=i, column=col))
            seen.setdefault(v, name)
    return issues


def merge_into(target: str | Path, results: ImportResult | Iterable[ImportResult], *,
               site_id: str | None = None, site_kind: str = "on_prem",
               dry_run: bool = False, follow_symlinks: bool = False) -> MergeReport:
    """Merge importer results into the workbook (or CSV folder) ``target``.

    Parameters
    ----------
    target : path
        ``.xlsx`` file or folder of ``.csv``; created when missing.
    results : ImportResult or iterable of them
        What the importers produced, merged in order (their ``sites`` rows
        included).
    site_id, site_kind : str, optional
        A site to add when missing (importers add the sites they use).
    dry_run : bool
        Work out the changes but write nothing.
    follow_symlinks : bool
        Write through a symbolic link at ``target`` (otherwise refused).

    Returns
    -------
    MergeReport
        Changes per sheet; ``issues`` holds cross-sheet id clashes (warnings).

    Raises
    ------
    EstateError
        When an import read no data rows, or the existing workbook cannot be
        read or the result cannot be written (a read-only workbook, a link not
        to be followed); the workbook is left as it was.
    """
    path = Path(target)
    results = [results] if isinstance(results, ImportResult) else list(results)
    empty = _nothing_read(results, path)
    if empty:
        raise EstateError(empty)
    if not dry_run and (path.is_symlink() or path.exists()) and not path.is_dir():
        from estate.files import writable_target

        writable_target(path, follow_symlinks=follow_symlinks)
    with target_lock(path) if not dry_run else nullcontext(path):
        sheets, created, folder = _load(path)
        report = MergeReport(str(path), created)
        _ensure_required(sheets)
        if site_id and not any(r.get("site_id") == site_id for r in sheets["sites"].rows):
            sheets["sites"].rows.append({"site_id": site_id, "name": site_id, "kind": site_kind})
            report.changes.setdefault("sites", SheetChange()).added.append(site_id)
        for result in results:
            _remove(sheets, result.remove, report)
            _merge_result(sheets, result, report)
        for result in results:
            for name, prefix in result.prune.items():
                _prune(sheets, name, prefix, report)
        if any(r.rows.get("servers") for r in results):
            _add_cloud_target(sheets, report)
        report.issues.extend(_check_ids(sheets, str(path)))
        if not dry_run:
            _write(sheets, path, folder, follow_symlinks=follow_symlinks)
            report.written = True
    return report


def _ensure_required(sheets: dict[str, _Sheet]) -> None:
    for name in REQUIRED_SHEETS:
        sheets.setdefault(name, _Sheet(name))
    for name, cols in REQUIRED_COLUMNS.items():
        sheet = sheets[name]
        if not sheet.columns:
            sheet.columns = list(BASE_COLUMNS[name])
        sheet.ensure_columns(cols)


def _merge_result(sheets: dict[str, _Sheet], result: ImportResult,
                  report: MergeReport) -> None:
    order = sorted(result.rows, key=lambda s: (s == "applications", s))
    for name in order:
        rows = result.rows[name]
        sheet = sheets.setdefault(name, _Sheet(name, BASE_COLUMNS.get(name, ())))
        change = report.changes.setdefault(name, SheetChange())
        if name == "applications" and result.add_if_referenced:
            used = {a for r in sheets["servers"].rows for a in split_list(r.get("app_ids", ""))}
            rows = [r for r in rows if r.get("app_id") not in result.add_if_referenced
                    or r.get("app_id") in used]
        _merge_sheet(sheet, rows, result.owned.get(name, ()), change)


def _add_cloud_target(sheets: dict[str, _Sheet], report: MergeReport) -> None:
    """A workbook with servers needs somewhere to move to: a default UK cloud
    region when it has no cloud site (generated rehost options target it)."""
    sites = sheets["sites"]
    if any(r.get("kind") == "cloud" for r in sites.rows):
        return
    sites.rows.append({"site_id": DEFAULT_CLOUD_SITE, "kind": "cloud",
                       "name": "UK cloud region (default target; edit or replace)"})
    report.changes.setdefault("sites", SheetChange()).added.append(DEFAULT_CLOUD_SITE)


def _remove(sheets: dict[str, _Sheet], remove: dict[str, set[str]],
            report: MergeReport) -> None:
    """Delete rows by id (estimated rows a register replaces)."""
    for name, ids in remove.items():
        sheet = sheets.get(name)
        if sheet is None or not ids:
            continue
        gone = [r for r in sheet.rows if sheet.key(r)[0] in ids]
        sheet.rows = [r for r in sheet.rows if sheet.key(r)[0] not in ids]
        report.changes.setdefault(name, SheetChange()).removed.extend(
            sheet.key(r)[0] for r in gone)


def _references(sheets: dict[str, _Sheet], name: str) -> set[str]:
    """Ids of ``name`` rows that servers or options still need."""
    servers = sheets["servers"].rows
    options = sheets["options"].rows if "options" in sheets else []
    if name == "applications":
        return ({a for r in servers for a in split_list(r.get("app_ids", ""))}
                | {r.get("app_id", "") for r in options})
    return ({r.get("site_id", "") for r in servers}
            | {r.get("target_site", "") for r in options})


def _prune(sheets: dict[str, _Sheet], name: str, prefix: str, report: MergeReport) -> None:
    """Remove rows an import created (``source`` starts with ``prefix``) that no
    server or option needs any more, and what still names them (dependencies,
    pins, contract covers)."""
    sheet = sheets.get(name)
    if sheet is None or name not in ("applications", "sites"):
        return
    col = ID_COLUMNS[name][0]
    needed = _references(sheets, name)
    gone = {r.get(col, "") for r in sheet.rows
            if r.get("source", "").startswith(prefix) and r.get(col, "") not in needed}
    if not gone:
        return
    sheet.rows = [r for r in sheet.rows if r.get(col, "") not in gone]
    change = report.changes.setdefault(name, SheetChange())
    change.removed.extend(sorted(gone))
    change.left_alone = max(0, change.left_alone - len(gone))
    for dep_sheet, cols in (("dependencies", ("from_id", "to_id")), ("pins", ("app_id",))):
        if dep_sheet in sheets:
            before = len(sheets[dep_sheet].rows)
            sheets[dep_sheet].rows = [r for r in sheets[dep_sheet].rows
                                      if not any(r.get(c, "") in gone for c in cols)]
            if len(sheets[dep_sheet].rows) < before:
                report.changes.setdefault(dep_sheet, SheetChange()).removed.append(
                    f"{before - len(sheets[dep_sheet].rows)} naming removed {name}")
    for r in sheets["contracts"].rows if "contracts" in sheets else []:
        covers = split_list(r.get("covers", ""))
        if set(covers) & gone:
            r["covers"] = "; ".join(c for c in covers if c not in gone)


def _ordered(sheets: dict[str, _Sheet]) -> list[_Sheet]:
    first = [sheets[n] for n in SHEET_ORDER if n in sheets]
    return first + [s for n, s in sheets.items() if n not in SHEET_ORDER]


def _cell(sheet: _Sheet, row: dict[str, str], column: str) -> Any:
    """What to write for one cell: the user's formula when the value is unchanged."""
    text = row.get(column, "")
    formula = sheet.formulas.get(id(row), {}).get(column)
    if formula is not None and formula[1] == text:
        return Formula(formula[0])
    return _typed(text) if text else None


def _write(sheets: dict[str, _Sheet], path: Path, folder: bool, *,
           follow_symlinks: bool = False) -> None:
    out = {s.name: (s.columns, [[_cell(s, r, c) for c in s.columns] for r in s.rows])
           for s in _ordered(sheets)}
    try:
        if folder:
            write_csv_folder({n: (c, [[("" if v is None else v) for v in row] for row in rs])
                              for n, (c, rs) in out.items()}, path)
        else:
            write_xlsx(out, path, follow_symlinks=follow_symlinks)
    except OSError as exc:
        raise EstateError(Issue(str(path), f"cannot write the workbook ({exc.strerror}); "
                                "is it open in Excel?")) from exc


def _nothing_read(results: list[ImportResult], target: Path) -> list[Issue]:
    """An import that read no data rows must not rewrite the workbook."""
    empty = [r for r in results
             if r.counts.get("rows", 1 if any(r.rows.values()) else 0) == 0]
    return [Issue(r.source, f"the {r.kind} export has no data rows (nothing to import); "
                  f"{target} was left as it was — check that this is the right file")
            for r in empty]
