"""Exact float tables of every cost and carbon term, indexed by month numbers.

Everything here is plain arithmetic on a resolved :class:`estate.model.Estate`
following ``docs/planning-model.md``; no solver is involved. The CP-SAT model
(:mod:`solver.model.build`) scales these tables to integers, and
:mod:`solver.model.extract` sums the *float* tables again for the chosen values
so the reported totals carry no rounding.

A cost vector :data:`Vec` is ``(cash £, discounted £, kgCO2e, discounted kgCO2e)``.

Derived state is a maximum of live-from months: a server's ``D``, a site's exit
and a contract's ``N`` are each ``max(L_a for a in G)`` for a set ``G`` of
applications (a *group*), and every cost that depends on them is a
non-decreasing table ``f_G(D)``, ``D = 0 … H``. Groups with one application are
folded into that application's own table; empty groups are constants.
"""

from __future__ import annotations

from estate.clusters import clusters, refresh
from estate.contracts import (
    contract_months,
    counted_servers,
    ends_with,
    notice_given,
    renewal_month,
    renewal_start,
    renewal_value,
    renewals_needed,
)
from estate.derive import kwh_per_month, team_capacity
from estate.model import Estate
from estate.months import month_index, parse_month
from estate.policy import esu_spans
from solver.model.prep_records import (
    ZERO,
    AppPrep,
    Group,
    OptPrep,
    UnitTerm,
    Vec,
    keeps_software,
    option_key,
    vadd,
)

__all__ = ["ZERO", "AppPrep", "Group", "OptPrep", "Prep", "UnitTerm", "Vec", "keeps_software",
           "option_key", "vadd"]


