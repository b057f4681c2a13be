"""The lower convex hull of points in the plane (one home: the LP bound's
element envelopes, :mod:`solver.model.lp_bound`, and the team cuts'
host envelopes, :mod:`solver.model.team_cuts`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

N = TypeVar("N", int, float)


def lower_hull(points: Sequence[tuple[N, N]]) -> list[tuple[N, N]]:
    """The corners of the lower convex hull of ``points`` (sorted by x): a
    point on or above the chord of its neighbours is dropped."""
    hull: list[tuple[N, N]] = []
    for p in points:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (p[0] - x1) >= (p[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(p)
    return hull
