"""The plan register: every plan made, with what it was made from.

:class:`Register` records a :class:`~estate.plan.Plan` (its totals, status,
gap, every application, contract and site decision, and the whole
``plan.json``), the settings it was made with, and the workbook's inputs
(stored once per fingerprint, so that :mod:`estate.register.diff` can say
which input differences explain two plans' differences). It lists plans and
finds one by name or number.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite

from estate.errors import EstateError, Issue
from estate.plan import Plan, plan_from_dict
from estate.register.store import database_error, open_engine, retry

#: Longest plan name.
MAX_NAME = 200
#: The file name of a register beside its workbook.
DEFAULT_NAME = "estate.db"

_meta = sa.MetaData()
INPUTS = sa.Table("inputs", _meta, sa.Column("fingerprint", sa.String), sa.Column("data",
                                                                                 sa.LargeBinary))
PLANS = sa.Table(
    "plans", _meta,
    *(sa.Column(c, sa.String) for c in (
        "name", "created_at", "workbook", "fingerprint", "reference", "reference_version",
        "objective_name", "status", "horizon_start", "kind", "label", "settings",
        "estate_version")),
    sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(c, sa.Float) for c in ("carbon_price", "objective", "bound", "gap",
                                        "solve_seconds", "cost", "cost_discounted",
                                        "co2e_tonnes")),
    sa.Column("horizon_months", sa.Integer), sa.Column("plan_json", sa.LargeBinary))
APPS = sa.Table("plan_applications", _meta, sa.Column("plan_id", sa.Integer),
                *(sa.Column(c, sa.String) for c in ("app_id", "strategy", "target_site",
                                                    "start", "live_from")))
CONTRACTS = sa.Table("plan_contracts", _meta, sa.Column("plan_id", sa.Integer),
                     sa.Column("renewals", sa.Integer),
                     *(sa.Column(c, sa.String) for c in ("contract_id", "decision",
                                                         "end_month", "notice_by")))
SITES = sa.Table("plan_sites", _meta, sa.Column("plan_id", sa.Integer),
                 sa.Column("site_id", sa.String), sa.Column("exit_month", sa.String))

#: Columns of a listing (everything but the plan itself).
_LISTED = [c for c in PLANS.c if c.name != "plan_json"]


def _pack(value: Any) -> bytes:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"),
                                                           default=str)
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


def _estate_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("estate")
    except PackageNotFoundError:
        return "unknown"


def check_name(name: str) -> str:
    """``name`` stripped, or :class:`EstateError` when it cannot name a plan
    (empty, too long, a bare number or ``#number`` — those are plan numbers —
    or ending in ``.json`` — that is a file)."""
    text = name.strip()
    problem = None
    if not text:
        problem = "is empty"
    elif len(text) > MAX_NAME:
        problem = f"is longer than {MAX_NAME} characters"
    elif re.fullmatch(r"#?\d+", text):
        problem = "is a number (numbers are the register's plan numbers)"
    elif text.lower().endswith(".json"):
        problem = "ends in .json (that names a plan.json file)"
    elif not text.isprintable():
        problem = "holds control characters"
    if problem:
        raise EstateError(Issue("--name", f"the plan name {text[:MAX_NAME]!r} {problem}; "
                                "give a name such as \"Cabinet March 2027\""))
    return text


@dataclass(frozen=True)
class PlanEntry:
    """One plan of the register, without its decisions.

    ``plan_id`` is the register's number (``#12``); ``kind`` is ``plan``,
    ``frontier``, ``scenario`` or ``replan``; ``label`` the point or scenario
    name within a batch; ``settings`` what the command was given.
    """

    plan_id: int
    name: str | None
    created_at: str
    kind: str
    label: str | None
    workbook: str
    fingerprint: str
    status: str
    objective: float | None
    gap: float | None
    cost: float | None
    cost_discounted: float | None
    co2e_tonnes: float | None
    horizon_start: str
    horizon_months: int
    objective_name: str | None = None
    carbon_price: float | None = None
    reference: str | None = None
    reference_version: str | None = None
    estate_version: str | None = None
    solve_seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """``#12 "Cabinet March 2027"`` or ``#12``."""
        return f'#{self.plan_id} "{self.name}"' if self.name else f"#{self.plan_id}"

    @classmethod
    def _of(cls, row: Any) -> PlanEntry:
        m = row._mapping
        try:
            settings = json.loads(m["settings"] or "{}")
        except ValueError:
            settings = {}
        return cls(m["id"], m["name"], m["created_at"], m["kind"], m["label"], m["workbook"],
                   m["fingerprint"], m["status"], m["objective"], m["gap"], m["cost"],
                   m["cost_discounted"], m["co2e_tonnes"], m["horizon_start"],
                   m["horizon_months"], m["objective_name"], m["carbon_price"],
                   m["reference"], m["reference_version"], m["estate_version"],
                   m["solve_seconds"] or 0.0, settings)


