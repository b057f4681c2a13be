"""What bounds when a move can happen: load limits, deadlines, blackouts and
the residents' notice (docs/planning-model.md, *Constraints*), for the plans
that are built move by move (the greedy plan, cloud alternatives) and for the
evaluator's rules. The CP-SAT model states the same rules as constraints.

Standard library and :mod:`estate` only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from estate.derive import team_capacity
from estate.model import Estate, Option, Settings
from estate.months import calendar_month, financial_year, label_at, month_index, parse_month
from estate.policy import app_os_deadlines

#: Tolerance on loads against their limits (relative, at least absolute): one-off
#: costs spread over months must not fail on floating-point noise.
EPS = 1e-6


def binds(estate: Estate, t: int) -> bool:
    """Whether the rules of the whole estate bind in month index ``t``.

    The one home of "the past is fact": a re-plan (``estate plan
    --from-actuals``) decides from its first planned month
    (:attr:`estate.model.Estate.first_planned`, 0 for an ordinary plan) on;
    what the actuals record before it happened and is recorded, not
    re-decided. So the freeze months and the residents' notice (of a go-live
    month ``t``), ``before`` (the month the later application starts), team
    days, critical applications in flight and go-lives a month (each month
    ``t``) are checked only from that month on, by the evaluator, the greedy
    plan and the CP-SAT model alike."""
    return t >= estate.first_planned


def over(load: float, limit: float) -> bool:
    """Whether ``load`` exceeds ``limit`` beyond the tolerance :data:`EPS`."""
    return load > limit + EPS * max(1.0, abs(limit))


_financial_year = lru_cache(maxsize=4096)(financial_year)


@dataclass
class MonthUse:
    """What a set of moves asks of each limit, month by month (see :func:`month_use`).

    Attributes
    ----------
    days
        ``(team, t)`` -> team days in flight (only non-zero efforts).
    who
        ``(team, t)`` -> the applications using those days.
    critical
        ``t`` -> the critical applications in flight.
    golives
        ``t`` -> the applications whose go-live month it is.
    spend
        Financial year (``2025/26``) -> one-off £ in flight (undiscounted).
    flight
        ``t`` -> the applications in flight.
    one_off
        ``t`` -> one-off £ in flight (undiscounted).
    """

    days: dict[tuple[str, int], float] = field(default_factory=lambda: defaultdict(float))
    who: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    critical: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    golives: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    spend: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    flight: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    one_off: dict[int, float] = field(default_factory=lambda: defaultdict(float))


def month_use(estate: Estate, items: Iterable[tuple[str, Option, int]]) -> MonthUse:
    """The one derivation of team loads, critical applications in flight,
    go-lives and budget use: a move ``(app_id, option, s)`` is in flight ``s …
    s+d-1``, goes live in ``s+d-1`` and charges ``one_off_cost/d`` in each month
    of flight to that month's financial year. Retained options use nothing.
    The greedy plan, the list scheduler and the evaluator's rules all call it;
    compare a load with its limit with :func:`over`."""
    use = MonthUse()
    hs = estate.settings.horizon_start
    for app_id, opt, s in items:
        if not opt.moves:
            continue
        critical = estate.app_by_id[app_id].criticality == "critical"
        d = opt.duration_months
        for t in range(s, s + d):
            for team, dd in opt.effort.items():
                if dd:
                    use.days[(team, t)] += dd
                    use.who[(team, t)].append(app_id)
            if critical:
                use.critical[t].append(app_id)
            use.flight[t].append(app_id)
            use.one_off[t] += opt.one_off_cost / d
            use.spend[_financial_year(hs, t)] += opt.one_off_cost / d
        use.golives[s + d - 1].append(app_id)
    return use


class Loads:
    """Month by month loads of the moves placed so far, against their limits:
    team days in flight, critical applications in flight, go-lives a month and
    one-off spend in flight per financial year (the planning model's
    *Constraints*). A move is ``(app_id, option, s)``: in flight ``s … s+d-1``,
    going live in ``s+d-1``, charging ``one_off_cost/d`` in each month of flight."""

    def __init__(self, estate: Estate) -> None:
        st = estate.settings
        self.estate = estate
        self.H = st.horizon_months
        self.team_cap = team_capacity(estate)
        self.days: dict[str, list[float]] = {t: [0.0] * self.H for t in self.team_cap}
        self.critical = [0] * self.H
        self.golives = [0] * self.H
        self.budget = {b.financial_year: b.one_off_limit for b in estate.budget}
        self.spend: dict[str, float] = defaultdict(float)

    def _use(self, items: Iterable[tuple[str, Option, int]]
             ) -> tuple[dict[tuple[str, int], float], dict[int, int], dict[int, int],
                        dict[str, float]]:
        use = month_use(self.estate, items)
        return (use.days, {t: len(a) for t, a in use.critical.items()},
                {t: len(a) for t, a in use.golives.items()}, use.spend)

    def fits(self, items: Iterable[tuple[str, Option, int]]) -> bool:
        """Whether these moves, added to those placed, keep every load limit
        (months must lie in ``0 … H-1``)."""
        st, e = self.estate.settings, self.estate
        days, crit, go, spend = self._use(items)
        for (team, t), dd in days.items():
            cap = self.team_cap.get(team)
            if cap is None or (binds(e, t) and over(self.days[team][t] + dd, cap)):
                return False
        if any(self.critical[t] + n > st.max_critical_in_flight for t, n in crit.items()
               if n and binds(e, t)):
            return False
        if st.max_golives_per_month is not None and any(
                self.golives[t] + n > st.max_golives_per_month for t, n in go.items()
                if binds(e, t)):
            return False
        return not any(over(self.spend[fy] + x, self.budget[fy])
                       for fy, x in spend.items() if fy in self.budget)

    def add(self, items: Iterable[tuple[str, Option, int]], sign: int = 1) -> None:
        """Book these moves (``sign=-1``: release them again)."""
        days, crit, go, spend = self._use(items)
        for (team, t), dd in days.items():
            self.days[team][t] += sign * dd
        for t, n in crit.items():
            self.critical[t] += sign * n
        for t, n in go.items():
            self.golives[t] += sign * n
        for fy, x in spend.items():
            self.spend[fy] += sign * x


def blackout_free(estate: Estate, app_id: str, s: int, d: int) -> bool:
    """Whether no month ``s … s+d-1`` is one of the application's blackout months."""
    app = estate.app_by_id[app_id]
    hs = estate.settings.horizon_start
    return not any(calendar_month(hs, t) in app.blackout_months for t in range(s, s + d))


