"""What every report needs from (estate, plan): the plan's derived state.

Reports compute no figure of their own: live-from months, decommissioning,
site exits, replacements and contract terms all come from
:func:`estate.derive.build_schedule`, for the plan's decisions and for the
baseline (every application retained), and money from the plan's ledgers.
:class:`Facts` only indexes them for the report modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from estate.contracts import ContractTerms, app_release, contract_payments, term_value
from estate.derive import Schedule, build_schedule, retain_all, together_groups
from estate.model import Contract, Estate, Option
from estate.months import label_at, month_index
from estate.plan import Alternative, AppPlan, ContractPlan, Plan


@dataclass
class Facts:
    """Indexed view of one plan of one resolved estate.

    Attributes
    ----------
    estate, plan
        The inputs.
    H, start
        Horizon length and first month (``YYYY-MM``).
    """

    estate: Estate
    plan: Plan
    H: int = field(init=False)
    start: str = field(init=False)

    def __post_init__(self) -> None:
        self.H = self.plan.horizon_months
        self.start = self.plan.horizon_start

    # -- months ----------------------------------------------------------
    def idx(self, label: str) -> int:
        """Month index of a ``YYYY-MM`` label."""
        return month_index(self.start, label)

    def label(self, t: int) -> str:
        """``YYYY-MM`` label of month index ``t``."""
        return label_at(self.start, t)

    # -- the derived state ---------------------------------------------------
    @cached_property
    def schedule(self) -> Schedule:
        """Derived state of the plan's decisions (all retained without a plan)."""
        return build_schedule(self.estate, self.plan.decisions)

    @cached_property
    def baseline(self) -> Schedule:
        """Derived state when every application is retained."""
        return build_schedule(self.estate, retain_all(self.estate))

    # -- applications ----------------------------------------------------
    @cached_property
    def app_plan(self) -> dict[str, AppPlan]:
        """Plan row of each application."""
        return {a.app_id: a for a in self.plan.applications}

    @cached_property
    def live(self) -> dict[str, int]:
        """Live-from index ``L`` of each application (``H`` when retained)."""
        return {a: st.L for a, st in self.schedule.apps.items()}

    def golive(self, app_id: str) -> str | None:
        """``YYYY-MM`` of the application's go-live month ``L - 1`` (the last
        month in flight; ``None`` when it does not move). The reports' one
        convention: an application "goes live in" this month and is in its new
        state from the next."""
        if not self.moves(app_id):
            return None
        return self.label(self.live[app_id] - 1)

    @cached_property
    def start_idx(self) -> dict[str, int]:
        """Start index of each moving application."""
        return {a: st.s for a, st in self.schedule.apps.items() if st.s is not None}

    @cached_property
    def option(self) -> dict[str, Option | None]:
        """The chosen option of each application (``None``: an implicit retain)."""
        return {a: st.option for a, st in self.schedule.apps.items()}

    def moves(self, app_id: str) -> bool:
        """Whether the application moves (has a start) in the plan."""
        return app_id in self.start_idx

    def is_cloud(self, site_id: str | None) -> bool:
        """Whether ``site_id`` is a cloud site."""
        site = self.estate.site_by_id.get(site_id or "")
        return site is not None and site.kind == "cloud"

    @cached_property
    def together_group(self) -> dict[str, str]:
        """Move group (its smallest app_id) of each application in a ``together``
        group of two or more."""
        return {a: unit[0] for a, unit in together_groups(self.estate).items()
                if len(unit) > 1}

    @cached_property
    def group_members(self) -> dict[str, list[str]]:
        """Members of each ``together`` group, by group id."""
        return {unit[0]: list(unit) for unit in together_groups(self.estate).values()
                if len(unit) > 1}

    @cached_property
    def depends_on(self) -> dict[str, list[str]]:
        """``before`` predecessors of each application (it needs them first)."""
        out: dict[str, list[str]] = {}
        for d in self.estate.dependencies:
            if d.kind == "before":
                out.setdefault(d.to_id, []).append(d.from_id)
        return out

    @cached_property
    def needed_by(self) -> dict[str, list[str]]:
        """``before`` successors of each application."""
        out: dict[str, list[str]] = {}
        for d in self.estate.dependencies:
            if d.kind == "before":
                out.setdefault(d.from_id, []).append(d.to_id)
        return out

    @cached_property
    def alternative(self) -> dict[str, Alternative]:
        """The plan's cloud alternative of each application that has one."""
        return {a.app_id: a for a in self.plan.alternatives}

    # -- servers and sites -----------------------------------------------
    @property
    def decom(self) -> dict[str, int]:
        """Decommission index ``D`` of each server in the plan."""
        return self.schedule.server_d

    @property
    def site_exit(self) -> dict[str, int]:
        """Exit index of each site in the plan."""
        return self.schedule.site_exit

    @cached_property
    def sites_in_use(self) -> frozenset[str]:
        """Sites that have servers today (only such a site can be exited)."""
        return frozenset(s.site_id for s in self.estate.servers)

    def holds_anything(self, site_id: str) -> bool:
        """Whether the site has servers today (only such a site can be exited)."""
        return site_id in self.sites_in_use

    def exit_of(self, site_id: str) -> int | None:
        """Exit index of a site that holds something today (``None`` for a site
        that holds nothing: it is a target only, and there is nothing to exit)."""
        if not self.holds_anything(site_id):
            return None
        return self.site_exit.get(site_id)

    def ends_in_cloud(self, app_id: str) -> bool:
        """Whether the application runs in the cloud at the end of the plan: it
        moves to a cloud site, is replaced by SaaS (``repurchase`` with no
        target site), or is retained where it already runs in the cloud (its
        retain option's site, else every server it runs on, is a cloud site)."""
        ap = self.app_plan.get(app_id)
        if ap is None or ap.strategy == "retire":
            return False
        if ap.start is not None:
            return self.is_cloud(ap.target_site) or (ap.strategy == "repurchase"
                                                     and ap.target_site is None)
        opt = self.option.get(app_id)
        if opt is not None and opt.target_site is not None:
            return self.is_cloud(opt.target_site)
        sites = {s.site_id for s in self.estate.servers if app_id in s.app_ids}
        return bool(sites) and all(self.is_cloud(x) for x in sites)

    def release(self, item: str, rule: str = "move") -> int | None:
        """Release month of a covered id in the plan for a contract ending with
        ``rule`` (:func:`estate.contracts.app_release`; ``None`` when unknown)."""
        sched = self.schedule
        if item in sched.apps:
            st = sched.apps[item]
            return app_release(rule, st.L, st.strategy, self.H)
        if item in sched.server_d:
            return sched.server_d[item]
        return sched.site_exit.get(item)

    def replaced_in_baseline(self) -> int:
        """Number of replacements when every application is retained."""
        return sum(1 for e in self.baseline.replaced.values() if e is not None)

    # -- contracts -------------------------------------------------------
    @cached_property
    def contract_plan(self) -> dict[str, ContractPlan]:
        """Plan row of each contract."""
        return {c.contract_id: c for c in self.plan.contracts}

    def terms(self, c: Contract, baseline: bool = False) -> ContractTerms:
        """Derived terms of ``c`` in the plan (or the baseline)."""
        return (self.baseline if baseline else self.schedule).contracts[c.contract_id]

    def end_index(self, c: Contract) -> int:
        """Month index ``m`` of the current term's end date."""
        return self.terms(c).m

    def spend(self, c: Contract, baseline: bool = False) -> float:
        """£ paid on ``c`` in months 0 … H-1 in the plan (or the baseline)."""
        t = self.terms(c, baseline)
        return sum(contract_payments(t, self.H))

    def plan_renewals(self, c: Contract) -> int:
        """Renewals of ``c`` in the plan."""
        return self.terms(c).k

    def baseline_renewals(self, c: Contract) -> int:
        """Renewals of ``c`` when every application is retained."""
        return self.terms(c, baseline=True).k

    def value_at(self, c: Contract, t: int) -> float:
        """Annual value (with uplift) of the term in force in month ``t``."""
        return term_value(self.terms(c), t)

    def paid_through(self, c: Contract) -> int:
        """Last month index paid in the plan."""
        return self.terms(c).end


