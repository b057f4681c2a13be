"""Actuals: what really happened in the programme, from the workbook's
optional ``actuals`` sheet.

One :class:`Actual` a row: an application that went live (under which
strategy, at which site, in which month, at what one-off cost), a contract
that was renewed, ended or renegotiated (and its new annual value), a site
exited, a server decommissioned. Rows marked ``proposed`` (written by
``estate import rvtools --propose-actuals``) are shown but count only once a
person changes them to ``confirmed``.

:func:`timing` is the one place that says whether a move was early, on time,
late or is still to come; :func:`replan_of` and :func:`apply_replan` are the
one place that turns actuals into a re-plan from today (``estate plan
--from-actuals``): what is done is pinned, moves in flight keep their
decision, the rest may not start before today, and renegotiated contracts
cost their new value.

This module uses the standard library only.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, replace
from typing import Any, Literal, cast

from estate.months import add_months, is_month, month_index

ActualKind = Literal["application", "contract", "site", "server"]
ACTUAL_KINDS: tuple[str, ...] = ("application", "contract", "site", "server")
CONTRACT_ACTIONS: tuple[str, ...] = ("renewed", "ended", "renegotiated")
ACTUAL_STATUSES: tuple[str, ...] = ("confirmed", "proposed")
#: What :func:`timing` answers.
TIMINGS: tuple[str, ...] = ("early", "on time", "late", "overdue", "not yet", "unplanned")


@dataclass(frozen=True)
class Actual:
    """One thing that happened.

    ``month`` is when: an application went live, a contract's action took
    effect, a site was empty, a server was switched off.
    """

    kind: str
    item_id: str
    month: str
    _: KW_ONLY
    strategy: str | None = None
    target_site: str | None = None
    one_off_cost: float | None = None
    action: str | None = None
    annual_value: float | None = None
    status: str = "confirmed"
    note: str = ""

    def __post_init__(self) -> None:
        from estate.model import STRATEGIES

        if self.kind not in ACTUAL_KINDS:
            raise ValueError(f"kind {self.kind!r} must be one of {', '.join(ACTUAL_KINDS)}")
        if not self.item_id:
            raise ValueError("an actual names the item (id) it is about")
        if not is_month(self.month):
            raise ValueError(f"month {self.month!r} must be YYYY-MM")
        if self.status not in ACTUAL_STATUSES:
            raise ValueError(f"status {self.status!r} must be confirmed or proposed")
        for name in ("one_off_cost", "annual_value"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise ValueError(f"{name} {v} must not be negative")
        app = self.kind == "application"
        moves = tuple(s for s in STRATEGIES if s != "retain")
        if app and self.strategy is None:
            raise ValueError(f"strategy is required for an application: the strategy it went "
                             f"live under ({', '.join(moves)})")
        if app and self.strategy not in moves:
            raise ValueError(f"strategy {self.strategy!r} must be one of {', '.join(moves)} "
                             "(an application kept needs no actual)")
        if not app and (self.strategy or self.target_site or self.one_off_cost is not None):
            raise ValueError("strategy is only for applications (and target_site and "
                             "one_off_cost)")
        if self.kind == "contract":
            if self.action not in CONTRACT_ACTIONS:
                raise ValueError("action is required for a contract: renewed, ended or "
                                 "renegotiated")
            if self.action == "renegotiated" and self.annual_value is None:
                raise ValueError("annual_value is required when a contract is renegotiated: "
                                 "its new value a year")
        elif self.action or self.annual_value is not None:
            raise ValueError("action is only for contracts (and annual_value)")

    @property
    def confirmed(self) -> bool:
        """Whether a person has confirmed it (proposed rows do not count)."""
        return self.status == "confirmed"


def confirmed(actuals: tuple[Actual, ...], kind: str) -> dict[str, Actual]:
    """The confirmed actuals of ``kind`` by item id."""
    return {a.item_id: a for a in actuals if a.kind == kind and a.confirmed}


def timing(planned: str | None, actual: str | None, today: str) -> str:
    """How a move went against its plan.

    ``planned`` and ``actual`` are go-live months (None: not planned to move /
    not moved). ``early``/``on time``/``late`` for a move made; ``overdue``
    when it was due before ``today`` and has not happened; ``not yet`` when it
    is due from ``today`` on; ``unplanned`` when it moved though the plan kept
    it.

    Examples
    --------
    >>> timing("2027-03", "2027-05", "2027-06")
    'late'
    >>> timing("2027-03", None, "2027-06")
    'overdue'
    """
    if actual is not None:
        if planned is None:
            return "unplanned"
        return "early" if actual < planned else "on time" if actual == planned else "late"
    if planned is None:
        return "not yet"
    return "overdue" if planned < today else "not yet"


@dataclass(frozen=True)
class Replan:
    """A re-plan from ``today``: ``not_before`` applications may not start
    before ``today``; ``contract_values`` replace contracts' annual values.
    The pins (done and in-flight moves) travel as ordinary pins."""

    today: str
    not_before: tuple[str, ...] = ()
    contract_values: tuple[tuple[str, float], ...] = ()
    done: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain data (``assumptions["from_actuals"]`` of plan.json)."""
        return {"today": self.today, "not_before": list(self.not_before),
                "contract_values": [list(x) for x in self.contract_values],
                "done": list(self.done)}

    @classmethod
    def from_json(cls, d: Any) -> Replan | None:
        """The re-plan a plan.json records, or None."""
        if not isinstance(d, dict) or not is_month(str(d.get("today") or "")):
            return None
        return cls(str(d["today"]), tuple(str(x) for x in d.get("not_before") or ()),
                   tuple((str(c), float(v)) for c, v in d.get("contract_values") or ()),
                   tuple(str(x) for x in d.get("done") or ()))


