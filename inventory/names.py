"""Names as typed by people: sheet and column names normalised, and the known
name a misspelt one was meant to be (used by the workbook reader, the
structure check and the settings sheet)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_name(text: str) -> str:
    """A sheet or column name as matched: lower case, spaces and hyphens as ``_``.

    Examples
    --------
    >>> normalise_name(" Must finish-by ")
    'must_finish_by'
    """
    return _SEPARATORS.sub("_", text.strip().lower())


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning ``a`` into ``b``.

    Stops counting at ``limit`` (returns ``limit`` when it is at least that).

    Examples
    --------
    >>> edit_distance("dependancies", "dependencies")
    1
    >>> edit_distance("criticallity", "criticality")
    1
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) >= limit:
            return limit
        prev2, prev = prev, cur
    return min(prev[-1], limit)


def allowed_distance(known: str) -> int:
    """Edits a near miss of ``known`` may have: 2, but 1 for names of five letters or
    fewer and 0 for two letters (so that ``notes`` is not taken for ``sites`` nor
    ``ip`` for ``os``)."""
    if len(known) <= 2:
        return 0
    return 1 if len(known) <= 5 else 2


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is probably a misspelling of, else ``None``.

    Both are compared normalised; the closest known name within
    :func:`allowed_distance` wins (the first on a tie).

    Examples
    --------
    >>> near_miss("dependancies", ["sites", "dependencies"])
    'dependencies'
    >>> near_miss("notes", ["sites", "servers"]) is None
    True
    """
    n = normalise_name(name)
    best: tuple[int, str] | None = None
    for k in known:
        if k == n:
            return None
        d = edit_distance(n, k)
        if 0 < d <= allowed_distance(k) and (best is None or d < best[0]):
            best = (d, k)
    return best[1] if best else None
