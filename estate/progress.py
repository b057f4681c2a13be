"""Plan against actual: what a plan said would happen by today, and what did.

:func:`progress` compares a plan with the workbook's actuals (see
:mod:`estate.actuals`) quarter by quarter and financial year by financial
year (April to March) up to ``today``: moves on time, early, late or
overdue; servers switched off and their kW; data-centre exits; contracts
ended and renegotiated; one-off spend against the plan and the budget; cash
cost and tonnes CO2e against the plan and against staying as we are; and the
strategy's KPIs. The costs and tonnes of what happened come from the
evaluator (the caller costs :func:`estate.actuals.as_happened`'s decisions
and passes the ledger): this module adds up, it never prices.

Months before ``today`` count (``today`` itself is not over yet).

This module uses the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from estate.actuals import confirmed, timing
from estate.model import Estate
from estate.months import add_months, financial_year, month_index
from estate.plan import Ledger, Plan
from estate.summary import data_centres
from estate.violation import Violation


@dataclass(frozen=True)
class AppProgress:
    """One application: planned against actual."""

    app_id: str
    name: str
    criticality: str
    resident_facing: bool
    planned: str
    planned_live: str | None
    actual: str
    actual_live: str | None
    timing: str
    planned_one_off: float
    actual_one_off: float | None
    residents: str = ""
    continuity: str = ""
    note: str = ""


@dataclass(frozen=True)
class ContractProgress:
    """One contract the plan gives notice on before today, or with an actual.

    ``status`` says what happened: ``ended``, ``renegotiated``, ``renewed``;
    ``not recorded`` (the plan ended it before today, no actual says so); or
    ``notice passed`` (the plan's notice-by month is before today, its end is
    not, and no actual records it ended: a re-plan holds the contract to its
    renewal).
    """

    contract_id: str
    title: str
    annual_value: float
    planned_end: str | None
    notice_by: str | None
    status: str
    month: str | None = None
    new_value: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Period:
    """A quarter or financial year up to today: planned and actual figures.

    Money in £, carbon in tonnes, power in kW; ``budget`` is the year's
    one-off limit (None: unlimited, or a quarter).
    """

    label: str
    kind: str
    first: str
    last: str
    moves_planned: int = 0
    moves_done: int = 0
    on_time: int = 0
    early: int = 0
    late: int = 0
    servers_planned: int = 0
    servers_done: int = 0
    kw_planned: float = 0.0
    kw_done: float = 0.0
    exits_planned: tuple[str, ...] = ()
    exits_done: tuple[str, ...] = ()
    contracts_planned: int = 0
    contract_value_planned: float = 0.0
    contracts_done: int = 0
    contract_value_done: float = 0.0
    one_off_planned: float = 0.0
    one_off_done: float = 0.0
    budget: float | None = None
    cost_planned: float = 0.0
    cost_done: float = 0.0
    cost_staying: float = 0.0
    tonnes_planned: float = 0.0
    tonnes_done: float = 0.0
    tonnes_staying: float = 0.0


@dataclass(frozen=True)
class Progress:
    """The whole comparison (see :func:`progress`)."""

    today: str
    horizon_start: str
    applications: tuple[AppProgress, ...]
    quarters: tuple[Period, ...]
    years: tuple[Period, ...]
    kpis: dict[str, Any] = field(default_factory=dict)
    proposed: int = 0
    history: tuple[Violation, ...] = ()
    contracts: tuple[ContractProgress, ...] = ()

    def counts(self) -> dict[str, int]:
        """Applications by timing (``early``, ``on time``, …)."""
        out: dict[str, int] = {}
        for a in self.applications:
            if a.timing:
                out[a.timing] = out.get(a.timing, 0) + 1
        return out


def quarter_of(start: str, t: int) -> str:
    """The financial-year quarter of month index ``t``: ``2026/27 Q1`` (April–June)."""
    month = int(add_months(start, t)[5:])
    return f"{financial_year(start, t)} Q{((month - 4) % 12) // 3 + 1}"


def _move_words(strategy: str, target: str | None) -> str:
    return strategy + (f" to {target}" if target and strategy not in ("retain", "retire")
                       else "")


def _sum(ledger: Ledger | None, months: list[int], carbon: bool = False,
         category: str | None = None) -> float:
    if ledger is None:
        return 0.0
    table = ledger.carbon if carbon else ledger.cost
    rows = [table[category]] if category is not None else list(table.values())
    total = sum(row[t] for row in rows for t in months if t < len(row))
    return total / 1000.0 if carbon else total


def _app_rows(estate: Estate, plan: Plan, today: str, violations: tuple[Violation, ...]
              ) -> list[AppProgress]:
    done = confirmed(estate.actuals, "application")
    opts = {(o.app_id, o.strategy, o.target_site): o for o in estate.options}
    out = []
    for r in plan.applications:
        app = estate.app_by_id.get(r.app_id)
        if app is None:
            continue
        a = done.get(r.app_id)
        planned_live = r.live_from if r.strategy != "retain" else None
        opt = opts.get((r.app_id, r.strategy, r.target_site))
        planned_one_off = opt.one_off_cost if opt is not None and r.strategy != "retain" else 0
        when = timing(planned_live, a.month if a else None, today)
        residents = ""
        if app.resident_facing and a is not None:
            residents = ("told on time" if planned_live is None or a.month >= planned_live
                         else f"too early: told for {planned_live}")
        continuity = ""
        if app.criticality == "critical" and a is not None:
            breaches = [v.text for v in violations if v.ids[:1] == (r.app_id,)
                        and v.rule in ("freeze", "blackout")]
            continuity = "; ".join(breaches) if breaches else "no freeze or blackout breach"
        out.append(AppProgress(
            r.app_id, app.name, app.criticality, app.resident_facing,
            _move_words(r.strategy, r.target_site), planned_live,
            _move_words(a.strategy or "", a.target_site) if a else "", a.month if a else None,
            when if (planned_live is not None or a is not None) else "", planned_one_off,
            a.one_off_cost if a else None, residents, continuity, a.note if a else ""))
    return out


def _contract_rows(estate: Estate, plan: Plan, today: str) -> list[ContractProgress]:
    """Contracts whose notice the plan asks for before ``today`` and those
    with a confirmed actual, in plan order."""
    done = confirmed(estate.actuals, "contract")
    out = []
    for r in plan.contracts:
        c = estate.contract_by_id.get(r.contract_id)
        if c is None:
            continue
        a = done.get(r.contract_id)
        due = r.notice_by is not None and r.notice_by < today
        if a is None and not due:
            continue
        if a is not None:
            status = a.action or ""
            note = a.note
        elif r.end < today:
            status = "not recorded"
            note = (f"the plan ended it in {r.end} (notice by {r.notice_by}); no actual "
                    "says what happened: record it as ended or renewed")
        else:
            status = "notice passed"
            note = (f"notice was due by {r.notice_by} and no actual records it ended: a "
                    "re-plan from today renews it; record it as ended in its last month "
                    "paid if notice was given")
        out.append(ContractProgress(
            r.contract_id, c.title or c.supplier, c.annual_value,
            r.end if r.decision == "end" else None, r.notice_by, status,
            a.month if a else None, a.annual_value if a else None, note))
    return out


def _periods(estate: Estate, plan: Plan, today: str, happened: Ledger,
             apps: list[AppProgress], key: Any, kind: str) -> list[Period]:
    hs = plan.horizon_start
    cut = max(0, min(month_index(hs, today), plan.horizon_months))
    groups: dict[str, list[int]] = {}
    for t in range(cut):
        groups.setdefault(key(hs, t), []).append(t)
    watts = {s.server_id: (s.watts or 0.0) for s in estate.servers}
    value = {c.contract_id: c.annual_value for c in estate.contracts}
    centres = set(data_centres(estate))
    actuals = estate.actuals
    servers_done = confirmed(actuals, "server")
    sites_done = confirmed(actuals, "site")
    contracts_done = confirmed(actuals, "contract")
    budget = {b.financial_year: b.one_off_limit for b in estate.budget}
    out = []
    for label, months in groups.items():
        names = {add_months(hs, t) for t in months}
        planned = [a for a in apps if a.planned_live in names]
        moved = [a for a in apps if a.actual_live in names]
        off = [s for s in plan.servers if s.decommissioned in names]
        ended = [c for c in plan.contracts if c.decision == "end" and c.end in names]
        c_done = [c for c in contracts_done.values() if c.month in names]
        reduction = sum(value.get(c.item_id, 0.0) if c.action == "ended" else
                        max(0.0, value.get(c.item_id, 0.0) - (c.annual_value or 0.0))
                        for c in c_done if c.action in ("ended", "renegotiated"))
        out.append(Period(
            label, kind, min(names), max(names),
            moves_planned=len(planned), moves_done=len(moved),
            on_time=sum(a.timing == "on time" for a in moved),
            early=sum(a.timing == "early" for a in moved),
            late=sum(a.timing == "late" for a in moved),
            servers_planned=len(off),
            servers_done=sum(1 for s in servers_done.values() if s.month in names),
            kw_planned=sum(watts.get(s.server_id, 0.0) for s in off) / 1000.0,
            kw_done=sum(watts.get(s.item_id, 0.0) for s in servers_done.values()
                        if s.month in names) / 1000.0,
            exits_planned=tuple(s.site_id for s in plan.sites
                                if s.site_id in centres and s.exit in names),
            exits_done=tuple(s.item_id for s in sites_done.values() if s.month in names),
            contracts_planned=len(ended),
            contract_value_planned=sum(value.get(c.contract_id, 0.0) for c in ended),
            contracts_done=sum(1 for c in c_done if c.action in ("ended", "renegotiated")),
            contract_value_done=reduction,
            one_off_planned=_sum(plan.ledger, months, category="one_off"),
            one_off_done=_sum(happened, months, category="one_off"),
            budget=budget.get(label) if kind == "year" else None,
            cost_planned=_sum(plan.ledger, months), cost_done=_sum(happened, months),
            cost_staying=_sum(plan.baseline_ledger, months),
            tonnes_planned=_sum(plan.ledger, months, carbon=True),
            tonnes_done=_sum(happened, months, carbon=True),
            tonnes_staying=_sum(plan.baseline_ledger, months, carbon=True)))
    return out


def _cloud_share(estate: Estate, apps: list[AppProgress], today: str,
                 actual: bool) -> float:
    """Share of the applications still in service hosted at a cloud site."""
    cloud = {s.site_id for s in estate.sites if s.kind == "cloud"}
    start = {o.app_id: o.target_site for o in estate.options if o.strategy == "retain"}
    done = confirmed(estate.actuals, "application")
    live, in_cloud = 0, 0
    for a in apps:
        if actual:
            act = done.get(a.app_id)
            moved = act is not None and act.month < today
            strategy = act.strategy if moved and act is not None else "retain"
            site = (act.target_site if moved and act is not None else start.get(a.app_id))
        else:
            moved = a.planned_live is not None and a.planned_live < today
            strategy = a.planned.split(" ")[0] if moved else "retain"
            site = a.planned.split(" to ")[-1] if moved and " to " in a.planned else (
                start.get(a.app_id))
        if strategy == "retire":
            continue
        live += 1
        in_cloud += site in cloud
    return in_cloud / live if live else 0.0


def progress(estate: Estate, plan: Plan, today: str, happened: Ledger,
             violations: tuple[Violation, ...] = (),
             history: tuple[Violation, ...] = ()) -> Progress:
    """Compare ``plan`` with the actuals of ``estate`` up to ``today``.

    Parameters
    ----------
    estate
        The resolved estate as the plan saw it, with the workbook's actuals.
    plan
        The plan (with its ledgers).
    today
        The current month; the months before it are compared.
    happened, violations
        The evaluator's ledger and rule breaches of
        :func:`estate.actuals.as_happened`'s decisions.
    history
        The rules of the whole estate those decisions broke before ``today``
        (:func:`solver.rules.past_breaches`): facts, recorded, not re-decided.
    """
    apps = _app_rows(estate, plan, today, violations)
    quarters = _periods(estate, plan, today, happened, apps, quarter_of, "quarter")
    years = _periods(estate, plan, today, happened, apps, financial_year, "year")
    crit = [a for a in apps if a.continuity]
    told = [a for a in apps if a.residents]
    kpis = {
        "contract_savings_planned": sum(p.contract_value_planned for p in years),
        "contract_savings_done": sum(p.contract_value_done for p in years),
        "tonnes_planned": sum(p.tonnes_planned for p in years),
        "tonnes_done": sum(p.tonnes_done for p in years),
        "tonnes_staying": sum(p.tonnes_staying for p in years),
        "cost_planned": sum(p.cost_planned for p in years),
        "cost_done": sum(p.cost_done for p in years),
        "cost_staying": sum(p.cost_staying for p in years),
        "cloud_share_planned": _cloud_share(estate, apps, today, actual=False),
        "cloud_share_done": _cloud_share(estate, apps, today, actual=True),
        "critical_moved": len(crit),
        "critical_without_breach": sum(a.continuity.startswith("no ") for a in crit),
        "residents_moves": len(told),
        "residents_told_on_time": sum(a.residents == "told on time" for a in told),
    }
    proposed = sum(1 for a in estate.actuals if not a.confirmed)
    return Progress(today, plan.horizon_start, tuple(apps), tuple(quarters), tuple(years),
                    kpis, proposed, history, tuple(_contract_rows(estate, plan, today)))
