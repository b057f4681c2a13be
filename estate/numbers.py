"""Numbers as people type them: the one reading of ``.`` and ``,``.

:func:`locale_number` turns a typed number into the plain form ``float``
reads, by the decimal mark of the file it came from, or refuses it: a value is
never silently rescaled (``1.234,5`` was once read as 1.2345). The workbook
reader (:mod:`inventory.cells`), the importers and the scenario overrides
(:mod:`estate.scenario`) all call it. Standard library only.
"""

from __future__ import annotations

import re

_GROUPED = {".": re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?$"),
            ",": re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")}


def locale_number(text: str, decimal: str = ".") -> str:
    """``text`` (a number as typed) in the plain form ``float`` reads, by the
    file's decimal mark ``decimal`` (``.`` or ``,``), or refused.

    With a decimal point, commas may only group thousands (``1,234.5``); with a
    decimal comma, points may only group thousands (``1.234,5``). Anything else
    that holds both marks, or the other mark in a place it cannot be a
    thousands separator (``1,5`` where decimals are points; ``1.234,5`` where
    they are points), is refused: never silently rescaled.

    Examples
    --------
    >>> locale_number("1,234.5"), locale_number("1.234,5", ",")
    ('1234.5', '1234.5')

    Raises
    ------
    ValueError
        Saying which reading is ambiguous and how to write the number.
    """
    group = "," if decimal == "." else "."
    if group not in text:
        return text.replace(",", ".") if decimal == "," else text
    if _GROUPED[decimal].match(text):
        plain = text.replace(group, "")
        return plain.replace(",", ".") if decimal == "," else plain
    if decimal == "." and "." in text and text.rfind(",") > text.rfind("."):
        raise ValueError(f"{text!r} has a decimal comma (as in 1.234,5), but this file writes "
                         "decimals with a point: write 1234.5 (or save the file with one "
                         "convention)")
    if decimal == ".":
        raise ValueError(f"{text!r}: a comma here is not a thousands separator (1,234) and "
                         "this file writes decimals with a point: write 1.5 for one and a "
                         "half")
    raise ValueError(f"{text!r}: this file writes decimals with a comma (its columns are "
                     "separated by ';'), so a point can only group thousands (1.234,5): "
                     "write 1,5 for one and a half")