def deadlines(estate: Estate) -> dict[str, int]:
    """Latest live-from month ``L`` of each application: its ``must_finish_by``
    and the ``exit_by`` of every site it runs on (its servers', and the hosts'
    of its virtual servers), and under ``unsupported_os_policy = forbid`` the
    deadline of every server whose ``D`` it bounds
    (:func:`estate.policy.app_os_deadlines`); ``H`` when unconstrained."""
    hs, H = estate.settings.horizon_start, estate.settings.horizon_months
    out = {a.app_id: H for a in estate.applications}
    for a in estate.applications:
        if a.must_finish_by is not None:
            out[a.app_id] = min(out[a.app_id], month_index(hs, a.must_finish_by))
    for srv in estate.servers:
        sites = [srv.site_id]
        if srv.host_id is not None and srv.host_id in estate.server_by_id:
            sites.append(estate.server_by_id[srv.host_id].site_id)
        for sid in sites:
            site = estate.site_by_id.get(sid)
            if site is not None and site.exit_by is not None:
                x = month_index(hs, site.exit_by)
                for aid in srv.app_ids:
                    if aid in out:
                        out[aid] = min(out[aid], x)
    for aid, limits in app_os_deadlines(estate).items():
        out[aid] = min([out[aid]] + [x for x, _ in limits])
    return out


# -- residents -------------------------------------------------------------------
@lru_cache(maxsize=64)
def _resident_golive(horizon_start: str, weeks: int) -> int:
    y, m = parse_month(horizon_start)
    need = dt.date(y, m, 1) + dt.timedelta(weeks=weeks)
    return (need.year - y) * 12 + need.month - m + (need.day > 1)


def resident_live_from(estate: Estate) -> int:
    """Earliest live-from month ``L`` of a resident-facing move (retire included)
    decided by this plan: its go-live month ``L - 1`` is the first month whose
    first day lies at least ``7 × resident_notice_weeks`` days after the first
    day of the plan's first planned month (month 0, or a re-plan's
    :attr:`~estate.model.Estate.first_planned`: residents are told of a
    re-plan's changes when it is made, not when the horizon began)."""
    p = estate.first_planned
    start = label_at(estate.settings.horizon_start, p)
    return p + _resident_golive(start, estate.settings.resident_notice_weeks) + 1


def notice_applies(estate: Estate, start: int) -> bool:
    """Whether the residents' notice binds a move starting in month ``start``.

    It binds every move this plan decides. A move a re-plan keeps that started
    before its first planned month (done, or in flight) was announced under
    the plan that started it, so it is history here (:func:`binds` of its start)."""
    return binds(estate, start)


def notice_bound(estate: Estate, app_id: str) -> int:
    """Earliest live-from month the residents rule allows ``app_id`` when it
    moves: :func:`resident_live_from` for a resident-facing application, else 1."""
    app = estate.app_by_id[app_id]
    return resident_live_from(estate) if app.resident_facing else 1


def tell_residents_by(settings: Settings, golive: int) -> dt.date:
    """The date residents must be told of a change going live in month index
    ``golive``: the first day of that month minus ``resident_notice_weeks`` weeks."""
    y, m = parse_month(label_at(settings.horizon_start, golive))
    return dt.date(y, m, 1) - dt.timedelta(weeks=settings.resident_notice_weeks)
