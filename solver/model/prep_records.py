"""The records a :class:`solver.model.prep.Prep` is made of: cost vectors,
applications and their options with month numbers, groups whose latest
release month drives a cost table, and the per-unit renewal terms.

A cost vector :data:`Vec` is ``(cash £, discounted £, kgCO2e, discounted kgCO2e)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from estate.contracts import ENDING_STRATEGIES
from estate.model import Option, runs_at_target, strategy_moves

Vec = tuple[float, float, float, float]
ZERO: Vec = (0.0, 0.0, 0.0, 0.0)


def vadd(a: Vec, b: Vec) -> Vec:
    """Component-wise sum of two cost vectors."""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


def option_key(strategy: str, target: str | None) -> str:
    """Readable id of an option: ``retain``, ``retire``, ``rehost@AZ-UKS``."""
    return strategy if target is None or strategy in ("retain", "retire") else (
        f"{strategy}@{target}")


@dataclass
class OptPrep:
    """One option of an application, with its month numbers.

    ``lives`` are the allowed live-from months ``L`` (``[H]`` for retain);
    ``table[L]`` is the application's own cost vector for that ``L`` (running
    cost, one-off, target energy, plus folded single-application groups).
    """

    key: str
    strategy: str
    target: str | None
    d: int
    one_off: float
    monthly: float
    kwh: float
    effort: dict[str, float]
    option: Option | None = None
    lives: list[int] = field(default_factory=list)
    table: dict[int, Vec] = field(default_factory=dict)

    @property
    def moves(self) -> bool:
        """Every strategy but retain (:func:`estate.model.strategy_moves`)."""
        return strategy_moves(self.strategy)

    @property
    def to_target(self) -> bool:
        """Runs at a target site afterwards (:func:`estate.model.runs_at_target`)."""
        return runs_at_target(self.strategy)


@dataclass
class AppPrep:
    """An application: its options and month-number facts."""

    app_id: str
    critical: bool
    current: float
    options: list[OptPrep]
    has_retain: bool
    earliest: int | None
    finish_by: int | None
    blackout: tuple[int, ...]
    sites: tuple[str, ...]  # sites whose exit depends on it

    def opt(self, key: str) -> OptPrep:
        """The option with ``key``."""
        for o in self.options:
            if o.key == key:
                return o
        raise KeyError(key)


@dataclass
class Group:
    """A set of >= 2 applications whose max release month drives ``table``.

    An application's release month is its live-from ``L``, except for the
    applications in ``kept`` (covered by a contract that ends with
    ``retire``): theirs is ``L`` only when their option is ``retire`` or
    ``repurchase``, else ``H`` (:func:`estate.contracts.app_release`). Every
    release month is at least ``L``, so bounds reasoning on ``L`` stays valid.
    """

    name: str
    apps: tuple[str, ...]
    table: list[Vec]  # index D = 0 … H
    kept: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitTerm:
    """Renewal ``j`` of a per-unit contract beyond its ``min_units``: costs
    ``vec × max(0, U(t0) - min_units)`` with ``U(t0) = Σ units`` of the
    counted servers whose ``D > t0`` (:func:`estate.contracts.renewal_value`;
    the ``min_units`` part is in the contract's own table)."""

    contract_id: str
    j: int
    t0: int
    vec: Vec  # one unit for the renewal's months in the horizon
    min_units: float
    counted: tuple[tuple[str, float], ...]


def keeps_software(strategy: str) -> bool:
    """True when an application's own software runs on after ``strategy``
    (a ``retire`` contract covering it is then needed to the horizon)."""
    return strategy not in ENDING_STRATEGIES
