"""An empty estate workbook to fill in: ``estate template --out my-estate.xlsx``.

Drawn from :mod:`inventory.schema`: a first ``README`` sheet saying how to
fill it in, then every sheet with its headers, a comment on each header cell
(what goes there, its type, whether it is required, what a blank means, an
example), drop-down lists on choice and yes/no columns, and the settings
sheet's keys listed with their defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.resolve import EXTRA_SETTINGS
from inventory import schema
from inventory.schema import CHOICE, YES_NO, Column, Setting
from inventory.tables import atomic_save, safe_cell

#: Rows a drop-down list covers (Excel's last row).
LAST_ROW = 1_048_576
_HEADER_FILL = "1F3B57"


def column_comment(c: Column) -> str:
    """The comment on a header cell: what goes in the column."""
    lines = [c.meaning[0].upper() + c.meaning[1:] + "."]
    kind = ("one of: " + ", ".join(c.choices)) if c.type == CHOICE else c.type
    lines.append(f"Type: {kind}.")
    if c.required:
        lines.append("Required.")
    elif c.required_when:
        lines.append(f"Required for {c.required_when}.")
    if c.default:
        lines.append(("Blank: estimated — " if c.estimated else "Blank: ") + c.default + ".")
    if c.example:
        lines.append(f"Example: {c.example}")
    return "\n".join(lines).replace("`", "")


def setting_comment(s: Setting) -> str:
    """The comment on a settings key cell."""
    return (f"{s.meaning[0].upper() + s.meaning[1:]}.\nType: {s.type}.\nDefault: {s.default}."
            f"\nExample: {s.example}").replace("`", "")


def _readme_rows() -> list[list[str]]:
    rows = [["The estate workbook"], [""],
            ["Fill in one row per site, application and server; the other sheets are "
             "optional (delete any you do not need)."],
            ["Each header has a comment saying what goes in the column (hover over it); "
             "choice columns have drop-down lists."],
            ["Check it with: estate validate my-estate.xlsx — every mistake is listed at "
             "once with its sheet, row and column."],
            ["Plan it with: estate plan my-estate.xlsx --out plan/"],
            ["The whole format is described in docs/workbook.md of the estate project."],
            ["This sheet is never read by the planner; other sheets or columns you add are "
             "kept but ignored (estate validate lists them)."], [""], ["Sheet", "What it holds"]]
    for s in schema.SHEETS.values():
        if s.read:
            need = "required" if s.required else "optional"
            rows.append([s.name, f"({need}) {s.meaning}"])
    return rows


def _style_header(cell: Any) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    cell.alignment = Alignment(vertical="top")


def _comment(text: str) -> Any:
    from openpyxl.comments import Comment

    note = Comment(text, "estate")
    note.width = 320
    note.height = 40 + 18 * (text.count("\n") + len(text) // 45)
    return note


def _drop_down(ws: Any, column: int, choices: tuple[str, ...], strict: bool = True) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column)
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                        allow_blank=True, showErrorMessage=strict)
    dv.error = "Choose one of: " + ", ".join(choices)
    dv.errorTitle = "Not one of the choices"
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{LAST_ROW}")


def _sheet(wb: Any, sheet: schema.Sheet) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.name)
    cols = [c for c in sheet.columns if c.used]
    for j, c in enumerate(cols, start=1):
        cell = safe_cell(ws, 1, j, c.name)
        _style_header(cell)
        cell.comment = _comment(column_comment(c))
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(c.name) + 4)
        if c.type == CHOICE:
            _drop_down(ws, j, c.choices)
        elif c.type == YES_NO:
            _drop_down(ws, j, ("yes", "no"))
    ws.freeze_panes = "A2"
    if sheet.name == "settings":
        for i, s in enumerate(schema.SETTINGS, start=2):
            safe_cell(ws, i, 1, s.key).comment = _comment(setting_comment(s))
        # further keys understood when planning (cloud pricing, Software Assurance, ...)
        for i, (key, meaning) in enumerate(EXTRA_SETTINGS.items(), start=len(schema.SETTINGS) + 2):
            text = f"{meaning[0].upper() + meaning[1:]}.\nBlank: the default."
            safe_cell(ws, i, 1, key).comment = _comment(text)
        keys = tuple(s.key for s in schema.SETTINGS)
        if len(",".join(keys)) < 250:  # Excel's limit on a list's text
            _drop_down(ws, 1, keys, strict=False)  # other keys (reference overrides) allowed
        ws.column_dimensions["A"].width = 26
        ws.column_dimensions["B"].width = 30


def write_template(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write an empty estate workbook with a README sheet, headers, comments and drop-downs.

    Parameters
    ----------
    path
        The ``.xlsx`` to write.
    overwrite
        Replace an existing file (otherwise an existing file is an error: a
        template must never replace a filled-in workbook by accident).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    EstateError
        When ``path`` does not end in ``.xlsx``, exists (without ``overwrite``)
        or cannot be written.
    """
    import openpyxl
    from openpyxl.styles import Font

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise EstateError(Issue(str(p), "give a file name ending in .xlsx"))
    if (p.exists() or p.is_symlink()) and not overwrite:
        raise EstateError(Issue(str(p), "already exists; give a new file name (or --force "
                                "to replace it with an empty template)"))
    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = "README"
    for i, row in enumerate(_readme_rows(), start=1):
        for j, text in enumerate(row, start=1):
            safe_cell(readme, i, j, text)
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 16
    readme.column_dimensions["B"].width = 120
    for sheet in schema.SHEETS.values():
        if sheet.read:
            _sheet(wb, sheet)
    return atomic_save(wb, p)
