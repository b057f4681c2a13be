"""User-facing errors and notices: every problem names file, sheet, Excel row and column.

Text that came from an input (a cell, a file name) is untrusted: :func:`shorten`
cuts what a message echoes to :data:`MAX_SHOWN` characters and
:func:`printable` escapes control and bidirectional-formatting characters, so
no message can flood or re-program a terminal. :class:`Issue` and
:class:`Notice` apply both when they are built and printed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

#: Characters of an input value echoed in a message, at most.
MAX_SHOWN = 80
#: Characters of one message, at most (longer ones are cut with a marker).
MAX_MESSAGE = 2000

def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control and format characters (ESC, BEL, newline, U+202E
    right-to-left override, …) written as escapes, safe to print on a terminal.

    Examples
    --------
    >>> printable("web\\x1b[31m01")
    'web\\\\x1b[31m01'
    """
    if text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was.

    Examples
    --------
    >>> shorten("x" * 100, 10)
    'xxxxxxxxxx… (100 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def _short_message(message: str, value: str) -> str:
    """The message with a long ``value`` (as typed or as its repr) shortened."""
    if len(value) > MAX_SHOWN:
        short = shorten(value)
        message = message.replace(repr(value), repr(short)).replace(value, short)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + f"… (message cut at {MAX_MESSAGE:,} characters)"
    return message


@dataclass(frozen=True)
class Issue:
    """One problem found in an input.

    ``row`` is the Excel row as the user sees it (header = 1), ``None`` when
    the problem concerns a whole sheet or file. A ``value`` longer than
    :data:`MAX_SHOWN` characters is kept shortened (also where the message
    quotes it).
    """

    file: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    def __post_init__(self) -> None:
        if len(self.value) > MAX_SHOWN or len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", _short_message(self.message, self.value))
            object.__setattr__(self, "value", shorten(self.value))

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
        return printable(text)


NoticeKind = Literal["ignored", "assumed", "warning"]
#: Notice kinds, in the order they are shown.
NOTICE_KINDS: tuple[NoticeKind, ...] = ("ignored", "assumed", "warning")


@dataclass(frozen=True)
class Notice:
    """Something a user should know about an input that is not an error.

    ``kind`` is ``ignored`` (a sheet or column that has no effect),
    ``assumed`` (a default the input did not state, such as the horizon) or
    ``warning`` (the input is valid but would make a plan meaningless).
    """

    kind: NoticeKind
    message: str
    file: str = ""
    sheet: str = ""
    column: str = ""

    def __post_init__(self) -> None:
        if self.kind not in NOTICE_KINDS:
            raise ValueError(f"notice kind must be one of {', '.join(NOTICE_KINDS)}")
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", _short_message(self.message, ""))

    def __str__(self) -> str:
        where = [w for w in (self.file, f"sheet {self.sheet}" if self.sheet else "",
                             f"column {self.column}" if self.column else "") if w]
        return printable((", ".join(where) + ": " if where else "") + self.message)


class EstateError(Exception):
    """Raised with every :class:`Issue` found in an input, all at once."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("\n".join(str(i) for i in self.issues[:100]))


class WriteError(EstateError):
    """Writing output files failed; says which files were and were not written.

    Attributes
    ----------
    written : tuple of str
        Files that are in place (new content).
    not_written : tuple of str
        Files left as they were (or absent).
    """

    def __init__(self, issues: list[Issue] | Issue, written: tuple[str, ...] = (),
                 not_written: tuple[str, ...] = ()) -> None:
        super().__init__(issues)
        self.written = written
        self.not_written = not_written


class PlanDisagrees(Exception):
    """A plan the planner made disagrees with the independent evaluator: a bug
    in estate, never a user error (the CLI exits 5 and writes nothing).

    Attributes
    ----------
    name : str
        Which plan (``plan``, a point of a front, a scenario).
    differences : tuple of str
        Every disagreement, as ``estate check`` words it.
    plan_json : str
        The plan as ``plan.json`` would hold it (decisions, inputs with the
        workbook's fingerprint, pins, objective), so that ``estate check
        WORKBOOK FILE`` reproduces the disagreement.
    """

    def __init__(self, name: str, differences: tuple[str, ...], plan_json: str) -> None:
        super().__init__(name, differences, plan_json)
        self.name = name
        self.differences = tuple(differences)
        self.plan_json = plan_json

    def __str__(self) -> str:
        return (f"internal error: the planner's {self.name} disagrees with the independent "
                f"evaluator ({len(self.differences)} differences)")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def problems_csv(issues: list[Issue]) -> str:
    """Every issue as CSV text (file, sheet, row, column, value, problem).

    A cell that a spreadsheet would take for a formula gets a leading ``'``.
    """
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["file", "sheet", "row", "column", "value", "problem"])
    for i in issues:
        cells = [i.file, i.sheet, "" if i.row is None else str(i.row), i.column, i.value,
                 i.message]
        w.writerow(["'" + c if c.startswith(_FORMULA_START) else c for c in cells])
    return buf.getvalue()
