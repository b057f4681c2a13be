"""Constraint checks of a schedule (docs/planning-model.md, *Constraints*).

:func:`violations` lists every rule a :class:`~estate.derive.Schedule` breaks
as :class:`~estate.violation.Violation` records (rule id, ids involved, month,
a sentence naming ids and ``YYYY-MM`` months). Loads (team days, critical
applications in flight, go-lives, budget) come from their one derivation,
:func:`estate.limits.month_use`, and are compared with their limits by
:func:`estate.limits.over` (a relative tolerance, at least absolute) so that
one-off costs spread over months do not fail on floating-point noise.

Imports only :mod:`estate` and the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from estate.derive import AppState, Schedule, label, team_capacity
from estate.limits import binds, month_use, notice_applies, notice_bound, over
from estate.model import Estate
from estate.months import calendar_month, format_month_names, month_index
from estate.policy import os_deadlines, os_words, residency_allows, residency_words
from estate.violation import Violation


class _Out(list[Violation]):
    """The violations found so far."""

    def add(self, rule: str, ids: tuple[str, ...], month: str | None, text: str) -> None:
        self.append(Violation(rule, ids, month, text))


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _some(ids: list[str], n: int = 8) -> str:
    """The first ``n`` ids and how many more."""
    more = f" and {len(ids) - n} more" if len(ids) > n else ""
    return ", ".join(ids[:n]) + more


def _app_rules(estate: Estate, st: AppState, out: _Out) -> None:
    """Rules about one application alone."""
    H = estate.settings.horizon_months
    hs = estate.settings.horizon_start
    app = estate.app_by_id[st.app_id]
    aid = st.app_id
    f = None if app.must_finish_by is None else month_index(hs, app.must_finish_by)
    if f is not None and f < H and not st.moves:
        out.add("must_finish", (aid,), None,
                f"{aid} must finish by {app.must_finish_by} but is retained")
    if not st.moves:
        return
    assert st.s is not None
    if st.s < 0:
        out.add("horizon", (aid,), label(estate, st.s),
                f"{aid} starts in {label(estate, st.s)}, before the horizon starts ({hs})")
    if st.L > H:
        out.add("horizon", (aid,), label(estate, st.L),
                f"{aid} is live from {label(estate, st.L)}, after the horizon ends "
                f"(last month {label(estate, H - 1)})")
    if app.earliest_start is not None and st.s < month_index(hs, app.earliest_start):
        out.add("earliest_start", (aid,), label(estate, st.s),
                f"{aid} starts in {label(estate, st.s)}, before its earliest start "
                f"{app.earliest_start}")
    if f is not None and f < H and st.L > f:
        out.add("must_finish", (aid,), label(estate, st.L),
                f"{aid} is live from {label(estate, st.L)}, after its must_finish_by "
                f"{app.must_finish_by}")
    bad = [label(estate, t) for t in st.flight
           if calendar_month(hs, t) in app.blackout_months]
    if bad:
        out.add("blackout", (aid,), bad[0],
                f"{aid} is in flight in blackout month(s) {', '.join(bad)} "
                f"(blackout {format_month_names(app.blackout_months)})")
    golive = st.L - 1
    first = notice_bound(estate, aid)
    if st.L < first and notice_applies(estate, st.s):
        weeks = estate.settings.resident_notice_weeks
        out.add("residents", (aid,), label(estate, golive),
                f"{aid} is resident-facing and goes live in {label(estate, golive)}, "
                f"less than {weeks} weeks (resident_notice_weeks) after the plan starts "
                f"({label(estate, estate.first_planned)}): residents could not be told in "
                f"time; {label(estate, first - 1)} at the earliest")
    if calendar_month(hs, golive) in estate.settings.freeze_months and binds(estate, golive):
        out.add("freeze", (aid,), label(estate, golive),
                f"{aid} goes live in {label(estate, golive)}, a freeze month "
                f"({format_month_names(estate.settings.freeze_months)})")
    target = estate.site_by_id.get(st.target_site) if st.target_site else None
    if target is not None and target.exit_by is not None:
        out.add("exit_target", (aid, target.site_id), None,
                f"{aid}: {st.strategy} targets site {target.site_id}, "
                f"which is to be exited by {target.exit_by}")


def _dependency_rules(estate: Estate, sched: Schedule, out: _Out) -> None:
    apps = sched.apps
    for dep in estate.dependencies:
        a, b = apps.get(dep.from_id), apps.get(dep.to_id)
        if a is None or b is None:
            continue
        if dep.kind == "before" and b.to_target:
            assert b.s is not None
            if not binds(estate, b.s):
                continue  # it started before the plan: what happened is fact
            if not a.moves:
                out.add("before", (dep.to_id, dep.from_id), None,
                        f"{dep.to_id} moves ({b.strategy}) but {dep.from_id}, which must "
                        f"move before it, is retained")
            elif b.s < a.L:
                out.add("before", (dep.to_id, dep.from_id), label(estate, b.s),
                        f"{dep.to_id} starts in {label(estate, b.s)}, before {dep.from_id} "
                        f"is live ({label(estate, a.L)}); {dep.from_id} must move first")
        elif dep.kind == "together" and (a.moves or b.moves):
            if a.moves != b.moves:
                moved, kept = (a, b) if a.moves else (b, a)
                out.add("together", (kept.app_id, moved.app_id), None,
                        f"{moved.app_id} and {kept.app_id} must move together, but "
                        f"{kept.app_id} is retained")
            elif a.L != b.L:
                out.add("together", (dep.from_id, dep.to_id), None,
                        f"{dep.from_id} (live {label(estate, a.L)}) and {dep.to_id} "
                        f"(live {label(estate, b.L)}) must go live in the same month")


def _load_rules(estate: Estate, states: Iterable[AppState], out: _Out) -> None:
    st_ = estate.settings
    caps = team_capacity(estate)
    moves = []
    for st in states:
        if not st.moves or st.option is None or st.s is None:
            continue
        for team in st.option.effort:
            if team not in caps:
                out.add("unknown_team", (st.app_id, team), None,
                        f"{st.app_id}: effort charges unknown team {team}")
        moves.append((st.app_id, st.option, st.s))
    use = month_use(estate, moves)
    for team, t in sorted(use.days):
        if team not in caps or not binds(estate, t):
            continue
        cap, load = caps[team], use.days[(team, t)]
        if over(load, cap):
            out.add("teams", (team, *use.who[(team, t)]), label(estate, t),
                    f"team {team}: {_fmt(load)} days in flight in "
                    f"{label(estate, t)} exceed its {_fmt(cap)} "
                    f"({_some(use.who[(team, t)])})")
    for t in sorted(use.critical):
        crit = use.critical[t]
        if len(crit) > st_.max_critical_in_flight and binds(estate, t):
            out.add("critical", tuple(crit), label(estate, t),
                    f"{len(crit)} critical applications in flight in "
                    f"{label(estate, t)} ({_some(crit)}); at most "
                    f"{st_.max_critical_in_flight}")
    if st_.max_golives_per_month is not None:
        for t in sorted(use.golives):
            go = use.golives[t]
            if len(go) > st_.max_golives_per_month and binds(estate, t):
                out.add("golives", tuple(go), label(estate, t),
                        f"{len(go)} applications go live in {label(estate, t)} "
                        f"({_some(go)}); at most {st_.max_golives_per_month}")
    for by in estate.budget:
        spent = use.spend.get(by.financial_year, 0.0)
        if over(spent, by.one_off_limit):
            out.add("budget", (by.financial_year,), None,
                    f"one-off spend in flight in financial year {by.financial_year} is "
                    f"£{_fmt(spent)}, over its limit £{_fmt(by.one_off_limit)}")


def _site_and_pin_rules(estate: Estate, sched: Schedule, out: _Out) -> None:
    hs = estate.settings.horizon_start
    for site in estate.sites:
        if site.exit_by is not None:
            x = month_index(hs, site.exit_by)
            if sched.site_exit.get(site.site_id, 0) > x:
                last = [s.server_id for s in estate.servers
                        if s.site_id == site.site_id and sched.server_d[s.server_id] > x]
                out.add("site_exit", (site.site_id, *last),
                        label(estate, sched.site_exit[site.site_id]),
                        f"site {site.site_id} exits in "
                        f"{label(estate, sched.site_exit[site.site_id])}, after its "
                        f"exit_by {site.exit_by} (still running: {_some(last)})")
    for pin in estate.pins:
        st = sched.apps.get(pin.app_id)
        if st is None:
            continue
        if pin.strategy is not None and st.strategy != pin.strategy:
            out.add("pin", (pin.app_id,), None,
                    f"{pin.app_id} is pinned to {pin.strategy} but the plan has "
                    f"{st.strategy}")
        if pin.target_site is not None and st.target_site != pin.target_site:
            out.add("pin", (pin.app_id,), None,
                    f"{pin.app_id} is pinned to target {pin.target_site} but the plan has "
                    f"{st.target_site or 'none'}")
        if pin.start is not None and (st.s is None or st.s != month_index(hs, pin.start)):
            got = "no start" if st.s is None else f"start {label(estate, st.s)}"
            out.add("pin", (pin.app_id,), None,
                    f"{pin.app_id} is pinned to start in {pin.start} but the plan has {got}")


def _decision_problem(estate: Estate, text: str) -> Violation:
    """A problem of the schedule itself (:attr:`Schedule.problems`, worded by
    :mod:`estate.derive`) as a ``decision`` violation; its ids are the known
    application ids its text starts with."""
    head = text.split(" ", 1)[0].rstrip(":")
    ids = (head,) if head in estate.app_by_id else ()
    return Violation("decision", ids, None, text)


def _policy_rules(estate: Estate, sched: Schedule, out: _Out) -> None:
    """Residency of every moving application's target; under ``forbid`` every
    server past end of support gone by its deadline (:mod:`estate.policy`)."""
    for st in sched.apps.values():
        if st.to_target and st.target_site is not None \
                and not residency_allows(estate, st.app_id, st.target_site):
            out.add("residency", (st.app_id, st.target_site), None,
                    f"residency: {residency_words(estate, st.app_id, st.target_site)}, "
                    f"but the plan {st.strategy}s it there")
    for sid, limit in os_deadlines(estate).items():
        D = sched.server_d.get(sid, 0)
        if D > limit:
            out.add("unsupported_os", (sid,), label(estate, limit),
                    f"unsupported_os: {os_words(estate, sid)}, but it is in service "
                    f"until {label(estate, D)} (last allowed month "
                    f"{label(estate, limit - 1)})")


def violations(estate: Estate, sched: Schedule) -> list[Violation]:
    """Every constraint the schedule breaks (empty when feasible).

    Includes the schedule's own problems (unknown option, missing start,
    retained although it must move, …) as rule ``decision``.
    """
    return checked(estate, sched)[0]


def checked(estate: Estate, sched: Schedule) -> tuple[list[Violation], list[Violation]]:
    """Every constraint the schedule breaks (as :func:`violations`) and, of
    those, the shared loads: team days, critical applications in flight,
    go-lives a month and one-off budgets, which depend on every move in flight
    at the same time rather than on one application's own rules."""
    out = _Out(_decision_problem(estate, p) for p in sched.problems)
    for st in sched.apps.values():
        _app_rules(estate, st, out)
    _dependency_rules(estate, sched, out)
    loads = _Out()
    _load_rules(estate, sched.apps.values(), loads)
    out += loads
    _site_and_pin_rules(estate, sched, out)
    _policy_rules(estate, sched, out)
    return list(out), list(loads)


def past_breaches(estate: Estate, sched: Schedule) -> list[Violation]:
    """The rules of the whole estate the schedule breaks in months before the
    first planned month (:func:`estate.limits.binds`): what the actuals record
    there happened and is recorded, not re-decided. The same rule functions
    as :func:`violations`, on the estate as if it were planned from its
    horizon's start; empty for an ordinary plan."""
    if estate.first_planned == 0:
        return []
    now = set(violations(estate, sched))
    return [v for v in violations(replace(estate, plan_from=None), sched) if v not in now]


def app_violations(estate: Estate, st: AppState) -> list[Violation]:
    """The rules ``st`` breaks as if it were the only move: those about one
    application alone (horizon, earliest start, must finish, blackout and
    freeze months, residents' notice, target exit) and its own load against
    the shared limits (team days, critical in flight, go-lives, budgets). The
    same rule functions as :func:`violations`, cheap to test month by month."""
    out = _Out()
    _app_rules(estate, st, out)
    _load_rules(estate, [st], out)
    return list(out)

