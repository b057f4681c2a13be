"""Domains: the rules that restrict which (option, live-from month) an
application may take, each pair's broken rules, and their words.

Each restriction is named by a *rule id* (a tuple such as ``("finish", "A12")``)
so that the explanation of an infeasible estate can say which rules clash.
:func:`violated` lists the rule ids a candidate breaks; :func:`describe` turns a
rule id into words.
"""

from __future__ import annotations

import math

from estate.limits import binds, notice_applies, resident_live_from
from estate.months import MONTH_NAMES, label_at
from estate.policy import app_os_deadlines, os_words, residency_allows, residency_words
from solver.model.prep import AppPrep, OptPrep, Prep

RuleId = tuple[str, ...]


def _names(months: tuple[int, ...]) -> str:
    return ", ".join(MONTH_NAMES[m - 1].capitalize() for m in months)


def violated(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """Rule ids that forbid application ``ap`` taking option ``o`` live from ``L``:
    the union of the per-family checks below."""
    return (must_move(prep, ap, o, L) + start_and_finish(prep, ap, o, L)
            + blackouts_and_freeze(prep, ap, o, L) + site_exit(prep, ap, o, L)
            + residents(prep, ap, o, L) + pins(prep, ap, o, L)
            + residency(prep, ap, o, L) + unsupported_os(prep, ap, o, L))


def must_move(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """An application whose rows list no ``retain`` may not be retained."""
    return [("must_move", ap.app_id)] if not o.moves and not ap.has_retain else []


def start_and_finish(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """``s = L - d >= earliest_start``; ``must_finish_by`` f < H: no retain, ``L <= f``."""
    out: list[RuleId] = []
    if o.moves and ap.earliest is not None and L - o.d < ap.earliest:
        out.append(("earliest", ap.app_id))
    if ap.finish_by is not None and (not o.moves or L > ap.finish_by):
        out.append(("finish", ap.app_id))
    return out


def blackouts_and_freeze(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """No month ``s … L-1`` in ``blackout_months``; go-live month ``L-1`` not in
    ``freeze_months`` (from the first planned month on,
    :func:`estate.limits.binds`)."""
    if not o.moves:
        return []
    out: list[RuleId] = []
    if ap.blackout and any(prep.cal_month(t) in ap.blackout for t in range(L - o.d, L)):
        out.append(("blackout", ap.app_id))
    freeze = prep.estate.settings.freeze_months
    if freeze and prep.cal_month(L - 1) in freeze and binds(prep.estate, L - 1):
        out.append(("freeze",))
    return out


def site_exit(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """Every site the application runs on with ``exit_by`` x < H: ``L <= x`` (so
    no retain); an option never targets a site with ``exit_by``."""
    exits = prep.exit_limits
    out: list[RuleId] = [("exit", st) for st in ap.sites
                         if st in exits and exits[st] < prep.H and L > exits[st]]
    if o.moves and o.target is not None and o.target in exits:
        out.append(("exit", o.target))
    return out


def residents(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """A resident-facing application that moves (retire included) goes live no
    earlier than ``resident_notice_weeks`` after the plan starts (its first
    planned month): ``L >= resident_live_from``
    (:func:`estate.limits.resident_live_from`); a move a re-plan keeps that
    started before its first planned month was announced then
    (:func:`estate.limits.notice_applies`)."""
    if not o.moves or L >= resident_live_from(prep.estate) \
            or not notice_applies(prep.estate, L - o.d):
        return []
    return [("residents", ap.app_id)] if prep.estate.app_by_id[ap.app_id].resident_facing else []


def pins(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """A pin fixes the strategy (and target when given) and/or the start; a
    pinned start means the application moves."""
    pin = prep.estate.pin_by_app.get(ap.app_id)
    if pin is None:
        return []
    if not o.moves:
        bad = (pin.strategy is not None and pin.strategy != "retain") or pin.start is not None
    else:
        bad = ((pin.strategy is not None and pin.strategy != o.strategy)
               or (pin.target_site is not None and pin.target_site != o.target)
               or (pin.start is not None and prep.index(pin.start) != L - o.d))
    return [("pin", ap.app_id)] if bad else []


def residency(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """An option whose target site's country lies outside the application's
    ``data_residency`` is refused (:func:`estate.policy.residency_allows`)."""
    if o.moves and not residency_allows(prep.estate, ap.app_id, o.target):
        return [("residency", ap.app_id, o.target or "")]
    return []


def unsupported_os(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """Under ``unsupported_os_policy = forbid``, ``D(s) <= eos(s) + grace`` for every
    server s past end of support; ``D(s)`` is the largest ``L`` of the applications
    behind it, so each of them needs ``L <= eos(s) + grace`` (retain: ``L = H``)
    (:func:`estate.policy.app_os_deadlines`)."""
    limits = prep.cache.get("os_deadlines")
    if limits is None:
        limits = prep.cache["os_deadlines"] = app_os_deadlines(prep.estate)
    return [("unsupported_os", sid) for x, sid in limits.get(ap.app_id, ()) if L > x]


def describe(prep: Prep, rule: RuleId) -> str:
    """The rule in words, e.g. ``site DC1 exit_by 2026-03 (it runs A1, A2)``."""
    e = prep.estate
    kind = rule[0]
    lab = prep.start
    if kind == "must_move":
        return f"application {rule[1]} has no retain option (it must move)"
    if kind == "earliest":
        ap = prep.app_by_id[rule[1]]
        return f"application {rule[1]} earliest_start {label_at(lab, ap.earliest or 0)}"
    if kind == "blackout":
        ap = prep.app_by_id[rule[1]]
        return f"application {rule[1]} may not be in flight in {_names(ap.blackout)}"
    if kind == "freeze":
        return f"nothing may go live in {_names(e.settings.freeze_months)} (freeze_months)"
    if kind == "finish":
        ap = prep.app_by_id[rule[1]]
        quick = min((o.d for o in ap.options if o.moves), default=None)
        how = f" (its quickest move takes {quick} month{'s' * (quick != 1)})" if quick else ""
        return f"application {rule[1]} must_finish_by {label_at(lab, ap.finish_by or 0)}{how}"
    if kind == "exit":
        site = e.site_by_id[rule[1]]
        apps = sorted(prep.site_set.get(rule[1], ()))
        runs = f" (it runs {_short(apps)})" if apps else ""
        return f"site {rule[1]} exit_by {site.exit_by}{runs}, and no option may target it"
    if kind == "residents":
        weeks = e.settings.resident_notice_weeks
        first = label_at(lab, resident_live_from(e) - 1)
        return (f"application {rule[1]} is resident-facing: residents are told "
                f"{weeks} weeks ahead (resident_notice_weeks), so it goes live in "
                f"{first} at the earliest")
    if kind == "residency":
        return residency_words(e, rule[1], rule[2]) + " (residency)"
    if kind == "unsupported_os":
        return os_words(e, rule[1])
    if kind == "pin":
        p = e.pin_by_app[rule[1]]
        what = " ".join(x for x in (p.strategy, f"to {p.target_site}" if p.target_site
                                    else None, f"starting {p.start}" if p.start else None)
                        if x)
        return f"application {rule[1]} is pinned ({what})"
    if kind == "before":
        return (f"{rule[1]} must be live before {rule[2]} starts (before), and "
                f"{rule[1]} may then not be retained")
    if kind == "together":
        return f"{rule[1]} and {rule[2]} move together (together)"
    if kind == "team":
        return team_words(prep, rule[1])
    if kind == "critical":
        crit = [a.app_id for a in prep.apps if a.critical]
        return (f"at most {e.settings.max_critical_in_flight} critical application(s) in "
                f"flight a month (critical: {_short(crit)})")
    if kind == "golive":
        return f"at most {e.settings.max_golives_per_month} go-live(s) a month"
    if kind == "budget":
        limit = next(b.one_off_limit for b in e.budget if b.first_year == int(rule[1]))
        fy = f"{rule[1]}/{(int(rule[1]) + 1) % 100:02d}"
        return f"one-off budget {fy} is £{limit:,.0f}"
    return " ".join(rule)


def team_demand(prep: Prep, team: str) -> tuple[float, float, int, int, int]:
    """Days a month the moves that must happen need of ``team``, at least.

    An application must move when it has no ``retain``, a ``must_finish_by``
    within the horizon or runs at a site with ``exit_by``; it must then be
    live by X (the earliest of those months, else H) and cannot start before
    S (its ``earliest_start``, else 0). Its least effort is ``min over its
    moves o of effort_team(o) × d(o)``. For every window [S, X] the effort of
    the moves confined to it must fit: capacity ≥ Σ least effort / (X − S);
    and capacity ≥ the least days a month of any one of them. The largest of
    these is a lower bound on the capacity any plan needs.

    Returns
    -------
    (need, days, first, last, apps)
        ``need`` days a month; the binding window's total ``days``, months
        ``first`` … ``last`` (live by) and number of ``apps`` (0 when no move
        is forced).
    """
    forced: list[tuple[int, int, float, float]] = []
    for ap in prep.apps:
        last = prep.H if not ap.has_retain else (ap.finish_by if ap.finish_by is not None
                                                   else prep.H + 1)
        for st in ap.sites:
            if st in prep.exit_limits and prep.exit_limits[st] < prep.H:
                last = min(last, prep.exit_limits[st])
        moves = [o for o in ap.options if o.moves]
        if last > prep.H or not moves:
            continue
        first = ap.earliest or 0
        total = min(o.effort.get(team, 0.0) * o.d for o in moves)
        rate = min(o.effort.get(team, 0.0) for o in moves)
        forced.append((first, last, total, rate))
    best = (0.0, 0.0, 0, 0, 0)
    for s in {f for f, *_ in forced}:
        for x in {lst for _, lst, *_ in forced if lst > s}:
            inside = [t for f, lst, t, _ in forced if f >= s and lst <= x]
            need = sum(inside) / (x - s)
            if need > best[0]:
                best = (need, sum(inside), s, x, len(inside))
    rate = max((r for *_, r in forced), default=0.0)
    if rate > best[0]:
        best = (rate, rate, -1, -1, 1)  # one move alone needs more a month
    return best


def team_words(prep: Prep, team: str, smallest: int | None = None) -> str:
    """A team's capacity against the demand of the moves that must happen, and
    ``smallest``, the least capacity that would do, when known."""
    days = prep.team_caps.get(team, 0.0)
    need, total, first, last, apps = team_demand(prep, team)
    text = f"team {team} has {days:g} days a month"
    fix = (f"; {smallest:,} days a month would make a plan possible" if smallest is not None
           else "")
    if apps == 0:
        return text + fix
    if first < 0:
        return (f"{text}, but a move that must happen needs {need:,.1f} days a month while "
                f"in flight; at least {math.ceil(need - 1e-9):,} days a month would be "
                f"needed{fix}")
    window = (f"the {apps} move{'s' * (apps != 1)} that must be live by "
              f"{label_at(prep.start, last)}" + (f" (starting from {label_at(prep.start, first)})"
                                                 if first else "")
              + f" need {total:,.1f} days over {last - first} month"
              + f"{'s' * (last - first != 1)}")
    if need > days + 1e-9:
        tail = fix or " (more if the moves cannot share the months evenly)"
        return (f"{text}, but {window}: {need:,.1f} days a month on average; at least "
                f"{math.ceil(need - 1e-9):,} days a month would be needed{tail}")
    return (f"{text}; {window}, {need:,.1f} days a month on average, so the other rules "
            f"listed decide when they can run{fix}")


def _short(ids: list[str], n: int = 6) -> str:
    return ", ".join(ids) if len(ids) <= n else ", ".join(ids[:n]) + f" and {len(ids) - n} more"
