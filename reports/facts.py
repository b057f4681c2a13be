"""What every report needs from (estate, plan): month indices and contract arithmetic.

Everything here follows ``planning-model.md``: live-from ``L`` (``H`` for a
retained application), decommission ``D``, site exit, and the contract rule
(needed until ``N``, renewals ``k``, spend of each paid month within the
horizon). Reports recompute a contract's spend from that rule, for the plan
(its ``renewals``) and for the baseline (every application retained).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from estate.model import Contract, Estate, Option
from estate.months import date_month_index, label_at, month_index
from estate.plan import AppPlan, ContractPlan, Plan


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

    # -- applications ----------------------------------------------------
    @cached_property
    def app_plan(self) -> dict[str, AppPlan]:
        """Plan row of each application."""
        return {a.app_id: a for a in self.plan.applications}

    @cached_property
    def live(self) -> dict[str, int]:
        """Live-from index ``L`` of each application (``H`` when retained)."""
        out = {a.app_id: self.H for a in self.estate.applications}
        for a in self.plan.applications:
            if a.live_from is not None:
                out[a.app_id] = self.idx(a.live_from)
        return out

    @cached_property
    def start_idx(self) -> dict[str, int]:
        """Start index of each moving application."""
        return {a.app_id: self.idx(a.start) for a in self.plan.applications
                if a.start is not None}

    @cached_property
    def option(self) -> dict[str, Option | None]:
        """The chosen option of each planned application (``None`` if not found)."""
        by_key = {o.key: o for o in self.estate.options}
        out: dict[str, Option | None] = {}
        for a in self.plan.applications:
            o = by_key.get((a.app_id, a.strategy, a.target_site))
            if o is None:  # target omitted in the plan: the only option of that strategy
                same = [x for x in self.estate.options_by_app.get(a.app_id, ())
                        if x.strategy == a.strategy]
                o = same[0] if len(same) == 1 else None
            out[a.app_id] = o
        return out

    def moves(self, app_id: str) -> bool:
        """Whether the application moves (has a start) in the plan."""
        return app_id in self.start_idx

    def is_cloud(self, site_id: str | None) -> bool:
        """Whether ``site_id`` is a cloud site."""
        site = self.estate.site_by_id.get(site_id or "")
        return site is not None and site.kind == "cloud"

    @cached_property
    def together_group(self) -> dict[str, str]:
        """Move group of each application in a ``together`` component (smallest id)."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for d in self.estate.dependencies:
            if d.kind == "together":
                ra, rb = find(d.from_id), find(d.to_id)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        return {a: find(a) for a in parent}

    @cached_property
    def group_members(self) -> dict[str, list[str]]:
        """Members of each ``together`` group, by group id."""
        out: dict[str, list[str]] = {}
        for a, g in self.together_group.items():
            out.setdefault(g, []).append(a)
        return {g: sorted(v) for g, v in out.items()}

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

    # -- servers and sites -----------------------------------------------
    @cached_property
    def decom(self) -> dict[str, int]:
        """Decommission index ``D`` of each server in the plan."""
        return {s.server_id: self.idx(s.decommissioned) for s in self.plan.servers}

    @cached_property
    def site_exit(self) -> dict[str, int]:
        """Exit index of each site in the plan."""
        return {s.site_id: self.idx(s.exit) for s in self.plan.sites}

    def release(self, item: str) -> int | None:
        """Release month of a covered id in the plan (``None`` when unknown)."""
        if item in self.estate.app_by_id:
            return self.live.get(item, self.H)
        if item in self.decom:
            return self.decom[item]
        if item in self.site_exit:
            return self.site_exit[item]
        return None

    @cached_property
    def baseline_decom(self) -> dict[str, int]:
        """``D`` of each server when every application is retained (``H``, zombies 0)."""
        out: dict[str, int] = {}
        for s in self.estate.servers:
            out[s.server_id] = self.H if s.app_ids else 0
        for s in self.estate.servers:
            if s.kind == "host":
                guests = self.estate.guests_by_host.get(s.server_id, ())
                out[s.server_id] = max([out[s.server_id]] + [out[g.server_id] for g in guests])
        return out

    @cached_property
    def baseline_site_exit(self) -> dict[str, int]:
        """Site exits when every application is retained."""
        out = {s.site_id: 0 for s in self.estate.sites}
        for s in self.estate.servers:
            out[s.site_id] = max(out.get(s.site_id, 0), self.baseline_decom[s.server_id])
        return out

    def baseline_release(self, item: str) -> int | None:
        """Release month of a covered id in the baseline."""
        if item in self.estate.app_by_id:
            return self.H
        if item in self.baseline_decom:
            return self.baseline_decom[item]
        if item in self.baseline_site_exit:
            return self.baseline_site_exit[item]
        return None

    def replaced_in_baseline(self) -> int:
        """Number of replacements when every application is retained."""
        n = 0
        for s in self.estate.servers:
            if s.kind in ("physical", "host") and s.end_of_life is not None:
                e = max(self.idx(s.end_of_life), 0)
                if e < self.H and self.baseline_decom[s.server_id] > e:
                    n += 1
        return n

    # -- contracts -------------------------------------------------------
    @cached_property
    def contract_plan(self) -> dict[str, ContractPlan]:
        """Plan row of each contract."""
        return {c.contract_id: c for c in self.plan.contracts}

    def needed_until(self, c: Contract, baseline: bool = False) -> int:
        """``N`` of a contract: the largest release month of what it covers."""
        rel = self.baseline_release if baseline else self.release
        months = [m for m in (rel(i) for i in c.covers) if m is not None]
        return max(months) if months else self.H

    def end_index(self, c: Contract) -> int:
        """Month index ``m`` of the current term's end date."""
        return date_month_index(self.start, c.end_date)

    def renewals(self, c: Contract, needed: int) -> int:
        """Smallest ``k`` with ``m+kT+1 >= N`` and ``m+kT+1-n >= 0``."""
        m, T, n = self.end_index(c), c.renewal_term_months, c.notice_months
        lo = max(needed - 1 - m, n - 1 - m, 0)
        return -(-lo // T)

    def spend(self, c: Contract, k: int) -> float:
        """£ paid on contract ``c`` with ``k`` renewals in months 0 … H-1."""
        m, T = self.end_index(c), c.renewal_term_months
        b = date_month_index(self.start, c.start_date) if c.start_date else None
        first = 0 if b is None else max(0, b)
        total = max(0, min(m, self.H - 1) - first + 1) * c.annual_value / 12
        for j in range(1, k + 1):
            lo, hi = max(m + 1 + (j - 1) * T, 0), min(m + j * T, self.H - 1)
            if hi >= lo:
                total += (hi - lo + 1) * c.annual_value * (1 + c.renewal_uplift) ** j / 12
        return total

    def plan_renewals(self, c: Contract) -> int:
        """Renewals of ``c`` in the plan (recomputed from the rule if absent)."""
        cp = self.contract_plan.get(c.contract_id)
        return cp.renewals if cp is not None else self.renewals(c, self.needed_until(c))

    def baseline_renewals(self, c: Contract) -> int:
        """Renewals of ``c`` when every application is retained."""
        return self.renewals(c, self.needed_until(c, baseline=True))

    def value_at(self, c: Contract, t: int) -> float:
        """Annual value (with uplift) of the term in force in month ``t``."""
        m, T = self.end_index(c), c.renewal_term_months
        j = 0 if t <= m else -(-(t - m) // T)
        return c.annual_value * (1 + c.renewal_uplift) ** j

    def paid_through(self, c: Contract) -> int:
        """Last month index paid in the plan."""
        cp = self.contract_plan.get(c.contract_id)
        if cp is not None:
            return self.idx(cp.end)
        return self.end_index(c) + self.plan_renewals(c) * c.renewal_term_months


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
