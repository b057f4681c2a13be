"""A limit every plan of a search keeps (:class:`Cap`): the carbon cap of
``estate frontier`` and the objectives held at their best between phases."""

from __future__ import annotations

import math
from dataclasses import dataclass

from solver.model.build import Builder
from solver.model.costs import Weights, build_objective, dot
from solver.model.prep import Vec


@dataclass(frozen=True)
class Cap:
    """Plans keep ``weights · vec <= limit`` (objective units: a carbon cap in
    kg, tonnes held at their minimum, cost held at its best), relaxed by the
    model's rounding so that every plan within the limit stays feasible::

        Σ c_i·v_i <= floor((limit - constant + err) · scale)

    of the scaled objective of ``weights`` in the model at hand (see
    :func:`solver.model.constraints.add_carbon_cap`).
    """

    weights: Weights
    scale: float
    limit: float

    def add(self, b: Builder) -> None:
        """Add the cap to a model."""
        obj = build_objective(b, self.weights, self.scale)
        b.m.add(obj.expr <= math.floor((self.limit - obj.constant + obj.err) * obj.scale))

    def keeps(self, vec: Vec) -> bool:
        """Whether a plan of cost vector ``vec`` is within the cap (exactly)."""
        return dot(self.weights, vec) <= self.limit
