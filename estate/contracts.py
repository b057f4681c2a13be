"""Contracts: what ends them, how often they renew and what each renewal costs.

The one home of every contract rule of the planning model (*Derived state*,
contracts). The evaluator (:mod:`solver.evaluate`), the greedy plan, ``estate
check``, the CP-SAT cost tables (:mod:`solver.model.prep`), the explanation
and the reports all call these functions; none of them writes a rule again.

- :func:`ends_with` -- what ends a contract (``retire``, ``move``, ``never``;
  blank: ``retire`` for categories licence/support/saas, else ``move``);
- :func:`app_release` -- the month an application stops needing a contract
  with that rule;
- :func:`can_end` / :func:`renewals_needed` -- whether a term can be ended
  (notice not passed before the first planned month) and the renewals ``k``
  for a need month ``N``;
- :func:`server_units` / :func:`counted_servers` -- what a per-unit contract
  counts;
- :func:`renewal_value` -- £ a year of renewal ``j``;
- :func:`contract_terms` / :func:`contract_payments` -- everything derived.

Standard library and :mod:`estate` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from estate.hardware import licensed_cores, physical_cores
from estate.model import CONTRACT_UNITS, ENDS_WITH, Contract, Estate, Server
from estate.months import date_month_index, month_index
from estate.plan import ContractDecision

#: Categories whose contracts end only when the software is gone for good.
RETIRE_CATEGORIES = ("licence", "license", "support", "saas")
#: Strategies after which an application's own software is gone for good.
ENDING_STRATEGIES = ("retire", "repurchase")

__all__ = ["RETIRE_CATEGORIES", "ENDING_STRATEGIES", "ENDS_WITH", "CONTRACT_UNITS",
           "ContractTerms", "ends_with", "rule_defaulted", "rule_words", "app_release",
           "can_end", "notice_given", "renewals_needed", "contract_months", "renewal_month",
           "renewal_start", "server_units",
           "counted_servers", "units_in_service", "renewal_value", "contract_terms",
           "contract_payments", "term_value", "renewal_months", "unit_saving", "units_text"]


def ends_with(c: Contract) -> str:
    """The contract's rule: ``c.ends_with`` when given, else ``retire`` for the
    categories licence, support and saas and ``move`` for every other."""
    if c.ends_with:
        return c.ends_with
    return "retire" if c.category.strip().lower() in RETIRE_CATEGORIES else "move"


def rule_defaulted(c: Contract) -> bool:
    """True when ``ends_with`` is blank and the rule comes from the category."""
    return not c.ends_with


def rule_words(c: Contract) -> str:
    """What ends the contract, in words (for the reports)."""
    rule = ends_with(c)
    if rule == "never":
        return "never: runs on to the end of the plan (enterprise-wide)"
    if rule == "retire":
        return "retire: ends when what it covers is retired, replaced or switched off"
    return "move: ends when what it covers has left where it runs today"


def app_release(rule: str, L: int, strategy: str, H: int) -> int:
    """Month from which an application no longer needs a contract of ``rule``.

    ``move``: its live-from ``L``; ``retire``: ``L`` when its strategy is
    ``retire`` or ``repurchase``, else ``H`` (the software still runs);
    ``never``: ``H``.
    """
    if rule == "move":
        return L
    if rule == "retire" and strategy in ENDING_STRATEGIES:
        return L
    return H


def can_end(E: int, n: int, first: int = 0, given: frozenset[int] = frozenset()) -> bool:
    """Whether a term ending in month ``E`` can be ended (notice ``n`` months).

    Notice is due by month ``E+1-n``. For a term that ends from the first
    planned month ``first`` on (``E >= first``), that month must not be before
    ``first``: a notice date already passed when the plan is made cannot be
    met, so the contract renews. A term that ended before ``first`` is
    history (the actuals say what happened to it); the rule of the plan that
    programme started from holds for it: notice by a month ``>= 0``. With
    ``first = 0`` (every ordinary plan) this is the planning model's rule:
    ``E+1-n >= 0``. A term end in ``given`` (:func:`notice_given`: the
    actuals record the contract ended then) can be ended whatever the date.
    """
    return E in given or E + 1 - n >= (first if E >= first else 0)


def renewals_needed(m: int, T: int, n: int, N: int, first: int = 0,
                    given: frozenset[int] = frozenset()) -> int:
    """Renewals ``k`` of a contract: the smallest ``j >= 0`` with ``m + jT + 1 >= N``
    whose term end ``E = m + jT`` :func:`can_end` (``m`` the month of the
    current term's end, ``T`` the renewal term, ``n`` the notice, ``N`` the
    month it is needed until, ``first`` the first month the plan decides).

    With ``first = 0``: ``m + jT + 1 - n >= 0``. In a re-plan from month
    ``first``, a renewal whose notice date is before ``first`` is paid: the
    earliest renewal at which the contract can end is the first whose
    notice-by month is ``>= first``. ``given``: see :func:`can_end`.
    """
    need = max(N - m - 1, 0)
    j = -(-need // T)
    while not can_end(m + j * T, n, first, given):
        j += 1
    return j


def notice_given(estate: Estate, c: Contract) -> frozenset[int]:
    """Term ends (month indices) at which notice on ``c`` was given, in a
    re-plan (``estate.first_planned > 0``): the month of each confirmed
    ``ended`` actual of the contract (its last month paid; a month from today
    on means notice was given and the contract is ending then). Empty for an
    ordinary plan, which reads no actuals."""
    if estate.first_planned == 0:
        return frozenset()
    hs = estate.settings.horizon_start
    return frozenset(month_index(hs, a.month) for a in estate.actuals
                     if a.kind == "contract" and a.confirmed and a.item_id == c.contract_id
                     and a.action == "ended")


def contract_months(estate: Estate, c: Contract) -> tuple[int, int | None]:
    """``(m, b)``: month index of the current term's end and of its start
    (``None`` without a start date)."""
    hs = estate.settings.horizon_start
    b = None if c.start_date is None else date_month_index(hs, c.start_date)
    return date_month_index(hs, c.end_date), b


def renewal_month(m: int, T: int, j: int) -> int:
    """``m + 1 + (j-1)T``: the month renewal ``j`` starts (may be before 0)."""
    return m + 1 + (j - 1) * T


def renewal_start(m: int, T: int, j: int) -> int:
    """``t0 = max(0, m + 1 + (j-1)T)``: the first month of renewal ``j`` that
    counts (the month whose units price it)."""
    return max(0, renewal_month(m, T, j))


def server_units(s: Server, unit: str) -> float:
    """Units one server adds to a per-unit contract.

    ``core``: physical servers and hosts, ``max(cores, 16 × sockets)``
    (:func:`estate.hardware.licensed_cores`; blank ``cores`` reads ``vcpus``;
    blank ``sockets``: cores rounded up to a multiple of 16); ``host``: 1 per
    host; ``vm``: 1 per virtual server; ``server``: 1 for any server.
    """
    if unit == "core":
        if s.kind == "virtual":
            return 0.0
        return float(licensed_cores(physical_cores(s) or 0.0, s.sockets))
    if unit == "host":
        return 1.0 if s.kind == "host" else 0.0
    if unit == "vm":
        return 1.0 if s.kind == "virtual" else 0.0
    return 1.0


def counted_servers(estate: Estate, c: Contract) -> tuple[tuple[str, float], ...]:
    """``(server_id, units)`` of every server a per-unit contract counts: the
    servers it names and the servers at the sites it names (applications it
    names add none). Empty for a contract without ``unit``."""
    if c.unit is None:
        return ()
    sites = {x for x in c.covers if x in estate.site_by_id}
    named = set(c.covers)
    out = []
    for s in estate.servers:
        if s.server_id in named or s.site_id in sites:
            u = server_units(s, c.unit)
            if u:
                out.append((s.server_id, u))
    return tuple(out)


def units_in_service(counted: tuple[tuple[str, float], ...], server_d: Mapping[str, int],
                     t: int) -> float:
    """``U(t)``: units of the counted servers still in service in month ``t``
    (``D > t``)."""
    return sum(u for sid, u in counted if server_d.get(sid, 0) > t)


def renewal_value(c: Contract, j: int, units: float | None = None) -> float:
    """£ a year of term ``j`` (0 = the current term): ``annual_value ×
    (1+uplift)^j``; for a per-unit contract's renewal (``j >= 1``)
    ``max(min_units, units) × unit_price × (1+uplift)^j``."""
    up = (1 + c.renewal_uplift) ** j
    if j == 0 or c.unit is None:
        return c.annual_value * up
    return max(c.min_units, units or 0.0) * (c.unit_price or 0.0) * up


@dataclass(frozen=True)
class ContractTerms:
    """Derived terms of one contract (month indices).

    ``values[j]`` is the £ a year of term ``j`` (0 = current, ``j >= 1``
    renewal ``j``) for every term that starts within the horizon, paid or
    not (``k`` says how many renewals are paid); ``units[j]`` the units that
    price it (per-unit contracts; ``None`` otherwise). ``rule`` is
    :func:`ends_with`.
    """

    contract_id: str
    m: int
    b: int | None
    T: int
    n: int
    N: int
    k: int
    end: int
    notice_by: int | None
    rule: str = "move"
    values: tuple[float, ...] = ()
    units: tuple[float | None, ...] = ()

    @property
    def decision(self) -> ContractDecision:
        """``end`` when the plan lets it go (N < H), else ``keep``."""
        return "end" if self.notice_by is not None else "keep"

    def value(self, j: int) -> float:
        """£ a year of term ``j`` (the last known one beyond the horizon)."""
        return self.values[min(j, len(self.values) - 1)] if self.values else 0.0

    def term_at(self, t: int) -> int:
        """Index ``j`` of the term in force in month ``t``."""
        return 0 if t <= self.m else -(-(t - self.m) // self.T)


def need_month(estate: Estate, c: Contract, app_of: Callable[[str], tuple[int, str] | None],
               release: Mapping[str, int]) -> int:
    """``N``: the largest release month of what ``c`` covers.

    ``app_of(id)`` gives ``(L, strategy)`` of an application (``None`` when it
    is not one); ``release`` maps server ids to ``D`` and site ids to their
    exit. ``never``, or covering nothing known, gives ``H``.
    """
    H = estate.settings.horizon_months
    rule = ends_with(c)
    if rule == "never":
        return H
    got: list[int] = []
    for x in c.covers:
        app = app_of(x)
        if app is not None:
            got.append(app_release(rule, app[0], app[1], H))
        elif x in release:
            got.append(release[x])
    return max(got, default=H)


def contract_terms(estate: Estate, app_of: Callable[[str], tuple[int, str] | None],
                   server_d: Mapping[str, int], site_exit: Mapping[str, int],
                   pool_release: Mapping[str, int] | None = None
                   ) -> dict[str, ContractTerms]:
    """Terms of every contract of the estate.

    Parameters
    ----------
    estate
        A resolved estate.
    app_of
        ``(L, strategy)`` of an application id, ``None`` for other ids.
    server_d, site_exit
        Decommission month ``D`` of each server, exit month of each site.
    pool_release
        Release month of each host of a cluster
        (:func:`estate.clusters.pool_release`): a contract covering a pooled
        host waits for the whole pool (DRS moves the VMs), not for the host's
        own ``D``. Per-unit counting still uses ``server_d`` (a host switched
        off by the cluster rule stops counting).
    """
    H = estate.settings.horizon_months
    release: dict[str, int] = dict(site_exit)
    release.update(server_d)
    release.update(pool_release or {})
    out: dict[str, ContractTerms] = {}
    for c in estate.contracts:
        m, b = contract_months(estate, c)
        T, n = c.renewal_term_months, c.notice_months
        N = need_month(estate, c, app_of, release)
        k = renewals_needed(m, T, n, N, estate.first_planned, notice_given(estate, c))
        end = m + k * T
        counted = counted_servers(estate, c)
        values: list[float] = [renewal_value(c, 0)]
        units: list[float | None] = [None]
        j = 1
        while j <= k or m + 1 + (j - 1) * T < H:
            u = (units_in_service(counted, server_d, renewal_start(m, T, j))
                 if c.unit is not None else None)
            units.append(u)
            values.append(renewal_value(c, j, u))
            j += 1
        out[c.contract_id] = ContractTerms(c.contract_id, m, b, T, n, N, k, end,
                                           end + 1 - n if N < H else None, ends_with(c),
                                           tuple(values), tuple(units))
    return out


def contract_payments(ct: ContractTerms, H: int) -> list[float]:
    """£ paid on a contract in each month ``0 … H-1``: ``values[0]/12`` in each
    month ``max(0, b) … m`` of the current term, and ``values[j]/12`` in each
    month ``m+1+(j-1)T … m+jT`` of renewal ``j = 1 … k``."""
    out = [0.0] * H
    m, T = ct.m, ct.T
    for t in range(0 if ct.b is None else max(0, ct.b), min(m, H - 1) + 1):
        out[t] += ct.value(0) / 12
    for j in range(1, ct.k + 1):
        monthly = ct.value(j) / 12
        for t in range(max(m + 1 + (j - 1) * T, 0), min(m + j * T, H - 1) + 1):
            out[t] += monthly
    return out


def term_value(ct: ContractTerms, t: int) -> float:
    """£ a year of the term in force in month ``t`` (paid or not)."""
    return ct.value(ct.term_at(t))


def renewal_months(ct: ContractTerms, j: int, H: int) -> int:
    """Months of renewal ``j`` that fall in ``0 … H-1``."""
    first, last = max(ct.m + 1 + (j - 1) * ct.T, 0), min(ct.m + j * ct.T, H - 1)
    return max(0, last - first + 1)


def unit_saving(plan: ContractTerms, full: ContractTerms, H: int) -> float:
    """£ a per-unit contract saves in the horizon because what it counts is
    switched off: each renewal the plan pays, priced at ``full``'s units (every
    counted server kept, the baseline) less the plan's price."""
    return sum((full.value(j) - plan.value(j)) * renewal_months(plan, j, H) / 12
               for j in range(1, plan.k + 1))


def units_text(c: Contract, ct: ContractTerms, label: Callable[[int], str], H: int) -> str:
    """``2027-04: 96 cores at £106.30 = £10,204.80; …`` for the renewals paid in
    the horizon of a per-unit contract (``""`` for any other)."""
    if c.unit is None:
        return ""
    parts = []
    for j in range(1, ct.k + 1):
        if renewal_months(ct, j, H) == 0:
            continue
        u = ct.units[j] if j < len(ct.units) else None
        n = max(c.min_units, u or 0.0)
        floor = " (min_units)" if u is not None and u < c.min_units else ""
        parts.append(f"{label(renewal_start(ct.m, ct.T, j))}: {n:g} {c.unit}s{floor} "
                     f"= £{ct.value(j):,.2f}")
    return "; ".join(parts)