def replan_of(estate: Any, today: str, previous: Any | None = None
              ) -> tuple[tuple[Any, ...], Replan]:
    """Pins and the re-plan of ``estate`` (resolved: option durations known)
    from ``today``, given the previous plan (a :class:`~estate.plan.Plan`).

    - an application with a confirmed actual is pinned to what happened:
      its strategy and site, starting its option's duration before the month it
      went live (not before the horizon's start);
    - an application the previous plan had in flight today (started before,
      live from today on) keeps that decision;
    - every other application may not start before ``today``;
    - the rules of the whole estate (freeze months, residents' notice,
      critical applications in flight, go-lives a month, team days,
      ``before`` links) bind from ``today`` on (:func:`estate.limits.binds`):
      actuals that broke one before ``today`` are history, reported
      (:func:`solver.rules.past_breaches`), not re-decided;
    - a confirmed ``renegotiated`` (or ``renewed`` with a value) contract
      costs its new annual value.
    """
    from estate.model import Pin

    done = confirmed(estate.actuals, "application")
    st = estate.settings
    pins: list[Any] = []
    for app_id, a in done.items():
        own = [o for o in estate.options if o.app_id == app_id and o.strategy == a.strategy
               and (a.target_site is None or o.target_site == a.target_site)]
        duration = min((o.duration_months for o in own), default=0)
        start = max(add_months(a.month, -duration), st.horizon_start)
        pins.append(Pin(app_id, cast(Any, a.strategy), target_site=a.target_site or (
            own[0].target_site if own else None), start=start))
    kept = set(done)
    if previous is not None:
        for r in previous.applications:
            if (r.app_id not in kept and r.start is not None and r.live_from is not None
                    and r.start < today <= r.live_from):
                pins.append(Pin(r.app_id, r.strategy, target_site=r.target_site,
                                start=r.start))
                kept.add(r.app_id)
    free = tuple(a.app_id for a in estate.applications if a.app_id not in kept)
    values = tuple((c.item_id, float(c.annual_value))
                   for c in confirmed(estate.actuals, "contract").values()
                   if c.annual_value is not None and c.action != "ended")
    return tuple(pins), Replan(today, free, values, tuple(done))


def apply_replan(estate: Any, replan: Replan) -> Any:
    """``estate`` (raw or resolved) with the re-plan's rules: its ``not_before``
    applications start no earlier than ``today``; the applications ``done``
    are facts, so their own restrictions (earliest start, must finish by,
    blackout months) no longer bind them and their team days are spent (their
    options need none); budget years over before ``today`` no longer bind; its
    contracts cost their new values; ``today`` is its first planned month
    (``plan_from``): a contract whose notice date passed before it renews
    (:func:`estate.contracts.renewals_needed`) and the estate-wide rules bind
    from it on (:func:`estate.limits.binds`)."""
    free, done = set(replan.not_before), set(replan.done)

    def changed(a: Any) -> Any:
        if a.app_id in free:
            return replace(a, earliest_start=max(a.earliest_start or replan.today,
                                                 replan.today))
        if a.app_id in done:
            return replace(a, earliest_start=None, must_finish_by=None, blackout_months=())
        return a

    apps = tuple(changed(a) for a in estate.applications)
    values = dict(replan.contract_values)
    contracts = tuple(replace(c, annual_value=values[c.contract_id])
                      if c.contract_id in values else c for c in estate.contracts)
    # the team days of a move done are spent; a financial year over is history
    options = tuple(replace(o, effort={}) if o.app_id in done and o.effort else o
                    for o in estate.options)
    budget = tuple(b for b in estate.budget if f"{b.first_year + 1}-03" >= replan.today)
    return replace(estate, applications=apps, contracts=contracts, options=options,
                   budget=budget, plan_from=replan.today)


def as_happened(estate: Any, plan: Any, today: str) -> tuple[Any, tuple[Any, ...]]:
    """What happened up to ``today`` as decisions of ``estate`` (resolved), to
    be costed by the evaluator like any plan.

    An application with a confirmed actual moved as recorded (its start its
    option's duration before the month it went live); one whose actual
    one-off cost is known has that cost in place of its option's. Any other
    application the plan moved before ``today`` has not moved yet (it is
    retained here); the rest keep the plan's decisions. Returns the estate
    (actual one-off costs in) and the decisions.
    """
    from estate.plan import Decision

    done = confirmed(estate.actuals, "application")
    pins, _ = replan_of(replace(estate, actuals=tuple(a for a in estate.actuals
                                                      if a.kind == "application")), today)
    moved = {p.app_id: p for p in pins}
    decisions = []
    for r in plan.applications:
        if r.app_id in moved:
            p = moved[r.app_id]
            decisions.append(Decision(r.app_id, p.strategy, target_site=p.target_site,
                                      start=p.start))
        elif r.start is not None and r.live_from is not None and r.live_from < today:
            late = month_index(r.live_from, today)  # overdue: going live this month at best
            decisions.append(Decision(r.app_id, r.strategy, target_site=r.target_site,
                                      start=add_months(r.start, late)))
        else:
            decisions.append(Decision(r.app_id, r.strategy, target_site=r.target_site,
                                      start=r.start))
    costs = {a.item_id: a for a in done.values() if a.one_off_cost is not None}
    options = tuple(replace(o, one_off_cost=costs[o.app_id].one_off_cost)
                    if o.app_id in costs and o.strategy == costs[o.app_id].strategy
                    and (costs[o.app_id].target_site in (None, o.target_site)) else o
                    for o in estate.options)
    return replace(estate, options=options), tuple(decisions)
