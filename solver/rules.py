"""Constraint checks of a schedule (planning-model.md, *Constraints*).

:func:`violations` lists, in words naming ids and ``YYYY-MM`` months, every
rule a :class:`~estate.derive.Schedule` breaks. Loads (team days, critical
applications in flight, go-lives, budget) are compared with their limits
with the tolerance :data:`estate.limits.EPS` (relative, at least absolute) so that one-off
costs spread over months do not fail on floating-point noise.

Imports only :mod:`estate` and the standard library.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from estate.derive import AppState, Schedule, label, team_capacity
from estate.limits import notice_bound
from estate.model import Estate
from estate.months import calendar_month, financial_year, format_month_names, month_index

EPS = 1e-6


def _over(load: float, limit: float) -> bool:
    return load > limit + EPS * max(1.0, abs(limit))


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _some(ids: list[str], n: int = 8) -> str:
    """The first ``n`` ids and how many more."""
    more = f" and {len(ids) - n} more" if len(ids) > n else ""
    return ", ".join(ids[:n]) + more


def _app_rules(estate: Estate, st: AppState, out: list[str]) -> None:
    """Rules about one application alone."""
    H = estate.settings.horizon_months
    hs = estate.settings.horizon_start
    app = estate.app_by_id[st.app_id]
    aid = st.app_id
    f = None if app.must_finish_by is None else month_index(hs, app.must_finish_by)
    if f is not None and f < H and not st.moves:
        out.append(f"{aid} must finish by {app.must_finish_by} but is retained")
    if not st.moves:
        return
    assert st.s is not None
    if st.s < 0:
        out.append(f"{aid} starts in {label(estate, st.s)}, before the horizon starts ({hs})")
    if st.L > H:
        out.append(f"{aid} is live from {label(estate, st.L)}, after the horizon ends "
                   f"(last month {label(estate, H - 1)})")
    if app.earliest_start is not None and st.s < month_index(hs, app.earliest_start):
        out.append(f"{aid} starts in {label(estate, st.s)}, before its earliest start "
                   f"{app.earliest_start}")
    if f is not None and f < H and st.L > f:
        out.append(f"{aid} is live from {label(estate, st.L)}, after its must_finish_by "
                   f"{app.must_finish_by}")
    bad = [label(estate, t) for t in st.flight
           if calendar_month(hs, t) in app.blackout_months]
    if bad:
        out.append(f"{aid} is in flight in blackout month(s) {', '.join(bad)} "
                   f"(blackout {format_month_names(app.blackout_months)})")
    golive = st.L - 1
    first = notice_bound(estate, aid)
    if st.L < first:
        weeks = estate.settings.resident_notice_weeks
        out.append(f"{aid} is resident-facing and goes live in {label(estate, golive)}, "
                   f"less than {weeks} weeks (resident_notice_weeks) after the plan starts "
                   f"({hs}): residents could not be told in time; {label(estate, first - 1)} "
                   f"at the earliest")
    if calendar_month(hs, golive) in estate.settings.freeze_months:
        out.append(f"{aid} goes live in {label(estate, golive)}, a freeze month "
                   f"({format_month_names(estate.settings.freeze_months)})")
    target = estate.site_by_id.get(st.target_site) if st.target_site else None
    if target is not None and target.exit_by is not None:
        out.append(f"{aid}: {st.strategy} targets site {target.site_id}, "
                   f"which is to be exited by {target.exit_by}")


def _dependency_rules(estate: Estate, sched: Schedule, out: list[str]) -> None:
    apps = sched.apps
    for dep in estate.dependencies:
        a, b = apps.get(dep.from_id), apps.get(dep.to_id)
        if a is None or b is None:
            continue
        if dep.kind == "before" and b.to_target:
            assert b.s is not None
            if not a.moves:
                out.append(f"{dep.to_id} moves ({b.strategy}) but {dep.from_id}, which must "
                           f"move before it, is retained")
            elif b.s < a.L:
                out.append(f"{dep.to_id} starts in {label(estate, b.s)}, before {dep.from_id} "
                           f"is live ({label(estate, a.L)}); {dep.from_id} must move first")
        elif dep.kind == "together" and (a.moves or b.moves):
            if a.moves != b.moves:
                moved, kept = (a, b) if a.moves else (b, a)
                out.append(f"{moved.app_id} and {kept.app_id} must move together, but "
                           f"{kept.app_id} is retained")
            elif a.L != b.L:
                out.append(f"{dep.from_id} (live {label(estate, a.L)}) and {dep.to_id} "
                           f"(live {label(estate, b.L)}) must go live in the same month")


def _load_rules(estate: Estate, states: Iterable[AppState], out: list[str]) -> None:
    hs = estate.settings.horizon_start
    st_ = estate.settings
    days: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    who: dict[tuple[str, int], list[str]] = defaultdict(list)
    critical: dict[int, list[str]] = defaultdict(list)
    golives: dict[int, list[str]] = defaultdict(list)
    spend: dict[str, float] = defaultdict(float)
    caps = team_capacity(estate)
    for st in states:
        if not st.moves or st.option is None:
            continue
        app = estate.app_by_id[st.app_id]
        for team in st.option.effort:
            if team not in caps:
                out.append(f"{st.app_id}: effort charges unknown team {team}")
        for t in st.flight:
            for team, dd in st.option.effort.items():
                days[team][t] += dd
                if dd:
                    who[(team, t)].append(st.app_id)
            if app.criticality == "critical":
                critical[t].append(st.app_id)
            spend[financial_year(hs, t)] += st.option.one_off_cost / st.d
        golives[st.L - 1].append(st.app_id)
    for team in sorted(days):
        if team not in caps:
            continue
        cap = caps[team]
        for t in sorted(days[team]):
            if _over(days[team][t], cap):
                out.append(f"team {team}: {_fmt(days[team][t])} days in flight in "
                           f"{label(estate, t)} exceed its {_fmt(cap)} "
                           f"({_some(who[(team, t)])})")
    for t in sorted(critical):
        if len(critical[t]) > st_.max_critical_in_flight:
            out.append(f"{len(critical[t])} critical applications in flight in "
                       f"{label(estate, t)} ({_some(critical[t])}); at most "
                       f"{st_.max_critical_in_flight}")
    if st_.max_golives_per_month is not None:
        for t in sorted(golives):
            if len(golives[t]) > st_.max_golives_per_month:
                out.append(f"{len(golives[t])} applications go live in {label(estate, t)} "
                           f"({_some(golives[t])}); at most {st_.max_golives_per_month}")
    for by in estate.budget:
        if _over(spend.get(by.financial_year, 0.0), by.one_off_limit):
            out.append(f"one-off spend in flight in financial year {by.financial_year} is "
                       f"£{_fmt(spend[by.financial_year])}, over its limit "
                       f"£{_fmt(by.one_off_limit)}")


def _site_and_pin_rules(estate: Estate, sched: Schedule, out: list[str]) -> None:
    hs = estate.settings.horizon_start
    for site in estate.sites:
        if site.exit_by is not None:
            x = month_index(hs, site.exit_by)
            if sched.site_exit.get(site.site_id, 0) > x:
                last = [s.server_id for s in estate.servers
                        if s.site_id == site.site_id and sched.server_d[s.server_id] > x]
                out.append(f"site {site.site_id} exits in "
                           f"{label(estate, sched.site_exit[site.site_id])}, after its "
                           f"exit_by {site.exit_by} (still running: {_some(last)})")
    for pin in estate.pins:
        st = sched.apps.get(pin.app_id)
        if st is None:
            continue
        if pin.strategy is not None and st.strategy != pin.strategy:
            out.append(f"{pin.app_id} is pinned to {pin.strategy} but the plan has "
                       f"{st.strategy}")
        if pin.target_site is not None and st.target_site != pin.target_site:
            out.append(f"{pin.app_id} is pinned to target {pin.target_site} but the plan has "
                       f"{st.target_site or 'none'}")
        if pin.start is not None and (st.s is None or st.s != month_index(hs, pin.start)):
            got = "no start" if st.s is None else f"start {label(estate, st.s)}"
            out.append(f"{pin.app_id} is pinned to start in {pin.start} but the plan has {got}")


def violations(estate: Estate, sched: Schedule) -> list[str]:
    """Every constraint the schedule breaks, in words (empty when feasible).

    Includes the schedule's own problems (unknown option, missing start,
    retained although it must move, …).
    """
    return checked(estate, sched)[0]


def checked(estate: Estate, sched: Schedule) -> tuple[list[str], list[str]]:
    """Every constraint the schedule breaks (as :func:`violations`) and, of
    those, the shared loads: team days, critical applications in flight,
    go-lives a month and one-off budgets, which depend on every move in flight
    at the same time rather than on one application's own rules."""
    out = list(sched.problems)
    for st in sched.apps.values():
        _app_rules(estate, st, out)
    _dependency_rules(estate, sched, out)
    loads: list[str] = []
    _load_rules(estate, sched.apps.values(), loads)
    out += loads
    _site_and_pin_rules(estate, sched, out)
    return out, loads


def app_violations(estate: Estate, st: AppState) -> list[str]:
    """The rules ``st`` breaks as if it were the only move: those about one
    application alone (horizon, earliest start, must finish, blackout and
    freeze months, residents' notice, target exit) and its own load against
    the shared limits (team days, critical in flight, go-lives, budgets). The
    same rule functions as :func:`violations`, cheap to test month by month."""
    out: list[str] = []
    _app_rules(estate, st, out)
    _load_rules(estate, [st], out)
    return out