def carbon_price(estate: Estate, plan: Plan) -> float | None:
    """The £ per tonne CO2e the plan's objective used: the plan's recorded
    ``assumptions.objective.carbon_price``, else its resolved settings', else
    the estate's."""
    for where in (plan.assumptions.get("objective"), plan.assumptions.get("settings")):
        if isinstance(where, dict) and where.get("carbon_price") is not None:
            return float(where["carbon_price"])
    return estate.settings.carbon_price


def move_words(strategy: str, target_site: str | None) -> str:
    """A decision in words, never naming a missing site: ``rehost to AZ-UKS``,
    ``replaced by SaaS`` (``repurchase`` with no target site), ``retired``,
    ``retained``."""
    if strategy == "retire":
        return "retired"
    if strategy == "retain":
        return "retained"
    if target_site:
        return f"{strategy} to {target_site}"
    return "replaced by SaaS" if strategy == "repurchase" else strategy


#: Workbook names a rule's text may quote, in the words of a board paper.
RULE_WORDS = {
    "must_finish_by": "must-finish date (applications sheet)",
    "earliest_start": "earliest start (applications sheet)",
    "resident_notice_weeks": "residents' notice (settings sheet)",
    "max_critical_in_flight": "limit on critical applications in flight (settings sheet)",
    "max_golives_per_month": "limit on go-lives a month (settings sheet)",
    "freeze_months": "freeze months (settings sheet)",
    "team_days_per_month": "migration team's days a month (settings sheet)",
    "exit_by": "exit date (sites sheet)",
}
_IDENT = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def plain_words(text: str) -> str:
    """A rule's text (from :mod:`solver.rules` or the conflict finder) for the
    board: workbook names become words saying where the architects set them
    (:data:`RULE_WORDS`); any other ``snake_case`` name loses its underscores."""
    return _IDENT.sub(lambda m: RULE_WORDS.get(m.group(0), m.group(0).replace("_", " ")),
                      text)


_ID_LIST = re.compile(r" \((?:[\w.-]+, )*[\w.-]+(?: and \d+ more)?\)")


def short_rule(text: str) -> str:
    """A rule's text in plain words (:func:`plain_words`) without its
    parenthesised lists of ids ("(APP1, APP2 and 8 more)"), for the board."""
    return plain_words(_ID_LIST.sub("", text))


def status_words(plan: Plan) -> str:
    """The solver's status and gap in plain words."""
    if plan.status == "optimal":
        return "proven optimal"
    if plan.status == "feasible":
        gap = plan.gap if plan.gap is not None else 0.0
        return f"within {gap * 100:.1f} % of the best possible"
    if plan.status == "infeasible":
        return "no plan: infeasible"
    return "no plan found within the time limit"
