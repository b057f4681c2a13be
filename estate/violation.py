"""A broken planning rule as a record: :class:`Violation`.

The evaluator (``solver.rules.violations``), ``estate check``, the cloud
alternatives and the tests all see the same records: tests assert on the
``rule`` id and the ``ids`` involved, never on the wording. The rule ids are
those of docs/planning-model.md, *Constraints*, plus ``decision`` for a
decision that is malformed in itself (unknown option, missing start, retained
without a retain option) and ``pin`` for a decision that contradicts a pin.

The conflicts of an infeasible estate (``plan.json``'s ``conflicts``, the
message of ``estate plan``, the roadmap) are the same records, built by
:mod:`solver.model.explain`: one per rule of the smallest set found that
cannot hold together, ``month`` the rule's own month (a deadline, an earliest
start) when it has one. Two ids exist only there: ``carbon_cap`` (no plan
keeps the carbon cap of a front point) and ``unnamed``, a conflict read from
a ``plan.json`` that gave it in words only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Every rule id a :class:`Violation` may carry.
RULE_IDS = (
    "decision", "must_finish", "horizon", "earliest_start", "blackout", "residents",
    "freeze", "exit_target", "before", "together", "unknown_team", "teams", "critical",
    "golives", "budget", "site_exit", "pin", "residency", "unsupported_os",
    "carbon_cap", "unnamed",
)


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    Attributes
    ----------
    rule : str
        Its id, one of :data:`RULE_IDS`.
    ids : tuple of str
        The applications, teams, sites or financial years involved, the one
        at fault first.
    month : str or None
        The month (``YYYY-MM``) it is broken in, when there is one.
    text : str
        A sentence for people (its wording may change; ``str()`` gives it).
    """

    rule: str
    ids: tuple[str, ...]
    month: str | None
    text: str

    def __post_init__(self) -> None:
        if self.rule not in RULE_IDS:
            raise ValueError(f"unknown rule id {self.rule!r}")
        if not isinstance(self.ids, tuple):
            raise ValueError("ids must be a tuple")
        if not self.text:
            raise ValueError("a violation needs its text")

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        """The record as ``plan.json`` holds it: ``{rule, ids, month, text}``."""
        return {"rule": self.rule, "ids": list(self.ids), "month": self.month,
                "text": self.text}


def recorded(v: Violation) -> str:
    """A rule the actuals broke before the first planned month, in words:
    ``actuals broke rule freeze in 2025-07: …; recorded, not re-decided``."""
    when = f" in {v.month}" if v.month else ""
    return f"actuals broke rule {v.rule}{when}: {v.text}; recorded, not re-decided"