class Register:
    """An open plan register (see :func:`open_register`)."""

    def __init__(self, location: str | Path, *, revision: str = "head") -> None:
        self.engine, self.where = open_engine(location, revision=revision)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _read(self, fn: Any) -> Any:
        def run() -> Any:
            with self.engine.connect() as conn:
                return fn(conn)

        return retry(run, self.where)

    def name_free(self, name: str) -> None:
        """Raise :class:`EstateError` when a plan is already called ``name``."""
        text = check_name(name)
        row = self._read(lambda c: c.execute(
            sa.select(PLANS.c.id).where(PLANS.c.name == text)).first())
        if row is not None:
            raise EstateError(Issue(self.where, f'plan #{row[0]} is already called "{text}"; '
                                                "give another --name"))

    def record(self, plan: Plan, inputs_text: str, *, kind: str = "plan",
               name: str | None = None, label: str | None = None,
               settings: dict[str, Any] | None = None) -> int:
        """Record ``plan`` and return its number.

        Parameters
        ----------
        plan
            The plan as written to ``plan.json`` (its ``inputs`` give the
            fingerprint and workbook).
        inputs_text
            The workbook's inputs (:func:`estate.fingerprint.input_text`);
            stored once per fingerprint.
        kind, name, label, settings
            See :class:`PlanEntry`.
        """
        fp = str(plan.inputs.get("fingerprint") or "")
        objective = plan.assumptions.get("objective") or {}
        t = plan.totals
        row = {
            "name": check_name(name) if name is not None else None,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "workbook": str(plan.inputs.get("workbook") or ""), "fingerprint": fp,
            "reference": plan.inputs.get("reference"),
            "reference_version": plan.assumptions.get("reference_version"),
            "objective_name": objective.get("name"),
            "carbon_price": objective.get("carbon_price"),
            "status": plan.status, "objective": plan.objective, "bound": plan.bound,
            "gap": plan.gap, "solve_seconds": plan.solve_seconds,
            "horizon_start": plan.horizon_start, "horizon_months": plan.horizon_months,
            "cost": t.cost if t else None, "cost_discounted": t.cost_discounted if t else None,
            "co2e_tonnes": t.co2e_tonnes if t else None,
            "plan_json": _pack(plan.to_dict()), "kind": kind, "label": label,
            "settings": json.dumps(settings or {}, sort_keys=True, default=str),
            "estate_version": _estate_version(),
        }
        packed_inputs = _pack(inputs_text)

        def run() -> int:
            with self.engine.begin() as conn:
                dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
                conn.execute(dialect.insert(INPUTS).values(
                    fingerprint=fp, data=packed_inputs).on_conflict_do_nothing())
                plan_id = int(conn.execute(
                    PLANS.insert().values(**row).returning(PLANS.c.id)).scalar_one())
                if plan.applications:
                    conn.execute(APPS.insert(), [
                        {"plan_id": plan_id, "app_id": a.app_id, "strategy": a.strategy,
                         "target_site": a.target_site, "start": a.start,
                         "live_from": a.live_from} for a in plan.applications])
                if plan.contracts:
                    conn.execute(CONTRACTS.insert(), [
                        {"plan_id": plan_id, "contract_id": c.contract_id,
                         "decision": c.decision, "renewals": c.renewals, "end_month": c.end,
                         "notice_by": c.notice_by} for c in plan.contracts])
                if plan.sites:
                    conn.execute(SITES.insert(), [
                        {"plan_id": plan_id, "site_id": s.site_id, "exit_month": s.exit}
                        for s in plan.sites])
                return plan_id

        try:
            return retry(run, self.where)
        except exc.IntegrityError as e:
            if name is not None and "name" in str(e.orig).lower():
                raise EstateError(Issue(self.where, f'a plan is already called "{name}"; '
                                                    "give another --name")) from e
            raise database_error(self.where, e) from e

    def plans(self, *, limit: int | None = None) -> list[PlanEntry]:
        """Every plan, oldest first (the newest ``limit`` when given)."""
        def run(conn: sa.Connection) -> list[PlanEntry]:
            q = sa.select(*_LISTED).order_by(PLANS.c.id.desc())
            if limit is not None:
                q = q.limit(limit)
            return [PlanEntry._of(r) for r in conn.execute(q)][::-1]

        return list(self._read(run))

    def count(self) -> int:
        """How many plans the register holds."""
        return int(self._read(lambda c: c.execute(
            sa.select(sa.func.count()).select_from(PLANS)).scalar_one()))

    def find(self, ref: str) -> PlanEntry | None:
        """The plan called ``ref``, or numbered ``ref`` (``12`` or ``#12``)."""
        text = ref.strip()
        if re.fullmatch(r"#?\d+", text):
            cond = PLANS.c.id == int(text.lstrip("#"))
        else:
            cond = PLANS.c.name == text
        row = self._read(lambda c: c.execute(sa.select(*_LISTED).where(cond)).first())
        return PlanEntry._of(row) if row is not None else None

    def latest(self, *, before: int | None = None,
               kinds: tuple[str, ...] = ("plan", "replan")) -> PlanEntry | None:
        """The newest plan of ``kinds`` with a schedule (numbered below ``before``)."""
        q = (sa.select(*_LISTED).where(PLANS.c.kind.in_(kinds))
             .where(PLANS.c.status.in_(("optimal", "feasible")))
             .order_by(PLANS.c.id.desc()).limit(1))
        if before is not None:
            q = q.where(PLANS.c.id < before)
        row = self._read(lambda c: c.execute(q).first())
        return PlanEntry._of(row) if row is not None else None

    def plan(self, plan_id: int) -> Plan:
        """The whole plan numbered ``plan_id``, as its ``plan.json`` was."""
        blob = self._read(lambda c: c.execute(
            sa.select(PLANS.c.plan_json).where(PLANS.c.id == plan_id)).scalar())
        if blob is None:
            raise EstateError(Issue(self.where, f"has no plan #{plan_id}"))
        return plan_from_dict(_unpack(blob), f"{self.where} plan #{plan_id}")

    def inputs(self, fingerprint: str) -> dict[str, Any] | None:
        """The workbook inputs stored for ``fingerprint``, or None."""
        blob = self._read(lambda c: c.execute(
            sa.select(INPUTS.c.data).where(INPUTS.c.fingerprint == fingerprint)).scalar())
        return None if blob is None else dict(_unpack(blob))

    def size_bytes(self) -> int | None:
        """The database's size on disk (SQLite file and WAL, or PostgreSQL's)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database:
            p = Path(url.database)
            return sum(q.stat().st_size for q in (p, Path(f"{p}-wal")) if q.exists())
        return int(self._read(lambda c: c.execute(
            sa.text("SELECT pg_database_size(current_database())")).scalar_one()))


def open_register(location: str | Path) -> Register:
    """Open (creating or upgrading as needed) the register at ``location``:
    a path of an SQLite file, or a ``postgresql://`` URL.

    Raises
    ------
    EstateError
        When it is not a register (a corrupt file, another program's
        database, a newer register's) or cannot be reached; nothing is
        written to it then.
    """
    return Register(location)


def default_location(workbook: Path) -> Path:
    """Where a workbook's register is when ``--db`` is not given: ``estate.db``
    in the workbook's folder (for a folder of ``.csv`` sheets, beside it)."""
    p = Path(workbook).resolve()
    return p.parent / DEFAULT_NAME
