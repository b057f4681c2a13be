"""The workbook schema's building blocks: value types, :class:`Column`,
:class:`Setting` and :class:`Sheet` (the sheets themselves are in
:mod:`inventory.schema`, which re-exports these)."""

from __future__ import annotations

from dataclasses import dataclass

TEXT = "text"
ID = "id"
CHOICE = "choice"
NUMBER = "number"
WHOLE = "whole number"
FRACTION = "fraction"
MONTH = "month"
DATE = "date"
YES_NO = "yes/no"
ID_LIST = "id list"
MONTH_NAMES = "month names"
EFFORT = "effort"
FINANCIAL_YEAR = "financial year"
GRID = "grid factor"

TYPES: dict[str, str] = {
    TEXT: "any text",
    ID: "text naming one object; unique (ids that differ only in upper/lower case count as "
        "the same id)",
    CHOICE: "one of the listed words; case, spaces and hyphens are forgiven (`On-Prem` is "
            "`on_prem`)",
    NUMBER: "a number; `£`, thousands commas and spaces are allowed (`£1,200.50`, `1e3`); "
            "never negative",
    WHOLE: "a whole number (`12`)",
    FRACTION: "a fraction (`0.035`) or a percentage (`3.5%`)",
    MONTH: "`YYYY-MM` (`2027-03`); a full date or an Excel date cell gives its month",
    DATE: "`YYYY-MM-DD`, `DD/MM/YYYY` or an Excel date cell; `YYYY-MM` means the first day "
          "(the last day for an `end_date`)",
    YES_NO: "`yes` or `no` (also `true`/`false`, `y`/`n`, `1`/`0`)",
    ID_LIST: "ids separated by `;` (`APP001; APP002`)",
    MONTH_NAMES: "month names separated by `;` (`Dec; Mar`)",
    EFFORT: "team days a month: a number (for team `migration`) or `team=days` pairs "
            "separated by `;` (`migration=10; dba=2`)",
    FINANCIAL_YEAR: "April to March, written `2025/26` (also `2025-26`, `2025/2026`)",
    GRID: "kgCO2e per kWh: one number, or `YYYY=factor` pairs by calendar year "
          "(`2026=0.12; 2027=0.10`)",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Attributes
    ----------
    name : str
        The column's name (lower case, ``_`` between words).
    type : str
        One of the value types above (``TYPES``).
    meaning : str
        What goes there, in a sentence or two (markdown).
    required : bool
        Whether a row must fill it (``required_when`` narrows it).
    required_when : str
        When a partly required column is required (``"not retain"``).
    default : str
        What a blank cell means.
    choices : tuple of str
        The allowed words of a ``choice`` column.
    estimated : bool
        Whether a blank is estimated from the reference data.
    used : bool
        ``False`` for columns the importers write for reference that the
        planner does not read (kept, never reported as ignored).
    example : str
        A typical value.
    """

    name: str
    type: str
    meaning: str
    required: bool = False
    required_when: str = ""
    default: str = ""
    choices: tuple[str, ...] = ()
    estimated: bool = False
    used: bool = True
    example: str = ""


@dataclass(frozen=True)
class Setting:
    """One key of the ``settings`` sheet."""

    key: str
    type: str
    default: str
    meaning: str
    example: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook (or ``<name>.csv`` in a folder).

    ``read`` is ``False`` for the ``readme`` sheet: known, documented, never
    read by the planner.
    """

    name: str
    required: bool
    meaning: str
    columns: tuple[Column, ...]
    read: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """Every column name, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns the header must have when the sheet is present."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called ``name`` (``KeyError`` when there is none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)
