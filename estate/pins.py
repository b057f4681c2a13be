"""Pins: decisions an architect has taken, kept when the estate is planned again.

A plan's decisions become pins (:func:`pins_of`), edited or not, and replace
the workbook's pins of the same applications (:func:`apply_pins`). A plan made
with such pins records them in ``plan.json`` (``assumptions["pins"]``), so that
``estate check`` applies the same pins to the greedy plan and to the rules.

This module uses the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from typing import Any

from estate.errors import EstateError, Issue
from estate.model import Estate, Pin
from estate.plan import Plan


def pins_of(plan: Plan, source: str = "plan.json") -> tuple[Pin, ...]:
    """Every application's decision in ``plan`` as a pin (strategy, target, start).

    Raises
    ------
    EstateError
        When the plan has no schedule, or a row cannot be a pin.
    """
    if not plan.applications:
        raise EstateError(Issue(source, f"the plan ({plan.status}) has no applications to pin"))
    pins: list[Pin] = []
    issues = []
    for i, a in enumerate(plan.applications):
        try:
            if a.strategy == "retain":
                pins.append(Pin(a.app_id, "retain"))
            else:
                pins.append(Pin(a.app_id, a.strategy, target_site=a.target_site, start=a.start))
        except ValueError as exc:
            issues.append(Issue(source, f"applications[{i}] ({a.app_id}): {exc}"))
    if issues:
        raise EstateError(issues)
    return tuple(pins)


def apply_pins(estate: Estate, pins: Sequence[Pin], source: str = "pins") -> Estate:
    """The estate with ``pins`` replacing its own pins of the same applications.

    Raises
    ------
    EstateError
        Naming every pinned application the estate does not have.
    """
    unknown = [p.app_id for p in pins if p.app_id not in estate.app_by_id]
    if unknown:
        raise EstateError([Issue(source, f"application {a!r} is not in the workbook",
                                 sheet="applications") for a in unknown])
    pinned = {p.app_id for p in pins}
    keep = tuple(p for p in estate.pins if p.app_id not in pinned)
    return replace(estate, pins=keep + tuple(pins))


def pins_to_json(pins: Iterable[Pin]) -> list[dict[str, Any]]:
    """Pins as plain data (``assumptions["pins"]`` of plan.json)."""
    return [asdict(p) for p in pins]


def pins_from_json(data: Any, source: str = "plan.json") -> tuple[Pin, ...]:
    """Pins recorded in a plan's ``assumptions["pins"]``.

    Raises
    ------
    EstateError
        When the data is not a list of pins.
    """
    if data is None:
        return ()
    if not isinstance(data, list):
        raise EstateError(Issue(source, "assumptions.pins: expected a list of pins"))
    out, issues = [], []
    for i, d in enumerate(data):
        try:
            if not isinstance(d, dict) or not isinstance(d.get("app_id"), str):
                raise ValueError("expected an object with an app_id")
            out.append(Pin(d["app_id"], d.get("strategy"), target_site=d.get("target_site"),
                           start=d.get("start")))
        except (TypeError, ValueError) as exc:
            issues.append(Issue(source, f"assumptions.pins[{i}]: {exc}"))
    if issues:
        raise EstateError(issues)
    return tuple(out)
