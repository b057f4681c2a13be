"""Per-row reading helpers shared by the importers.

An importer resolves the columns it reads once (:func:`fields`) and then
reads each row by field name: text, the first non-blank of several fields, a
non-negative number (a bad one is reported and read as blank), a date, an
amount of money. Importers stay policy only: what a row means, not how a cell
is parsed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from estate.errors import Issue
from inventory.importers.common import (
    ImportContext,
    Sheet,
    make_id,
    number_cell,
    optional,
    parse_date_text,
    parse_number,
    require,
    split_list,
)
from inventory.tables import Row


@dataclass
class Fields:
    """The columns of one source sheet, by field name, and where problems go."""

    sheet: Sheet
    cols: dict[str, str | None]
    issues: list[Issue] = field(default_factory=list)

    def col(self, key: str) -> str:
        """The source column of ``key`` (``""`` when the sheet has none)."""
        return self.cols.get(key) or ""

    def has(self, key: str) -> bool:
        """Whether the sheet has a column for ``key``."""
        return bool(self.cols.get(key))

    def text(self, row: Row, key: str) -> str:
        """The cell of ``key`` (``""`` when blank or no such column)."""
        col = self.cols.get(key)
        return row.get(col) if col else ""

    def first(self, row: Row, *keys: str) -> str:
        """The first non-blank cell among ``keys``."""
        return next((v for v in (self.text(row, k) for k in keys) if v), "")

    def number(self, row: Row, key: str, what: str = "", scale: float = 1.0,
               report: bool = True) -> float | None:
        """A non-negative number divided by ``scale``; a bad one is reported
        (unless ``report`` is false) and read as ``None``."""
        issues = self.issues if report else []
        return number_cell(self.sheet, row, self.cols.get(key), issues, what, scale)

    def date(self, row: Row, key: str) -> tuple[str, bool]:
        """``(YYYY-MM-DD or "", ok)``: ok is false when the cell is not a date."""
        try:
            d = parse_date_text(self.text(row, key))
        except ValueError:
            return "", False
        return (d.isoformat() if d else ""), True

    def money(self, row: Row, key: str) -> tuple[float | None, bool]:
        """``(£ or None, ok)``: ok is false when the cell is not an amount ≥ 0."""
        try:
            value = parse_number(self.text(row, key))
        except ValueError:
            return None, False
        if value is not None and value < 0:
            return None, False
        return value, True

    def issue(self, row: Row | None, message: str, key: str = "", value: str = "") -> Issue:
        """An issue located at ``row`` and the column of ``key``."""
        return self.sheet.issue(row, message, column=self.col(key), value=value)


def fields(sheet: Sheet, issues: list[Issue] | None = None,
           required: Mapping[str, Sequence[str]] | None = None,
           optional_: Mapping[str, Sequence[str]] | None = None) -> Fields:
    """Resolve ``required`` columns (an error naming every missing one) and
    ``optional_`` ones (``None`` when absent)."""
    cols: dict[str, str | None] = {}
    if required:
        cols.update(require(sheet, **required))
    if optional_:
        cols.update(optional(sheet, **optional_))
    return Fields(sheet, cols, issues if issues is not None else [])


def unique_id(base: str, used: dict[str, Any]) -> str:
    """``base``, or ``base-2``, ``base-3``, … — the first not in ``used``."""
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def app_rows(names: dict[str, str], source: str) -> list[dict[str, str]]:
    """Application rows (``app_id``, ``name``, ``source``) of ``{app_id: name}``."""
    return [{"app_id": aid, "name": name, "source": source} for aid, name in names.items()]


def app_ids_of(names: list[str], registry: dict[str, str]) -> list[str]:
    """``APP-`` ids of application names, recording each new one in ``registry``."""
    out = []
    for name in names:
        aid = make_id(name, "APP-")
        if aid:
            registry.setdefault(aid, name)
            out.append(aid)
    return list(dict.fromkeys(out))


def server_site(ctx: ImportContext) -> str:
    """The site of imported servers: ``--site``, else ``DC1``."""
    return ctx.site_id or "DC1"


def site_row(site_id: str, name: str, ctx: ImportContext, source: str) -> dict[str, str]:
    """A ``sites`` row of kind ``--site-kind`` (``on_prem`` by default)."""
    return {"site_id": site_id, "name": name or site_id, "kind": ctx.site_kind,
            "source": source}


def workbook_rows(ctx: ImportContext, sheet: str) -> list[dict[str, str]]:
    """Rows of a sheet of the target workbook as plain dicts (``[]`` when none)."""
    if ctx.workbook is None or sheet not in ctx.workbook.sheets:
        return []
    return [dict(r.cells) for r in ctx.workbook.sheets[sheet].rows]


def workbook_setting(ctx: ImportContext, key: str) -> str:
    """A value of the target workbook's settings sheet (``""`` when unset)."""
    for r in workbook_rows(ctx, "settings"):
        if r.get("key", "").strip().lower() == key:
            return r.get("value", "").strip()
    return ""


__all__ = ["Fields", "app_ids_of", "app_rows", "fields", "server_site", "site_row",
           "split_list", "unique_id", "workbook_rows", "workbook_setting"]
