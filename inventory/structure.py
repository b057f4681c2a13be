"""The shape of a workbook against :mod:`inventory.schema`, before any cell is parsed.

:func:`check_structure` sorts every sheet and column name into known, near
miss (an error naming the intended name), repeated (an error) or unknown
(kept, ignored and reported as a :class:`~estate.errors.Notice`), and finds
missing required sheets and columns and formulas without a saved value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from estate.errors import Issue, Notice
from inventory import schema
from inventory.names import near_miss
from inventory.tables import Table, Tables


@dataclass
class Structure:
    """What :func:`check_structure` found.

    ``blocking`` issues (a required sheet or column missing) stop loading:
    nothing else can be read reliably. ``issues`` are reported together with
    the cell problems; ``notices`` never stop anything.
    """

    blocking: list[Issue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def _sheets(tables: Tables, out: Structure) -> set[str]:
    """Classify sheet names; return the required sheets a near miss stands for."""
    present = tables.titles()
    covered: set[str] = set()
    for name, title in present.items():
        if name in schema.SHEETS:
            continue
        file = tables.file_of(title) if tables.is_folder else tables.source
        intended = near_miss(name, schema.SHEETS)
        what = f"{title}.csv" if tables.is_folder else f"sheet {title!r}"
        if intended is not None and intended not in present:
            covered.add(intended)
            fix = (f"Rename the file to {intended}.csv" if tables.is_folder
                   else f"Rename the sheet to {intended!r}")
            found = out.blocking if schema.SHEETS[intended].required else out.issues
            found.append(Issue(file, f"{what} is not part of the workbook format; did you "
                                    f"mean {intended!r}? {fix} (as it is, it would be "
                                    "ignored)", sheet=name))
        elif intended is not None:
            out.notices.append(Notice("ignored", f"{what} is not part of the workbook format "
                                      f"(it looks like {intended!r}, which is also there); "
                                      "ignored", file=file, sheet=name))
        else:
            out.notices.append(Notice("ignored", f"{what} is not part of the workbook "
                                      "format; ignored", file=file, sheet=name))
    return covered


def _columns(tables: Tables, name: str, table: Table, out: Structure) -> set[str]:
    """Classify the columns of one known sheet; return the columns near misses stand for."""
    sheet = schema.SHEETS[name]
    known = sheet.names
    file = tables.file_of(name)
    covered: set[str] = set()
    seen: dict[str, int] = {}
    for j, col in enumerate(table.columns):
        if not col:
            continue
        typed = table.label(col)
        if col in seen:
            if col in known:
                out.issues.append(Issue(file, f"the column {col!r} appears twice in the "
                                        f"header (columns {_letter(seen[col])} and "
                                        f"{_letter(j)}); only the first is read — delete or "
                                        "rename the other", sheet=name, row=1, column=col))
            continue
        seen[col] = j
        if col in known:
            continue
        intended = near_miss(col, known)
        if intended is not None and intended not in table.columns:
            covered.add(intended)
            found = out.blocking if intended in sheet.required_columns else out.issues
            found.append(Issue(file, f"column {typed!r} is not a column of the {name} "
                                    f"sheet; did you mean {intended!r}? Rename the header (as "
                                    "it is, the column would be ignored)", sheet=name, row=1,
                                    column=typed))
        else:
            hint = (f" (it looks like {intended!r}, which is also there)" if intended else "")
            out.notices.append(Notice("ignored", f"column {typed!r} is not a column of the "
                                      f"{name} sheet{hint}; kept but ignored", file=file,
                                      sheet=name, column=typed))
    return covered


def _letter(index: int) -> str:
    """Excel column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _required(tables: Tables, out: Structure, near_sheets: set[str],
              near_cols: dict[str, set[str]]) -> None:
    for sheet in schema.REQUIRED_SHEETS:
        if sheet not in tables.sheets and sheet not in near_sheets:
            where = (f" (expected {sheet}.csv in the folder)" if tables.is_folder
                     else f"; add a sheet named {sheet}")
            out.blocking.append(Issue(tables.source, f"the required sheet '{sheet}' is "
                                      f"missing{where}", sheet=sheet))
    apps = tables.sheets.get("applications")
    if apps is not None and apps.columns and not apps.rows:
        out.blocking.append(Issue(tables.file_of("applications"), "the applications sheet has "
                                  "no data rows; list at least one application under the "
                                  "header", sheet="applications", row=2))
    for name, table in tables.sheets.items():
        spec = schema.SHEETS.get(name)
        if spec is None or (not table.columns and not spec.required):
            continue
        for col in spec.required_columns:
            if col not in table.columns and col not in near_cols.get(name, set()):
                out.blocking.append(Issue(
                    tables.file_of(name), f"the required column '{col}' is missing from the "
                    f"header row (columns found: {', '.join(table.columns) or 'none'})",
                    sheet=name, row=1, column=col))


def _formulas(tables: Tables, out: Structure) -> None:
    """A formula whose value was never saved reads as blank: an error, not a silent default."""
    for name, table in tables.sheets.items():
        spec = schema.SHEETS.get(name)
        if spec is None or not table.formulas:
            continue
        used = {c.name for c in spec.columns if c.used}
        by_row = {r.number: r for r in table.rows}
        for (number, col), formula in sorted(table.formulas.items()):
            row = by_row.get(number)
            if col in used and (row is None or not row.get(col)):
                out.issues.append(Issue(
                    tables.file_of(name), f"the cell holds a formula ({formula[:60]}) whose "
                    "value was never saved, so it would read as blank; open the workbook in "
                    "Excel or LibreOffice and save it, or type the value", sheet=name,
                    row=number, column=col))


def check_structure(tables: Tables) -> Structure:
    """Check the sheet and column names of ``tables`` against the schema.

    Returns
    -------
    Structure
        Blocking issues (missing required sheets or columns), other issues
        (near misses, repeated columns, unsaved formulas) and notices
        (ignored sheets and columns, and how the input was read).
    """
    out = Structure(notices=list(tables.notices))
    near_sheets = _sheets(tables, out)
    near_cols = {name: _columns(tables, name, t, out) for name, t in tables.sheets.items()
                 if name in schema.SHEETS and schema.SHEETS[name].read}
    _required(tables, out, near_sheets, near_cols)
    _formulas(tables, out)
    return out