class Prep:
    """Month numbers, discount factors and cost tables of a resolved estate.

    Parameters
    ----------
    estate
        A resolved estate.
    """

    def __init__(self, estate: Estate) -> None:
        if not estate.resolved:
            raise ValueError("the solver needs a resolved estate (estate.resolve.resolve)")
        self.estate = estate
        st = estate.settings
        self.start = st.horizon_start
        self.H = H = st.horizon_months
        y0, m0 = parse_month(self.start)
        self._y0, self._m0 = y0, m0
        r = st.discount_rate
        self.delta = [(1.0 + r) ** (-t / 12.0) for t in range(H)]
        self.ds = _prefix(self.delta)  # Σ_{t<x} δ_t
        uk = [estate.grid_factor(self.year(t)) for t in range(H)]
        self._uk = (_prefix(uk), _prefix([d * g for d, g in zip(self.delta, uk, strict=True)]))
        self._grids: dict[str | None, tuple[list[float], list[float]]] = {}
        self.constant: Vec = ZERO
        self.cache: dict[str, dict] = {}  # derived facts shared by every model of the estate
        self.exit_limits = {s.site_id: self.index(s.exit_by) for s in estate.sites
                            if s.exit_by is not None}
        self.team_caps = team_capacity(estate)
        self.budget = {b.first_year: b.one_off_limit for b in estate.budget}
        self.clusters = clusters(estate)
        self.pooled = {h for c in self.clusters for h in c.hosts}
        self._build_sets()
        self._build_apps()
        self._build_groups()
        self.host_tables = {h: self.host_table(h) for h in sorted(self.pooled)}
        self.loose = [(d.from_id, d.to_id, d.split_cost_per_month)
                      for d in estate.dependencies
                      if d.kind == "loose" and d.split_cost_per_month > 0
                      and d.from_id in self.app_ids and d.to_id in self.app_ids]

    # -- calendar -------------------------------------------------------------
    def year(self, t: int) -> int:
        """Calendar year of month ``t``."""
        return self._y0 + (self._m0 - 1 + t) // 12

    def cal_month(self, t: int) -> int:
        """Calendar month 1–12 of month ``t``."""
        return (self._m0 - 1 + t) % 12 + 1

    def fy(self, t: int) -> int:
        """First calendar year of the financial year (April–March) of month ``t``."""
        return self.year(t) if self.cal_month(t) >= 4 else self.year(t) - 1

    def index(self, label: str) -> int:
        """Month number of a ``YYYY-MM`` label."""
        return month_index(self.start, label)

    # -- energy prefix sums -----------------------------------------------------
    def _grid(self, site_id: str | None) -> tuple[list[float], list[float]]:
        got = self._grids.get(site_id)
        if got is None:
            site = self.estate.site_by_id.get(site_id) if site_id else None
            g = site.grid_kg_per_kwh if site is not None else None
            got = self._uk if g is None else ([g * x for x in range(self.H + 1)],
                                              [g * x for x in self.ds])
            self._grids[site_id] = got
        return got

    def energy(self, kwh: float, price: float, site_id: str | None, a: int, b: int) -> Vec:
        """Vector of ``kwh`` a month (after PUE) at ``site_id`` in months ``a … b-1``."""
        if b <= a:
            return ZERO
        g, gd = self._grid(site_id)
        return (kwh * price * (b - a), kwh * price * (self.ds[b] - self.ds[a]),
                kwh * (g[b] - g[a]), kwh * (gd[b] - gd[a]))

    def flat(self, amount: float, a: int, b: int) -> Vec:
        """Vector of a cost of ``amount`` £ a month in months ``a … b-1`` (clipped)."""
        a, b = max(a, 0), min(b, self.H)
        if b <= a:
            return ZERO
        return (amount * (b - a), amount * (self.ds[b] - self.ds[a]), 0.0, 0.0)

    def at(self, amount: float, kg: float, t: int) -> Vec:
        """Vector of a one-time cost and carbon in month ``t`` (0 outside the horizon)."""
        if not 0 <= t < self.H:
            return ZERO
        return (amount, amount * self.delta[t], kg, kg * self.delta[t])

    # -- sets of applications behind servers, sites and contracts -----------------
    def _build_sets(self) -> None:
        e = self.estate
        self.app_ids = {a.app_id for a in e.applications}
        own = {s.server_id: frozenset(a for a in s.app_ids if a in self.app_ids)
               for s in e.servers}
        self.server_set: dict[str, frozenset[str]] = {}
        for s in e.servers:
            apps = set(own[s.server_id])
            if s.kind == "host":
                for g in e.guests_by_host.get(s.server_id, ()):
                    apps |= own[g.server_id]
            self.server_set[s.server_id] = frozenset(apps)
        for pool in self.clusters:  # a pooled host serves its whole cluster (estate.clusters)
            for h in pool.hosts:
                self.server_set[h] = pool.apps
        self.site_set: dict[str, frozenset[str]] = {}
        for site in e.sites:
            apps = set()
            for s in e.servers:
                if s.site_id == site.site_id:
                    apps |= self.server_set[s.server_id]
            self.site_set[site.site_id] = frozenset(apps)
        self.contract_set: dict[str, frozenset[str] | None] = {}
        self.contract_kept: dict[str, frozenset[str]] = {}
        for c in e.contracts:
            known = False
            apps = set()
            kept: set[str] = set()
            rule = ends_with(c)
            for x in c.covers:
                if rule == "never":
                    break
                if x in self.app_ids:
                    (kept if rule == "retire" else apps).add(x)
                    known = True
                elif x in self.server_set:
                    apps |= self.server_set[x]
                    known = True
                elif x in self.site_set:
                    apps |= self.site_set[x]
                    known = True
            self.contract_set[c.contract_id] = frozenset(apps - kept) if known else None
            self.contract_kept[c.contract_id] = frozenset(kept)

    # -- applications ---------------------------------------------------------
    def _build_apps(self) -> None:
        e, H = self.estate, self.H
        sites_of: dict[str, list[str]] = {a_id: [] for a_id in self.app_ids}
        for site_id, apps in self.site_set.items():
            for a_id in apps:
                sites_of[a_id].append(site_id)
        self.apps: list[AppPrep] = []
        for a in e.applications:
            opts: list[OptPrep] = []
            has_retain = False
            for o in e.options_by_app.get(a.app_id, ()):
                if o.strategy == "retain":
                    if has_retain:
                        continue
                    has_retain = True
                    opts.append(OptPrep("retain", "retain", None, 0, 0.0, 0.0, 0.0, {}, o))
                    continue
                unknown = set(o.effort) - set(self.team_caps)
                if unknown:
                    raise ValueError(f"option {o.app_id} {o.strategy}: effort names unknown "
                                     f"team(s) {', '.join(sorted(unknown))}")
                key = option_key(o.strategy, o.target_site)
                if any(x.key == key for x in opts):
                    continue  # (app, strategy, target) names one option: keep the first
                mc = 0.0 if o.strategy == "retire" else o.monthly_cost
                kwh = 0.0 if o.strategy == "retire" else o.monthly_kwh
                opts.append(OptPrep(key, o.strategy,
                                    o.target_site, o.duration_months, o.one_off_cost, mc, kwh,
                                    dict(o.effort), o))
            if not opts:  # nothing listed at all: it can only stay as it is
                has_retain = True
            if not has_retain or not opts:
                # a must-move application still gets a retain row, forbidden by the
                # ``must_move`` rule (so an explanation can name it)
                opts.append(OptPrep("retain", "retain", None, 0, 0.0, 0.0, 0.0, {}))
            es = self.index(a.earliest_start) if a.earliest_start else None
            fb = self.index(a.must_finish_by) if a.must_finish_by else None
            ap = AppPrep(a.app_id, a.criticality == "critical", a.current_monthly_cost or 0.0,
                         opts,
                         has_retain, es, fb if fb is not None and fb < H else None,
                         a.blackout_months, tuple(sorted(sites_of[a.app_id])))
            for op in opts:
                op.table = {L: self.app_vec(ap, op, L) for L in self.all_lives(op)}
            self.apps.append(ap)
        self.app_by_id = {x.app_id: x for x in self.apps}

    def all_lives(self, o: OptPrep) -> list[int]:
        """Every live-from month the horizon allows for an option (no rule applied)."""
        if not o.moves:
            return [self.H]
        return list(range(o.d, self.H + 1))

    def app_vec(self, a: AppPrep, o: OptPrep, L: int) -> Vec:
        """The application's own cost vector when it takes ``o`` and is live from ``L``."""
        H = self.H
        v = vadd(self.flat(a.current, 0, L), self.flat(o.monthly, L, H))
        if o.moves:
            v = vadd(v, self.flat(o.one_off / o.d, L - o.d, L))
        if o.to_target and o.kwh > 0:
            site = self.estate.site_by_id.get(o.target or "")
            pue = site.pue if site is not None and site.pue is not None else 1.0
            v = vadd(v, self.energy(o.kwh * pue, 0.0, o.target, L, H))
        return v

    # -- servers, sites, contracts -> groups ------------------------------------
    def server_table(self, server_id: str) -> list[Vec]:
        """Cost vector of a server for each decommission month ``D = 0 … H``."""
        s = self.estate.server_by_id[server_id]
        site = self.estate.site_by_id[s.site_id]
        H = self.H
        out = [ZERO] * (H + 1)
        if s.kind != "virtual" or s.host_id is None:
            kwh = kwh_per_month(s.watts or 0.0, self.estate) * (site.pue or 1.0)
            price = 0.0 if site.kind == "cloud" else (site.power_price_per_kwh or 0.0)
            out = [self.energy(kwh, price, site.site_id, 0, D) for D in range(H + 1)]
        for a, b, amount in esu_spans(self.estate, server_id):  # paid while t < D
            out = [vadd(v, self.flat(amount, a, min(b, D))) for D, v in enumerate(out)]
        e = self.replacement_month(server_id)
        if e is not None:
            rep = self.at(s.replacement_cost or 0.0, s.embodied_kgco2e or 0.0, e)
            out = [vadd(v, rep) if D > e else v for D, v in enumerate(out)]
        return out

    def host_table(self, server_id: str) -> list[Vec]:
        """Cost vector of a clustered host for each ``D = 0 … H``: energy while in
        service and, at end of life, replacement or extended support, whichever
        :func:`estate.clusters.refresh` chooses for that ``D``."""
        s = self.estate.server_by_id[server_id]
        site = self.estate.site_by_id[s.site_id]
        kwh = kwh_per_month(s.watts or 0.0, self.estate) * (site.pue or 1.0)
        price = 0.0 if site.kind == "cloud" else (site.power_price_per_kwh or 0.0)
        out = []
        for D in range(self.H + 1):
            v = self.energy(kwh, price, site.site_id, 0, D)
            for t, amount, kg in refresh(self.estate, s, D).payments:
                v = vadd(v, self.at(amount, kg, t))
            out.append(v)
        return out

    def replacement_month(self, server_id: str) -> int | None:
        """``e' = max(e, 0)`` of a physical server or host when ``e' < H``, else None."""
        s = self.estate.server_by_id[server_id]
        if s.kind not in ("physical", "host") or s.end_of_life is None:
            return None
        e = max(self.index(s.end_of_life), 0)
        return e if e < self.H else None

    def site_table(self, site_id: str) -> list[Vec]:
        """Fixed cost of a site for each exit month ``X = 0 … H``."""
        fc = self.estate.site_by_id[site_id].monthly_fixed_cost
        return [self.flat(fc or 0.0, 0, x) for x in range(self.H + 1)]

    def contract_terms(self, contract_id: str) -> tuple[int, int, int, int]:
        """``(m, T, n, b)`` of a contract; ``b`` is ``-1`` when before the horizon."""
        c = self.estate.contract_by_id[contract_id]
        m, b = contract_months(self.estate, c)
        return m, c.renewal_term_months, c.notice_months, -1 if b is None else b

    def renewals(self, contract_id: str, N: int) -> int:
        """Renewals ``k`` when the contract is needed until ``N``
        (:func:`estate.contracts.renewals_needed`)."""
        m, T, n, _ = self.contract_terms(contract_id)
        given = notice_given(self.estate, self.estate.contract_by_id[contract_id])
        return renewals_needed(m, T, n, N, self.estate.first_planned, given)

    def contract_table(self, contract_id: str) -> list[Vec]:
        """Cost vector of a contract for each need month ``N = 0 … H``
        (:func:`estate.contracts.renewal_value`; a per-unit contract's
        renewals at ``min_units``, the units above it in :attr:`unit_terms`)."""
        c = self.estate.contract_by_id[contract_id]
        m, T, _, b = self.contract_terms(contract_id)
        base = self.flat(renewal_value(c, 0) / 12.0, max(0, b), m + 1)
        out = []
        for N in range(self.H + 1):
            v = base
            for j in range(1, self.renewals(contract_id, N) + 1):
                amount = renewal_value(c, j, 0.0) / 12.0
                v = vadd(v, self.flat(amount, renewal_month(m, T, j), renewal_month(m, T, j + 1)))
            out.append(v)
        return out

    def _build_unit_terms(self) -> None:
        """Per-unit contracts: one :class:`UnitTerm` per renewal in the horizon
        whose units can exceed ``min_units``. Every counted server is covered
        by the contract, so ``U(t0) > 0`` implies ``N > t0`` and the renewal is
        paid: ``max(min, U) = min + max(0, U - min)`` on every paid renewal."""
        self.unit_terms: list[UnitTerm] = []
        for c in self.estate.contracts:
            counted = counted_servers(self.estate, c)
            if c.unit is None or sum(u for _, u in counted) <= c.min_units:
                continue
            m, T, _, _ = self.contract_terms(c.contract_id)
            j = 1
            while renewal_month(m, T, j) < self.H:
                # £ a year of one unit above min_units
                one = renewal_value(c, j, c.min_units + 1) - renewal_value(c, j, c.min_units)
                vec = self.flat(one / 12.0, renewal_month(m, T, j), renewal_month(m, T, j + 1))
                if vec != ZERO:
                    self.unit_terms.append(UnitTerm(c.contract_id, j, renewal_start(m, T, j),
                                                    vec, c.min_units, counted))
                j += 1

    def unit_vec(self, server_d: dict[str, int]) -> Vec:
        """Cost above ``min_units`` of every per-unit renewal, given each
        server's ``D``."""
        v = ZERO
        for ut in self.unit_terms:
            over = max(0.0, sum(u for s, u in ut.counted if server_d.get(s, 0) > ut.t0)
                       - ut.min_units)
            if over:
                v = vadd(v, tuple(x * over for x in ut.vec))  # type: ignore[arg-type]
        return v

    def _build_groups(self) -> None:
        H = self.H
        GroupKey = tuple[frozenset[str], frozenset[str]]
        tables: dict[GroupKey, list[Vec]] = {}
        names: dict[GroupKey, str] = {}

        def add(apps: frozenset[str] | None, table: list[Vec], name: str,
                kept: frozenset[str] = frozenset()) -> None:
            if apps is None:  # a contract covering nothing (or `never`): N = H
                self.constant = vadd(self.constant, table[H])
            elif not apps and not kept:
                self.constant = vadd(self.constant, table[0])
            else:
                key = (apps, kept)
                old = tables.get(key)
                tables[key] = table if old is None else [
                    vadd(x, y) for x, y in zip(old, table, strict=True)]
                names.setdefault(key, name)

        for s in self.estate.servers:
            if s.server_id in self.pooled:  # priced by the cluster terms
                continue
            add(self.server_set[s.server_id], self.server_table(s.server_id),
                f"server={s.server_id}")
        for site in self.estate.sites:
            add(self.site_set[site.site_id], self.site_table(site.site_id),
                f"site={site.site_id}")
        for c in self.estate.contracts:
            add(self.contract_set[c.contract_id], self.contract_table(c.contract_id),
                f"contract={c.contract_id}", self.contract_kept[c.contract_id])
        self.single: dict[str, list[Vec]] = {}
        self.single_kept: dict[str, list[Vec]] = {}
        self.groups: list[Group] = []
        self.group_index: dict[frozenset[str], int] = {}
        for (apps, kept), table in tables.items():
            if len(apps) == 1 and not kept:
                (a,) = apps
                self.single[a] = table
            elif len(kept) == 1 and not apps:
                (a,) = kept
                old = self.single_kept.get(a)
                self.single_kept[a] = table if old is None else [
                    vadd(x, y) for x, y in zip(old, table, strict=True)]
            else:
                if not kept:
                    self.group_index[apps] = len(self.groups)
                self.groups.append(Group(names[(apps, kept)], tuple(sorted(apps | kept)), table,
                                         tuple(sorted(kept))))
        for ap in self.apps:
            extra = self.single.get(ap.app_id)
            if extra is not None:
                for o in ap.options:
                    o.table = {L: vadd(v, extra[L]) for L, v in o.table.items()}
            extra = self.single_kept.get(ap.app_id)
            if extra is not None:  # a `retire` contract of this application alone
                for o in ap.options:
                    keep = keeps_software(o.strategy)
                    o.table = {L: vadd(v, extra[H if keep else L]) for L, v in o.table.items()}
        self._build_unit_terms()

    def release(self, g: Group, choice: dict[str, tuple[str, int]]) -> int:
        """``D_G``: the largest release month of the group's applications in a
        complete choice (``L``, or ``H`` for a ``kept`` one whose option keeps
        its software)."""
        kept = set(g.kept)
        out = 0
        for a in g.apps:
            key, L = choice[a]
            if a in kept and keeps_software(self.app_by_id[a].opt(key).strategy):
                L = self.H
            out = max(out, L)
        return out

    # -- loose pairs ------------------------------------------------------------
    def split_vec(self, c: float, la: int, tt_a: bool, lb: int, tt_b: bool) -> Vec:
        """Split cost of a loose pair given both sides' ``L`` and whether each
        runs at a target afterwards."""
        if tt_a and la < lb:
            return self.flat(c, la, lb)
        if tt_b and lb < la:
            return self.flat(c, lb, la)
        return ZERO


def _prefix(values: list[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out
