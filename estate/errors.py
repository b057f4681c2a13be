"""User-facing errors: every problem names file, sheet, Excel row and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in an input.

    ``row`` is the Excel row as the user sees it (header = 1), ``None`` when
    the problem concerns a whole sheet or file.
    """

    file: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        text = ", ".join(where) + ": " + self.message
        if self.value and self.value not in self.message:
            text += f" (found {self.value!r})"
        return text


class EstateError(Exception):
    """Raised with every :class:`Issue` found in an input, all at once."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))
