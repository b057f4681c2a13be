"""The reference evaluator: what a set of decisions costs, month by month.

Plain Python over months, written to be read against docs/planning-model.md,
*Cost and carbon of month t*: every figure of a plan (cost, discounted cost,
tonnes CO2e, objective; derived server/contract/site state) is recomputed
here from the resolved estate and the decisions alone. The CP-SAT model
(:mod:`solver.solve`) shares no code with this module; its totals are checked
against :func:`evaluate`.

Imports only :mod:`estate`, :mod:`solver` and the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from estate.clusters import clustered_hosts, refresh
from estate.contracts import contract_payments
from estate.derive import (
    Schedule,
    build_schedule,
    kwh_per_month,
    label,
    retain_all,
)
from estate.model import Estate
from estate.months import calendar_year
from estate.plan import (
    CARBON_CATEGORIES,
    COST_CATEGORIES,
    AppPlan,
    ContractPlan,
    Decision,
    Ledger,
    ServerPlan,
    SitePlan,
    Totals,
)
from estate.policy import esu_due, esu_spans
from estate.violation import Violation
from solver.rules import checked as _checked

ENERGY_SERVER_KINDS = ("physical", "host")


@dataclass(frozen=True)
class Evaluation:
    """A plan recomputed by the reference evaluator.

    Attributes
    ----------
    applications, servers, contracts, sites
        The plan.json rows (``YYYY-MM`` months, months ≥ H printed as their
        label), in estate order.
    totals
        Cash cost, discounted cost, tonnes CO2e and objective.
    ledger
        Month by month £ and kgCO2e by category (``COST_CATEGORIES``,
        ``CARBON_CATEGORIES``), index 0 … H-1.
    violations
        Every rule broken, as :class:`~estate.violation.Violation` records
        (empty when not checked or feasible).
    load_violations
        Those of ``violations`` that are shared loads (team days, critical
        applications in flight, go-lives a month, budgets): they depend on
        every move in flight at once (:func:`solver.rules.checked`).
    """

    applications: tuple[AppPlan, ...]
    servers: tuple[ServerPlan, ...]
    contracts: tuple[ContractPlan, ...]
    sites: tuple[SitePlan, ...]
    totals: Totals
    ledger: Ledger
    violations: tuple[Violation, ...] = ()
    load_violations: tuple[Violation, ...] = ()

    @property
    def feasible(self) -> bool:
        """True when no rule is broken."""
        return not self.violations


# -- month by month figures ---------------------------------------------------
class _Book:
    """The ledger being filled: £ and kgCO2e by category and month, and the grid."""

    def __init__(self, estate: Estate, horizon: int) -> None:
        hs = estate.settings.horizon_start
        self.estate, self.H = estate, horizon
        self.cost = {c: [0.0] * horizon for c in COST_CATEGORIES}
        self.carbon = {c: [0.0] * horizon for c in CARBON_CATEGORIES}
        self.uk = [estate.grid_factor(calendar_year(hs, t)) for t in range(horizon)]

    def grid(self, site_id: str | None, t: int) -> float:
        """kgCO2e/kWh at a site (its own factor, else the UK factor of month t)."""
        site = self.estate.site_by_id.get(site_id) if site_id else None
        if site is not None and site.grid_kg_per_kwh is not None:
            return site.grid_kg_per_kwh
        return self.uk[t]


def _applications(book: _Book, sched: Schedule) -> None:
    """Running cost before and after L, one-off in flight, energy at the target."""
    H, estate = book.H, book.estate
    for app in estate.applications:
        st = sched.apps[app.app_id]
        opt = st.option
        after = opt.monthly_cost if (opt is not None and st.to_target) else 0.0
        for t in range(H):
            book.cost["applications"][t] += (app.current_monthly_cost or 0.0) if t < st.L \
                else after
        if not st.moves or opt is None:
            continue
        for t in st.flight:
            if 0 <= t < H:
                book.cost["one_off"][t] += opt.one_off_cost / st.d
        if st.to_target and opt.monthly_kwh:
            target = estate.site_by_id.get(st.target_site) if st.target_site else None
            pue = target.pue if target is not None and target.pue is not None else 1.0
            for t in range(max(st.L, 0), H):
                book.carbon["target_energy"][t] += (opt.monthly_kwh * pue
                                                    * book.grid(st.target_site, t))


def _servers(book: _Book, sched: Schedule) -> None:
    """Energy of servers in service (t < D); extended security updates while in
    service past end of support under ``esu`` (:func:`estate.policy.esu_spans`);
    replacement at end of life."""
    estate = book.estate
    pooled = clustered_hosts(estate)
    for srv in estate.servers:
        D = sched.server_d[srv.server_id]
        site = estate.site_by_id[srv.site_id]
        if srv.kind in ENERGY_SERVER_KINDS or srv.host_id is None:
            kwh = kwh_per_month(srv.watts or 0.0, estate) * (site.pue or 1.0)
            price = (site.power_price_per_kwh or 0.0) if site.kind in ("on_prem", "colo") else 0.0
            for t in range(min(D, book.H)):
                book.carbon["onprem_energy"][t] += kwh * book.grid(site.site_id, t)
                book.cost["server_energy"][t] += kwh * price
        for t, amount in enumerate(esu_due(esu_spans(estate, srv.server_id), D, book.H)):
            book.cost["server_esu"][t] += amount
        if srv.server_id in pooled:  # replaced or support extended (estate.clusters)
            for t, amount, kg in refresh(estate, srv, D).payments:
                book.cost["replacement"][t] += amount
                book.carbon["embodied"][t] += kg
            continue
        e = sched.replaced[srv.server_id]
        if e is not None:
            book.cost["replacement"][e] += srv.replacement_cost or 0.0
            book.carbon["embodied"][e] += srv.embodied_kgco2e or 0.0


def _sites_links_contracts(book: _Book, sched: Schedule) -> None:
    """Site fixed cost until exit; loose split cost while exactly one side has
    moved to a target; contract terms and renewals."""
    H, estate = book.H, book.estate
    for site in estate.sites:
        for t in range(min(sched.site_exit.get(site.site_id, 0), H)):
            book.cost["site_fixed"][t] += site.monthly_fixed_cost or 0.0
    for dep in estate.dependencies:
        a, b = sched.apps.get(dep.from_id), sched.apps.get(dep.to_id)
        if dep.kind != "loose" or a is None or b is None or not dep.split_cost_per_month:
            continue
        for t in range(H):
            a_moved, b_moved = a.to_target and t >= a.L, b.to_target and t >= b.L
            if (a_moved and t < b.L) or (b_moved and t < a.L):
                book.cost["split"][t] += dep.split_cost_per_month
    for c in estate.contracts:  # current term max(0, b) … m, renewal j m+1+(j-1)T … m+jT
        ct = sched.contracts[c.contract_id]
        for t, amount in enumerate(contract_payments(ct, H)):
            book.cost["contracts"][t] += amount


def _ledger(estate: Estate, sched: Schedule) -> Ledger:
    """Cost (£) and carbon (kgCO2e) of every month t = 0 … H-1, by category."""
    book = _Book(estate, sched.horizon)
    _applications(book, sched)
    _servers(book, sched)
    _sites_links_contracts(book, sched)
    return Ledger(cost=book.cost, carbon=book.carbon)


def totals_of(estate: Estate, ledger: Ledger) -> Totals:
    """Cash cost, discounted cost, tonnes CO2e and objective of a ledger."""
    r = estate.settings.discount_rate
    price = estate.settings.carbon_price or 0.0
    H = estate.settings.horizon_months
    cost = cost_d = kg = objective = 0.0
    for t in range(H):
        f = (1 + r) ** (-t / 12)
        c, g = ledger.cost_at(t), ledger.carbon_at(t)
        cost += c
        cost_d += f * c
        kg += g
        objective += f * (c + price * g / 1000)
    return Totals(cost=cost, cost_discounted=cost_d, co2e_tonnes=kg / 1000, objective=objective)


# -- plan rows ----------------------------------------------------------------
def _rows(estate: Estate, sched: Schedule) -> tuple[tuple[AppPlan, ...], tuple[ServerPlan, ...],
                                                     tuple[ContractPlan, ...],
                                                     tuple[SitePlan, ...]]:
    apps = tuple(
        AppPlan(st.app_id, st.strategy, st.target_site,
                None if st.s is None else label(estate, st.s),
                None if st.s is None else label(estate, st.L))
        for st in (sched.apps[a.app_id] for a in estate.applications)
    )
    servers = tuple(
        ServerPlan(s.server_id, label(estate, sched.server_d[s.server_id]),
                   sched.server_d[s.server_id] == 0,
                   None if sched.replaced[s.server_id] is None
                   else label(estate, sched.replaced[s.server_id]))  # type: ignore[arg-type]
        for s in estate.servers
    )
    contracts = tuple(
        ContractPlan(ct.contract_id, ct.decision, ct.k, label(estate, ct.end),
                     None if ct.notice_by is None else label(estate, ct.notice_by))
        for ct in (sched.contracts[c.contract_id] for c in estate.contracts)
    )
    sites = tuple(SitePlan(s.site_id, label(estate, sched.site_exit[s.site_id]))
                  for s in estate.sites)
    return apps, servers, contracts, sites


def evaluate(estate: Estate, decisions: Sequence[Decision], *, check: bool = True) -> Evaluation:
    """Recompute a plan from a resolved estate and its decisions.

    Parameters
    ----------
    estate
        A resolved estate (``estate.resolve.resolve``).
    decisions
        One decision per application at most; applications without one are
        retained. A retain decision matches the retain option (or the implicit
        retain) whatever its target. An unknown option or a move without a
        start is reported and the application is treated as retained.
    check
        List every constraint violation in ``Evaluation.violations``.

    Returns
    -------
    Evaluation

    Raises
    ------
    ValueError
        When the estate is not resolved.
    """
    sched = build_schedule(estate, decisions)
    ledger = _ledger(estate, sched)
    apps, servers, contracts, sites = _rows(estate, sched)
    broken, loads = _checked(estate, sched) if check else ([], [])
    return Evaluation(
        applications=apps, servers=servers, contracts=contracts, sites=sites,
        totals=totals_of(estate, ledger), ledger=ledger,
        violations=tuple(broken), load_violations=tuple(loads),
    )


def baseline(estate: Estate) -> Evaluation:
    """Every application retained, no constraint checked (docs/planning-model.md)."""
    return evaluate(estate, retain_all(estate), check=False)


# -- comparing two implementations ---------------------------------------------
def agrees(a: float, b: float, *, floor: float = 1.0) -> bool:
    """Two independent implementations agree: within 0.1 % or ``floor`` (£1; use
    0.001 for tonnes), whichever is larger. (``estate check`` is stricter, see
    :mod:`solver.check`.)"""
    return abs(a - b) <= max(0.001 * max(abs(a), abs(b)), floor)
