"""The ε-constraint terms of one solve on the cost–carbon front.

The front (``estate frontier``) is a batch of solves of the ``cost``
objective: its two ends and points in between, each minimising discounted
cost subject to undiscounted tonnes ``<= ε``. :class:`Epsilon` is what one of
those solves adds to :func:`solver.solve.solve`: the cap, a lexicographic
tie-break to fewer tonnes, and a plan known to meet the cap as a hint.
"""

from __future__ import annotations

from dataclasses import dataclass

from estate.plan import Decision

__all__ = ["Epsilon"]


@dataclass(frozen=True)
class Epsilon:
    """ε-constraint terms of a solve.

    Attributes
    ----------
    cap_tonnes
        Undiscounted tCO2e over the horizon the plan may emit at most (``None``:
        no cap). Enforced to within the model's rounding (grams, a few per
        application); the plan records the allowance as
        ``assumptions.objective.co2e_cap_rounding_tonnes``. The reported bound
        is a valid lower bound on the cost of every plan within the cap.
    fewest_tonnes
        After the main phase, a second one: fewest tonnes among plans costing
        no more than the best found (ties broken towards less carbon). It
        takes 15 % of the search time; the bound stays the main phase's.
    hint
        Decisions of a plan known to meet the cap (e.g. the least-carbon end of
        the front), offered to CP-SAT as a hint beside the greedy and
        list-scheduled plans; the cheapest candidate within the cap is used.
    """

    cap_tonnes: float | None = None
    fewest_tonnes: bool = False
    hint: tuple[Decision, ...] = ()

    def __post_init__(self) -> None:
        if self.cap_tonnes is not None and not self.cap_tonnes >= 0:
            raise ValueError(f"cap_tonnes must be 0 or more (got {self.cap_tonnes})")
