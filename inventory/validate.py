"""Checks across the objects of an estate, all in one place.

Each object checks its own fields when it is built (:mod:`estate.model`);
everything that needs more than one object is checked here, by
:func:`validate_estate`, which returns every problem found (it never stops at
the first). :func:`inventory.load.load_estate` runs it on every workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from estate.errors import Issue
from estate.model import DEFAULT_TEAM, Dependency, Estate
from estate.months import month_index
from estate.policy import residency_allows, residency_words
from inventory.graph import before_cycle, move_groups

#: ``locate(sheet, index) -> (file, excel_row)``: where the ``index``-th object
#: of a sheet (its position in the estate's tuple) was read from.
Locate = Callable[[str, int], tuple[str, int | None]]

ID_ATTR = {
    "sites": "site_id", "applications": "app_id", "servers": "server_id",
    "contracts": "contract_id", "teams": "team_id",
}


def default_locate(estate: Estate) -> Locate:
    """A :data:`Locate` built from ``estate.source`` and ``estate.rows``."""
    source = estate.source or "<estate>"
    is_folder = bool(estate.source) and Path(estate.source).is_dir()

    def locate(sheet: str, index: int) -> tuple[str, int | None]:
        file = str(Path(source) / f"{sheet}.csv") if is_folder else source
        attr = ID_ATTR.get(sheet)
        objs = getattr(estate, sheet, ())
        if attr:
            key = getattr(objs[index], attr) if 0 <= index < len(objs) else ""
        else:
            key = str(index)
        return file, estate.rows.get((sheet, key))

    return locate


class _Checker:
    def __init__(self, estate: Estate, locate: Locate) -> None:
        self.e = estate
        self.locate = locate
        self.issues: list[Issue] = []
        self.app_index = {a.app_id: i for i, a in reversed(list(enumerate(estate.applications)))}
        self.site_index = {s.site_id: i for i, s in reversed(list(enumerate(estate.sites)))}
        self.all_ids = set(self.app_index) | set(self.site_index) | set(estate.server_by_id)
        self._folded: dict[str, str] | None = None

    def add(self, sheet: str, index: int, column: str, value: str, message: str) -> None:
        file, row = self.locate(sheet, index)
        self.issues.append(Issue(file, message, sheet, row, column, value))

    def row_of(self, sheet: str, index: int) -> str:
        row = self.locate(sheet, index)[1]
        return f"row {row}" if row is not None else f"item {index + 1}"

    def hint(self, value: str, known: set[str] | Mapping[str, object]) -> str:
        """A short 'did you mean' for an unknown id (case/space slips, ',' lists)."""
        if self._folded is None:
            self._folded = {}
            for k in self.all_ids:
                self._folded.setdefault(k.strip().lower(), k)
        guess = self._folded.get(value.strip().lower())
        if guess is not None and guess in known and guess != value:
            return f"; did you mean {guess!r}? (ids are case-sensitive)"
        if "," in value:
            return "; separate the ids of a list with ';', not ','"
        return ""

    def unknown(self, sheet: str, index: int, column: str, value: str, what: str,
                known: set[str] | Mapping[str, object], where: str) -> None:
        self.add(sheet, index, column, value,
                 f"{column} {value!r} is not a known {what}; add it to the {where} sheet or "
                 f"correct the id{self.hint(value, known)}")

    # -- checks ----------------------------------------------------------------
    def duplicate_ids(self) -> None:
        """Ids are unique (across sites, applications and servers) ignoring case."""
        seen: dict[str, tuple[str, int, str]] = {}
        for sheet in ("sites", "applications", "servers"):
            attr = ID_ATTR[sheet]
            for i, obj in enumerate(getattr(self.e, sheet)):
                oid = getattr(obj, attr)
                folded = oid.casefold()
                if folded in seen:
                    s0, i0, was = seen[folded]
                    same = ("is already used" if was == oid else
                            f"differs only in case from {was!r}, used")
                    self.add(sheet, i, attr, oid,
                             f"{attr} {oid!r} {same} in {s0} {self.row_of(s0, i0)}; "
                             "ids must be unique across applications, servers and sites "
                             "(ignoring case) — rename one")
                else:
                    seen[folded] = (sheet, i, oid)
        for sheet in ("contracts", "teams"):
            attr = ID_ATTR[sheet]
            earlier: dict[str, tuple[int, str]] = {}
            for i, obj in enumerate(getattr(self.e, sheet)):
                oid = getattr(obj, attr)
                folded = oid.casefold()
                if folded in earlier:
                    i0, was = earlier[folded]
                    same = ("is already used" if was == oid else
                            f"differs only in case from {was!r}, used")
                    self.add(sheet, i, attr, oid, f"{attr} {oid!r} {same} in "
                             f"{self.row_of(sheet, i0)}; give each a unique id")
                else:
                    earlier[folded] = (i, oid)
        fys: dict[str, int] = {}
        for i, b in enumerate(self.e.budget):
            if b.financial_year in fys:
                self.add("budget", i, "financial_year", b.financial_year,
                         f"financial_year {b.financial_year} is listed twice (also "
                         f"{self.row_of('budget', fys[b.financial_year])}); keep one limit a year")
            else:
                fys[b.financial_year] = i

    def servers(self) -> None:
        by_id = self.e.server_by_id
        for i, s in enumerate(self.e.servers):
            if not s.site_id:
                self.add("servers", i, "site_id", "", "site_id is required: the site where the "
                         "server runs today")
            elif s.site_id not in self.site_index:
                self.unknown("servers", i, "site_id", s.site_id, "site", self.site_index, "sites")
            if s.host_id is not None:
                host = by_id.get(s.host_id)
                if host is None:
                    self.unknown("servers", i, "host_id", s.host_id, "server", by_id, "servers")
                elif host.kind != "host":
                    self.add("servers", i, "host_id", s.host_id,
                             f"host_id {s.host_id!r} is a {host.kind} server, not a host; point "
                             "it at a server of kind host, or set that server's kind to host")
                elif host.site_id != s.site_id and s.site_id and host.site_id:
                    self.add("servers", i, "host_id", s.host_id,
                             f"host {s.host_id!r} is at site {host.site_id!r} but this virtual "
                             f"server is at {s.site_id!r}; a virtual server runs at its host's "
                             "site")
            for a in s.app_ids:
                if a not in self.app_index:
                    self.unknown("servers", i, "app_ids", a, "application", self.app_index,
                                 "applications")

    def applications(self) -> None:
        opts = self.e.options_by_app
        served = self.e.servers_by_app
        start, h = self.e.settings.horizon_start, self.e.settings.horizon_months
        for i, a in enumerate(self.e.applications):
            if not opts.get(a.app_id) and not served.get(a.app_id):
                self.add("applications", i, "app_id", a.app_id,
                         f"application {a.app_id!r} has no server and no options, so nothing "
                         "can be estimated for it; list it in a server's app_ids or give it "
                         "rows on the options sheet")
            if a.must_finish_by and a.earliest_start:
                f = month_index(start, a.must_finish_by)
                if f < h and f <= month_index(start, a.earliest_start):
                    self.add("applications", i, "must_finish_by", a.must_finish_by,
                             f"must_finish_by {a.must_finish_by} is not after earliest_start "
                             f"{a.earliest_start}; a move takes at least a month")

    def options(self) -> None:
        sites = self.e.site_by_id
        teams = set(self.e.team_by_id) if self.e.teams else {DEFAULT_TEAM}
        seen: dict[tuple[str, str, str | None], int] = {}
        for i, o in enumerate(self.e.options):
            if o.app_id not in self.app_index:
                self.unknown("options", i, "app_id", o.app_id, "application", self.app_index,
                             "applications")
            if o.target_site is not None:
                site = sites.get(o.target_site)
                if site is None:
                    self.unknown("options", i, "target_site", o.target_site, "site",
                                 self.site_index, "sites")
                elif site.exit_by is not None and o.moves:  # retain stays where it is
                    self.add("options", i, "target_site", o.target_site,
                             f"site {o.target_site!r} is being exited (exit_by "
                             f"{site.exit_by}); no option may target it — choose another site "
                             "or delete the row")
                if o.strategy == "retire":
                    self.add("options", i, "target_site", o.target_site,
                             "a retire option has no target_site; clear it")
            elif o.to_target and o.monthly_kwh > 0:
                self.add("options", i, "target_site", "",
                         f"a {o.strategy} option with monthly_kwh needs a target_site (its PUE "
                         "and grid factor apply); fill it in")
            for team in o.effort:
                if team not in teams:
                    known = ", ".join(sorted(teams))
                    fix = ("add it to the teams sheet" if self.e.teams else
                           "without a teams sheet only 'migration' is known; add a teams sheet")
                    self.add("options", i, "effort", team,
                             f"effort names team {team!r}, which is not known (known: {known}); "
                             f"{fix}")
            if o.key in seen:
                self.add("options", i, "strategy", o.strategy,
                         f"application {o.app_id!r} already has a {o.strategy} option to "
                         f"{o.target_site or 'no target'} ({self.row_of('options', seen[o.key])})"
                         "; keep one row per application, strategy and target")
            else:
                seen[o.key] = i

    def dependencies(self) -> None:
        for i, d in enumerate(self.e.dependencies):
            for col, v in (("from_id", d.from_id), ("to_id", d.to_id)):
                if v not in self.app_index:
                    self.unknown("dependencies", i, col, v, "application", self.app_index,
                                 "applications")
        cycle = before_cycle(self.e)
        if cycle:
            edges = set(zip(cycle, cycle[1:], strict=False))
            # name the row that closes the cycle in workbook order (the last one)
            idx = max(i for i, d in enumerate(self.e.dependencies)
                      if d.kind == "before" and (d.from_id, d.to_id) in edges)
            self.add("dependencies", idx, "kind", "before",
                     "the before dependencies form a cycle: " + " → ".join(cycle)
                     + "; nothing in it could ever start — remove or reverse one of them")
        self.groups()

    def _must_move(self, app_id: str) -> str:
        opts = self.e.options_by_app.get(app_id, ())
        if opts and not any(o.strategy == "retain" for o in opts):
            return "its options list no retain"
        a = self.e.app_by_id.get(app_id)
        if a is not None and a.must_finish_by is not None:
            s = self.e.settings
            if month_index(s.horizon_start, a.must_finish_by) < s.horizon_months:
                return f"must_finish_by {a.must_finish_by} is within the horizon"
        return ""

    def _only_retain(self, app_id: str) -> bool:
        opts = self.e.options_by_app.get(app_id, ())
        return bool(opts) and all(o.strategy == "retain" for o in opts)

    def groups(self) -> None:
        groups = move_groups(self.e)
        group_of = {a: g for g, members in enumerate(groups) for a in members}
        together_by: dict[int, list[tuple[int, Dependency]]] = {}
        before_by: dict[int, list[tuple[int, Dependency]]] = {}
        for i, d in enumerate(self.e.dependencies):
            g = group_of.get(d.from_id)
            if g is None or group_of.get(d.to_id) != g or d.kind == "loose":
                continue
            (together_by if d.kind == "together" else before_by).setdefault(g, []).append((i, d))
        for gi, group in enumerate(groups):
            together = together_by.get(gi, [])
            movers = [(a, self._must_move(a)) for a in group if self._must_move(a)]
            stuck = [a for a in group if self._only_retain(a)]
            if movers and stuck:
                m, why = movers[0]
                s = stuck[0]
                direct = [i for i, d in together if {d.from_id, d.to_id} == {m, s}]
                idx = direct[0] if direct else next(
                    i for i, d in together if s in (d.from_id, d.to_id))
                self.add("dependencies", idx, "kind", "together",
                         f"together group {', '.join(group)}: {m!r} must move ({why}) but "
                         f"{s!r} can only be retained (its only option is retain); give "
                         f"{s!r} a move option or remove the together link")
            for i, d in before_by.get(gi, []):
                self.add("dependencies", i, "kind", "before",
                         f"{d.from_id!r} and {d.to_id!r} must move together (group "
                         f"{', '.join(group)}) yet {d.to_id!r} may only start once "
                         f"{d.from_id!r} is live; remove the before or the together link")

    def contracts(self) -> None:
        for i, c in enumerate(self.e.contracts):
            for x in c.covers:
                if x not in self.all_ids:
                    self.unknown("contracts", i, "covers", x, "application, server or site",
                                 self.all_ids, "applications, servers or sites")
            if c.start_date is not None and c.start_date > c.end_date:
                self.add("contracts", i, "start_date", c.start_date,
                         f"start_date {c.start_date} is after end_date {c.end_date}")

    def has_option(self, app_id: str, strategy: str, target_site: str | None
                   ) -> tuple[bool, str]:
        """Whether the application has an option of ``strategy`` (at ``target_site``
        when given), and its options in words."""
        own = self.e.options_by_app.get(app_id, ())
        if own:
            allowed = {(o.strategy, o.target_site) for o in own}
            ok = any(s == strategy and (target_site is None or t == target_site)
                     for s, t in allowed)
            return ok, "; ".join(sorted(f"{s}" + (f" to {t}" if t else "") for s, t in allowed))
        # generated options: retain, rehost to a cloud site
        target = self.e.site_by_id.get(target_site) if target_site else None
        ok = strategy == "retain" or (
            strategy == "rehost" and (target is None or target.kind == "cloud"))
        return ok, "retain; rehost to a cloud site (generated: it has no options rows)"

    def actuals(self) -> None:
        known = {"application": (self.app_index, "applications"),
                 "contract": ({c.contract_id: 0 for c in self.e.contracts}, "contracts"),
                 "site": (self.site_index, "sites"),
                 "server": ({s.server_id: 0 for s in self.e.servers}, "servers")}
        first: dict[tuple[str, str], int] = {}
        for i, a in enumerate(self.e.actuals):
            index, sheet = known[a.kind]
            if a.item_id not in index:
                self.unknown("actuals", i, "id", a.item_id, a.kind, index, sheet)
                continue
            if a.confirmed:
                key = (a.kind, a.item_id)
                if key in first:
                    self.add("actuals", i, "id", a.item_id,
                             f"{a.kind} {a.item_id!r} has two confirmed actuals (also "
                             f"{self.row_of('actuals', first[key])}); keep one")
                    continue
                first[key] = i
            if a.target_site is not None and a.target_site not in self.site_index:
                self.unknown("actuals", i, "target_site", a.target_site, "site",
                             self.site_index, "sites")
            elif a.kind == "application" and a.strategy is not None:
                ok, listed = self.has_option(a.item_id, a.strategy, a.target_site)
                if not ok:
                    what = a.strategy + (f" to {a.target_site}" if a.target_site else "")
                    self.add("actuals", i, "strategy", a.strategy,
                             f"application {a.item_id!r} has no {what} option (its "
                             f"options: {listed}); correct the actual or add the option")

    def pins(self) -> None:
        first: dict[str, int] = {}
        for i, p in enumerate(self.e.pins):
            if p.app_id not in self.app_index:
                self.unknown("pins", i, "app_id", p.app_id, "application", self.app_index,
                             "applications")
                continue
            if p.app_id in first:
                self.add("pins", i, "app_id", p.app_id,
                         f"application {p.app_id!r} is pinned twice (also "
                         f"{self.row_of('pins', first[p.app_id])}); keep one pin")
                continue
            first[p.app_id] = i
            if p.target_site is not None and p.target_site not in self.e.site_by_id:
                self.unknown("pins", i, "target_site", p.target_site, "site", self.site_index,
                             "sites")
                continue
            if p.strategy is None:
                continue
            ok, listed = self.has_option(p.app_id, p.strategy, p.target_site)
            if ok and p.strategy not in ("retain", "retire") and p.target_site is not None \
                    and not residency_allows(self.e, p.app_id, p.target_site):
                self.add("pins", i, "target_site", p.target_site,
                         f"{residency_words(self.e, p.app_id, p.target_site)}: a pin may not "
                         "send it there (residency); pin another site or change "
                         "data_residency")
            if not ok:
                what = p.strategy + (f" to {p.target_site}" if p.target_site else "")
                self.add("pins", i, "strategy", p.strategy,
                         f"application {p.app_id!r} has no {what} option (its options: "
                         f"{listed}); add that option or change the pin")


def validate_estate(estate: Estate, locate: Locate | None = None) -> list[Issue]:
    """Check everything that involves more than one object of an estate.

    Checks: ids unique across applications, servers and sites (and within
    contracts, teams, budget years, pins); every referenced id exists
    (servers' ``site_id``/``host_id``/``app_ids``, options, dependencies,
    ``covers``, pins); ``host_id`` is a host at the same site; no ``before``
    cycle; every application has a server or options; option targets exist
    and are not being exited; efforts name known teams; options are not
    duplicated; ``together`` groups are not forced apart (one must move, one
    can only be retained) nor ordered by ``before`` inside; pins name an option
    the application has; contract terms start before they end; an
    application's ``must_finish_by`` lies after its ``earliest_start``.

    Parameters
    ----------
    estate
        A raw (or resolved) estate.
    locate
        Where each object came from (see :data:`Locate`); by default built
        from ``estate.source`` and ``estate.rows``.

    Returns
    -------
    list of Issue
        Every problem, each naming file, sheet, row and column; empty when valid.
    """
    ch = _Checker(estate, locate or default_locate(estate))
    ch.duplicate_ids()
    ch.servers()
    ch.applications()
    ch.options()
    ch.dependencies()
    ch.contracts()
    ch.pins()
    ch.actuals()
    return ch.issues


def listed(items: list[str], most: int = 8) -> str:
    shown = ", ".join(items[:most])
    return shown + (f", … ({len(items) - most} more)" if len(items) > most else "")
