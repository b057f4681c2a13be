"""The CLI's hook into the plan register (:mod:`estate.register`): where a
command's register is, opening it before any long work, recording a plan,
and finding a plan by register name, number or ``plan.json`` path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from estate.errors import EstateError, Issue
from estate.fingerprint import input_text
from estate.model import Estate
from estate.plan import Plan, read_plan
from estate.register import Register, default_location, open_register
from estate.register.register import PlanEntry

#: Environment variable naming the register when ``--db`` is not given.
ENV = "ESTATE_DB"


def db_option(f: Any) -> Any:
    """The ``--db`` option every register command shares."""
    return click.option(
        "--db", "db", default=None, metavar="PATH|URL",
        help=f"The plan register: an SQLite file or a postgresql:// URL (default: ${ENV}, "
             "else estate.db beside the workbook).")(f)


def location(workbook: Path | None, db: str | None) -> str | Path | None:
    """The register of a command: ``--db``, else ``$ESTATE_DB``, else
    ``estate.db`` beside ``workbook`` (None for the demo without either)."""
    if db:
        return db
    if os.environ.get(ENV):
        return os.environ[ENV]
    return default_location(workbook) if workbook is not None else None


def open_for(workbook: Path | None, db: str | None, *, off: bool = False,
             name: str | None = None) -> Register | None:
    """The register a plan will be recorded in, opened (and ``name`` checked
    free) before solving; None with ``--no-register`` or for the demo without
    ``--db``.

    Raises
    ------
    EstateError
        When the register cannot be used or the name is taken.
    """
    if off:
        if name is not None:
            raise EstateError(Issue("--name", "names a plan in the register, but "
                                    "--no-register was given; drop one of them"))
        return None
    where = location(workbook, db)
    if where is None:
        if name is not None:
            raise EstateError(Issue("--name", "the demo has no workbook to keep a register "
                                    "beside; give --db PATH to record it"))
        return None
    reg = open_register(where)
    if name is not None:
        try:
            reg.name_free(name)
        except EstateError:
            reg.close()
            raise
    return reg


def record(reg: Register, plan: Plan, raw: Estate, *, kind: str = "plan",
           name: str | None = None, label: str | None = None,
           settings: dict[str, Any] | None = None) -> int:
    """Record ``plan`` (made from ``raw``) in ``reg``; its number."""
    return reg.record(plan, input_text(raw), kind=kind, name=name, label=label,
                      settings=settings)


def resolve_plan(reg: Register | None, ref: str) -> tuple[str, Plan, PlanEntry | None]:
    """A plan given as a ``plan.json`` path (or folder holding one), a register
    name or a number: (how to call it, the plan, its register entry or None).

    Raises
    ------
    EstateError
        When ``ref`` is none of these.
    """
    p = Path(ref)
    if p.is_dir() and (p / "plan.json").is_file():
        p = p / "plan.json"
    if p.suffix.lower() == ".json" or p.is_file():
        if not p.is_file():
            raise EstateError(Issue(ref, "no such plan.json"))
        return str(p), read_plan(p), None
    if reg is None:
        raise EstateError(Issue(ref, "is not a plan.json file, and there is no register to "
                                "look it up in; give --db"))
    entry = reg.find(ref)
    if entry is None:
        raise EstateError(Issue(ref, f"is neither a plan.json nor a plan of the register "
                                     f"{reg.where}; `estate history` lists them"))
    return entry.title, reg.plan(entry.plan_id), entry


def record_batch(reg: Register | None, plans: dict[str, Plan], raw: Estate, *, kind: str,
                 skip: list[str] | tuple[str, ...] = (),
                 settings: dict[str, Any] | None = None) -> list[int]:
    """Record each plan of a batch (``estate frontier`` points, ``estate
    scenarios``), labelled by its scenario's or point's name, except those in ``skip`` (resumed
    from an earlier run, which recorded them); their numbers."""
    if reg is None:
        return []
    with reg:
        return [record(reg, p, raw, kind=kind, settings=settings,
                       label=str((p.assumptions.get("scenario") or {}).get("name") or name))
                for name, p in plans.items() if name not in skip]


def no_register_option(f: Any) -> Any:
    """The ``--no-register`` option."""
    return click.option("--no-register", is_flag=True,
                        help="Do not record the plans in the register.")(f)
