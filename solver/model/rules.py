"""Rules that restrict which (option, live-from month) an application may take.

Each restriction is named by a *rule id* (a tuple such as ``("finish", "A12")``)
so that the explanation of an infeasible estate can say which rules clash.
:func:`violated` lists the rule ids a candidate breaks; :func:`describe` turns a
rule id into words.
"""

from __future__ import annotations

from estate.months import MONTH_NAMES, label_at
from solver.model.prep import AppPrep, OptPrep, Prep

RuleId = tuple[str, ...]


def _names(months: tuple[int, ...]) -> str:
    return ", ".join(MONTH_NAMES[m - 1].capitalize() for m in months)


def exit_limits(prep: Prep) -> dict[str, int]:
    """Sites with an ``exit_by`` month: site id -> month number."""
    out = {}
    for s in prep.estate.sites:
        if s.exit_by is not None:
            out[s.site_id] = prep.index(s.exit_by)
    return out


def violated(prep: Prep, ap: AppPrep, o: OptPrep, L: int) -> list[RuleId]:
    """Rule ids that forbid application ``ap`` taking option ``o`` live from ``L``.

    Moving options (start ``s = L - d``) check ``earliest_start`` (``s >= e``),
    ``blackout_months`` (no month ``s … L-1`` in the list), ``freeze_months``
    (go-live month ``L-1`` not frozen), ``must_finish_by`` (``L <= f``), the
    ``exit_by`` of every site the application runs on (``L <= x``) and of the
    target site (never targeted), and pins. Retain (``L = H``) checks
    ``must_finish_by`` (forbids retain), site exits, pins and whether a retain
    option exists at all (``must_move``).
    """
    out: list[RuleId] = []
    a = ap.app_id
    exits = prep.exit_limits
    pin = prep.estate.pin_by_app.get(a)
    if not o.moves:
        if not ap.has_retain:
            out.append(("must_move", a))
        if ap.finish_by is not None:
            out.append(("finish", a))
        out += [("exit", s) for s in ap.sites if s in exits and exits[s] < prep.H]
        if pin is not None and ((pin.strategy is not None and pin.strategy != "retain")
                                or pin.start is not None):
            out.append(("pin", a))
        return out
    s = L - o.d
    if ap.earliest is not None and s < ap.earliest:
        out.append(("earliest", a))
    if ap.blackout and any(prep.cal_month(t) in ap.blackout for t in range(s, L)):
        out.append(("blackout", a))
    freeze = prep.estate.settings.freeze_months
    if freeze and prep.cal_month(L - 1) in freeze:
        out.append(("freeze",))
    if ap.finish_by is not None and L > ap.finish_by:
        out.append(("finish", a))
    out += [("exit", st) for st in ap.sites if st in exits and L > exits[st]]
    if o.target is not None and o.target in exits:
        out.append(("exit", o.target))
    if pin is not None:
        if ((pin.strategy is not None and pin.strategy != o.strategy)
                or (pin.target_site is not None and pin.target_site != o.target)
                or (pin.start is not None and prep.index(pin.start) != s)):
            out.append(("pin", a))
    return out


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
        days = prep.team_caps.get(rule[1], 0.0)
        return f"team {rule[1]} has {days:g} days a month"
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


def _short(ids: list[str], n: int = 6) -> str:
    return ", ".join(ids) if len(ids) <= n else ", ".join(ids[:n]) + f" and {len(ids) - n} more"
